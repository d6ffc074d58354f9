"""Logistic regression with sparse softmax cross-entropy, trained by a GradientTape loop and Keras SGD."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(10)
features = rng.standard_normal((32, 4)).astype(np.float32)
labels_np = (features[:, 0] + features[:, 1] > 0).astype(np.int32) + (features[:, 2] > 1).astype(np.int32)

x = tf.constant(features)
labels = tf.constant(labels_np)
w = tf.Variable(np.zeros((4, 3), dtype=np.float32))
b = tf.Variable(np.zeros((3,), dtype=np.float32))
params = [w, b]
opt = tf.keras.optimizers.SGD(learning_rate=0.5)

for step in range(30):
    with tf.GradientTape() as tape:
        logits = tf.matmul(x, w) + b
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    grads = tape.gradient(loss, params)
    opt.apply_gradients(zip(grads, params))

accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, axis=1, output_type=tf.int32), labels), tf.float32))
dlmigrate_observe("loss", loss)
dlmigrate_observe("accuracy", accuracy)
dlmigrate_observe("w", w.numpy())
