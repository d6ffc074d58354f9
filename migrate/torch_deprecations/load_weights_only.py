"""PT1021: ``torch.load`` without ``weights_only``: ``True`` where the result is a state dict, else ``False`` + a finding.

Since PyTorch 2.6 ``weights_only`` defaults to True, so 1.x code that loads a
whole pickled model (or numpy arrays, or custom objects) fails.  The result is
known to be a state dict only when it goes straight into ``load_state_dict``:
``m.load_state_dict(torch.load(p))``, or a name assigned once from
``torch.load`` whose every use is ``x.load_state_dict(name)`` or
``x.load_state_dict(name[key])``.  There ``weights_only=True`` is written
(safe loading, same result).  Everywhere else the old behaviour is kept with
an explicit ``weights_only=False`` and a security finding: unpickling runs
code from the file, so it must come from a trusted source.
"""
from __future__ import annotations

import libcst as cst

from migrate.model import Safety, Severity
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable, append_keyword, call_parts, dry_spell


def _state_dict_arg(node: cst.BaseExpression) -> cst.BaseExpression:
    """``name`` for ``name[key]``; the node itself otherwise."""
    if isinstance(node, cst.Subscript):
        return node.value
    return node


class _Loads(cst.CSTVisitor):
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.into_state_dict: set[int] = set()  # torch.load calls whose result is a state dict
        self.assigned: dict[str, list[cst.Call | None]] = {}  # name -> torch.load calls assigned (None: other)
        self.uses: dict[str, int] = {}
        self.state_dict_uses: dict[str, int] = {}

    def _is_load(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Call) and self.ctx.qualify(node.func) == "torch.load"

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                name = target.target.value
                self.assigned.setdefault(name, []).append(node.value if self._is_load(node.value) else None)
                self.uses[name] = self.uses.get(name, 0) - 1  # the target is not a use

    def visit_Name(self, node: cst.Name) -> None:
        self.uses[node.value] = self.uses.get(node.value, 0) + 1

    def visit_Call(self, node: cst.Call) -> None:
        if not (isinstance(node.func, cst.Attribute) and node.func.attr.value == "load_state_dict" and node.args):
            return
        value = node.args[0].value
        if self._is_load(value):
            self.into_state_dict.add(id(value))
        value = _state_dict_arg(value)
        if isinstance(value, cst.Name):
            self.state_dict_uses[value.value] = self.state_dict_uses.get(value.value, 0) + 1

    def state_dict_loads(self) -> set[int]:
        chosen = set(self.into_state_dict)
        for name, values in self.assigned.items():
            if len(values) == 1 and values[0] is not None and self.state_dict_uses.get(name, 0) == self.uses.get(name, 0) > 0:
                chosen.add(id(values[0]))
        return chosen


@register("PT1021")
class LoadWeightsOnly(CallRewrite):
    def prepare(self, ctx) -> None:
        loads = _Loads(ctx)
        ctx.original_module.visit(loads)
        ctx.facts[self.code] = loads.state_dict_loads()

    def rewrite(self, qualified, parts, spell, call):
        if "weights_only" in parts.keywords:
            return None
        if any(arg.star == "**" for arg in call.args):
            return Unfixable("**kwargs may already pass weights_only")
        if len(parts.positional) > 3:
            return Unfixable("extra positional arguments are passed to the unpickler")
        return Fix("", node=append_keyword(call, "weights_only", "True"))

    def on_call(self, ctx, qualified, original, updated):
        if qualified not in self.functions or id(original) in ctx.facts.get(self.code, ()):
            return super().on_call(ctx, qualified, original, updated)
        outcome = self.rewrite(qualified, call_parts(updated), dry_spell, updated)
        if not isinstance(outcome, Fix):
            return super().on_call(ctx, qualified, original, updated)
        fixed = ctx.may_fix(self.rule, Safety.REVIEW)
        ctx.report(self.rule, original, self.entries["unsafe_message"], fixed=fixed, safety=Safety.REVIEW,
                   severity=Severity.WARNING)
        if not fixed:
            return None
        return append_keyword(updated, "weights_only", "False")
