"""Element-wise math on seeded inputs."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(1)
a = tf.constant(rng.uniform(0.1, 3.0, (4, 5)).astype(np.float32))
b = tf.constant(rng.standard_normal((4, 5)).astype(np.float32))

dlmigrate_observe("log", tf.math.log(a))
dlmigrate_observe("sqrt", tf.sqrt(a))
dlmigrate_observe("rsqrt", tf.math.rsqrt(a))
dlmigrate_observe("exp", tf.exp(b))
dlmigrate_observe("tanh", tf.tanh(b))
dlmigrate_observe("sigmoid", tf.sigmoid(b))
dlmigrate_observe("abs", tf.abs(b))
dlmigrate_observe("maximum", tf.maximum(a, b))
dlmigrate_observe("pow", tf.pow(a, 1.5))
dlmigrate_observe("sqdiff", tf.math.squared_difference(a, b))
dlmigrate_observe("erf", tf.math.erf(b))
dlmigrate_observe("log1p", tf.math.log1p(a))
dlmigrate_observe("round", tf.round(b * 4.0))
