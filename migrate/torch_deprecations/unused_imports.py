"""PT1047: a ``from torch... import name`` that the fixes left unused is removed (only those).

After PT1025 removes every ``Variable(...)`` wrapper, ``from torch.autograd
import Variable`` is dead; likewise a class import replaced by PT1042.  A name
is removed only when the original module used it (outside the import) and the
converted module no longer does, and it never appears in a string (``__all__``
lists, ``getattr`` names).  Names that were already unused are left alone: that
is a linter's business, not a migration's.  The whole statement goes only when
nothing is left in it and no comment sits above or beside it.

Limit: a module without ``__all__`` re-exports its imports to ``from m import *``
users; converting the whole tree keeps them consistent (the star import is
resolved, so their uses are fixed too), converting one file of such a pair alone may not.
"""
from __future__ import annotations

from functools import cache

from migrate.lazycst import cst
from migrate.plugin import CustomTransform, register

_ROOTS = ("torch", "torchvision", "functorch")
_FOLLOWS = {
    "torch.autograd.Variable", "torch.autograd.variable.Variable",
    "torch.nn.UpsamplingNearest2d", "torch.nn.UpsamplingBilinear2d",
    "torch.nn.modules.upsampling.UpsamplingNearest2d", "torch.nn.modules.upsampling.UpsamplingBilinear2d",
}


@cache
def _uses_class():
    """The libcst visitor, built on first use (registering the rule must not import libcst)."""

    class _Uses(cst.CSTVisitor):
        def __init__(self) -> None:
            self.names: dict[str, int] = {}
            self.strings: set[str] = set()

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_Name(self, node: cst.Name) -> None:
            self.names[node.value] = self.names.get(node.value, 0) + 1

        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            value = node.evaluated_value
            if isinstance(value, str):
                self.strings.add(value)

    return _Uses


def dotted_name(node):
    from migrate.cstutil import dotted_name as dotted

    return dotted(node)


def _uses(module: cst.Module):
    uses = _uses_class()()
    module.visit(uses)
    return uses


def _framework_from_import(statement: cst.CSTNode) -> cst.ImportFrom | None:
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return None
    node = statement.body[0]
    if not isinstance(node, cst.ImportFrom) or node.relative or node.module is None \
            or isinstance(node.names, cst.ImportStar):
        return None
    module = dotted_name(node.module) or ""
    return node if module.split(".", 1)[0] in _ROOTS else None


def _local(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return dotted_name(alias.name) or ""


def _has_comment(statement: cst.SimpleStatementLine) -> bool:
    return any(line.comment is not None for line in statement.leading_lines) or \
        statement.trailing_whitespace.comment is not None


@register("PT1047")
class UnusedImportAfterFix(CustomTransform):
    def applies(self, scan) -> bool:
        # only where a fix that leaves an import behind may happen (PT1025 Variable, PT1042 Upsampling*2d);
        # then the whole module is needed, as the import is elsewhere than the edit
        return any(ref.is_call and ref.qualified in _FOLLOWS for ref in scan.references)

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        if module is ctx.original_module or ctx.scan is None or not self.applies(ctx.scan):
            return module  # the same files as the statement-units pass, which only sees this rule where it applies
        imported = [s for s in module.body if _framework_from_import(s) is not None]
        if not imported:
            return module
        before, after = _uses(ctx.original_module), _uses(module)
        dead = {
            _local(alias)
            for statement in imported
            for alias in _framework_from_import(statement).names
            if before.names.get(_local(alias), 0) > 0 and after.names.get(_local(alias), 0) == 0
            and _local(alias) not in after.strings and ctx.bindings.target(_local(alias)) is not None
        }
        dead -= set(ctx.scheduled_imports.values()) | set(ctx.scheduled_imports)
        if not dead or not ctx.may_fix(self.rule):
            for name in sorted(dead):
                ctx.report(self.rule, module, self.rule.message.format(name=name), fixed=False)
            return module
        body = []
        for statement in module.body:
            node = _framework_from_import(statement)
            if node is None:
                body.append(statement)
                continue
            kept = [a for a in node.names if _local(a) not in dead]
            removed = [a for a in node.names if _local(a) in dead]
            for alias in removed:
                ctx.report(self.rule, module, self.rule.message.format(name=_local(alias)), fixed=True)
            if len(kept) == len(node.names):
                body.append(statement)
            elif not kept:
                if _has_comment(statement):
                    body.append(statement)  # keep the comment's line as it was
                else:
                    continue
            else:
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT if not node.lpar else kept[-1].comma)
                body.append(statement.with_changes(body=[node.with_changes(names=kept)]))
        return module.with_changes(body=body)
