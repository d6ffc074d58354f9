"""Train and eval graphs sharing weights: one model function applied twice, to a training batch (dropout on)
and to an evaluation set of another size (dropout off), reading the same variables by Python reference.

The TF1 way without ``variable_scope(reuse=True)``: the variables are created once, at module level, and
both graphs read them, so each training run changes what the next evaluation run computes.  The training
dropout has no op seed: TF1 seeds it from the graph seed and the count of unseeded random ops before it.
"""
import numpy as np
import tensorflow as tf

np.random.seed(17)
tf.set_random_seed(17)

n_in, n_hidden, n_classes = 5, 12, 3
projection = np.random.rand(n_in, n_classes)
x_all = np.random.rand(96, n_in).astype(np.float32)
y_all = (x_all @ projection).argmax(axis=1).astype(np.int64)
x_train, y_train = x_all[:64], y_all[:64]
x_eval, y_eval = x_all[64:], y_all[64:]

params = {
    "w1": tf.Variable(tf.truncated_normal([n_in, n_hidden], stddev=0.5, seed=1), name="w1"),
    "b1": tf.Variable(tf.zeros([n_hidden]), name="b1"),
    "w2": tf.Variable(tf.truncated_normal([n_hidden, n_classes], stddev=0.5, seed=2), name="w2"),
    "b2": tf.Variable(tf.zeros([n_classes]), name="b2"),
}


def features(x):
    return tf.nn.relu(tf.matmul(x, params["w1"]) + params["b1"])


def classify(hidden):
    return tf.matmul(hidden, params["w2"]) + params["b2"]


# the training graph: a batch of 16, dropout on
train_x = tf.placeholder(tf.float32, [16, n_in])
train_y = tf.placeholder(tf.int64, [16])
train_logits = classify(tf.nn.dropout(features(train_x), keep_prob=0.75))
train_loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=train_y, logits=train_logits))
train_op = tf.train.MomentumOptimizer(0.2, momentum=0.8).minimize(train_loss)

# the evaluation graph: the whole held-out set, no dropout, the same variables
eval_x = tf.placeholder(tf.float32, [None, n_in])
eval_y = tf.placeholder(tf.int64, [None])
eval_logits = classify(features(eval_x))
eval_loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=eval_y, logits=eval_logits))
eval_accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(eval_logits, 1), eval_y), tf.float32))

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("before training: eval loss", round(float(sess.run(eval_loss, {eval_x: x_eval, eval_y: y_eval})), 5))
    for epoch in range(6):
        for start in range(0, 64, 16):
            _, loss = sess.run([train_op, train_loss], {train_x: x_train[start:start + 16],
                                                        train_y: y_train[start:start + 16]})
        el, acc = sess.run([eval_loss, eval_accuracy], {eval_x: x_eval, eval_y: y_eval})
        print("epoch", epoch, "train loss", round(float(loss), 5), "eval loss", round(float(el), 5),
              "eval accuracy", round(float(acc), 4))
    print("eval logits", np.asarray(sess.run(eval_logits, {eval_x: x_eval[:2]}), np.float64).round(4).tolist())
