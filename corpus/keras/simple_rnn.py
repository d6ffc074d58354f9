"""SimpleRNN (tanh, all steps) stacked under a bidirectional relu SimpleRNN."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(8, 3)),
    layers.SimpleRNN(6, return_sequences=True),
    layers.Bidirectional(layers.SimpleRNN(4, activation="relu")),
    layers.Dense(2),
])
x = np.random.RandomState(0).standard_normal((3, 8, 3)).astype("float32")
y = model(x)
