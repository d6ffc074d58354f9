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

import ast
import io
import tokenize
from dataclasses import dataclass

from migrate.kinds.calls import canonical
from migrate.lazycst import cst
from migrate.model import Safety, Severity
from migrate.plugin import (
    Match,
    ReportedAtFinish,
    ast_position,
    rebind_reference,
    rebound_targets,
    register,
    source_segment,
)

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
_LOAD_VARIABLE = ("tensorflow.train.load_variable", {"checkpoint_dir": "ckpt_dir_or_file"})
_NOT_CALLED = "not called"  # the payload of a match on a use that is not a call (reported, never fixed)


def _function(qualified: str) -> str | None:
    for prefix in ("tensorflow.contrib.layers.", "tensorflow.contrib.framework.", "tensorflow.contrib.slim."):
        if qualified.startswith(prefix):
            name = qualified[len(prefix):]
            if name in _FUNCTIONS and (prefix.endswith("slim.") or prefix.endswith(_FUNCTIONS[name] + ".")):
                return name
    return None


class _Unsupported(Exception):
    pass


# -- the decision, on the ``ast`` call ---------------------------------------------------------------
#
# A converted value is a tuple of pieces: literal text, or ``_Param(name)``, the code of the argument bound
# to that TF1 parameter (filled in from the libcst call when the fix is applied, so the argument keeps its
# exact text, parentheses and comments included).


@dataclass(frozen=True)
class _Param:
    name: str


@dataclass(frozen=True)
class Conversion:
    """TF2103's decision for one call: the payload of its match."""

    name: str  # the contrib function
    target: str  # the qualified TF2 callee
    keywords: tuple[tuple[str, tuple], ...]  # (keyword, value pieces); unused for load_variable (``move_call``)
    detail: str


def _string_token(node: ast.AST, source: str) -> str | None:
    """The text of a one-token string literal (libcst's ``SimpleString``), else None."""
    text = source_segment(source, node)
    if text is None:
        return None
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
                  if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return text if len(tokens) == 1 and tokens[0].type == tokenize.STRING else None


def _simple(node: ast.AST, source: str) -> bool:
    """Safe to evaluate twice (no call, no side effect): a name, attribute, number or one string token."""
    if isinstance(node, (ast.Name, ast.Attribute)):
        return True
    if isinstance(node, ast.Constant):
        if node.value is None or isinstance(node.value, bool):
            return True  # ``None``/``True``/``False`` are names to libcst
        if isinstance(node.value, (int, float)):
            return True
        if isinstance(node.value, (str, bytes)):
            return _string_token(node, source) is not None
    return False


def _literal_bool(node: ast.AST) -> bool | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return node.value
    return None


def _arguments(call: ast.Call) -> list[tuple[str, str | None, ast.AST]]:
    """(star, keyword, value) for each argument, in the written order (as libcst lists them)."""
    found = []
    for arg in sorted([*call.args, *call.keywords], key=lambda a: (a.lineno, a.col_offset)):
        if isinstance(arg, ast.Starred):
            found.append(("*", None, arg.value))
        elif isinstance(arg, ast.keyword):
            found.append(("**" if arg.arg is None else "", arg.arg, arg.value))
        else:
            found.append(("", None, arg))
    return found


def _bind(name: str, shape: list[tuple[str, str | None]]) -> dict[str, int]:
    """TF1 parameter -> index of the argument passing it, for arguments given as (star, keyword)."""
    params = _PARAMS[name]
    bound: dict[str, int] = {}
    for index, (star, keyword) in enumerate(shape):
        if star:
            raise _Unsupported("*args or **kwargs")
        key = params[index] if keyword is None and index < len(params) else keyword
        if key is None or key not in params:
            raise _Unsupported(f"argument {key or index} is not in the TF1 signature")
        bound[key] = index
    return bound


