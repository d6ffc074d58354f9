"""fit/evaluate on a tf.data pipeline (from_tensor_slices + batch): Adam(learning_rate=0.01), binary cross-entropy, accuracy."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

rng = np.random.RandomState(0)
x = rng.standard_normal((40, 6)).astype("float32")
y = (x[:, :1] > 0).astype("float32")
train = tf.data.Dataset.from_tensor_slices((x, y)).batch(10)
model = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(8, activation="tanh"), layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy", metrics=["accuracy"])
model.fit(train, epochs=2, verbose=0)
loss, acc = model.evaluate(train, verbose=0)
