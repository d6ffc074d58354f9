"""PT1024: torchvision model builders: ``pretrained=`` -> ``weights=`` (and ``pretrained_backbone=``)."""
from __future__ import annotations


from migrate.model import Safety
from migrate.plugin import register
from migrate.torch_deprecations.util import NOT_LITERAL, CallRewrite, Fix, code_of, literal, parenthesized, render_call

_KEYWORDS = {"pretrained": "weights", "pretrained_backbone": "weights_backbone"}


@register("PT1024")
class TorchvisionWeights(CallRewrite):
    def applies(self, scan) -> bool:
        return any(
            ref.is_call and ref.qualified.startswith("torchvision.models.") and _KEYWORDS.keys() & set(ref.keywords)
            for ref in scan.references
        )

    def sites(self, scan):
        return [line for ref in scan.references
                if ref.is_call and ref.qualified.startswith("torchvision.models.") and _KEYWORDS.keys() & set(ref.keywords)
                for line in range(ref.line, (ref.end_line or ref.line) + 1)]

    def on_call(self, ctx, qualified, original, updated):
        if not qualified.startswith("torchvision.models."):
            return None
        self.functions[qualified] = None  # any builder under torchvision.models
        return super().on_call(ctx, qualified, original, updated)

    def rewrite(self, qualified, parts, spell, call):
        if not _KEYWORDS.keys() & set(parts.keywords):
            return None
        safety = Safety.SAFE
        keywords = []
        for arg in call.args:
            if arg.keyword is None:
                continue
            name, value = arg.keyword.value, code_of(arg.value)
            if name in _KEYWORDS:
                flag = literal(arg.value)
                if flag is False or flag is None:
                    value = "None"  # no weights: exactly what pretrained=False did
                elif flag is True:
                    value, safety = '"DEFAULT"', Safety.REVIEW
                elif flag is NOT_LITERAL:
                    value, safety = f'"DEFAULT" if {parenthesized(value)} else None', Safety.REVIEW
                name = _KEYWORDS[name]
            keywords.append((name, value))
        note = "" if safety is Safety.SAFE else '"DEFAULT" may be newer weights than pretrained=True loaded'
        return Fix(render_call(code_of(call.func), parts.positional, keywords), safety=safety, note=note)
