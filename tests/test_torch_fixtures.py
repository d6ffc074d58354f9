"""Golden fixtures for the torch_deprecations rules (Ruff style).

``tests/fixtures/torch/<CODE>.py`` mixes code the rule must report with code it
must leave alone (marked ``# OK``); ``<CODE>.expected`` lists the findings as
``line:col CODE``, one per line.  The engine (``convert``) must produce exactly
that list and ``lint`` the same lines (lint promises convert's code and line;
for a removed keyword it points at the call, the engine at the keyword).
Converting the fixture gives valid Python that a second pass leaves alone.

Set ``DLMIGRATE_UPDATE_SNAPSHOTS=1`` to rewrite the snapshots after a
deliberate change, then review the diff.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from migrate.engine import transform_source
from migrate.model import Safety
from migrate.rules import load_rules

FIXTURES = Path(__file__).parent / "fixtures" / "torch"
CODES = sorted(path.stem for path in FIXTURES.glob("PT*.py"))
APPLY = frozenset({Safety.SAFE, Safety.REVIEW})
UPDATE = os.environ.get("DLMIGRATE_UPDATE_SNAPSHOTS") == "1"


# rules that only react to other rules' fixes run with those
ALSO = {"PT1047": ["PT1025"]}


@functools.cache  # one live RuleSet per code: lint caches transforms by id(ruleset), and ids of freed objects recur
def _ruleset(code):
    return load_rules(["torch_deprecations"], select=[code, *ALSO.get(code, [])])


def _lines(findings, code):
    return sorted({(f.line, f.column) for f in findings if f.code == code})


def _render(positions, code):
    return "".join(f"{line}:{column} {code}\n" for line, column in positions)


def _expected(code):
    path = FIXTURES / f"{code}.expected"
    return path.read_text(encoding="utf-8") if path.exists() else None


@pytest.mark.parametrize("code", CODES)
def test_engine_findings_match_the_snapshot(code):
    source = (FIXTURES / f"{code}.py").read_text(encoding="utf-8")
    result = transform_source(source, _ruleset(code), apply=APPLY, filename=f"{code}.py")
    actual = _render(_lines(result.findings, code), code)
    if UPDATE:
        (FIXTURES / f"{code}.expected").write_text(actual, encoding="utf-8")
    assert actual, f"{code}: the fixture produced no finding at all"
    assert actual == _expected(code)


@pytest.mark.parametrize("code", CODES)
def test_lint_reports_the_same_findings(code):
    lint = pytest.importorskip("migrate.lint")
    source = (FIXTURES / f"{code}.py").read_text(encoding="utf-8")
    findings = lint.check_module(source, _ruleset(code), filename=f"{code}.py")
    # the same places, column for column (tests/test_engine_agreement.py checks every code at once)
    assert _render(_lines(findings, code), code) == _expected(code)


@pytest.mark.parametrize("code", CODES)
def test_converting_the_fixture_again_changes_nothing(code):
    source = (FIXTURES / f"{code}.py").read_text(encoding="utf-8")
    ruleset = _ruleset(code)
    once = transform_source(source, ruleset, apply=APPLY).code
    compile(once, f"{code}.py (converted)", "exec")
    assert transform_source(once, ruleset, apply=APPLY).code == once


def test_every_rule_has_a_fixture():
    assert set(CODES) == set(_ruleset("PT").rules)


def test_rewrites_keep_comments_and_layout():
    source = (
        "import torch\n"
        "state = torch.load(\n"
        "    \"model.pt\",  # the checkpoint\n"
        "    map_location=\"cpu\",\n"
        ")\n"
        "q, r = torch.qr(\n"
        "    a,  # the matrix\n"
        "    some=False,\n"
        ")\n"
    )
    ruleset = load_rules(["torch_deprecations"], select=["PT1021", "PT1006"])
    result = transform_source(source, ruleset, apply=APPLY)
    assert result.code == source.replace(
        "    map_location=\"cpu\",\n", "    map_location=\"cpu\",\n    weights_only=False,\n"
    )
    qr = [f for f in result.findings if f.code == "PT1006"]
    assert len(qr) == 1 and not qr[0].fixed and "comments" in qr[0].message
