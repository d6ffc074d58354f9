"""PT1029: softmax-family calls without ``dim`` (report only).

Without ``dim`` PyTorch guesses: dim 0 for 0-, 1- and 3-dimensional input,
dim 1 otherwise (``_get_softmax_dim``), and warns.  Which axis was meant
depends on the tensor's rank, which a static tool cannot see, so the
finding states the rule and leaves the choice to the author.
"""
from __future__ import annotations

from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Unfixable


@register("PT1029")
class ImplicitSoftmaxDim(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        position = int(self.functions[qualified])  # where dim sits among the positional parameters
        if "dim" in parts.keywords or len(parts.positional) > position or parts.starred:
            return None
        return Unfixable("the intended axis depends on the input's rank")
