"""Activations from tf.nn and tf.keras.activations, with TF defaults that differ from torch's."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(6)
x = tf.constant(rng.uniform(-4.0, 4.0, (3, 4, 5)).astype(np.float32))

dlmigrate_observe("softmax", tf.nn.softmax(x))
dlmigrate_observe("log_softmax", tf.nn.log_softmax(x, axis=1))
dlmigrate_observe("relu", tf.nn.relu(x))
dlmigrate_observe("relu6", tf.nn.relu6(x))
dlmigrate_observe("leaky", tf.nn.leaky_relu(x))
dlmigrate_observe("elu", tf.nn.elu(x))
dlmigrate_observe("selu", tf.nn.selu(x))
dlmigrate_observe("gelu", tf.nn.gelu(x))
dlmigrate_observe("softplus", tf.nn.softplus(x))
dlmigrate_observe("silu", tf.nn.silu(x))
dlmigrate_observe("k_softmax", tf.keras.activations.softmax(x))
