"""Graph control flow: tf.cond, tf.case, tf.while_loop, tf.map_fn and tf.scan, fed through placeholders."""
import numpy as np
import tensorflow as tf

tf.set_random_seed(22)

x = tf.placeholder(tf.float32, [])
branch = tf.cond(x > 0, lambda: tf.square(x), lambda: tf.negative(x) * 10)
piecewise = tf.case([(x < -1.0, lambda: tf.constant(-1.0)), (x > 1.0, lambda: tf.constant(1.0))],
                    default=lambda: x, exclusive=False)


def body(i, fib_a, fib_b):
    return i + 1, fib_b, fib_a + fib_b


_, fib, _ = tf.while_loop(lambda i, a, b: i < 10, body, [tf.constant(0), tf.constant(0), tf.constant(1)])

elems = tf.constant([1.0, 2.0, 3.0, 4.0])
squares = tf.map_fn(lambda e: e * e, elems)
running = tf.scan(lambda acc, e: acc + e, elems)
counter = tf.Variable(0.0)
guarded = tf.cond(x > 0, lambda: tf.assign_add(counter, x), lambda: tf.identity(counter))

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for value in (-2.0, 0.5, 3.0):
        print("x", value, "cond", sess.run(branch, {x: value}), "case", sess.run(piecewise, {x: value}))
    print("fib(10)", sess.run(fib))
    print("map_fn", sess.run(squares).tolist(), "scan", sess.run(running).tolist())
    for value in (1.5, -1.0, 2.5):
        sess.run(guarded, {x: value})
    print("counter", sess.run(counter))
