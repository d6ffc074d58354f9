"""Names imported from tensorflow directly: `from tensorflow import nn` and friends next to `import tensorflow as tf`."""
import numpy as np
import tensorflow as tf
from tensorflow import nn
from tensorflow import placeholder, Session

np.random.seed(16)
tf.set_random_seed(16)

inputs = np.random.rand(5, 4).astype(np.float32)
x = placeholder(tf.float32, [None, 4])
keep = placeholder(tf.float32, [])
w = tf.Variable(tf.random_uniform([4, 3], -0.1, 1.0, seed=1))
hidden = nn.relu(tf.matmul(x, w))
dropped = nn.dropout(hidden, keep_prob=keep, seed=2)
probs = nn.softmax(dropped)
log_probs = nn.log_softmax(hidden, dim=1)
top = nn.top_k(hidden, k=2)

with Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("probs", np.asarray(sess.run(probs, feed_dict={x: inputs, keep: 1.0}), np.float64).round(4).tolist())
    print("dropped", np.asarray(sess.run(dropped, feed_dict={x: inputs, keep: 0.5}), np.float64).round(4).tolist())
    print("log_softmax", np.asarray(sess.run(log_probs, feed_dict={x: inputs[:1]}), np.float64).round(4).tolist())
    values, indices = sess.run(top, feed_dict={x: inputs[:2]})
    print("top_k", np.asarray(values, np.float64).round(4).tolist(), indices.tolist())
