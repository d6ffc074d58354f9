"""PT1019: ``torch.cuda.amp.GradScaler(...)`` -> ``torch.amp.GradScaler("cuda", ...)`` (and the cpu twin)."""
from __future__ import annotations

from migrate.callparts import render_call
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix


@register("PT1019")
class AmpGradScaler(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        # torch.amp.GradScaler's parameters are the device followed by the old ones, in order
        device = qualified.split(".")[1]
        return Fix(render_call(spell("torch.amp.GradScaler"), [f'"{device}"', *parts.positional], parts.keywords))
