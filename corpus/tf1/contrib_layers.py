"""tf.contrib.layers: fully_connected with xavier_initializer and l2_regularizer.

tf.contrib does not exist in TensorFlow 2 (not even under tf.compat.v1), so this
program cannot run on TF 2.21 before or after conversion: dlmigrate must report
an error-severity finding for every tf.contrib use instead of rewriting it.
"""
import numpy as np
import tensorflow as tf

np.random.seed(13)
tf.set_random_seed(13)

data = np.random.rand(10, 4).astype(np.float32)
x = tf.placeholder(tf.float32, [None, 4])
hidden = tf.contrib.layers.fully_connected(
    x, 8, weights_initializer=tf.contrib.layers.xavier_initializer(seed=1),
    weights_regularizer=tf.contrib.layers.l2_regularizer(0.01),
)
out = tf.contrib.layers.fully_connected(hidden, 1, activation_fn=None)
reg_loss = tf.losses.get_regularization_loss()

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("output shape", sess.run(out, feed_dict={x: data}).shape)
    print("regularization", round(float(sess.run(reg_loss)), 4))
