"""Conv1D feature extractor + stacked LSTM on a multivariate time series (BatchNorm over time)."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(30, 3))
x = layers.Conv1D(8, 5, padding="same", activation="relu")(inputs)
x = layers.BatchNormalization()(x)
x = layers.MaxPooling1D(2)(x)
x = layers.LSTM(16, return_sequences=True)(x)
x = layers.LSTM(8)(x)
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
x_in = np.random.RandomState(0).standard_normal((4, 30, 3)).astype("float32")
forecast = model(x_in)
