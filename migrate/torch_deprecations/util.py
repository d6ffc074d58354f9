"""Helpers shared by the PyTorch deprecation transforms (PT1xxx); registers no rule itself.

Most PyTorch migrations replace one call by another whose arguments are
mapped (renamed, reordered, defaulted).  ``CallRewrite`` handles the
bookkeeping once: matching the qualified names a rule lists, reporting,
honouring the fix safety, and spelling new names through the file's own
imports.  A subclass only says, for one call, what the new call is or why it
cannot be rewritten automatically.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import libcst as cst

from migrate.model import Safety
from migrate.plugin import CustomTransform

Spell = Callable[..., str]
NOT_LITERAL = object()
_NAMED_CONSTANTS = {"True": True, "False": False, "None": None}


def code_of(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def literal(node: cst.BaseExpression | None) -> object:
    """The Python value of a simple literal (bool, None, number, string), else ``NOT_LITERAL``."""
    if node is None:
        return NOT_LITERAL
    if isinstance(node, cst.Name) and node.value in _NAMED_CONSTANTS:
        return _NAMED_CONSTANTS[node.value]
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString)):
        return node.evaluated_value
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = literal(node.expression)
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return -inner
    return NOT_LITERAL


def short(qualified: str) -> str:
    for long, alias in (("torch.nn.functional.", "F."), ("torch.nn.", "nn.")):
        if qualified.startswith(long):
            return alias + qualified[len(long):]
    return qualified


@dataclass
class CallParts:
    """A call's arguments as source text, so a rule can reassemble them in a new order."""

    positional: list[str]
    keywords: dict[str, str]
    nodes: dict[str, cst.BaseExpression]  # keyword -> value node, for literal checks
    positional_nodes: list[cst.BaseExpression]
    starred: bool  # *args / **kwargs: the mapping to parameters is unknown

    def argument(self, index: int, keyword: str) -> cst.BaseExpression | None:
        """The node passed for a parameter, by position or by keyword."""
        if keyword in self.nodes:
            return self.nodes[keyword]
        if index < len(self.positional_nodes):
            return self.positional_nodes[index]
        return None

    def text(self, index: int, keyword: str) -> str | None:
        if keyword in self.keywords:
            return self.keywords[keyword]
        if index < len(self.positional):
            return self.positional[index]
        return None


def call_parts(call: cst.Call) -> CallParts:
    positional, positional_nodes, keywords, nodes, starred = [], [], {}, {}, False
    for arg in call.args:
        if arg.star:
            starred = True
            positional.append(arg.star + code_of(arg.value))
            positional_nodes.append(arg.value)
        elif arg.keyword is None:
            positional.append(code_of(arg.value))
            positional_nodes.append(arg.value)
        else:
            keywords[arg.keyword.value] = code_of(arg.value)
            nodes[arg.keyword.value] = arg.value
    return CallParts(positional, keywords, nodes, positional_nodes, starred)


def render_call(func: str, positional: list[str], keywords: list[tuple[str, str]] | dict[str, str]) -> str:
    items = list(keywords.items()) if isinstance(keywords, dict) else list(keywords)
    return f"{func}({', '.join([*positional, *(f'{k}={v}' for k, v in items)])})"


def parenthesized(text: str) -> str:
    """``text`` as an operand: parenthesized unless it is a name, call, literal or subscript."""
    node = cst.parse_expression(text)
    if isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float)) or node.lpar:
        return text
    return f"({text})"


@dataclass(frozen=True)
class Unfixable:
    """The call is reported, with the reason a person has to finish it."""

    reason: str


@dataclass(frozen=True)
class Fix:
    text: str  # the replacement expression ("" when ``node`` is given)
    safety: Safety | None = None  # None: the rule's own safety
    note: str = ""  # appended to the message (what a reviewer should check)
    node: cst.BaseExpression | None = None  # an edited node, when the call's own layout can be kept


def has_comment(node: cst.CSTNode) -> bool:
    found = []

    class Find(cst.CSTVisitor):
        def visit_Comment(self, comment: cst.Comment) -> None:
            found.append(comment)

    node.visit(Find())
    return bool(found)


def append_keyword(call: cst.Call, name: str, value: str) -> cst.Call:
    """``call`` with ``name=value`` added last, keeping its layout (one line or one argument per line)."""
    args = list(call.args)
    new = cst.Arg(
        keyword=cst.Name(name),
        value=cst.parse_expression(value),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if isinstance(last.comma, cst.Comma):  # trailing comma: the new argument goes on its own line
        between = args[-2].comma.whitespace_after if len(args) > 1 else call.whitespace_before_args
        if isinstance(between, cst.ParenthesizedWhitespace):  # the line break and indent, not its comment
            between = between.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=between))
        new = new.with_changes(comma=last.comma)
    else:
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return call.with_changes(args=[*args, new])


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
    """

    def __init__(self, rule, entries) -> None:
        super().__init__(rule, entries)
        functions = entries.get("functions", {})
        self.functions: dict[str, object] = (
            dict(functions) if isinstance(functions, dict) else {name: None for name in functions}
        )

    def applies(self, scan) -> bool:
        return any(ref.is_call and ref.qualified in self.functions for ref in scan.references)

    def sites(self, scan):
        return [line for ref in scan.references if ref.is_call and ref.qualified in self.functions
                for line in range(ref.line, (ref.end_line or ref.line) + 1)]

    def rewrite(self, qualified: str, parts: CallParts, spell: Spell, call: cst.Call) -> Fix | Unfixable | None:
        """The replacement for one call, why there is none, or None when the call is fine."""
        raise NotImplementedError

    def message(self, qualified: str, **extra: str) -> str:
        return _fill(self.rule.message, name=short(qualified), **extra)

    def on_call(self, ctx, qualified, original, updated):
        if qualified not in self.functions:
            return None
        parts = call_parts(updated)
        outcome = self.rewrite(qualified, parts, dry_spell, updated)
        if outcome is None:
            return None
        message = self.message(qualified)
        if isinstance(outcome, Fix) and outcome.node is None and has_comment(updated):
            outcome = Unfixable("comments inside the call would be lost by the rewrite")
        if isinstance(outcome, Unfixable):
            ctx.report(self.rule, original, f"{message} (needs a manual change: {outcome.reason})",
                       fixed=False, safety=Safety.NONE)
            return None
        safety = outcome.safety or self.rule.safety
        if outcome.note:
            message = f"{message} ({outcome.note})"
        fixed = ctx.may_fix(self.rule, safety)
        ctx.report(self.rule, original, message, fixed=fixed, safety=safety)
        if not fixed:
            return None
        prefer = code_of(original.func).split(".", 1)[0]
        spelled = self.rewrite(qualified, parts, lambda name, p=prefer: ctx.spell(name, p), updated)
        assert isinstance(spelled, Fix)
        if spelled.node is not None:
            return spelled.node
        replacement = cst.parse_expression(spelled.text)
        return replacement.with_changes(lpar=updated.lpar, rpar=updated.rpar)


def unknown_keywords(parts: CallParts, allowed: set[str]) -> list[str]:
    return sorted(k for k in parts.keywords if k not in allowed)


def method_call_lines(scan, method: str) -> list[int] | None:
    """Lines of ``receiver.method(...)`` calls, read off the scan's ``ast`` tree (None: unknown, whole module)."""
    import ast

    if getattr(scan, "tree", None) is None:
        return None
    return [line for node in ast.walk(scan.tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)]
