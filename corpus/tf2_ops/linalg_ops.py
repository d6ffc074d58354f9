"""Linear algebra: matmul (with transpose flags), solve, cholesky, det, inverse, trace, diag."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(8)
m = rng.standard_normal((4, 4))
spd = tf.constant(m @ m.T + 4.0 * np.eye(4))
a = tf.constant(rng.standard_normal((3, 4)).astype(np.float32))
b = tf.constant(rng.standard_normal((5, 4)).astype(np.float32))
rhs = tf.constant(rng.standard_normal((4, 2)))

dlmigrate_observe("matmul_t", tf.matmul(a, b, transpose_b=True))
dlmigrate_observe("solve", tf.linalg.solve(spd, rhs))
dlmigrate_observe("cholesky", tf.linalg.cholesky(spd))
dlmigrate_observe("det", tf.linalg.det(spd))
dlmigrate_observe("inv", tf.linalg.inv(spd))
dlmigrate_observe("trace", tf.linalg.trace(spd))
dlmigrate_observe("diag", tf.linalg.diag(a))
dlmigrate_observe("diag_part", tf.linalg.diag_part(spd))
dlmigrate_observe("transpose", tf.linalg.matrix_transpose(a))
dlmigrate_observe("matvec", tf.linalg.matvec(a, tf.ones([4])))
