"""TT1501: torch calls rewritten through the proven reverse table, with the file's conversion rate."""
from __future__ import annotations

import re

import libcst as cst

from migrate.cstutil import dotted_name
from migrate.model import Safety, Severity
from migrate.plugin import CustomTransform, register
from migrate.tf_to_torch.call_map import call_arguments, mark_todo
from migrate.tf_to_torch.table import Unmapped, bind, load_reverse_table, render

_TF_NAME = re.compile(r"\btf(?:\.[A-Za-z_]\w*)+")
TODO = "# dlmigrate: TODO(TT1501)"
NOT_OPS = ("torch.nn.Module", "torch.nn.Parameter", "torch.optim.", "torch.no_grad", "torch.manual_seed")


def spell_tf(ctx, text: str) -> str:
    return _TF_NAME.sub(lambda m: ctx.spell("tensorflow" + m.group(0)[2:], "tf"), text)


@register("TT1501")
class ReverseCallMap(CustomTransform):
    def applies(self, scan) -> bool:
        return any(ref.qualified.startswith("torch") for ref in scan.references)

    def prepare(self, ctx) -> None:
        ctx.facts.update(tt_rev_seen=0, tt_rev_converted=0, tt_rev_pending=[], tt_rev_table=load_reverse_table())

    def on_call(self, ctx, qualified, original, updated):
        if not qualified.startswith("torch.") or qualified.startswith(NOT_OPS):
            return None
        ctx.facts["tt_rev_seen"] += 1
        entry = ctx.facts["tt_rev_table"].get(qualified)
        try:
            if entry is None:
                raise Unmapped(f"{qualified} has no entry in the torch->TF table")
            verdict = entry.get("verified", {})
            if verdict.get("verdict") != "PASS":
                raise Unmapped(f"{qualified} is not proven: {verdict.get('verdict', 'not verified')} "
                               f"{verdict.get('reason', '')}".strip())
            bound = bind(entry, *call_arguments(updated))
            text = render(entry, bound)
        except Unmapped as exc:
            ctx.facts["tt_rev_pending"].append(str(exc))
            ctx.report(self.rule, original, f"{qualified} left as PyTorch: {exc}", fixed=False,
                       severity=Severity.WARNING, safety=Safety.NONE)
            return None
        review = (bound.variant or {}).get("review")
        safety = Safety.REVIEW if review else self.rule.safety
        if not ctx.may_fix(self.rule, safety):
            return None
        ctx.facts["tt_rev_converted"] += 1
        new = cst.parse_expression(spell_tf(ctx, text))
        if isinstance(new, (cst.BinaryOperation, cst.UnaryOperation, cst.Comparison, cst.Lambda, cst.IfExp)):
            new = new.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        note = f"; review: {review}" if review else ""
        ctx.report(self.rule, original, f"{qualified} -> {text}{note}", fixed=True, safety=safety)
        return new

    def on_statement(self, ctx, original, updated):
        return mark_todo(updated, ctx.facts.get("tt_rev_pending"), TODO)

    def finish(self, ctx, module):
        aliases = {name for name, target in ctx.bindings.items() if target and (target == "torch" or
                                                                               target.startswith("torch."))}
        module = module.visit(_Dtypes(aliases, ctx))
        module = _drop_imports(module, aliases)
        seen, converted = ctx.facts.get("tt_rev_seen", 0), ctx.facts.get("tt_rev_converted", 0)
        if seen:
            ctx.report(self.rule, ctx.original_module,
                       f"conversion rate: {converted} of {seen} PyTorch calls converted ({100.0 * converted / seen:.0f}%)",
                       fixed=False, severity=Severity.INFO, safety=Safety.NONE)
        return module


class _Dtypes(cst.CSTTransformer):
    """``torch.float32`` -> ``tf.float32`` outside calls still spelled with torch."""

    from migrate.tf_to_torch.table import TORCH_DTYPES as _DTYPES

    def __init__(self, aliases, ctx) -> None:
        super().__init__()
        self.aliases, self.ctx, self.depth = aliases, ctx, 0

    def visit_Call(self, node):
        if (dotted_name(node.func) or "").partition(".")[0] in self.aliases:
            self.depth += 1

    def leave_Call(self, original, updated):
        if (dotted_name(original.func) or "").partition(".")[0] in self.aliases:
            self.depth -= 1
        return updated

    def leave_Attribute(self, original, updated):
        dotted = dotted_name(original) or ""
        head, _, rest = dotted.partition(".")
        if not self.depth and head in self.aliases and self.ctx.bindings.target(head) == "torch" and rest in self._DTYPES:
            return cst.parse_expression(self.ctx.spell("tensorflow." + self._DTYPES[rest], "tf"))
        return updated


def _drop_imports(module: cst.Module, aliases: set[str]) -> cst.Module:
    """Remove torch imports whose names are no longer used (strings and comments are not uses)."""
    used: set[str] = set()

    class Names(cst.CSTVisitor):
        def visit_Import(self, node):
            return False

        def visit_ImportFrom(self, node):
            return False

        def visit_Name(self, node):
            used.add(node.value)

        def visit_Attribute(self, node):
            node.value.visit(self)
            return False

    module.visit(Names())
    body = []
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 and \
                isinstance(statement.body[0], cst.Import):
            names = statement.body[0].names
            if all((dotted_name(a.name) or "").split(".")[0] == "torch" for a in names) and not any(
                    (a.asname.name.value if a.asname else (dotted_name(a.name) or "").split(".")[0]) in used
                    for a in names):
                continue
        body.append(statement)
    return module.with_changes(body=body)
