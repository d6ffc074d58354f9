"""A TF1 program already moved to `import tensorflow.compat.v1 as tf` with tf.disable_v2_behavior().

This is how many projects first ran TF1 code on TF2; the rest is plain TF1 graph code.
"""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
np.random.seed(18)
tf.set_random_seed(18)

xs = np.linspace(-1.0, 1.0, 30).astype(np.float32).reshape(-1, 1)
ys = (xs ** 2).astype(np.float32)

x = tf.placeholder(tf.float32, [None, 1])
y = tf.placeholder(tf.float32, [None, 1])
w1 = tf.get_variable("w1", [1, 10], initializer=tf.random_normal_initializer(stddev=0.5, seed=1))
b1 = tf.get_variable("b1", [10], initializer=tf.zeros_initializer())
w2 = tf.get_variable("w2", [10, 1], initializer=tf.random_normal_initializer(stddev=0.5, seed=2))
hidden = tf.nn.tanh(tf.matmul(x, w1) + b1)
prediction = tf.matmul(hidden, w2)
loss = tf.losses.mean_squared_error(labels=y, predictions=prediction)
train = tf.train.AdamOptimizer(0.05).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(200):
        _, l = sess.run([train, loss], feed_dict={x: xs, y: ys})
        if i % 50 == 0:
            print("step", i, "loss", round(float(l), 5))
    print("f(0.5) =", round(float(sess.run(prediction, feed_dict={x: [[0.5]]})[0, 0]), 3))
