"""PT1018: ``torch.cuda.amp.autocast(...)`` -> ``torch.amp.autocast("cuda", ...)`` (and the cpu twin)."""
from __future__ import annotations

from migrate.callparts import render_call, unknown_keywords
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable

# The device-specific classes take (enabled, dtype, cache_enabled); torch.amp.autocast
# takes (device_type, dtype, enabled, cache_enabled), so positional arguments become keywords.
_PARAMS = ("enabled", "dtype", "cache_enabled")


@register("PT1018")
class AmpAutocast(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        if parts.starred or len(parts.positional) > len(_PARAMS) or unknown_keywords(parts, set(_PARAMS)):
            return Unfixable("unexpected arguments for autocast(enabled, dtype, cache_enabled)")
        device = qualified.split(".")[1]  # torch.cuda.amp.autocast -> cuda
        keywords = list(zip(_PARAMS, parts.positional)) + list(parts.keywords.items())
        return Fix(render_call(spell("torch.amp.autocast"), [f'"{device}"'], keywords))
