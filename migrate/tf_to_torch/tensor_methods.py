"""TF tensor methods on values the file itself makes with converted calls (part of TT1001).

A TF ``EagerTensor`` has ``numpy()``, ``get_shape()``, ``shape.as_list()``,
``shape.num_elements()``; a torch tensor spells them differently (or fails:
``.numpy()`` raises on a tensor that requires grad or lives on a GPU).  The
receiver must be *provably* a tensor made by a converted call:

* the call itself (``tf.reduce_sum(x).numpy()``), when TT1001 converted it; or
* a name whose every binding in the file is ``name = <TF call>`` and every one of
  those calls was converted before the method call is reached (a name bound any
  other way anywhere in the file - parameter, loop target, tuple unpacking,
  augmented assignment, import, ... - is not provable).

Anything else with one of these methods is left as it was, with a finding and a
``# dlmigrate: TODO(TT1001)`` comment.  TF-only tensor methods with no torch
counterpart (``set_shape``, ``ref``, ``eval``, ...) get the same treatment.
"""
from __future__ import annotations

import ast

import libcst as cst

from migrate.facts import FileFacts
from migrate.model import Safety, Severity

# method -> what it becomes on a provable receiver r (text templates)
SHAPE_METHODS = {"as_list": "list({r}.shape)", "num_elements": "{r}.numel()"}
TENSOR_METHODS = {"numpy": "{r}.detach().cpu().numpy()", "get_shape": "{r}.shape"}
TF_ONLY = {"set_shape", "ref", "experimental_ref", "eval", "consumers"}


def binding_facts(facts: FileFacts) -> tuple[dict[str, list[tuple[int, int]]], set[str]]:
    """(name -> positions of the TF calls assigned to it, names bound some other way somewhere), read off the
    file's shared def-use facts (``migrate.facts``): a TF call is a call of a ``tensorflow*`` attribute
    (``tf.reduce_sum(...)``, resolved in its scope); a name whose object is changed in place (``x[0] = ...``,
    ``x.a = ...``) counts as bound some other way."""
    calls: dict[str, list[tuple[int, int]]] = {}
    other: set[str] = set()
    for binding in facts.bindings:
        value = binding.value
        if binding.kind == "assign" and binding.whole and isinstance(value, ast.Call) and \
                isinstance(value.func, ast.Attribute) and (binding.callee or "").startswith("tensorflow"):
            calls.setdefault(binding.name, []).append((value.lineno, value.col_offset))
        else:
            other.add(binding.name)
    other.update(use.name for use in facts.mutations)
    return calls, other


def _position(ctx, node) -> tuple[int, int] | None:
    position = ctx._position_of(node)
    return (position.start.line, position.start.column) if position is not None else None


def provable(ctx, node: cst.CSTNode) -> bool:
    """The original expression is a tensor made by a call TT1001 converted."""
    converted = ctx.facts.get("tt_converted_at", set())
    if isinstance(node, cst.Call):
        return _position(ctx, node) in converted
    if isinstance(node, cst.Name):
        calls, other = ctx.facts.get("tt_bindings", ({}, set()))
        sites = calls.get(node.value)
        return bool(sites) and node.value not in other and all(site in converted for site in sites)
    return False


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def rewrite(rule, ctx, method: str, original: cst.Call, updated: cst.Call):
    """Replacement for ``receiver.method()`` (or None), with its finding; TODO when not provable."""
    training = ctx.facts.get("tt_training") or {}
    receiver = original.func.value
    if isinstance(receiver, cst.Name) and (receiver.value in training.get("variables", ()) or
                                           receiver.value in training.get("tapes", ())):
        return None  # tf.Variable and GradientTape methods belong to TT1002
    base_original, base_updated, template = None, None, None
    if method in TENSOR_METHODS or method in TF_ONLY:
        base_original, base_updated = receiver, updated.func.value
        template = TENSOR_METHODS.get(method)
    elif method in SHAPE_METHODS:
        shape_of = _shape_receiver(receiver)
        if shape_of is None:
            return None  # not ``x.shape.as_list()`` / ``x.get_shape().as_list()``: some other object's method
        base_original = shape_of
        inner = updated.func.value  # ``r.shape`` (get_shape() already rewritten) or still ``r.get_shape()``
        if isinstance(inner, cst.Attribute) and inner.attr.value == "shape":
            base_updated = inner.value
        elif isinstance(inner, cst.Call) and isinstance(inner.func, cst.Attribute):
            base_updated = inner.func.value
        template = SHAPE_METHODS[method]
    else:
        return None
    label = f".{method}()" if method not in SHAPE_METHODS else f".shape.{method}()"
    if updated.args and method in TENSOR_METHODS | SHAPE_METHODS:
        return _todo(rule, ctx, original, f"{label} with arguments has no torch counterpart")
    if template is None:
        return _todo(rule, ctx, original, f"tensor method .{method}() has no torch counterpart")
    if base_updated is None or not provable(ctx, base_original):
        return _todo(rule, ctx, original, f"{label} on a value not provably a tensor made by a converted call")
    if not ctx.may_fix(rule):
        return None
    receiver_text = _code(base_updated)
    if not isinstance(base_updated, (cst.Name, cst.Call, cst.Attribute, cst.Subscript)):
        receiver_text = f"({receiver_text})"
    text = template.format(r=receiver_text)
    ctx.report(rule, original, f"tensor method {label} -> {template.format(r='x')} (the receiver is made by a "
               "converted call)", fixed=True)
    return cst.parse_expression(text)


def _shape_receiver(receiver: cst.BaseExpression):
    """``x`` of ``x.shape`` or ``x.get_shape()``, else None."""
    if isinstance(receiver, cst.Attribute) and receiver.attr.value == "shape":
        return receiver.value
    if isinstance(receiver, cst.Call) and not receiver.args and isinstance(receiver.func, cst.Attribute) and \
            receiver.func.attr.value == "get_shape":
        return receiver.func.value
    return None


def _todo(rule, ctx, node, reason):
    ctx.facts.setdefault("tt_pending", []).append(reason)
    ctx.report(rule, node, f"left as it was: {reason}", fixed=False, severity=Severity.WARNING, safety=Safety.NONE)
    return None
