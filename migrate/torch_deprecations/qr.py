"""PT1006: ``torch.qr(A, some)`` -> ``torch.linalg.qr(A, mode)``."""
from __future__ import annotations

from migrate.callparts import NOT_LITERAL, literal, parenthesized, unknown_keywords
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable


@register("PT1006")
class Qr(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        if parts.starred or len(parts.positional) > 2 or unknown_keywords(parts, {"input", "some"}):
            return Unfixable("unexpected arguments for torch.qr(input, some)")
        matrix = parts.text(0, "input")
        if matrix is None:
            return Unfixable("no input matrix")
        some_node = parts.argument(1, "some")
        some = True if some_node is None else literal(some_node)
        func = spell("torch.linalg.qr")
        if some is NOT_LITERAL:
            return Fix(f'{func}({matrix}, mode="reduced" if {parenthesized(parts.text(1, "some"))} else "complete")')
        if some:
            return Fix(f"{func}({matrix})")  # "reduced" is linalg.qr's default
        return Fix(f'{func}({matrix}, mode="complete")')
