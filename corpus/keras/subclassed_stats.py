"""Subclassed model: reduce_std/reduce_mean statistics, tf.gather of feature columns, a training-only branch."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers


class StatsNet(keras.Model):
    def __init__(self):
        super().__init__()
        self.proj = layers.Dense(6, activation="tanh")
        self.drop = layers.Dropout(0.25)
        self.out = layers.Dense(2)

    def call(self, x, training=None):
        picked = tf.gather(x, [0, 2, 4], axis=1)
        h = self.proj(x)
        mean = tf.reduce_mean(h, axis=-1, keepdims=True)
        std = tf.math.reduce_std(h, axis=-1, keepdims=True)
        h = (h - mean) / (std + 1e-3)
        if training:
            h = self.drop(h)
        return self.out(tf.concat([h, picked], axis=1))


net = StatsNet()
net.build((None, 5))
x = np.random.RandomState(0).standard_normal((4, 5)).astype("float32")
y = net(x, training=False)
