"""tf.InteractiveSession: Tensor.eval() and Operation.run() without passing a session around."""
import numpy as np
import tensorflow as tf

tf.set_random_seed(25)
sess = tf.InteractiveSession()

a = tf.Variable([1.0, 2.0])
b = tf.constant([3.0, 3.0])
a.initializer.run()
print("a - b =", tf.subtract(a, b).eval().tolist())
update = tf.assign(a, a * 2.0)
for _ in range(3):
    update.op.run()
print("a =", a.eval().tolist())
matrix = tf.random_uniform([3, 3], seed=1)
print("matrix rows", np.asarray(matrix.eval(), np.float64).round(4).tolist()[0])
print("trace", round(float(tf.trace(tf.eye(3) * 2.5).eval()), 2))
print("graph ops", len(tf.get_default_graph().get_operations()) > 0)
sess.close()
