"""The ``finding`` table kind: ``{qualified name: {"severity": s, "message": m}}``.

Match: every use of the name (a reference that is not a call's callee, a call, a
``from`` import) is reported with the entry's message (``{name}``: the short name)
and severity.  Nothing is applied: the finding has no fix (safety ``none``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from migrate.kinds.table import TableHit, TableKind, table_kind
from migrate.model import Safety, Severity
from migrate.rules import format_message, short_name

if TYPE_CHECKING:
    from migrate.model import Rule
    from migrate.rules import RuleSet


def message_entry(value) -> bool:
    """A table with a non-empty message and an optional severity (the ``finding`` and ``module`` entries)."""
    return (isinstance(value, dict) and isinstance(value.get("message"), str) and value["message"] != ""
            and value.get("severity", "info") in {s.value for s in Severity})


MESSAGE_SHAPE = "a table with message and optional severity (info, warning, error)"


@table_kind("finding")
class ReferenceFinding(TableKind):
    order = 5
    table = "findings"
    shape = MESSAGE_SHAPE
    check = staticmethod(message_entry)

    @staticmethod
    def index(ruleset: "RuleSet", key: str, value, rule: "Rule") -> None:
        severity = Severity(value.get("severity", rule.severity.value))
        ruleset.findings.setdefault(key, []).append((severity, value["message"], rule))

    @staticmethod
    def reference_needs(ref, ruleset: "RuleSet") -> bool:
        return ref.qualified in ruleset.findings

    @staticmethod
    def import_needs(ruleset: "RuleSet", qualified: str) -> bool:
        return qualified in ruleset.findings


def match(ruleset: "RuleSet", qualified: str) -> list[TableHit] | tuple[()]:
    """The findings a use of ``qualified`` reports (none: an empty tuple)."""
    found = ruleset.findings.get(qualified)
    if not found:
        return ()
    name = short_name(qualified)
    return [TableHit(rule, format_message(message, name=name), severity, Safety.NONE)
            for severity, message, rule in found]
