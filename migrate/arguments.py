"""The argument tables' decision for one call, made once on the ``ast`` call.

Four table kinds change a call's argument list: positional -> keyword reorders
(TF2003), keyword renames (TF2004), keyword removals (TF2005) and value
rewrites (TF2006).  ``plan_arguments`` decides, for one call of a qualified
name, what each written argument becomes and what is reported where, in the
order the steps depend on each other (positional meaning is fixed before names
change; a keyword the reorder or a rename wrote can be renamed, dropped or
rewritten next).  Its ``ArgumentPlan`` is read by every consumer and decided by
none of them:

* ``lint``'s checker reports its findings (``lint._Checker._check_arguments``);
* ``textfix.TextMatcher`` reports them, turns a lone value rewrite into a text
  edit, or hands the call to the libcst pass when the argument list is rebuilt;
* the libcst pass (``engine._Transformer``) finds the plan of the call it
  leaves by the original node's position (``calls_by_position``), reports it
  and builds the nodes (``apply_plan``).

Arguments are numbered in written order (``f(a, *b, k=1, **c)``: 0-3), which
is libcst's ``Call.args`` order.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from migrate.rules import format_message, short_name

if TYPE_CHECKING:
    from migrate.model import Rule
    from migrate.rules import RuleSet


@dataclass(frozen=True)
class ArgumentFinding:
    rule: "Rule"
    message: str
    at: int | None  # the written argument it is reported at (the user's own ``keyword=``); None: the call
    fixed: bool


@dataclass(frozen=True)
class ArgumentPlan:
    """What the argument tables do to one call: findings, then the edits in the order they apply."""

    findings: tuple[ArgumentFinding, ...]
    # (argument, kind, keyword, template): "name" a positional argument (reorder), "rename" its keyword,
    # "value" write ``keyword=<template with the value>``; applied in this order
    steps: tuple[tuple[int, str, str, str | None], ...]
    drops: frozenset[int]  # arguments removed, after the steps

    @property
    def edits(self) -> bool:
        return bool(self.steps or self.drops)


def written_arguments(node: ast.Call) -> list[ast.AST]:
    """The call's arguments in written order (``ast`` keeps positional and keyword ones apart)."""
    return sorted([*node.args, *node.keywords], key=lambda a: (a.lineno, a.col_offset))


def has_argument_rules(ruleset: "RuleSet", qualified: str) -> bool:
    return (qualified in ruleset.reorders or qualified in ruleset.keyword_renames
            or qualified in ruleset.keyword_removals or qualified in ruleset.value_rewrites)


def plan_arguments(ruleset: "RuleSet", qualified: str, node: ast.Call,
                   may_fix: Callable[["Rule"], bool]) -> ArgumentPlan | None:
    """The argument tables' plan for ``node``, a call of ``qualified``; None when no table knows the name."""
    if not has_argument_rules(ruleset, qualified):
        return None
    written = written_arguments(node)
    # each argument's keyword as the steps go (None: positional, *args or **kwargs)
    names: list[str | None] = [a.arg if isinstance(a, ast.keyword) else None for a in written]
    starred = [isinstance(a, ast.Starred) or isinstance(a, ast.keyword) and a.arg is None for a in written]
    own = [name is not None for name in names]  # still the user's own ``keyword=``: findings are reported there
    findings: list[ArgumentFinding] = []
    steps: list[tuple[int, str, str, str | None]] = []
    name = short_name(qualified)

    def site(index: int) -> int | None:
        return index if own[index] else None

    entry = ruleset.reorders.get(qualified)
    if entry is not None:
        params, keep, rule = entry
        positional = [i for i, n in enumerate(names) if n is None and not starred[i]]
        if (len(positional) > keep and positional == list(range(len(positional)))
                and len(positional) <= len(params) and may_fix(rule)):
            named = [params[i] for i in positional[keep:]]
            for index in positional[keep:]:
                names[index] = params[index]
                steps.append((index, "name", params[index], None))
            findings.append(ArgumentFinding(rule, format_message(rule.message, name=name, keywords=", ".join(named)),
                                            None, True))

    present = {n for n in names if n is not None}
    for old, new, rule in ruleset.keyword_renames.get(qualified, ()):
        for index, current in enumerate(names):
            if current != old:
                continue
            fixed = may_fix(rule) and new not in present
            findings.append(ArgumentFinding(rule, format_message(rule.message, name=name, old=old, new=new),
                                            site(index), fixed))
            if fixed:
                names[index], own[index] = new, False
                present.add(new)
                steps.append((index, "rename", new, None))

    drops: set[int] = set()
    for old, rule in ruleset.keyword_removals.get(qualified, ()):
        for index, current in enumerate(names):
            if current == old:
                fixed = may_fix(rule)
                findings.append(ArgumentFinding(rule, format_message(rule.message, name=name, old=old),
                                                site(index), fixed))
                if fixed:
                    drops.add(index)

    for keyword, new_keyword, template, rule in ruleset.value_rewrites.get(qualified, ()):
        for index, current in enumerate(names):
            if current != keyword or index in drops:
                continue
            fixed = may_fix(rule)
            findings.append(ArgumentFinding(
                rule, format_message(rule.message, name=name, old=keyword, new=new_keyword), site(index), fixed))
            if fixed:
                names[index], own[index] = new_keyword, False
                steps.append((index, "value", new_keyword, template))
    return ArgumentPlan(tuple(findings), tuple(steps), frozenset(drops))


