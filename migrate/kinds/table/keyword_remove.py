"""The ``keyword-remove`` table kind: ``{function: [keyword, ...]}``.

Match (a step of ``migrate.arguments.plan_arguments``, after the keyword renames):
each argument passing a removed keyword is reported at the user's own ``keyword=``
(else at the call) and, where the run applies the rule, dropped.  Apply: the libcst
argument list without the dropped arguments (``apply_drops``, after every other step).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from migrate.kinds.table import TableKind, string_list, table_kind
from migrate.rules import format_message

if TYPE_CHECKING:
    from migrate.model import Rule
    from migrate.rules import RuleSet


@table_kind("keyword-remove")
class KeywordRemove(TableKind):
    order = 3
    table = "keyword_removals"
    shape = "a list of keywords"
    arguments = True
    check = staticmethod(string_list)

    @staticmethod
    def index(ruleset: "RuleSet", key: str, value, rule: "Rule") -> None:
        for old in value:
            ruleset.keyword_removals.setdefault(key, []).append((old, rule))

    @staticmethod
    def reference_needs(ref, ruleset: "RuleSet") -> bool:
        return bool(ref.is_call and ref.keywords) and any(
            old in ref.keywords for old, _ in ruleset.keyword_removals.get(ref.qualified, ()))

    @staticmethod
    def plan(call, ruleset: "RuleSet", qualified: str, may_fix: Callable[["Rule"], bool]) -> None:
        for old, rule in ruleset.keyword_removals.get(qualified, ()):
            for index, current in enumerate(call.names):
                if current == old:
                    fixed = may_fix(rule)
                    call.report(rule, format_message(rule.message, name=call.name, old=old), call.site(index), fixed)
                    if fixed:
                        call.drops.add(index)

    @staticmethod
    def apply_drops(args: list, drops) -> list:
        """The libcst arguments without those at the indexes ``drops`` (commas kept right)."""
        from migrate.cstutil import remove_args

        return remove_args(args, set(drops))
