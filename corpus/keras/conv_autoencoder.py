"""Convolutional autoencoder with strided Conv2DTranspose (kernel 3, stride 2: odd 'same' crop)."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(16, 16, 1)),
    layers.Conv2D(8, 3, strides=2, padding="same", activation="relu"),
    layers.Conv2D(4, 3, strides=2, padding="same", activation="relu"),
    layers.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu"),
    layers.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu"),
    layers.Conv2D(1, 3, padding="same", activation="sigmoid"),
])
x = np.random.RandomState(0).rand(2, 16, 16, 1).astype("float32")
decoded = model(x)
