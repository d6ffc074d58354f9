"""Host APIs around a graph program: tf.app.flags, tf.logging, a ConfigProto and static shape `.value`.

Flags are defined with tf.app.flags and read through FLAGS (TF1 parses argv on the first attribute
access); tf.logging sets the verbosity and logs progress; the Session gets a ConfigProto; the layer
sizes come from static dimensions read with `.value` and `.as_list()`.
"""
import numpy as np
import tensorflow as tf

flags = tf.app.flags
flags.DEFINE_integer("steps", 12, "Training steps.")
flags.DEFINE_float("learning_rate", 0.3, "Learning rate of the gradient descent.")
flags.DEFINE_string("tag", "run", "Name printed with the results.")
flags.DEFINE_boolean("verbose", False, "Log every step.")
FLAGS = flags.FLAGS

tf.logging.set_verbosity(tf.logging.INFO)

np.random.seed(5)
tf.set_random_seed(5)
data = np.random.rand(8, 3).astype(np.float32)
target = data @ np.array([[1.0], [-2.0], [0.5]], np.float32)

x = tf.placeholder(tf.float32, [None, 3])
y = tf.placeholder(tf.float32, [None, 1])
features = x.shape[1].value
outputs = y.get_shape()[1].value
w = tf.Variable(tf.random_normal([features, outputs], stddev=0.5, seed=2), name="w")
b = tf.Variable(tf.zeros([outputs]), name="b")
pred = tf.matmul(x, w) + b
loss = tf.reduce_mean(tf.square(pred - y))
train = tf.train.GradientDescentOptimizer(FLAGS.learning_rate).minimize(loss)
print("shape", features, outputs, x.get_shape().as_list())

config = tf.ConfigProto(allow_soft_placement=True, log_device_placement=False,
                        intra_op_parallelism_threads=2, inter_op_parallelism_threads=2)
config.gpu_options.allow_growth = True

with tf.Session(config=config) as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(FLAGS.steps):
        _, current = sess.run([train, loss], feed_dict={x: data, y: target})
        if FLAGS.verbose:
            tf.logging.info("step %d loss %.5f", step, current)
        if step % 4 == 3:
            tf.logging.info("step %d", step)
            print(FLAGS.tag, "step", step, "loss", round(float(current), 5))
    print(FLAGS.tag, "w", np.asarray(sess.run(w), np.float64).round(4).ravel().tolist())
