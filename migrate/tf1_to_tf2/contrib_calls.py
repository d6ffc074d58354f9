"""TF2103: ``tf.contrib`` calls whose TF2 home takes other arguments, converted so the values stay the same.

* ``contrib.layers.l1_regularizer(scale)`` -> ``tf.keras.regularizers.L1(l1=scale)``;
  ``l2_regularizer(scale)`` -> ``tf.keras.regularizers.L2(l2=0.5 * scale)``: contrib's L2 is
  ``scale * tf.nn.l2_loss(w)`` = ``scale * sum(w**2) / 2``, Keras's is ``l2 * sum(w**2)``.
  ``scope`` has no Keras counterpart and is dropped (it only named the op).
* ``contrib.layers.xavier_initializer(uniform=True)`` (and ``_conv2d``) ->
  ``tf.compat.v1.glorot_uniform_initializer`` (same op, same limit, same seed use).
* ``contrib.layers.variance_scaling_initializer(factor, mode, uniform)`` and xavier with
  ``uniform=False`` -> ``tf.compat.v1.variance_scaling_initializer``: ``mode`` lower-cased,
  ``uniform`` -> ``distribution``.  contrib's truncated normal used stddev
  ``sqrt(1.3 * factor / n)``; TF2's uses ``sqrt(scale / n) / 0.87962566103423978``, so the
  scale carries ``1.3 * 0.87962566103423978 ** 2`` to keep the same stddev.
  The TF1-style (``tf.compat.v1``) initializers are the faithful target: they take ``dtype``
  in the constructor and accept ``partition_info`` when called, as ``get_variable`` does.
* ``contrib.framework.load_variable(checkpoint_dir, name)`` -> ``tf.train.load_variable``
  (keyword ``checkpoint_dir`` -> ``ckpt_dir_or_file``).

``tf.contrib.slim.X`` is the same function as ``tf.contrib.layers.X`` / ``framework.X``.
A call this transform cannot keep exact (``*args``, a non-literal ``uniform`` or ``mode`` that
is not a plain name) is left as it was with an error finding that says why.
"""
from __future__ import annotations

import libcst as cst

from migrate.cstutil import build_dotted, keyword_arg
from migrate.model import Finding, Safety, Severity
from migrate.plugin import CustomTransform, register
from migrate.tf1_to_tf2.calls import CallMove, callee_root, move_call

TRUNC_SCALE = "1.3 * 0.87962566103423978 ** 2"  # contrib truncated-normal stddev factor, in TF2's convention

_FUNCTIONS = {
    "l1_regularizer": "layers", "l2_regularizer": "layers", "xavier_initializer": "layers",
    "xavier_initializer_conv2d": "layers", "variance_scaling_initializer": "layers", "load_variable": "framework",
}
_PARAMS = {
    "l1_regularizer": ("scale", "scope"),
    "l2_regularizer": ("scale", "scope"),
    "xavier_initializer": ("uniform", "seed", "dtype"),
    "xavier_initializer_conv2d": ("uniform", "seed", "dtype"),
    "variance_scaling_initializer": ("factor", "mode", "uniform", "seed", "dtype"),
    "load_variable": ("checkpoint_dir", "name"),
}


def _function(qualified: str) -> str | None:
    for prefix in ("tensorflow.contrib.layers.", "tensorflow.contrib.framework.", "tensorflow.contrib.slim."):
        if qualified.startswith(prefix):
            name = qualified[len(prefix):]
            if name in _FUNCTIONS and (prefix.endswith("slim.") or prefix.endswith(_FUNCTIONS[name] + ".")):
                return name
    return None


def _literal_bool(node: cst.BaseExpression) -> bool | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


def _simple(node: cst.BaseExpression) -> bool:
    """Safe to evaluate twice (no call, no side effect)."""
    return isinstance(node, (cst.Name, cst.Attribute, cst.Integer, cst.Float, cst.SimpleString))


def _code(node: cst.BaseExpression) -> str:
    return cst.Module([]).code_for_node(node)


class _Unsupported(Exception):
    pass


