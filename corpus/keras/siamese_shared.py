"""Siamese network: one Dense layer object shared by two branches."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

left = keras.Input(shape=(10,))
right = keras.Input(shape=(10,))
encoder = layers.Dense(6, activation="tanh")
el = encoder(left)
er = encoder(right)
diff = layers.Subtract()([el, er])
outputs = layers.Dense(1, activation="sigmoid")(diff)
model = keras.Model([left, right], outputs)
rng = np.random.RandomState(0)
same = model([rng.standard_normal((3, 10)).astype("float32"), rng.standard_normal((3, 10)).astype("float32")])
