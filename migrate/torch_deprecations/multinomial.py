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
from migrate.torch_deprecations.util import CallRewrite, Fix, unresolved_method_calls


@register("PT1043")
class Multinomial(CallRewrite):
    def applies(self, scan) -> bool:
        return "torch" in scan.imported_roots()

    def match(self, scan):
        found = super().match(scan)
        for node in unresolved_method_calls(scan, "multinomial"):
            if not node.args and not node.keywords:
                found.append(self.decide(scan, "Tensor.multinomial", node, Fix("", append=("num_samples", "1"))))
        return found

    def rewrite(self, qualified, parts, spell):
        if parts.starred or "num_samples" in parts.keywords or len(parts.positional) != 1:
            return None
        return Fix("", append=("num_samples", "1"), safety=Safety.SAFE)

    def on_method_call(self, ctx, method, original, updated):
        match = ctx.match_at(self, original) if method == "multinomial" else None
        if match is None or not ctx.report_match(match):
            return None
        return self.apply(ctx, method, match, original, updated)
