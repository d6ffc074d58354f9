"""The training script of a two-file TF1 program: the graph comes from model.py.

`--to tf2` analyses one file at a time, so it cannot prove that `model.make_weights` and
`model.dense` are safe to call at every step: this script stays on the tf2-compat output
(TF4002 names the call), and model.py gets its renames.
"""
import numpy as np
import tensorflow as tf

from model import dense, make_weights

np.random.seed(34)
tf.set_random_seed(34)
data = np.random.rand(8, 3).astype(np.float32)

x = tf.placeholder(tf.float32, [None, 3])
w1 = make_weights(3, 4, seed=1)
b1 = tf.Variable(tf.zeros([4]))
w2 = make_weights(4, 1, seed=2)
output = tf.matmul(dense(x, w1, b1), w2)
loss = tf.reduce_mean(tf.square(output - 1.0))
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(10):
        _, value = sess.run([train, loss], feed_dict={x: data})
        if step % 3 == 0:
            print("step", step, "loss", round(float(value), 5))
