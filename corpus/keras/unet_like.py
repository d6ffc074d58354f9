"""U-Net-like encoder/decoder: pooling, UpSampling2D, Conv2DTranspose, Concatenate skips."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(16, 16, 1))
c1 = layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
p1 = layers.MaxPooling2D()(c1)
c2 = layers.Conv2D(16, 3, padding="same", activation="relu")(p1)
p2 = layers.MaxPooling2D()(c2)
b = layers.Conv2D(32, 3, padding="same", activation="relu")(p2)
u2 = layers.Conv2DTranspose(16, 2, strides=2, padding="same")(b)
u2 = layers.Concatenate()([u2, c2])
c3 = layers.Conv2D(16, 3, padding="same", activation="relu")(u2)
u1 = layers.UpSampling2D()(c3)
u1 = layers.concatenate([u1, c1], axis=-1)
c4 = layers.Conv2D(8, 3, padding="same", activation="relu")(u1)
outputs = layers.Conv2D(1, 1, activation="sigmoid")(c4)
model = keras.Model(inputs=inputs, outputs=outputs)
x = np.random.RandomState(0).standard_normal((2, 16, 16, 1)).astype("float32")
mask = model(x)
