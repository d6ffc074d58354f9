"""TT1501's whole-module edits at the end of the pass (libcst): dtypes outside torch calls, unused torch imports."""
from __future__ import annotations

import libcst as cst

from migrate.cstutil import dotted_name


class Dtypes(cst.CSTTransformer):
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


def drop_imports(module: cst.Module, aliases: set[str]) -> cst.Module:
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
