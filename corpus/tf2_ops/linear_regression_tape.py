"""Linear regression trained with a GradientTape loop and Keras Adam (op-level TF2)."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)
features = rng.standard_normal((64, 3)).astype(np.float32)
targets = (features @ np.array([[1.5], [-2.0], [0.5]], dtype=np.float32) + 0.3).astype(np.float32)

x = tf.constant(features)
y = tf.constant(targets)
w = tf.Variable(np.zeros((3, 1), dtype=np.float32))
b = tf.Variable(np.zeros((1,), dtype=np.float32))
params = [w, b]
optimizer = tf.keras.optimizers.Adam(learning_rate=0.1)


@tf.function
def predict(inputs):
    return tf.matmul(inputs, w) + b


for step in range(50):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(predict(x) - y))
    grads = tape.gradient(loss, params)
    optimizer.apply_gradients(zip(grads, params))

dlmigrate_observe("loss", loss)
dlmigrate_observe("w", w.numpy())
dlmigrate_observe("b", b.numpy())
