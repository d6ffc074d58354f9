"""Graph collections: weight decay collected with tf.add_to_collection and summed through tf.get_collection."""
import numpy as np
import tensorflow as tf

np.random.seed(30)
tf.set_random_seed(30)

data = np.random.rand(20, 3).astype(np.float32)
target = data @ np.array([[1.0], [2.0], [-1.0]], dtype=np.float32)
x = tf.placeholder(tf.float32, [None, 3])
y = tf.placeholder(tf.float32, [None, 1])


def weight_with_decay(name, shape, decay):
    var = tf.get_variable(name, shape, initializer=tf.truncated_normal_initializer(stddev=0.3, seed=len(name)))
    tf.add_to_collection("losses", tf.multiply(tf.nn.l2_loss(var), decay, name="weight_loss"))
    return var


w1 = weight_with_decay("w1", [3, 4], 0.01)
w2 = weight_with_decay("w2", [4, 1], 0.01)
prediction = tf.matmul(tf.nn.relu(tf.matmul(x, w1)), w2)
mse = tf.reduce_mean(tf.square(prediction - y))
tf.add_to_collection("losses", mse)
total_loss = tf.add_n(tf.get_collection("losses"), name="total_loss")
train = tf.train.GradientDescentOptimizer(0.1).minimize(total_loss)

print("collection size", len(tf.get_collection("losses")))
print("trainable", [v.name for v in tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)])
with tf.Session() as sess:
    tf.global_variables_initializer().run()
    for step in range(50):
        _, l = sess.run([train, total_loss], {x: data, y: target})
        if step % 10 == 0:
            print("step", step, "total loss", round(float(l), 4))
