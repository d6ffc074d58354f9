"""A dense autoencoder (16 -> 4 -> 16) trained with RMSProp on low-rank synthetic data."""
import numpy as np
import tensorflow as tf

np.random.seed(5)
tf.set_random_seed(5)

n_input, n_hidden = 16, 4
basis = np.random.rand(3, n_input)
data = (np.random.rand(64, 3) @ basis / 3.0).astype(np.float32)

X = tf.placeholder("float", [None, n_input])
weights = {
    "encoder": tf.Variable(tf.random_normal([n_input, n_hidden], stddev=0.3, seed=1)),
    "decoder": tf.Variable(tf.random_normal([n_hidden, n_input], stddev=0.3, seed=2)),
}
biases = {
    "encoder": tf.Variable(tf.zeros([n_hidden])),
    "decoder": tf.Variable(tf.zeros([n_input])),
}


def encoder(x):
    return tf.nn.sigmoid(tf.add(tf.matmul(x, weights["encoder"]), biases["encoder"]))


def decoder(code):
    return tf.nn.sigmoid(tf.add(tf.matmul(code, weights["decoder"]), biases["decoder"]))


code = encoder(X)
reconstruction = decoder(code)
loss = tf.reduce_mean(tf.pow(X - reconstruction, 2))
optimizer = tf.train.RMSPropOptimizer(0.05).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(150):
        _, l = sess.run([optimizer, loss], feed_dict={X: data})
        if step % 50 == 0:
            print("step", step, "loss", round(float(l), 5))
    codes = sess.run(code, feed_dict={X: data[:3]})
    print("code shape", codes.shape)
    print("codes", np.asarray(codes, np.float64).round(3).tolist())
    print("final loss", round(float(sess.run(loss, feed_dict={X: data})), 5))
