"""A tiny GAN on 1-D Gaussian data: alternating discriminator and generator steps.

The discriminator is built twice with variable_scope(reuse=True); each optimizer
updates only its own network's variables (var_list from tf.trainable_variables).
"""
import numpy as np
import tensorflow as tf

np.random.seed(6)
tf.set_random_seed(6)

batch = 32
real_data = np.random.normal(4.0, 0.5, size=(512, 1)).astype(np.float32)


def generator(z):
    with tf.variable_scope("generator"):
        h = tf.layers.dense(z, 8, activation=tf.nn.relu, kernel_initializer=tf.random_normal_initializer(stddev=0.5, seed=1))
        return tf.layers.dense(h, 1, kernel_initializer=tf.random_normal_initializer(stddev=0.5, seed=2))


def discriminator(x, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        h = tf.layers.dense(x, 8, activation=tf.nn.tanh, kernel_initializer=tf.random_normal_initializer(stddev=0.5, seed=3))
        return tf.layers.dense(h, 1, kernel_initializer=tf.random_normal_initializer(stddev=0.5, seed=4))


z = tf.placeholder(tf.float32, [None, 1])
x = tf.placeholder(tf.float32, [None, 1])
fake = generator(z)
d_real = discriminator(x)
d_fake = discriminator(fake, reuse=True)

d_loss = tf.reduce_mean(
    tf.nn.sigmoid_cross_entropy_with_logits(logits=d_real, labels=tf.ones_like(d_real))
    + tf.nn.sigmoid_cross_entropy_with_logits(logits=d_fake, labels=tf.zeros_like(d_fake))
)
g_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=d_fake, labels=tf.ones_like(d_fake)))

d_vars = tf.trainable_variables(scope="discriminator")
g_vars = [v for v in tf.trainable_variables() if v.name.startswith("generator/")]
d_step = tf.train.AdamOptimizer(0.01).minimize(d_loss, var_list=d_vars)
g_step = tf.train.AdamOptimizer(0.01).minimize(g_loss, var_list=g_vars)

print("discriminator variables", [v.name for v in d_vars])
print("generator variables", [v.name for v in g_vars])
noise = np.random.uniform(-1.0, 1.0, size=(100, batch, 1)).astype(np.float32)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(100):
        real = real_data[(step * batch) % 512:(step * batch) % 512 + batch]
        dl, _ = sess.run([d_loss, d_step], feed_dict={x: real, z: noise[step]})
        gl, _ = sess.run([g_loss, g_step], feed_dict={z: noise[step]})
        if step % 25 == 0:
            print("step", step, "d_loss", round(float(dl), 4), "g_loss", round(float(gl), 4))
    samples = sess.run(fake, feed_dict={z: noise[0]})
    print("generated mean", round(float(samples.mean()), 3))
