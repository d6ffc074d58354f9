"""TF2011: ``tf.image.resize_bilinear`` and friends -> ``tf.image.resize``, where that is exact.

TF2 has one resize function with a ``method``.  Its sampling grid is the
half-pixel one (TF1's ``half_pixel_centers=True``); TF1's default was the
corner-aligned-origin grid.  Measured on TF 2.21: bilinear, nearest and bicubic
with ``half_pixel_centers=True``, and area resizing, give identical values
(max error 0.0); the TF1 default grid differs by up to 0.26 on [0, 1) data.
So only exact calls are rewritten; the others keep their ``tf.compat.v1``
twin (TF2002), which reproduces TF1's values, and are reported.
"""
from __future__ import annotations

import libcst as cst

from migrate.cstutil import build_dotted, keyword_arg
from migrate.model import Safety
from migrate.plugin import CustomTransform, register
from migrate.tf1_to_tf2.calls import callee_root, mentioned_lines, mentions, supersede_rename

# TF1 signatures: the per-method functions and resize_images.
_METHOD_PARAMS = ("images", "size", "align_corners", "name", "half_pixel_centers")
_IMAGES_PARAMS = ("images", "size", "method", "align_corners", "preserve_aspect_ratio", "name")
_V1_METHOD_CODES = {"0": "BILINEAR", "1": "NEAREST_NEIGHBOR", "2": "BICUBIC", "3": "AREA"}


def _bind(call: cst.Call, params: tuple[str, ...]) -> dict[str, cst.Arg] | None:
    bound: dict[str, cst.Arg] = {}
    for index, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is None:
            if index >= len(params):
                return None
            bound[params[index]] = arg
        else:
            bound[arg.keyword.value] = arg
    return bound


def _is_false(arg: cst.Arg | None) -> bool:
    return arg is None or (isinstance(arg.value, cst.Name) and arg.value.value == "False")


def _is_true(arg: cst.Arg | None) -> bool:
    return arg is not None and isinstance(arg.value, cst.Name) and arg.value.value == "True"


# Methods whose TF2 result equals TF1's only on the half-pixel grid, and those equal on any grid.
_EXACT_WITH_HALF_PIXEL = {"BILINEAR", "NEAREST_NEIGHBOR", "BICUBIC"}
_EXACT_ALWAYS = {"AREA"}


@register("TF2011")
class ImageResize(CustomTransform):
    def applies(self, scan) -> bool:
        return mentions(scan, self.entries)

    def sites(self, scan):
        return mentioned_lines(scan, self.entries)

    def _method(self, ctx, entry: str, bound: dict[str, cst.Arg]) -> str | cst.BaseExpression | None:
        """The TF2 method: a ResizeMethod member name, the user's own expression, or None (unknown)."""
        if entry:
            return entry
        arg = bound.get("method")
        if arg is None:
            return "BILINEAR"
        if isinstance(arg.value, cst.Integer) and arg.value.value in _V1_METHOD_CODES:
            return _V1_METHOD_CODES[arg.value.value]
        qualified = ctx.qualify(arg.value) or ""
        member = qualified.rsplit(".", 1)[-1]
        if qualified.startswith("tensorflow.image.ResizeMethod.") and member in _V1_METHOD_CODES.values():
            return member
        return None

    def on_call(self, ctx, qualified, original, updated):
        if qualified not in self.entries:
            return None
        entry = self.entries[qualified]
        bound = _bind(updated, _METHOD_PARAMS if entry else _IMAGES_PARAMS)
        if qualified == "tensorflow.image.resize" and not self._looks_tf1(bound):
            return None  # TF2 kept this name: only a TF1-only argument says the call is TF1 code
        short = "tf" + qualified[len("tensorflow"):]
        method = self._method(ctx, entry, bound) if bound is not None else None
        blocker = None
        if bound is None or "images" not in bound or "size" not in bound:
            blocker = "the call's arguments cannot be matched to the TF1 signature"
        elif not _is_false(bound.get("align_corners")):
            blocker = "align_corners=True has no TF2 equivalent; keep tf.compat.v1 or resize with a corrected size"
        elif method is None:
            blocker = "the method is not a literal TF1 method"
        if blocker is None and not self._exact(method, bound):
            blocker = ("TF1's default sampling grid differs from TF2's half-pixel grid, so it stays in tf.compat.v1 "
                       "(same values as TF1); tf.image.resize is exact only with half_pixel_centers=True")
            if qualified == "tensorflow.image.resize" and ctx.may_fix(self.rule):
                # TF2 reuses this name with other semantics; TF1's function lives on in compat.v1
                ctx.report(self.rule, original, self.rule.message.format(name=short) + f"; {blocker}", fixed=True)
                supersede_rename(ctx, original)
                compat = build_dotted(ctx.spell("tensorflow.compat.v1.image.resize", callee_root(original)))
                return updated.with_changes(func=compat)
        if blocker is not None or not ctx.may_fix(self.rule):
            ctx.report(self.rule, original, self.rule.message.format(name=short) + (f"; {blocker}" if blocker else ""),
                       fixed=False, safety=Safety.NONE)
            return None
        root = callee_root(original)
        args = [self._positional_or_keyword(bound["images"], "images"), self._positional_or_keyword(bound["size"], "size")]
        # explicit whenever TF1 said it (function name or argument); both APIs default to bilinear
        if entry or "method" in bound:
            args.append(keyword_arg("method", build_dotted(ctx.spell(f"tensorflow.image.ResizeMethod.{method}", root))))
        for name in ("preserve_aspect_ratio", "name"):
            if name in bound:
                args.append(keyword_arg(name, bound[name].value))
        args = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in args]
        ctx.report(self.rule, original, self.rule.message.format(name=short), fixed=True)
        supersede_rename(ctx, original)
        return updated.with_changes(func=build_dotted(ctx.spell("tensorflow.image.resize", root)), args=args)

    @staticmethod
    def _exact(method: str | cst.BaseExpression | None, bound: dict[str, cst.Arg]) -> bool:
        if method in _EXACT_ALWAYS:
            return True
        return method in _EXACT_WITH_HALF_PIXEL and _is_true(bound.get("half_pixel_centers"))

    @staticmethod
    def _looks_tf1(bound: dict[str, cst.Arg] | None) -> bool:
        if bound is None:
            return False
        method = bound.get("method")
        return "align_corners" in bound or (method is not None and isinstance(method.value, cst.Integer))

    @staticmethod
    def _positional_or_keyword(arg: cst.Arg, name: str) -> cst.Arg:
        return arg if arg.keyword is None else keyword_arg(name, arg.value)
