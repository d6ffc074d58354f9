"""PT1032: ``torch.set_default_tensor_type(T)`` -> ``torch.set_default_dtype(dtype)`` for CPU floating types."""
from __future__ import annotations

from migrate.callparts import literal
from migrate.plugin import register
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable

_CPU_TYPES = {
    "FloatTensor": "float32", "DoubleTensor": "float64", "HalfTensor": "float16", "BFloat16Tensor": "bfloat16",
}


@register("PT1032")
class DefaultTensorType(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        if parts.starred or parts.count != 1 or set(parts.keywords) - {"t"}:
            return Unfixable("expected one tensor type argument")
        value = literal(parts.argument(0, "t"))
        # torch.DoubleTensor, "torch.DoubleTensor" or an alias of torch: the type's own name decides
        dotted = (value if isinstance(value, str) else parts.text(0, "t")).split(".")
        if dotted[-1] in _CPU_TYPES and "cuda" not in dotted:
            name = dotted[-1]
            return Fix(f"{spell('torch.set_default_dtype')}({spell('torch.' + _CPU_TYPES[name])})")
        return Unfixable(
            "CUDA or non-float tensor types also set the device: call torch.set_default_dtype(dtype) "
            "and torch.set_default_device(device)"
        )
