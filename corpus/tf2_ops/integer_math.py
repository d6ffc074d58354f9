"""Integer arithmetic: floor division and modulo signs, int32 literals, ranges, casts."""
import numpy as np
import tensorflow as tf

a = tf.constant([-7, -3, 0, 3, 7, 9])
b = tf.constant([2, -2, 3, -4, 5, -3])

dlmigrate_observe("floordiv", tf.math.floordiv(a, b))
dlmigrate_observe("floormod", tf.math.floormod(a, b))
dlmigrate_observe("truncatediv", tf.truncatediv(a, b))
dlmigrate_observe("range", tf.range(2, 11, 3))
dlmigrate_observe("cast", tf.cast(tf.constant([1.7, -1.7, 2.5]), tf.int32))
dlmigrate_observe("cumsum", tf.math.cumsum(a))
dlmigrate_observe("sum", tf.reduce_sum(a))
dlmigrate_observe("fill", tf.fill([2, 3], 4))
dlmigrate_observe("abs", tf.abs(a))
dlmigrate_observe("sign", tf.sign(a))
dlmigrate_observe("maximum", tf.maximum(a, b))
