"""Spectral ops: rfft/irfft round trip, windows, framing."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(9)
signal = tf.constant(rng.standard_normal((2, 16)).astype(np.float32))

window = tf.signal.hann_window(16)
spectrum = tf.signal.rfft(signal * window)
dlmigrate_observe("power", tf.abs(spectrum))
dlmigrate_observe("roundtrip", tf.signal.irfft(spectrum))
dlmigrate_observe("frames", tf.signal.frame(signal, 4, 2))
dlmigrate_observe("hamming", tf.signal.hamming_window(8))
