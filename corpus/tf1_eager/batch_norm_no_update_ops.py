"""tf.layers.batch_normalization trained WITHOUT running UPDATE_OPS (the classic bug), then evaluated with training=False.

The train op does not depend on the UPDATE_OPS collection, so the moving mean and variance
never move from their initial 0 and 1: evaluation with training=False normalizes with those.
"""
import numpy as np
import tensorflow as tf

np.random.seed(41)
tf.set_random_seed(41)

features = (np.random.randn(64, 4) * 2.0 + 3.0).astype(np.float32)
targets = (features @ np.array([[0.5], [-1.0], [0.25], [2.0]], dtype=np.float32)).astype(np.float32)

x = tf.placeholder(tf.float32, [None, 4])
y = tf.placeholder(tf.float32, [None, 1])
is_training = tf.placeholder_with_default(False, shape=[])

hidden = tf.layers.dense(x, 8, activation=tf.nn.relu, kernel_initializer=tf.glorot_uniform_initializer(seed=1))
normed = tf.layers.batch_normalization(hidden, training=is_training)
prediction = tf.layers.dense(normed, 1, kernel_initializer=tf.glorot_uniform_initializer(seed=2))
loss = tf.reduce_mean(tf.square(prediction - y))

train_op = tf.train.GradientDescentOptimizer(0.05).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(40):
        batch = slice((step * 16) % 64, (step * 16) % 64 + 16)
        _, value = sess.run([train_op, loss], feed_dict={x: features[batch], y: targets[batch], is_training: True})
        if step % 10 == 0:
            print("step", step, "loss", round(float(value), 4))
    print("eval loss", round(float(sess.run(loss, feed_dict={x: features, y: targets})), 4))
    print("eval prediction", np.asarray(sess.run(prediction, feed_dict={x: features[:4]}), np.float64).round(4).tolist())
