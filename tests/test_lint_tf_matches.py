"""Issue 7 for ``--to tf2-compat``: the tf1_to_tf2 custom rules that have ``match`` decide on the ``ast``.

* ``lint`` never runs the libcst engine (nor any libcst parse) for a file because of those rules: every
  rules/tf1_to_tf2 example and valid snippet, every corpus/tf1 program and the cases below are linted with
  the engine and libcst's parsers made to fail (the rules still without ``match`` are left out here; each
  rule that gains one is covered with no edit to this test).
* ``lint`` tells what ``convert`` tells on them: code, place, message, safety, severity.
* The modules of those rules import without libcst (lint imports them).
* TF2007's re-pointing of the compat.v1 alias is read by lint's checker from the scan (``rebinds``), and a
  rule that rewrites a whole call supersedes the rename of its callee in lint as in convert (its data's
  ``supersedes``), also where the callee is parenthesized.
"""
from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from probe_support import NO_LIBCST, lint_probe, told

from migrate.engine import transform_source
from migrate.lint import CONVERT_APPLY, check_module
from migrate.rules import load_rules
from migrate.selection import filter_ruleset

ROOT = Path(__file__).resolve().parent.parent

CASES = {
    "compat-import-and-names": "import tensorflow.compat.v1 as tf\nx = tf.placeholder(tf.float32)\n"
                               "y = tf.to_float(x)\nz = tf.compat.v1.to_float(x)\n",
    "compat-shares-its-statement": "import tensorflow.compat.v1 as tf, numpy as np\na = tf.to_float(x)\n"
                                   "b = tf.placeholder(tf.float32)\n",
    "compat-semicolon": "import tensorflow.compat.v1 as tf ;  # c\nx = tf.Session()\n",
    "compat-in-function": "import numpy as np\ndef f():\n    import tensorflow.compat.v1 as tf\n"
                          "    return tf.to_float(tf.placeholder(tf.float32))\n",
    "compat-from-v1": "from tensorflow.compat import v1\na = v1.to_float(x)\nv1.disable_v2_behavior()\n",
    "compat-and-plain": "import tensorflow.compat.v1 as tf\nimport tensorflow as tf2\na = tf.placeholder(tf.float32)\n"
                        "b = tf2.compat.v1.placeholder(tf2.float32)\nc = tf2.to_float(a)\n",
    # only a local bound to exactly the compat.v1 module is re-pointed (plugin.rebind_dotted), not a name written
    # through plain ``tensorflow``: convert leaves ``tf2.compat.v1.contrib...`` alone, so lint may not offer its fix
    "compat-contrib-through-plain-alias": "import tensorflow.compat.v1 as tf\nimport tensorflow as tf2\n"
                                          "a = tf.contrib.layers.xavier_initializer()\n"
                                          "b = tf2.compat.v1.contrib.layers.xavier_initializer()\n"
                                          "c = tf2.compat.v1.contrib.layers.l2_regularizer\n",
    "cast-shapes": "import tensorflow as tf\na = tf.to_float(x)\nb = tf.to_int32(x, 'n')\nd = tf.to_double(*xs)\n"
                   "e = tf.to_float(x, 'n', 3)\ng = (tf.to_float)(x)\nh = (tf.to_float(x))\n"
                   "j = tf.to_float(tf.to_int32(x))\ns = 'é'; l = tf.to_float(x)\n",
    "moved-shapes": "import tensorflow as tf\na = tf.multinomial(logits, 1, 3, 'n', tf.int64)\n"
                    "d = tf.multinomial(logits, 1, output_dtype=tf.int64, dtype=tf.int32)\n"
                    "g = tf.arg_max(x, 1, tf.int32, 'n', 'extra')\nh = tf.gfile.Copy('a', 'b', True)\n",
    "softmax-shapes": "import tensorflow as tf\na = tf.nn.softmax_cross_entropy_with_logits(y, z)\n"
                      "b = tf.nn.softmax_cross_entropy_with_logits(labels=tf.stop_gradient(y), logits=z)\n"
                      "c = tf.nn.softmax_cross_entropy_with_logits(logits=z, labels=y, dim=1)\n",
    "resize-shapes": "import tensorflow as tf\na = tf.image.resize_bilinear(img, [2, 2], half_pixel_centers=True)\n"
                     "b = tf.image.resize_bilinear(img, [2, 2])\nc = tf.image.resize_images(img, [8, 8], 1)\n"
                     "d = tf.image.resize_images(img, [8, 8], method=tf.image.ResizeMethod.AREA)\n"
                     "g = tf.image.resize(img, [2, 2], align_corners=True)\nh = tf.image.resize(img, [2, 2], 3)\n"
                     "m = tf.image.resize_nearest_neighbor(img, [2, 2], True, half_pixel_centers=True)\n"
                     "o = tf.image.resize_images(img, [2, 2], 7)\n",
    "added-shapes": "import tensorflow as tf\na = tf.nn.dilation2d(x, k, [1, 1, 1, 1], [1, 1, 1, 1], 'SAME')\n"
                    "b = tf.nn.dilation2d(x, k, [1, 1, 1, 1], 'SAME', 'NHWC', [1, 1, 1, 1])\n"
                    "e = tf.nn.dilation2d(x, k, **kw)\n",
    "dataset-shapes": "import tensorflow as tf\nds = tf.data.Dataset.range(3)\nit = ds.make_one_shot_iterator()\n"
                      "it2 = tf.data.Dataset.range(3).batch(2).make_initializable_iterator(shared_name='s')\n"
                      "it3 = ds.make_one_shot_iterator(*a)\nit4 = tf.data.make_one_shot_iterator(ds)\n",
}


