"""Dense autoencoder (functional) with a bottleneck."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(64,))
h = layers.Dense(32, activation="relu")(inputs)
code = layers.Dense(8, activation="relu")(h)
h = layers.Dense(32, activation="relu")(code)
outputs = layers.Dense(64, activation="sigmoid")(h)
autoencoder = keras.Model(inputs, outputs)
x = np.random.RandomState(0).rand(5, 64).astype("float32")
reconstruction = autoencoder(x)
