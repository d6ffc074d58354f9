"""PT1037: ``x.require_grad = True`` sets an unused attribute; PyTorch reads ``requires_grad``."""
from __future__ import annotations

import libcst as cst

from migrate.plugin import CustomTransform, register


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

    def sites(self, scan):
        import ast

        if scan.tree is None:
            return None
        return [line for node in ast.walk(scan.tree) if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Attribute) and t.attr == "require_grad" for t in node.targets)
                for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)]

    def on_statement(self, ctx, original, updated):
        found = list(_typo_targets(original))
        if not found:
            return None
        fixed = ctx.may_fix(self.rule)
        for _, _, node in found:
            ctx.report(self.rule, node, self.rule.message, fixed=fixed)
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
