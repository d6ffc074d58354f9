"""Measure whether each TF1 ``tf.train`` optimizer's steps are reproduced in eager TF2.

For every optimizer configuration below, the same small problem (a 2-layer tanh regression, fixed data,
fixed initial values) is trained ``--steps`` times by

* the TF1 optimizer (``tf.compat.v1.train.*``, in a ``tf.Graph`` run by a ``Session``): the reference;
* the Keras 3 optimizer the eager rewrite maps it to (``rules/tf2_eager/TF4001_eager-program.toml``
  ``[entries.optimizers]``), built with the same hyper-parameters;
* for RMSProp and ProximalGradientDescent, the explicit update the rewrite emits (``migrate/tf2_eager/optimizers.py``): the TF1
  kernel's formula with slots owned by the step, mean-square slot starting at 1.0.

It prints the largest absolute difference of the trained weights from the TF1 ones (and relative to their
magnitude).  Used to decide which optimizers the rewrite maps to Keras, which it writes out, and which it
refuses; the numbers measured on TF 2.21 / Keras 3 are quoted in the rule's explanation.

    python scripts/tf1_optimizer_parity.py [--steps 50]
"""
from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import tensorflow as tf

v1 = tf.compat.v1
rng = np.random.default_rng(0)
X = rng.normal(size=(16, 3)).astype(np.float32)
Y = np.sin(X @ rng.normal(size=(3, 1))).astype(np.float32)
W1 = (rng.normal(size=(3, 4)) * 0.5).astype(np.float32)
W2 = (rng.normal(size=(4, 1)) * 0.5).astype(np.float32)


def loss_of(w1, w2):
    return tf.reduce_mean(tf.square(tf.matmul(tf.tanh(tf.matmul(X, w1)), w2) - Y))


def tf1_run(make, steps):
    with tf.Graph().as_default():
        w1, w2 = v1.Variable(W1), v1.Variable(W2)
        train = make().minimize(loss_of(w1, w2))
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            for _ in range(steps):
                sess.run(train)
            return sess.run([w1, w2])


def keras_run(make, steps):
    w1, w2 = tf.Variable(W1), tf.Variable(W2)
    optimizer = make()
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = loss_of(w1, w2)
        grads = tape.gradient(loss, [w1, w2])
        optimizer.apply_gradients(zip(grads, [w1, w2]))
    return [w1.numpy(), w2.numpy()]


def rmsprop_explicit_run(lr, decay, momentum, epsilon, centered, steps):
    """The update the rewrite writes out (the TF1 ``ApplyRMSProp``/``ApplyCenteredRMSProp`` kernel)."""
    w1, w2 = tf.Variable(W1), tf.Variable(W2)
    variables = [w1, w2]
    ms = [tf.Variable(tf.ones_like(v)) for v in variables]
    mom = [tf.Variable(tf.zeros_like(v)) for v in variables]
    mg = [tf.Variable(tf.zeros_like(v)) for v in variables]
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = loss_of(w1, w2)
        grads = tape.gradient(loss, variables)
        for v, g, m_s, m_o, m_g in zip(variables, grads, ms, mom, mg):
            m_s.assign_add((tf.square(g) - m_s) * (1.0 - decay))
            denominator = m_s
            if centered:
                m_g.assign_add((g - m_g) * (1.0 - decay))
                denominator = m_s - tf.square(m_g)
            m_o.assign(m_o * momentum + g * lr / tf.sqrt(denominator + epsilon))
            v.assign_sub(m_o)
    return [w1.numpy(), w2.numpy()]


def proximal_explicit_run(lr, l1, l2, steps):
    """The update the rewrite writes out (the TF1 ``ApplyProximalGradientDescent`` kernel)."""
    w1, w2 = tf.Variable(W1), tf.Variable(W2)
    variables = [w1, w2]
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = loss_of(w1, w2)
        grads = tape.gradient(loss, variables)
        for v, g in zip(variables, grads):
            proximal = v - g * lr
            if l1 > 0:
                proximal = tf.sign(proximal) * tf.maximum(tf.abs(proximal) - lr * l1, 0.0)
            v.assign(proximal / (1.0 + lr * l2))
    return [w1.numpy(), w2.numpy()]


def diff(a, b):
    absolute = max(float(np.max(np.abs(x - y))) for x, y in zip(a, b))
    scale = max(float(np.max(np.abs(x))) for x in a)
    return absolute, absolute / scale


