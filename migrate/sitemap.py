"""Where each line of a converted file came from, and where a finding now sits.

The converter records, for every file it changes, which lines of the rewritten
text are the original's lines kept or rewritten in place (``FileResult.site_map``,
rewritten line -> original line).  Validation pairs outputs through it, and
findings left open after ``convert --write/--out`` or ``lint --fix`` are moved to
the line the user reads in the written file.

Stdlib only: the validator imports it.
"""
from __future__ import annotations

import difflib
from dataclasses import replace
from typing import Iterable

from migrate.model import Finding

Block = tuple[str, int, int, int, int]  # difflib opcode: tag, original [a0, a1), rewritten [b0, b1), 0-based


_last: list = [None, None, None]  # the latest (original, rewritten, blocks): convert asks twice per file


def line_blocks(original: str, rewritten: str) -> list[Block]:
    if _last[0] == original and _last[1] == rewritten:
        return list(_last[2])
    old, new = original.splitlines(), rewritten.splitlines()
    blocks = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    _last[:] = [original, rewritten, tuple(blocks)]
    return blocks


def site_pairs(original: str, rewritten: str, blocks: list[Block] | None = None) -> tuple[tuple[int, int], ...]:
    """Rewritten line -> original line (1-based), for lines kept, or rewritten in place one for one."""
    if original == rewritten:
        return ()
    pairs = []
    for tag, a0, a1, b0, b1 in blocks if blocks is not None else line_blocks(original, rewritten):
        if tag == "equal" or (tag == "replace" and a1 - a0 == b1 - b0):
            pairs.extend((b0 + k + 1, a0 + k + 1) for k in range(b1 - b0))
    return tuple(pairs)


def _new_line(line: int, blocks: list[Block]) -> int:
    """The rewritten line that holds original ``line`` (1-based): exact for kept lines, the
    corresponding line (or the block's last) for lines an edit rewrote, the next line for deleted ones."""
    index = line - 1
    for tag, a0, a1, b0, b1 in blocks:
        if a0 <= index < a1:
            if tag == "equal":
                return b0 + (index - a0) + 1
            if tag == "replace":
                return b0 + min(index - a0, b1 - b0 - 1) + 1
            return b0 + 1  # deleted: the line that now follows
    return max(1, line)


def _column_in(new_text_line: str, old_text_line: str, column: int) -> int:
    """Keep the column where the line is unchanged before it; else find the same text nearby."""
    prefix = old_text_line[: column - 1]
    if new_text_line.startswith(prefix):
        return column
    token = old_text_line[column - 1: column - 1 + 24].split("(")[0]
    if token:
        found = new_text_line.find(token)
        if found >= 0:
            return found + 1
    return min(column, len(new_text_line) + 1)


def relocate(findings: Iterable[Finding], original: str, rewritten: str) -> tuple[Finding, ...]:
    """Findings located in ``rewritten``; each keeps its original position in ``original_line/column``."""
    findings = tuple(findings)
    if original == rewritten or not findings:
        return findings
    blocks = line_blocks(original, rewritten)
    old_lines, new_lines = original.splitlines(), rewritten.splitlines()
    moved = []
    for finding in findings:
        if finding.original_line is not None:  # already located in a written file
            moved.append(finding)
            continue
        line = _new_line(finding.line, blocks)
        old_text = old_lines[finding.line - 1] if 0 < finding.line <= len(old_lines) else ""
        new_text = new_lines[line - 1] if 0 < line <= len(new_lines) else ""
        column = _column_in(new_text, old_text, finding.column)
        end_line = end_column = None
        if finding.end_line is not None:
            end_line = max(line, _new_line(finding.end_line, blocks))
            if finding.end_line == finding.line and end_line == line and finding.end_column is not None:
                end_column = column + (finding.end_column - finding.column)
            elif finding.end_column is not None:
                end_column = finding.end_column
        moved.append(replace(finding, line=line, column=column, end_line=end_line, end_column=end_column,
                             original_line=finding.line, original_column=finding.column))
    return tuple(sorted(moved, key=Finding.sort_key))
