"""PT1021: ``torch.load`` without ``weights_only`` gets ``weights_only=True`` written out."""
from __future__ import annotations

from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable, append_keyword


@register("PT1021")
class LoadWeightsOnly(CallRewrite):
    def rewrite(self, qualified, parts, spell, call):
        if "weights_only" in parts.keywords:
            return None
        if any(arg.star == "**" for arg in call.args):
            return Unfixable("**kwargs may already pass weights_only")
        if len(parts.positional) > 3:
            return Unfixable("extra positional arguments are passed to the unpickler")
        return Fix("", node=append_keyword(call, "weights_only", "True"))
