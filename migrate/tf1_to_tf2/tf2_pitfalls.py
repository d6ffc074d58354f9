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

Each rule decides on the ``ast`` scan (``match``); ``lint`` reports those matches without
libcst.  In ``convert``, TF2107's libcst hook looks its match up at the original call
(``ctx.match_at``), reports it and builds the new call; TF2108-TF2110 only report, so their
matches are reported as they are and no statement is parsed with libcst for them
(``_ReportOnly``).  Names are judged as the libcst pass judges them: where TF2007 turns
``import tensorflow.compat.v1 as tf`` into ``import tensorflow as tf``, ``tf.device`` is TF2's
``tensorflow.device`` (``plugin.rebind_dotted`` through ``plugin.rebound_targets``).
"""
from __future__ import annotations

import ast
import io
import tokenize

from migrate.arguments import call_at, nodes_on_line
from migrate.callparts import literal
from migrate.kinds.calls import canonical
from migrate.lazycst import cst
from migrate.plugin import (
    CustomTransform,
    Match,
    ReportedAtFinish,
    ast_position,
    match_at_node,
    rebind_dotted,
    rebound_targets,
    register,
    source_segment,
)
from migrate.resolve import dotted_name_ast


def _resolved_calls(custom: CustomTransform, scan, names) -> list[tuple[str, ast.Call]]:
    """(name as the pass resolves it, ``ast`` call) for each call of one of ``names``: through the import
    targets the rule set re-points (``plugin.rebound_targets``: TF2007 makes a ``tf.compat.v1`` alias mean
    ``tensorflow``)."""
    rebound = rebound_targets(scan, custom.siblings)
    found = []
    for ref in scan.references:
        if not (ref.is_call and _named(ref.qualified, names)):
            continue
        node = call_at(scan, ref.line, ref.column)
        if node is None:
            continue
        qualified = rebind_dotted(ref.qualified, dotted_name_ast(node.func), rebound)
        if qualified in names:
            found.append((qualified, node))
    return found


def _named(qualified: str, names) -> bool:
    """Is ``qualified`` one of ``names``, or one of them through the TF1 API module (``calls.canonical``)?"""
    return qualified in names or canonical(qualified) in names


def _might_call(scan, names) -> bool:
    """Cheap gate: a call of one of ``names``, or of the same name through a ``tf.compat.v1`` alias."""
    return any(ref.is_call and _named(ref.qualified, names) for ref in scan.references)


class _ReportOnly(ReportedAtFinish):
    """A rule that only reports: its ``ast`` matches are its findings in ``convert`` too
    (``plugin.ReportedAtFinish``), so no statement is parsed with libcst for it."""

    def sites(self, scan):
        return []


def _keyword(node: ast.Call, *names: str) -> ast.expr | None:
    """The value passed by the first of ``names`` given as a keyword (in that order of preference)."""
    for name in names:
        for keyword in node.keywords:
            if keyword.arg == name:
                return keyword.value
    return None


def _positional(node: ast.Call, index: int) -> ast.expr | None:
    """The argument written at ``index`` when it is a plain positional one (``cstutil``'s ``keyword_value``)."""
    if index < len(node.args) and not isinstance(node.args[index], ast.Starred):
        return node.args[index]
    return None


# -- TF2107 ------------------------------------------------------------------------------------------

_DEVICE = {"tensorflow.device"}
_DEVICE_SETTERS = {"tensorflow.train.replica_device_setter", "tensorflow.compat.v1.train.replica_device_setter"}


@register("TF2107")
class DeviceFunction(CustomTransform):
    """A device function given to TF2's ``tf.device``: the call goes to ``tf.compat.v1.device``."""

    def applies(self, scan) -> bool:
        return _might_call(scan, _DEVICE)

    def match(self, scan) -> list[Match]:
        module_functions = {s.name for s in scan.tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
        setters = {id(node) for _qualified, node in _resolved_calls(self, scan, _DEVICE_SETTERS)}
        found = []
        for _qualified, node in _resolved_calls(self, scan, _DEVICE):
            # the pass reads the argument after TF2004 renamed ``device_name_or_function=`` to ``device_name=``
            value = _positional(node, 0) or _keyword(node, "device_name", "device_name_or_function")
            what = None
            if isinstance(value, ast.Lambda):
                what = "a lambda"
            elif isinstance(value, ast.Call) and id(value) in setters:
                what = "tf.compat.v1.train.replica_device_setter(...)"
            elif isinstance(value, ast.Name) and value.id in module_functions:
                what = f"the function {value.id}"
            if what is not None:
                found.append(match_at_node(self.rule, scan, node, self.rule.message.format(what=what),
                                           self.rule.safety))
        return found

    def on_call(self, ctx, qualified, original, updated):
        match = ctx.match_at(self, original) if qualified in _DEVICE else None
        if match is None or not ctx.report_match(match):
            return None
        from migrate.cstutil import build_dotted
        from migrate.kinds.calls import callee_root

        # TF2004 renamed the keyword for TF2's tf.device; tf.compat.v1.device takes TF1's name
        args = [a.with_changes(keyword=cst.Name("device_name_or_function"))
                if a.keyword is not None and a.keyword.value == "device_name" else a for a in updated.args]
        func = build_dotted(ctx.spell("tensorflow.compat.v1.device", callee_root(original)))
        return updated.with_changes(func=func, args=args)


# -- TF2108 ------------------------------------------------------------------------------------------

def _from_module_span(source: str, node: ast.ImportFrom) -> ast.AST | None:
    """A node spanning the module name of ``from X import ...`` (as libcst's ``ImportFrom.module``)."""
    text = source_segment(source, node)
    if text is None:
        return None
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    names = []
    for token in tokens[1:]:  # after ``from``
        if token.type == tokenize.NAME and token.string == "import":
            break
        if token.type == tokenize.NAME:
            names.append(token)
    if not names:
        return None

    def place(row: int, column: int) -> tuple[int, int]:
        # token columns count characters of ``text``, whose first line starts at the statement's column
        line = node.lineno + row - 1
        prefix = "" if row > 1 else source.splitlines()[node.lineno - 1].encode("utf-8")[: node.col_offset].decode(
            "utf-8", errors="ignore")
        return line, len((prefix + text.splitlines()[row - 1][:column]).encode("utf-8"))

    span = ast.Name("module")
    span.lineno, span.col_offset = place(*names[0].start)
    span.end_lineno, span.end_col_offset = place(*names[-1].end)
    return span


@register("TF2108")
class PrivateModule(_ReportOnly):
    """Report-only: an import of a ``tensorflow.python`` module the installed TensorFlow does not have."""

    def applies(self, scan) -> bool:
        return any(q.startswith("tensorflow.python") for q, *_ in scan.imports)

    def _known(self) -> frozenset[str]:
        known = getattr(self, "_modules", None)
        if known is None:
            known = self._modules = frozenset(self.entries.get("modules", ()))
        return known

    def _missing(self, module: str) -> bool:
        return module.startswith("tensorflow.python.") and module not in self._known()

    def match(self, scan) -> list[Match]:
        found = []
        for statement in ast.walk(scan.tree):  # (only asked where an import names tensorflow.python)
            if not isinstance(statement, (ast.Import, ast.ImportFrom)):
                continue
            places: list[tuple[str, ast.AST | None]] = []
            if isinstance(statement, ast.Import):
                places = [(alias.name, alias) for alias in statement.names]
            elif statement.module is not None and not statement.level and self._missing(statement.module):
                places = [(statement.module, _from_module_span(scan.source, statement))]
            for module, node in places:
                if self._missing(module):
                    if node is None:
                        node = statement  # (a from-import whose text tokenize cannot read: reported at the statement)
                    found.append(match_at_node(self.rule, scan, node, self.rule.message.format(module=module),
                                               self.rule.safety, fixable=False))
        return found


# -- TF2109 ------------------------------------------------------------------------------------------

_ASSERT_SCALAR = {"tensorflow.assert_scalar", "tensorflow.debugging.assert_scalar"}


@register("TF2109")
class AssertScalarValue(_ReportOnly):
    """Report-only: a call of assert_scalar anywhere except as an expression statement of its own."""

    def applies(self, scan) -> bool:
        return _might_call(scan, _ASSERT_SCALAR)

    def match(self, scan) -> list[Match]:
        found = []
        for _qualified, node in _resolved_calls(self, scan, _ASSERT_SCALAR):
            if any(isinstance(s, ast.Expr) and s.value is node for s in nodes_on_line(scan.tree.body, node.lineno)):
                continue  # a statement of its own: its value is not used
            found.append(match_at_node(self.rule, scan, node, self.rule.message, self.rule.safety, fixable=False))
        return found


# -- TF2110 ------------------------------------------------------------------------------------------

_SAVE_MODEL = {"tensorflow.keras.models.save_model", "tensorflow.keras.saving.save_model",
               "keras.models.save_model", "keras.saving.save_model", "tf_keras.models.save_model"}


def _path_without_extension(node: ast.AST | None, source: str) -> str | None:
    """The literal path ``node`` writes (one string token, as libcst's ``SimpleString``) when it lacks a
    Keras extension, else None."""
    value = literal(node, source) if node is not None else None
    if isinstance(value, str) and not value.endswith((".keras", ".h5", ".hdf5")):
        return value
    return None


@register("TF2110")
class SaveWithoutExtension(_ReportOnly):
    """Report-only: a Keras save to a literal path without ``.keras``/``.h5``."""

    def applies(self, scan) -> bool:
        return _might_call(scan, _SAVE_MODEL) or scan.method_calls is None or "save" in scan.method_calls

    def match(self, scan) -> list[Match]:
        found: list[Match] = []
        for _qualified, node in _resolved_calls(self, scan, _SAVE_MODEL):
            path = _path_without_extension(_positional(node, 1) or _keyword(node, "filepath"), scan.source)
            if path is not None and _keyword(node, "save_format") is None:
                found.append(match_at_node(
                    self.rule, scan, node, self.rule.message.format(call="tf.keras.models.save_model", path=path),
                    self.rule.safety, fixable=False))
        saves = scan.method_calls.get("save", ()) if scan.method_calls is not None else [
            node for node in ast.walk(scan.tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "save"]
        # ``x.save("path")`` on an object the pass cannot type: one positional argument (a Saver's takes two)
        saves = [(node, path) for node in saves if len(node.args) == 1 and not node.keywords
                 for path in [_path_without_extension(node.args[0], scan.source)] if path is not None]
        if saves and any(ref.qualified.startswith(("tensorflow.keras", "keras", "tf_keras")) for ref in scan.references):
            resolved = {(ref.line, ref.column) for ref in scan.references if ref.is_call}
            lines = scan.source.splitlines()
            for node, path in saves:
                where = (node.lineno, ast_position(lines, node)[1] - 1)
                if dotted_name_ast(node.func) is not None and where in resolved:
                    continue  # a callee the pass resolves through an import: no untyped receiver
                receiver = dotted_name_ast(node.func.value) or "model"
                message = self.rule.message.format(call=f"{receiver}.save", path=path) \
                    + f" (if {receiver} is a Keras model)"
                found.append(match_at_node(self.rule, scan, node, message, self.rule.safety, fixable=False))
        return found
