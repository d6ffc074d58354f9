"""Two inputs (image + metadata), two outputs (class and regression)."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

image = keras.Input(shape=(8, 8, 3))
meta = keras.Input(shape=(5,))
x = layers.Conv2D(4, 3, activation="relu")(image)
x = layers.Flatten()(x)
m = layers.Dense(4, activation="relu")(meta)
joined = layers.Concatenate()([x, m])
cls_out = layers.Dense(3, activation="softmax")(joined)
reg_out = layers.Dense(1)(joined)
model = keras.Model(inputs=[image, meta], outputs=[cls_out, reg_out])
rng = np.random.RandomState(0)
a = rng.standard_normal((2, 8, 8, 3)).astype("float32")
b = rng.standard_normal((2, 5)).astype("float32")
cls_pred, reg_pred = model([a, b])
