"""The argument tables' decision for one call, made once on the ``ast`` call.

Four table kinds change a call's argument list: positional -> keyword reorders
(TF2003), keyword renames (TF2004), keyword removals (TF2005) and value
rewrites (TF2006), each kind a module of ``migrate/kinds/table/`` holding its
step.  ``plan_arguments`` runs the steps and decides, for one call of a qualified
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

from migrate.kinds.table import argument_kinds
from migrate.kinds.table.value import fill_template  # noqa: F401 (re-exported: the call-map kind builds values)
from migrate.resolve import first_line
from migrate.rules import short_name

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
    for table in _argument_tables():
        if qualified in getattr(ruleset, table):
            return True
    return False


class CallArguments:
    """One call's written arguments as the argument kinds' steps go (each kind's ``plan``, in order)."""

    def __init__(self, node: ast.Call, qualified: str) -> None:
        self.written = written_arguments(node)
        # each argument's keyword as the steps go (None: positional, *args or **kwargs)
        self.names: list[str | None] = [a.arg if isinstance(a, ast.keyword) else None for a in self.written]
        self.starred = [isinstance(a, ast.Starred) or isinstance(a, ast.keyword) and a.arg is None
                        for a in self.written]
        self.own = [name is not None for name in self.names]  # still the user's own ``keyword=``: reported there
        self.findings: list[ArgumentFinding] = []
        self.steps: list[tuple[int, str, str, str | None]] = []
        self.drops: set[int] = set()
        self.name = short_name(qualified)

    def site(self, index: int) -> int | None:
        """Where a finding about argument ``index`` goes: the argument while it is the user's ``keyword=``."""
        return index if self.own[index] else None

    def report(self, rule: "Rule", message: str, at: int | None, fixed: bool) -> None:
        self.findings.append(ArgumentFinding(rule, message, at, fixed))


def plan_arguments(ruleset: "RuleSet", qualified: str, node: ast.Call,
                   may_fix: Callable[["Rule"], bool]) -> ArgumentPlan | None:
    """The argument tables' plan for ``node``, a call of ``qualified``; None when no table knows the name.

    Each argument kind decides its own step (``plan`` of its module in ``migrate/kinds/table/``), in
    the kinds' fixed order: reorder, keyword-rename, keyword-remove, value."""
    if not has_argument_rules(ruleset, qualified):
        return None
    call = CallArguments(node, qualified)
    for kind in argument_kinds():
        kind.plan(call, ruleset, qualified, may_fix)
    return ArgumentPlan(tuple(call.findings), tuple(call.steps), frozenset(call.drops))


_TABLES: tuple[str, ...] | None = None


def _argument_tables() -> tuple[str, ...]:
    global _TABLES
    if _TABLES is None:
        _TABLES = tuple(kind.table for kind in argument_kinds())
    return _TABLES


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
        if not first_line(statement) <= line <= statement.end_lineno:
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
    """``call`` (a libcst ``Call`` whose arguments are the planned call's) with the plan's edits built:
    each step by the kind that planned it (``apply_cst``), then the drops (``keyword-remove``)."""
    from migrate.kinds.table.keyword_remove import KeywordRemove

    by_step = {kind.step: kind for kind in argument_kinds() if kind.step}
    args = list(call.args)
    for index, step, keyword, template in plan.steps:
        args[index] = by_step[step].apply_cst(args[index], keyword, template)
    return call.with_changes(args=KeywordRemove.apply_drops(args, plan.drops))
