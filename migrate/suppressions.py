"""Inline suppressions: ``# dlmigrate: ignore`` and ``# dlmigrate: ignore[CODE, PREFIX]``.

The comment sits on the finding's line or on the last line of its statement (a
multi-line call).  ``lint`` and ``convert`` honour it the same way: a suppressed
finding is not reported, and its code is not fixed anywhere in that file (the
engine applies a rule per code, not per line; fixing the other sites would
leave the file half converted in a way the comment did not ask for).
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import replace

from migrate.model import Finding, Safety

SUPPRESSION = re.compile(r"#\s*dlmigrate:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)


def suppressions(source: str) -> dict[int, frozenset[str] | None]:
    """Line -> suppressed code prefixes (None: every code) from ``# dlmigrate: ignore[...]`` comments."""
    found: dict[int, frozenset[str] | None] = {}
    if "dlmigrate" not in source:
        return found
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return found
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        match = SUPPRESSION.search(token.string)
        if match is None:
            continue
        line = token.start[0]
        if match.group(1) is None:
            found[line] = None
        elif found.get(line, frozenset()) is not None:
            codes = {c.strip().upper() for c in match.group(1).split(",") if c.strip()}
            found[line] = frozenset(codes) | (found.get(line) or frozenset())
    return found


def statement_ends(source: str) -> dict[int, int]:
    """Line -> last line of the (simple) statement or compound-statement header it belongs to."""
    ends: dict[int, int] = {}
    try:
        from migrate.resolve import parse_quietly

        tree = parse_quietly(source)
    except (SyntaxError, ValueError, RecursionError):
        return ends
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt) or node.end_lineno is None:
            continue
        body = getattr(node, "body", None)
        last = body[0].lineno - 1 if isinstance(body, list) and body and body[0].lineno > node.lineno else node.end_lineno
        for line in range(node.lineno, last + 1):
            ends[line] = min(ends.get(line, last), last) if line in ends else last
    return ends


def is_suppressed(finding: Finding, marks: dict[int, frozenset[str] | None], ends: dict[int, int]) -> bool:
    """A comment on the finding's line, or at the end of its statement (a multi-line call's last line)."""
    for line in {finding.line, ends.get(finding.line, finding.line)}:
        if line not in marks:
            continue
        codes = marks[line]
        if codes is None or any(finding.code.startswith(c) for c in codes):
            return True
    return False


def split_suppressed(source: str, findings: tuple[Finding, ...]) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(kept, suppressed); the source is tokenized only when there is something to suppress."""
    if not findings:
        return findings, ()
    marks = suppressions(source)
    if not marks:
        return findings, ()
    ends = statement_ends(source)
    kept, silenced = [], []
    for finding in findings:
        (silenced if is_suppressed(finding, marks, ends) else kept).append(finding)
    return tuple(kept), tuple(silenced)


def transform_honouring_suppressions(text: str, ruleset, apply: frozenset[Safety], filename: str,
                                     facts: dict | None = None):
    """``(new_text, findings)`` for one module: the rules applied, suppressed findings dropped,
    and a code suppressed anywhere in the file left unfixed everywhere in it (its other sites
    are reported open).  Imports the libcst engine: only callers that rewrite ask."""
    from migrate.engine import transform_source
    from migrate.selection import filter_ruleset

    result = transform_source(text, ruleset, apply=apply, filename=filename, facts=facts)
    kept, silenced = split_suppressed(text, result.findings)
    held = tuple(sorted({f.code for f in silenced if f.fixed}))
    if not held:
        return result.code, kept
    again = transform_source(text, filter_ruleset(ruleset, ("ALL",), held), apply=apply, filename=filename,
                             facts=facts)
    kept_again, _ = split_suppressed(text, again.findings)
    unfixed = {replace(f, fixed=False) for f in kept if f.code in held}
    return again.code, tuple(sorted(set(kept_again) | unfixed, key=Finding.sort_key))
