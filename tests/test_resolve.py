"""Name resolution on the ``ast`` side: what each import form binds, and where locals shadow it.

The libcst engine uses the same ``Bindings`` and mirrors these scope rules;
tests/test_engine_names.py checks the rewrites that follow from them.
"""
from __future__ import annotations

import textwrap

import pytest

from migrate.resolve import Bindings, mentions_framework, scan_source


def refs(source: str) -> list[tuple[str, int]]:
    scan = scan_source(textwrap.dedent(source))
    return [(r.qualified, r.line) for r in scan.references]


def qualified(source: str) -> list[str]:
    return [name for name, _ in refs(source)]


@pytest.mark.parametrize(
    "imports,use,expected",
    [
        pytest.param("import tensorflow as tf", "tf.placeholder", "tensorflow.placeholder", id="import-as-tf"),
        pytest.param("import tensorflow as foo", "foo.placeholder", "tensorflow.placeholder", id="import-as-foo"),
        pytest.param("import tensorflow", "tensorflow.placeholder", "tensorflow.placeholder", id="plain-import"),
        pytest.param("import tensorflow.compat.v1 as tf", "tf.placeholder", "tensorflow.compat.v1.placeholder",
                     id="compat-v1-module"),
        pytest.param("from tensorflow.compat import v1 as tf", "tf.placeholder", "tensorflow.compat.v1.placeholder",
                     id="from-compat-import-v1"),
        pytest.param("from tensorflow import nn", "nn.dropout", "tensorflow.nn.dropout", id="from-import-module"),
        pytest.param("from tensorflow.nn import relu", "relu", "tensorflow.nn.relu", id="from-import-function"),
        pytest.param("from tensorflow.keras import layers", "layers.Dense", "tensorflow.keras.layers.Dense",
                     id="from-keras-import-layers"),
        pytest.param("import tensorflow.nn", "tensorflow.nn.relu", "tensorflow.nn.relu", id="dotted-plain-import"),
    ],
)
def test_every_import_form_resolves(imports, use, expected):
    # a call, and a reference that is not called
    assert qualified(f"{imports}\ny = {use}(x)\nz = {use}\n") == [expected, expected]


def test_plain_dotted_import_binds_only_the_root():
    bindings = Bindings()
    bindings.bind_import("tensorflow.compat.v1", None)
    assert bindings.target("tensorflow") == "tensorflow"
    assert bindings.qualify("tensorflow.compat.v1.Session") == "tensorflow.compat.v1.Session"


def test_names_never_imported_are_not_resolved():
    assert qualified("tf.placeholder(1)\nnp.zeros(3)\n") == []


def test_relative_imports_are_not_frameworks():
    assert qualified("from .tensorflow import placeholder\nfrom . import tensorflow\nplaceholder(1)\ntensorflow.log(1)\n") == []


def test_star_import_binds_nothing_it_cannot_see():
    # ``from tensorflow import *`` makes ``placeholder`` tensorflow's, but nothing in the file says
    # which names it brings; guessing would rewrite user functions of the same name
    assert qualified("from tensorflow import *\nplaceholder(1)\n") == []
    scan = scan_source("from tensorflow import *\n")
    assert scan.imports[0][0] == "tensorflow.*"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("def f(tf):\n    return tf.placeholder(1)\n", id="parameter"),
        pytest.param("def f(*tf):\n    return tf.placeholder(1)\n", id="star-parameter"),
        pytest.param("def f(**tf):\n    return tf.placeholder(1)\n", id="kwargs-parameter"),
        pytest.param("def f():\n    tf = make()\n    return tf.placeholder(1)\n", id="local-assignment"),
        pytest.param("def f():\n    for tf in xs:\n        tf.placeholder(1)\n", id="loop-variable"),
        pytest.param("def f():\n    with open(p) as tf:\n        tf.placeholder(1)\n", id="with-target"),
        pytest.param("def f():\n    try:\n        pass\n    except E as tf:\n        tf.placeholder(1)\n", id="except-name"),
        pytest.param("g = lambda tf: tf.placeholder(1)\n", id="lambda-parameter"),
        pytest.param("v = [tf.placeholder(1) for tf in xs]\n", id="list-comprehension"),
        pytest.param("v = {tf: tf.placeholder(1) for tf in xs}\n", id="dict-comprehension"),
        pytest.param("v = list(tf.placeholder(1) for tf in xs)\n", id="generator-expression"),
        pytest.param("v = [tf.placeholder(1) for row in xs for tf in row]\n", id="nested-comprehension-for"),
        pytest.param("def f():\n    def tf():\n        pass\n    return tf.placeholder\n", id="local-function"),
    ],
)
def test_locals_shadow_the_import(body):
    assert qualified("import tensorflow as tf\n" + body) == []


