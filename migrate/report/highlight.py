"""Python syntax classes per physical line, from the stdlib tokenizer (no extra dependency).

Tokenizing stops quietly at the first error, so broken or non-Python text (a
notebook's JSON) is shown with whatever was recognised up to there.
"""
from __future__ import annotations

import builtins
import io
import keyword
import token
import tokenize

# css class per token kind: keyword, string, comment, number, definition name, builtin
KEYWORD, STRING, COMMENT, NUMBER, DEFINITION, BUILTIN = "k", "s", "c", "n", "f", "b"
_BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_"))
_STRING_KINDS = {token.STRING} | {getattr(token, n) for n in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END") if hasattr(token, n)}

Span = tuple[int, int, str]  # start column, end column, css class


def physical_lines(text: str) -> list[str]:
    """Lines as the tokenizer numbers them, line endings kept."""
    return io.StringIO(text, newline="").readlines()


def line_spans(text: str) -> list[list[Span]]:
    lines = physical_lines(text)
    spans: list[list[Span]] = [[] for _ in lines]
    previous_name = ""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text, newline="").readline):
            kind = _css_class(tok, previous_name)
            if tok.type == token.NAME:
                previous_name = tok.string
            elif tok.type not in (token.NL, token.NEWLINE, token.COMMENT, token.INDENT, token.DEDENT):
                previous_name = ""
            if kind is None:
                continue
            (start_row, start_col), (end_row, end_col) = tok.start, tok.end
            for row in range(start_row, min(end_row, len(lines)) + 1):
                first = start_col if row == start_row else 0
                last = end_col if row == end_row else len(lines[row - 1].rstrip("\r\n"))
                if last > first:
                    spans[row - 1].append((first, last, kind))
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    return spans


def _css_class(tok: tokenize.TokenInfo, previous_name: str) -> str | None:
    if tok.type == token.COMMENT:
        return COMMENT
    if tok.type in _STRING_KINDS:
        return STRING
    if tok.type == token.NUMBER:
        return NUMBER
    if tok.type == token.NAME:
        if keyword.iskeyword(tok.string):
            return KEYWORD
        if previous_name in ("def", "class"):
            return DEFINITION
        if tok.string in _BUILTINS:
            return BUILTIN
    return None
