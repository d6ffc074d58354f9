"""Learning-rate decay driven by the global step: tf.train.exponential_decay with a staircase.

`minimize(..., global_step=global_step)` increments the step after each update, and the
decayed rate is read from it; the rate and the step are fetched as the program trains.
"""
import numpy as np
import tensorflow as tf

np.random.seed(33)
tf.set_random_seed(33)
data = np.random.rand(16, 2).astype(np.float32)
target = data @ np.array([[1.5], [-0.5]], np.float32)

x = tf.placeholder(tf.float32, [None, 2])
y = tf.placeholder(tf.float32, [None, 1])
w = tf.Variable(tf.random_normal([2, 1], stddev=0.5, seed=1), name="w")
global_step = tf.train.get_or_create_global_step()
learning_rate = tf.train.exponential_decay(0.5, global_step, decay_steps=5, decay_rate=0.5, staircase=True)
loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
train = tf.train.GradientDescentOptimizer(learning_rate).minimize(loss, global_step=global_step)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(20):
        _, current = sess.run([train, loss], feed_dict={x: data, y: target})
        if i % 5 == 4:
            print("step", sess.run(global_step), "rate", sess.run(learning_rate), "loss", round(float(current), 5))
    print("w", np.asarray(sess.run(w), np.float64).round(4).ravel().tolist())
