"""TT2001-TT2004: the Keras -> torch model conversion as engine plug-ins.

The conversion is one whole-module pass (``core.convert_source``) run in
``finish``; it runs once per file and each selected code reports its own
findings.  Only TT2001 rewrites; the other codes report what is left as it was.
"""
from __future__ import annotations

from migrate.lazycst import cst

from migrate.keras_to_torch.core import convert_source
from migrate.model import Finding
from migrate.plugin import CustomTransform, register

_FACT = "keras_to_torch.result"


def _mentions_keras(scan) -> bool:
    for ref in scan.references:
        q = ref.qualified
        if q.startswith(("tensorflow.keras.", "keras.", "tf_keras.")):
            return True
    return False


class _KerasRule(CustomTransform):
    def applies(self, scan) -> bool:
        return _mentions_keras(scan)

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        result = ctx.facts.get(_FACT)
        if result is None:
            try:
                result = convert_source(module.code)
            except SyntaxError:
                return module
            ctx.facts[_FACT] = result
        for issue in result.issues:
            if issue.code == self.code:
                ctx.findings.append(Finding(self.code, issue.message, self.rule.severity, self.rule.safety,
                                            issue.line, issue.col, fixed=issue.fixed and ctx.may_fix(self.rule)))
        if self.code == "TT2001" and result.models and ctx.may_fix(self.rule):
            ctx.facts["keras_to_torch.manifest"] = result.manifest()
            return cst.parse_module(result.code)
        return module


@register("TT2001")
class ModelToModule(_KerasRule):
    pass


@register("TT2002")
class ModelNotConverted(_KerasRule):
    pass


@register("TT2003")
class ModelCallNotConverted(_KerasRule):
    pass


@register("TT2004")
class TrainingApiNotConverted(_KerasRule):
    pass
