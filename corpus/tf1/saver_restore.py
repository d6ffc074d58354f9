"""Checkpoints: tf.train.Saver saves variables to a temporary directory and restores them in a new graph."""
import os
import shutil
import tempfile

import numpy as np
import tensorflow as tf

tf.set_random_seed(9)
checkpoint_dir = tempfile.mkdtemp()
try:
    v1 = tf.Variable(tf.random_normal([2, 2], seed=1), name="v1")
    v2 = tf.Variable(tf.zeros([3]), name="v2")
    update = tf.assign(v2, [1.0, 2.0, 3.0])
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(update)
        saved_v1 = sess.run(v1)
        path = saver.save(sess, os.path.join(checkpoint_dir, "model.ckpt"), global_step=7)
        print("saved to", os.path.basename(path))

    tf.reset_default_graph()
    tf.set_random_seed(9)
    r1 = tf.get_variable("v1", shape=[2, 2])
    r2 = tf.get_variable("v2", shape=[3])
    restorer = tf.train.Saver({"v1": r1, "v2": r2})
    with tf.Session() as sess:
        latest = tf.train.latest_checkpoint(checkpoint_dir)
        print("latest", os.path.basename(latest))
        restorer.restore(sess, latest)
        print("v1 restored", np.allclose(sess.run(r1), saved_v1))
        print("v2", sess.run(r2).tolist())
    reader = tf.train.NewCheckpointReader(latest)
    print("checkpoint shapes", sorted(reader.get_variable_to_shape_map().items()))
finally:
    shutil.rmtree(checkpoint_dir)
