"""A generated multi-package TF1 tree: libraries imported by scripts, a test module and a tool.

Used by tests/test_graph_mode_tree.py; ``write_tree(root)`` writes it and returns the
files that are programs (must get the graph-mode switch) and those that are not.
"""
from __future__ import annotations

from pathlib import Path

FILES = {
    "mylib/__init__.py": '"""A small TF1 library."""\n',
    "mylib/layers.py": '''import tensorflow as tf


def inputs(dim):
    return tf.placeholder(tf.float32, [None, dim], name="x")


def dense(x, units, name):
    with tf.variable_scope(name):
        w = tf.get_variable("w", [x.shape[-1], units], initializer=tf.ones_initializer())
        return tf.matmul(x, w)
''',
    "mylib/model.py": '''import numpy as np
import tensorflow as tf

from mylib import layers


def build(dim=3):
    x = layers.inputs(dim)
    return x, layers.dense(x, 2, "out")


def evaluate(batch):
    x, y = build(batch.shape[1])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(y, feed_dict={x: batch})
''',
    "mylib/data.py": '''import tensorflow as tf
from .layers import inputs

GRAPH = tf.get_default_graph()


def batch():
    return tf.ones([2, 3])
''',
    "scripts/train.py": '''"""Trains; run as a script."""
import numpy as np
import tensorflow as tf

from mylib import model


def main(_):
    x, y = model.build(3)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        print("train", sess.run(y, feed_dict={x: np.ones((1, 3), np.float32)}).tolist())


if __name__ == "__main__":
    tf.app.run(main)
''',
    "scripts/evaluate.py": '''import numpy as np

from mylib.model import evaluate

if __name__ == "__main__":
    print("evaluate", evaluate(np.ones((2, 3), np.float32)).tolist())
''',
    "tests/test_model.py": '''import numpy as np
import tensorflow as tf

from mylib import model


class ModelTest(tf.test.TestCase):
    def test_evaluate(self):
        self.assertAllClose(model.evaluate(np.ones((1, 3), np.float32)), [[3.0, 3.0]])


if __name__ == "__main__":
    tf.test.main()
''',
    "tools/export.py": '''import tensorflow as tf
import numpy as np
import os
x = tf.placeholder(tf.float32, [None, 2])
y = tf.reduce_sum(x * 2.0, axis=1)
sess = tf.Session()
print("export", sess.run(y, feed_dict={x: np.ones((1, 2), np.float32)}).tolist())
''',
}

# where the switch must go: first statement under the main guard, or after the import block
PROGRAMS = {"scripts/train.py": "guard", "scripts/evaluate.py": "guard", "tests/test_model.py": "guard",
            "tools/export.py": "module"}
LIBRARIES = ("mylib/layers.py", "mylib/model.py", "mylib/data.py")  # graph APIs, but imported: TF2302


def write_tree(root: Path) -> Path:
    for relative, text in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
