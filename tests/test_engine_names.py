"""The engine rewrites what a name resolves to, whatever the file calls it.

Each alias case also goes through tf_upgrade_v2 (one ``--intree`` run for all
of them): it matches the literal text ``tf.``, so it leaves these files as they
are, or rewrites a local that merely happens to be called ``tf``.
"""
from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from migrate.engine import transform_source
from migrate.model import Safety
from migrate.rules import load_rules
from tests.conftest import VENV_BIN

APPLY = frozenset({Safety.SAFE, Safety.REVIEW})
# Renames and the compat import only: TF2301's extra line would hide what these tests look at.
NAMES = load_rules(["tf1_to_tf2"], select=["TF2001", "TF2002", "TF2007"])
ALL = load_rules(["tf1_to_tf2"])


def convert(source: str, ruleset=NAMES):
    return transform_source(textwrap.dedent(source).lstrip("\n"), ruleset, apply=APPLY)


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# name -> (before, after): dlmigrate converts these; tf_upgrade_v2 leaves ``before`` as it is.
BEATS_TF_UPGRADE_V2 = {
    "import_as_foo": (
        """
        import tensorflow as foo
        y = foo.log(x)
        """,
        """
        import tensorflow as foo
        y = foo.math.log(x)
        """,
    ),
    "plain_import": (
        """
        import tensorflow
        y = tensorflow.log(x)
        """,
        """
        import tensorflow
        y = tensorflow.math.log(x)
        """,
    ),
    "from_import_function": (
        """
        from tensorflow import log
        y = log(x)
        """,
        """
        from tensorflow.math import log
        y = log(x)
        """,
    ),
    "from_import_placeholder": (
        """
        from tensorflow import placeholder
        x = placeholder("float32")
        """,
        """
        from tensorflow.compat.v1 import placeholder
        x = placeholder("float32")
        """,
    ),
    "from_import_module": (
        """
        from tensorflow import nn
        cell = nn.rnn_cell.LSTMCell(3)
        """,
        """
        from tensorflow import nn
        import tensorflow as tf
        cell = tf.compat.v1.nn.rnn_cell.LSTMCell(3)
        """,
    ),
    "function_level_import_as_other_name": (
        """
        def build(x):
            import tensorflow as T
            return T.log(x)
        """,
        """
        def build(x):
            import tensorflow as T
            return T.math.log(x)
        """,
    ),
}

# name -> source: a local called ``tf`` is not TensorFlow; dlmigrate leaves it, tf_upgrade_v2 rewrites it.
SHADOWED = {
    "parameter": """
        import tensorflow as tf
        def f(tf):
            return tf.log(1.0)
        """,
    "local_assignment": """
        import tensorflow as tf
        def f(backend):
            tf = backend
            return tf.log(1.0)
        """,
    "lambda_parameter": """
        import tensorflow as tf
        g = lambda tf: tf.log(1.0)
        """,
    "comprehension_variable": """
        import tensorflow as tf
        v = [tf.log(1.0) for tf in backends]
        """,
}


@pytest.fixture(scope="session")
def tf_upgrade_v2_outputs(tmp_path_factory) -> dict[str, str]:
    """Every case above converted by tf_upgrade_v2 in one ``--intree`` run (it takes seconds to start)."""
    exe = VENV_BIN / "tf_upgrade_v2"
    if not exe.exists():
        pytest.skip("tf_upgrade_v2 is not installed (it comes with tensorflow-cpu, a validate extra)")
    base = tmp_path_factory.mktemp("tf_upgrade_v2")
    tree_in, tree_out = base / "in", base / "out"
    tree_in.mkdir()
    for name, (before, _) in BEATS_TF_UPGRADE_V2.items():
        (tree_in / f"{name}.py").write_text(dedent(before))
    for name, source in SHADOWED.items():
        (tree_in / f"shadowed_{name}.py").write_text(dedent(source))
    subprocess.run(
        [str(exe), "--intree", str(tree_in), "--outtree", str(tree_out), "--reportfile", str(base / "report.txt")],
        check=True, capture_output=True, timeout=300,
    )
    return {path.stem: path.read_text() for path in tree_out.glob("*.py")}


