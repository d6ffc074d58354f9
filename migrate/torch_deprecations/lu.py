"""PT1009: ``torch.lu`` -> ``torch.linalg.lu_factor`` / ``lu_factor_ex`` (with ``get_infos=True``)."""
from __future__ import annotations

from migrate.callparts import NOT_LITERAL, literal, render_call, unknown_keywords
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable


@register("PT1009")
class Lu(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        if parts.starred or len(parts.positional) > 3 or unknown_keywords(parts, {"A", "pivot", "get_infos"}):
            return Unfixable("unexpected arguments for torch.lu(A, pivot, get_infos)")
        matrix = parts.text(0, "A")
        if matrix is None:
            return Unfixable("no input matrix")
        infos_node = parts.argument(2, "get_infos")
        infos = False if infos_node is None else literal(infos_node)
        if infos is NOT_LITERAL:
            return Unfixable("get_infos is not a literal; choose lu_factor_ex (with infos) or lu_factor")
        keywords = []
        pivot = parts.text(1, "pivot")
        if pivot is not None:
            keywords.append(("pivot", pivot))
        name = "torch.linalg.lu_factor_ex" if infos else "torch.linalg.lu_factor"
        return Fix(render_call(spell(name), [matrix], keywords))
