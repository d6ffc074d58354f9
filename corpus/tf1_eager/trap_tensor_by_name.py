"""Trap 3 of the migration guide: a tensor looked up by its graph name.

Names do not exist in eager execution, so `--to tf2` refuses (TF4002) and keeps the
tf2-compat rewrite, which still runs the graph.
"""
import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2], name="x")
w = tf.Variable([[1.0], [2.0]], name="w")
scores = tf.matmul(x, w, name="scores")

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    looked_up = tf.get_default_graph().get_tensor_by_name("scores:0")
    print("scores", sess.run(looked_up, feed_dict={x: np.array([[1.0, 1.0]], np.float32)}).tolist())
