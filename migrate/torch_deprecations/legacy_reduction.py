"""PT1028: loss ``size_average=`` / ``reduce=`` -> ``reduction=``.

The mapping is the one PyTorch applies itself (``torch.nn._reduction``):
either flag left out counts as True; ``reduce=False`` means ``'none'``
whatever ``size_average`` says; otherwise ``size_average`` picks ``'mean'``
or ``'sum'``.  When a flag is given, an explicit ``reduction=`` is ignored
by PyTorch, so the rewrite replaces it.
"""
from __future__ import annotations

from migrate.callparts import NOT_LITERAL, literal, parenthesized, render_call
from migrate.model import Safety
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable

_LEGACY = ("size_average", "reduce")


def _reduction(size_average: object, reduce: object) -> str:
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


@register("PT1028")
class LegacyReduction(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        if not set(_LEGACY) & set(parts.keywords):
            return None
        values = {name: literal(parts.nodes[name]) if name in parts.nodes else None for name in _LEGACY}
        texts = {name: parenthesized(parts.keywords[name]) for name in _LEGACY if name in parts.keywords}
        sa, rd = values["size_average"], values["reduce"]
        if sa is not NOT_LITERAL and rd is not NOT_LITERAL:
            reduction = f'"{_reduction(sa, rd)}"'
        elif sa is NOT_LITERAL and rd is not NOT_LITERAL:
            reduction = '"none"' if rd is False else f'"mean" if {texts["size_average"]} else "sum"'
        elif rd is NOT_LITERAL and sa is not NOT_LITERAL:
            reduction = f'"{_reduction(sa, True)}" if {texts["reduce"]} else "none"'
        else:
            return Unfixable("both flags are computed; pick reduction='mean', 'sum' or 'none' by hand")
        keywords = []
        placed = False
        for name in parts.keywords:
            if name in (*_LEGACY, "reduction"):
                if not placed:
                    keywords.append(("reduction", reduction))
                    placed = True
                continue
            keywords.append((name, parts.keywords[name]))
        return Fix(render_call(parts.func, parts.positional, keywords), safety=Safety.SAFE)