def _movable(arguments: list[tuple[str, str | None, ast.AST]]) -> bool:
    """Can ``calls.move_call`` keep ``load_variable``'s call exact (no ``*args``, no argument given twice)?"""
    params, keywords = _PARAMS["load_variable"], _LOAD_VARIABLE[1]
    present: set[str] = set()
    for index, (star, keyword, _value) in enumerate(arguments):
        if star:
            return False
        if keyword is None:
            if index < 2:
                continue
            if index >= len(params):
                return False
            keyword = params[index]
        keyword = keywords.get(keyword, keyword)
        if keyword in present:
            return False
        present.add(keyword)
    return True


def decide(name: str, call: ast.Call, source: str) -> Conversion:
    """How the contrib call ``call`` is converted; raises ``_Unsupported`` with the reason it cannot be."""
    arguments = _arguments(call)
    if name == "load_variable":
        if not _movable(arguments):
            raise _Unsupported("*args or a duplicated argument")
        return Conversion(name, _LOAD_VARIABLE[0], (), "tf.train.load_variable (checkpoint_dir is ckpt_dir_or_file)")
    bound = _bind(name, [(star, keyword) for star, keyword, _ in arguments])

    def value(param: str) -> ast.AST:
        return arguments[bound[param]][2]

    def operand(param: str) -> tuple:
        return (_Param(param),) if _simple(value(param), source) else ("(", _Param(param), ")")

    if name in ("l1_regularizer", "l2_regularizer"):
        if "scale" not in bound:
            raise _Unsupported("no scale given")
        if name == "l1_regularizer":
            return Conversion(name, "tensorflow.keras.regularizers.L1", (("l1", (_Param("scale"),)),),
                              "tf.keras.regularizers.L1(l1=scale); scope dropped")
        return Conversion(name, "tensorflow.keras.regularizers.L2", (("l2", ("0.5 * ", *operand("scale"))),),
                          "tf.keras.regularizers.L2(l2=0.5 * scale): contrib's L2 was scale * sum(w**2) / 2; "
                          "scope dropped")
    seed_dtype = tuple((k, (_Param(k),)) for k in ("seed", "dtype") if k in bound)
    xavier = name.startswith("xavier")
    uniform = (True if xavier else False) if "uniform" not in bound else _literal_bool(value("uniform"))
    if uniform is None and not _simple(value("uniform"), source):
        raise _Unsupported("uniform is an expression with a call in it")
    if xavier and uniform is True:
        return Conversion(name, "tensorflow.compat.v1.glorot_uniform_initializer", seed_dtype,
                          "tf.compat.v1.glorot_uniform_initializer (the same uniform limit sqrt(6 / (fan_in + fan_out)))")
    factor: tuple = ("1.0",) if xavier else operand("factor") if "factor" in bound else ("2.0",)
    if uniform is None and "factor" in bound and not _simple(value("factor"), source):
        raise _Unsupported("factor is an expression with a call in it, used twice")
    if xavier:
        mode: tuple = ('"fan_avg"',)
    elif "mode" not in bound:
        mode = ('"fan_in"',)
    else:
        node = value("mode")
        text = _string_token(node, source) if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
        if text is not None and node.value.upper() in ("FAN_IN", "FAN_OUT", "FAN_AVG"):
            body = text.lstrip("rRuUbBfF")
            quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
            mode = (text[:len(text) - len(body)].lower().replace("b", "") + quote + node.value.lower() + quote,)
        elif _simple(node, source):
            mode = (_Param("mode"), ".lower()")
        else:
            raise _Unsupported("mode is an expression with a call in it")
    trunc_scale = (*factor, f" * {TRUNC_SCALE}")
    if uniform is True:
        scale, distribution = factor, ('"uniform"',)
    elif uniform is False:
        scale, distribution = trunc_scale, ('"truncated_normal"',)
    else:
        flag = _Param("uniform")
        scale = (*factor, " if ", flag, " else ", *trunc_scale)
        distribution = ('"uniform" if ', flag, ' else "truncated_normal"')
    keywords = (("scale", scale), ("mode", mode), ("distribution", distribution), *seed_dtype)
    return Conversion(name, "tensorflow.compat.v1.variance_scaling_initializer", keywords,
                      "tf.compat.v1.variance_scaling_initializer with mode lower-cased, uniform as distribution, and "
                      "the scale of contrib's truncated normal (stddev sqrt(1.3 * factor / n)) kept")


