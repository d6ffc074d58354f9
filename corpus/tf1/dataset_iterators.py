"""tf.data input pipelines consumed through TF1 iterators: one-shot and initializable.

Both spellings appear: the Dataset method (`dataset.make_one_shot_iterator()`) and the
function (`tf.data.make_initializable_iterator(ds)`).
"""
import numpy as np
import tensorflow as tf

np.random.seed(11)
tf.set_random_seed(11)

features = np.arange(12, dtype=np.float32).reshape(6, 2)
labels = np.arange(6, dtype=np.int64)

dataset = tf.data.Dataset.from_tensor_slices((features, labels))
dataset = dataset.map(lambda f, l: (f * 2.0, l)).batch(4)
one_shot = dataset.make_one_shot_iterator()
next_batch = one_shot.get_next()

limit = tf.placeholder(tf.int64, shape=[])
ranged = tf.data.Dataset.range(limit).map(lambda v: v * v)
initializable = tf.data.make_initializable_iterator(ranged)
next_square = initializable.get_next()

shuffled = tf.data.Dataset.range(10).shuffle(10, seed=3).batch(5)
next_shuffled = tf.data.make_one_shot_iterator(shuffled).get_next()

with tf.Session() as sess:
    while True:
        try:
            f, l = sess.run(next_batch)
            print("batch", f.tolist(), l.tolist())
        except tf.errors.OutOfRangeError:
            print("one-shot iterator exhausted")
            break
    for n in (3, 5):
        sess.run(initializable.initializer, feed_dict={limit: n})
        squares = []
        try:
            while True:
                squares.append(int(sess.run(next_square)))
        except tf.errors.OutOfRangeError:
            pass
        print("squares below", n, squares)
    print("shuffled", sess.run(next_shuffled).tolist(), sess.run(next_shuffled).tolist())
    print("output types", tf.data.get_output_types(dataset), "shapes", tf.data.get_output_shapes(dataset))
