"""Which Keras a validated program runs on: tf-keras for TF1 code, Keras 3 for TF2 code (executor.main)."""
from __future__ import annotations

from migrate.validate.executor import RUN_FUNCTION_MARKER, uses_tf1_api


def test_tf2_op_level_program_is_not_tf1():
    source = "import tensorflow as tf\nx = tf.constant([1.0])\ny = tf.keras.activations.hard_sigmoid(x)\n"
    assert not uses_tf1_api(source)


def test_tf1_names_and_compat_v1_are_tf1():
    assert uses_tf1_api("import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 3])\n")
    assert uses_tf1_api("import tensorflow as tf\nsess = tf.compat.v1.Session()\n")
    assert uses_tf1_api("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n")


def test_directory_programs_keep_tf_keras():
    assert uses_tf1_api("")  # a directory (no single file to read) keeps the previous choice


def test_marked_eager_rewrite_is_recognised():
    assert RUN_FUNCTION_MARKER.search("def step():  # dlmigrate: session.run\n")


def test_the_keras_choice_of_a_validation_reaches_each_side_environment(monkeypatch):
    """``ValidateOptions(keras=...)``: "inherit" keeps the caller's TF_USE_LEGACY_KERAS, "per-program" removes it
    (the executor then picks per program, as on a user's machine), "keras3" forces Keras 3."""
    import pytest

    from migrate.validate.pipeline import ValidateOptions
    from migrate.validate.runner import child_environment

    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "1")
    seen = {}
    for choice in ("inherit", "per-program", "keras3"):
        spec = ValidateOptions(keras=choice).spec("rewritten", "x.py")
        seen[choice] = child_environment(spec.seed, spec.device, spec.keras).get("TF_USE_LEGACY_KERAS")
    assert seen == {"inherit": "1", "per-program": None, "keras3": "0"}
    with pytest.raises(ValueError, match="keras must be one of"):
        child_environment(0, "cpu", "legacy-ish")
