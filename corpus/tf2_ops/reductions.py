"""Reductions with axis/keepdims, population variance and std, argmax defaults."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(2)
x = tf.constant(rng.standard_normal((3, 4, 5)).astype(np.float32))

dlmigrate_observe("sum", tf.reduce_sum(x))
dlmigrate_observe("sum_axis", tf.reduce_sum(x, axis=1))
dlmigrate_observe("mean_keep", tf.reduce_mean(x, axis=-1, keepdims=True))
dlmigrate_observe("max", tf.reduce_max(x, axis=[0, 2]))
dlmigrate_observe("min", tf.reduce_min(x, 0))
dlmigrate_observe("std", tf.math.reduce_std(x, axis=2))
dlmigrate_observe("var", tf.math.reduce_variance(x))
dlmigrate_observe("lse", tf.reduce_logsumexp(x, axis=1))
dlmigrate_observe("argmax", tf.argmax(x))
dlmigrate_observe("argmin", tf.math.argmin(x, axis=2, output_type=tf.int32))
dlmigrate_observe("norm", tf.norm(x))
mean, variance = tf.nn.moments(x, axes=[0, 1])
dlmigrate_observe("moments", (mean, variance))
