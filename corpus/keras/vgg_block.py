"""VGG-style blocks of 'same' convolutions, max pooling, two Dense layers."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(24, 24, 3)),
    layers.Conv2D(8, 3, padding="same", activation="relu"),
    layers.Conv2D(8, 3, padding="same", activation="relu"),
    layers.MaxPooling2D(2),
    layers.Conv2D(16, 3, padding="same", activation="relu"),
    layers.Conv2D(16, 3, padding="same", activation="relu"),
    layers.MaxPooling2D(2),
    layers.Flatten(),
    layers.Dense(32, activation="relu"),
    layers.Dropout(0.5),
    layers.Dense(10),
])
x = np.random.RandomState(0).standard_normal((2, 24, 24, 3)).astype("float32")
y = model(x)
