"""The model module of a two-file TF1 program (train.py runs it): graph-building functions only."""
import tensorflow as tf


def make_weights(n_in, n_out, seed):
    return tf.Variable(tf.random_normal([n_in, n_out], stddev=0.3, seed=seed))


def dense(inputs, weights, bias):
    return tf.nn.relu(tf.matmul(inputs, weights) + bias)
