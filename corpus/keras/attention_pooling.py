"""Additive attention pooling over LSTM states: Dense scores, Softmax over time, Multiply, sum by Dense."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(9, 4))
states = layers.LSTM(8, return_sequences=True)(inputs)
scores = layers.Dense(1, activation="tanh")(states)
weights = layers.Softmax(axis=1)(scores)
context = layers.Multiply()([states, weights])
pooled = layers.GlobalAveragePooling1D()(context)
outputs = layers.Dense(2)(pooled)
model = keras.Model(inputs, outputs)
x = np.random.RandomState(0).standard_normal((3, 9, 4)).astype("float32")
y = model(x)
