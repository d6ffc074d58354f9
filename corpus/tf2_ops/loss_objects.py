"""Keras loss OBJECTS built once and called as loss(y_true, y_pred), with their reductions."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(8)
logits = tf.constant(rng.standard_normal((8, 5)).astype(np.float32))
labels = tf.constant(rng.integers(0, 5, 8).astype(np.int32))
onehot = tf.one_hot(labels, 5)
probs = tf.nn.softmax(logits)
binary = tf.constant((rng.random((8, 5)) < 0.5).astype(np.float32))
targets = tf.constant(rng.standard_normal((8, 5)).astype(np.float32))

bce = tf.keras.losses.BinaryCrossentropy(from_logits=True)
cce = tf.keras.losses.CategoricalCrossentropy()
scce = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum")
huber = tf.keras.losses.Huber(delta=0.5, reduction=None)
mse = tf.keras.losses.MeanSquaredError()
focal = tf.keras.losses.BinaryFocalCrossentropy(gamma=1.5)
dlmigrate_observe("bce", bce(binary, logits))
dlmigrate_observe("cce", cce(onehot, probs))
dlmigrate_observe("scce", scce(labels, logits))
dlmigrate_observe("huber", huber(targets, logits))
dlmigrate_observe("mse", mse(targets, logits))
dlmigrate_observe("focal", focal(binary, tf.sigmoid(logits)))
dlmigrate_observe("kld", tf.keras.losses.KLDivergence()(onehot, probs))
