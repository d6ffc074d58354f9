"""GRU (reset_after=True, Keras' default) returning sequences, pooled over time."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(10,), dtype="int32"),
    layers.Embedding(50, 8),
    layers.GRU(16, return_sequences=True),
    layers.GRU(12),
    layers.Dense(3, activation="softmax"),
])
tokens = np.random.RandomState(0).randint(0, 50, size=(4, 10)).astype("int32")
p = model(tokens)