@pytest.mark.parametrize("name", sorted(BEATS_TF_UPGRADE_V2))
def test_alias_forms_are_converted(name):
    before, after = BEATS_TF_UPGRADE_V2[name]
    result = convert(before)
    assert result.code == dedent(after)
    assert any(f.fixed for f in result.findings)
    assert convert(result.code).code == result.code


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BEATS_TF_UPGRADE_V2))
def test_tf_upgrade_v2_misses_the_alias_forms(name, tf_upgrade_v2_outputs):
    before, _ = BEATS_TF_UPGRADE_V2[name]
    assert tf_upgrade_v2_outputs[name] == dedent(before)


@pytest.mark.parametrize("name", sorted(SHADOWED))
def test_shadowing_local_is_left_alone(name):
    source = dedent(SHADOWED[name])
    result = convert(source, ALL)
    assert result.code == source
    assert result.findings == ()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SHADOWED))
def test_tf_upgrade_v2_rewrites_a_local_named_tf(name, tf_upgrade_v2_outputs):
    assert "tf.math.log" in tf_upgrade_v2_outputs[f"shadowed_{name}"]


def test_standard_alias():
    assert convert("import tensorflow as tf\ny = tf.log(x)\n").code == "import tensorflow as tf\ny = tf.math.log(x)\n"


@pytest.mark.parametrize(
    "compat_import",
    ["import tensorflow.compat.v1 as tf", "from tensorflow.compat import v1 as tf"],
)
def test_compat_v1_module_import_becomes_tensorflow_and_uses_are_renamed(compat_import):
    result = convert(f"{compat_import}\nx = tf.placeholder(tf.float32)\ny = tf.log(x)\n")
    assert result.code == "import tensorflow as tf\nx = tf.compat.v1.placeholder(tf.float32)\ny = tf.math.log(x)\n"
    assert {f.code for f in result.findings} == {"TF2007", "TF2002", "TF2001"}


def test_compat_v1_import_inside_a_function_is_rewritten_with_its_uses():
    before = """
    def f(x):
        import tensorflow.compat.v1 as tf
        return tf.placeholder(x)
    """
    after = """
    def f(x):
        import tensorflow as tf
        return tf.compat.v1.placeholder(x)
    """
    assert convert(before).code == dedent(after)


def test_keras_layers_import_exists_in_tf2_and_is_left_alone():
    source = "from tensorflow.keras import layers\nd = layers.Dense(3)\n"
    result = convert(source, ALL)
    assert result.code == source and result.findings == ()


def test_from_import_whose_names_move_to_different_modules_is_split():
    before = "from tensorflow import placeholder, log, constant  # used below\nx = placeholder(log(constant(1)))\n"
    after = (
        "from tensorflow.compat.v1 import placeholder  # used below\n"
        "from tensorflow.math import log\n"
        "from tensorflow import constant\n"
        "x = placeholder(log(constant(1)))\n"
    )
    result = convert(before)
    assert result.code == after
    assert [(f.code, f.line, f.column) for f in result.findings] == [("TF2002", 1, 24), ("TF2001", 1, 37)]
    assert convert(after).code == after


def test_from_import_keeps_the_local_name_when_the_new_name_differs():
    ruleset = load_rules(["tf1_to_tf2"], select=["TF2001"])
    old, new = next((o, n) for o, n in ((o, n) for o, (n, _) in ruleset.renames.items())
                    if o.count(".") == 1 and o.rsplit(".", 1)[1] != n.rsplit(".", 1)[1])
    old_module, old_name = old.rsplit(".", 1)
    new_module, new_name = new.rsplit(".", 1)
    result = convert(f"from {old_module} import {old_name}\ny = {old_name}(x)\n", ruleset)
    assert result.code == f"from {new_module} import {new_name} as {old_name}\ny = {old_name}(x)\n"


