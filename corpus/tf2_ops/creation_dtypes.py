"""Tensor creation with dtypes kept: int32 literals, float32 defaults, explicit dtypes, eye, ranges."""
import numpy as np
import tensorflow as tf

dlmigrate_observe("ints", tf.constant([1, 2, 3]))
dlmigrate_observe("floats", tf.constant([[1.5, 2.0], [3.0, 4.5]]))
dlmigrate_observe("float64", tf.constant([1, 2], dtype=tf.float64))
dlmigrate_observe("zeros", tf.zeros([2, 3]))
dlmigrate_observe("ones_int", tf.ones([3], dtype=tf.int32))
dlmigrate_observe("eye", tf.eye(3))
dlmigrate_observe("range", tf.range(5))
dlmigrate_observe("fill", tf.fill([2, 2], 0.5))
dlmigrate_observe("zeros_like", tf.zeros_like(tf.constant([[1, 2], [3, 4]])))
dlmigrate_observe("from_numpy", tf.constant(np.arange(6.0).reshape(2, 3)))
dlmigrate_observe("cast", tf.cast(tf.constant([1, 2, 3]), tf.float32) / 2.0)
