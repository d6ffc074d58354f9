"""TF2013: ``dataset.make_one_shot_iterator()`` -> ``tf.compat.v1.data.make_one_shot_iterator(dataset)``.

TF1's Dataset had iterator-making methods; TF2's DatasetV2 has none, while
``tf.compat.v1.data`` keeps the same operations as functions of the dataset.
The receiver is a local object, not an imported name, so the call is
recognised by its method name (entries: method -> TF1 function); a call
whose callee resolves through an import (``tf.data.make_one_shot_iterator``)
is left to the symbol rules.  Matches are found on the original tree
(for positions) and rewritten on the final one with the same predicate.
"""
from __future__ import annotations

import libcst as cst

from migrate.cstutil import build_dotted, dotted_name
from migrate.transforms import CustomTransform, register


def _method_call(node: cst.CSTNode, methods: dict, bindings) -> str | None:
    """The TF1 function a ``receiver.method(...)`` call stands for, or None."""
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        return None
    target = methods.get(node.func.attr.value)
    if target is None or any(arg.star for arg in node.args):
        return None
    dotted = dotted_name(node.func)
    if dotted is not None and bindings.qualify(dotted) is not None:
        return None  # a module function such as tf.data.make_one_shot_iterator
    return target


class _Collect(cst.CSTVisitor):
    def __init__(self, methods, bindings) -> None:
        self.methods, self.bindings, self.found = methods, bindings, []

    def visit_Call(self, node: cst.Call) -> None:
        if _method_call(node, self.methods, self.bindings):
            self.found.append(node)


class _Rewrite(cst.CSTTransformer):
    def __init__(self, ctx, methods) -> None:
        super().__init__()
        self.ctx, self.methods = ctx, methods

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        target = _method_call(updated_node, self.methods, self.ctx.bindings)
        if target is None:
            return updated_node
        receiver = cst.Arg(value=updated_node.func.value)  # type: ignore[attr-defined]
        args = [receiver, *updated_node.args]
        return updated_node.with_changes(func=build_dotted(self.ctx.spell(target)), args=args)


@register("TF2013")
class DatasetIteratorMethod(CustomTransform):
    def applies(self, scan) -> bool:
        return any(target == "tensorflow" or target.startswith("tensorflow.") for _, target in scan.bindings.items())

    def prepare(self, ctx) -> None:
        if not any(method in ctx.source for method in self.entries):
            return  # the usual case: a whole-module visit costs a third of a conversion
        collector = _Collect(self.entries, ctx.bindings)
        ctx.original_module.visit(collector)
        fixed = ctx.may_fix(self.rule)
        for node in collector.found:
            method = node.func.attr.value  # type: ignore[attr-defined]
            target = self.entries[method]
            ctx.report(self.rule, node, self.rule.message.format(method=method, new="tf" + target[len("tensorflow"):]),
                       fixed=fixed)
        ctx.facts["TF2013"] = bool(collector.found) and fixed

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        if not ctx.facts.get("TF2013"):
            return module
        return module.visit(_Rewrite(ctx, self.entries))
