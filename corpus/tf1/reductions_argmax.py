"""Reductions and arg-reductions with their TF1 keyword names: keep_dims, reduction_indices, dimension, dim."""
import numpy as np
import tensorflow as tf

np.random.seed(21)
tf.set_random_seed(21)

values = tf.constant(np.random.rand(3, 4).astype(np.float32))
ints = tf.constant([[1, 0, 3], [0, 0, 2]])

results = {
    "sum keep_dims": tf.reduce_sum(values, 1, keep_dims=True),
    "mean reduction_indices": tf.reduce_mean(values, reduction_indices=[0]),
    "max": tf.reduce_max(values, axis=1, keep_dims=True),
    "min": tf.reduce_min(values, reduction_indices=1),
    "prod": tf.reduce_prod(values, 0),
    "logsumexp": tf.reduce_logsumexp(values, 1, keep_dims=True),
    "any": tf.reduce_any(tf.greater(values, 0.9), reduction_indices=1),
    "all": tf.reduce_all(tf.greater(values, 0.01), 1),
    "count_nonzero": tf.count_nonzero(ints, axis=1, keep_dims=True),
    "argmax dimension": tf.argmax(values, dimension=1),
    "argmin dimension": tf.argmin(values, dimension=0),
    "arg_max": tf.arg_max(values, 1),
    "l2_normalize dim": tf.nn.l2_normalize(values, dim=0),
    "softmax dim": tf.nn.softmax(values, dim=0),
    "concat": tf.concat([ints, ints], 1),
    "split": tf.split(values, 2, axis=1)[0],
    "unsorted_segment_sum": tf.unsorted_segment_sum(values, [0, 1, 0], 2),
}

with tf.Session() as sess:
    for name, tensor in results.items():
        value = sess.run(tensor)
        print(name, value.shape, np.asarray(value, np.float64).round(4).tolist())
