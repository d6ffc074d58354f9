"""Functional residual network: Add of a skip connection, BatchNorm, ReLU."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(12, 12, 8))
x = layers.Conv2D(8, 3, padding="same")(inputs)
x = layers.BatchNormalization()(x)
x = layers.Activation("relu")(x)
x = layers.Conv2D(8, 3, padding="same")(x)
x = layers.Add()([x, inputs])
x = layers.ReLU()(x)
skip = layers.Conv2D(16, 1, strides=2)(x)
y = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(x)
y = layers.add([y, skip])
y = layers.GlobalAveragePooling2D()(y)
outputs = layers.Dense(3)(y)
model = keras.Model(inputs, outputs)
x_in = np.random.RandomState(0).standard_normal((2, 12, 12, 8)).astype("float32")
pred = model(x_in)
