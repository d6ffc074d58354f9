"""An LSTMCell over sequences of different lengths: outputs past each length are zero, the state stops there.

The cell has forget_bias=0.5 and a random-normal kernel; two inputs per step. Checks the gate layout, the
forget bias and dynamic_rnn's sequence_length handling of the Keras rewrite, value by value, while training.
"""
import numpy as np
import tensorflow as tf

np.random.seed(7)
tf.set_random_seed(7)

n_steps, n_inputs, n_units = 6, 2, 4
sequences = np.random.randn(5, n_steps, n_inputs).astype(np.float32)
lengths = np.array([6, 3, 1, 5, 2], dtype=np.int32)
targets = np.random.randn(5, n_units).astype(np.float32)

inputs = tf.placeholder(tf.float32, [None, n_steps, n_inputs])
seq_len = tf.placeholder(tf.int32, [None])
wanted = tf.placeholder(tf.float32, [None, n_units])

cell = tf.nn.rnn_cell.LSTMCell(n_units, forget_bias=0.5,
                               initializer=tf.random_normal_initializer(stddev=0.4, seed=3))
outputs, state = tf.nn.dynamic_rnn(cell, inputs, sequence_length=seq_len, dtype=tf.float32)
loss = tf.reduce_mean(tf.square(state.h - wanted)) + 0.1 * tf.reduce_mean(tf.square(outputs))
train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    out, st = sess.run([outputs, state], feed_dict={inputs: sequences, seq_len: lengths})
    print("zero past the length", bool(np.all(out[1, 3:] == 0.0)), bool(np.all(out[2, 1:] == 0.0)))
    print("h is the output at the last step", np.allclose(st.h[1], out[1, 2]), np.allclose(st.h[0], out[0, 5]))
    for step in range(15):
        _, value = sess.run([train, loss], feed_dict={inputs: sequences, seq_len: lengths, wanted: targets})
        if step % 5 == 0:
            print("step", step, "loss", round(float(value), 5))
    print("final state c", np.round(sess.run(state, feed_dict={inputs: sequences, seq_len: lengths}).c[0], 4).tolist())
