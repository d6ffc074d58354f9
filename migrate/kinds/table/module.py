"""The ``module`` table kind: ``{module prefix: {"severity": s, "message": m}}``.

Match: any use of a name below the prefix (a whole dotted part; the longest prefix
with an entry wins) is reported with the entry's message (``{name}``, ``{module}``:
short names) -- except, for an ``error`` entry, a name that moves out of the module
under the run's fixes: a fixable rename of the exact name, or a custom rule that
claims every use of it (``CustomTransform.claims``; TF2103's contrib calls), whose
own finding is reported instead.  Nothing is applied (safety ``none``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable

from migrate.kinds.table import TableHit, TableKind, table_kind
from migrate.kinds.table.finding import MESSAGE_SHAPE, message_entry
from migrate.model import Safety, Severity
from migrate.rules import format_message, short_name

if TYPE_CHECKING:
    from migrate.model import Rule
    from migrate.rules import RuleSet


@table_kind("module")
class ModuleFinding(TableKind):
    order = 6
    table = "module_findings"
    keyed = False  # matched by prefix (``RuleSet.module_finding_for``)
    shape = MESSAGE_SHAPE
    check = staticmethod(message_entry)

    @staticmethod
    def index(ruleset: "RuleSet", key: str, value, rule: "Rule") -> None:
        severity = Severity(value.get("severity", rule.severity.value))
        ruleset.module_findings.append((key, severity, value["message"], rule))

    @staticmethod
    def indexed(ruleset: "RuleSet") -> None:
        ruleset.module_findings.sort(key=lambda item: -len(item[0]))  # most specific prefix first

    @staticmethod
    def reacts_below(ruleset: "RuleSet", qualified: str) -> bool:
        return bool(ruleset.module_findings) and ruleset.module_finding_for(qualified) is not None


def reacts(ruleset: "RuleSet", qualified: str) -> bool:
    """Is ``qualified`` (or the module itself) below a prefix the table knows?"""
    return ModuleFinding.reacts_below(ruleset, qualified)


def match(ruleset: "RuleSet", qualified: str, may_fix: Callable[["Rule"], bool],
          customs: Callable[[], Iterable], cache: dict | None = None) -> TableHit | None:
    """The module finding a use of ``qualified`` reports, or None.

    ``may_fix``: what the run applies; ``customs``: the run's custom transforms (asked only for an
    ``error`` entry); ``cache``: a dict kept by the caller for one file (prefix lookups per name)."""
    if not ruleset.module_findings:
        return None
    if cache is None:
        hit = ruleset.module_finding_for(qualified)
    else:
        hit = cache.get(qualified, ())
        if hit == ():
            hit = cache[qualified] = ruleset.module_finding_for(qualified)
    if hit is None:
        return None
    prefix, severity, message, rule = hit
    if severity is Severity.ERROR and moves_out(ruleset, qualified, may_fix, customs):
        return None  # a fixable rename or a transform takes the name out of the removed module
    return TableHit(rule, format_message(message, name=short_name(qualified), module=short_name(prefix)),
                    severity, Safety.NONE)


def moves_out(ruleset: "RuleSet", qualified: str, may_fix: Callable[["Rule"], bool],
              customs: Callable[[], Iterable]) -> bool:
    """Does a fix the run applies take ``qualified`` out of its module (a rename, a claiming transform)?"""
    renamed = ruleset.renames.get(qualified)
    if renamed is not None and may_fix(renamed[1]):
        return True
    return any(c.claims(qualified) and may_fix(c.rule) for c in customs())
