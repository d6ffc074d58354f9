"""Everything outside an edited node stays byte for byte: comments, spacing, quotes, newlines, encodings.

Hand-written cases for each kind of formatting, then property tests: random
modules mixing untouched code (random spacing, comments, quotes, CRLF) with
calls the rules rename must come out exactly as predicted, parse, and convert
to themselves a second time.
"""
from __future__ import annotations

import codecs
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate.convert import ConvertOptions, convert_file
from migrate.engine import transform_source
from migrate.model import FileStatus, Safety
from migrate.rules import load_rules

APPLY = frozenset({Safety.SAFE, Safety.REVIEW})
NAMES = load_rules(["tf1_to_tf2"], select=["TF2001", "TF2002", "TF2007"])
ALL = load_rules(["tf1_to_tf2"])
WRITE = ConvertOptions(write=True)


def convert(source: str, ruleset=NAMES) -> str:
    return transform_source(source, ruleset, apply=APPLY).code


@pytest.mark.parametrize(
    "before,after",
    [
        pytest.param(
            "import tensorflow as tf\ny = tf.log(  # why\n    x,   # the input\n)  # done\n",
            "import tensorflow as tf\ny = tf.math.log(  # why\n    x,   # the input\n)  # done\n",
            id="comments-inside-a-call",
        ),
        pytest.param(
            "import tensorflow as tf\ny   =   tf.log (x , name = 'a' )\n",
            "import tensorflow as tf\ny   =   tf.math.log (x , name = 'a' )\n",
            id="odd-spacing",
        ),
        pytest.param(
            "import tensorflow as tf\na = tf.log('x'); b = \"y\"; c = '''z'''; d = r'\\d'\n",
            "import tensorflow as tf\na = tf.math.log('x'); b = \"y\"; c = '''z'''; d = r'\\d'\n",
            id="quotes",
        ),
        pytest.param(
            "import tensorflow as tf\nif x:\n\ty = tf.log(x)\t# tab\n",
            "import tensorflow as tf\nif x:\n\ty = tf.math.log(x)\t# tab\n",
            id="tabs",
        ),
        pytest.param(
            "import tensorflow as tf   \ny = tf.log(x)  \n\n\n   \nz = 1\t\n",
            "import tensorflow as tf   \ny = tf.math.log(x)  \n\n\n   \nz = 1\t\n",
            id="trailing-whitespace-and-blank-lines",
        ),
        pytest.param(
            "import tensorflow as tf\ny = tf.log(x)",
            "import tensorflow as tf\ny = tf.math.log(x)",
            id="no-newline-at-end",
        ),
        pytest.param(
            "import tensorflow as tf\ny = (tf.log)(x)\nz = ( tf . log )\n",
            "import tensorflow as tf\ny = (tf.math.log)(x)\nz = ( tf.math.log )\n",
            id="parenthesized-name",
        ),
        pytest.param(
            "import tensorflow as tf\ny = tf.log(x) \\\n    + 1\n",
            "import tensorflow as tf\ny = tf.math.log(x) \\\n    + 1\n",
            id="backslash-continuation",
        ),
    ],
)
def test_formatting_outside_the_edit_is_kept(before, after):
    assert convert(before) == after
    assert convert(after) == after


def test_crlf_kept_on_untouched_lines_and_used_for_inserted_ones():
    before = "import tensorflow as tf\r\n# a comment\r\n\r\nx = tf.placeholder(tf.float32)\r\nsess = tf.Session()\r\n"
    result = convert(before, ALL)
    assert result == (
        "import tensorflow as tf\r\n"
        "tf.compat.v1.disable_v2_behavior()\r\n"  # TF2301's line
        "# a comment\r\n\r\n"
        "x = tf.compat.v1.placeholder(tf.float32)\r\n"
        "sess = tf.compat.v1.Session()\r\n"
    )
    assert "\n" not in result.replace("\r\n", "")