def test_split_import_in_a_line_with_other_statements_stays_on_that_line():
    result = convert("from tensorflow import placeholder, constant; x = 1\n")
    assert result.code == "from tensorflow.compat.v1 import placeholder; from tensorflow import constant; x = 1\n"


def test_parenthesized_split_import_stays_valid():
    before = "from tensorflow import (\n    placeholder,\n    constant,\n)\nx = placeholder(constant(1))\n"
    result = convert(before)
    compile(result.code, "<converted>", "exec")
    assert "from tensorflow.compat.v1 import (" in result.code and "from tensorflow import (" in result.code


def test_relative_and_star_imports_are_ignored():
    for source in ("from .tensorflow import placeholder\nx = placeholder(1)\n",
                   "from tensorflow import *\nx = placeholder(1)\n"):
        result = convert(source, ALL)
        assert result.code == source and result.findings == ()


def test_function_level_import_is_spelled_with_the_local_alias():
    before = """
    import numpy as np
    def f():
        import tensorflow as tf
        return tf.placeholder(np.float32)
    """
    after = """
    import numpy as np
    def f():
        import tensorflow as tf
        return tf.compat.v1.placeholder(np.float32)
    """
    assert convert(before).code == dedent(after)


def test_import_below_its_use_is_resolved():
    before = "def f():\n    return tf.log(1.0)\nimport tensorflow as tf\n"
    assert convert(before).code == "def f():\n    return tf.math.log(1.0)\nimport tensorflow as tf\n"


def test_global_declared_name_is_the_module_import():
    before = """
    def setup():
        global tf
        import tensorflow as tf
    def run():
        return tf.log(1.0)
    """
    assert "return tf.math.log(1.0)" in convert(before).code


def test_parameter_default_and_decorator_use_the_module_name_even_when_a_parameter_shadows_it():
    before = """
    import tensorflow as tf
    @tf.log
    def f(tf, x=tf.log(1.0)):
        return tf.log(x)
    """
    after = """
    import tensorflow as tf
    @tf.math.log
    def f(tf, x=tf.math.log(1.0)):
        return tf.log(x)
    """
    assert convert(before).code == dedent(after)


def test_new_import_when_the_conventional_alias_is_taken():
    # ``tf`` is a user variable here, so the scheduled import must not be ``import tensorflow as tf``
    before = """
    from tensorflow import nn
    tf = "not tensorflow"
    cell = nn.rnn_cell.LSTMCell(3)
    """
    result = convert(before)
    assert "import tensorflow\n" in result.code
    assert "tensorflow.compat.v1.nn.rnn_cell.LSTMCell(3)" in result.code
    assert 'tf = "not tensorflow"' in result.code


def test_shadowed_alias_inside_a_function_is_not_used_for_a_new_name():
    before = """
    from tensorflow import nn
    import tensorflow as tf
    def f(tf):
        return nn.rnn_cell.LSTMCell(tf)
    """
    result = convert(before)
    assert "return tensorflow.compat.v1.nn.rnn_cell.LSTMCell(tf)" in result.code
    assert "import tensorflow\n" in result.code


def test_attribute_renamed_in_an_assignment_target_and_nested_call():
    before = "import tensorflow as tf\nd = {'k': [tf.log(tf.log(1.0))]}\n"
    assert convert(before).code == "import tensorflow as tf\nd = {'k': [tf.math.log(tf.math.log(1.0))]}\n"


def test_each_reference_reports_once():
    result = convert("import tensorflow as tf\na = tf.contrib.layers.fully_connected(x, 3)\nb = tf.contrib.slim\n", ALL)
    contrib = [(f.line, f.column) for f in result.findings if f.code == "TF2101"]
    assert contrib == [(2, 5), (3, 5)]
