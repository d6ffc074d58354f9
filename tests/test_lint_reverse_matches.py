"""Issue 7 for ``--to tf``: TT1501 (the torch->TF reverse table) decides on the ``ast``.

* ``ReverseCallMap.match`` decides every torch call the libcst pass meets; ``lint`` reports those matches
  and ``convert`` reports the same findings (code, place, message, safety, severity, span) from the pass,
  which renders the decided variant with the rewritten argument texts.
* ``lint --to tf`` over every torch file in the repository runs with libcst unimportable.
"""
from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from probe_support import lint_probe, told

from migrate.engine import transform_source
from migrate.lint import CONVERT_APPLY, check_module
from migrate.model import Safety
from migrate.resolve import scan_source
from migrate.rules import load_rules, rulesets_for_target

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ("corpus/torch_legacy", "corpus/torch_ops")

CASES = {
    "nested": "import torch\nimport torch.nn.functional as F\n"
              "a = torch.sum(torch.abs(x), dim=1)\nb = F.relu(torch.matmul(x, w) + b)\n",
    "parenthesized-and-operators": "import torch\na = torch.sum((torch.abs(x)))\nb = torch.mean(x - torch.mean(x))\n",
    "unmapped": "import torch\na = torch.sum(*xs)\nb = torch.not_a_real_op(x)\nc = torch.abs(x, bogus=1)  # keep\n",
    "not-ops": "import torch\n\nclass M(torch.nn.Module):\n    pass\n\nwith torch.no_grad():\n"
               "    torch.manual_seed(0)\n    y = torch.exp(x)\n",
    "comments-in-arguments": "import torch\ny = torch.sum(  # sum\n    x,  # the input\n    dim=(0),\n)\n",
    "function-scope-import": "def go(x):\n    import torch as T\n    return T.sum(T.abs(x), dim=-1)\n",
    "tf-alias-taken": "import tensorflow as tfl\nimport torch\ny = torch.sum(torch.abs(x))\n",
}


