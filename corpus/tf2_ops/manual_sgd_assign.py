"""A hand-written gradient step with Variable.assign_sub (no optimizer object)."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(11)
x = tf.constant(rng.standard_normal((20, 2)).astype(np.float32))
y = tf.constant((rng.standard_normal((20, 1)) * 0.1).astype(np.float32))
w = tf.Variable(np.ones((2, 1), dtype=np.float32))

for _ in range(10):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    grad = tape.gradient(loss, w)
    w.assign_sub(0.1 * grad)

dlmigrate_observe("w", w.numpy())
dlmigrate_observe("loss", loss)