def test_crlf_for_scheduled_imports_and_split_imports():
    before = "from tensorflow import nn, placeholder, constant\r\ncell = nn.rnn_cell.LSTMCell(3)\r\n"
    result = convert(before)
    assert result == (
        "from tensorflow import nn, constant\r\n"
        "from tensorflow.compat.v1 import placeholder\r\n"
        "import tensorflow as tf\r\n"
        "cell = tf.compat.v1.nn.rnn_cell.LSTMCell(3)\r\n"
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_blank_lines_before_a_whitespace_only_last_line_are_kept(newline):
    # libcst alone gives this back one blank line short (found by the property test below)
    before = f"import tensorflow as tf{newline}y = tf.log(x){newline}{newline} {newline}"
    assert convert(before) == before.replace("tf.log", "tf.math.log")


def test_empty_file_and_comment_only_file_are_unchanged():
    for source in ("", "\n", "# import tensorflow as tf\n# tf.placeholder\n", "#!/usr/bin/env python\n"):
        assert convert(source, ALL) == source


def test_docstring_and_future_import_stay_first():
    before = '"""Doc."""\nfrom __future__ import annotations\nfrom tensorflow import nn\ncell = nn.rnn_cell.LSTMCell(3)\n'
    result = convert(before)
    assert result.startswith('"""Doc."""\nfrom __future__ import annotations\nfrom tensorflow import nn\nimport tensorflow as tf\n')


# -- encodings, through the file pipeline (which owns decoding and encoding)


def _convert_in_place(tmp_path: Path, data: bytes, name: str = "m.py") -> tuple[FileStatus, bytes]:
    path = tmp_path / name
    path.write_bytes(data)
    result = convert_file(path, ALL, WRITE)
    assert result.error is None, result.error
    return result.status, path.read_bytes()


def test_latin1_file_with_coding_cookie_round_trips_in_its_encoding(tmp_path):
    text = "# -*- coding: latin-1 -*-\nimport tensorflow as tf\n# café crème\ny = tf.log(x)  # é\n"
    status, data = _convert_in_place(tmp_path, text.encode("latin-1"))
    assert status is FileStatus.CHANGED
    assert data == text.replace("tf.log", "tf.math.log").encode("latin-1")


def test_utf8_bom_is_kept(tmp_path):
    text = "import tensorflow as tf\ny = tf.log(x)  # ü\n"
    status, data = _convert_in_place(tmp_path, codecs.BOM_UTF8 + text.encode("utf-8"))
    assert status is FileStatus.CHANGED
    assert data == codecs.BOM_UTF8 + text.replace("tf.log", "tf.math.log").encode("utf-8")


def test_untouched_file_is_not_rewritten(tmp_path):
    data = b"import tensorflow as tf\r\nx = tf.constant(1)  \r\n"
    path = tmp_path / "m.py"
    path.write_bytes(data)
    before = path.stat().st_mtime_ns
    result = convert_file(path, ALL, WRITE)
    assert result.status is FileStatus.UNCHANGED
    assert path.read_bytes() == data and path.stat().st_mtime_ns == before


# -- property tests

_WORDS = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=6).filter(
    lambda w: w not in {"if", "in", "is", "or", "and", "not", "for", "def", "del", "as", "try", "with", "pass",
                        "else", "elif", "from", "while", "class", "raise", "yield", "async", "await", "break",
                        "lambda", "import", "return", "global", "assert", "except", "finally", "continue",
                        "nonlocal", "tf"}
)
_SPACE = st.sampled_from(["", " ", "  ", "\t"])
_COMMENT = st.one_of(
    st.just(""),
    st.builds(lambda s, text: f"{s}# {text}", st.sampled_from([" ", "  ", "\t"]),
              st.text(alphabet=string.ascii_letters + " éü—'\"tf.log()", max_size=20)),
)
_STRING = st.one_of(
    st.builds(lambda w: f"'{w}'", _WORDS),
    st.builds(lambda w: f'"{w}"', _WORDS),
    st.builds(lambda w: f"'''{w}'''", _WORDS),
    st.builds(lambda w: f"r'{w}\\d'", _WORDS),
    st.builds(lambda w: f'f"{{{w}}}"', _WORDS),
)
_ATOM = st.one_of(_WORDS, _STRING, st.integers(0, 10**6).map(str), st.just("tf.float32"), st.just("None"))


