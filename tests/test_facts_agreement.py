"""The shared FileFacts roles agree with the eager rewrite's own classification (tf2_eager ProgramFacts).

The eager rewrite (``--to tf2``) classifies each TF1 program's names itself, on the compat output; FileFacts
decides roles from the original file's callees and one level of flow.  On every ``corpus/tf1`` program the
eager analysis accepts, the names each gives a placeholder, train-op, initializer, Session and iterator role
must be the same, but for the differences listed (and explained) in ``KNOWN``.  A fixed sample runs in the
normal suite; the rest of the corpus under ``make verify`` (``DLMIGRATE_VERIFY=1``; about 15 s, no program runs).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import migrate.tf2_eager.program  # noqa: F401 (imports the eager family in its order)
from migrate.convert import convert_text
from migrate.facts import Role, facts_of
from migrate.model import Safety
from migrate.resolve import scan_source
from migrate.rules import load_rules, rulesets_for_target
from migrate.tf2_eager import facts as eager_facts

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "tf1"
PROGRAMS = sorted(p.name for p in CORPUS.glob("*.py"))
SAMPLE = ("linear_regression.py", "dataset_iterators.py", "summaries.py", "optimizers.py")
KNOWN = {
    # ``optimizer = make_optimizer(step)`` with ``make_optimizer`` a parameter: what it returns is beyond one
    # level of flow, so ``optimizer.apply_gradients(...)`` is not known to make a train op
    ("optimizers.py", "train_op"): "optimizer made by a callable parameter",
}


def _roles(name: str, monkeypatch) -> dict[str, tuple[set, set]] | None:
    seen = []
    real = eager_facts.Analyzer.run

    def run(self):
        facts = real(self)
        seen.append(facts)
        return facts

    monkeypatch.setattr(eager_facts.Analyzer, "run", run)
    text = (CORPUS / name).read_text(encoding="utf-8")
    convert_text(text, load_rules(rulesets_for_target("tf2")), frozenset({Safety.SAFE, Safety.REVIEW}), name)
    if len(seen) != 1:  # not analysed (refused early), or one analysis per graph segment: nothing to compare
        return None
    (eager,) = seen
    shared = facts_of(scan_source(text))
    return {
        "placeholder": (set(eager.placeholders), shared.names_with_role(Role.PLACEHOLDER, None)),
        "train_op": (set(eager.train_ops), shared.names_with_role(Role.TRAIN_OP, None)),
        "init_op": (set(eager.init_ops), shared.names_with_role(Role.INIT_OP, None)),
        "session": ({eager.session_name} - {""}, shared.names_with_role(Role.SESSION, None)),
        "iterator": (set(eager.iterators), shared.names_with_role(Role.ITERATOR, None)),
    }


def _check(name: str, monkeypatch) -> None:
    roles = _roles(name, monkeypatch)
    if roles is None:
        pytest.skip("the eager rewrite made no single analysis of this program")
    for role, (eager, shared) in roles.items():
        if (name, role) in KNOWN:
            assert eager != shared, f"{name} {role}: listed as a known difference but now agrees; drop it from KNOWN"
        else:
            assert eager == shared, f"{name} {role}: eager {sorted(eager)} vs shared {sorted(shared)}"


@pytest.mark.parametrize("name", SAMPLE)
def test_roles_agree_sample(name, monkeypatch):
    _check(name, monkeypatch)


@pytest.mark.verify
@pytest.mark.skipif(not os.environ.get("DLMIGRATE_VERIFY"), reason="the whole corpus: make verify (DLMIGRATE_VERIFY=1)")
@pytest.mark.parametrize("name", [p for p in PROGRAMS if p not in SAMPLE])
def test_roles_agree_corpus(name, monkeypatch):
    _check(name, monkeypatch)
