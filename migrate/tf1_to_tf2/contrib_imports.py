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
