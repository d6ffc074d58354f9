"""An SGD-with-momentum training loop that counts its steps in an integer tf.Variable (a counter, not a parameter)."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(5)
x = tf.constant(rng.standard_normal((32, 3)).astype(np.float32))
y = tf.constant(rng.standard_normal((32, 1)).astype(np.float32))
w = tf.Variable(np.zeros((3, 1), dtype=np.float32))
b = tf.Variable(0.0)
params = [w, b]
steps = tf.Variable(0)
optimizer = tf.keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)

for _ in range(6):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    grads = tape.gradient(loss, params)
    optimizer.apply_gradients(zip(grads, params))  # one SGD step
    steps.assign_add(1)

dlmigrate_observe("w", w.numpy())
dlmigrate_observe("b", b.numpy())
dlmigrate_observe("steps", steps.numpy())
