"""Transformer-style feed-forward block: LayerNormalization, gelu, residual."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(6, 16))
h = layers.LayerNormalization()(inputs)
h = layers.Dense(32, activation="gelu")(h)
h = layers.Dense(16)(h)
h = inputs + h
outputs = layers.LayerNormalization(epsilon=1e-6)(h)
model = keras.Model(inputs, outputs)
x = np.random.RandomState(0).standard_normal((2, 6, 16)).astype("float32")
y = model(x)
