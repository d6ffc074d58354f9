"""PT1020: ``torch.cuda.amp.custom_fwd`` / ``custom_bwd`` -> ``torch.amp.custom_fwd(device_type="cuda")``.

The new decorators need ``device_type``, so the bare form ``@torch.cuda.amp.custom_fwd``
becomes a call.  Calls are rewritten through ``on_call``; bare decorators are
found on the original tree (for positions) and rewritten after the pass.
"""
from __future__ import annotations

import ast

from migrate.callparts import render_call, unknown_keywords
from migrate.lazycst import cst
from migrate.plugin import match_at_node, register
from migrate.resolve import dotted_name_ast, qualify_in_scopes
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable

_NEW = {"custom_fwd": "torch.amp.custom_fwd", "custom_bwd": "torch.amp.custom_bwd"}


def _bare_decorators(module: cst.Module):
    found = []

    class Collect(cst.CSTVisitor):
        def visit_Decorator(self, node: cst.Decorator) -> None:
            if isinstance(node.decorator, (cst.Name, cst.Attribute)):
                found.append(node)

    module.visit(Collect())
    return found


@register("PT1020")
class AmpCustomFwd(CallRewrite):
    def applies(self, scan) -> bool:
        return any(ref.qualified in self.functions for ref in scan.references)

    def _new_call(self, qualified: str, positional, keywords, spell) -> str:
        device = qualified.split(".")[1]
        name = spell(_NEW[qualified.rsplit(".", 1)[1]])
        return render_call(name, positional, [*keywords, ("device_type", f'"{device}"')])

    def rewrite(self, qualified, parts, spell):
        allowed = {"fwd", "cast_inputs"} if qualified.endswith("fwd") else {"bwd"}
        if parts.starred or len(parts.positional) > 1 or unknown_keywords(parts, allowed):
            return Unfixable("unexpected arguments")
        return Fix(self._new_call(qualified, parts.positional, list(parts.keywords.items()), spell))

    def match(self, scan):
        found = super().match(scan)
        for node in ast.walk(scan.tree):
            for decorator in getattr(node, "decorator_list", ()):
                dotted = dotted_name_ast(decorator) if isinstance(decorator, (ast.Name, ast.Attribute)) else None
                # decorators are read with the module's imports, at every depth
                qualified = qualify_in_scopes(dotted, [], scan.bindings) if dotted else None
                if qualified in self.functions:
                    found.append(match_at_node(self.rule, scan, decorator, self.message(qualified), self.rule.safety,
                                               payload=qualified))
        return found

    def prepare(self, ctx) -> None:
        sites = []
        for decorator in _bare_decorators(ctx.original_module):
            match = ctx.match_at(self, decorator.decorator)
            if match is not None:
                ctx.report_match(match)
                sites.append(match.payload)
        ctx.facts[self.code] = sites

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        if not ctx.facts.get(self.code) or not ctx.may_fix(self.rule):
            return module
        rule = self

        class Rewrite(cst.CSTTransformer):
            def leave_Decorator(self, original_node, updated_node):
                if not isinstance(updated_node.decorator, (cst.Name, cst.Attribute)):
                    return updated_node
                qualified = ctx.qualify(updated_node.decorator)
                if qualified not in rule.functions:
                    return updated_node
                text = rule._new_call(qualified, [], [], ctx.spell)
                return updated_node.with_changes(decorator=cst.parse_expression(text))

        return module.visit(Rewrite())
