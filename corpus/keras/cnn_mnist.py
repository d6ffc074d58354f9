"""CNN: 'same' stride-2 convolution, BatchNorm, pooling, Flatten, Dense."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
    layers.BatchNormalization(),
    layers.MaxPooling2D(),
    layers.Conv2D(32, (3, 3), padding="same"),
    layers.BatchNormalization(momentum=0.9, epsilon=1e-5),
    layers.ReLU(),
    layers.AveragePooling2D(pool_size=2, strides=2, padding="same"),
    layers.Flatten(),
    layers.Dropout(0.5),
    layers.Dense(10, activation="softmax"),
])
x = np.random.RandomState(0).standard_normal((4, 28, 28, 1)).astype("float32")
y = model(x, training=False)
