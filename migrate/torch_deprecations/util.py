"""Helpers shared by the PyTorch deprecation transforms (PT1xxx); registers no rule itself.

(The framework-neutral call helpers, ``CallParts``, ``literal``, ``render_call``..., are in
``migrate.callparts``, shared with the other families.)

Most PyTorch migrations replace one call by another whose arguments are
mapped (renamed, reordered, defaulted).  ``CallRewrite`` handles the
bookkeeping once: matching the qualified names a rule lists, reporting,
honouring the fix safety, and spelling new names through the file's own
imports.  A subclass only says, for one call, what the new call is or why it
cannot be rewritten automatically.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable

from migrate.arguments import call_at
from migrate.callparts import CallParts, append_keyword, call_parts, call_parts_ast, code_of, has_comment_ast
from migrate.lazycst import cst
from migrate.model import Safety
from migrate.plugin import CustomTransform, Match, ast_position

Spell = Callable[..., str]


def short(qualified: str) -> str:
    for long, alias in (("torch.nn.functional.", "F."), ("torch.nn.", "nn.")):
        if qualified.startswith(long):
            return alias + qualified[len(long):]
    return qualified


@dataclass(frozen=True)
class Unfixable:
    """The call is reported, with the reason a person has to finish it."""

    reason: str


@dataclass(frozen=True)
class Fix:
    text: str  # the replacement expression ("" when ``append`` is given)
    safety: Safety | None = None  # None: the rule's own safety
    note: str = ""  # appended to the message (what a reviewer should check)
    append: tuple[str, str] | None = None  # (keyword, value) added last, keeping the call's own layout


def _fill(template: str, **values: str) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def dry_spell(qualified: str, prefer: str | None = None) -> str:
    return qualified


class CallRewrite(CustomTransform):
    """A rule reacting to calls of the qualified names in ``entries["functions"]``.

    ``entries["functions"]`` is either a list of names or a table name ->
    rule-specific data (for example the replacement's name).

    The decision is made once, on the ``ast`` call (``match``): ``rewrite`` runs on
    its ``CallParts`` and says fix (with safety and note), report, or nothing.
    ``lint`` reports those matches; the libcst pass looks the match up at the same
    place (``on_call``), reports it as it is and, for a fix that is applied, runs
    ``rewrite`` again on the libcst call only to spell the replacement.
    """

    def __init__(self, rule, entries) -> None:
        super().__init__(rule, entries)
        functions = entries.get("functions", {})
        self.functions: dict[str, object] = (
            dict(functions) if isinstance(functions, dict) else {name: None for name in functions}
        )

    def wants(self, qualified: str) -> bool:
        return qualified in self.functions

    def applies(self, scan) -> bool:
        return any(ref.is_call and self.wants(ref.qualified) for ref in scan.references)

    def rewrite(self, qualified: str, parts: CallParts, spell: Spell) -> Fix | Unfixable | None:
        """The replacement for one call, why there is none, or None when the call is fine."""
        raise NotImplementedError

    def message(self, qualified: str, **extra: str) -> str:
        return _fill(self.rule.message, name=short(qualified), **extra)

    def match(self, scan) -> list[Match]:
        found = []
        for ref in scan.references:
            if ref.is_call and self.wants(ref.qualified):
                node = call_at(scan, ref.line, ref.column)  # walks only that line's statements
                if node is not None:
                    match = self.match_call(scan, ref.qualified, node)
                    if match is not None:
                        found.append(match)
        return found

    def match_call(self, scan, qualified: str, node: ast.Call) -> Match | None:
        outcome = self.rewrite(qualified, call_parts_ast(node, scan.source), dry_spell)
        return self.decide(scan, qualified, node, outcome)

    def decide(self, scan, qualified: str, node: ast.Call, outcome: Fix | Unfixable | None,
               message: str | None = None, **fields) -> Match | None:
        """The match for one call from the rule's outcome (None: nothing to report)."""
        if outcome is None:
            return None
        message = message or self.message(qualified)
        if isinstance(outcome, Fix) and outcome.append is None and has_comment_ast(node, scan.source):
            outcome = Unfixable("comments inside the call would be lost by the rewrite")
        line, column, end_line, end_column = ast_position(scan.source.splitlines(), node)
        if isinstance(outcome, Unfixable):
            return Match(self.rule, line, column, f"{message} (needs a manual change: {outcome.reason})", Safety.NONE,
                         end_line=end_line, end_column=end_column, fixable=False, payload=outcome, **fields)
        if outcome.note:
            message = f"{message} ({outcome.note})"
        return Match(self.rule, line, column, message, outcome.safety or self.rule.safety,
                     end_line=end_line, end_column=end_column, payload=outcome, **fields)

    def on_call(self, ctx, qualified, original, updated):
        if not self.wants(qualified):
            return None
        match = ctx.match_at(self, original)
        if match is None or not ctx.report_match(match):
            return None
        return self.apply(ctx, qualified, match, original, updated)

    def apply(self, ctx, qualified, match: Match, original, updated):
        """The libcst edit for a match whose fix is applied: the rule's decision, spelled here."""
        decided = match.payload
        if isinstance(decided, Fix) and decided.append is not None:
            return append_keyword(updated, *decided.append)
        prefer = code_of(original.func).split(".", 1)[0]
        spelled = self.rewrite(qualified, call_parts(updated), lambda name, p=prefer: ctx.spell(name, p))
        assert isinstance(spelled, Fix), (self.code, spelled)
        replacement = cst.parse_expression(spelled.text)
        return replacement.with_changes(lpar=updated.lpar, rpar=updated.rpar)


def unresolved_method_calls(scan, method: str):
    """``receiver.method(...)`` calls whose callee does not resolve through an import (the engine's
    ``on_method_call`` sites), as ``ast`` calls."""
    if scan.tree is None or method not in scan.source:
        return []
    resolved = {(ref.line, ref.column) for ref in scan.references if ref.is_call}
    lines = scan.source.splitlines()
    return [node for node in ast.walk(scan.tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method
            and (node.lineno, ast_position(lines, node)[1] - 1) not in resolved]


def method_call_lines(scan, method: str) -> list[int] | None:
    """Lines of ``receiver.method(...)`` calls, read off the scan's ``ast`` tree (None: unknown, whole module)."""
    import ast

    if getattr(scan, "tree", None) is None:
        return None
    return [line for node in ast.walk(scan.tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)]