def _dotted_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    while isinstance(func, ast.Attribute):
        func = func.value
    return isinstance(func, ast.Name)


def calls_by_position(scan) -> dict[tuple[int, int], ast.Call]:
    """The module's calls of a dotted name by (line, 0-based character column) of where they start
    (where the scan's ``Reference`` of a call starts, and libcst's position of the ``Call``)."""
    cached = scan.matches.get("<calls>")
    if cached is None:
        from migrate.plugin import ast_position

        lines = scan.source.splitlines()
        cached = {(node.lineno, ast_position(lines, node)[1] - 1): node
                  for node in ast.walk(scan.tree) if _dotted_call(node)}
        scan.matches["<calls>"] = cached
    return cached


def call_at(scan, line: int, column: int) -> ast.Call | None:
    """The call of a dotted name starting at ``line`` and 0-based character ``column`` (as ``calls_by_position``),
    found by walking only the statements on that line (the libcst pass asks for the calls it leaves)."""
    whole = scan.matches.get("<calls>")
    if whole is not None:
        return whole.get((line, column))
    by_line = scan.matches.setdefault("<calls by line>", {})
    calls = by_line.get(line)
    if calls is None:
        from migrate.plugin import ast_position

        lines = scan.matches.get("<lines>")
        if lines is None:
            lines = scan.matches["<lines>"] = scan.source.splitlines()
        calls = by_line[line] = {}
        for node in nodes_on_line(scan.tree.body, line):
            if _dotted_call(node) and node.lineno == line:
                calls[(line, ast_position(lines, node)[1] - 1)] = node
    return calls.get((line, column))


def nodes_on_line(body: list[ast.stmt], line: int):
    """Every node of the statements of ``body`` (and their nested blocks) that span ``line``, not descending
    into statements that do not: a statement's header, decorators and expressions, and the blocks holding ``line``."""
    for statement in body:
        decorators = getattr(statement, "decorator_list", None)
        first = min([statement.lineno, *(d.lineno for d in decorators)]) if decorators else statement.lineno
        if not first <= line <= statement.end_lineno:
            continue
        stack: list[ast.AST] = [statement]
        while stack:
            node = stack.pop()
            yield node
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    continue  # a nested statement: reached through its block below, when it spans the line
                stack.append(child)
        for name in ("body", "orelse", "finalbody"):
            block = getattr(statement, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield from nodes_on_line(block, line)
        for holder in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
            yield from nodes_on_line(holder.body, line)


def apply_plan(plan: ArgumentPlan, call):
    """``call`` (a libcst ``Call`` whose arguments are the planned call's) with the plan's edits built."""
    import libcst as cst

    from migrate.cstutil import keyword_arg, remove_args

    args = list(call.args)
    for index, kind, keyword, template in plan.steps:
        arg = args[index]
        if kind == "name":
            args[index] = keyword_arg(keyword, arg.value, like=arg)
        elif kind == "rename":
            args[index] = arg.with_changes(keyword=cst.Name(keyword))
        else:
            args[index] = keyword_arg(keyword, fill_template(template, arg.value), like=arg)
    return call.with_changes(args=remove_args(args, set(plan.drops)))


def fill_template(template: str, value):
    """The libcst expression ``template`` (``1 - {value}``) with ``value`` in place of ``{value}``,
    parenthesized unless atomic, so ``1 - (a + b)`` keeps its meaning."""
    import libcst as cst

    from migrate.cstutil import parenthesize

    value_code = cst.Module([]).code_for_node(parenthesize(value))
    return cst.parse_expression(template.replace("{value}", value_code))
