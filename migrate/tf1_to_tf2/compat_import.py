"""TF2007: ``import tensorflow.compat.v1 as tf`` -> ``import tensorflow as tf``.

The alias keeps its name, but from now on means the TF2 module; references
through it are resolved as TF1 API uses (``tensorflow.X``) so the symbol
tables rename the TF1-only ones to ``tf.compat.v1.X``.  That re-pointing is
``rebinds``: the engine's ``prepare``, lint's checker and the other rules'
matches all read references through it.

Which statements are rewritten is decided on the ``ast`` (``match``): an import
that is the only statement of its line and imports the TF1 API alone.
"""
from __future__ import annotations

import ast
import re

from migrate.lazycst import cst
from migrate.plugin import CustomTransform, Match, match_at_node, register, source_segment, statements
from migrate.resolve import TF_V1_ALIASES

# what may follow the statement on its line: its own semicolon, a comment
_STATEMENT_END = re.compile(r"([ \t\f]*;[ \t\f]*)?[ \t\f]*(#.*)?\\?$")


def _compat_alias(statement: ast.stmt) -> str | None:
    """The local name of a TF1-API-only import, or None."""
    if isinstance(statement, ast.Import) and len(statement.names) == 1:
        alias = statement.names[0]
        if alias.name in TF_V1_ALIASES and alias.asname is not None:
            return alias.asname
    if (isinstance(statement, ast.ImportFrom) and statement.module == "tensorflow.compat" and not statement.level
            and len(statement.names) == 1 and statement.names[0].name == "v1"):
        return statement.names[0].asname or "v1"
    return None


def _alone_on_its_lines(lines: list[str], statement: ast.stmt) -> str | None:
    """The statement's text with its own semicolon (as libcst reads a ``SimpleStatementLine`` of one
    statement), or None when it shares its line with another statement or a block header."""
    first, last = lines[statement.lineno - 1], lines[statement.end_lineno - 1]
    head = first.encode("utf-8")[:statement.col_offset].decode("utf-8", errors="ignore")
    tail = last.encode("utf-8")[statement.end_col_offset:].decode("utf-8", errors="ignore")
    end = _STATEMENT_END.match(tail)
    if head.strip(" \t\f") or end is None or tail.rstrip().endswith("\\"):
        return None
    return end.group(1) or ""  # (libcst's semicolon holds the blanks around it)


@register("TF2007")
class CompatV1Import(CustomTransform):
    prepare_reads_context_only = True  # prepare re-points the alias; the engine judges references by it

    def applies(self, scan) -> bool:
        # function-level imports count too: they are rewritten like module-level ones
        return any(qualified in TF_V1_ALIASES for qualified, *_ in scan.imports)

    def rebinds(self, scan) -> dict[str, str]:
        return dict.fromkeys(TF_V1_ALIASES, "tensorflow")

    def match(self, scan) -> list[Match]:
        places = {(line, column) for qualified, _local, line, column in scan.imports if qualified in TF_V1_ALIASES}
        lines = scan.source.splitlines()
        found = []
        for node in statements(scan.tree):
            if (node.lineno, node.col_offset) not in places:
                continue
            local = _compat_alias(node)
            if local is None:
                continue
            semicolon = _alone_on_its_lines(lines, node)
            if semicolon is None:
                continue
            old = (source_segment(scan.source, node) or "") + semicolon
            new = "import tensorflow" if local == "tensorflow" else f"import tensorflow as {local}"
            found.append(match_at_node(self.rule, scan, node, self.rule.message.format(old=old), self.rule.safety,
                                       payload=new))
        return found

    def prepare(self, ctx) -> None:
        for old, new in self.rebinds(ctx.scan).items():
            ctx.rebind_target(old, new)

    def on_statement(self, ctx, original, updated):
        if len(original.body) != 1 or not isinstance(original.body[0], (cst.Import, cst.ImportFrom)):
            return None
        match = ctx.match_at(self, original)
        if match is None or not ctx.report_match(match):
            return None
        return updated.with_changes(body=[cst.parse_statement(match.payload).body[0]])
