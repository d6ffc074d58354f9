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
