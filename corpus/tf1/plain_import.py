"""The same kind of graph written with a plain `import tensorflow` (no alias at all)."""
import numpy as np
import tensorflow

np.random.seed(17)
tensorflow.set_random_seed(17)

values = np.random.rand(3, 4).astype(np.float32)
x = tensorflow.placeholder(tensorflow.float32, shape=[None, 4])
scale = tensorflow.get_variable("scale", [4], initializer=tensorflow.ones_initializer())
scaled = x * scale
row_max = tensorflow.reduce_max(scaled, reduction_indices=[1], keep_dims=True)
normalized = scaled / row_max
position = tensorflow.argmax(normalized, dimension=1)
total = tensorflow.reduce_sum(tensorflow.log(normalized + 1.0))
step = tensorflow.train.AdagradOptimizer(0.1).minimize(-total)

with tensorflow.Session() as session:
    session.run(tensorflow.global_variables_initializer())
    print("row max", np.asarray(session.run(row_max, {x: values}), np.float64).round(4).tolist())
    print("argmax", session.run(position, {x: values}).tolist())
    for _ in range(5):
        session.run(step, {x: values})
    print("scale", np.asarray(session.run(scale), np.float64).round(4).tolist())
