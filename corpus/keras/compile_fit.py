"""A compile/fit/evaluate script: Adam with Keras defaults, MSE, fixed batch order (shuffle=False)."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(10,)),
    layers.Dense(16, activation="relu"),
    layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")
rng = np.random.RandomState(0)
x = rng.standard_normal((32, 10)).astype("float32")
y = rng.standard_normal((32, 1)).astype("float32")
model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
mse = model.evaluate(x, y, verbose=0)
pred = model.predict(x[:4], verbose=0)
