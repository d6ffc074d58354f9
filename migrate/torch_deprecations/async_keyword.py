"""PT1046: keyword arguments named ``async`` (``x.cuda(async=True)``) -> ``non_blocking``.

``async`` is a reserved word since Python 3.7, so a 0.3-era file with
``.cuda(async=True)`` does not parse at all and every other idiom in it stays
hidden.  PyTorch 0.4 renamed the argument ``non_blocking`` (same meaning) in
``Tensor.cuda``, ``Tensor.to`` and ``Module.cuda``.  This is a pre-parse
repair: it runs only on text that Python cannot parse, on the token stream
(``async`` as a NAME right after ``(`` or ``,`` and right before ``=``), and
its result is used only if it parses; the engine then converts the repaired
text as usual (and never writes what libcst cannot reproduce exactly).
"""
from __future__ import annotations

import ast
import io
import tokenize

from migrate.model import Finding, Safety
from migrate.plugin import CustomTransform, register

NEW = "non_blocking"


def async_keyword_positions(source: str) -> list[tuple[int, int]]:
    """(line, 0-based column) of each ``async`` used as a keyword argument's name."""
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
                  if t.type not in (tokenize.NL, tokenize.COMMENT)]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []
    found = []
    for index in range(1, len(tokens) - 1):
        token = tokens[index]
        if token.string != "async" or token.type not in (tokenize.NAME, getattr(tokenize, "ASYNC", -1)):
            continue
        before, after = tokens[index - 1], tokens[index + 1]
        if before.type == tokenize.OP and before.string in ("(", ",") and after.type == tokenize.OP and after.string == "=":
            found.append(token.start)
    return found


def replace_async_keywords(source: str, positions: list[tuple[int, int]]) -> str:
    lines = source.splitlines(keepends=True)
    for line, column in sorted(positions, reverse=True):
        text = lines[line - 1]
        lines[line - 1] = text[:column] + NEW + text[column + len("async"):]
    return "".join(lines)


@register("PT1046")
class AsyncKeyword(CustomTransform):
    """Has no hook in the engine's pass: by the time a file is parsed, there is no ``async=`` left."""

    def repair_unparsable(self, source: str, apply: frozenset[Safety]) -> tuple[str, list[Finding]] | None:
        if "async" not in source:
            return None
        positions = async_keyword_positions(source)
        if not positions:
            return None
        fixed = self.rule.safety in apply
        repaired = replace_async_keywords(source, positions)
        try:
            ast.parse(repaired)
        except (SyntaxError, ValueError):
            return None  # something else is wrong too: the file stays as it is and its parse error is reported
        findings = [
            Finding(self.rule.code, self.rule.message, self.rule.severity, self.rule.safety, line, column + 1,
                    fixed=fixed, end_line=line, end_column=column + 1 + len("async"))
            for line, column in positions
        ]
        return (repaired if fixed else None), findings
