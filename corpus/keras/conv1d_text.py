"""1-D convolutions over an embedded sequence."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(20,), dtype="int32"),
    layers.Embedding(30, 8),
    layers.Conv1D(16, 3, activation="relu"),
    layers.MaxPooling1D(2),
    layers.Conv1D(16, 5, padding="same", activation="relu"),
    layers.GlobalMaxPooling1D(),
    layers.Dense(4),
])
tokens = np.random.RandomState(0).randint(0, 30, size=(4, 20)).astype("int32")
y = model(tokens)
