"""The ``keyword-rename`` table kind: ``{function: {old keyword: new keyword}}``.

Match (a step of ``migrate.arguments.plan_arguments``, after the reorder): each
argument whose keyword (as written, or as the reorder named it) is an old keyword
is reported at the user's own ``keyword=`` (else at the call); it is renamed unless
the call already has the new keyword.  Apply: the libcst argument with the new keyword.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from migrate.kinds.table import TableKind, table_kind
from migrate.rules import format_message

if TYPE_CHECKING:
    from migrate.model import Rule
    from migrate.rules import RuleSet


def string_map(value) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) and v for k, v in value.items())


@table_kind("keyword-rename")
class KeywordRename(TableKind):
    order = 2
    table = "keyword_renames"
    shape = "a table old keyword = new keyword"
    arguments = True
    step = "rename"
    check = staticmethod(string_map)

    @staticmethod
    def index(ruleset: "RuleSet", key: str, value, rule: "Rule") -> None:
        for old, new in value.items():
            ruleset.keyword_renames.setdefault(key, []).append((old, new, rule))

    @staticmethod
    def reference_needs(ref, ruleset: "RuleSet") -> bool:
        return bool(ref.is_call and ref.keywords) and any(
            old in ref.keywords for old, _, _ in ruleset.keyword_renames.get(ref.qualified, ()))

    @staticmethod
    def plan(call, ruleset: "RuleSet", qualified: str, may_fix: Callable[["Rule"], bool]) -> None:
        renames = ruleset.keyword_renames.get(qualified, ())
        names = call.names
        present = {n for n in names if n is not None}
        for old, new, rule in renames:
            for index, current in enumerate(names):
                if current != old:
                    continue
                fixed = may_fix(rule) and new not in present
                call.report(rule, format_message(rule.message, name=call.name, old=old, new=new), call.site(index),
                            fixed)
                if fixed:
                    names[index], call.own[index] = new, False
                    present.add(new)
                    call.steps.append((index, "rename", new, None))

    @staticmethod
    def apply_cst(arg, keyword: str, template: str | None):
        import libcst as cst

        return arg.with_changes(keyword=cst.Name(keyword))
