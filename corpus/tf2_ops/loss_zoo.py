"""Losses: tf.nn cross-entropies (per example) and Keras loss functions (y_true first, probabilities by default)."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(3)
logits = tf.constant(rng.standard_normal((8, 5)).astype(np.float32))
labels = tf.constant(rng.integers(0, 5, 8).astype(np.int32))
onehot = tf.one_hot(labels, 5)
probs = tf.nn.softmax(logits)
targets = tf.constant(rng.standard_normal((8, 5)).astype(np.float32))
binary = tf.constant((rng.random((8, 5)) < 0.5).astype(np.float32))

dlmigrate_observe("softmax_ce", tf.nn.softmax_cross_entropy_with_logits(labels=onehot, logits=logits))
dlmigrate_observe("sparse_ce", tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
dlmigrate_observe("sigmoid_ce", tf.nn.sigmoid_cross_entropy_with_logits(labels=binary, logits=logits))
dlmigrate_observe("l2", tf.nn.l2_loss(targets))
dlmigrate_observe("cce", tf.keras.losses.categorical_crossentropy(onehot, probs))
dlmigrate_observe("cce_logits", tf.keras.losses.categorical_crossentropy(onehot, logits, from_logits=True))
dlmigrate_observe("scce", tf.keras.losses.sparse_categorical_crossentropy(labels, probs))
dlmigrate_observe("bce", tf.keras.losses.binary_crossentropy(binary, tf.sigmoid(logits)))
dlmigrate_observe("mse", tf.keras.losses.mse(targets, logits))
dlmigrate_observe("mae", tf.keras.losses.mae(targets, logits))
dlmigrate_observe("huber", tf.keras.losses.huber(targets, logits, delta=0.5))
target_probs = tf.nn.softmax(targets)
dlmigrate_observe("kld", tf.keras.losses.kld(probs, target_probs))
dlmigrate_observe("mean_ce", tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)))
