"""Bidirectional LSTM (last step) and bidirectional GRU (sequences) on float features."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(7, 5)),
    layers.Bidirectional(layers.GRU(6, return_sequences=True)),
    layers.Bidirectional(layers.LSTM(4)),
    layers.Dense(2),
])
x = np.random.RandomState(0).standard_normal((3, 7, 5)).astype("float32")
y = model(x)
