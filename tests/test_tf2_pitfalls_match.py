"""Issue 7 for TF2107-TF2110 (migrate/tf1_to_tf2/tf2_pitfalls.py): the rules decide on the ``ast`` scan.

* ``lint`` reports them without the libcst engine: every tf1_to_tf2 rule example, valid snippet and
  corpus/tf1 file is linted in a fresh interpreter where importing libcst fails, with these four
  custom rules (and the tables) selected -- the family's other custom rules do not match on ``ast``
  yet, so they are ignored there -- and what lint says for the four codes is what convert says.
* Each edge case gives the same (code, place, message) from the ``ast`` matches, the units pass and
  the whole-module libcst pass, and the same rewritten text from both passes.
"""
from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from probe_support import NO_LIBCST

from migrate.engine import transform_source
from migrate.lint import CONVERT_APPLY
from migrate.resolve import scan_source
from migrate.rules import load_rules
from migrate.selection import filter_ruleset

ROOT = Path(__file__).resolve().parent.parent
CODES = ("TF2107", "TF2108", "TF2109", "TF2110")


@functools.cache
def _rules():
    return load_rules(["tf1_to_tf2"])


@functools.cache
def _selected():
    """The tables and these four rules: the custom rules lint can decide without libcst."""
    rules = _rules()
    return filter_ruleset(rules, ("ALL",), tuple(code for code in rules.custom if code not in CODES))


def _sources() -> list[tuple[str, str]]:
    sources = []
    for code, rule in sorted(_rules().rules.items()):
        for number, example in enumerate(rule.examples, 1):
            sources.append((f"{code}-example{number}", example.before))
        for number, valid in enumerate(rule.valid, 1):
            sources.append((f"{code}-valid{number}", valid))
    for path in sorted((ROOT / "corpus" / "tf1").glob("*.py")):
        sources.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    return sources + [(f"edge-{n}", text) for n, (text, _codes) in enumerate(EDGES)]


PROBE = NO_LIBCST + r'''
import json, sys

from migrate.lint import lint_source
from migrate.rules import load_rules
from migrate.selection import filter_ruleset

codes = set(sys.argv[1:])
rules = load_rules(["tf1_to_tf2"])
rules = filter_ruleset(rules, ("ALL",), tuple(code for code in rules.custom if code not in codes))
report = {"failed": [], "findings": {}}
for name, text in json.load(sys.stdin):
    outcome = lint_source(text, rules, name)
    if outcome.result.error:
        report["failed"].append(outcome.result.error)
    report["findings"][name] = sorted([f.code, f.line, f.column, f.message] for f in outcome.result.findings
                                      if f.code in codes)
report["libcst"] = any(m == "libcst" or m.startswith("libcst.") for m in sys.modules)
print(json.dumps(report))
'''


def _told(findings) -> list[list]:
    return sorted([f.code, f.line, f.column, f.message] for f in findings if f.code in CODES)


