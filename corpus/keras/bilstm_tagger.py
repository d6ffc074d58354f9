"""Sequence tagger: Embedding, bidirectional LSTM over every step, per-step Dense softmax."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(11,), dtype="int32"),
    layers.Embedding(40, 12),
    layers.Bidirectional(layers.LSTM(10, return_sequences=True)),
    layers.Dropout(0.1),
    layers.Dense(5, activation="softmax"),
])
tokens = np.random.RandomState(0).randint(0, 40, size=(2, 11)).astype("int32")
tags = model(tokens)