def _sources() -> list[tuple[str, str]]:
    rules = load_rules(["tf1_to_tf2"])
    sources = []
    for code, rule in sorted(rules.rules.items()):
        sources += [(f"{code}-example{n}", e.before) for n, e in enumerate(rule.examples, 1)]
        sources += [(f"{code}-valid{n}", v) for n, v in enumerate(rule.valid, 1)]
    for path in sorted((ROOT / "corpus" / "tf1").rglob("*.py")):
        sources.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    return sources + sorted(CASES.items())


@functools.cache
def _matched_rules():
    """tf1_to_tf2 with the custom rules that have no ``match`` yet left out."""
    full = load_rules(["tf1_to_tf2"])
    undecided = [c.code for c in full.transforms() if not c.has_match()]
    return filter_ruleset(full, ("ALL",), undecided), undecided


def test_lint_never_runs_the_engine_for_the_rules_that_match(monkeypatch):
    import libcst

    import migrate.engine as engine

    rules, _ = _matched_rules()
    assert {"TF2007", "TF2008", "TF2009", "TF2010", "TF2011", "TF2012", "TF2013"} <= set(rules.custom)

    def refuse(*args, **kwargs):
        raise AssertionError("lint reached libcst")

    monkeypatch.setattr(engine, "transform_source", refuse)
    for name in ("parse_module", "parse_statement", "parse_expression"):
        monkeypatch.setattr(libcst, name, refuse)
    sources = _sources()
    found = {code for name, text in sources for code in (f.code for f in check_module(text, rules, name))}
    assert len(sources) > 60
    assert {"TF2007", "TF2008", "TF2009", "TF2010", "TF2011", "TF2012", "TF2013"} <= found


@pytest.mark.parametrize("name, text", _sources(), ids=[name for name, _ in _sources()])
def test_lint_tells_what_convert_tells(name, text):
    rules, _ = _matched_rules()
    converted = transform_source(text, rules, apply=CONVERT_APPLY, filename=name).findings
    assert told(check_module(text, rules, name)) == told(converted)


PROBE = NO_LIBCST + r'''
import importlib, json, sys

for module in json.load(sys.stdin):
    importlib.import_module(module)
print(json.dumps(any(m == "libcst" or m.startswith("libcst.") for m in sys.modules)))
'''


def test_the_modules_of_rules_that_match_import_without_libcst():
    full = load_rules(["tf1_to_tf2"])
    modules = sorted({type(c).__module__ for c in full.transforms() if c.has_match()} | {"migrate.kinds.calls"})
    assert len(modules) >= 8
    result = subprocess.run([sys.executable, "-c", PROBE], input=json.dumps(modules), capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) is False


