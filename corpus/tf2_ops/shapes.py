"""Shape manipulation: reshape, transpose, concat, stack, split, tile, repeat, pad, squeeze."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(5)
x = tf.constant(rng.standard_normal((2, 3, 4)).astype(np.float32))

dlmigrate_observe("reshape", tf.reshape(x, [6, 4]))
dlmigrate_observe("transpose", tf.transpose(x))
dlmigrate_observe("permute", tf.transpose(x, perm=[0, 2, 1]))
dlmigrate_observe("concat", tf.concat([x, x], axis=1))
dlmigrate_observe("stack", tf.stack([x, x], axis=-1))
pieces = tf.split(x, 2, axis=2)
dlmigrate_observe("split_count", pieces)
dlmigrate_observe("split_sizes", tf.split(x, [1, 3], axis=2))
dlmigrate_observe("tile", tf.tile(x, [1, 2, 1]))
dlmigrate_observe("repeat", tf.repeat(x, 2, axis=0))
dlmigrate_observe("pad", tf.pad(x, [[0, 0], [1, 1], [2, 0]]))
dlmigrate_observe("squeeze", tf.squeeze(tf.expand_dims(x, 0), axis=0))
dlmigrate_observe("shape", tf.shape(x))
dlmigrate_observe("reverse", tf.reverse(x, [1]))
dlmigrate_observe("unstack", tf.unstack(x, axis=1))
