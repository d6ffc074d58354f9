"""PT1037: ``x.require_grad = True`` sets an unused attribute; PyTorch reads ``requires_grad``."""
from __future__ import annotations

import ast

from migrate.lazycst import cst
from migrate.plugin import CustomTransform, match_at_node, register


def _typo_targets(statement: cst.SimpleStatementLine):
    for index, small in enumerate(statement.body):
        if isinstance(small, cst.Assign):
            for position, target in enumerate(small.targets):
                if isinstance(target.target, cst.Attribute) and target.target.attr.value == "require_grad":
                    yield index, position, target.target


@register("PT1037")
class RequireGradTypo(CustomTransform):
    def applies(self, scan) -> bool:
        return "torch" in scan.imported_roots()

    def match(self, scan):
        if "require_grad" not in scan.source:
            return []
        return [match_at_node(self.rule, scan, target, self.rule.message, self.rule.safety)
                for node in ast.walk(scan.tree) if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Attribute) and target.attr == "require_grad"]

    def on_statement(self, ctx, original, updated):
        found = [ctx.match_at(self, node) for _, _, node in _typo_targets(original)]
        fixed = False
        for match in found:
            if match is not None:
                fixed = ctx.report_match(match) or fixed
        if not fixed:
            return None
        body = list(updated.body)
        for index, position, _ in _typo_targets(updated):
            assign = body[index]
            targets = list(assign.targets)
            corrected = targets[position].target.with_changes(attr=cst.Name("requires_grad"))
            targets[position] = targets[position].with_changes(target=corrected)
            body[index] = assign.with_changes(targets=targets)
        return updated.with_changes(body=body)
