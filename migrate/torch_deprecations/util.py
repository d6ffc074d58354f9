"""Helpers shared by the PyTorch deprecation transforms (PT1xxx); registers no rule itself.

Most PyTorch migrations replace one call by another whose arguments are
mapped (renamed, reordered, defaulted).  ``CallRewrite`` handles the
bookkeeping once: matching the qualified names a rule lists, reporting,
honouring the fix safety, and spelling new names through the file's own
imports.  A subclass only says, for one call, what the new call is or why it
cannot be rewritten automatically.
"""
from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from typing import Callable

from migrate.arguments import calls_by_position as dotted_calls
from migrate.lazycst import cst
from migrate.model import Safety
from migrate.plugin import CustomTransform, Match, ast_position, source_segment

Spell = Callable[..., str]
NOT_LITERAL = object()
_NAMED_CONSTANTS = {"True": True, "False": False, "None": None}


def code_of(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _literal_ast(node: ast.AST, source: str | None) -> object:
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, (bool, int, float)) and not isinstance(value, complex):
            return value
        if isinstance(value, (str, bytes)):
            # one string token, as libcst's SimpleString ("a" "b" is a ConcatenatedString there: not a literal)
            text = source_segment(source, node) if source is not None else None
            if text is None or _string_tokens(text) != 1:
                return NOT_LITERAL
            return value
        return NOT_LITERAL
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _literal_ast(node.operand, source)
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return -inner
    return NOT_LITERAL


def _string_tokens(text: str) -> int:
    try:
        return sum(1 for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type == tokenize.STRING)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return 0


def literal(node, source: str | None = None) -> object:
    """The Python value of a simple literal (bool, None, number, string), else ``NOT_LITERAL``.

    ``node`` is a libcst expression, or an ``ast`` one (of ``CallParts.from_ast``: its ``source``).
    """
    if node is None:
        return NOT_LITERAL
    if isinstance(node, ast.AST):
        return _literal_ast(node, source)
    if isinstance(node, _AstArgument):
        return _literal_ast(node.node, node.source)
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


@dataclass(frozen=True)
class _AstArgument:
    """An ``ast`` argument with the text it was read from (``literal`` needs both)."""

    node: ast.AST
    source: str


@dataclass
class CallParts:
    """A call's arguments as source text, so a rule can reassemble them in a new order.

    Built from the libcst call when a fix is applied (``call_parts``), from the
    ``ast`` call when the rule matches (``call_parts_ast``): a rule's ``rewrite``
    reads only these, so both stages run the same decision.
    """

    positional: list[str]
    keywords: dict[str, str]  # in the call's order
    nodes: dict[str, object]  # keyword -> value node, for literal checks
    positional_nodes: list[object]
    starred: bool  # *args / **kwargs: the mapping to parameters is unknown
    func: str = ""  # the callee as written
    double_starred: bool = False  # a **kwargs argument
    count: int = 0  # arguments of every kind

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
    return CallParts(positional, keywords, nodes, positional_nodes, starred, code_of(call.func),
                     any(arg.star == "**" for arg in call.args), len(call.args))


def call_parts_ast(call: ast.Call, source: str) -> CallParts:
    """``call_parts`` for an ``ast`` call (texts are the source segments, without enclosing parentheses)."""

    def text(node: ast.AST) -> str:
        return source_segment(source, node) or ""

    positional, positional_nodes, keywords, nodes = [], [], {}, {}
    # libcst keeps the written order of positional, *args, keyword and **kwargs arguments; ast splits them
    ordered = sorted([*call.args, *call.keywords], key=lambda a: (a.lineno, a.col_offset))
    starred = double = False
    for arg in ordered:
        if isinstance(arg, ast.Starred):
            starred = True
            positional.append("*" + text(arg.value))
            positional_nodes.append(_AstArgument(arg.value, source))
        elif isinstance(arg, ast.keyword):
            if arg.arg is None:
                starred = double = True
                positional.append("**" + text(arg.value))
                positional_nodes.append(_AstArgument(arg.value, source))
            else:
                keywords[arg.arg] = text(arg.value)
                nodes[arg.arg] = _AstArgument(arg.value, source)
        else:
            positional.append(text(arg))
            positional_nodes.append(_AstArgument(arg, source))
    return CallParts(positional, keywords, nodes, positional_nodes, starred, text(call.func), double, len(ordered))


def render_call(func: str, positional: list[str], keywords: list[tuple[str, str]] | dict[str, str]) -> str:
    items = list(keywords.items()) if isinstance(keywords, dict) else list(keywords)
    return f"{func}({', '.join([*positional, *(f'{k}={v}' for k, v in items)])})"


def parenthesized(text: str) -> str:
    """``text`` as an operand: parenthesized unless it is a name, call, literal or subscript."""
    try:  # ast first: deciding on the ``ast`` side never needs libcst
        body = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        body = None
    if body is not None and not isinstance(body, (ast.Tuple, ast.GeneratorExp)) and text == text.strip():
        if body.col_offset > 0:  # the whole text is in parentheses already
            return text
        if isinstance(body, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)) or (
                isinstance(body, ast.Constant) and type(body.value) in (int, float)):
            return text
        return f"({text})"
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
    text: str  # the replacement expression ("" when ``append`` is given)
    safety: Safety | None = None  # None: the rule's own safety
    note: str = ""  # appended to the message (what a reviewer should check)
    append: tuple[str, str] | None = None  # (keyword, value) added last, keeping the call's own layout


def has_comment(node: cst.CSTNode) -> bool:
    found = []

    class Find(cst.CSTVisitor):
        def visit_Comment(self, comment: cst.Comment) -> None:
            found.append(comment)

    node.visit(Find())
    return bool(found)


def has_comment_ast(node: ast.AST, source: str) -> bool:
    """Is there a comment inside ``node``'s text (as libcst would hold a ``Comment`` in it)?"""
    text = source_segment(source, node) or ""
    if "#" not in text:
        return False
    try:
        return any(t.type == tokenize.COMMENT for t in tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return True


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
        calls = dotted_calls(scan)
        found = []
        for ref in scan.references:
            if ref.is_call and self.wants(ref.qualified):
                node = calls.get((ref.line, ref.column))
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


def callee_name(node) -> str | None:
    """The last name of the callee when ``node`` (libcst, or an ``ast`` argument) is a call, else None."""
    if isinstance(node, _AstArgument):
        node = node.node
    if isinstance(node, ast.AST):
        if not isinstance(node, ast.Call):
            return None
        func = node.func
        return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if not isinstance(node, cst.Call):
        return None
    func = node.func
    return func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")


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
