"""TF2106-TF2111 on TF 2.21: what each finding says happens does happen (executed), and what each rewrite keeps.

The examples of these rules cannot run their TF1 side (Estimator, private
modules and Keras aliases are gone), so this file executes the facts instead,
in one subprocess: every import form of Estimator fails, TF2's tf.device
rejects a function and tf.compat.v1.device takes it in graph mode, the missing
private module raises ImportError, TF2's assert_scalar returns None, Keras 3
refuses a path without extension, and RandomUniform/RandomNormal keep the
defaults of TF1's uniform/normal.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from corpus_support import RUN_ENV
from migrate.engine import transform_source
from migrate.rules import load_rules, rulesets_for_target

RULES = load_rules(rulesets_for_target("tf2-compat"))

FACTS = r'''
import json, os, tempfile
import numpy as np
import tensorflow as tf
out = {}
def fails(code):
    try:
        exec(code, {"tf": tf})
        return None
    except Exception as exc:
        return type(exc).__name__
out["estimator"] = [fails("from tensorflow.compat.v1 import estimator"), fails("tf.estimator.Estimator"),
                    fails("import tensorflow_estimator"), fails("tf.compat.v1.estimator.RunConfig")]
out["device_v2"] = fails("with tf.device(lambda op: '/cpu:0'):\n    pass")
g = tf.Graph()
with g.as_default():
    with tf.compat.v1.device(lambda op: "/cpu:0"):
        c = tf.constant(1.0)
out["device_v1"] = c.device
out["private"] = fails("from tensorflow.python.keras.engine.network import Network")
out["assert_scalar_v2"] = repr(tf.debugging.assert_scalar(tf.constant(3.0)))
with tf.Graph().as_default():
    out["assert_scalar_v1"] = type(tf.compat.v1.assert_scalar(tf.constant(3.0))).__name__
import keras  # Keras 3, what tf.keras is unless TF_USE_LEGACY_KERAS=1
model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
d = tempfile.mkdtemp()
out["save_no_ext"] = None
try:
    keras.models.save_model(model, os.path.join(d, "my_model"))
except ValueError:
    out["save_no_ext"] = "ValueError"
keras.models.save_model(model, os.path.join(d, "my_model.h5"))
out["save_h5"] = os.path.isfile(os.path.join(d, "my_model.h5"))
legacy = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])  # tf_keras under RUN_ENV
tf.keras.models.save_model(legacy, os.path.join(d, "legacy_model"))
out["legacy_no_ext"] = "dir" if os.path.isdir(os.path.join(d, "legacy_model")) else "file"
out["alias"] = [fails("tf.keras.initializers.uniform"), fails("tf.keras.initializers.normal")]
u = tf.keras.initializers.RandomUniform(seed=1)([300, 100]).numpy()
n = tf.keras.initializers.RandomNormal(seed=1)([300, 100]).numpy()
out["uniform"] = [float(u.min()) >= -0.05, float(u.max()) <= 0.05, abs(float(u.std()) - 0.1 / 12 ** 0.5) < 2e-3]
out["normal"] = [abs(float(n.mean())) < 2e-3, abs(float(n.std()) - 0.05) < 2e-3]
print(json.dumps(out))
'''


@pytest.mark.slow
def test_the_failures_the_findings_announce_happen_on_tf_2_21():
    done = subprocess.run([sys.executable, "-c", FACTS], capture_output=True, text=True,
                          env={**os.environ, **RUN_ENV}, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["estimator"] == ["ImportError", "AttributeError", "ModuleNotFoundError", "AttributeError"]
    assert out["device_v2"] == "RuntimeError" and out["device_v1"].lower().endswith("cpu:0")
    assert out["private"] == "ModuleNotFoundError"
    assert out["assert_scalar_v2"] == "None" and out["assert_scalar_v1"] in ("Tensor", "SymbolicTensor")
    assert out["save_no_ext"] == "ValueError" and out["save_h5"] is True
    assert out["legacy_no_ext"] == "dir"  # legacy Keras writes a SavedModel directory, not TF1's HDF5 file
    assert out["alias"] == ["AttributeError", "AttributeError"]
    assert all(out["uniform"]) and all(out["normal"])


def _codes(source: str) -> list[str]:
    return [f.code for f in transform_source(source, RULES).findings]


def test_estimator_import_forms_are_all_reported():
    """A from-import is reported where it stands; a plain ``import`` (like every plain import: lint and
    convert agree that it is not a finding) where the module is used."""
    for line in ("from tensorflow.compat.v1 import estimator as tf_estimator",
                 "import tensorflow_estimator as tfe\ntfe.estimator.RunConfig()",
                 "import tensorflow.compat.v1.estimator\ntensorflow.compat.v1.estimator.RunConfig()",
                 "from tensorflow import estimator", "import tensorflow.compat.v2 as tf2\ntf2.estimator.Estimator(f)"):
        assert "TF2106" in _codes(f"import tensorflow as tf\n{line}\n"), line


def test_device_name_is_left_alone_and_function_keyword_kept():
    source = "import tensorflow as tf\nwith tf.device(device_name_or_function=lambda op: '/cpu:0'):\n    pass\n"
    result = transform_source(source, RULES)
    assert "tf.compat.v1.device(device_name_or_function=lambda op: '/cpu:0')" in result.code
    assert "TF2107" not in _codes("import tensorflow as tf\nwith tf.device(name):\n    pass\n")


def test_assert_scalar_as_statement_is_fine_as_value_is_reported():
    assert "TF2109" not in _codes("import tensorflow as tf\ntf.assert_scalar(x)\n")
    assert "TF2109" in _codes("import tensorflow as tf\ny = tf.assert_scalar(x)\n")
    assert "TF2109" in _codes("import tensorflow as tf\nwith tf.control_dependencies([tf.assert_scalar(x)]):\n    pass\n")


def test_save_paths():
    keras = "import tensorflow as tf\nmodel = tf.keras.Sequential()\n"
    assert "TF2110" in _codes(keras + "model.save('out/model')\n")
    assert "TF2110" not in _codes(keras + "model.save('out/model.h5')\n")
    assert "TF2110" not in _codes("import tensorflow as tf\nsaver.save(sess, 'out/model')\n")
