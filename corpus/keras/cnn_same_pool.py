"""'same' pooling with stride 2 on odd sizes (asymmetric padding), even kernels, dilation."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(15, 15, 2)),
    layers.Conv2D(6, 4, padding="same"),
    layers.MaxPooling2D(pool_size=3, strides=2, padding="same"),
    layers.Conv2D(6, 3, padding="same", dilation_rate=2, activation="swish"),
    layers.AveragePooling2D(pool_size=3, strides=2, padding="same"),
    layers.GlobalMaxPooling2D(),
    layers.Dense(3),
])
x = np.random.RandomState(2).standard_normal((3, 15, 15, 2)).astype("float32")
out = model(x)
