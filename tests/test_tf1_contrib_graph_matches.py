"""Issue 7 for TF2103, TF2105, TF2301 and TF2302: they decide on the ``ast``; ``lint`` never runs the engine for them.

* Their decisions (``CustomTransform.match``) are computed in an interpreter where importing libcst fails.
* ``lint`` tells exactly what ``convert`` tells (code, place, message, severity, safety) on every
  tf1_to_tf2 rule example and valid snippet, every corpus/tf1 program and the edge cases below, and never
  calls the engine to do it.  The other custom rules of the rule set (TF2007-TF2013, TF2107-TF2110) still
  decide on the libcst tree, so they are ignored here: with them selected, lint runs the engine for them.
* The units pass (libcst on the edited statements only) gives the whole-module pass's text and findings on
  the edge cases of the graph-mode switch's placement and of the contrib conversions.
"""
from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from probe_support import NO_LIBCST, told

import migrate.engine as engine
from migrate.engine import transform_source
from migrate.lint import CONVERT_APPLY, check_module
from migrate.rules import load_rules, rulesets_for_target
from migrate.selection import filter_ruleset

ROOT = Path(__file__).resolve().parent.parent
OTHERS = ("TF2007", "TF2008", "TF2009", "TF2010", "TF2011", "TF2012", "TF2013", "TF2107", "TF2108", "TF2109", "TF2110")
CODES = ("TF2103", "TF2105", "TF2301", "TF2302")

