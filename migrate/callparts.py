"""Framework-neutral helpers for custom rules that read or rebuild a call; registers no rule.

A rule decides on the ``ast`` call (``call_parts_ast``, ``literal`` on its nodes) and, when its fix
is applied, reads the same parts off the libcst call (``call_parts``): both stages see one
``CallParts``, so they run one decision.  libcst is imported lazily (``migrate.lazycst``): ``lint``
imports this module without loading libcst, and only the libcst-side helpers touch it.
"""
from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass

from migrate.lazycst import cst
from migrate.plugin import source_segment

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
