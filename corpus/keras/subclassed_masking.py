"""Subclassed sequence model with masking: padded steps (token 0) are zeroed with tf.where before pooling."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers


class MaskedPool(keras.Model):
    def __init__(self, vocab=20, dim=8):
        super().__init__()
        self.embed = layers.Embedding(vocab, dim)
        self.conv = layers.Conv1D(dim, 3, padding="same", activation="relu")
        self.classify = layers.Dense(2)

    def call(self, tokens):
        h = self.conv(self.embed(tokens))
        keep = tf.expand_dims(tf.cast(tokens > 0, tf.float32), -1)
        h = tf.where(keep > 0, h, tf.zeros_like(h))
        pooled = tf.reduce_sum(h, axis=1) / tf.maximum(tf.reduce_sum(keep, axis=1), 1.0)
        return self.classify(pooled)


model = MaskedPool()
tokens = np.random.RandomState(0).randint(0, 20, size=(4, 9)).astype("int32")
tokens[:, 6:] = 0
logits = model(tokens)
