"""TF2007: ``import tensorflow.compat.v1 as tf`` -> ``import tensorflow as tf``.

The alias keeps its name, but from now on means the TF2 module; references
through it are resolved as TF1 API uses (``tensorflow.X``) so the symbol
tables rename the TF1-only ones to ``tf.compat.v1.X``.
"""
from __future__ import annotations

import libcst as cst

from migrate.cstutil import dotted_name
from migrate.resolve import TF_V1_ALIASES
from migrate.plugin import CustomTransform, register


def _compat_alias(statement: cst.BaseSmallStatement) -> str | None:
    """The alias of a whole-statement TF1 import, or None."""
    if isinstance(statement, cst.Import) and len(statement.names) == 1:
        alias = statement.names[0]
        if dotted_name(alias.name) in TF_V1_ALIASES and alias.asname is not None:
            return alias.asname.name.value  # type: ignore[union-attr]
    if (
        isinstance(statement, cst.ImportFrom)
        and statement.module is not None
        and dotted_name(statement.module) == "tensorflow.compat"
        and not isinstance(statement.names, cst.ImportStar)
        and len(statement.names) == 1
        and dotted_name(statement.names[0].name) == "v1"
    ):
        alias = statement.names[0]
        return alias.asname.name.value if alias.asname is not None else "v1"  # type: ignore[union-attr]
    return None


@register("TF2007")
class CompatV1Import(CustomTransform):
    prepare_reads_context_only = True  # prepare re-points the alias; the engine judges references by it

    def applies(self, scan) -> bool:
        # function-level imports count too: they are rewritten like module-level ones
        return any(qualified in TF_V1_ALIASES for qualified, *_ in scan.imports)

    def sites(self, scan):
        return [line for qualified, _local, line, _column in scan.imports if qualified in TF_V1_ALIASES]

    def prepare(self, ctx) -> None:
        for alias in TF_V1_ALIASES:
            ctx.rebind_target(alias, "tensorflow")

    def on_statement(self, ctx, original, updated):
        if len(updated.body) != 1:
            return None
        local = _compat_alias(updated.body[0])
        if local is None:
            return None
        old = cst.Module([]).code_for_node(updated.body[0])
        new = cst.Import(names=[cst.ImportAlias(name=cst.Name("tensorflow"),
                                                asname=None if local == "tensorflow" else cst.AsName(name=cst.Name(local)))])
        ctx.report(self.rule, original, self.rule.message.format(old=old), fixed=True)
        return updated.with_changes(body=[new])