def test_shadowing_ends_with_the_scope():
    source = """
    import tensorflow as tf
    def f(tf):
        return tf.placeholder(1)
    v = [tf for tf in xs]
    y = tf.placeholder(2)
    """
    assert refs(source) == [("tensorflow.placeholder", 6)]


def test_comprehension_variables_do_not_leak_into_the_function():
    source = """
    import tensorflow as tf
    def f(xs):
        names = [tf for tf in xs]
        return tf.placeholder(1)
    """
    assert qualified(source) == ["tensorflow.placeholder"]


def test_defaults_decorators_and_annotations_are_in_the_enclosing_scope():
    source = """
    import tensorflow as tf
    @tf.function
    def f(tf, x: tf.Tensor = tf.zeros(3)) -> tf.Tensor:
        return tf.placeholder(1)
    """
    assert qualified(source) == ["tensorflow.function", "tensorflow.zeros", "tensorflow.Tensor", "tensorflow.Tensor"]


def test_global_declaration_means_the_module_import():
    source = """
    import tensorflow as tf
    def f():
        global tf
        return tf.placeholder(1)
    """
    assert qualified(source) == ["tensorflow.placeholder"]


def test_lazy_global_import_in_a_function_binds_the_module_name():
    source = """
    def setup():
        global tf
        import tensorflow as tf
    def build():
        return tf.placeholder(1)
    """
    assert qualified(source) == ["tensorflow.placeholder"]


def test_function_level_import_is_local_to_the_function():
    source = """
    def f():
        import tensorflow as tf
        return tf.placeholder(1)
    def g():
        return tf.placeholder(2)
    """
    assert refs(source) == [("tensorflow.placeholder", 4)]


def test_function_level_import_overrides_module_alias():
    source = """
    import numpy as tf
    def f():
        from tensorflow import compat as tf
        return tf.v1.placeholder(1)
    """
    assert qualified(source) == ["tensorflow.compat.v1.placeholder"]


def test_imports_below_their_use_count_inside_functions():
    # the function body runs after the whole module was imported
    source = """
    def f():
        return tf.placeholder(1)
    import tensorflow as tf
    """
    assert qualified(source) == ["tensorflow.placeholder"]


def test_try_import_wins_over_its_except_fallback():
    # the ``try`` branch is what runs where the import works
    source = """
    try:
        import tensorflow.compat.v1 as tf
    except ImportError:
        import tensorflow as tf
    x = tf.Session()
    """
    assert qualified(source) == ["tensorflow.compat.v1.Session"]


def test_imports_in_if_and_except_branches_bind():
    source = """
    try:
        import numpy as np
    except ImportError:
        import tensorflow as tf
    if flag:
        from tensorflow import nn
    x = tf.Session()
    y = nn.relu
    """
    assert qualified(source) == ["tensorflow.Session", "tensorflow.nn.relu"]


def test_prefixes_of_a_dotted_name_are_not_references_of_their_own():
    assert qualified("import tensorflow as tf\nx = tf.nn.rnn_cell.LSTMCell\n") == ["tensorflow.nn.rnn_cell.LSTMCell"]


def test_call_records_keywords_and_positional_count():
    scan = scan_source("import tensorflow as tf\ntf.nn.dropout(x, 0.5, keep_prob=1, *rest, **kw)\n")
    (ref,) = scan.references
    assert ref.is_call and ref.keywords == ("keep_prob",) and ref.positional == 2


def test_columns_are_characters_not_bytes():
    scan = scan_source("import tensorflow as tf\nname = 'héé'; x = tf.log(1)\n")
    (ref,) = scan.references
    assert ref.column == len("name = 'héé'; x = ")


def test_local_for_prefers_the_alias_the_code_used():
    bindings = Bindings()
    bindings.bind_import("tensorflow", "tf")
    bindings.bind_import("tensorflow", "foo")
    assert bindings.local_for("tensorflow.compat.v1.placeholder", prefer="foo") == "foo.compat.v1.placeholder"
    assert bindings.local_for("tensorflow.compat.v1.placeholder") == "tf.compat.v1.placeholder"
    assert bindings.local_for("torch.nn") is None


def test_mentions_framework_is_a_plain_text_check():
    assert mentions_framework("import tensorflow as tf\n")
    assert mentions_framework("import torch\n")
    assert not mentions_framework("import numpy as np\nx = np.zeros(3)\n")


def test_unparsable_source_raises_syntax_error():
    with pytest.raises(SyntaxError):
        scan_source("print 'hello'\n")
