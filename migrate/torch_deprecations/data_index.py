"""PT1027: ``loss.data[0]`` -> ``loss.item()``.

Before PyTorch 0.4 a loss was a one-element tensor and ``.data[0]`` read its
value; now it is a 0-dimensional tensor and indexing it raises.  ``.item()``
is the replacement, but only for scalars: on a vector ``.data[0]`` is still
the first element.  The receiver is taken for a scalar when its name says
loss, or it is a reduction without arguments (``x.sum()``, ``x.mean()``);
everything else is reported for a person to decide.

The engine has no hook for subscripts, so sites are found on the original
tree (positions) and rewritten on the final tree with the same test.
"""
from __future__ import annotations

import libcst as cst

from migrate.plugin import CustomTransform, register

_REDUCTIONS = {"sum", "mean", "prod", "norm", "dot", "max", "min", "std", "var"}


def _last_name(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Name):
        return node.value
    return ""


def is_data_zero(node: cst.Subscript) -> bool:
    if not (isinstance(node.value, cst.Attribute) and node.value.attr.value == "data" and len(node.slice) == 1):
        return False
    index = node.slice[0].slice
    return isinstance(index, cst.Index) and isinstance(index.value, cst.Integer) and index.value.value == "0"


def looks_scalar(receiver: cst.BaseExpression) -> bool:
    if isinstance(receiver, cst.Call):
        name = _last_name(receiver.func)
        return (name in _REDUCTIONS and not receiver.args) or "loss" in name.lower() or name == "criterion"
    return "loss" in _last_name(receiver).lower()


class _Sites(cst.CSTVisitor):
    """``.data[0]`` subscripts that are read, not assigned to."""

    def __init__(self) -> None:
        self.targets: set[int] = set()
        self.found: list[cst.Subscript] = []

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.targets.add(id(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.targets.add(id(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.targets.add(id(node.target))

    def visit_Del(self, node: cst.Del) -> None:
        self.targets.add(id(node.target))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if id(node) not in self.targets and is_data_zero(node):
            self.found.append(node)


@register("PT1027")
class DataIndex(CustomTransform):
    def applies(self, scan) -> bool:
        return "torch" in scan.imported_roots()

    def prepare(self, ctx) -> None:
        sites = _Sites()
        ctx.original_module.visit(sites)
        fixable = 0
        for node in sites.found:
            receiver = node.value.value
            if looks_scalar(receiver):
                fixed = ctx.may_fix(self.rule)
                fixable += fixed
                ctx.report(self.rule, node, self.rule.message, fixed=fixed)
            else:
                ctx.report(self.rule, node, self.entries["unsure_message"], fixed=False, safety=self.rule.safety.NONE)
        ctx.facts[self.code] = fixable

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        if not ctx.facts.get(self.code):
            return module
        sites = _Sites()
        module.visit(sites)
        chosen = {id(node) for node in sites.found if looks_scalar(node.value.value)}

        class Rewrite(cst.CSTTransformer):
            def leave_Subscript(self, original_node, updated_node):
                if id(original_node) not in chosen:
                    return updated_node
                item = cst.Attribute(value=updated_node.value.value, attr=cst.Name("item"))
                return cst.Call(func=item, lpar=updated_node.lpar, rpar=updated_node.rpar)

        return module.visit(Rewrite())
