"""Keras layer -> torch module translation, one method per layer class.

Each method receives the layer's constructor arguments (literals, or ``Sym``
text for expressions the converter cannot evaluate) and the input values, and
emits: the torch module for ``__init__``, the ``forward`` lines, the output
value with its static shape, and the weight-manifest entries (every Keras
variable -> torch parameter/buffer with its layout transform).

Values carry a layout: ``keras`` (channels last, as the Keras code sees it) or
``cf`` (channels first, what torch convolutions want).  The model permutes at
most where the layout must change (NCHW inside, NHWC at the boundary); Flatten
and Reshape always act on the channels-last order so that the next Dense sees
features in Keras' order and weights transfer unchanged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from migrate.keras_to_torch import shapes as S


class Unsupported(Exception):
    """A construct the converter does not translate; the model is left as it was, with a finding."""


class Sym(str):
    """Source text of an argument that is not a literal (a name or expression)."""


@dataclass
class Val:
    name: str
    shape: tuple  # Keras layout, batch excluded
    layout: str = "keras"  # "keras" | "cf"


@dataclass
class Weight:
    keras: str | None  # Keras variable name inside its layer (kernel, bias, ...), None if torch-only
    keras_shape: tuple | None
    torch: str  # key inside the torch submodule (weight, bias_ih_l0, ...)
    torch_shape: tuple
    transform: str
    kind: str = "parameter"
    note: str = ""


@dataclass
class LayerArgs:
    cls: str
    args: list
    kwargs: dict
    line: int = 0
    node: object = None  # the constructor call (Lambda needs its function's syntax tree)
    converter: object = None

    def get(self, pos: int | None, name: str, default=None):
        if name in self.kwargs:
            return self.kwargs[name]
        if pos is not None and pos < len(self.args):
            return self.args[pos]
        return default

    def known(self, allowed: set[str], npos: int) -> None:
        extra = [k for k in self.kwargs if k not in allowed | {"name", "dtype", "trainable"}]
        if extra:
            raise Unsupported(f"{self.cls}: argument(s) {', '.join(extra)} not translated")
        if len(self.args) > npos:
            raise Unsupported(f"{self.cls}: more positional arguments than translated")


ACTIVATIONS = {
    None: None, "linear": None, "relu": "torch.relu({x})", "sigmoid": "torch.sigmoid({x})",
    "tanh": "torch.tanh({x})", "softmax": "torch.softmax({x}, dim={axis})", "elu": "F.elu({x})",
    "selu": "F.selu({x})", "gelu": "F.gelu({x})", "swish": "F.silu({x})", "silu": "F.silu({x})",
    "softplus": "F.softplus({x})", "softsign": "F.softsign({x})", "relu6": "F.relu6({x})",
    "leaky_relu": "F.leaky_relu({x}, 0.2)", "hard_sigmoid": "F.hardsigmoid({x})", "mish": "F.mish({x})",
    "exponential": "torch.exp({x})", "log_softmax": "torch.log_softmax({x}, dim={axis})",
}


def pair(value, what: str) -> tuple[int, ...]:
    if isinstance(value, int):
        return (value, value)
    if isinstance(value, (tuple, list)) and all(isinstance(v, int) for v in value):
        return tuple(value)
    raise Unsupported(f"{what} must be an integer literal or a tuple of them, not {value!r}")


def single(value, what: str) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, (tuple, list)) and len(value) == 1 and isinstance(value[0], int):
        return value[0]
    raise Unsupported(f"{what} must be an integer literal, not {value!r}")


def tup(dims) -> str:
    dims = [S.render(d) for d in dims]
    return f"({dims[0]},)" if len(dims) == 1 else f"({', '.join(dims)})"


def snake(name: str) -> str:
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    s = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", s)
    return s.lower().replace("2_d", "2d").replace("1_d", "1d").replace("3_d", "3d")


class LayerTranslator:
    """Mixin of the model builder: ``translate(layer, inputs) -> Val``."""

    # provided by the builder
    def add_module(self, base: str, ctor: str, weights: list[Weight], name=None) -> str: ...
    def emit(self, line: str) -> None: ...
    def fresh(self, base: str) -> str: ...
    def fwd(self, text) -> str: ...

    uses_f: bool

    # -- layout helpers
    def to_cf(self, v: Val) -> Val:
        if v.layout == "cf" or len(v.shape) < 2:
            return Val(v.name, v.shape, "cf") if len(v.shape) < 2 else v
        rank = len(v.shape) + 1
        perm = (0, rank - 1) + tuple(range(1, rank - 1))
        self.emit(f"{v.name} = {v.name}.permute{perm}  # channels last -> channels first")
        v.layout = "cf"
        return v

    def to_keras(self, v: Val) -> Val:
        if v.layout == "keras" or len(v.shape) < 2:
            v.layout = "keras"
            return v
        rank = len(v.shape) + 1
        perm = (0,) + tuple(range(2, rank)) + (1,)
        self.emit(f"{v.name} = {v.name}.permute{perm}  # channels first -> channels last")
        v.layout = "keras"
        return v

    def activation(self, expr: str, act, v_rank: int, layout: str) -> str:
        if isinstance(act, Sym) or act not in ACTIVATIONS:
            raise Unsupported(f"activation {act!r} not translated")
        template = ACTIVATIONS[act]
        if template is None:
            return expr
        if template.startswith("F."):
            self.uses_f = True
        axis = 1 if layout == "cf" and v_rank >= 2 else -1
        return template.format(x=expr, axis=axis)

    def out(self, target: str, expr: str, shape: tuple, layout: str) -> Val:
        self.emit(f"{target} = {expr}")
        return Val(target, tuple(shape), layout)

    def translate(self, layer: LayerArgs, inputs: list[Val], target: str, attr: str | None = None) -> Val:
        method = getattr(self, "l_" + layer.cls, None)
        if method is None:
            raise Unsupported(f"layer {layer.cls} is not translated yet")
        name = layer.get(None, "name")
        self.current_layer = (layer.cls, name if isinstance(name, str) and not isinstance(name, Sym) else None)
        return method(layer, inputs, target, attr)

    def call_module(self, attr: str, arg: str) -> str:
        return f"self.{attr}({arg})"

    def _one(self, layer: LayerArgs, inputs: list[Val]) -> Val:
        if len(inputs) != 1:
            raise Unsupported(f"{layer.cls} expects one input, got {len(inputs)}")
        return inputs[0]

    # -- core layers
    def l_Dense(self, layer, inputs, target, attr):
        layer.known({"units", "activation", "use_bias", "input_shape", "input_dim"}, 1)
        x = self.to_keras(self._one(layer, inputs))
        units = layer.get(0, "units")
        use_bias = layer.get(None, "use_bias", True)
        n_in = x.shape[-1]
        if n_in is None:
            raise Unsupported("Dense: the input feature size is not known statically")
        bias = "" if use_bias else ", bias=False"
        weights = [Weight("kernel", (n_in, units), "weight", (units, n_in), "transpose")]
        if use_bias:
            weights.append(Weight("bias", (units,), "bias", (units,), "identity"))
        name = self.add_module(attr or "dense", f"nn.Linear({self.fwd_init(n_in)}, {self.fwd_init(units)}{bias})",
                               weights, layer.get(None, "name"))
        expr = self.activation(self.call_module(name, x.name), layer.get(None, "activation"), len(x.shape), "keras")
        return self.out(target, expr, x.shape[:-1] + (units,), "keras")

    def _conv_common(self, layer, x: Val, rank: int):
        k = pair(layer.get(1, "kernel_size"), "kernel_size")
        s = pair(layer.get(2, "strides", 1), "strides")
        d = pair(layer.get(None, "dilation_rate", 1), "dilation_rate")
        if rank == 1:
            k, s, d = k[:1], s[:1], d[:1]
        padding = layer.get(3, "padding", "valid")
        if padding not in ("valid", "same"):
            raise Unsupported(f"{layer.cls}: padding={padding!r}")
        if layer.get(None, "data_format", None) not in (None, "channels_last"):
            raise Unsupported(f"{layer.cls}: data_format other than channels_last")
        spatial = x.shape[:-1]
        pads = []
        if padding == "same":
            for n, kk, ss, dd in zip(spatial, k, s, d):
                p = S.same_pad(n, kk, ss, dd)
                if p is None:
                    raise Unsupported(f"{layer.cls}: 'same' padding with stride > 1 needs a known input size")
                pads.append(p)
        out_spatial = tuple(S.conv_out(n, kk, ss, dd, padding) for n, kk, ss, dd in zip(spatial, k, s, d))
        return k, s, d, pads, out_spatial

    def _padding(self, x: Val, pads) -> str:
        """Module padding argument, or emit an explicit F.pad for asymmetric 'same' (extra pixel bottom/right)."""
        if not pads or all(a == 0 and b == 0 for a, b in pads):
            return ""
        if all(a == b for a, b in pads):
            return f", padding={tup([a for a, _ in pads])}"
        self.uses_f = True
        flat = []
        for a, b in reversed(pads):
            flat += [a, b]
        self.emit(f"{x.name} = F.pad({x.name}, {tup(flat)})  # TF 'same': the extra row/column goes bottom/right")
        return ""

    def l_Conv2D(self, layer, inputs, target, attr, rank=2):
        layer.known({"filters", "kernel_size", "strides", "padding", "activation", "use_bias", "dilation_rate",
                     "input_shape", "data_format", "groups"}, 4)
        x = self._one(layer, inputs)
        if len(x.shape) != rank + 1:
            raise Unsupported(f"{layer.cls}: input rank {len(x.shape) + 1} unexpected")
        filters = layer.get(0, "filters")
        groups = layer.get(None, "groups", 1)
        use_bias = layer.get(None, "use_bias", True)
        k, s, d, pads, out_spatial = self._conv_common(layer, x, rank)
        c_in = x.shape[-1]
        if c_in is None:
            raise Unsupported(f"{layer.cls}: the number of input channels is not known statically")
        x = self.to_cf(x)
        pad_arg = self._padding(x, pads)
        extra = pad_arg
        if s != (1,) * rank:
            extra += f", stride={tup(s)}"
        if d != (1,) * rank:
            extra += f", dilation={tup(d)}"
        if groups != 1:
            extra += f", groups={groups}"
        if not use_bias:
            extra += ", bias=False"
        cls = "nn.Conv2d" if rank == 2 else "nn.Conv1d"
        per_group = S.floordiv(c_in, groups)
        perm = "hwio_to_oihw" if rank == 2 else "wio_to_oiw"
        kshape = tuple(k) + (per_group, filters)
        weights = [Weight("kernel", kshape, "weight", (filters, per_group) + tuple(k), perm)]
        if use_bias:
            weights.append(Weight("bias", (filters,), "bias", (filters,), "identity"))
        base = "conv2d" if rank == 2 else "conv1d"
        name = self.add_module(attr or base, f"{cls}({self.fwd_init(c_in)}, {self.fwd_init(filters)}, "
                               f"kernel_size={tup(k)}{extra})", weights, layer.get(None, "name"))
        expr = self.activation(self.call_module(name, x.name), layer.get(None, "activation"), rank + 1, "cf")
        return self.out(target, expr, out_spatial + (filters,), "cf")

    def l_Conv1D(self, layer, inputs, target, attr):
        return self.l_Conv2D(layer, inputs, target, attr, rank=1)

    def l_Conv2DTranspose(self, layer, inputs, target, attr):
        layer.known({"filters", "kernel_size", "strides", "padding", "activation", "use_bias", "input_shape"}, 4)
        x = self._one(layer, inputs)
        filters = layer.get(0, "filters")
        use_bias = layer.get(None, "use_bias", True)
        k = pair(layer.get(1, "kernel_size"), "kernel_size")
        s = pair(layer.get(2, "strides", 1), "strides")
        padding = layer.get(3, "padding", "valid")
        c_in = x.shape[-1]
        if padding == "valid":
            out_spatial = tuple(S.add(S.mul(S.sub(n, 1), ss), kk) for n, kk, ss in zip(x.shape[:-1], k, s))
            crop, extra_pad = (0, 0), ""
        elif padding == "same":
            out_spatial = tuple(S.mul(n, ss) for n, ss in zip(x.shape[:-1], s))
            totals = [max(kk - ss, 0) for kk, ss in zip(k, s)]
            if any(kk < ss for kk, ss in zip(k, s)):
                raise Unsupported("Conv2DTranspose 'same' with kernel smaller than stride")
            crop = tuple(t // 2 for t in totals)
            extra_pad = f", padding={tup(crop)}" if any(crop) else ""
        else:
            raise Unsupported(f"Conv2DTranspose padding={padding!r}")
        x = self.to_cf(x)
        st = f", stride={tup(s)}" if s != (1, 1) else ""
        weights = [Weight("kernel", tuple(k) + (filters, c_in), "weight", (c_in, filters) + tuple(k), "hwoi_to_iohw")]
        if use_bias:
            weights.append(Weight("bias", (filters,), "bias", (filters,), "identity"))
        name = self.add_module(attr or "conv2d_transpose",
                               f"nn.ConvTranspose2d({self.fwd_init(c_in)}, {self.fwd_init(filters)}, kernel_size={tup(k)}"
                               f"{st}{extra_pad}{'' if use_bias else ', bias=False'})", weights, layer.get(None, "name"))
        expr = self.call_module(name, x.name)
        if padding == "same":
            odd = [(kk - ss) % 2 for kk, ss in zip(k, s)]
            if any(odd):  # torch crops floor(total/2) on both sides; TF crops the remaining pixel at the end
                expr = f"{expr}[:, :, {':-1' if odd[0] else ':'}, {':-1' if odd[1] else ':'}]"
        expr = self.activation(expr, layer.get(None, "activation"), 3, "cf")
        return self.out(target, expr, out_spatial + (filters,), "cf")

    def l_DepthwiseConv2D(self, layer, inputs, target, attr):
        layer.known({"kernel_size", "strides", "padding", "depth_multiplier", "activation", "use_bias",
                     "dilation_rate", "input_shape"}, 3)
        x = self._one(layer, inputs)
        fake = LayerArgs(layer.cls, [None] + list(layer.args[:1]) + list(layer.args[1:3]),
                         dict(layer.kwargs))
        k, s, d, pads, out_spatial = self._conv_common(fake, x, 2)
        m = layer.get(None, "depth_multiplier", 1)
        use_bias = layer.get(None, "use_bias", True)
        c = x.shape[-1]
        x = self.to_cf(x)
        extra = self._padding(x, pads)
        if s != (1, 1):
            extra += f", stride={tup(s)}"
        if d != (1, 1):
            extra += f", dilation={tup(d)}"
        out_c = S.mul(c, m)
        weights = [Weight("kernel", tuple(k) + (c, m), "weight", (out_c, 1) + tuple(k), "depthwise")]
        if use_bias:
            weights.append(Weight("bias", (out_c,), "bias", (out_c,), "identity"))
        name = self.add_module(attr or "depthwise_conv2d",
                               f"nn.Conv2d({self.fwd_init(c)}, {self.fwd_init(out_c)}, kernel_size={tup(k)}{extra}, "
                               f"groups={self.fwd_init(c)}{'' if use_bias else ', bias=False'})",
                               weights, layer.get(None, "name"))
        expr = self.activation(self.call_module(name, x.name), layer.get(None, "activation"), 3, "cf")
        return self.out(target, expr, out_spatial + (out_c,), "cf")

    def l_SeparableConv2D(self, layer, inputs, target, attr):
        layer.known({"filters", "kernel_size", "strides", "padding", "depth_multiplier", "activation", "use_bias",
                     "dilation_rate", "input_shape"}, 4)
        x = self._one(layer, inputs)
        k, s, d, pads, out_spatial = self._conv_common(layer, x, 2)
        filters = layer.get(0, "filters")
        m = layer.get(None, "depth_multiplier", 1)
        use_bias = layer.get(None, "use_bias", True)
        c = x.shape[-1]
        mid = S.mul(c, m)
        x = self.to_cf(x)
        extra = self._padding(x, pads)
        if s != (1, 1):
            extra += f", stride={tup(s)}"
        if d != (1, 1):
            extra += f", dilation={tup(d)}"
        base = attr or "separable_conv2d"
        # Keras orders the layer's variables depthwise, pointwise, bias: one manifest group per torch module
        dw = self.add_module(base + "_depthwise", f"nn.Conv2d({self.fwd_init(c)}, {self.fwd_init(mid)}, "
                             f"kernel_size={tup(k)}{extra}, groups={self.fwd_init(c)}, bias=False)",
                             [Weight("depthwise_kernel", tuple(k) + (c, m), "weight", (mid, 1) + tuple(k), "depthwise")],
                             None)
        pw_weights = [Weight("pointwise_kernel", (1, 1, mid, filters), "weight", (filters, mid, 1, 1), "hwio_to_oihw")]
        if use_bias:
            pw_weights.append(Weight("bias", (filters,), "bias", (filters,), "identity"))
        pw = self.add_module(base + "_pointwise", f"nn.Conv2d({self.fwd_init(mid)}, {self.fwd_init(filters)}, "
                             f"kernel_size=1{'' if use_bias else ', bias=False'})", pw_weights, None, keras_layer=dw)
        expr = self.activation(f"self.{pw}(self.{dw}({x.name}))", layer.get(None, "activation"), 3, "cf")
        return self.out(target, expr, out_spatial + (filters,), "cf")

    # -- pooling
    def _pool(self, layer, inputs, target, attr, kind: str, rank: int):
        layer.known({"pool_size", "strides", "padding", "input_shape", "data_format"}, 3)
        x = self._one(layer, inputs)
        default = 2
        pool = pair(layer.get(0, "pool_size", default), "pool_size")[:rank]
        strides = layer.get(1, "strides", None)
        s = pool if strides is None else pair(strides, "strides")[:rank]
        padding = layer.get(2, "padding", "valid")
        if padding not in ("valid", "same"):
            raise Unsupported(f"{layer.cls}: padding={padding!r}")
        spatial = x.shape[:-1]
        out_spatial = tuple(S.conv_out(n, kk, ss, 1, padding) for n, kk, ss in zip(spatial, pool, s))
        x = self.to_cf(x)
        dim = f"{rank}d"
        extra = "" if s == pool else f", stride={tup(s)}"
        if padding == "same":
            pads = [S.same_pad(n, kk, ss, 1) for n, kk, ss in zip(spatial, pool, s)]
            if any(p is None for p in pads):
                raise Unsupported(f"{layer.cls}: 'same' padding with stride > 1 needs a known input size")
            if any(a or b for a, b in pads):
                if kind == "max":
                    self.uses_f = True
                    flat = []
                    for a, b in reversed(pads):
                        flat += [a, b]
                    self.emit(f"{x.name} = F.pad({x.name}, {tup(flat)}, value=float('-inf'))  # TF 'same' max pooling")
                elif all(a == b for a, b in pads) and all(a <= kk // 2 for (a, _), kk in zip(pads, pool)):
                    extra += f", padding={tup([a for a, _ in pads])}, count_include_pad=False"
                else:  # asymmetric: average over the valid elements only, as TF does
                    self.uses_f = True
                    flat = []
                    for a, b in reversed(pads):
                        flat += [a, b]
                    fn = f"F.avg_pool{dim}"
                    ones = f"torch.ones_like({x.name}[:, :1])"
                    expr = (f"{fn}(F.pad({x.name}, {tup(flat)}), {tup(pool)}, {tup(s)}) / "
                            f"{fn}(F.pad({ones}, {tup(flat)}), {tup(pool)}, {tup(s)})")
                    return self.out(target, expr + "  # TF 'same' average pooling counts valid elements only",
                                    out_spatial + (x.shape[-1],), "cf")
        cls = f"nn.MaxPool{dim}" if kind == "max" else f"nn.AvgPool{dim}"
        base = snake(layer.cls)
        name = self.add_module(attr or base, f"{cls}({tup(pool)}{extra})", [], layer.get(None, "name"))
        return self.out(target, self.call_module(name, x.name), out_spatial + (x.shape[-1],), "cf")

    def l_MaxPooling2D(self, layer, inputs, target, attr):
        return self._pool(layer, inputs, target, attr, "max", 2)

    def l_AveragePooling2D(self, layer, inputs, target, attr):
        return self._pool(layer, inputs, target, attr, "avg", 2)

    def l_MaxPooling1D(self, layer, inputs, target, attr):
        return self._pool(layer, inputs, target, attr, "max", 1)

    def l_AveragePooling1D(self, layer, inputs, target, attr):
        return self._pool(layer, inputs, target, attr, "avg", 1)

    l_MaxPool2D = l_MaxPooling2D
    l_AvgPool2D = l_AveragePooling2D
    l_MaxPool1D = l_MaxPooling1D
    l_AvgPool1D = l_AveragePooling1D

    def _global(self, layer, inputs, target, kind: str):
        layer.known({"keepdims", "data_format"}, 0)
        if layer.get(None, "keepdims", False):
            raise Unsupported(f"{layer.cls}: keepdims=True")
        x = self._one(layer, inputs)
        rank = len(x.shape)
        dims = tuple(range(1, rank)) if x.layout == "keras" else tuple(range(2, rank + 1))
        if x.layout == "keras":
            dims = tuple(range(1, rank))
        fn = "mean" if kind == "avg" else "amax"
        return self.out(target, f"{x.name}.{fn}(dim={tup(dims)})", (x.shape[-1],), "keras")

    def l_GlobalAveragePooling2D(self, layer, inputs, target, attr):
        return self._global(layer, inputs, target, "avg")

    def l_GlobalMaxPooling2D(self, layer, inputs, target, attr):
        return self._global(layer, inputs, target, "max")

    l_GlobalAveragePooling1D = l_GlobalAveragePooling2D
    l_GlobalMaxPooling1D = l_GlobalMaxPooling2D
    l_GlobalAvgPool2D = l_GlobalAveragePooling2D
    l_GlobalMaxPool2D = l_GlobalMaxPooling2D

    # -- normalisation, dropout
    def l_BatchNormalization(self, layer, inputs, target, attr):
        layer.known({"axis", "momentum", "epsilon", "center", "scale", "input_shape"}, 0)
        x = self._one(layer, inputs)
        if layer.get(None, "axis", -1) not in (-1, len(x.shape)):
            raise Unsupported("BatchNormalization over an axis other than the last (channels)")
        momentum = layer.get(None, "momentum", 0.99)
        eps = layer.get(None, "epsilon", 1e-3)
        center, scale = layer.get(None, "center", True), layer.get(None, "scale", True)
        if center != scale:
            raise Unsupported("BatchNormalization with only one of center/scale")
        if not isinstance(momentum, (int, float)):
            raise Unsupported("BatchNormalization momentum is not a literal")
        c = x.shape[-1]
        rank = len(x.shape)
        cls = {1: "nn.BatchNorm1d", 2: "nn.BatchNorm1d", 3: "nn.BatchNorm2d", 4: "nn.BatchNorm3d"}[rank]
        weights = []
        if scale:
            weights.append(Weight("gamma", (c,), "weight", (c,), "identity"))
            weights.append(Weight("beta", (c,), "bias", (c,), "identity"))
        weights.append(Weight("moving_mean", (c,), "running_mean", (c,), "identity", "buffer"))
        weights.append(Weight("moving_variance", (c,), "running_var", (c,), "identity", "buffer",
                              "torch updates running_var with the unbiased batch variance, Keras with the biased one"))
        weights.append(Weight(None, None, "num_batches_tracked", (), "zeros_int64", "buffer"))
        torch_m = round(1 - momentum, 10)
        affine = "" if scale else ", affine=False"
        name = self.add_module(attr or "batch_normalization",
                               f"{cls}({self.fwd_init(c)}, eps={eps!r}, momentum={torch_m!r}{affine})",
                               weights, layer.get(None, "name"))
        if rank == 2:  # (batch, steps, channels): torch normalises dim 1
            x = self.to_keras(x)
            return self.out(target, f"{self.call_module(name, x.name + '.transpose(1, 2)')}.transpose(1, 2)",
                            x.shape, "keras")
        if rank >= 3:
            x = self.to_cf(x)
        return self.out(target, self.call_module(name, x.name), x.shape, x.layout)

    def l_LayerNormalization(self, layer, inputs, target, attr):
        layer.known({"axis", "epsilon", "center", "scale", "input_shape"}, 0)
        x = self.to_keras(self._one(layer, inputs))
        if layer.get(None, "axis", -1) not in (-1, len(x.shape)):
            raise Unsupported("LayerNormalization over an axis other than the last")
        center, scale = layer.get(None, "center", True), layer.get(None, "scale", True)
        if not (center and scale):
            raise Unsupported("LayerNormalization without center or scale")
        eps = layer.get(None, "epsilon", 1e-3)
        c = x.shape[-1]
        weights = [Weight("gamma", (c,), "weight", (c,), "identity"), Weight("beta", (c,), "bias", (c,), "identity")]
        name = self.add_module(attr or "layer_normalization", f"nn.LayerNorm({self.fwd_init(c)}, eps={eps!r})",
                               weights, layer.get(None, "name"))
        return self.out(target, self.call_module(name, x.name), x.shape, "keras")

    def l_Dropout(self, layer, inputs, target, attr):
        layer.known({"rate", "seed", "noise_shape"}, 1)
        if layer.get(None, "noise_shape") is not None:
            raise Unsupported("Dropout with noise_shape")
        x = self._one(layer, inputs)
        rate = layer.get(0, "rate")
        name = self.add_module(attr or "dropout", f"nn.Dropout({self.fwd_init(rate)})", [], layer.get(None, "name"))
        return self.out(target, self.call_module(name, x.name), x.shape, x.layout)

    # -- shape layers
    def l_Flatten(self, layer, inputs, target, attr):
        layer.known({"input_shape", "data_format"}, 0)
        x = self.to_keras(self._one(layer, inputs))  # Keras flattens in (H, W, C) order
        return self.out(target, f"torch.flatten({x.name}, 1)", (S.prod(x.shape),), "keras")

    def l_Reshape(self, layer, inputs, target, attr):
        layer.known({"target_shape", "input_shape"}, 1)
        x = self.to_keras(self._one(layer, inputs))
        shape = layer.get(0, "target_shape")
        if isinstance(shape, Sym) or not isinstance(shape, (tuple, list)):
            raise Unsupported("Reshape target_shape is not a literal tuple")
        shape = tuple(shape)
        known = S.prod([d for d in shape if d != -1])
        out = tuple(S.floordiv(S.prod(x.shape), known) if d == -1 else d for d in shape)
        dims = ", ".join(self.fwd(S.render(d)) for d in shape)
        return self.out(target, f"{x.name}.reshape({x.name}.shape[0], {dims})", out, "keras")

    def l_Permute(self, layer, inputs, target, attr):
        layer.known({"dims"}, 1)
        x = self.to_keras(self._one(layer, inputs))
        dims = tuple(layer.get(0, "dims"))
        return self.out(target, f"{x.name}.permute(0, {', '.join(map(str, dims))})",
                        tuple(x.shape[d - 1] for d in dims), "keras")

    def l_Activation(self, layer, inputs, target, attr):
        layer.known({"activation"}, 1)
        x = self._one(layer, inputs)
        return self.out(target, self.activation(x.name, layer.get(0, "activation"), len(x.shape), x.layout),
                        x.shape, x.layout)

    def l_ReLU(self, layer, inputs, target, attr):
        layer.known(set(), 0)
        x = self._one(layer, inputs)
        return self.out(target, f"torch.relu({x.name})", x.shape, x.layout)

    def l_LeakyReLU(self, layer, inputs, target, attr):
        layer.known({"negative_slope", "alpha"}, 1)
        x = self._one(layer, inputs)
        slope = layer.get(0, "negative_slope", layer.get(None, "alpha", 0.3))  # Keras' default 0.3, torch's 0.01
        self.uses_f = True
        return self.out(target, f"F.leaky_relu({x.name}, {self.fwd(slope)})", x.shape, x.layout)

    def l_Softmax(self, layer, inputs, target, attr):
        layer.known({"axis"}, 1)
        x = self._one(layer, inputs)
        if layer.get(0, "axis", -1) != -1:
            x = self.to_keras(x)
            return self.out(target, f"torch.softmax({x.name}, dim={layer.get(0, 'axis')})", x.shape, "keras")
        dim = 1 if x.layout == "cf" else -1
        return self.out(target, f"torch.softmax({x.name}, dim={dim})", x.shape, x.layout)

    # -- merging
    def _align(self, inputs: list[Val]) -> str:
        layouts = {v.layout for v in inputs if len(v.shape) >= 2}
        if len(layouts) > 1:
            for v in inputs:
                self.to_keras(v)
            return "keras"
        return layouts.pop() if layouts else "keras"

    def l_Concatenate(self, layer, inputs, target, attr):
        layer.known({"axis"}, 1)
        axis = layer.get(0, "axis", -1)
        if not isinstance(axis, int):
            raise Unsupported("Concatenate axis is not a literal")
        layout = self._align(inputs)
        rank = len(inputs[0].shape)
        kaxis = axis if axis >= 0 else rank + 1 + axis  # with batch
        if layout == "cf" and kaxis != rank:
            for v in inputs:
                self.to_keras(v)
            layout = "keras"
        dim = 1 if layout == "cf" else axis
        shape = list(inputs[0].shape)
        total = 0
        for v in inputs:
            total = S.add(total, v.shape[kaxis - 1])
        shape[kaxis - 1] = total
        names = ", ".join(v.name for v in inputs)
        return self.out(target, f"torch.cat([{names}], dim={dim})", tuple(shape), layout)

    def _elementwise(self, layer, inputs, target, op: str):
        layer.known(set(), 0)
        layout = self._align(inputs)
        if op == "mean":
            expr = f"({' + '.join(v.name for v in inputs)}) / {len(inputs)}"
        elif op in ("max", "min"):
            expr = inputs[0].name
            for v in inputs[1:]:
                expr = f"torch.{'maximum' if op == 'max' else 'minimum'}({expr}, {v.name})"
        else:
            expr = f" {op} ".join(v.name for v in inputs)
        return self.out(target, expr, inputs[0].shape, layout)

    def l_Add(self, layer, inputs, target, attr):
        return self._elementwise(layer, inputs, target, "+")

    def l_Subtract(self, layer, inputs, target, attr):
        return self._elementwise(layer, inputs, target, "-")

    def l_Multiply(self, layer, inputs, target, attr):
        return self._elementwise(layer, inputs, target, "*")

    def l_Average(self, layer, inputs, target, attr):
        return self._elementwise(layer, inputs, target, "mean")

    def l_Maximum(self, layer, inputs, target, attr):
        return self._elementwise(layer, inputs, target, "max")

    def l_Minimum(self, layer, inputs, target, attr):
        return self._elementwise(layer, inputs, target, "min")

    # -- spatial resampling
    def l_UpSampling2D(self, layer, inputs, target, attr):
        layer.known({"size", "interpolation"}, 1)
        x = self.to_cf(self._one(layer, inputs))
        size = pair(layer.get(0, "size", 2), "size")
        mode = layer.get(None, "interpolation", "nearest")
        if mode not in ("nearest", "bilinear"):
            raise Unsupported(f"UpSampling2D interpolation={mode!r}")
        extra = ", align_corners=False" if mode == "bilinear" else ""  # half-pixel centres, as tf.image.resize
        name = self.add_module(attr or "up_sampling2d",
                               f"nn.Upsample(scale_factor={tup(size)}, mode={mode!r}{extra})", [], layer.get(None, "name"))
        shape = (S.mul(x.shape[0], size[0]), S.mul(x.shape[1], size[1]), x.shape[2])
        return self.out(target, self.call_module(name, x.name), shape, "cf")

    def l_ZeroPadding2D(self, layer, inputs, target, attr):
        layer.known({"padding"}, 1)
        x = self.to_cf(self._one(layer, inputs))
        p = layer.get(0, "padding", 1)
        if isinstance(p, int):
            (t, b), (l, r) = (p, p), (p, p)
        elif isinstance(p, (tuple, list)) and all(isinstance(v, int) for v in p):
            (t, b), (l, r) = (p[0], p[0]), (p[1], p[1])
        elif isinstance(p, (tuple, list)):
            (t, b), (l, r) = tuple(p[0]), tuple(p[1])
        else:
            raise Unsupported("ZeroPadding2D padding is not a literal")
        name = self.add_module(attr or "zero_padding2d", f"nn.ZeroPad2d(({l}, {r}, {t}, {b}))", [],
                               layer.get(None, "name"))
        shape = (S.add(x.shape[0], t + b), S.add(x.shape[1], l + r), x.shape[2])
        return self.out(target, self.call_module(name, x.name), shape, "cf")

    # -- embedding and recurrent layers
    def l_Embedding(self, layer, inputs, target, attr):
        layer.known({"input_dim", "output_dim", "input_length", "mask_zero"}, 2)
        if layer.get(None, "mask_zero", False):
            raise Unsupported("Embedding(mask_zero=True): masking is not translated")
        x = self.to_keras(self._one(layer, inputs))
        n, d = layer.get(0, "input_dim"), layer.get(1, "output_dim")
        name = self.add_module(attr or "embedding", f"nn.Embedding({self.fwd_init(n)}, {self.fwd_init(d)})",
                               [Weight("embeddings", (n, d), "weight", (n, d), "identity")], layer.get(None, "name"))
        return self.out(target, self.call_module(name, f"{x.name}.long()"), x.shape + (d,), "keras")

    def _rnn_check(self, layer, kind):
        allowed = {"units", "return_sequences", "activation", "recurrent_activation", "use_bias", "input_shape",
                   "reset_after", "dropout", "recurrent_dropout", "unit_forget_bias", "return_state", "go_backwards"}
        layer.known(allowed, 1)
        if layer.get(None, "activation", "tanh") != "tanh" and not (kind == "SimpleRNN"
                                                                   and layer.get(None, "activation") == "relu"):
            raise Unsupported(f"{kind}: activation other than tanh (torch's is fixed)")
        if layer.get(None, "recurrent_activation", "sigmoid") != "sigmoid":
            raise Unsupported(f"{kind}: recurrent_activation other than sigmoid (torch's is fixed)")
        if layer.get(None, "return_state", False) or layer.get(None, "go_backwards", False):
            raise Unsupported(f"{kind}: return_state/go_backwards not translated")
        if layer.get(None, "dropout", 0) or layer.get(None, "recurrent_dropout", 0):
            raise Unsupported(f"{kind}: dropout inside the recurrence has no torch.nn.{kind} equivalent")
        if kind == "GRU" and layer.get(None, "reset_after", True) is not True:
            raise Unsupported("GRU(reset_after=False): torch's GRU applies the reset gate after the matmul")
        if not layer.get(None, "use_bias", True):
            raise Unsupported(f"{kind}(use_bias=False) not translated")

    def _rnn_weights(self, kind, n_in, units, suffix="", prefix=""):
        gates = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}[kind]
        g = S.mul(gates, units)
        t_k = {"LSTM": "lstm_kernel", "GRU": "gru_kernel", "SimpleRNN": "transpose"}[kind]
        ws = [Weight(prefix + "kernel", (n_in, g), f"weight_ih_l0{suffix}", (g, n_in), t_k),
              Weight(prefix + "recurrent_kernel", (units, g), f"weight_hh_l0{suffix}", (g, units), t_k)]
        if kind in ("LSTM", "SimpleRNN"):
            ws.append(Weight(prefix + "bias", (g,), f"bias_ih_l0{suffix}", (g,), "identity",
                             note="Keras has one bias; torch adds bias_ih and bias_hh, so bias_hh is zero"))
            ws.append(Weight(None, None, f"bias_hh_l0{suffix}", (g,), "zeros"))
        else:
            ws.append(Weight(prefix + "bias", (2, g), f"bias_ih_l0{suffix}", (g,), "gru_bias_input",
                             note="Keras bias row 0 is the input bias, row 1 the recurrent bias (reset_after=True)"))
            ws.append(Weight(prefix + "bias", (2, g), f"bias_hh_l0{suffix}", (g,), "gru_bias_recurrent", note="same variable"))
        return ws

    def _rnn(self, layer, inputs, target, attr, kind, bidirectional=False, merge="concat", inner=None):
        inner = inner or layer
        self._rnn_check(inner, kind)
        x = self.to_keras(self._one(layer, inputs))
        if len(x.shape) != 2:
            raise Unsupported(f"{kind} expects (batch, time, features)")
        units = inner.get(0, "units")
        n_in = x.shape[-1]
        seq = inner.get(None, "return_sequences", False)
        weights = self._rnn_weights(kind, n_in, units, prefix="forward_layer/" if bidirectional else "")
        if bidirectional:
            weights += self._rnn_weights(kind, n_in, units, "_reverse", prefix="backward_layer/")
        bi = ", bidirectional=True" if bidirectional else ""
        torch_cls = "RNN" if kind == "SimpleRNN" else kind
        if kind == "SimpleRNN" and inner.get(None, "activation", "tanh") == "relu":
            bi += ", nonlinearity='relu'"
        name = self.add_module(attr or ("bidirectional" if bidirectional else snake(kind)),
                               f"nn.{torch_cls}({self.fwd_init(n_in)}, {self.fwd_init(units)}, batch_first=True{bi})",
                               weights, layer.get(None, "name"))
        if kind in ("LSTM", "SimpleRNN"):
            for suffix in ("", "_reverse") if bidirectional else ("",):
                # Keras' LSTM has one bias: torch's second bias stays zero and is not trained
                self.init_lines.append(f"self.{name}.bias_hh_l0{suffix}.data.zero_()")
                self.init_lines.append(f"self.{name}.bias_hh_l0{suffix}.requires_grad_(False)  # Keras has one bias")
        seq_name = self.fresh(name + "_out")
        self.emit(f"{seq_name}, _ = self.{name}({x.name})")
        width = S.mul(units, 2) if bidirectional else units
        if seq:
            return self.out(target, seq_name, (x.shape[0], width), "keras")
        if bidirectional:
            u = self.fwd(S.render(units))
            # forward direction's last step, backward direction's state after reading the sequence reversed (t = 0)
            return self.out(target, f"torch.cat([{seq_name}[:, -1, :{u}], {seq_name}[:, 0, {u}:]], dim=-1)",
                            (width,), "keras")
        return self.out(target, f"{seq_name}[:, -1]", (units,), "keras")

    def l_LSTM(self, layer, inputs, target, attr):
        return self._rnn(layer, inputs, target, attr, "LSTM")

    def l_GRU(self, layer, inputs, target, attr):
        return self._rnn(layer, inputs, target, attr, "GRU")

    def l_SimpleRNN(self, layer, inputs, target, attr):
        return self._rnn(layer, inputs, target, attr, "SimpleRNN")

    def l_Bidirectional(self, layer, inputs, target, attr):
        layer.known({"layer", "merge_mode"}, 1)
        inner = layer.get(0, "layer")
        if not isinstance(inner, LayerArgs) or inner.cls not in ("LSTM", "GRU", "SimpleRNN"):
            raise Unsupported("Bidirectional around a layer other than an inline LSTM/GRU")
        if layer.get(None, "merge_mode", "concat") != "concat":
            raise Unsupported("Bidirectional merge_mode other than concat")
        return self._rnn(layer, inputs, target, attr, inner.cls, bidirectional=True, inner=inner)

    def l_MultiHeadAttention(self, layer, inputs, target, attr):
        layer.known({"num_heads", "key_dim", "value_dim", "use_bias", "output_shape", "dropout"}, 2)
        if len(inputs) not in (2, 3):
            raise Unsupported("MultiHeadAttention is called with (query, value[, key])")
        if layer.get(None, "dropout", 0.0):
            raise Unsupported("MultiHeadAttention(dropout=...) not translated")
        if layer.get(None, "output_shape") is not None:
            raise Unsupported("MultiHeadAttention(output_shape=...) not translated")
        heads, kd = layer.get(0, "num_heads"), layer.get(1, "key_dim")
        vd = layer.get(None, "value_dim", None) or kd
        use_bias = layer.get(None, "use_bias", True)
        q, v = (self.to_keras(x) for x in inputs[:2])
        k = self.to_keras(inputs[2]) if len(inputs) == 3 else v
        if len(q.shape) != 2 or len(v.shape) != 2:
            raise Unsupported("MultiHeadAttention over inputs other than (batch, steps, features)")
        d_q, d_k, d_v = q.shape[-1], k.shape[-1], v.shape[-1]
        hk, hv = S.mul(heads, kd), S.mul(heads, vd)
        base = attr or "multi_head_attention"
        bias = "" if use_bias else ", bias=False"
        names = {}
        label = None
        for part, n_in, n_out, kshape in (("query", d_q, hk, (d_q, heads, kd)), ("key", d_k, hk, (d_k, heads, kd)),
                                          ("value", d_v, hv, (d_v, heads, vd))):
            ws = [Weight(f"{part}/kernel", kshape, "weight", (n_out, n_in), "mha_in_kernel")]
            if use_bias:
                ws.append(Weight(f"{part}/bias", (heads, kd if part != "value" else vd), "bias", (n_out,), "flatten"))
            names[part] = self.add_module(f"{base}_{part}", f"nn.Linear({self.fwd_init(n_in)}, {self.fwd_init(n_out)}{bias})",
                                          ws, None, keras_layer=label)
            label = label or names[part]
        ws = [Weight("attention_output/kernel", (heads, vd, d_q), "weight", (d_q, hv), "mha_out_kernel")]
        if use_bias:
            ws.append(Weight("attention_output/bias", (d_q,), "bias", (d_q,), "identity"))
        names["output"] = self.add_module(f"{base}_output", f"nn.Linear({self.fwd_init(hv)}, {self.fwd_init(d_q)}{bias})",
                                          ws, None, keras_layer=label)
        h, kdt, vdt = self.fwd(S.render(heads)), self.fwd(S.render(kd)), self.fwd(S.render(vd))
        qn, kn, vn, sn = (self.fresh(f"{base}_{p}") for p in ("q", "k", "v", "scores"))
        self.emit(f"{qn} = self.{names['query']}({q.name}).unflatten(-1, ({h}, {kdt})).transpose(1, 2)")
        self.emit(f"{kn} = self.{names['key']}({k.name}).unflatten(-1, ({h}, {kdt})).transpose(1, 2)")
        self.emit(f"{vn} = self.{names['value']}({v.name}).unflatten(-1, ({h}, {vdt})).transpose(1, 2)")
        self.emit(f"{sn} = torch.softmax({qn} @ {kn}.transpose(-2, -1) / {kdt} ** 0.5, dim=-1)")
        return self.out(target, f"self.{names['output']}(({sn} @ {vn}).transpose(1, 2).flatten(2))",
                        q.shape[:-1] + (d_q,), "keras")

    def l_Lambda(self, layer, inputs, target, attr):
        """``Lambda(lambda t: <expression>)`` with the TensorFlow op table of subclassed models."""
        from migrate.keras_to_torch.subclass import SubclassConverter

        call = layer.node
        fn = call.args[0] if call is not None and call.args else None
        if len(call.args) != 1 or call.keywords and any(k.arg != "name" for k in call.keywords):
            raise Unsupported("Lambda with arguments other than the function")
        import ast as _ast

        if not isinstance(fn, _ast.Lambda) or len(fn.args.args) != 1:
            raise Unsupported("Lambda of something other than a one-argument lambda expression")
        x = self._one(layer, inputs)
        self.to_keras(x)
        sc = SubclassConverter.for_expression(layer.converter, self, {fn.args.args[0].arg: x})
        value = sc.expr(fn.body, target)
        if not isinstance(value, Val):
            raise Unsupported("Lambda that does not return one tensor")
        if value.name != target:
            return self.out(target, value.name, value.shape, value.layout)
        return value

    def l_Identity(self, layer, inputs, target, attr):
        x = self._one(layer, inputs)
        return self.out(target, x.name, x.shape, x.layout)


def keras_init_method(modules: list[tuple[str, str]]) -> list[str]:
    """A method that gives the modules Keras' default initial values (torch's differ, see pitfalls §2.9).

    Dense/Conv kernels glorot_uniform (torch's fans equal Keras' for these layouts), zero biases,
    Embedding uniform(-0.05, 0.05), LSTM/GRU glorot input kernels, orthogonal recurrent kernels, zero
    biases and the LSTM forget-gate bias 1 (unit_forget_bias).  Depthwise and attention kernels keep
    torch's initialisation: their fan computation differs (the weights transfer exactly all the same).
    """
    dense = [a for a, c in modules if re.match(r"nn\.(Linear|Conv1d|Conv2d|ConvTranspose2d)\(", c)
             and "groups=" not in c and not a.startswith("multi_head_attention")]
    embed = [a for a, c in modules if c.startswith("nn.Embedding(")]
    rnns = [(a, c) for a, c in modules if c.startswith(("nn.LSTM(", "nn.GRU(", "nn.RNN("))]
    if not (dense or embed or rnns):
        return []
    body = ["def _init_like_keras(self):",
            '    """Keras\' default initialisers (torch\'s differ); loading Keras weights replaces them."""']

    def group(names):
        return f"({names[0]},)" if len(names) == 1 else f"({', '.join(names)})"

    if dense:
        body += [f"    for layer in {group(['self.' + a for a in dense])}:",
                 "        nn.init.xavier_uniform_(layer.weight)",
                 "        if layer.bias is not None:",
                 "            nn.init.zeros_(layer.bias)"]
    for a in embed:
        body.append(f"    nn.init.uniform_(self.{a}.weight, -0.05, 0.05)")
    for a, c in rnns:
        body += [f"    for name, param in self.{a}.named_parameters():",
                 '        if name.startswith("weight_ih"):',
                 "            nn.init.xavier_uniform_(param)",
                 '        elif name.startswith("weight_hh"):',
                 "            nn.init.orthogonal_(param)",
                 "        else:",
                 "            nn.init.zeros_(param)"]
        if c.startswith("nn.LSTM("):
            units = c[len("nn.LSTM("):].split(",")[1].strip()
            body += ["    with torch.no_grad():"]
            for suffix in ("", "_reverse") if "bidirectional=True" in c else ("",):
                body.append(f"        self.{a}.bias_ih_l0{suffix}[{units}:2 * {units}] = 1.0  # unit_forget_bias")
    return body
