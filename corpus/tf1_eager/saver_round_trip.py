"""Checkpoints in one Session: train a few steps, save with tf.train.Saver, perturb the variables, restore them.

The restored values must equal the saved ones; the checkpoint's name map is read back.
"""
import os
import shutil
import tempfile

import numpy as np
import tensorflow as tf

np.random.seed(3)
tf.set_random_seed(3)
checkpoint_dir = tempfile.mkdtemp()
try:
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None, 1])
    w = tf.Variable(tf.random_normal([3, 1], seed=4), name="weights")
    b = tf.Variable(tf.zeros([1]), name="bias")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    train_op = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
    perturb = tf.assign_add(w, tf.ones([3, 1]))
    saver = tf.train.Saver()

    features = np.random.rand(16, 3).astype(np.float32)
    targets = features.sum(axis=1, keepdims=True) * 2.0 - 1.0
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(5):
            _, value = sess.run([train_op, loss], feed_dict={x: features, y: targets})
            print("step", step, "loss", round(float(value), 5))
        saved_w, saved_b = sess.run([w, b])
        path = saver.save(sess, os.path.join(checkpoint_dir, "model.ckpt"), global_step=5)
        print("saved to", os.path.basename(path))
        perturbed = sess.run(perturb)
        print("perturbed by", round(float(np.abs(perturbed - saved_w).max()), 4))
        latest = tf.train.latest_checkpoint(checkpoint_dir)
        print("latest", os.path.basename(latest))
        saver.restore(sess, latest)
        restored_w, restored_b = sess.run([w, b])
        print("restored equal", np.array_equal(restored_w, saved_w), np.array_equal(restored_b, saved_b))
        print("loss after restore", round(float(sess.run(loss, feed_dict={x: features, y: targets})), 5))
    reader = tf.train.NewCheckpointReader(latest)
    print("checkpoint names", sorted(reader.get_variable_to_shape_map().items()))
finally:
    shutil.rmtree(checkpoint_dir)