K = tf.keras.optimizers
CASES = [
    ("GradientDescent(0.1)", lambda: v1.train.GradientDescentOptimizer(0.1), lambda: K.SGD(learning_rate=0.1)),
    ("Momentum(0.05, 0.9)", lambda: v1.train.MomentumOptimizer(0.05, 0.9),
     lambda: K.SGD(learning_rate=0.05, momentum=0.9)),
    ("Momentum(0.05, 0.9, use_nesterov)", lambda: v1.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True),
     lambda: K.SGD(learning_rate=0.05, momentum=0.9, nesterov=True)),
    ("Adagrad(0.5)", lambda: v1.train.AdagradOptimizer(0.5),
     lambda: K.Adagrad(learning_rate=0.5, initial_accumulator_value=0.1, epsilon=0.0)),
    ("Adagrad(0.5) -> Keras defaults", lambda: v1.train.AdagradOptimizer(0.5), lambda: K.Adagrad(learning_rate=0.5)),
    ("Adam(0.3, beta1=0.8)", lambda: v1.train.AdamOptimizer(0.3, beta1=0.8),
     lambda: K.Adam(learning_rate=0.3, beta_1=0.8, epsilon=1e-8)),
    ("Adadelta(10.0)", lambda: v1.train.AdadeltaOptimizer(10.0),
     lambda: K.Adadelta(learning_rate=10.0, rho=0.95, epsilon=1e-8)),
    ("Ftrl(0.5)", lambda: v1.train.FtrlOptimizer(0.5),
     lambda: K.Ftrl(learning_rate=0.5, learning_rate_power=-0.5, initial_accumulator_value=0.1)),
    ("Ftrl(0.5, l1=0.01, l2=0.02)", lambda: v1.train.FtrlOptimizer(0.5, l1_regularization_strength=0.01,
                                                                   l2_regularization_strength=0.02),
     lambda: K.Ftrl(learning_rate=0.5, l1_regularization_strength=0.01, l2_regularization_strength=0.02)),
    ("Ftrl(0.5, lr_power=-0.7, shrinkage=0.01)",
     lambda: v1.train.FtrlOptimizer(0.5, learning_rate_power=-0.7, l2_shrinkage_regularization_strength=0.01),
     lambda: K.Ftrl(learning_rate=0.5, learning_rate_power=-0.7, l2_shrinkage_regularization_strength=0.01)),
    ("RMSProp(0.05) -> Keras RMSprop", lambda: v1.train.RMSPropOptimizer(0.05),
     lambda: K.RMSprop(learning_rate=0.05, rho=0.9, epsilon=1e-10)),
]
RMSPROP = [
    ("RMSProp(0.05)", {"learning_rate": 0.05},
     {"lr": 0.05, "decay": 0.9, "momentum": 0.0, "epsilon": 1e-10, "centered": False}),
    ("RMSProp(0.1, decay=0.9)", {"learning_rate": 0.1, "decay": 0.9},
     {"lr": 0.1, "decay": 0.9, "momentum": 0.0, "epsilon": 1e-10, "centered": False}),
    ("RMSProp(0.01, momentum=0.5)", {"learning_rate": 0.01, "momentum": 0.5},
     {"lr": 0.01, "decay": 0.9, "momentum": 0.5, "epsilon": 1e-10, "centered": False}),
    ("RMSProp(0.01, centered)", {"learning_rate": 0.01, "centered": True},
     {"lr": 0.01, "decay": 0.9, "momentum": 0.0, "epsilon": 1e-10, "centered": True}),
]

PROXIMAL = [
    ("ProximalGradientDescent(0.1)", {"learning_rate": 0.1}, {"lr": 0.1, "l1": 0.0, "l2": 0.0}),
    ("ProximalGradientDescent(0.1, l1=0.01, l2=0.1)",
     {"learning_rate": 0.1, "l1_regularization_strength": 0.01, "l2_regularization_strength": 0.1},
     {"lr": 0.1, "l1": 0.01, "l2": 0.1}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    steps = parser.parse_args().steps
    import keras

    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, {steps} steps; max |w_tf2 - w_tf1| (relative)")
    for label, tf1_make, keras_make in CASES:
        absolute, relative = diff(tf1_run(tf1_make, steps), keras_run(keras_make, steps))
        print(f"  {label:45s} Keras          {absolute:.2e} ({relative:.1e})")
    for label, tf1_args, explicit in RMSPROP:
        reference = tf1_run(lambda args=tf1_args: v1.train.RMSPropOptimizer(**args), steps)
        absolute, relative = diff(reference, rmsprop_explicit_run(steps=steps, **explicit))
        print(f"  {label:45s} explicit TF1   {absolute:.2e} ({relative:.1e})")
    for label, tf1_args, explicit in PROXIMAL:
        reference = tf1_run(lambda args=tf1_args: v1.train.ProximalGradientDescentOptimizer(**args), steps)
        absolute, relative = diff(reference, proximal_explicit_run(steps=steps, **explicit))
        print(f"  {label:45s} explicit TF1   {absolute:.2e} ({relative:.1e})")


if __name__ == "__main__":
    main()
