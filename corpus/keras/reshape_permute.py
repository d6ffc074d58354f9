"""Reshape, Permute and Activation layers between Dense layers."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(24,)),
    layers.Reshape((4, 6)),
    layers.Permute((2, 1)),
    layers.Dense(5),
    layers.Activation("softplus"),
    layers.Reshape((-1,)),
    layers.Dense(3, activation="log_softmax"),
])
x = np.random.RandomState(0).standard_normal((2, 24)).astype("float32")
y = model(x)
