"""TensorBoard summaries: tf.summary.scalar/histogram, merge_all and a FileWriter in a temporary directory.

The event file is read back with tf.train.summary_iterator so the program prints what was logged.
"""
import glob
import os
import shutil
import tempfile

import numpy as np
import tensorflow as tf

np.random.seed(10)
tf.set_random_seed(10)
log_dir = tempfile.mkdtemp()
try:
    x = tf.placeholder(tf.float32, [None])
    w = tf.Variable(0.0, name="w")
    loss = tf.reduce_mean(tf.square(x * w - 3.0 * x))
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.name_scope("metrics"):
        tf.summary.scalar("loss", loss)
        tf.summary.histogram("inputs", x)
    tf.summary.scalar("w", w)
    merged = tf.summary.merge_all()

    data = np.random.rand(8).astype(np.float32)
    with tf.Session() as sess:
        writer = tf.summary.FileWriter(log_dir, sess.graph)
        sess.run(tf.global_variables_initializer())
        for step in range(5):
            # Two runs, not one: fetched together, the summary of `w` would race with its update.
            writer.add_summary(sess.run(merged, feed_dict={x: data}), step)
            sess.run(train_op, feed_dict={x: data})
        writer.close()

    events = glob.glob(os.path.join(log_dir, "events.out.tfevents.*"))
    print("event files", len(events))
    for event in tf.train.summary_iterator(events[0]):
        for value in event.summary.value:
            if value.HasField("simple_value"):
                print(event.step, value.tag, round(value.simple_value, 4))
            elif value.HasField("histo"):
                print(event.step, value.tag, "histogram of", int(value.histo.num), "values")
finally:
    shutil.rmtree(log_dir)
