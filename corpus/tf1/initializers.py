"""Variable initializers: the TF1 initializer classes used with tf.get_variable and tf.Variable."""
import numpy as np
import tensorflow as tf

tf.set_random_seed(23)

shape = [200, 50]
variables = {
    "zeros": tf.get_variable("zeros", shape, initializer=tf.zeros_initializer()),
    "ones": tf.get_variable("ones", shape, initializer=tf.ones_initializer()),
    "constant": tf.get_variable("constant", [3], initializer=tf.constant_initializer([1.0, 2.0, 3.0])),
    "random_normal": tf.get_variable("rn", shape, initializer=tf.random_normal_initializer(mean=1.0, stddev=0.5, seed=1)),
    "truncated_normal": tf.get_variable("tn", shape, initializer=tf.truncated_normal_initializer(stddev=0.5, seed=2)),
    "random_uniform": tf.get_variable("ru", shape, initializer=tf.random_uniform_initializer(-2.0, 2.0, seed=3)),
    "glorot_uniform": tf.get_variable("gu", shape, initializer=tf.glorot_uniform_initializer(seed=4)),
    "glorot_normal": tf.get_variable("gn", shape, initializer=tf.glorot_normal_initializer(seed=5)),
    "variance_scaling": tf.get_variable("vs", shape, initializer=tf.variance_scaling_initializer(scale=2.0, seed=6)),
    "orthogonal": tf.get_variable("orth", [4, 4], initializer=tf.orthogonal_initializer(seed=7)),
    "identity": tf.get_variable("eye", [3, 3], initializer=tf.initializers.identity()),
    "uniform_unit_scaling": tf.get_variable("uus", shape, initializer=tf.uniform_unit_scaling_initializer(seed=8)),
    "random_uniform op": tf.Variable(tf.random_uniform(shape, 0, 10, dtype=tf.int32, seed=9)),
    "truncated_normal op": tf.Variable(tf.truncated_normal(shape, seed=10)),
}

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for name, var in variables.items():
        value = sess.run(var)
        print(name, value.shape, "mean", round(float(value.mean()), 4), "std", round(float(value.std()), 4))
    orth = sess.run(variables["orthogonal"])
    print("orthogonal", np.allclose(orth @ orth.T, np.eye(4), atol=1e-5))
    print("uninitialized", sess.run(tf.report_uninitialized_variables()).tolist())
