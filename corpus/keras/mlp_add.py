"""Sequential built with model.add, input size from input_shape=."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential()
model.add(layers.Dense(32, activation="relu", input_shape=(20,)))
model.add(layers.Dense(32, activation="elu"))
model.add(layers.Dense(1, activation="sigmoid"))
x = np.random.RandomState(1).standard_normal((8, 20)).astype("float32")
score = model.predict(x, verbose=0)