EDGE_CASES = {
    # graph mode: where the switch goes
    "guard-comment": 'import tensorflow as tf\n\n\ndef main():\n    s = tf.Session()\n\n\nif __name__ == "__main__":\n'
                     '    # start\n    main()\n',
    "split-import-before-block": '"""doc"""\nfrom __future__ import print_function\nimport os\nos.environ["X"] = "1"\n'
                                 'import tensorflow as tf\nfrom tensorflow import placeholder, Session, contrib\n'
                                 'import numpy as np\nx = placeholder(tf.float32)\nwith Session() as s:\n'
                                 '    print(s.run(x, {x: 1.0}))\n',
    "try-import-and-guard": 'import tensorflow as tf\ntry:\n    import numpy as np\nexcept ImportError:\n    np = None\n'
                            'from tensorflow import placeholder, Session\n\n\ndef main():\n'
                            '    x = placeholder(tf.float32)\n    with tf.Session() as s:\n        print(s.run(x, {x: 1.0}))\n\n'
                            'if __name__ == "__main__":\n    main()\n',
    "import-after-code": 'from tensorflow import placeholder, Session\nx = placeholder("float")\ns = Session()\n'
                         'import tensorflow as tf\n',
    "no-module-level-import": "def run():\n    import tensorflow as tf\n    return tf.Session()\n\n\nrun()\n",
    "library": "import tensorflow as tf\n\n\ndef build():\n    return tf.placeholder(tf.float32, [None, 3])\n",
    "enables-eager": "import tensorflow as tf\ntf.enable_eager_execution()\nx = tf.placeholder(tf.float32)\n",
    "contrib-and-switch": "import tensorflow as tf\nimport tensorflow.contrib.slim as slim\n"
                          "x = tf.placeholder(tf.float32); y = slim.l2_regularizer(0.1)\nsess = tf.Session()\n",
    # TF2103: conversions, refusals, uses that are not calls
    "contrib-calls": 'import tensorflow as tf\nimport tensorflow.contrib.slim as slim\n'
                     'from tensorflow.contrib import layers as contrib_layers\n'
                     'from tensorflow.contrib.framework import load_variable\n'
                     'a = slim.l2_regularizer(\n    scale=(0.1),\n    scope="x")\n'
                     'b = contrib_layers.variance_scaling_initializer(f(2), "FAN_AVG", uniform=u)\n'
                     'c = contrib_layers.variance_scaling_initializer(f(2), mode, uniform=True)\n'
                     'd = contrib_layers.variance_scaling_initializer(factor=k.x, mode=m.n, uniform=(False), seed=1)\n'
                     'e = contrib_layers.xavier_initializer(False, 3)\n'
                     'g = contrib_layers.xavier_initializer_conv2d(uniform=g(), seed=2)\n'
                     'h = slim.l1_regularizer()\ni = load_variable("/x", "w")\n'
                     'k2 = tf.contrib.framework.load_variable(\n    "/ckpt",\n    "w",\n)\n'
                     "l = slim.variance_scaling_initializer(mode='''FAN_IN''', factor=x + 1)\n"
                     'm2 = slim.variance_scaling_initializer(mode="fan_in" "x")\nm3 = slim.variance_scaling_initializer(mode=r"FAN_OUT")\n'
                     'n = slim.l2_regularizer(a + b)\no = slim.xavier_initializer(foo=1)\np = [slim.xavier_initializer]\n'
                     'q = slim.l1_regularizer(*args)\n',
    "contrib-through-compat-alias": "import tensorflow.compat.v1 as tf\ninit = tf.contrib.layers.xavier_initializer()\n"
                                    "r = tf.contrib.layers.l2_regularizer\n",
    # TF2105: is the import still used once the other rules rewrote the file?
    "renamed-target-keeps-name": "import tensorflow as tf\nfrom tensorflow.contrib import layers\nx = tf.layers.dense(y, 3)\n"
                                 "i = layers.xavier_initializer()\n",
    "name-inside-converted-callee": "import tensorflow as tf\nfrom tensorflow.contrib import layers\n"
                                    "i = tf.contrib.layers.xavier_initializer()\nr = layers.l2_regularizer(0.1)\n",
    "never-used": "import tensorflow as tf\nimport tensorflow.contrib.slim as slim\nx = tf.placeholder(tf.float32)\n",
    "one-name-of-two-used": "import tensorflow as tf\nfrom tensorflow.contrib import slim, layers\n"
                            "net = slim.conv2d(x, 3, [3, 3])\ni = layers.xavier_initializer()\n",
    "parenthesized-names": "import tensorflow as tf\nfrom tensorflow.contrib import (\n    layers,\n    slim,\n)\n"
                           "i = layers.xavier_initializer()\nr = slim.l1_regularizer(0.1)\n",
    "used-as-value": 'import tensorflow as tf\nfrom tensorflow.contrib.layers import xavier_initializer as xi\na = xi()\n'
                     'b = tf.get_variable("w", [1], initializer=xi)\n',
    "in-dropped-scope": "import tensorflow as tf\nimport tensorflow.contrib.slim as slim\n"
                        "r = tf.contrib.layers.l2_regularizer(tf.constant(1.0), scope=slim.foo)\n",
    "in-kept-argument": 'import tensorflow as tf\nimport tensorflow.contrib.slim as slim\n'
                        'r = tf.contrib.layers.l2_regularizer(slim.foo, scope="s")\n',
    "name-equals-new-keyword": "import tensorflow as tf\n"
                               "from tensorflow.contrib.layers import l2_regularizer as l2, l1_regularizer\n"
                               "r = l2(0.1)\nq = l1_regularizer(scale=0.2)\n",
    "renamed-by-table": "import tensorflow as tf\nfrom tensorflow.contrib import data as cdata\nd = cdata.AUTOTUNE\n"
                        "c = cdata.Counter()\n",
    "compat-alias": "import tensorflow.compat.v1 as tf\nfrom tensorflow.contrib import layers as cl\n"
                    "i = tf.contrib.layers.xavier_initializer()\nj = cl.xavier_initializer(uniform=False)\n",
    "first-statement": "from tensorflow.contrib import layers as cl\nimport tensorflow as tf\ni = cl.xavier_initializer()\n",
    "function-level": "import tensorflow as tf\ndef f():\n    from tensorflow.contrib import layers as cl\n"
                      "    return cl.xavier_initializer()\n",
    "from-tensorflow-import-contrib": "import tensorflow as tf\nfrom tensorflow import contrib\n"
                                      "i = contrib.layers.xavier_initializer()\n",
    "parameter-of-that-name": "import tensorflow as tf\nimport tensorflow.contrib.layers as layers\n"
                              "i = layers.xavier_initializer()\ndef f(layers=None):\n    return layers\n",
    "new-callee-keeps-name": 'import tensorflow as tf\nfrom tensorflow.contrib.framework import load_variable\n'
                             'v = load_variable(checkpoint_dir="/c", name="w")\n',
    "comments-between": "import tensorflow as tf\nfrom tensorflow.contrib import layers as contrib_layers  # noqa\n\n\n"
                        "# keep\nfrom tensorflow.contrib import slim\nnet = contrib_layers.xavier_initializer()\n",
    "crlf": "import tensorflow as tf\r\nimport tensorflow.contrib.slim as slim\r\n\r\nnet = slim.conv2d(x, 3, [3, 3])\r\n"
            "y = slim.l2_regularizer(0.1)\r\n",
    "crlf-unused": "import tensorflow as tf\r\nimport tensorflow.contrib.slim as slim\r\n\r\ny = slim.l2_regularizer(0.1)\r\n",
    "non-ascii": '# é ü\nimport tensorflow as tf\nimport tensorflow.contrib.slim as slim\n'
                 'é = 1; y = slim.l2_regularizer(0.1); z = "ü"; slim_x = slim\n',
    "non-ascii-alias": "# é\nimport tensorflow as tf\nfrom tensorflow.contrib import layers as é_l, slim  # ü\n"
                       "i = é_l.xavier_initializer()\n",
    "name-in-replacement-text": "import tensorflow as tf\nfrom tensorflow.contrib import layers as lower\n"
                                "i = tf.contrib.layers.variance_scaling_initializer(mode=m)\n",
}


