"""A custom Keras Layer with its own weights (add_weight): reported (TT2002), left as Keras."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers


class Scale(layers.Layer):
    def build(self, input_shape):
        self.gain = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return x * self.gain


inputs = keras.Input(shape=(4,))
outputs = Scale()(layers.Dense(4)(inputs))
model = keras.Model(inputs, outputs)
y = model(np.ones((2, 4), "float32"))
