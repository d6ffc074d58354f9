"""tf.contrib.rnn cells and tf.contrib.slim, through a `from tensorflow.contrib import slim` import.

Like every tf.contrib program it cannot run on TensorFlow 2; dlmigrate must flag
the import and each use with an error-severity finding.
"""
import numpy as np
import tensorflow as tf
from tensorflow.contrib import slim

np.random.seed(14)
tf.set_random_seed(14)

sequences = np.random.rand(4, 3, 2).astype(np.float32)
inputs = tf.placeholder(tf.float32, [None, 3, 2])
cell = tf.contrib.rnn.BasicLSTMCell(5)
outputs, _ = tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)
logits = slim.fully_connected(outputs[:, -1], 2, activation_fn=None)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("logits shape", sess.run(logits, feed_dict={inputs: sequences}).shape)
