"""PT1042: ``nn.UpsamplingNearest2d`` / ``nn.UpsamplingBilinear2d`` -> ``nn.Upsample`` with their fixed mode."""
from __future__ import annotations

from migrate.callparts import render_call, unknown_keywords
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable

# what each subclass passes to Upsample.__init__ (torch/nn/modules/upsampling.py)
_FIXED = {
    "torch.nn.UpsamplingNearest2d": [("mode", '"nearest"')],
    "torch.nn.UpsamplingBilinear2d": [("mode", '"bilinear"'), ("align_corners", "True")],
    "torch.nn.modules.upsampling.UpsamplingNearest2d": [("mode", '"nearest"')],
    "torch.nn.modules.upsampling.UpsamplingBilinear2d": [("mode", '"bilinear"'), ("align_corners", "True")],
}


@register("PT1042")
class UpsamplingModules(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        if parts.starred or len(parts.positional) > 2 or unknown_keywords(parts, {"size", "scale_factor"}):
            return Unfixable("unexpected arguments for UpsamplingXxx2d(size, scale_factor)")
        keywords = list(parts.keywords.items()) + _FIXED[qualified]
        return Fix(render_call(spell("torch.nn.Upsample"), parts.positional, keywords))
