"""``lint`` and ``convert`` agree: the same (code, line, column) set on every rule example, fixture and corpus file.

``lint`` matches on ``ast`` without libcst; ``convert`` reports from its rewriting
pass.  Whatever a user is told by one, the other tells at the same place.
"""
from __future__ import annotations

import functools
from pathlib import Path

import pytest

from migrate.engine import transform_source
from migrate.lint import CONVERT_APPLY, check_module
from migrate.model import Safety
from migrate.rules import available_rulesets, load_rules

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def ruleset(name: str):
    return load_rules([name])


def _cases():
    for name in sorted(available_rulesets()):
        for code, rule in sorted(ruleset(name).rules.items()):
            for number, example in enumerate(rule.examples, 1):
                yield pytest.param(name, example.before, id=f"{code}-example{number}")
    for path in sorted((ROOT / "tests" / "fixtures" / "torch").glob("*.py")):
        yield pytest.param("torch_deprecations", path.read_text(encoding="utf-8"), id=f"fixture-{path.stem}")
    for path in sorted((ROOT / "corpus" / "tf1").glob("*.py")):
        yield pytest.param("tf1_to_tf2", path.read_text(encoding="utf-8"), id=f"corpus-{path.stem}")


def _where(findings):
    return sorted({(f.code, f.line, f.column) for f in findings})


@pytest.mark.parametrize("name, source", list(_cases()))
def test_lint_and_convert_report_the_same_places(name, source):
    rules = ruleset(name)
    converted = transform_source(source, rules, apply=CONVERT_APPLY, filename="<case>")
    assert _where(check_module(source, rules, "<case>")) == _where(converted.findings)


@pytest.mark.parametrize("name, source", list(_cases()))
def test_statement_units_give_the_whole_module_result(name, source):
    """libcst sees only the statements that carry an edit; the text and findings are the whole pass's."""
    rules = ruleset(name)
    units = transform_source(source, rules, apply=CONVERT_APPLY, filename="<case>")
    whole = transform_source(source, rules, apply=CONVERT_APPLY, filename="<case>", units=False)
    assert units.code == whole.code
    assert _where(units.findings) == _where(whole.findings)


def test_only_statements_with_an_edit_reach_libcst(monkeypatch):
    import libcst

    import migrate.engine as engine

    parsed: list[str] = []
    real = libcst.parse_module
    monkeypatch.setattr(engine.cst, "parse_module", lambda text, *a, **k: parsed.append(text) or real(text, *a, **k))
    source = (
        "import tensorflow as tf\n\n\n"
        "def untouched(x):\n    # a comment\n    return tf.nn.relu(x)\n\n\n"
        "def model(x):\n    y = tf.nn.relu(x)\n    z = tf.log(y)  # renamed\n    return z\n"
    )
    result = transform_source(source, ruleset("tf1_to_tf2"), apply=CONVERT_APPLY)
    assert result.code == source.replace("tf.log(y)", "tf.math.log(y)")
    assert parsed == []  # a rename is a text edit: no libcst parse at all
    (renamed,) = result.findings
    assert renamed.fixed and renamed.fix is not None and not renamed.fix.needs_cst
    (edit,) = renamed.fix.edits
    assert source[edit.start:edit.end] == "tf.log" and edit.text == "tf.math.log"

    parsed.clear()
    rules = ruleset("tf1_to_tf2")
    call = next(name for name, entries in rules.keyword_renames.items() if entries)
    keyword = rules.keyword_renames[call][0][0]
    local = "tf" + call[len("tensorflow"):]
    source = source.replace("y = tf.nn.relu(x)", f"y = {local}(x, {keyword}=1)")
    result = transform_source(source, rules, apply=CONVERT_APPLY)
    # an argument list is rebuilt by libcst: only that statement is parsed; the rename stays a text edit
    assert parsed == [f"if 1:\n    y = {local}(x, {keyword}=1)\n"]
    assert result.code == transform_source(source, rules, apply=CONVERT_APPLY, units=False).code


def _everything(findings):
    # end positions are left out: custom rules report some findings with ``report_at`` (no end) in units
    return sorted((f.code, f.line, f.column, f.fixed, f.message, f.severity, f.safety) for f in set(findings))


@pytest.mark.parametrize("name, source", list(_cases()))
def test_text_edits_give_the_libcst_result(name, source):
    """The matcher's text edits (units pass) against libcst on the whole module: same bytes, same findings."""
    rules = ruleset(name)
    for apply in (CONVERT_APPLY, frozenset({Safety.SAFE})):
        textual = transform_source(source, rules, apply=apply, filename="<case>")
        whole = transform_source(source, rules, apply=apply, filename="<case>", units=False)
        assert textual.code == whole.code
        assert _everything(textual.findings) == _everything(whole.findings)


