"""Nearest-neighbour classification with an L1 distance, tf.arg_min and tf.to_int32."""
import numpy as np
import tensorflow as tf

np.random.seed(26)
tf.set_random_seed(26)

train = np.random.rand(50, 3).astype(np.float32)
train_labels = (train.sum(axis=1) > 1.5).astype(np.int32)
test = np.random.rand(10, 3).astype(np.float32)
test_labels = (test.sum(axis=1) > 1.5).astype(np.int32)

xtr = tf.placeholder("float", [None, 3])
xte = tf.placeholder("float", [3])
distance = tf.reduce_sum(tf.abs(tf.add(xtr, tf.negative(xte))), reduction_indices=1)
nearest = tf.arg_min(distance, 0)
label_of = tf.gather(tf.constant(train_labels), tf.to_int32(nearest))

with tf.Session() as sess:
    correct = 0
    for i in range(len(test)):
        index, label = sess.run([nearest, label_of], feed_dict={xtr: train, xte: test[i]})
        correct += int(label == test_labels[i])
        print("test", i, "nearest", index, "label", label, "true", test_labels[i])
    print("accuracy", correct / len(test))
