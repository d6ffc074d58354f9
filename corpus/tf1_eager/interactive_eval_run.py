"""InteractiveSession code: the graph grows between runs, which use Tensor.eval() and Operation.run().

Covers eval/run with feed_dict, a training op run with `.run()`, an assign op run for its effect,
an initializer run of one variable and of all of them, and `sess.run` next to them.
"""
import numpy as np
import tensorflow as tf

tf.set_random_seed(31)
sess = tf.InteractiveSession()

x = tf.placeholder(tf.float32, [None, 2])
y = tf.placeholder(tf.float32, [None, 1])
w = tf.Variable(tf.random_normal([2, 1], stddev=0.5, seed=4), name="w")
counter = tf.Variable(0.0, name="counter")
tf.global_variables_initializer().run()

prediction = tf.matmul(x, w)
print("initial prediction", prediction.eval(feed_dict={x: [[1.0, 2.0]]}).round(5).tolist())
loss = tf.reduce_mean(tf.square(prediction - y))
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
bump = tf.assign_add(counter, 1.0)

data_x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], np.float32)
data_y = np.array([[2.0], [-1.0], [1.0]], np.float32)
for step in range(20):
    train.run(feed_dict={x: data_x, y: data_y})
    bump.op.run()
    if step % 5 == 0:
        print("step", step, "loss", round(float(loss.eval(feed_dict={x: data_x, y: data_y})), 5))
print("counter", counter.eval(), "w", np.round(w.eval(), 4).tolist())
scale = tf.Variable(3.0, name="scale")
scale.initializer.run()
print("scaled", (w * scale).eval().round(4).tolist(), sess.run(tf.reduce_sum(w) * 2.0))
sess.close()