@functools.cache
def _rules():
    ruleset = filter_ruleset(load_rules(rulesets_for_target("tf2-compat")), ("ALL",), OTHERS)
    assert set(CODES) <= set(ruleset.custom)
    return ruleset


def _sources() -> list[tuple[str, str]]:
    sources = []
    for code, rule in sorted(load_rules(["tf1_to_tf2"]).rules.items()):
        sources += [(f"{code}-example{n}", e.before) for n, e in enumerate(rule.examples, 1)]
        sources += [(f"{code}-valid{n}", v) for n, v in enumerate(rule.valid, 1)]
    sources += [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in sorted((ROOT / "corpus/tf1").glob("*.py"))]
    return sources + sorted(EDGE_CASES.items())


PROBE = NO_LIBCST + r'''
import json, sys

from migrate.resolve import scan_source
from migrate.rules import load_rules
from migrate.tf1_to_tf2.contrib_calls import ContribCalls
from migrate.tf1_to_tf2.contrib_imports import UnusedContribImport
from migrate.tf1_to_tf2.graph_mode import GraphModeLibrary, GraphModeProgram

rules = load_rules(["tf1_to_tf2"])
transforms = [kind(rules.rules[kind.code], rules.entries.get(kind.code, {}))
              for kind in (ContribCalls, UnusedContribImport, GraphModeProgram, GraphModeLibrary)]
for transform in transforms:
    transform.siblings, transform.ruleset = tuple(transforms), rules
found = {}
for name, text in json.load(sys.stdin):
    try:
        scan = scan_source(text, name)
    except SyntaxError:
        continue
    for transform in transforms:
        if transform.applies(scan):
            matches = transform.matches(scan)
            assert matches is not None, (transform.code, name)
            found[transform.code] = found.get(transform.code, 0) + len(matches)
print(json.dumps({"found": found, "libcst": any(m.split(".")[0] == "libcst" for m in sys.modules)}))
'''


def test_the_decisions_need_no_libcst():
    result = subprocess.run([sys.executable, "-c", PROBE], input=json.dumps(_sources()), capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["libcst"] is False
    assert all(report["found"].get(code, 0) > 5 for code in CODES), report  # every rule did match


@pytest.mark.parametrize("name, source", _sources(), ids=[name for name, _ in _sources()])
def test_lint_tells_what_convert_tells_without_the_engine(name, source, monkeypatch):
    ruleset = _rules()
    converted = transform_source(source, ruleset, apply=CONVERT_APPLY, filename="<case>").findings

    def engine_called(*args, **kwargs):
        raise AssertionError("lint ran the engine")

    monkeypatch.setattr(engine, "transform_source", engine_called)
    assert told(check_module(source, ruleset, "<case>")) == told(converted)


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_units_pass_gives_the_whole_module_result(name):
    ruleset = load_rules(rulesets_for_target("tf2-compat"))
    units = transform_source(EDGE_CASES[name], ruleset, apply=CONVERT_APPLY)
    whole = transform_source(EDGE_CASES[name], ruleset, apply=CONVERT_APPLY, units=False)
    assert units.code == whole.code
    assert told(units.findings) == told(whole.findings)


def test_a_comment_above_the_guard_body_stays_above_the_switch():
    result = transform_source(EDGE_CASES["guard-comment"], load_rules(rulesets_for_target("tf2-compat")), units=False)
    assert result.code.endswith("    # start\n    tf.compat.v1.disable_v2_behavior()\n    main()\n")


def test_contrib_calls_through_the_compat_alias_are_converted():
    result = transform_source(EDGE_CASES["contrib-through-compat-alias"], load_rules(rulesets_for_target("tf2-compat")))
    assert "init = tf.compat.v1.glorot_uniform_initializer()\n" in result.code
    assert [(f.code, f.line, f.fixed) for f in result.findings if f.code == "TF2103"] == [("TF2103", 2, True),
                                                                                          ("TF2103", 3, False)]


def test_the_removed_import_withdraws_its_tf2101_in_lint_too():
    source = EDGE_CASES["name-inside-converted-callee"].replace("import layers\n", "import layers, slim\n")
    linted = told(check_module(source, _rules(), "<case>"))
    assert [t[:3] for t in linted if t[0] in ("TF2101", "TF2105")] == [("TF2105", 2, 1)]
