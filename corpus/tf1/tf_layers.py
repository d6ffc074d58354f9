"""tf.layers: conv2d, max_pooling2d, batch_normalization, dropout and dense, with UPDATE_OPS for batch norm."""
import numpy as np
import tensorflow as tf

np.random.seed(12)
tf.set_random_seed(12)

images = np.random.rand(16, 6, 6, 1).astype(np.float32)
labels = (images.mean(axis=(1, 2, 3)) > 0.5).astype(np.int32)

x = tf.placeholder(tf.float32, [None, 6, 6, 1])
y = tf.placeholder(tf.int32, [None])
training = tf.placeholder_with_default(False, shape=[])

init = tf.glorot_uniform_initializer(seed=1)
conv = tf.layers.conv2d(x, filters=4, kernel_size=3, padding="same", activation=tf.nn.relu, kernel_initializer=init)
pool = tf.layers.max_pooling2d(conv, pool_size=2, strides=2)
normed = tf.layers.batch_normalization(pool, training=training)
flat = tf.layers.flatten(normed)
dropped = tf.layers.dropout(flat, rate=0.25, training=training, seed=2)
logits = tf.layers.dense(dropped, 2, kernel_initializer=tf.glorot_uniform_initializer(seed=3))

loss = tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with tf.control_dependencies(update_ops):
    train_op = tf.train.AdamOptimizer(0.01).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("shapes", [tuple(t.get_shape().as_list()) for t in (conv, pool, flat, logits)])
    print("batch norm update ops", len(update_ops))
    for step in range(30):
        _, l = sess.run([train_op, loss], feed_dict={x: images, y: labels, training: True})
        if step % 10 == 0:
            print("step", step, "loss", round(float(l), 4))
    print("eval loss", round(float(sess.run(loss, feed_dict={x: images, y: labels})), 4))
    print("trainable", len(tf.trainable_variables()), "global", len(tf.global_variables()))
