"""A two-layer perceptron with softmax cross-entropy on three synthetic classes."""
import numpy as np
import tensorflow as tf

np.random.seed(2)
tf.set_random_seed(2)

n_per_class, n_classes, n_features, n_hidden = 60, 3, 4, 16
centers = np.random.randn(n_classes, n_features) * 3
data = np.concatenate([centers[k] + np.random.randn(n_per_class, n_features) for k in range(n_classes)])
targets = np.repeat(np.arange(n_classes), n_per_class)
one_hot = np.eye(n_classes)[targets]
data, one_hot = data.astype(np.float32), one_hot.astype(np.float32)

x = tf.placeholder(tf.float32, [None, n_features])
y = tf.placeholder(tf.float32, [None, n_classes])

weights = {
    "h1": tf.Variable(tf.random_normal([n_features, n_hidden], stddev=0.1, seed=1)),
    "out": tf.Variable(tf.truncated_normal([n_hidden, n_classes], stddev=0.1, seed=2)),
}
biases = {"h1": tf.Variable(tf.zeros([n_hidden])), "out": tf.Variable(tf.zeros([n_classes]))}

hidden = tf.nn.relu(tf.add(tf.matmul(x, weights["h1"]), biases["h1"]))
logits = tf.matmul(hidden, weights["out"]) + biases["out"]
cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(cost)

correct = tf.equal(tf.argmax(logits, dimension=1), tf.argmax(y, 1))
accuracy = tf.reduce_mean(tf.cast(correct, "float"))
probabilities = tf.nn.softmax(logits)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(60):
        _, c = sess.run([train_op, cost], feed_dict={x: data, y: one_hot})
        if epoch % 20 == 0:
            print("epoch", epoch, "cost", round(float(c), 4))
    print("accuracy", round(float(sess.run(accuracy, feed_dict={x: data, y: one_hot})), 4))
    print("first probabilities", np.asarray(sess.run(probabilities, feed_dict={x: data[:2]}), np.float64).round(3).tolist())
