"""Scaled dot-product attention written with ops (softmax over the last axis of a 3-D tensor)."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(13)
q = tf.constant(rng.standard_normal((2, 5, 8)).astype(np.float32))
k = tf.constant(rng.standard_normal((2, 5, 8)).astype(np.float32))
v = tf.constant(rng.standard_normal((2, 5, 8)).astype(np.float32))

scores = tf.matmul(q, k, transpose_b=True) / tf.sqrt(8.0)
weights = tf.nn.softmax(scores)
out = tf.matmul(weights, v)
dlmigrate_observe("weights", weights)
dlmigrate_observe("out", out)
dlmigrate_observe("row_sums", tf.reduce_sum(weights, axis=-1))
