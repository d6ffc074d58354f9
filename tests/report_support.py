"""A small converted tree with every kind of outcome, shared by the report tests."""
from __future__ import annotations

from pathlib import Path

from migrate.convert import ConvertOptions, convert_paths

GRAPH_PROGRAM = '''import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 3])
w = tf.get_variable("w", [3, 1])
y = tf.nn.dropout(tf.matmul(x, w), keep_prob=0.5)
label = "<script>alert('x')</script> & | pipes"
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    tf.contrib.layers.flatten(x)
'''
# Left unchanged, but the call is flagged (TF2101, no automatic fix).
CONTRIB_ONLY = '''import tensorflow as tf

flat = tf.contrib.layers.flatten
'''
BROKEN = "import tensorflow as tf\nprint 'python 2'\n"
UNRELATED = "print('no framework here')\n"

VALIDATION = {
    "pkg/model.py": {
        "verdict": "MISMATCH",
        "message": "1 of 2 outputs differ beyond rtol=1e-05, atol=1e-05",
        "outputs": [
            {"name": "loss", "verdict": "PASS", "max_abs_error": 2.5e-08, "max_rel_error": 1.1e-07},
            {"name": "logits", "verdict": "MISMATCH", "max_abs_error": 0.125, "max_rel_error": 0.5,
             "message": "<b>shapes</b> agree, values differ"},
        ],
    }
}


def make_tree(root: Path) -> Path:
    package = root / "pkg"
    package.mkdir(parents=True, exist_ok=True)
    (package / "model.py").write_text(GRAPH_PROGRAM, encoding="utf-8")
    (package / "contrib_only.py").write_text(CONTRIB_ONLY, encoding="utf-8")
    (package / "broken.py").write_text(BROKEN, encoding="utf-8")
    (package / "unrelated.py").write_text(UNRELATED, encoding="utf-8")
    return package


def convert_tree(root: Path):
    """(results, ruleset) for the tree under ``root``, converted for tf2-compat, nothing written."""
    package = make_tree(root)
    options = ConvertOptions(target="tf2-compat")
    ruleset = options.load_rules()
    results = list(convert_paths([package], options, 1, ruleset))
    return results, ruleset
