"""PT1010: ``torch.lu_solve(b, LU, pivots)`` -> ``torch.linalg.lu_solve(LU, pivots, b)``."""
from __future__ import annotations

from migrate.callparts import unknown_keywords
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable


@register("PT1010")
class LuSolve(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        if parts.starred or unknown_keywords(parts, {"input", "b", "LU_data", "LU_pivots"}):
            return Unfixable("unexpected arguments for torch.lu_solve(b, LU_data, LU_pivots)")
        rhs = parts.text(0, "input") or parts.keywords.get("b")
        data, pivots = parts.text(1, "LU_data"), parts.text(2, "LU_pivots")
        if None in (rhs, data, pivots) or len(parts.positional) > 3:
            return Unfixable("could not tell b, LU_data and LU_pivots apart")
        # the right-hand side moved from first to last
        return Fix(f"{spell('torch.linalg.lu_solve')}({data}, {pivots}, {rhs})")
