"""The ``value`` table kind: ``{function: {"keyword": k, "new_keyword": k2, "template": "1 - {value}"}}``
(or a list of such tables).

Match (a step of ``migrate.arguments.plan_arguments``, the last): each argument passing
``keyword`` (as written or as an earlier step named it) and not dropped is reported at
the user's own ``keyword=`` (else at the call) and, where the run applies the rule,
becomes ``new_keyword=<template with the value>``; the value is parenthesized unless
atomic, so ``1 - (a + b)`` keeps its meaning.  Apply: a libcst argument
(``apply_cst``), or -- for a lone rewrite of a written ``keyword=value`` on one line --
one text edit (``text_fix``), written exactly as the libcst pass writes it.
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable

from migrate.kinds.table import TableKind, table_kind
from migrate.rules import format_message

if TYPE_CHECKING:
    from migrate.model import Rule
    from migrate.rules import RuleSet


def value_items(value) -> bool:
    items = value if isinstance(value, list) else [value]
    return all(isinstance(i, dict) and isinstance(i.get("keyword"), str) and isinstance(i.get("template"), str)
               and "{value}" in i["template"] and isinstance(i.get("new_keyword", ""), str) for i in items)


@table_kind("value")
class ValueRewrite(TableKind):
    order = 4
    table = "value_rewrites"
    shape = "a table (or list of tables) with keyword, template using {value}, optional new_keyword"
    arguments = True
    step = "value"
    check = staticmethod(value_items)

    @staticmethod
    def index(ruleset: "RuleSet", key: str, value, rule: "Rule") -> None:
        items = value if isinstance(value, list) else [value]
        for item in items:
            ruleset.value_rewrites.setdefault(key, []).append(
                (item["keyword"], item.get("new_keyword", item["keyword"]), item["template"], rule)
            )

    @staticmethod
    def reference_needs(ref, ruleset: "RuleSet") -> bool:
        return bool(ref.is_call and ref.keywords) and any(
            keyword in ref.keywords for keyword, *_ in ruleset.value_rewrites.get(ref.qualified, ()))

    @staticmethod
    def plan(call, ruleset: "RuleSet", qualified: str, may_fix: Callable[["Rule"], bool]) -> None:
        names = call.names
        for keyword, new_keyword, template, rule in ruleset.value_rewrites.get(qualified, ()):
            for index, current in enumerate(names):
                if current != keyword or index in call.drops:
                    continue
                fixed = may_fix(rule)
                call.report(rule, format_message(rule.message, name=call.name, old=keyword, new=new_keyword),
                            call.site(index), fixed)
                if fixed:
                    names[index], call.own[index] = new_keyword, False
                    call.steps.append((index, "value", new_keyword, template))

    @staticmethod
    def apply_cst(arg, keyword: str, template: str | None):
        """The libcst ``arg`` written as ``keyword=<template with its value>``."""
        from migrate.cstutil import keyword_arg

        return keyword_arg(keyword, fill_template(template, arg.value), like=arg)


def fill_template(template: str, value):
    """The libcst expression ``template`` (``1 - {value}``) with ``value`` in place of ``{value}``,
    parenthesized unless atomic, so ``1 - (a + b)`` keeps its meaning."""
    import libcst as cst

    from migrate.cstutil import parenthesize

    value_code = cst.Module([]).code_for_node(parenthesize(value))
    return cst.parse_expression(template.replace("{value}", value_code))


def text_fix(arg: ast.keyword, new_keyword: str, template: str, *, source: str, lines: list[str],
             starts: list[int], char_col: Callable[[int, int], int]):
    """``keyword=VALUE`` -> ``new_keyword=<template with VALUE>`` as one text ``Edit``, as the libcst pass
    writes it (no spaces around ``=``; VALUE in parentheses unless it can stand as an operand).  None
    where the text way could differ (a comment or a line break around ``=``).  ``lines``/``starts``: the
    file's lines and each line's character offset; ``char_col``: (line, byte column) -> character column."""
    from migrate.model import Edit

    keyword = arg.arg
    if arg.lineno != arg.value.lineno:
        return None
    line = lines[arg.lineno - 1]
    start = char_col(arg.lineno, arg.col_offset)
    name_end = start + len(keyword)
    equal = line.find("=", name_end)
    if equal < 0 or line[name_end:equal].strip(" \t"):
        return None
    value_start = equal + 1 + (len(line) - equal - 1 - len(line[equal + 1:].lstrip(" \t")))
    if value_start >= len(line) or line[value_start] in "#\\":
        return None
    begin = starts[arg.lineno - 1]
    end = starts[arg.end_lineno - 1] + char_col(arg.end_lineno, arg.end_col_offset)
    value_code = source[begin + value_start:end]
    parenthesized = value_start < char_col(arg.value.lineno, arg.value.col_offset)
    if not (parenthesized or _atomic(arg.value)):
        value_code = f"({value_code})"
    return Edit(begin + start, end, f"{new_keyword}={template.replace('{value}', value_code)}")


_ATOMIC = (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.JoinedStr, ast.List, ast.Tuple, ast.Dict, ast.Set)


def _atomic(value: ast.expr) -> bool:
    """``cstutil.is_atomic`` on the ``ast`` (parentheses are checked in the text)."""
    if isinstance(value, ast.Constant):
        return value.value is not Ellipsis  # numbers, strings, bytes; True/False/None are Names to libcst
    return isinstance(value, _ATOMIC)
