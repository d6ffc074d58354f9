"""tf.nn.dropout with keep_prob, passed positionally, by keyword and through a placeholder.

Seeded, so the same units are dropped in every run; TF2 takes `rate` instead.
"""
import numpy as np
import tensorflow as tf

tf.set_random_seed(20)

x = tf.ones([4, 6])
keep_prob = tf.placeholder(tf.float32)
positional = tf.nn.dropout(x, 0.5, seed=1)
keyword = tf.nn.dropout(x, keep_prob=0.75, seed=2)
fed = tf.nn.dropout(x, keep_prob, seed=3)
shaped = tf.nn.dropout(x, keep_prob=0.5, noise_shape=[4, 1], seed=4)

with tf.Session() as sess:
    print("positional", sess.run(positional).tolist())
    print("keyword", np.asarray(sess.run(keyword), np.float64).round(4).tolist())
    print("fed 0.5", sess.run(fed, feed_dict={keep_prob: 0.5}).tolist())
    print("fed 1.0", sess.run(fed, feed_dict={keep_prob: 1.0}).sum())
    print("noise shape", sess.run(shaped).tolist())
