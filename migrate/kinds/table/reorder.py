"""The ``reorder`` table kind: ``{function: {"params": [v1 positional order], "keep": n}}``.

Match (a step of ``migrate.arguments.plan_arguments``, the first): a call passing more
than ``keep`` positional arguments, all before any other argument and no more than
``params`` names, has those past the first ``keep`` written as keywords (their meaning
is fixed before the keyword steps rename anything).  One finding at the call naming
the keywords.  Apply: ``name=value`` in place of each such argument (libcst).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from migrate.kinds.table import TableKind, string_list, table_kind
from migrate.rules import format_message

if TYPE_CHECKING:
    from migrate.model import Rule
    from migrate.rules import RuleSet


@table_kind("reorder")
class Reorder(TableKind):
    order = 1
    table = "reorders"
    shape = "a table with params (a list of names) and keep (0 to len(params))"
    arguments = True
    step = "name"

    @staticmethod
    def check(value) -> bool:
        return (isinstance(value, dict) and string_list(value.get("params")) and isinstance(value.get("keep"), int)
                and not isinstance(value.get("keep"), bool) and 0 <= value["keep"] <= len(value["params"]))

    @staticmethod
    def index(ruleset: "RuleSet", key: str, value, rule: "Rule") -> None:
        ruleset.reorders[key] = (tuple(value["params"]), int(value["keep"]), rule)

    @staticmethod
    def reference_needs(ref, ruleset: "RuleSet") -> bool:
        if not ref.is_call:
            return False
        reorder = ruleset.reorders.get(ref.qualified)
        return reorder is not None and ref.positional > reorder[1]

    @staticmethod
    def plan(call, ruleset: "RuleSet", qualified: str, may_fix: Callable[["Rule"], bool]) -> None:
        """Name the positional arguments past ``keep`` (``call``: ``migrate.arguments.CallArguments``)."""
        entry = ruleset.reorders.get(qualified)
        if entry is None:
            return
        params, keep, rule = entry
        names = call.names
        positional = [i for i, n in enumerate(names) if n is None and not call.starred[i]]
        if (len(positional) > keep and positional == list(range(len(positional)))
                and len(positional) <= len(params) and may_fix(rule)):
            named = [params[i] for i in positional[keep:]]
            for index in positional[keep:]:
                names[index] = params[index]
                call.steps.append((index, "name", params[index], None))
            call.report(rule, format_message(rule.message, name=call.name, keywords=", ".join(named)), None, True)

    @staticmethod
    def apply_cst(arg, keyword: str, template: str | None):
        """The positional libcst ``arg`` written as ``keyword=value``."""
        from migrate.cstutil import keyword_arg

        return keyword_arg(keyword, arg.value, like=arg)
