"""PT1021: ``torch.load`` without ``weights_only`` gets ``weights_only=True`` written out."""
from __future__ import annotations

from migrate.transforms import register
from migrate.transforms.pt_util import CallRewrite, Fix, Unfixable, code_of, render_call


@register("PT1021")
class LoadWeightsOnly(CallRewrite):
    def rewrite(self, qualified, parts, spell, call):
        if "weights_only" in parts.keywords:
            return None
        if any(arg.star == "**" for arg in call.args):
            return Unfixable("**kwargs may already pass weights_only")
        if len(parts.positional) > 3:
            return Unfixable("extra positional arguments are passed to the unpickler")
        keywords = list(parts.keywords.items()) + [("weights_only", "True")]
        return Fix(render_call(code_of(call.func), parts.positional, keywords))
