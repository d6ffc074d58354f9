"""Text classifier: Embedding + LSTM + Dense."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(12,), dtype="int32"),
    layers.Embedding(100, 16),
    layers.LSTM(32),
    layers.Dense(1, activation="sigmoid"),
])
tokens = np.random.RandomState(0).randint(0, 100, size=(4, 12)).astype("int32")
p = model(tokens)
