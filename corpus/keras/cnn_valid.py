"""CNN with 'valid' convolutions, max/avg pooling and global average pooling."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(32, 32, 3)),
    layers.Conv2D(8, 5, activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Conv2D(16, 3, strides=(2, 2), activation="relu"),
    layers.AveragePooling2D(2),
    layers.Conv2D(32, 1),
    layers.GlobalAveragePooling2D(),
    layers.Dense(5),
])
x = np.random.RandomState(0).standard_normal((2, 32, 32, 3)).astype("float32")
logits = model(x)
