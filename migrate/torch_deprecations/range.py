"""PT1012: ``torch.range(start, end)`` (end included) -> ``torch.arange(start, end + 1)``.

``torch.range`` includes ``end`` and always returns the default floating
dtype; ``torch.arange`` excludes ``end`` and infers an integer dtype from
integer arguments.  The rewrite moves ``end`` one step out and pins the dtype.
Only integer steps can be shifted exactly: with a fractional step the number
of elements depends on rounding, so those calls are reported instead.
"""
from __future__ import annotations

from migrate.callparts import NOT_LITERAL, literal, parenthesized, render_call, unknown_keywords
from migrate.model import Safety
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable

_KEYWORDS = {"start", "end", "step", "dtype", "device", "requires_grad", "layout", "out"}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@register("PT1012")
class Range(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        if parts.starred or len(parts.positional) > 3 or unknown_keywords(parts, _KEYWORDS) or "out" in parts.keywords:
            return Unfixable("unexpected arguments for torch.range(start, end, step)")
        start, end = parts.text(0, "start"), parts.text(1, "end")
        start_node, end_node = parts.argument(0, "start"), parts.argument(1, "end")
        if start is None:
            return Unfixable("torch.range needs both start and end")
        if end is None:
            return Unfixable("no end value")
        step_node = parts.argument(2, "step")
        step = 1 if step_node is None else literal(step_node)
        if step is NOT_LITERAL:
            return Unfixable("the step is not a literal, so neither the direction nor the rounding of the end is known")
        if not _is_int(step):
            return Unfixable(
                "a fractional step makes the element count depend on rounding; "
                "use torch.linspace(start, end, steps=round((end - start) / step) + 1)"
            )
        bounds = [literal(start_node), literal(end_node)]
        exact = all(_is_int(b) for b in bounds)
        if any(isinstance(b, float) for b in bounds):
            return Unfixable("a fractional start or end; use torch.linspace or torch.arange with an explicit end")
        offset = 1 if step > 0 else -1
        new_end = str(bounds[1] + offset) if exact else f"{parenthesized(end)} {'+' if offset > 0 else '-'} 1"
        positional = [start, new_end] + ([parts.text(2, "step")] if step_node is not None else [])
        keywords = {k: v for k, v in parts.keywords.items() if k not in ("start", "end", "step")}
        keywords.setdefault("dtype", f"{spell('torch.get_default_dtype')}()")
        note = "" if exact else "assumes the end value is a whole number"
        return Fix(
            render_call(spell("torch.arange"), positional, keywords),
            safety=Safety.SAFE if exact else None,
            note=note,
        )