@st.composite
def _arguments(draw) -> str:
    args = draw(st.lists(_ATOM, max_size=3))
    parts = []
    for arg in args:
        parts.append(draw(_SPACE) + arg + draw(_SPACE))
    text = ",".join(parts)
    if args and draw(st.booleans()):
        text += ","  # trailing comma
    return text


# (TF1 spelling, what the rules turn it into); tf.constant is in no table and must stay
_CALLS = [("tf.log", "tf.math.log"), ("tf.placeholder", "tf.compat.v1.placeholder"),
          ("tf.Session", "tf.compat.v1.Session"), ("tf.constant", "tf.constant")]


@st.composite
def _statement(draw) -> tuple[str, str]:
    """One line of code as (before, expected after)."""
    kind = draw(st.sampled_from(["assign", "call", "tf_call", "tf_call", "if", "comment", "blank"]))
    comment = draw(_COMMENT)
    if kind == "blank":
        line = draw(st.sampled_from(["", " ", "\t"]))
        return line, line
    if kind == "comment":
        line = "#" + draw(st.text(alphabet=string.ascii_letters + " tf.log(placeholder)é", max_size=30))
        return line, line
    if kind == "assign":
        line = f"{draw(_WORDS)}{draw(_SPACE)}={draw(_SPACE)}{draw(_ATOM)}{comment}"
        return line, line
    if kind == "call":
        line = f"{draw(_WORDS)}({draw(_arguments())}){comment}"
        return line, line
    old, new = draw(st.sampled_from(_CALLS))
    target = draw(_WORDS)
    space = draw(_SPACE)
    arguments = draw(_arguments())
    prefix = "if True:\n    " if kind == "if" else ""
    return (f"{prefix}{target}{space}={space}{old}({arguments}){comment}",
            f"{prefix}{target}{space}={space}{new}({arguments}){comment}")


@st.composite
def tf_modules(draw) -> tuple[str, str]:
    """(module, expected conversion); the same random newline style throughout."""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    statements = draw(st.lists(_statement(), min_size=1, max_size=12))
    end = draw(st.sampled_from(["\n", ""]))
    header = "import tensorflow as tf\n"
    before = header + "\n".join(b for b, _ in statements) + end
    after = header + "\n".join(a for _, a in statements) + end
    return before.replace("\n", newline), after.replace("\n", newline)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tf_modules())
def test_random_modules_change_only_the_renamed_names(module):
    before, expected = module
    result = transform_source(before, NAMES, apply=APPLY)
    assert result.code == expected
    compile(result.code, "<converted>", "exec")
    assert transform_source(result.code, NAMES, apply=APPLY).code == result.code


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tf_modules())
def test_random_modules_with_every_rule_parse_and_convert_once(module):
    before, _ = module
    first = transform_source(before, ALL, apply=APPLY).code
    compile(first, "<converted>", "exec")
    assert transform_source(first, ALL, apply=APPLY).code == first


@settings(max_examples=100, deadline=None)
@given(st.lists(_statement(), max_size=10), st.sampled_from(["\n", "\r\n"]))
def test_modules_without_tensorflow_import_are_returned_as_they_are(statements, newline):
    # ``tf`` is never imported here: nothing resolves, nothing changes
    source = "\n".join(b for b, _ in statements).replace("\n", newline)
    assert transform_source(source, ALL, apply=APPLY).code == source
