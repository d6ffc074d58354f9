"""PT1016: ``F.upsample_nearest`` / ``F.upsample_bilinear`` -> ``F.interpolate`` with their fixed mode."""
from __future__ import annotations

from migrate.callparts import render_call, unknown_keywords
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable

# what each wrapper passes to interpolate, read from torch/nn/functional.py
_FIXED = {
    "torch.nn.functional.upsample_nearest": [("mode", '"nearest"')],
    "torch.nn.functional.upsample_bilinear": [("mode", '"bilinear"'), ("align_corners", "True")],
}


@register("PT1016")
class UpsampleMode(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        if parts.starred or len(parts.positional) > 3 or unknown_keywords(parts, {"input", "size", "scale_factor"}):
            return Unfixable("unexpected arguments for upsample_*(input, size, scale_factor)")
        keywords = list(parts.keywords.items()) + _FIXED[qualified]
        return Fix(render_call(spell("torch.nn.functional.interpolate"), parts.positional, keywords))
