"""Sparse tensors: tf.SparseTensor, sparse_placeholder, sparse_tensor_to_dense, sparse_reduce_sum, sparse matmul."""
import numpy as np
import tensorflow as tf

tf.set_random_seed(28)

sparse = tf.SparseTensor(indices=[[0, 0], [1, 2], [2, 1]], values=[1.0, 2.0, 3.0], dense_shape=[3, 4])
dense = tf.sparse_tensor_to_dense(sparse)
row_sums = tf.sparse_reduce_sum(sparse, axis=1)
product = tf.sparse_tensor_dense_matmul(sparse, tf.ones([4, 2]))
fed = tf.sparse_placeholder(tf.float32)
fed_dense = tf.sparse_to_dense(sparse.indices, [3, 4], sparse.values)
fed_sum = tf.sparse_reduce_sum(fed)
transposed = tf.sparse_transpose(sparse)
merged = tf.sparse_add(sparse, sparse)

with tf.Session() as sess:
    print("dense", sess.run(dense).tolist())
    print("row sums", sess.run(row_sums).tolist())
    print("product", sess.run(product).tolist())
    print("sparse_to_dense", sess.run(fed_dense).tolist())
    value = tf.SparseTensorValue(indices=np.array([[0, 1], [1, 0]]), values=np.array([5.0, 6.0], np.float32),
                                 dense_shape=np.array([2, 2]))
    print("fed sum", sess.run(fed_sum, feed_dict={fed: value}))
    print("transposed shape", sess.run(transposed).dense_shape.tolist())
    print("added values", sess.run(merged).values.tolist())
