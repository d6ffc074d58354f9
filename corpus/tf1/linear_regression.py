"""Linear regression: placeholders, Variables and gradient descent, fed with feed_dict.

Fits y = 2x + 0.5 on 50 noisy synthetic points (the classic TF1 example).
"""
import numpy as np
import tensorflow as tf

np.random.seed(0)
tf.set_random_seed(0)

learning_rate = 0.5
training_epochs = 200
train_X = np.linspace(0.0, 1.0, 50).astype(np.float32)
train_Y = (2.0 * train_X + 0.5 + np.random.normal(0.0, 0.05, size=50)).astype(np.float32)
n_samples = train_X.shape[0]

X = tf.placeholder(tf.float32, name="X")
Y = tf.placeholder(tf.float32, name="Y")
W = tf.Variable(tf.random_normal([1], seed=1), name="weight")
b = tf.Variable(tf.zeros([1]), name="bias")

pred = tf.add(tf.multiply(X, W), b)
cost = tf.reduce_sum(tf.pow(pred - Y, 2)) / (2 * n_samples)
optimizer = tf.train.GradientDescentOptimizer(learning_rate).minimize(cost)
init = tf.global_variables_initializer()

with tf.Session() as sess:
    sess.run(init)
    for epoch in range(training_epochs):
        sess.run(optimizer, feed_dict={X: train_X, Y: train_Y})
        if (epoch + 1) % 50 == 0:
            c = sess.run(cost, feed_dict={X: train_X, Y: train_Y})
            print("epoch", epoch + 1, "cost", round(float(c), 5))
    print("W =", np.asarray(sess.run(W), np.float64).round(4).tolist(), "b =", np.asarray(sess.run(b), np.float64).round(4).tolist())
    test_X = np.array([0.25, 2.0], dtype=np.float32)
    print("predictions =", np.asarray(sess.run(pred, feed_dict={X: test_X}), np.float64).round(4).tolist())
