"""A two-layer MLP forward pass with explicit weights, layer norm by moments, dropout-free."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(12)
x = tf.constant(rng.standard_normal((6, 8)).astype(np.float32))
w1 = tf.constant((rng.standard_normal((8, 16)) * 0.3).astype(np.float32))
w2 = tf.constant((rng.standard_normal((16, 4)) * 0.3).astype(np.float32))
b1 = tf.zeros([16])

h = tf.nn.relu(tf.matmul(x, w1) + b1)
mean, var = tf.nn.moments(h, axes=[1], keepdims=True)
h = tf.nn.batch_normalization(h, mean, var, tf.zeros([16]), tf.ones([16]), 1e-5)
logits = tf.matmul(h, w2)
probs = tf.nn.softmax(logits)
dlmigrate_observe("probs", probs)
dlmigrate_observe("pred", tf.argmax(probs, axis=1))
dlmigrate_observe("entropy", -tf.reduce_sum(probs * tf.math.log(probs), axis=1))