def test_lint_decides_tf2107_to_tf2110_without_libcst_and_tells_what_convert_tells():
    sources = _sources()
    result = subprocess.run([sys.executable, "-c", PROBE, *CODES], input=json.dumps(sources), capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["failed"] == []
    assert report["libcst"] is False
    linted = report["findings"]
    for name, text in sources:
        assert linted[name] == _told(transform_source(text, _selected(), apply=CONVERT_APPLY).findings), name
    reported = {code for found in linted.values() for code, *_ in found}
    assert reported == set(CODES)  # each rule did report somewhere


KERAS = "import tensorflow as tf\nmodel = tf.keras.Sequential()\n"
EDGES = [
    # TF2007 turns the compat.v1 alias into TF2's tensorflow: tf.device is TF2's there
    ("import tensorflow.compat.v1 as tf\ndef pick(op):\n    return '/cpu:0'\nwith tf.device(pick):\n    pass\n",
     {"TF2107"}),
    ("import tensorflow.compat.v1 as tf\nwith tf.device(device_name_or_function=lambda op: '/cpu:0'):\n    pass\n",
     {"TF2107"}),
    # a name bound to compat.v1's function itself is not re-pointed: it stays tf.compat.v1.device
    ("import tensorflow as tf\nfrom tensorflow.compat.v1 import device\nwith device(lambda op: '/cpu:0'):\n"
     "    pass\n", set()),
    ("import tensorflow as tf\nwith tf.device(tf.train.replica_device_setter(ps_tasks=1)):\n    pass\n", {"TF2107"}),
    ("import tensorflow as tf\ndef f(tf):\n    with tf.device(lambda op: 'x'):\n        pass\n", set()),
    ("import tensorflow as tf\nwith tf.device(name):\n    pass\n", set()),
    ("import tensorflow as tf\nimport tensorflow.python.nope as n, tensorflow.python.ops\n", {"TF2108"}),
    ("import tensorflow as tf\nfrom  tensorflow . python.nope import (x,\n    y)\n", {"TF2108"}),
    ("import tensorflow as tf\ndef f():\n    from tensorflow.python.nope import x\n    return x\n", {"TF2108"}),
    # in a one-line suite too (once missed: the pass's statement hook never saw one)
    ("import tensorflow as tf\ntry: import tensorflow.python.nope\nexcept ImportError: pass\n", {"TF2108"}),
    ("import tensorflow as tf\ns = 'é'; y = (tf.assert_scalar(x))\n", {"TF2109"}),
    ("import tensorflow.compat.v1 as tf\ny = [tf.assert_scalar(x)]\ntf.assert_scalar(x)\n", {"TF2109"}),
    ("import tensorflow as tf\ndef f(tf):\n    return tf.assert_scalar(x)\n", set()),
    ("def f():\n    import tensorflow as tf\n    return tf.debugging.assert_scalar(x)\n", {"TF2109"}),
    (KERAS + "tf.keras.models.save_model(model, filepath='out/m')\n", {"TF2110"}),
    (KERAS + "tf.keras.models.save_model(model, 'out/m', save_format='tf')\n", set()),
    (KERAS + "model.save('out/m')\nmodel.save('a' 'b')\nmodel.save(b'x')\nget().save('y')\n", {"TF2110"}),
    (KERAS + "tf.keras.models.save_model(model, 'p').save('q')\n", {"TF2110"}),
    ("import tensorflow as tf\nsaver.save(sess, 'out/model')\n", set()),
]


@pytest.mark.parametrize("source, codes", EDGES, ids=[f"edge-{n}" for n in range(len(EDGES))])
def test_ast_matches_are_what_both_passes_report(source, codes):
    rules = _rules()
    scan = scan_source(source)
    matched = sorted([m.rule.code, m.line, m.column, m.message] for custom in rules.transforms()
                     if custom.code in CODES and custom.applies(scan) for m in custom.matches(scan) or ())
    units = transform_source(source, rules, apply=CONVERT_APPLY)
    whole = transform_source(source, rules, apply=CONVERT_APPLY, units=False)
    assert units.code == whole.code
    assert matched == _told(units.findings) == _told(whole.findings)
    assert {code for code, *_ in matched} == codes


def test_device_function_through_the_compat_alias_is_rewritten():
    source = EDGES[0][0]
    result = transform_source(source, _rules(), apply=CONVERT_APPLY)
    assert "with tf.compat.v1.device(pick):" in result.code
    assert "import tensorflow as tf\n" in result.code


def test_report_only_rules_need_no_libcst_parse(monkeypatch):
    import libcst

    import migrate.engine as engine

    parsed: list[str] = []
    real = libcst.parse_module
    monkeypatch.setattr(engine.cst, "parse_module", lambda text, *a, **k: parsed.append(text) or real(text, *a, **k))
    body = "".join(f"a{n} = {n}\n" for n in range(20))
    source = ("import tensorflow as tf\nfrom tensorflow.python.nope import x\n" + body
              + "y = tf.debugging.assert_scalar(x)\nmodel = tf.keras.Sequential()\nmodel.save('out/m')\n")
    result = transform_source(source, _selected(), apply=CONVERT_APPLY)
    assert result.code == source
    assert sorted(f.code for f in result.findings) == ["TF2108", "TF2109", "TF2110"]
    assert parsed == []  # TF2109 once forced the whole-module pass; report-only matches need no libcst at all
    whole = transform_source(source, _selected(), apply=CONVERT_APPLY, units=False)
    assert _told(whole.findings) == _told(result.findings)
