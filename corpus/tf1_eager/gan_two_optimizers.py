"""A GAN with explicit variables: alternating discriminator and generator runs (partial runs of one graph).

Trap 4 of the migration guide: each `sess.run` executes only part of the graph. Two Adam
optimizers update disjoint `var_list`s; an evaluation tensor shares the generator's weights.
"""
import numpy as np
import tensorflow as tf

np.random.seed(8)
tf.set_random_seed(8)

z = tf.placeholder(tf.float32, [None, 2], name="z")
x = tf.placeholder(tf.float32, [None, 1], name="x")
g_w = tf.Variable(tf.random_normal([2, 1], stddev=0.5, seed=1), name="g_w")
g_b = tf.Variable(tf.zeros([1]), name="g_b")
d_w = tf.Variable(tf.random_normal([1, 4], stddev=0.5, seed=2), name="d_w")
d_b = tf.Variable(tf.zeros([4]), name="d_b")
d_out = tf.Variable(tf.random_normal([4, 1], stddev=0.5, seed=3), name="d_out")


def discriminate(samples):
    return tf.matmul(tf.nn.tanh(tf.matmul(samples, d_w) + d_b), d_out)


fake = tf.matmul(z, g_w) + g_b
d_real = discriminate(x)
d_fake = discriminate(fake)
d_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=d_real, labels=tf.ones_like(d_real))
                        + tf.nn.sigmoid_cross_entropy_with_logits(logits=d_fake, labels=tf.zeros_like(d_fake)))
g_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=d_fake, labels=tf.ones_like(d_fake)))
d_step = tf.train.AdamOptimizer(0.02, beta1=0.5).minimize(d_loss, var_list=[d_w, d_b, d_out])
g_step = tf.train.AdamOptimizer(0.02, beta1=0.5).minimize(g_loss, var_list=[g_w, g_b])
fake_mean = tf.reduce_mean(fake)  # evaluation: reads the generator's current weights

real = np.random.normal(3.0, 0.5, size=(120, 32, 1)).astype(np.float32)
noise = np.random.uniform(-1.0, 1.0, size=(120, 32, 2)).astype(np.float32)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(120):
        dl, _ = sess.run([d_loss, d_step], feed_dict={x: real[step], z: noise[step]})
        gl, _ = sess.run([g_loss, g_step], feed_dict={z: noise[step]})
        if step % 30 == 0:
            print("step", step, "d_loss", round(float(dl), 4), "g_loss", round(float(gl), 4))
    print("generated mean", round(float(sess.run(fake_mean, feed_dict={z: noise[0]})), 3))
