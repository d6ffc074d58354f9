"""Depthwise and separable convolutions (MobileNet style)."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(16, 16, 3)),
    layers.Conv2D(8, 3, strides=2, padding="same", use_bias=False),
    layers.BatchNormalization(),
    layers.Activation("relu6"),
    layers.DepthwiseConv2D(3, padding="same"),
    layers.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2),
    layers.SeparableConv2D(16, 3, padding="same", activation="relu"),
    layers.GlobalAveragePooling2D(),
    layers.Dense(4, activation="softmax"),
])
x = np.random.RandomState(0).standard_normal((2, 16, 16, 3)).astype("float32")
y = model(x)
