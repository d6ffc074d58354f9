"""A subclassed model with custom call logic: tf.split, top_k, a product of two towers."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers


class TwoTower(keras.Model):
    def __init__(self, width=4):
        super().__init__()
        self.left = layers.Dense(width, activation="relu")
        self.right = layers.Dense(width)
        self.head = layers.Dense(3)

    def call(self, inputs, training=False):
        a, b = tf.split(inputs, 2, axis=-1)
        scores = self.left(a) * self.right(b)
        best = tf.math.top_k(scores, k=2).values
        return self.head(tf.concat([scores, best], axis=-1))


model = TwoTower()
x = np.random.RandomState(0).standard_normal((3, 8)).astype("float32")
y = model(x)
