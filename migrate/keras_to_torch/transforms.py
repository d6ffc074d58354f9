"""TT2001-TT2004: the Keras -> torch model conversion as engine plug-ins.

The conversion (``core.convert_source``) works on the ``ast`` and writes text edits.  Its decisions are
made on the file as the user wrote it (``match``: one run per scanned file, shared by the four codes), so
``lint`` needs no libcst and every finding sits where the user reads it.  ``convert`` applies it in
``finish``, on the module the op and training rules rewrote: they leave what the conversion owns (the
model and layer classes, Keras calls' arguments, and the training code it rewrites whole,
``Result.owned``), so it decides the same there.  Should the two runs ever disagree, the conversion is not
applied and TT2002 says so: what lint reported is then the finding that stands for it.
Only TT2001 rewrites; the other codes report what is left as it was.
"""
from __future__ import annotations

from collections import Counter

from migrate.keras_to_torch.core import Result, convert_source
from migrate.lazycst import cst
from migrate.model import Safety
from migrate.plugin import CustomTransform, Match, register

_FACT = "keras_to_torch.result"
KERAS_ROOTS = ("tensorflow.keras.", "keras.", "tf_keras.")


def _mentions_keras(scan) -> bool:
    return any(ref.qualified.startswith(KERAS_ROOTS) for ref in scan.references)


def keras_result(scan) -> Result | None:
    """The conversion of the file as written (None when it does not parse), made once per scan."""
    if "<keras>" not in scan.matches:
        try:
            scan.matches["<keras>"] = convert_source(scan.source)
        except SyntaxError:
            scan.matches["<keras>"] = None
    return scan.matches["<keras>"]


def _told(issues) -> Counter:
    return Counter((issue.code, issue.message, issue.fixed) for issue in issues)


class _KerasRule(CustomTransform):
    def applies(self, scan) -> bool:
        return _mentions_keras(scan)

    def match(self, scan):
        result = keras_result(scan)
        if result is None:
            return []
        return [Match(self.rule, issue.line, issue.col, issue.message, self.rule.safety, fixable=issue.fixed)
                for issue in result.issues if issue.code == self.code]

    def sites(self, scan):
        return None  # (``finish`` rewrites the module: it is parsed whole)

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        decided = keras_result(ctx.scan) if ctx.scan is not None else None
        if decided is None:
            return module
        if _FACT not in ctx.facts:  # (one run for the four codes)
            try:
                applied = convert_source(module.code)
            except SyntaxError:
                applied = None
            if applied is not None and _told(applied.issues) != _told(decided.issues):
                applied = None
            ctx.facts[_FACT] = applied
        applied = ctx.facts[_FACT]
        for match in self.matches(ctx.scan) or ():
            ctx.report_match(match if applied is not None else
                             Match(match.rule, match.line, match.column, match.message, Safety.NONE, fixable=False))
        if applied is None:
            if self.code == "TT2002" and decided.issues:
                ctx.report(self.rule, ctx.original_module, "the Keras model conversion was not applied: on the "
                           "module the op rules rewrote it decided differently than on the file as written "
                           "(please report this file)", fixed=False)
            return module
        if self.code == "TT2001" and applied.models and ctx.may_fix(self.rule):
            ctx.facts["keras_to_torch.manifest"] = applied.manifest()
            return cst.parse_module(applied.code)
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
