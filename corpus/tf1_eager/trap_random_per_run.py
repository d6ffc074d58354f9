"""Trap 2 of the migration guide: a random op and a variable read are recomputed at every Session.run.

A naive port evaluates `noisy` once and reuses the cached value; the eager rewrite must draw
fresh noise and read the updated weights at every call, as each run did.
"""
import numpy as np
import tensorflow as tf

tf.set_random_seed(31)
data = np.linspace(0.0, 1.0, 12, dtype=np.float32).reshape(4, 3)

x = tf.placeholder(tf.float32, [None, 3])
noise = tf.random_normal([3], stddev=0.1, seed=5)
w = tf.Variable(tf.ones([3]), name="w")
noisy = x * w + noise
loss = tf.reduce_mean(tf.square(x * w - 1.0))
train = tf.train.MomentumOptimizer(0.1, momentum=0.9, use_nesterov=True).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    first = sess.run(noisy, feed_dict={x: data})
    second = sess.run(noisy, feed_dict={x: data})
    print("noise differs between runs", bool(np.abs(first - second).max() > 0))
    for step in range(5):
        sess.run(train, feed_dict={x: data})
        print("step", step, "w", np.asarray(sess.run(w), np.float64).round(4).tolist())
    print("noisy after training", np.asarray(sess.run(noisy, feed_dict={x: data[:1]}), np.float64).round(4).tolist())
