"""Cross-attention with MultiHeadAttention (query and value of different lengths and widths, value_dim != key_dim)."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

query = keras.Input(shape=(5, 8))
context = keras.Input(shape=(7, 6))
attended = layers.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3)(query, context)
outputs = layers.Dense(2)(attended)
model = keras.Model([query, context], outputs)
rng = np.random.RandomState(0)
y = model([rng.standard_normal((2, 5, 8)).astype("float32"), rng.standard_normal((2, 7, 6)).astype("float32")])