@register("TF2103")
class ContribCalls(CustomTransform):
    def claims(self, qualified: str) -> bool:
        return _function(qualified) is not None

    def applies(self, scan) -> bool:
        return any(_function(ref.qualified) for ref in scan.references)

    def sites(self, scan):
        return [line for r in scan.references if _function(r.qualified)
                for line in range(r.line, (r.end_line or r.line) + 1)]

    def prepare(self, ctx) -> None:
        # uses that are not calls (``initializer=xavier_initializer``) cannot be converted: say so
        if ctx.scan is None:
            return
        for ref in ctx.scan.references:
            name = _function(ref.qualified)
            if name and not ref.is_call:
                ctx.findings.append(Finding(
                    code=self.rule.code, severity=Severity.ERROR, safety=Safety.NONE, fixed=False,
                    line=ref.line, column=ref.column + 1, end_line=ref.end_line, end_column=(ref.end_column or 0) + 1,
                    message=f"`tf.contrib...{name}` is used without being called; tf.contrib is gone in TF2: "
                            "call it here so it can be converted, or use its TF2 home "
                            f"({self._home(name)}) by hand"))

    @staticmethod
    def _home(name: str) -> str:
        return {"l1_regularizer": "tf.keras.regularizers.L1", "l2_regularizer": "tf.keras.regularizers.L2 with half the scale",
                "load_variable": "tf.train.load_variable"}.get(name, "tf.compat.v1.variance_scaling_initializer")

    def on_call(self, ctx, qualified, original, updated):
        name = _function(qualified)
        if name is None:
            return None
        short = "tf" + qualified[len("tensorflow"):]
        try:
            new, detail = self._convert(ctx, name, original, updated)
        except _Unsupported as why:
            ctx.report(self.rule, original, f"`{short}` is gone with tf.contrib and this call cannot be converted "
                       f"exactly ({why}); use {self._home(name)} by hand", fixed=False,
                       severity=Severity.ERROR, safety=Safety.NONE)
            return None
        if not ctx.may_fix(self.rule):
            ctx.report(self.rule, original, self.rule.message.format(name=short, detail=detail), fixed=False)
            return None
        ctx.report(self.rule, original, self.rule.message.format(name=short, detail=detail), fixed=True)
        return new

    def _bound(self, name: str, call: cst.Call) -> dict[str, cst.Arg]:
        params = _PARAMS[name]
        bound: dict[str, cst.Arg] = {}
        for index, arg in enumerate(call.args):
            if arg.star:
                raise _Unsupported("*args or **kwargs")
            key = params[index] if arg.keyword is None and index < len(params) else (
                arg.keyword.value if arg.keyword is not None else None)
            if key is None or key not in params:
                raise _Unsupported(f"argument {key or index} is not in the TF1 signature")
            bound[key] = arg
        return bound

    def _build(self, ctx, original, call, target: str, keywords: list[tuple[str, cst.BaseExpression]]) -> cst.Call:
        args = [keyword_arg(k, v) for k, v in keywords]
        return call.with_changes(func=build_dotted(ctx.spell(target, callee_root(original))), args=args)

    def _convert(self, ctx, name: str, original: cst.Call, call: cst.Call) -> tuple[cst.Call, str]:
        if name == "load_variable":
            move = CallMove("tensorflow.train.load_variable", _PARAMS[name], 2, {"checkpoint_dir": "ckpt_dir_or_file"})
            new = move_call(ctx, move, original, call)
            if new is None:
                raise _Unsupported("*args or a duplicated argument")
            return new, "tf.train.load_variable (checkpoint_dir is ckpt_dir_or_file)"
        bound = self._bound(name, call)
        if name in ("l1_regularizer", "l2_regularizer"):
            if "scale" not in bound:
                raise _Unsupported("no scale given")
            scale = bound["scale"].value
            if name == "l1_regularizer":
                return (self._build(ctx, original, call, "tensorflow.keras.regularizers.L1", [("l1", scale)]),
                        "tf.keras.regularizers.L1(l1=scale); scope dropped")
            half = cst.parse_expression(f"0.5 * {_code(scale) if _simple(scale) else '(' + _code(scale) + ')'}")
            return (self._build(ctx, original, call, "tensorflow.keras.regularizers.L2", [("l2", half)]),
                    "tf.keras.regularizers.L2(l2=0.5 * scale): contrib's L2 was scale * sum(w**2) / 2; scope dropped")
        seed_dtype = [(k, bound[k].value) for k in ("seed", "dtype") if k in bound]
        uniform_arg = bound.get("uniform")
        xavier = name.startswith("xavier")
        uniform = (True if xavier else False) if uniform_arg is None else _literal_bool(uniform_arg.value)
        if uniform is None and not _simple(uniform_arg.value):
            raise _Unsupported("uniform is an expression with a call in it")
        if xavier and uniform is True:
            return (self._build(ctx, original, call, "tensorflow.compat.v1.glorot_uniform_initializer", seed_dtype),
                    "tf.compat.v1.glorot_uniform_initializer (the same uniform limit sqrt(6 / (fan_in + fan_out)))")
        factor = cst.Float("1.0") if xavier else (bound["factor"].value if "factor" in bound else cst.Float("2.0"))
        if uniform is None and not _simple(factor):
            raise _Unsupported("factor is an expression with a call in it, used twice")
        factor_code = _code(factor) if _simple(factor) else f"({_code(factor)})"
        if xavier:
            mode: cst.BaseExpression = cst.SimpleString('"fan_avg"')
        elif "mode" not in bound:
            mode = cst.SimpleString('"fan_in"')
        else:
            value = bound["mode"].value
            if isinstance(value, cst.SimpleString) and value.evaluated_value.upper() in ("FAN_IN", "FAN_OUT", "FAN_AVG"):
                mode = cst.SimpleString(value.prefix.replace("b", "") + value.quote + value.evaluated_value.lower()
                                        + value.quote)
            elif _simple(value):
                mode = cst.parse_expression(f"{_code(value)}.lower()")
            else:
                raise _Unsupported("mode is an expression with a call in it")
        trunc_scale = f"{factor_code} * {TRUNC_SCALE}"
        if uniform is True:
            scale, distribution = cst.parse_expression(factor_code), cst.SimpleString('"uniform"')
        elif uniform is False:
            scale, distribution = cst.parse_expression(trunc_scale), cst.SimpleString('"truncated_normal"')
        else:
            flag = _code(uniform_arg.value)
            scale = cst.parse_expression(f"{factor_code} if {flag} else {trunc_scale}")
            distribution = cst.parse_expression(f'"uniform" if {flag} else "truncated_normal"')
        keywords = [("scale", scale), ("mode", mode), ("distribution", distribution), *seed_dtype]
        return (self._build(ctx, original, call, "tensorflow.compat.v1.variance_scaling_initializer", keywords),
                "tf.compat.v1.variance_scaling_initializer with mode lower-cased, uniform as distribution, and the "
                "scale of contrib's truncated normal (stddev sqrt(1.3 * factor / n)) kept")
