"""DCGAN-style generator and discriminator in one file (two models)."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

LATENT = 16


def build_generator():
    return keras.Sequential([
        keras.Input(shape=(LATENT,)),
        layers.Dense(7 * 7 * 8, use_bias=False),
        layers.BatchNormalization(),
        layers.LeakyReLU(),
        layers.Reshape((7, 7, 8)),
        layers.Conv2DTranspose(8, 4, strides=2, padding="same", use_bias=False),
        layers.BatchNormalization(),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
    ], name="generator")


def build_discriminator():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(8, 4, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Dropout(0.3),
        layers.Conv2D(16, 4, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Flatten(),
        layers.Dense(1),
    ], name="discriminator")


generator = build_generator()
discriminator = build_discriminator()
z = np.random.RandomState(0).standard_normal((2, LATENT)).astype("float32")
fake = generator(z, training=False)
verdict = discriminator(fake, training=False)
