"""Linear classifier written against `import tensorflow as foo`: every TF1 name goes through an unusual alias."""
import numpy as np
import tensorflow as foo

np.random.seed(15)
foo.set_random_seed(15)

data = np.random.randn(40, 3).astype(np.float32)
truth = (data @ np.array([1.0, -2.0, 0.5]) > 0).astype(np.int32)

x = foo.placeholder(foo.float32, [None, 3])
y = foo.placeholder(foo.int32, [None])
w = foo.get_variable("w", [3, 2], initializer=foo.random_normal_initializer(stddev=0.1, seed=1))
logits = foo.matmul(x, w)
loss = foo.reduce_mean(foo.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
step = foo.train.MomentumOptimizer(0.2, momentum=0.9).minimize(loss)
hits = foo.equal(foo.argmax(logits, dimension=1, output_type=foo.int32), y)
accuracy = foo.reduce_mean(foo.to_float(hits))

with foo.Session() as sess:
    sess.run(foo.global_variables_initializer())
    for i in range(50):
        _, l = sess.run([step, loss], feed_dict={x: data, y: truth})
        if i % 10 == 0:
            print("iteration", i, "loss", round(float(l), 4))
    print("accuracy", round(float(sess.run(accuracy, feed_dict={x: data, y: truth})), 4))
    print("log probs", foo.log(foo.constant(np.e, foo.float32)).eval(), foo.random_normal([2], seed=2).eval().shape)
