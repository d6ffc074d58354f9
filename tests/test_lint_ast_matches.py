"""Issue 7: custom rules match on ``ast``; ``lint`` renders those matches and never imports libcst.

* Every torch file in the repository (rule examples, valid snippets, tests/fixtures/torch,
  corpus/torch_legacy, corpus/torch_ops) is linted in a fresh interpreter where importing
  libcst fails: no file may need it, and libcst must not be in ``sys.modules`` afterwards.
* ``lint`` and ``convert`` tell the same thing -- code, place, message, safety, severity --
  on the corpus files (tests/test_engine_agreement.py compares places on examples and fixtures).
"""
from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from probe_support import NO_LIBCST, told

from migrate.engine import transform_source
from migrate.lint import CONVERT_APPLY, check_module
from migrate.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ("corpus/torch_legacy", "corpus/torch_ops")


def _torch_sources() -> list[tuple[str, str]]:
    rules = load_rules(["torch_deprecations"])
    sources = []
    for code, rule in sorted(rules.rules.items()):
        for number, example in enumerate(rule.examples, 1):
            sources.append((f"{code}-example{number}", example.before))
        for number, valid in enumerate(rule.valid, 1):
            sources.append((f"{code}-valid{number}", valid))
    for folder in ("tests/fixtures/torch", *CORPORA):
        for path in sorted((ROOT / folder).rglob("*.py")):
            sources.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    return sources


PROBE = NO_LIBCST + r'''
import json, sys

from migrate.lint import lint_source
from migrate.rules import load_rules

rules = load_rules(["torch_deprecations"])
report = {"files": 0, "findings": 0, "failed": []}
for name, text in json.load(sys.stdin):
    outcome = lint_source(text, rules, name)
    report["files"] += 1
    report["findings"] += len(outcome.result.findings)
    if outcome.result.error:
        report["failed"].append(outcome.result.error)
report["libcst"] = any(m == "libcst" or m.startswith("libcst.") for m in sys.modules)
print(json.dumps(report))
'''


def test_lint_of_every_torch_file_never_imports_libcst():
    sources = _torch_sources()
    result = subprocess.run([sys.executable, "-c", PROBE], input=json.dumps(sources), capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["failed"] == []
    assert report["libcst"] is False
    assert report["files"] == len(sources) > 150
    assert report["findings"] > 300  # the rules did run


@functools.cache
def _torch_rules():
    return load_rules(["torch_deprecations"])


def _corpus_cases():
    for folder in CORPORA:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield pytest.param(path, id=str(path.relative_to(ROOT)))


@pytest.mark.parametrize("path", list(_corpus_cases()))
def test_lint_tells_what_convert_tells_on_the_torch_corpora(path):
    source = path.read_text(encoding="utf-8")
    rules = _torch_rules()
    try:
        converted = transform_source(source, rules, apply=CONVERT_APPLY, filename=str(path)).findings
    except SyntaxError:
        with pytest.raises(SyntaxError):
            check_module(source, rules, str(path))
        return
    assert told(check_module(source, rules, str(path))) == told(converted)
