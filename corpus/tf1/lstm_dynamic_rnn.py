"""An LSTM over synthetic sequences with tf.nn.dynamic_rnn: predict the sum of each sequence."""
import numpy as np
import tensorflow as tf

np.random.seed(4)
tf.set_random_seed(4)

batch_size, n_steps, n_inputs, n_units = 16, 5, 1, 8
sequences = np.random.rand(batch_size, n_steps, n_inputs).astype(np.float32)
targets = sequences.sum(axis=1)
lengths = np.full([batch_size], n_steps, dtype=np.int32)

inputs = tf.placeholder(tf.float32, [None, n_steps, n_inputs])
y = tf.placeholder(tf.float32, [None, 1])
seq_len = tf.placeholder(tf.int32, [None])

cell = tf.nn.rnn_cell.LSTMCell(n_units, initializer=tf.glorot_uniform_initializer(seed=1))
outputs, state = tf.nn.dynamic_rnn(cell, inputs, sequence_length=seq_len, dtype=tf.float32)
last = state.h
W = tf.Variable(tf.random_normal([n_units, 1], stddev=0.1, seed=2))
b = tf.Variable(tf.zeros([1]))
prediction = tf.matmul(last, W) + b
loss = tf.reduce_mean(tf.square(prediction - y))
train_op = tf.train.AdamOptimizer(0.05).minimize(loss)

feed = {inputs: sequences, y: targets, seq_len: lengths}
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    out_val, state_val = sess.run([outputs, state], feed_dict=feed)
    print("outputs shape", out_val.shape, "c shape", state_val.c.shape, "h shape", state_val.h.shape)
    for step in range(60):
        _, l = sess.run([train_op, loss], feed_dict=feed)
        if step % 20 == 0:
            print("step", step, "loss", round(float(l), 4))
    print("final loss", round(float(sess.run(loss, feed_dict=feed)), 4))