@pytest.fixture(scope="module")
def reverse_rules():
    return load_rules(["torch_to_tf"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_lint_tells_what_convert_tells(reverse_rules, name):
    text = CASES[name]
    converted = transform_source(text, reverse_rules, apply=CONVERT_APPLY, filename=name).findings
    assert {f.code for f in converted} == {"TT1501"}
    assert told(check_module(text, reverse_rules, name), spans=True) == told(converted, spans=True)


def test_tt1501_matches_on_the_ast(reverse_rules):
    (custom,) = reverse_rules.transforms()
    assert custom.has_match()
    matches = custom.matches(scan_source(CASES["unmapped"]))
    by_line = {}
    for m in matches:
        by_line.setdefault(m.line, []).append(m)
    assert [m.message for m in by_line[1]] == ["conversion rate: 0 of 3 PyTorch calls converted (0%)"]
    assert by_line[2][0].message == "torch.sum left as PyTorch: *args/**kwargs: the arguments cannot be matched " \
                                    "to parameters"
    assert "has no entry in the torch->TF table" in by_line[3][0].message
    assert not any(m.fixable for m in matches)
    # torch.nn.Module, torch.no_grad and torch.manual_seed are not ops: only torch.exp is counted
    rate = [m for m in custom.matches(scan_source(CASES["not-ops"])) if m.line == 1]
    assert [m.message for m in rate] == ["conversion rate: 1 of 1 PyTorch calls converted (100%)"]


def test_a_nested_rewrite_is_read_as_the_pass_reads_it(reverse_rules):
    source = CASES["tf-alias-taken"]
    result = transform_source(source, reverse_rules, apply=CONVERT_APPLY)
    assert result.code.splitlines()[-1] == "y = tfl.math.reduce_sum(tfl.math.abs(x))"
    linted = check_module(source, reverse_rules)
    # the table's text names ``tf.``; the argument is read as the pass wrote it, through the file's alias
    assert "torch.sum -> tf.math.reduce_sum(tfl.math.abs(x))" in [f.message for f in linted]
    assert told(linted, spans=True) == told(result.findings, spans=True)


def test_a_review_fix_not_applied_is_reported_unfixed(reverse_rules):
    source = "import torch\nloss = torch.nn.CrossEntropyLoss()\n"
    review = [f for f in transform_source(source, reverse_rules, apply=CONVERT_APPLY).findings if f.line == 2]
    assert [(f.safety, f.fixed) for f in review] == [(Safety.REVIEW, True)]
    safe = transform_source(source, reverse_rules, apply=frozenset({Safety.SAFE}))
    assert safe.code == source
    assert [(f.safety, f.fixed) for f in safe.findings if f.line == 2] == [(Safety.REVIEW, False)]
    assert "conversion rate: 0 of 1" in next(f.message for f in safe.findings if f.line == 1)


def _torch_sources() -> list[tuple[str, str]]:
    rules = load_rules(["torch_to_tf"])
    sources = [(f"{code}-example{n}", example.before) for code, rule in sorted(rules.rules.items())
               for n, example in enumerate(rule.examples, 1)]
    sources += sorted(CASES.items())
    for folder in CORPORA:
        for path in sorted((ROOT / folder).rglob("*.py")):
            sources.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    return sources


@pytest.mark.parametrize("name, source", _torch_sources(), ids=[name for name, _ in _torch_sources()])
def test_lint_tells_what_convert_tells_on_the_torch_corpora(reverse_rules, name, source):
    try:
        converted = transform_source(source, reverse_rules, apply=CONVERT_APPLY, filename=name).findings
    except SyntaxError:
        with pytest.raises(SyntaxError):
            check_module(source, reverse_rules, name)
        return
    assert told(check_module(source, reverse_rules, name), spans=True) == told(converted, spans=True)


def test_lint_to_tf_never_imports_libcst_on_the_torch_corpora(tmp_path):
    rules = load_rules(rulesets_for_target("tf"))
    for name, text in CASES.items():
        (tmp_path / f"{name}.py").write_text(text, encoding="utf-8")
    paths = sorted(tmp_path.glob("*.py")) + [p for folder in CORPORA for p in sorted((ROOT / folder).rglob("*.py"))
                                             if p.name != "cuda_async.py"]  # (Python 2's ``async=``: no parse)
    assert len(paths) > 40
    for path in paths:  # no rule that would send the file to libcst applies
        scan = scan_source(path.read_text(encoding="utf-8"), str(path))
        assert all(c.has_match() for c in rules.transforms() if c.applies(scan)), path
    result = subprocess.run([sys.executable, "-c", lint_probe("tf")], check=False,
                            input=json.dumps(list(map(str, paths))), capture_output=True, text=True, cwd=ROOT,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    probe = json.loads(result.stdout.splitlines()[-1])
    assert probe["libcst"] == [], probe["libcst"]
    assert probe["code"] in (0, 1), (probe["code"], probe["stderr"][-3000:])
    findings = json.loads(probe["stdout"])
    assert sum(f["code"] == "TT1501" for f in findings) > 300
    assert {Path(f["path"]).resolve() for f in findings} >= {p.resolve() for p in paths if "corpus" in p.parts}


# -- the whole reverse table: each torch call the verification proves, plain, nested and parenthesized

@functools.lru_cache(maxsize=1)
def _table_modules(chunk: int = 20) -> list[str]:
    from migrate.tf_to_torch.table import (
        Unmapped,
        bind,
        load_reverse_table,
        load_table,
        render,
        split_call,
    )

    reverse = load_reverse_table()
    calls = [example["call"] for _name, entry in sorted(reverse.items()) for example in entry.get("examples", [])
             if not example.get("apply")]
    for _name, entry in sorted(load_table().items()):  # the forward table's torch renderings a user writes
        for example in entry.get("examples", []):
            if example.get("apply"):
                continue
            try:
                text = render(entry, bind(entry, *split_call(example["call"])[1:]))
                func = split_call(text)[0]
            except (Unmapped, ValueError, SyntaxError):
                continue
            if func in reverse:
                calls.append(text)
    lines = [[f"r{n} = {call}", f"s{n} = torch.sum({call}, dim=0)", f"m{n} = torch.abs(({call}))"]
             for n, call in enumerate(calls)]
    header = "import numpy as np\nimport torch\nimport torch.nn.functional as F\n\n"
    return [header + "\n".join(line for group in lines[i:i + chunk] for line in group) + "\n"
            for i in range(0, len(lines), chunk)]


_TABLE_SAMPLE = (0, 7)  # the normal run's sample; every chunk in `make verify`


@pytest.mark.parametrize("index", [pytest.param(i, marks=() if i in _TABLE_SAMPLE else (
    pytest.mark.slow, pytest.mark.verify, pytest.mark.skipif(os.environ.get("DLMIGRATE_VERIFY") != "1",
                                                             reason="the whole table in `make verify`")))
    for i in range(len(_table_modules()))])
def test_lint_tells_what_convert_tells_over_the_reverse_table(reverse_rules, index):
    text = _table_modules()[index]
    converted = transform_source(text, reverse_rules, apply=CONVERT_APPLY).findings
    assert sum(f.fixed for f in converted) > 20
    assert told(check_module(text, reverse_rules), spans=True) == told(converted, spans=True)