def test_a_whole_call_rewrite_supersedes_the_rename_of_its_callee_in_lint_and_convert():
    rules = load_rules(["tf1_to_tf2"])
    assert {"TF2001", "TF2002"} <= set(rules.rules["TF2008"].supersedes)
    source = "import tensorflow as tf\ng = (tf.to_float)(x)\nh = tf.image.resize(img, [2, 2], 1)\nk = tf.to_float(*a)\n"
    converted = transform_source(source, rules, apply=CONVERT_APPLY)
    assert converted.code == ("import tensorflow as tf\ng = tf.cast(x, dtype=tf.float32)\n"
                              "h = tf.compat.v1.image.resize(img, [2, 2], 1)\nk = tf.compat.v1.to_float(*a)\n")
    places = [(f.code, f.line, f.column) for f in check_module(source, rules)]
    assert places == [(f.code, f.line, f.column) for f in converted.findings]
    # the rewritten calls keep only their own finding; the unfixable one keeps the rename beside it
    assert [code for code, line, _ in places if line == 2] == ["TF2008"]
    assert sorted(code for code, line, _ in places if line == 4) == ["TF2002", "TF2008"]


def test_lint_reads_references_through_the_compat_alias_as_convert_does():
    rules = load_rules(["tf1_to_tf2"])
    source = CASES["compat-shares-its-statement"]  # the import cannot be rewritten alone, the alias is re-pointed
    converted = transform_source(source, rules, apply=CONVERT_APPLY)
    assert "b = tf.compat.v1.placeholder(tf.float32)" in converted.code
    assert told(check_module(source, rules)) == told(converted.findings)
    assert {"TF2002", "TF2008"} <= {f.code for f in converted.findings}


# -- the full probe: lint --to tf2-compat over every TF1 source the project holds, libcst unimportable

FULL_PROBE = lint_probe("tf2-compat")


def _fixture_tf_files() -> list[Path]:
    return sorted(p for p in (ROOT / "tests" / "fixtures").rglob("*.py")
                  if "tensorflow" in p.read_text(encoding="utf-8", errors="replace"))


def test_lint_tf2_compat_over_every_tf1_source_never_imports_libcst(tmp_path):
    # one fresh interpreter where ``import libcst`` fails: every rules/tf1_to_tf2 example ``before`` (written
    # to files), every corpus/tf1 program and the TF files under tests/fixtures are linted in one run
    rules = load_rules(["tf1_to_tf2"])
    examples = [(code, n, e.before) for code, rule in sorted(rules.rules.items())
                for n, e in enumerate(rule.examples, 1)]
    for code, n, before in examples:
        (tmp_path / f"{code}_example{n}.py").write_text(before, encoding="utf-8")
    corpus = sorted((ROOT / "corpus" / "tf1").rglob("*.py"))
    fixtures = _fixture_tf_files()
    assert len(examples) > 40 and len(corpus) > 20 and len(fixtures) > 5
    paths = [str(tmp_path), *map(str, corpus), *map(str, fixtures)]
    result = subprocess.run([sys.executable, "-c", FULL_PROBE], input=json.dumps(paths), capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    probe = json.loads(result.stdout.splitlines()[-1])
    assert probe["libcst"] == [], probe["libcst"]
    assert probe["code"] in (0, 1), (probe["code"], probe["stderr"][-3000:])
    assert "internal error" not in probe["stdout"] + probe["stderr"], probe["stderr"][-3000:]
    findings = json.loads(probe["stdout"])
    linted = {(ROOT / f["path"]).resolve() for f in findings}
    # the run read every file (each of these sources has a finding), and the structural rules spoke
    assert {p.resolve() for p in corpus} <= linted, sorted(map(str, {p.resolve() for p in corpus} - linted))
    assert len({p for p in linted if p.parent == tmp_path.resolve()}) >= len(examples) * 9 // 10
    assert {"TF2007", "TF2008", "TF2103", "TF2301"} <= {f["code"] for f in findings}
