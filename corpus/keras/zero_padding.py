"""Explicit ZeroPadding2D before 'valid' convolutions (ResNet stem)."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(20, 20, 3)),
    layers.ZeroPadding2D(padding=3),
    layers.Conv2D(8, 7, strides=2),
    layers.ZeroPadding2D(padding=((0, 1), (0, 1))),
    layers.MaxPooling2D(3, strides=2),
    layers.Flatten(),
    layers.Dense(2),
])
x = np.random.RandomState(0).standard_normal((2, 20, 20, 3)).astype("float32")
y = model(x)
