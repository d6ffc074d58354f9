"""Summaries over training steps: scalar and histogram summaries written with a FileWriter, then read back.

The event file is parsed record by record and every logged tag, step and value is printed.
"""
import glob
import os
import shutil
import tempfile

import numpy as np
import tensorflow as tf

np.random.seed(21)
tf.set_random_seed(21)
log_dir = tempfile.mkdtemp()
try:
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.placeholder(tf.float32, [None, 1])
    kernel = tf.Variable(tf.truncated_normal([4, 1], stddev=0.5, seed=2), name="kernel")
    prediction = tf.matmul(x, kernel)
    error = tf.reduce_mean(tf.square(prediction - y))
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(error)
    tf.summary.scalar("error", error)
    tf.summary.scalar("kernel_norm", tf.norm(kernel))
    with tf.name_scope("weights"):
        tf.summary.histogram("kernel", kernel)
        tf.summary.histogram("prediction", prediction)
    merged = tf.summary.merge_all()

    inputs = np.random.rand(32, 4).astype(np.float32)
    labels = inputs @ np.array([[1.0], [-2.0], [0.5], [3.0]], dtype=np.float32)
    writer = tf.summary.FileWriter(log_dir)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(0, 30, 3):
            summary = sess.run(merged, feed_dict={x: inputs, y: labels})
            writer.add_summary(summary, step)
            sess.run(train_op, feed_dict={x: inputs, y: labels})
        writer.flush()
    writer.close()

    for path in sorted(glob.glob(os.path.join(log_dir, "events.out.tfevents.*"))):
        for event in tf.train.summary_iterator(path):
            for value in event.summary.value:
                if value.HasField("simple_value"):
                    print(event.step, value.tag, "scalar", round(value.simple_value, 5))
                elif value.HasField("histo"):
                    histo = value.histo
                    print(event.step, value.tag, "histogram", int(histo.num), round(histo.min, 4),
                          round(histo.max, 4), round(histo.sum, 4))
finally:
    shutil.rmtree(log_dir)
