"""MLP classifier: Dense + Dropout."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(784,)),
    layers.Dense(128, activation="relu"),
    layers.Dropout(0.2),
    layers.Dense(64, activation="tanh"),
    layers.Dense(10, activation="softmax"),
])
x = np.random.RandomState(0).standard_normal((4, 784)).astype("float32")
probs = model(x, training=False)
