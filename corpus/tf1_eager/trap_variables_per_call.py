"""Trap 1 of the migration guide: a helper creates variables every time it is called.

TF1 built the graph once, so `layer` made its variables once per call site. Moving the graph
code into a function that runs at every step would create fresh variables at every step:
`--to tf2` refuses (TF4002) and keeps the tf2-compat rewrite.
"""
import numpy as np
import tensorflow as tf

tf.set_random_seed(32)


def layer(inputs, size, seed):
    w = tf.Variable(tf.random_normal([int(inputs.shape[1]), size], stddev=0.3, seed=seed))
    return tf.matmul(inputs, w)


x = tf.placeholder(tf.float32, [None, 3])
out = layer(tf.nn.relu(layer(x, 4, 1)), 1, 2)
loss = tf.reduce_mean(tf.square(out - 1.0))
train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)

data = np.ones((5, 3), dtype=np.float32)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(3):
        _, value = sess.run([train, loss], feed_dict={x: data})
        print("step", step, "loss", round(float(value), 5))
    print("variables", len(tf.trainable_variables()))
