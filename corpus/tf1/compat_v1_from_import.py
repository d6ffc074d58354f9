"""`from tensorflow.compat import v1 as tf` with tf.disable_eager_execution(): counting with a while_loop."""
from tensorflow.compat import v1 as tf

tf.disable_eager_execution()
tf.set_random_seed(19)

n = tf.placeholder(tf.int32, [])
i0 = tf.constant(0)
acc0 = tf.constant(0)
_, total = tf.while_loop(lambda i, acc: i < n, lambda i, acc: (i + 1, acc + i), [i0, acc0])
counter = tf.Variable(0, name="counter")
bump = tf.assign_add(counter, 2)

with tf.Session() as sess:
    sess.run(tf.initialize_all_variables())
    print("sum below 10 =", sess.run(total, {n: 10}))
    for _ in range(3):
        sess.run(bump)
    print("counter =", sess.run(counter))
