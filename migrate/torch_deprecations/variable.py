"""PT1025: ``Variable(x)`` -> ``x``: Variable and Tensor merged in PyTorch 0.4.

``Variable(t)`` now returns a tensor sharing ``t``'s storage, detached from
``t``'s graph.  For data tensors (the 0.3-era use) that is ``t`` itself; when
``t`` is the output of a differentiable computation, dropping the wrapper
lets gradients flow where they did not, so the rule is review-only.
``requires_grad=True`` made a new leaf: ``t.detach().requires_grad_()`` is
that leaf, and a fresh tensor from a factory call can take ``.requires_grad_()``
directly.
"""
from __future__ import annotations

from migrate.callparts import NOT_LITERAL, callee_name, literal, parenthesized
from migrate.model import Safety
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable

_FACTORIES = {
    "tensor", "zeros", "ones", "empty", "full", "rand", "randn", "randint", "arange", "linspace", "eye",
    "from_numpy", "as_tensor", "zeros_like", "ones_like", "rand_like", "randn_like", "Tensor",
    "FloatTensor", "LongTensor", "DoubleTensor",
}


@register("PT1025")
class Variable(CallRewrite):
    def _is_factory(self, parts) -> bool:
        return callee_name(parts.positional_nodes[0]) in _FACTORIES

    def rewrite(self, qualified, parts, spell):
        if parts.starred or len(parts.positional) != 1 or set(parts.keywords) - {"requires_grad", "volatile"}:
            return Unfixable("only Variable(tensor) and Variable(tensor, requires_grad=...) are rewritten")
        # volatile is ignored by PyTorch >= 0.4; PT1026 reports it and puts the inference under no_grad
        data = parenthesized(parts.positional[0])
        requires_grad = literal(parts.nodes.get("requires_grad")) if "requires_grad" in parts.keywords else False
        if requires_grad is NOT_LITERAL:
            return Unfixable("requires_grad is not a literal; use tensor.detach().requires_grad_(flag)")
        if requires_grad:
            if self._is_factory(parts):
                return Fix(f"{data}.requires_grad_()", safety=Safety.SAFE)
            return Fix(f"{data}.detach().requires_grad_()", safety=Safety.SAFE)
        return Fix(parts.positional[0] if data == parts.positional[0] else data,
                   safety=Safety.SAFE if self._is_factory(parts) else None)
