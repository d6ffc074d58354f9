"""PT1035: ``torch.utils.checkpoint.checkpoint`` without ``use_reentrant`` gets the current default spelled out."""
from __future__ import annotations

from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable


@register("PT1035")
class CheckpointReentrant(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        if "use_reentrant" in parts.keywords:
            return None
        if parts.double_starred:
            return Unfixable("**kwargs may already pass use_reentrant")
        # None means True (with a warning) in torch/utils/checkpoint.py; later releases raise instead
        return Fix("", append=("use_reentrant", "True"))
