"""Transformer encoder block: token + position embeddings, self-attention, residuals, LayerNorm, feed-forward."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

tokens = keras.Input(shape=(10,), dtype="int32")
positions = keras.Input(shape=(10,), dtype="int32")
x = layers.Embedding(50, 16)(tokens) + layers.Embedding(10, 16)(positions)
attended = layers.MultiHeadAttention(num_heads=4, key_dim=8)(x, x)
x = layers.LayerNormalization(epsilon=1e-6)(x + attended)
ff = layers.Dense(32, activation="relu")(x)
ff = layers.Dense(16)(ff)
x = layers.LayerNormalization(epsilon=1e-6)(x + ff)
pooled = layers.GlobalAveragePooling1D()(x)
outputs = layers.Dense(2, activation="softmax")(pooled)
model = keras.Model([tokens, positions], outputs)
rng = np.random.RandomState(0)
t = rng.randint(0, 50, size=(3, 10)).astype("int32")
p = np.tile(np.arange(10, dtype="int32"), (3, 1))
probs = model([t, p])