_CONTRIB_CASES = {  # contrib imports nothing uses (any more); TF2103's calls take the whole-module pass themselves
    "alone": "import tensorflow as tf\nfrom tensorflow.contrib import layers as contrib_layers\nx = tf.log(1.0)\n",
    "comments above": "import os\nimport tensorflow as tf\n\n# contrib helpers\n\n"
                      "from tensorflow.contrib import layers as contrib_layers  # old\nx = tf.log(1.0)\n",
    "still used": "import tensorflow as tf\nfrom tensorflow.contrib import layers as contrib_layers\n"
                  "net = contrib_layers.flatten(x)\n",
    "two names, one kept": "import tensorflow as tf\nfrom tensorflow.contrib import layers, slim\n"
                           "net = slim.unknown(x)\n",
    "first statement": "from tensorflow.contrib import layers as contrib_layers\nimport tensorflow as tf\n"
                       "x = tf.log(1.0)\n",
    "after a function": "import tensorflow as tf\n\ndef f():\n    return 1\n\n"
                        "from tensorflow.contrib import layers as contrib_layers\nx = tf.log(1.0)\n",
}


@pytest.mark.parametrize("case", sorted(_CONTRIB_CASES))
def test_unused_contrib_imports_go_in_the_units_pass(case, monkeypatch):
    """TF2105 deletes the import as text after the rewrite; where the text way could differ from
    libcst's (a name kept, no statement above, a compound one above) the whole module is parsed."""
    import libcst

    import migrate.engine as engine

    source = _CONTRIB_CASES[case]
    rules = ruleset("tf1_to_tf2")
    whole = transform_source(source, rules, apply=CONVERT_APPLY, units=False)
    parsed: list[str] = []
    real = libcst.parse_module
    monkeypatch.setattr(engine.cst, "parse_module", lambda text, *a, **k: parsed.append(text) or real(text, *a, **k))
    result = transform_source(source, rules, apply=CONVERT_APPLY)
    assert result.code == whole.code
    assert _everything(result.findings) == _everything(whole.findings)
    whole_module = source in parsed
    assert whole_module == (case in ("two names, one kept", "first statement", "after a function"))
    if case in ("alone", "comments above"):
        assert "contrib" not in result.code and any(f.code == "TF2105" and f.fixed for f in result.findings)


@pytest.mark.parametrize("value", ["0.9 if t else 1.0", "(0.5)", "p", "-1", "a + b", "( a  + b )", "f(\n  x)", "...",
                                   "0.5 ,", "  0.5", "# why\n    0.5", "(\n  0.5)"])
def test_value_rewrites_as_text_match_libcst(value):
    """TF2006 ``keep_prob=VALUE`` -> ``rate=1 - VALUE``: the text edit writes what libcst writes."""
    rules = ruleset("tf1_to_tf2")
    source = f"import tensorflow as tf\ny = tf.nn.dropout(x, keep_prob={value})\n"
    textual = transform_source(source, rules, apply=CONVERT_APPLY)
    whole = transform_source(source, rules, apply=CONVERT_APPLY, units=False)
    assert textual.code == whole.code
    assert _everything(textual.findings) == _everything(whole.findings)


def _generated_modules():
    """The benchmark's generated TF1 tree (benchmarks/bench_convert.py), in memory, in its file order."""
    import importlib.util
    import random

    spec = importlib.util.spec_from_file_location("bench_convert", ROOT / "benchmarks" / "bench_convert.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rng = random.Random(bench.SEED)
    return [bench.generate_module(rng, index) for index in range(450)]


@pytest.mark.verify
def test_text_edits_on_the_benchmark_tree():
    """Every file of the 450-file benchmark tree (a fixed sample of 4 unless DLMIGRATE_VERIFY=1): the matcher's
    text edits plus the units pass give the whole-module libcst pass's bytes and findings."""
    import os

    modules = _generated_modules()
    if not os.environ.get("DLMIGRATE_VERIFY"):
        modules = modules[::113]
    rules = ruleset("tf1_to_tf2")
    for source in modules:
        textual = transform_source(source, rules, apply=CONVERT_APPLY)
        whole = transform_source(source, rules, apply=CONVERT_APPLY, units=False)
        assert textual.code == whole.code
        assert _everything(textual.findings) == _everything(whole.findings)
