"""Lambda layers with table-mapped TensorFlow ops: mean over time, a squared norm feature, a clipped residual."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(6, 4))
h = layers.Dense(8, activation="relu")(inputs)
pooled = layers.Lambda(lambda t: tf.reduce_mean(t, axis=1))(h)
energy = layers.Lambda(lambda t: tf.reduce_sum(tf.square(t), axis=-1, keepdims=True))(pooled)
features = layers.Concatenate()([pooled, energy])
clipped = layers.Lambda(lambda t: tf.clip_by_value(t, -1.0, 1.0) * 0.5)(features)
outputs = layers.Dense(2)(clipped)
model = keras.Model(inputs, outputs)
y = model(np.random.RandomState(0).standard_normal((3, 6, 4)).astype("float32"))
