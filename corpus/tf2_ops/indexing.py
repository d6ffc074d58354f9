"""Indexing-heavy code: gather, gather_nd, boolean_mask, where, scatter, one_hot, top_k."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(4)
table = tf.constant(rng.standard_normal((10, 4)).astype(np.float32))
ids = tf.constant(rng.integers(0, 10, (3, 2)).astype(np.int32))
coords = tf.constant(np.array([[0, 1], [3, 2], [9, 0]], dtype=np.int32))
values = tf.constant(rng.standard_normal(10).astype(np.float32))

dlmigrate_observe("gather", tf.gather(table, ids))
dlmigrate_observe("gather_axis1", tf.gather(table, tf.constant([3, 0], dtype=tf.int32), axis=1))
dlmigrate_observe("gather_nd", tf.gather_nd(table, coords))
dlmigrate_observe("mask", tf.boolean_mask(values, values > 0.0))
dlmigrate_observe("where1", tf.where(values > 0.5))
dlmigrate_observe("where3", tf.where(values > 0.0, values, tf.zeros_like(values)))
updates = tf.constant([1.0, 2.0, 3.0])
dlmigrate_observe("scatter", tf.scatter_nd(tf.constant([[1], [3], [1]]), updates, [5]))
dlmigrate_observe("onehot", tf.one_hot(tf.constant([0, 2, 1]), 4))
top = tf.math.top_k(values, k=3)
dlmigrate_observe("top_values", top[0])
dlmigrate_observe("top_indices", top[1])
dlmigrate_observe("embedding", tf.nn.embedding_lookup(table, ids))
