"""Sharing variables: tf.get_variable inside tf.variable_scope with reuse=True and AUTO_REUSE."""
import numpy as np
import tensorflow as tf

tf.set_random_seed(8)


def dense(x, units, name):
    with tf.variable_scope(name):
        w = tf.get_variable("w", [x.get_shape()[1], units], initializer=tf.truncated_normal_initializer(stddev=0.5, seed=1))
        b = tf.get_variable("b", [units], initializer=tf.constant_initializer(0.1))
        return tf.matmul(x, w) + b


x1 = tf.constant(np.ones([2, 3], dtype=np.float32))
x2 = tf.constant(np.full([2, 3], 2.0, dtype=np.float32))

with tf.variable_scope("model") as scope:
    out1 = dense(x1, 4, "layer")
    scope.reuse_variables()
    out2 = dense(x2, 4, "layer")

with tf.variable_scope("model", reuse=True):
    shared_w = tf.get_variable("layer/w")


def counter():
    with tf.variable_scope("counter", reuse=tf.AUTO_REUSE):
        return tf.get_variable("count", [], initializer=tf.zeros_initializer())


c1, c2 = counter(), counter()
increment = tf.assign_add(c1, 1.0)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("variables", sorted(v.name for v in tf.global_variables()))
    print("same w", shared_w is tf.trainable_variables()[0], c1 is c2)
    o1, o2 = sess.run([out1, out2])
    print("out1", np.asarray(o1, np.float64).round(4).tolist())
    print("out2 == 2*out1 - b", np.allclose(o2, 2 * o1 - 0.1))
    for _ in range(3):
        sess.run(increment)
    print("counter", sess.run(c2))
