"""Constants and basic ops: build a graph first, then run it in a Session.

The first lesson of every TF1 tutorial: nothing is computed until ``Session.run``.
"""
import numpy as np
import tensorflow as tf

tf.set_random_seed(1)

a = tf.constant(2.0)
b = tf.constant(3.0)
total = tf.add(a, b)
product = tf.multiply(a, b)
quotient = tf.div(b, a)
difference = tf.subtract(b, a)

m1 = tf.constant([[3.0, 3.0]])
m2 = tf.constant([[2.0], [2.0]])
matrix_product = tf.matmul(m1, m2)

x = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
row_sums = tf.reduce_sum(x, reduction_indices=1)
col_means = tf.reduce_mean(x, axis=0, keep_dims=True)
logs = tf.log(tf.constant([1.0, 10.0, 100.0]))
squared_diff = tf.squared_difference(x, 2.0)
as_float = tf.to_float(tf.constant([1, 2, 3]))
remainder = tf.mod(tf.constant([7, 8, 9]), 4)
transposed = tf.transpose(x)
noise = tf.random_normal([2, 2], mean=0.0, stddev=1.0, seed=7)

with tf.Session() as sess:
    print("a + b =", sess.run(total))
    print("a * b =", sess.run(product))
    print("b / a =", sess.run(quotient))
    print("b - a =", sess.run(difference))
    print("matmul =", sess.run(matrix_product).tolist())
    print("row sums =", sess.run(row_sums).tolist())
    print("col means =", sess.run(col_means).tolist())
    print("logs =", np.asarray(sess.run(logs), np.float64).round(4).tolist())
    print("squared diff =", sess.run(squared_diff).tolist())
    print("to_float =", sess.run(as_float).tolist())
    print("mod =", sess.run(remainder).tolist())
    print("transpose shape =", sess.run(transposed).shape)
    print("noise =", np.asarray(sess.run(noise), np.float64).round(4).tolist())
