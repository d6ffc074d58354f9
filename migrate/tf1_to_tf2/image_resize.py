"""TF2011: ``tf.image.resize_bilinear`` and friends -> ``tf.image.resize``, where that is exact.

TF2 has one resize function with a ``method``.  Its sampling grid is the
half-pixel one (TF1's ``half_pixel_centers=True``); TF1's default was the
corner-aligned-origin grid.  Measured on TF 2.21: bilinear, nearest and bicubic
with ``half_pixel_centers=True``, and area resizing, give identical values
(max error 0.0); the TF1 default grid differs by up to 0.26 on [0, 1) data.
So only exact calls are rewritten; the others keep their ``tf.compat.v1``
twin (TF2002), which reproduces TF1's values, and are reported.

Decided on the ``ast`` call (``match``); the libcst hook applies the decision.
"""
from __future__ import annotations

import ast

from migrate.lazycst import cst
from migrate.model import Safety
from migrate.plugin import CustomTransform, Match, match_at_node, register, source_segment
from migrate.kinds.calls import arguments_after_tables, callee_root, calls_of, engine_name, mentions, place, short

# TF1 signatures: the per-method functions and resize_images.
_METHOD_PARAMS = ("images", "size", "align_corners", "name", "half_pixel_centers")
_IMAGES_PARAMS = ("images", "size", "method", "align_corners", "preserve_aspect_ratio", "name")
_V1_METHOD_CODES = {"0": "BILINEAR", "1": "NEAREST_NEIGHBOR", "2": "BICUBIC", "3": "AREA"}
_BLOCKED_GRID = ("TF1's default sampling grid differs from TF2's half-pixel grid, so it stays in tf.compat.v1 "
                 "(same values as TF1); tf.image.resize is exact only with half_pixel_centers=True")


def _bind(args, params: tuple[str, ...]) -> dict | None:
    """Parameter -> argument for (keyword, star, argument) triples in written order (either side's)."""
    bound = {}
    for index, (keyword, star, arg) in enumerate(args):
        if star:
            return None
        if keyword is None:
            if index >= len(params):
                return None
            bound[params[index]] = arg
        else:
            bound[keyword] = arg
    return bound


def _is_bool(arg, value: bool) -> bool:
    return arg is not None and isinstance(arg.value, ast.Constant) and arg.value.value is value


def _is_integer(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


# Methods whose TF2 result equals TF1's only on the half-pixel grid, and those equal on any grid.
_EXACT_WITH_HALF_PIXEL = {"BILINEAR", "NEAREST_NEIGHBOR", "BICUBIC"}
_EXACT_ALWAYS = {"AREA"}


@register("TF2011")
class ImageResize(CustomTransform):
    def applies(self, scan) -> bool:
        return mentions(scan, self.entries)

    def _method(self, scan, rebound, entry: str, bound: dict) -> str | None:
        """The TF2 method: a ResizeMethod member name, or None (not a literal TF1 method)."""
        if entry:
            return entry
        arg = bound.get("method")
        if arg is None:
            return "BILINEAR"
        if _is_integer(arg.value) and source_segment(scan.source, arg.value) in _V1_METHOD_CODES:
            return _V1_METHOD_CODES[source_segment(scan.source, arg.value)]
        qualified = engine_name(scan, arg.value, rebound) or ""
        member = qualified.rsplit(".", 1)[-1]
        if qualified.startswith("tensorflow.image.ResizeMethod.") and member in _V1_METHOD_CODES.values():
            return member
        return None

    def match(self, scan) -> list[Match]:
        found = []
        for qualified, node, rebound in calls_of(self, scan, self.entries):
            match = self._decide(scan, rebound, qualified, node)
            if match is not None:
                found.append(match)
        return found

    def _decide(self, scan, rebound, qualified: str, node: ast.Call) -> Match | None:
        entry = self.entries[qualified]
        args = arguments_after_tables(self.ruleset, qualified, node)
        bound = _bind([(a.keyword, a.star, a) for a in args], _METHOD_PARAMS if entry else _IMAGES_PARAMS)
        if qualified == "tensorflow.image.resize" and not self._looks_tf1(bound):
            return None  # TF2 kept this name: only a TF1-only argument says the call is TF1 code
        message = self.rule.message.format(name=short(qualified))
        where = {"supersedes_at": place(scan, node.func)}
        method = self._method(scan, rebound, entry, bound) if bound is not None else None
        blocker = None
        if bound is None or "images" not in bound or "size" not in bound:
            blocker = "the call's arguments cannot be matched to the TF1 signature"
        elif not (bound.get("align_corners") is None or _is_bool(bound.get("align_corners"), False)):
            blocker = "align_corners=True has no TF2 equivalent; keep tf.compat.v1 or resize with a corrected size"
        elif method is None:
            blocker = "the method is not a literal TF1 method"
        if blocker is None and not self._exact(method, bound):
            blocker = _BLOCKED_GRID
            if qualified == "tensorflow.image.resize":
                # TF2 reuses this name with other semantics; TF1's function lives on in compat.v1
                return match_at_node(self.rule, scan, node, f"{message}; {blocker}", self.rule.safety,
                                     payload=("compat", None), **where)
        if blocker is not None:
            return match_at_node(self.rule, scan, node, f"{message}; {blocker}", Safety.NONE, fixable=False)
        return match_at_node(self.rule, scan, node, message, self.rule.safety, payload=("resize", method), **where)

    def on_call(self, ctx, qualified, original, updated):
        if qualified not in self.entries:
            return None
        match = ctx.match_at(self, original)
        if match is None or not ctx.report_match(match):
            return None
        from migrate.cstutil import build_dotted, keyword_arg

        how, method = match.payload
        root = callee_root(original)
        if how == "compat":
            return updated.with_changes(func=build_dotted(ctx.spell("tensorflow.compat.v1.image.resize", root)))
        entry = self.entries[qualified]
        bound = _bind([(a.keyword.value if a.keyword is not None else None, a.star, a) for a in updated.args],
                      _METHOD_PARAMS if entry else _IMAGES_PARAMS)
        args = [self._positional_or_keyword(bound["images"], "images"), self._positional_or_keyword(bound["size"], "size")]
        # explicit whenever TF1 said it (function name or argument); both APIs default to bilinear
        if entry or "method" in bound:
            args.append(keyword_arg("method", build_dotted(ctx.spell(f"tensorflow.image.ResizeMethod.{method}", root))))
        for name in ("preserve_aspect_ratio", "name"):
            if name in bound:
                args.append(keyword_arg(name, bound[name].value))
        args = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in args]
        return updated.with_changes(func=build_dotted(ctx.spell("tensorflow.image.resize", root)), args=args)

    @staticmethod
    def _exact(method: str | None, bound: dict) -> bool:
        if method in _EXACT_ALWAYS:
            return True
        return method in _EXACT_WITH_HALF_PIXEL and _is_bool(bound.get("half_pixel_centers"), True)

    @staticmethod
    def _looks_tf1(bound: dict | None) -> bool:
        if bound is None:
            return False
        method = bound.get("method")
        return "align_corners" in bound or (method is not None and _is_integer(method.value))

    @staticmethod
    def _positional_or_keyword(arg: cst.Arg, name: str) -> cst.Arg:
        from migrate.cstutil import keyword_arg

        return arg if arg.keyword is None else keyword_arg(name, arg.value)
