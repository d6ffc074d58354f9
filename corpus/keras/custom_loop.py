"""A custom GradientTape training loop: the model converts; the tape/optimizer loop is left (TF ops remain)."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(8, activation="relu"), layers.Dense(1)])
optimizer = keras.optimizers.SGD(0.1)
rng = np.random.RandomState(0)
x = rng.standard_normal((16, 4)).astype("float32")
y = rng.standard_normal((16, 1)).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
grads = tape.gradient(loss, model.trainable_variables)
optimizer.apply_gradients(zip(grads, model.trainable_variables))
