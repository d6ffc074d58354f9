"""PT1043: ``probs.multinomial()`` / ``torch.multinomial(probs)`` -> ``num_samples=1``.

Before PyTorch 0.4 ``num_samples`` defaulted to 1; it is now required and the
call raises TypeError.  ``torch.multinomial`` resolves through the imports and
is fixed as safe; the method form is matched by name on an object of unknown
type (numpy's ``multinomial`` always takes arguments, so an argument-less call
is a tensor's), marked review.
"""
from __future__ import annotations

from migrate.model import Safety
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, append_keyword, method_call_lines


@register("PT1043")
class Multinomial(CallRewrite):
    def applies(self, scan) -> bool:
        return "torch" in scan.imported_roots()

    def sites(self, scan):
        methods = method_call_lines(scan, "multinomial")
        return None if methods is None else [*super().sites(scan), *methods]

    def rewrite(self, qualified, parts, spell, call):
        if parts.starred or "num_samples" in parts.keywords or len(parts.positional) != 1:
            return None
        return Fix("", node=append_keyword(call, "num_samples", "1"), safety=Safety.SAFE)

    def on_method_call(self, ctx, method, original, updated):
        if method != "multinomial" or updated.args:
            return None
        fixed = ctx.may_fix(self.rule)
        ctx.report(self.rule, original, self.message("Tensor.multinomial"), fixed=fixed)
        if not fixed:
            return None
        return append_keyword(updated, "num_samples", "1")
