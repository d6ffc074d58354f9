"""Classifier trained with fit(): SGD with momentum, sparse categorical cross-entropy from logits, accuracy."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(8,)),
    layers.Dense(12, activation="relu"),
    layers.Dense(3),
])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
rng = np.random.RandomState(1)
x = rng.standard_normal((24, 8)).astype("float32")
y = rng.randint(0, 3, size=(24,))
model.fit(x, y, epochs=3, batch_size=6, shuffle=False, verbose=0)
loss, acc = model.evaluate(x, y, verbose=0)
