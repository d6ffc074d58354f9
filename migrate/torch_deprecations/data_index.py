"""PT1027: 0.3-era scalar reads ``X.data[0]`` / ``X.data.numpy()[0]`` / ``X.data.cpu().numpy()[0]`` -> ``X.item()``.

Before PyTorch 0.4 a loss was a one-element tensor and these read its value;
now it is 0-dimensional and indexing raises.  ``.item()`` is the replacement,
but only for 0-dim tensors: on a batch ``out.data[0]`` is still the first
image.  Whether ``X`` is 0-dim is decided by the per-file facts
(``migrate/torch_deprecations/facts.py``): a loss function or loss-module
result, a full reduction, ``torch.dot``, or a name that only ever holds one.
Those reads are fixed (safe); any other is reported with the rewrite that keeps
today's meaning (``X.detach()[0]``), never rewritten.

The engine has no hook for subscripts: sites are decided on the original tree
(positions) and rewritten on the final tree, matched in traversal order (the
other rules never add or remove such reads; if the counts differ nothing is
rewritten).
"""
from __future__ import annotations

import libcst as cst

from migrate.model import Safety
from migrate.plugin import CustomTransform, register
from migrate.torch_deprecations.facts import Facts
from migrate.torch_deprecations.util import code_of


def _is_zero(node: cst.Subscript) -> bool:
    if len(node.slice) != 1:
        return False
    index = node.slice[0].slice
    return isinstance(index, cst.Index) and isinstance(index.value, cst.Integer) and index.value.value == "0"


def _bare_call(node: cst.BaseExpression, method: str) -> cst.BaseExpression | None:
    """The receiver of ``receiver.method()`` (no arguments), else None."""
    if isinstance(node, cst.Call) and not node.args and isinstance(node.func, cst.Attribute) \
            and node.func.attr.value == method:
        return node.func.value
    return None


def scalar_read_receiver(node: cst.Subscript) -> cst.BaseExpression | None:
    """``X`` for ``X.data[0]``, ``X.data.numpy()[0]``, ``X.data.cpu().numpy()[0]``; else None."""
    if not _is_zero(node):
        return None
    value = node.value
    inner = _bare_call(value, "numpy")
    if inner is not None:
        value = _bare_call(inner, "cpu") or inner
    if isinstance(value, cst.Attribute) and value.attr.value == "data":
        return value.value
    return None


class _Sites(cst.CSTVisitor):
    """Scalar-read subscripts that are read, not assigned to, in traversal order."""

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
        if id(node) not in self.targets and scalar_read_receiver(node) is not None:
            self.found.append(node)


def _with_detach(node: cst.Subscript) -> str:
    receiver = scalar_read_receiver(node)
    text = code_of(receiver)
    if not isinstance(receiver, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
        text = f"({text})"
    tail = code_of(node.value)[len(code_of(receiver)):].replace(".data", ".detach()", 1)
    return f"{text}{tail}[0]"


@register("PT1027")
class DataIndex(CustomTransform):
    def applies(self, scan) -> bool:
        return "torch" in scan.imported_roots()

    def prepare(self, ctx) -> None:
        sites = _Sites()
        ctx.original_module.visit(sites)
        if not sites.found:
            return
        facts = Facts.from_source(ctx.source, bindings=ctx.scan.bindings if ctx.scan is not None else None)
        proven = {(r.line, r.column): r.proven for r in facts.scalar_reads(ctx.source.splitlines())}
        decisions = []
        for node in sites.found:
            position = ctx._position_of(node)
            is_scalar = proven.get((position.start.line, position.start.column), False)
            if is_scalar:
                fixed = ctx.may_fix(self.rule, Safety.SAFE)
                ctx.report(self.rule, node, self.rule.message, fixed=fixed, safety=Safety.SAFE)
                decisions.append(fixed)
            else:
                message = self.entries["unsure_message"].format(suggestion=_with_detach(node))
                ctx.report(self.rule, node, message, fixed=False, safety=Safety.NONE)
                decisions.append(False)
        ctx.facts[self.code] = decisions

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        decisions = ctx.facts.get(self.code)
        if not decisions or not any(decisions):
            return module
        sites = _Sites()
        module.visit(sites)
        if len(sites.found) != len(decisions):
            return module  # another rule changed the reads: leave them (the findings stay)
        chosen = {id(node) for node, fix in zip(sites.found, decisions) if fix}

        class Rewrite(cst.CSTTransformer):
            def leave_Subscript(self, original_node, updated_node):
                if id(original_node) not in chosen:
                    return updated_node
                item = cst.Attribute(value=scalar_read_receiver(updated_node), attr=cst.Name("item"))
                return cst.Call(func=item, lpar=updated_node.lpar, rpar=updated_node.rpar)

        return module.visit(Rewrite())
