"""The argument tables (TF2003-TF2006) decide once: ``migrate.arguments.plan_arguments`` on the ``ast`` call.

lint's checker and the text matcher report that plan; the libcst pass looks it up
by the call's position and only builds the nodes.  Here: the libcst pass follows
whatever plan it is given (it has no decision of its own), and awkward argument
lists give the text the pass wrote before the plan existed, the same result from
the units and the whole-module pass, and the same places in lint and convert.
"""
from __future__ import annotations

import functools

import pytest

from migrate import engine
from migrate.arguments import ArgumentPlan
from migrate.engine import transform_source
from migrate.lint import CONVERT_APPLY, check_module
from migrate.model import Safety
from migrate.rules import load_rules

H = "import tensorflow as tf\n"


@functools.cache
def _rules():
    return load_rules(["tf1_to_tf2"])


def test_the_libcst_pass_builds_the_plan_it_is_given(monkeypatch):
    source = H + "x = tf.nn.dropout(y, 0.5, None, 1, 'n')\ns = tf.reduce_sum(x, 1, keep_dims=True)\n"
    planned = []
    real = engine.plan_arguments

    def recorded(ruleset, qualified, node, may_fix):
        plan = real(ruleset, qualified, node, may_fix)
        planned.append((qualified, node.lineno, plan))
        return plan

    monkeypatch.setattr(engine, "plan_arguments", recorded)
    result = transform_source(source, _rules(), apply=CONVERT_APPLY)
    assert result.code == H + ("x = tf.nn.dropout(y, rate=1 - 0.5, noise_shape=None, seed=1, name='n')\n"
                               "s = tf.reduce_sum(x, 1, keepdims=True)\n")
    assert [(q, line) for q, line, _ in planned] == [("tensorflow.nn.dropout", 2), ("tensorflow.reduce_sum", 3)]
    steps = planned[0][2].steps
    assert [kind for _, kind, _, _ in steps] == ["name", "name", "name", "name", "value"]

    # a plan that changes nothing: the pass neither reports nor edits the arguments
    monkeypatch.setattr(engine, "plan_arguments", lambda *a: ArgumentPlan((), (), frozenset()))
    untouched = transform_source(source, _rules(), apply=CONVERT_APPLY)
    assert untouched.code == source
    assert not {"TF2003", "TF2004", "TF2006"} & {f.code for f in untouched.findings}


# (before, after with safe and review fixes applied): each after is what the pass wrote before the plan existed
CASES = [
    (H + "x = tf.nn.dropout(y, keep_prob = 0.5,)\n", H + "x = tf.nn.dropout(y, rate=1 - 0.5,)\n"),
    # both spellings given: reported, left for the user
    (H + "s = tf.reduce_sum(x, 1, keep_dims=True, keepdims=False)\n",
     H + "s = tf.reduce_sum(x, 1, keep_dims=True, keepdims=False)\n"),
    (H + "s = tf.reduce_sum(x, *a, keep_dims=True)\n", H + "s = tf.reduce_sum(x, *a, keepdims=True)\n"),
    (H + "s = tf.reduce_sum(x, keep_dims=True, **kw)\n", H + "s = tf.reduce_sum(x, keepdims=True, **kw)\n"),
    (H + "s = f'{tf.reduce_sum(x, keep_dims=True)}'\n", H + "s = f'{tf.reduce_sum(x, keepdims=True)}'\n"),
    (H + "s = tf.reduce_sum(\n    x,  # the input\n    reduction_indices=[1],\n    keep_dims=True,\n)\n",
     H + "s = tf.reduce_sum(\n    x,  # the input\n    axis=[1],\n    keepdims=True,\n)\n"),
    (H + "y = tf.nn.dropout(x, keep_prob=a + b)\n", H + "y = tf.nn.dropout(x, rate=1 - (a + b))\n"),
    (H + "s = (tf.reduce_sum)(x, keep_dims=True)\n", H + "s = (tf.reduce_sum)(x, keepdims=True)\n"),
    (H + "s = 'é'; t = tf.reduce_sum(x, keep_dims=True); u = tf.argmax(x, dimension=1)\n",
     H + "s = 'é'; t = tf.reduce_sum(x, keepdims=True); u = tf.argmax(x, axis=1)\n"),
    ("import tensorflow.compat.v1 as tf\ny = tf.nn.dropout(x, 0.5)\n", H + "y = tf.nn.dropout(x, rate=1 - 0.5)\n"),
    (H + "def f(tf):\n    return tf.reduce_sum(x, keep_dims=True)\n",
     H + "def f(tf):\n    return tf.reduce_sum(x, keep_dims=True)\n"),
    # a removal of the last argument leaves its trailing comma; a reorder then a rename on one argument
    (H + "t = tf.nn.conv2d(x, w, [1, 1, 1, 1], 'SAME', use_cudnn_on_gpu=True,\n)\n",
     H + "t = tf.nn.conv2d(x, w, [1, 1, 1, 1], 'SAME',\n)\n"),
    (H + "e = tf.expand_dims(x, 0, None, 1)\n", H + "e = tf.expand_dims(x, 0, None, axis=1)\n"),
]


@pytest.mark.parametrize("before, after", CASES, ids=[f"case-{n}" for n in range(len(CASES))])
def test_awkward_argument_lists(before, after):
    rules = _rules()
    units = transform_source(before, rules, apply=CONVERT_APPLY)
    whole = transform_source(before, rules, apply=CONVERT_APPLY, units=False)
    assert units.code == whole.code == after
    where = sorted({(f.code, f.line, f.column) for f in units.findings})
    assert where == sorted({(f.code, f.line, f.column) for f in whole.findings})
    assert where == sorted({(f.code, f.line, f.column) for f in check_module(before, rules)})
    # safe fixes only (lint --fix): a keyword removal (TF2005, review) is reported and left
    safe = transform_source(before, rules, apply=frozenset({Safety.SAFE}))
    assert safe.code == transform_source(before, rules, apply=frozenset({Safety.SAFE}), units=False).code


def test_call_at_finds_what_the_whole_tree_walk_finds():
    """The libcst pass finds a call's ``ast`` node by walking only the statements on its line."""
    from pathlib import Path

    from migrate.arguments import call_at, calls_by_position
    from migrate.resolve import scan_source

    root = Path(__file__).resolve().parent.parent
    sources = [p.read_text(encoding="utf-8") for p in sorted((root / "corpus" / "tf1").glob("*.py"))]
    sources.append(H + "@tf.function(x=tf.f(1))\ndef g(a=tf.h(2)):\n    try: tf.i(3)\n"
                       "    except tf.errors.E(4): pass\n    return [tf.j(k) for k in tf.k(5)]\n"
                       "if tf.a(1): b = tf.b(2); c = tf.c(3)\nmatch tf.m(1):\n    case 1: tf.n(2)\n")
    checked = 0
    for source in sources:
        whole = calls_by_position(scan_source(source))
        scan = scan_source(source)
        for (line, column), node in whole.items():
            assert call_at(scan, line, column) is not None
            assert call_at(scan, line, column).lineno == node.lineno
            assert call_at(scan, line, column).col_offset == node.col_offset
            checked += 1
        assert call_at(scan, 1, 99) is None
    assert checked > 500
