"""Word embeddings: tf.nn.embedding_lookup trained with NCE loss on a synthetic co-occurrence task."""
import numpy as np
import tensorflow as tf

np.random.seed(7)
tf.set_random_seed(7)

vocabulary_size, embedding_size, batch_size, num_sampled = 20, 6, 16, 4
# word i co-occurs with word (i + 1) % vocabulary_size
pairs = np.array([[i, (i + 1) % vocabulary_size] for i in range(vocabulary_size)] * 4, dtype=np.int32)

train_inputs = tf.placeholder(tf.int32, shape=[None])
train_labels = tf.placeholder(tf.int32, shape=[None, 1])
embeddings = tf.Variable(tf.random_uniform([vocabulary_size, embedding_size], -1.0, 1.0, seed=1))
embed = tf.nn.embedding_lookup(embeddings, train_inputs)
nce_weights = tf.Variable(tf.truncated_normal([vocabulary_size, embedding_size], stddev=0.4, seed=2))
nce_biases = tf.Variable(tf.zeros([vocabulary_size]))
loss = tf.reduce_mean(
    tf.nn.nce_loss(weights=nce_weights, biases=nce_biases, labels=train_labels, inputs=embed,
                   num_sampled=num_sampled, num_classes=vocabulary_size)
)
optimizer = tf.train.GradientDescentOptimizer(0.5).minimize(loss)

norm = tf.sqrt(tf.reduce_sum(tf.square(embeddings), 1, keep_dims=True))
normalized = embeddings / norm
valid = tf.constant([0, 5], dtype=tf.int32)
similarity = tf.matmul(tf.nn.embedding_lookup(normalized, valid), normalized, transpose_b=True)
unit_rows = tf.nn.l2_normalize(embeddings, dim=1)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("embed shape", sess.run(embed, feed_dict={train_inputs: pairs[:batch_size, 0]}).shape)
    for step in range(100):
        start = (step * batch_size) % len(pairs)
        batch = pairs[start:start + batch_size]
        _, l = sess.run([optimizer, loss], feed_dict={train_inputs: batch[:, 0], train_labels: batch[:, 1:]})
        if step % 25 == 0:
            print("step", step, "loss", round(float(l), 4))
    sim = sess.run(similarity)
    print("nearest to 0", (-sim[0]).argsort()[1:3].tolist())
    print("row norms", np.asarray(np.linalg.norm(sess.run(unit_rows), axis=1)[:3], np.float64).round(4).tolist())
