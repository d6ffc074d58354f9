"""A subclassed model with custom call logic (tf.split, top_k): reported (TT2002), not converted yet."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers


class TwoTower(keras.Model):
    def __init__(self):
        super().__init__()
        self.left = layers.Dense(4)
        self.right = layers.Dense(4)

    def call(self, inputs, training=False):
        a, b = tf.split(inputs, 2, axis=-1)
        scores = self.left(a) * self.right(b)
        return tf.math.top_k(scores, k=2).values


model = TwoTower()
y = model(np.random.RandomState(0).standard_normal((3, 8)).astype("float32"))