def _home(name: str) -> str:
    return {"l1_regularizer": "tf.keras.regularizers.L1", "l2_regularizer": "tf.keras.regularizers.L2 with half the scale",
            "load_variable": "tf.train.load_variable"}.get(name, "tf.compat.v1.variance_scaling_initializer")


@register("TF2103")
class ContribCalls(ReportedAtFinish):
    def claims(self, qualified: str) -> bool:
        return _function(qualified) is not None

    def applies(self, scan) -> bool:
        # (a gate: a name through the TF1 API module counts, whether or not TF2007 re-points its alias)
        return any(_function(canonical(ref.qualified)) for ref in scan.references)

    def match(self, scan) -> list[Match]:
        from migrate.arguments import calls_by_position

        calls = calls_by_position(scan)
        lines = scan.source.splitlines()
        rebound = rebound_targets(scan, self.siblings)  # (TF2007 re-points the compat.v1 alias to tensorflow)
        found = []
        for ref in scan.references:
            if _function(canonical(ref.qualified)) is None:
                continue
            qualified = rebind_reference(scan, ref, rebound)
            name = _function(qualified)
            if name is None:
                continue
            short = "tf" + qualified[len("tensorflow"):]
            node = calls.get((ref.line, ref.column)) if ref.is_call else None
            if node is None:
                # a use that is not a call (``initializer=xavier_initializer``) cannot be converted: say so
                found.append(Match(
                    self.rule, ref.line, ref.column + 1, f"`tf.contrib...{name}` is used without being called; "
                    "tf.contrib is gone in TF2: call it here so it can be converted, or use its TF2 home "
                    f"({_home(name)}) by hand", Safety.NONE, severity=Severity.ERROR, fixable=False,
                    end_line=ref.end_line, end_column=(ref.end_column or 0) + 1, payload=_NOT_CALLED))
                continue
            line, column, end_line, end_column = ast_position(lines, node)
            try:
                conversion = decide(name, node, scan.source)
            except _Unsupported as why:
                found.append(Match(self.rule, line, column, f"`{short}` is gone with tf.contrib and this call cannot "
                                   f"be converted exactly ({why}); use {_home(name)} by hand", Safety.NONE,
                                   severity=Severity.ERROR, end_line=end_line, end_column=end_column, fixable=False))
                continue
            found.append(Match(self.rule, line, column, self.rule.message.format(name=short, detail=conversion.detail),
                               self.rule.safety, end_line=end_line, end_column=end_column, payload=conversion))
        return found

    def sites(self, scan):
        return [line for m in self.matches(scan) or () if m.payload is not _NOT_CALLED for line in m.lines()]

    # -- applying the matches: calls in the pass, uses that are not calls reported at the end
    def on_call(self, ctx, qualified, original, updated):
        if _function(qualified) is None:
            return None
        match = ctx.match_at(self, original)
        if match is None or not ctx.report_match(match):
            return None
        conversion: Conversion = match.payload
        from migrate.kinds.calls import CallMove, callee_root, move_call

        if conversion.name == "load_variable":
            new = move_call(ctx, CallMove(conversion.target, _PARAMS["load_variable"], 2, _LOAD_VARIABLE[1]),
                            original, updated)
            assert new is not None, "the ast decision said load_variable's call can be moved"
            return new
        from migrate.cstutil import build_dotted, keyword_arg

        bound = _bind(conversion.name, [(arg.star, arg.keyword.value if arg.keyword is not None else None)
                                        for arg in updated.args])
        empty = cst.Module([])

        def text(pieces: tuple) -> str:
            return "".join(empty.code_for_node(updated.args[bound[p.name]].value) if isinstance(p, _Param) else p
                           for p in pieces)

        args = [keyword_arg(keyword, cst.parse_expression(text(pieces))) for keyword, pieces in conversion.keywords]
        return updated.with_changes(func=build_dotted(ctx.spell(conversion.target, callee_root(original))), args=args)

    def reported_at_finish(self, match) -> bool:
        return match.payload is _NOT_CALLED  # a use that is not a call: no on_call meets it
