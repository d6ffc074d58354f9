"""PT1002: ``torch.symeig`` (removed) -> ``torch.linalg.eigh`` with the triangle made explicit."""
from __future__ import annotations

from migrate.callparts import NOT_LITERAL, literal, parenthesized, unknown_keywords
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable


@register("PT1002")
class Symeig(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        if parts.starred or len(parts.positional) > 3 or unknown_keywords(parts, {"input", "eigenvectors", "upper"}):
            return Unfixable("arguments other than input, eigenvectors and upper have no torch.linalg.eigh equivalent")
        matrix = parts.text(0, "input")
        if matrix is None:
            return Unfixable("no input matrix")
        # symeig read the upper triangle by default; linalg.eigh reads the lower one.
        upper_node = parts.argument(2, "upper")
        upper = True if upper_node is None else literal(upper_node)
        if upper is NOT_LITERAL:
            uplo = f'"U" if {parenthesized(parts.text(2, "upper"))} else "L"'
        else:
            uplo = '"U"' if upper else '"L"'
        note = ""
        if literal(parts.argument(1, "eigenvectors")) is not True:
            note = "eigenvectors were not requested; linalg.eigh returns them instead of an empty tensor"
        return Fix(f"{spell('torch.linalg.eigh')}({matrix}, UPLO={uplo})", note=note)
