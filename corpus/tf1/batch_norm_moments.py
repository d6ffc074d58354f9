"""Batch normalization by hand: tf.nn.moments with keep_dims and tf.nn.batch_normalization, plus an EMA of the statistics."""
import numpy as np
import tensorflow as tf

np.random.seed(29)
tf.set_random_seed(29)

data = (np.random.randn(32, 5) * 3.0 + 2.0).astype(np.float32)
x = tf.placeholder(tf.float32, [None, 5])
mean, variance = tf.nn.moments(x, axes=[0], keep_dims=True)
gamma = tf.Variable(tf.ones([5]))
beta = tf.Variable(tf.zeros([5]))
normalized = tf.nn.batch_normalization(x, mean, variance, beta, gamma, variance_epsilon=1e-3)

ema = tf.train.ExponentialMovingAverage(decay=0.5)
batch_mean = tf.Variable(tf.zeros([1, 5]), trainable=False)
assign_mean = tf.assign(batch_mean, mean)
with tf.control_dependencies([assign_mean]):
    update_ema = ema.apply([batch_mean])
averaged = ema.average(batch_mean)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    out = sess.run(normalized, {x: data})
    print("normalized mean", np.asarray(out.mean(axis=0), np.float64).round(4).tolist())
    print("normalized std", np.asarray(out.std(axis=0), np.float64).round(3).tolist())
    print("moments", np.asarray(sess.run(mean, {x: data}), np.float64).round(4).tolist())
    for i in range(3):
        sess.run(update_ema, {x: data[i * 8:(i + 1) * 8]})
    print("ema of batch means", np.asarray(sess.run(averaged), np.float64).round(4).tolist())
