"""Findings for TF1 code that converts without error but fails or changes meaning on TF 2.21.

TF2107  ``tf.device(function)``: TF2's ``tf.device`` takes a device name only; a device
        function (``replica_device_setter``, a lambda, a ``def`` of the module) goes to
        ``tf.compat.v1.device``, which accepts it in graph mode.
TF2108  ``import tensorflow.python.X`` / ``from tensorflow.python.X import Y`` where the
        private module X does not exist in the installed TF (generated list).
TF2109  ``tf.debugging.assert_scalar(...)`` (or TF1's ``tf.assert_scalar``) used as a value:
        TF1 returned the tensor, TF2 returns None.
TF2110  ``tf.keras.models.save_model(model, "path")`` / ``model.save("path")`` with a literal
        path without ``.keras`` or ``.h5``: Keras 3 raises ValueError (TF1 wrote HDF5 there).
"""
from __future__ import annotations

import ast

import libcst as cst

from migrate.cstutil import build_dotted, dotted_name
from migrate.plugin import CustomTransform, method_call_lines, register
from migrate.tf1_to_tf2.calls import callee_root, keyword_value

def _lines(refs) -> list[int]:
    return [line for r in refs for line in range(r.line, (r.end_line or r.line) + 1)]


_DEVICE_SETTERS = {"tensorflow.train.replica_device_setter", "tensorflow.compat.v1.train.replica_device_setter"}


def _module_functions(ctx) -> set[str]:
    names = ctx.facts.get("module_functions")
    if names is None:
        tree = ctx.scan.tree if ctx.scan is not None and ctx.scan.tree is not None else ast.parse(ctx.source)
        names = {s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
        ctx.facts["module_functions"] = names
    return names  # type: ignore[return-value]


@register("TF2107")
class DeviceFunction(CustomTransform):
    def applies(self, scan) -> bool:
        return any(r.qualified == "tensorflow.device" and r.is_call for r in scan.references)

    def sites(self, scan):
        return _lines(r for r in scan.references if r.qualified == "tensorflow.device")

    def on_call(self, ctx, qualified, original, updated):
        if qualified != "tensorflow.device" or not updated.args:
            return None
        arg = keyword_value(updated, "device_name", 0) or keyword_value(updated, "device_name_or_function", 0)
        if arg is None:
            return None
        value = arg.value
        what = None
        if isinstance(value, cst.Lambda):
            what = "a lambda"
        elif isinstance(value, cst.Call) and ctx.qualify(value.func) in _DEVICE_SETTERS:
            what = "tf.compat.v1.train.replica_device_setter(...)"
        elif isinstance(value, cst.Name) and value.value in _module_functions(ctx):
            what = f"the function {value.value}"
        if what is None:
            return None
        fixed = ctx.may_fix(self.rule)
        ctx.report(self.rule, original, self.rule.message.format(what=what), fixed=fixed)
        if not fixed:
            return None
        args = [a.with_changes(keyword=cst.Name("device_name_or_function"))
                if a.keyword is not None and a.keyword.value == "device_name" else a for a in updated.args]
        func = build_dotted(ctx.spell("tensorflow.compat.v1.device", callee_root(original)))
        return updated.with_changes(func=func, args=args)


@register("TF2108")
class PrivateModule(CustomTransform):
    def applies(self, scan) -> bool:
        return any(q.startswith("tensorflow.python") for q, *_ in scan.imports)

    def sites(self, scan):
        return [line for q, _, line, _ in scan.imports if q.startswith("tensorflow.python")]

    def _known(self) -> frozenset[str]:
        known = getattr(self, "_modules", None)
        if known is None:
            known = self._modules = frozenset(self.entries.get("modules", ()))
        return known

    def on_statement(self, ctx, original, updated):
        for small in original.body:
            modules: list[tuple[str, cst.CSTNode]] = []
            if isinstance(small, cst.Import):
                modules = [(dotted_name(a.name) or "", a) for a in small.names]
            elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
                modules = [(dotted_name(small.module) or "", small.module)]
            for module, node in modules:
                if not module.startswith("tensorflow.python.") or module in self._known():
                    continue
                ctx.report(self.rule, node, self.rule.message.format(module=module), fixed=False)
        return None


_ASSERT_SCALAR = {"tensorflow.assert_scalar", "tensorflow.debugging.assert_scalar"}


class _ValueUses(cst.CSTVisitor):
    """Calls of assert_scalar anywhere in the module except as a statement of their own."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.statements: set[int] = set()
        self.found: list[cst.Call] = []

    def visit_Expr(self, node: cst.Expr) -> None:
        self.statements.add(id(node.value))

    def visit_Call(self, node: cst.Call) -> None:
        if id(node) not in self.statements and self.ctx.qualify(node.func) in _ASSERT_SCALAR:
            self.found.append(node)


@register("TF2109")
class AssertScalarValue(CustomTransform):
    """Module-level imports resolve the callee (a whole-module walk after the pass: compound statements too)."""

    def applies(self, scan) -> bool:
        return any(r.qualified in _ASSERT_SCALAR for r in scan.references)

    def finish(self, ctx, module):
        visitor = _ValueUses(ctx)
        ctx.original_module.visit(visitor)
        for call in visitor.found:
            ctx.report(self.rule, call, self.rule.message, fixed=False)
        return module


_SAVE_MODEL = {"tensorflow.keras.models.save_model", "tensorflow.keras.saving.save_model",
               "keras.models.save_model", "keras.saving.save_model", "tf_keras.models.save_model"}


def _literal_path(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _needs_extension(path: str | None) -> bool:
    return path is not None and not path.endswith((".keras", ".h5", ".hdf5"))


@register("TF2110")
class SaveWithoutExtension(CustomTransform):
    def applies(self, scan) -> bool:
        return bool(self.sites(scan))

    def sites(self, scan):
        lines = _lines(r for r in scan.references if r.qualified in _SAVE_MODEL)
        if any(q.split(".", 1)[0] in ("tensorflow", "keras", "tf_keras") for q, *_ in scan.imports):
            if scan.method_calls is None:
                lines += method_call_lines(scan, {"save"}) or []
            else:  # only ``x.save("literal")`` can be reported (``on_method_call``): ``saver.save(sess, ...)`` is no site
                lines += [line for call in scan.method_calls.get("save", ())
                          if len(call.args) == 1 and not call.keywords and isinstance(call.args[0], ast.Constant)
                          and isinstance(call.args[0].value, str)
                          for line in range(call.lineno, (call.end_lineno or call.lineno) + 1)]
        return lines

    def on_call(self, ctx, qualified, original, updated):
        if qualified not in _SAVE_MODEL:
            return None
        arg = keyword_value(original, "filepath", 1)
        path = _literal_path(arg.value) if arg is not None else None
        if _needs_extension(path) and keyword_value(original, "save_format") is None:
            ctx.report(self.rule, original, self.rule.message.format(call="tf.keras.models.save_model", path=path),
                       fixed=False)
        return None

    def on_method_call(self, ctx, method, original, updated):
        if method != "save" or len(original.args) != 1 or original.args[0].keyword is not None:
            return None
        path = _literal_path(original.args[0].value)
        if _needs_extension(path) and any(ref.qualified.startswith(("tensorflow.keras", "keras", "tf_keras"))
                                           for ref in ctx.scan.references):
            receiver = dotted_name(original.func.value) or "model"  # type: ignore[attr-defined]
            ctx.report(self.rule, original, self.rule.message.format(call=f"{receiver}.save", path=path)
                       + f" (if {receiver} is a Keras model)", fixed=False)
        return None
