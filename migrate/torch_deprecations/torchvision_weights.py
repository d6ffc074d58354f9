"""PT1024: torchvision model builders: ``pretrained=`` -> ``weights=`` (and ``pretrained_backbone=``)."""
from __future__ import annotations

from migrate.callparts import NOT_LITERAL, literal, parenthesized, render_call
from migrate.model import Safety
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix

_KEYWORDS = {"pretrained": "weights", "pretrained_backbone": "weights_backbone"}


@register("PT1024")
class TorchvisionWeights(CallRewrite):
    def applies(self, scan) -> bool:
        return any(
            ref.is_call and ref.qualified.startswith("torchvision.models.") and _KEYWORDS.keys() & set(ref.keywords)
            for ref in scan.references
        )

    def wants(self, qualified: str) -> bool:
        return qualified.startswith("torchvision.models.")  # any builder under torchvision.models

    def rewrite(self, qualified, parts, spell):
        if not _KEYWORDS.keys() & set(parts.keywords):
            return None
        safety = Safety.SAFE
        keywords = []
        for name, value in parts.keywords.items():
            if name in _KEYWORDS:
                flag = literal(parts.nodes[name])
                if flag is False or flag is None:
                    value = "None"  # no weights: exactly what pretrained=False did
                elif flag is True:
                    value, safety = '"DEFAULT"', Safety.REVIEW
                elif flag is NOT_LITERAL:
                    value, safety = f'"DEFAULT" if {parenthesized(value)} else None', Safety.REVIEW
                name = _KEYWORDS[name]
            keywords.append((name, value))
        note = "" if safety is Safety.SAFE else '"DEFAULT" may be newer weights than pretrained=True loaded'
        return Fix(render_call(parts.func, parts.positional, keywords), safety=safety, note=note)
