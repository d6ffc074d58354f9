"""TF2301: a module that builds a TF1 graph gets ``tf.compat.v1.disable_v2_behavior()``."""
from __future__ import annotations

import libcst as cst

from migrate.cstutil import dotted_name
from migrate.plugin import CustomTransform, register

_DISABLERS = ("disable_v2_behavior", "disable_eager_execution")


@register("TF2301")
class GraphModeProgram(CustomTransform):
    def _graph_names(self, scan) -> list[str]:
        apis = set(self.entries.get("graph_apis", ()))
        seen: list[str] = []
        for ref in scan.references:
            name = ref.qualified
            for prefix in ("tensorflow.compat.v1.", "tensorflow."):
                if name.startswith(prefix):
                    name = "tensorflow." + name[len(prefix):]
                    break
            if name in apis and name not in seen:
                seen.append(name)
        return seen

    def applies(self, scan) -> bool:
        if any(ref.qualified.rsplit(".", 1)[-1] in _DISABLERS for ref in scan.references):
            return False
        return bool(self._graph_names(scan))

    def prepare(self, ctx) -> None:
        ctx.facts["TF2301"] = self._graph_names(ctx.scan) if ctx.scan is not None and self.applies(ctx.scan) else []

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        names = ctx.facts.get("TF2301")
        if not names or not ctx.may_fix(self.rule):
            return module
        index = _after_tensorflow_import(module)
        if index is None:
            return module
        call = f"{ctx.spell('tensorflow.compat.v1.disable_v2_behavior')}(){module.default_newline}"
        statement = cst.parse_statement(call, config=module.config_for_parsing)
        short = ", ".join("tf" + n[len("tensorflow"):] for n in names[:3])
        # reported at the import in the original module: earlier rewrites may have added lines
        anchor = _after_tensorflow_import(ctx.original_module) or index
        ctx.report(self.rule, ctx.original_module.body[anchor - 1], self.rule.message.format(names=short), fixed=True)
        return module.with_changes(body=[*module.body[:index], statement, *module.body[index:]])


def _after_tensorflow_import(module: cst.Module) -> int | None:
    """Index just past the last top-level import line that imports tensorflow."""
    found = None
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            names = []
            if isinstance(small, cst.Import):
                names = [dotted_name(a.name) or "" for a in small.names]
            elif isinstance(small, cst.ImportFrom) and small.module is not None:
                names = [dotted_name(small.module) or ""]
            if any(n == "tensorflow" or n.startswith("tensorflow.") for n in names):
                found = index + 1
    return found
