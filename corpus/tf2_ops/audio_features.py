"""Audio features: STFT (no centre padding, periodic Hann, power-of-two FFT), HTK mel filterbank, MFCCs, DCT, MDCT,
and the overlap-add resynthesis of inverse_stft (float64: float32 rounding of squared spectra exceeds rtol 1e-5)."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(11)
signal = tf.constant(rng.standard_normal((2, 400)))

spectrum = tf.signal.stft(signal, 64, 16)
power = tf.math.square(tf.math.abs(spectrum))
mel_matrix = tf.signal.linear_to_mel_weight_matrix(24, 33, 16000, 40.0, 7600.0, dtype=tf.float64)
mel = tf.linalg.matmul(power, mel_matrix)
log_mel = tf.math.log(mel + 1e-6)
mfcc = tf.signal.mfccs_from_log_mel_spectrograms(log_mel)
dlmigrate_observe("mel", mel)
dlmigrate_observe("mfcc", mfcc)
dlmigrate_observe("dct_ortho", tf.signal.dct(log_mel, type=2, norm="ortho"))
dlmigrate_observe("idct3", tf.signal.idct(log_mel, type=3))
dlmigrate_observe("resynthesis", tf.signal.inverse_stft(spectrum, 64, 16))
dlmigrate_observe("padded_stft", tf.signal.stft(signal, 50, 20, fft_length=64, pad_end=True))
dlmigrate_observe("mdct", tf.signal.mdct(signal, 32))
frames = tf.signal.frame(signal, 40, 10)
dlmigrate_observe("overlap_add", tf.signal.overlap_and_add(frames, 10))
dlmigrate_observe("kbd", tf.signal.kaiser_bessel_derived_window(32))
