"""PT1008: ``torch.chain_matmul(a, b, c)`` -> ``torch.linalg.multi_dot([a, b, c])``."""
from __future__ import annotations

from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable


@register("PT1008")
class ChainMatmul(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        if parts.keywords:
            return Unfixable("keyword arguments (out=) have no multi_dot equivalent in this form")
        if not parts.starred and len(parts.positional) < 2:
            return Unfixable("multi_dot needs at least two matrices; a single matrix is returned as it is")
        # [*ms] accepts any iterable, as chain_matmul(*ms) did
        return Fix(f"{spell('torch.linalg.multi_dot')}([{', '.join(parts.positional)}])")
