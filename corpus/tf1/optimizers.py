"""The tf.train optimizers on one quadratic, with a global step and an exponentially decayed learning rate."""
import numpy as np
import tensorflow as tf

tf.set_random_seed(24)
target = np.array([3.0, -1.0], dtype=np.float32)


def run(make_optimizer, steps=25):
    tf.reset_default_graph()
    w = tf.Variable([0.0, 0.0])
    loss = tf.reduce_sum(tf.squared_difference(w, target))
    global_step = tf.train.get_or_create_global_step()
    optimizer = make_optimizer(global_step)
    grads_and_vars = optimizer.compute_gradients(loss)
    train = optimizer.apply_gradients(grads_and_vars, global_step=global_step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            sess.run(train)
        return np.asarray(sess.run(w), np.float64).round(4).tolist(), round(float(sess.run(loss)), 5), sess.run(global_step)


optimizers = {
    "sgd": lambda step: tf.train.GradientDescentOptimizer(0.1),
    "sgd decayed": lambda step: tf.train.GradientDescentOptimizer(
        tf.train.exponential_decay(0.2, step, decay_steps=5, decay_rate=0.5, staircase=True)),
    "momentum": lambda step: tf.train.MomentumOptimizer(0.05, momentum=0.9, use_nesterov=True),
    "adagrad": lambda step: tf.train.AdagradOptimizer(0.5),
    "rmsprop": lambda step: tf.train.RMSPropOptimizer(0.1, decay=0.9),
    "adam": lambda step: tf.train.AdamOptimizer(0.3, beta1=0.8),
    "adadelta": lambda step: tf.train.AdadeltaOptimizer(10.0),
    "ftrl": lambda step: tf.train.FtrlOptimizer(0.5),
}
for name, make in optimizers.items():
    weights, final_loss, steps = run(make)
    print(name, "w", weights, "loss", final_loss, "steps", steps)
