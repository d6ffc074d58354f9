"""PT1005: ``torch.matrix_rank`` (removed) -> ``torch.linalg.matrix_rank``."""
from __future__ import annotations

from migrate.callparts import render_call, unknown_keywords
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable


@register("PT1005")
class MatrixRank(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        if parts.starred or len(parts.positional) > 3 or unknown_keywords(parts, {"input", "tol", "symmetric"}):
            return Unfixable("unexpected arguments for torch.matrix_rank(input, tol, symmetric)")
        matrix = parts.text(0, "input")
        if matrix is None:
            return Unfixable("no input matrix")
        keywords = []
        tol = parts.text(1, "tol")
        if tol is not None:
            # old: count singular values > tol; linalg: > max(atol, rtol * s_max) with rtol 0 once atol is given
            keywords.append(("atol", tol))
        symmetric = parts.text(2, "symmetric")
        if symmetric is not None:
            keywords.append(("hermitian", symmetric))
        return Fix(render_call(spell("torch.linalg.matrix_rank"), [matrix], keywords))
