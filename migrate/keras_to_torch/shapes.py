"""Static shape arithmetic for the Keras -> torch converter.

A dimension is an ``int`` when the source gives it as a literal, or the text of
a Python expression (``"hidden"``, ``"7 * 7 * filters"``) when it depends on a
name; arithmetic keeps ints exact and builds expression text otherwise, so the
generated ``__init__`` carries the same expression the Keras code would compute.
``None`` is an unknown dimension (the batch, or a variable-length axis).
"""
from __future__ import annotations

import math
from typing import Union

Dim = Union[int, str, None]


def _p(d: Dim) -> str:
    text = str(d)
    return f"({text})" if isinstance(d, str) and not text.isidentifier() else text


def mul(a: Dim, b: Dim) -> Dim:
    if a is None or b is None:
        return None
    if isinstance(a, int) and isinstance(b, int):
        return a * b
    if a == 1:
        return b
    if b == 1:
        return a
    return f"{_p(a)} * {_p(b)}"


def add(a: Dim, b: Dim) -> Dim:
    if a is None or b is None:
        return None
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    if b == 0:
        return a
    if a == 0:
        return b
    return f"{_p(a)} + {_p(b)}"


def sub(a: Dim, b: Dim) -> Dim:
    if a is None or b is None:
        return None
    if isinstance(a, int) and isinstance(b, int):
        return a - b
    if b == 0:
        return a
    return f"{_p(a)} - {_p(b)}"


def floordiv(a: Dim, b: Dim) -> Dim:
    if a is None or b is None:
        return None
    if isinstance(a, int) and isinstance(b, int):
        return a // b
    if b == 1:
        return a
    return f"{_p(a)} // {_p(b)}"


def ceildiv(a: Dim, b: Dim) -> Dim:
    if a is None or b is None:
        return None
    if isinstance(a, int) and isinstance(b, int):
        return -(-a // b)
    if b == 1:
        return a
    return f"-(-{_p(a)} // {_p(b)})"


def prod(dims) -> Dim:
    out: Dim = 1
    for d in dims:
        out = mul(out, d)
    return out


def conv_out(n: Dim, k: int, s: int, d: int, padding: str) -> Dim:
    """Keras output length of a convolution or pooling window along one axis."""
    if padding == "same":
        return ceildiv(n, s)
    eff = d * (k - 1) + 1
    return add(floordiv(sub(n, eff), s), 1)


def same_pad(n: Dim, k: int, s: int, d: int) -> tuple[int, int] | None:
    """TensorFlow's 'same' padding (before, after) along one axis; None when it depends on an unknown size."""
    eff = d * (k - 1) + 1
    if s == 1:
        total = eff - 1
    elif isinstance(n, int):
        total = max((math.ceil(n / s) - 1) * s + eff - n, 0)
    else:
        return None
    return total // 2, total - total // 2


def render(d: Dim) -> str:
    return "None" if d is None else str(d)
