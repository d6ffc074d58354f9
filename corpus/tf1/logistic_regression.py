"""Logistic regression on two synthetic Gaussian blobs, with a hand-written log loss."""
import numpy as np
import tensorflow as tf

np.random.seed(1)
tf.set_random_seed(1)

n = 200
features = np.concatenate([np.random.randn(n // 2, 2) + [1.5, 1.5], np.random.randn(n // 2, 2) - [1.5, 1.5]])
labels = np.concatenate([np.ones((n // 2, 1)), np.zeros((n // 2, 1))])
features, labels = features.astype(np.float32), labels.astype(np.float32)

x = tf.placeholder(tf.float32, [None, 2])
y = tf.placeholder(tf.float32, [None, 1])
W = tf.Variable(tf.zeros([2, 1]))
b = tf.Variable(tf.zeros([1]))

prob = tf.sigmoid(tf.matmul(x, W) + b)
eps = 1e-7
loss = -tf.reduce_mean(y * tf.log(prob + eps) + (1 - y) * tf.log(1 - prob + eps))
train_op = tf.train.AdamOptimizer(learning_rate=0.1).minimize(loss)
predicted = tf.to_float(tf.greater(prob, 0.5))
accuracy = tf.reduce_mean(tf.cast(tf.equal(predicted, y), tf.float32))

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(100):
        _, l = sess.run([train_op, loss], feed_dict={x: features, y: labels})
        if step % 25 == 0:
            print("step", step, "loss", round(float(l), 4))
    acc, w_val = sess.run([accuracy, W], feed_dict={x: features, y: labels})
    print("accuracy", round(float(acc), 4))
    print("weights", np.asarray(w_val, np.float64).round(3).ravel().tolist())
