"""MultiHeadAttention: not translated yet, reported (TT2002) and left as Keras."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(5, 8))
attended = layers.MultiHeadAttention(num_heads=2, key_dim=4)(inputs, inputs)
outputs = layers.Dense(2)(attended)
model = keras.Model(inputs, outputs)
y = model(np.random.RandomState(0).standard_normal((2, 5, 8)).astype("float32"))
