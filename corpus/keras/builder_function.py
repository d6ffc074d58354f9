"""Model built by a function whose sizes are parameters: the class takes them in __init__."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers



def make_classifier(input_dim, hidden, num_classes=3):
    inputs = keras.Input(shape=(input_dim,))
    x = layers.Dense(hidden, activation="relu")(inputs)
    x = layers.Dense(hidden // 2, activation="relu")(x)
    outputs = layers.Dense(num_classes)(x)
    return keras.Model(inputs, outputs)


model = make_classifier(12, 16)
x = np.random.RandomState(0).standard_normal((3, 12)).astype("float32")
y = model(x)
