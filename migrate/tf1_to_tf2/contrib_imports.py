"""TF2105: a ``tensorflow.contrib`` import that nothing uses once its names were converted is removed.

TF2102/TF2103 rewrite ``contrib_layers.xavier_initializer()`` and friends, but
``from tensorflow.contrib import layers as contrib_layers`` would still raise
ImportError on TF2.  After the pass, every module-level import of a
``tensorflow.contrib`` module whose bound name is no longer used anywhere in the
rewritten file loses that name (the statement goes when none is left), and the
TF2101 error reported on it is withdrawn.  A contrib name still in use keeps its
import and its error.
"""
from __future__ import annotations

import ast

import libcst as cst

from migrate.cstutil import dotted_name
from migrate.plugin import CustomTransform, register


def _is_contrib(module: str) -> bool:
    return module == "tensorflow.contrib" or module.startswith("tensorflow.contrib.")


def _bound_contrib(small: cst.BaseSmallStatement) -> list[tuple[cst.ImportAlias, str]] | None:
    """(alias, local name) for each contrib name an import binds; None when it is not such an import."""
    if isinstance(small, cst.Import):
        found = []
        for alias in small.names:
            name = dotted_name(alias.name) or ""
            if _is_contrib(name):
                if alias.asname is None:
                    return None  # ``import tensorflow.contrib.x`` binds ``tensorflow``: still used by other code
                found.append((alias, alias.asname.name.value))
        return found or None
    if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
        module = dotted_name(small.module) or ""
        if not (_is_contrib(module) or module == "tensorflow") or isinstance(small.names, cst.ImportStar):
            return None
        found = []
        for alias in small.names:
            name = dotted_name(alias.name) or ""
            if _is_contrib(f"{module}.{name}"):
                found.append((alias, alias.asname.name.value if alias.asname else name))
        return found or None
    return None


class _Names(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Import(self, node) -> bool:
        return False

    def visit_ImportFrom(self, node) -> bool:
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)


@register("TF2105")
class UnusedContribImport(CustomTransform):
    def applies(self, scan) -> bool:
        return any(_is_contrib(q) for q, *_ in scan.imports)

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        if not ctx.may_fix(self.rule):
            return module
        used = _Names()
        module.visit(used)
        body = list(module.body)
        changed = False
        for index, statement in enumerate(body):
            if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
                continue
            small = statement.body[0]
            bound = _bound_contrib(small)
            if not bound:
                continue
            unused = [alias for alias, local in bound if local not in used.names]
            if not unused:
                continue
            original = self._original_line(ctx, module, statement)
            keep = [a for a in small.names if all(a is not u for u in unused)]
            if keep:
                keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                new_small = small.with_changes(names=keep)
                body[index] = statement.with_changes(body=[new_small])
            else:
                body[index] = None  # type: ignore[call-overload]
            changed = True
            removed = ", ".join(sorted(local for alias, local in bound if alias in unused))
            if original is not None:
                line = ctx._position_of(original).start.line
                ctx.findings[:] = [f for f in ctx.findings if not (f.code.startswith("TF2101") and f.line == line)]
                ctx.report(self.rule, original, self.rule.message.format(names=removed), fixed=True)
        if not changed:
            return module
        kept = [s for s in body if s is not None]
        if not kept:
            kept = [cst.SimpleStatementLine(body=[cst.Pass()])]
        return module.with_changes(body=kept)

    @staticmethod
    def _original_line(ctx, module: cst.Module, statement: cst.SimpleStatementLine):
        code = module.code_for_node(statement)
        for candidate in ctx.original_module.body:
            if isinstance(candidate, cst.SimpleStatementLine) and ctx.original_module.code_for_node(candidate) == code:
                return candidate
        return None

    # -- the units pass (engine._transform_units): no libcst; the same decisions on the ``ast``
    def sites(self, scan):
        return ()  # nothing to parse: the imports are removed as text once the rest is rewritten

    def unit_finish(self, ctx, tree):
        return []

    def unit_finish_text(self, ctx, tree, rewritten: str):
        """Module-level contrib imports, each alone on its lines, whose every bound name is unused in the
        rewritten text: deleted with the blank and comment lines above them (libcst's ``leading_lines``).
        None (the whole-module pass) where the text way could differ: a statement that keeps some of its
        names, one that comes first in the file or after a compound statement, one without a newline."""
        if not ctx.may_fix(self.rule):
            return []
        groups: list[list[ast.stmt]] = []  # statements sharing a line (``a; b``) are one libcst line
        for statement in tree.body:
            if groups and statement.lineno <= groups[-1][-1].end_lineno:
                groups[-1].append(statement)
            else:
                groups.append([statement])
        candidates = []
        for index, group in enumerate(groups):
            bound = _bound_contrib_ast(group[0]) if len(group) == 1 else None
            if bound:
                candidates.append((group[0], bound, groups[index - 1][-1] if index else None))
        if not candidates:
            return []
        used = _used_names(rewritten)
        if used is None:
            return None
        lines = ctx.source.splitlines(keepends=True)
        ranges = []
        for statement, bound, before in candidates:
            unused = [local for local in bound if local not in used]
            if not unused:
                continue
            if len(unused) != len(bound) or before is None or isinstance(before, _COMPOUND) \
                    or not lines[statement.end_lineno - 1].endswith("\n"):
                return None
            first = before.end_lineno + 1
            if any(line.strip() and not line.lstrip().startswith("#") for line in lines[first - 1:statement.lineno - 1]):
                return None
            line = statement.lineno
            ctx.findings[:] = [f for f in ctx.findings if not (f.code.startswith("TF2101") and f.line == line)]
            ctx.report_at(self.rule, line, statement.col_offset, self.rule.message.format(names=", ".join(sorted(unused))),
                          fixed=True)
            ranges.append((first, statement.end_lineno))
        return ranges


_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While, ast.With,
             ast.AsyncWith, ast.Try, ast.Match) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


def _bound_contrib_ast(statement) -> list[str] | None:
    """The ``ast`` reading of ``_bound_contrib``: local names a contrib import binds, or None."""
    if isinstance(statement, ast.Import):
        found = []
        for alias in statement.names:
            if _is_contrib(alias.name):
                if alias.asname is None:
                    return None
                found.append(alias.asname)
        return found or None
    if isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
        module = statement.module
        if not (_is_contrib(module) or module == "tensorflow") or any(a.name == "*" for a in statement.names):
            return None
        found = [alias.asname or alias.name for alias in statement.names if _is_contrib(f"{module}.{alias.name}")]
        return found or None
    return None


def _used_names(text: str) -> set[str] | None:
    """Every identifier libcst holds as a ``Name`` outside import statements (what ``_Names`` collects)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.keyword) and node.arg:
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        elif isinstance(node, ast.MatchClass):
            names.update(node.kwd_attrs)
    return names
