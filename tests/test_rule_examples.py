"""Every rule's own examples are its tests (Fixit style): generated, not hand-written.

For each invalid example, only that rule is selected: ``before`` must become
exactly ``after`` (or stay unchanged for report-only rules) and a finding with
the rule's code must appear.  Valid examples must produce no finding of it.
Then the conversion is run again: a second pass changes nothing.
"""
from __future__ import annotations

import pytest

from migrate.engine import transform_source
from migrate.model import Safety
from migrate.rules import all_rules, available_rulesets, load_rules

RULES = all_rules()
APPLY_ALL = frozenset({Safety.SAFE, Safety.REVIEW})


def _only(rule, also=()):
    return load_rules([rule.ruleset], select=[rule.code, *also])


INVALID = [pytest.param(rule, i, ex, id=f"{rule.code}-invalid-{i}") for rule in RULES for i, ex in enumerate(rule.examples)]
VALID = [pytest.param(rule, i, code, id=f"{rule.code}-valid-{i}") for rule in RULES for i, code in enumerate(rule.valid)]


@pytest.mark.parametrize("rule,index,example", INVALID)
def test_invalid_example_is_reported_and_rewritten(rule, index, example):
    ruleset = _only(rule, example.also)
    result = transform_source(example.before, ruleset, apply=APPLY_ALL)
    codes = [f.code for f in result.findings]
    assert rule.code in codes, f"{rule.code} example {index} produced no {rule.code} finding: {codes}"
    expected = example.after if example.after is not None else example.before
    assert result.code == expected
    again = transform_source(result.code, ruleset, apply=APPLY_ALL)
    assert again.code == result.code, "a second conversion must change nothing"


@pytest.mark.parametrize("rule,index,code", VALID)
def test_valid_example_is_left_alone(rule, index, code):
    result = transform_source(code, _only(rule), apply=APPLY_ALL)
    assert result.code == code
    assert rule.code not in [f.code for f in result.findings]


def test_every_rule_is_documented_and_has_examples():
    assert RULES, "no rules loaded"
    for rule in RULES:
        assert rule.summary and rule.explanation and rule.message, rule.code
        assert rule.examples, rule.code
        if rule.fixable:
            assert any(e.after is not None and e.after != e.before for e in rule.examples), (
                f"{rule.code} declares a fix ({rule.safety.value}) but no example shows it"
            )


def test_rule_codes_are_unique_across_rulesets():
    load_rules(list(available_rulesets()))  # raises on a duplicate
