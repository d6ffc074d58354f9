"""The libcst edits at the end of TT1001's pass (imported by its ``finish`` only: ``lint`` never loads it)."""
from __future__ import annotations

import libcst as cst

from migrate.cstutil import dotted_name
from migrate.tf_to_torch.table import TORCH_DTYPES


class Dtypes(cst.CSTTransformer):
    """``tf.float32`` -> ``torch.float32``; ``@tf.function`` decorators dropped."""

    def __init__(self, aliases: set[str], ctx) -> None:
        super().__init__()
        self.aliases = aliases
        self.ctx = ctx

    depth = 0  # inside a call still spelled with TensorFlow: its dtypes stay TF dtypes

    def visit_Call(self, node):
        name = dotted_name(node.func) or ""
        if name.partition(".")[0] in self.aliases:
            self.depth += 1

    def leave_Call(self, original, updated):
        name = dotted_name(original.func) or ""
        if name.partition(".")[0] in self.aliases:
            self.depth -= 1
        return updated

    def leave_Attribute(self, original, updated):
        if self.depth:
            return updated
        dotted = dotted_name(original)
        if not dotted:
            return updated
        head, _, rest = dotted.partition(".")
        if head in self.aliases and rest.removeprefix("dtypes.") in TORCH_DTYPES:
            return cst.parse_expression(self.ctx.spell("torch." + TORCH_DTYPES[rest.removeprefix("dtypes.")]))
        return updated

    def leave_FunctionDef(self, original, updated):
        keep = []
        for decorator in updated.decorators:
            target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
            name = dotted_name(target) or ""
            if name.partition(".")[0] in self.aliases and name.partition(".")[2] == "function":
                continue
            keep.append(decorator)
        if len(keep) != len(updated.decorators):
            lines = updated.leading_lines if keep else (*updated.leading_lines,)
            return updated.with_changes(decorators=keep, leading_lines=lines)
        return updated
