"""PT1007: ``torch.cholesky`` -> ``torch.linalg.cholesky`` (same ``upper`` keyword)."""
from __future__ import annotations

from migrate.callparts import literal, render_call, unknown_keywords
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable


@register("PT1007")
class Cholesky(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        if parts.starred or len(parts.positional) > 2 or unknown_keywords(parts, {"input", "upper"}):
            return Unfixable("unexpected arguments for torch.cholesky(input, upper)")
        matrix = parts.text(0, "input")
        if matrix is None:
            return Unfixable("no input matrix")
        keywords = []
        upper = parts.argument(1, "upper")
        if upper is not None and literal(upper) is not False:
            keywords.append(("upper", parts.text(1, "upper")))  # keyword-only in linalg.cholesky
        return Fix(render_call(spell("torch.linalg.cholesky"), [matrix], keywords))
