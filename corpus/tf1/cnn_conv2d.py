"""A small convolutional network with tf.nn.conv2d and tf.nn.max_pool on 8x8 synthetic images."""
import numpy as np
import tensorflow as tf

np.random.seed(3)
tf.set_random_seed(3)

n_images, size, n_classes = 32, 8, 2
images = np.random.rand(n_images, size, size, 1).astype(np.float32)
labels = (images[:, :4, :, 0].mean(axis=(1, 2)) > images[:, 4:, :, 0].mean(axis=(1, 2))).astype(np.int64)


def weight_variable(shape, seed):
    return tf.Variable(tf.truncated_normal(shape, stddev=0.1, seed=seed))


def bias_variable(shape):
    return tf.Variable(tf.constant(0.1, shape=shape))


def conv2d(x, W):
    return tf.nn.conv2d(x, W, strides=[1, 1, 1, 1], padding="SAME")


def max_pool_2x2(x):
    return tf.nn.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")


x = tf.placeholder(tf.float32, [None, size, size, 1])
y = tf.placeholder(tf.int64, [None])

W_conv1 = weight_variable([3, 3, 1, 4], seed=1)
h_pool1 = max_pool_2x2(tf.nn.relu(conv2d(x, W_conv1) + bias_variable([4])))
W_conv2 = weight_variable([3, 3, 4, 8], seed=2)
h_pool2 = max_pool_2x2(tf.nn.relu(conv2d(h_pool1, W_conv2) + bias_variable([8])))
flat = tf.reshape(h_pool2, [-1, 2 * 2 * 8])
W_fc = weight_variable([2 * 2 * 8, n_classes], seed=3)
logits = tf.matmul(flat, W_fc) + bias_variable([n_classes])

loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
train_step = tf.train.AdamOptimizer(1e-2).minimize(loss)
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("pool1 shape", sess.run(h_pool1, feed_dict={x: images}).shape)
    print("pool2 shape", sess.run(h_pool2, feed_dict={x: images}).shape)
    for step in range(40):
        _, l = sess.run([train_step, loss], feed_dict={x: images, y: labels})
        if step % 10 == 0:
            print("step", step, "loss", round(float(l), 4))
    print("train accuracy", round(float(sess.run(accuracy, feed_dict={x: images, y: labels})), 4))
