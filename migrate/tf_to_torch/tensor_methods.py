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

What happens at each method call is decided on the ``ast`` scan
(``migrate.tf_to_torch.decide``: ``Decider._method``); ``rewrite`` builds it in the libcst pass.
"""
from __future__ import annotations

from migrate.callparts import code_of
from migrate.lazycst import cst
from migrate.tf_to_torch.decide import SHAPE_METHODS, TENSOR_METHODS, TF_ONLY  # noqa: F401 (the method tables)


def rewrite(ctx, match, updated: cst.Call):
    """The method call's match reported and, when it is a rewrite, built on the ``updated`` call (its
    receiver as the pass rewrote it); its TODO reason kept for the statement otherwise."""
    decision = match.payload
    if decision.template is None:
        ctx.report_match(match)
        ctx.facts.setdefault("tt_pending", []).append(decision.reason)
        return None
    if not ctx.report_match(match):
        return None
    receiver = updated.func.value
    if decision.method in SHAPE_METHODS:
        # ``r.shape`` (``get_shape()`` already rewritten) or still ``r.get_shape()``
        receiver = receiver.value if isinstance(receiver, cst.Attribute) else receiver.func.value
    text = code_of(receiver)
    if not isinstance(receiver, (cst.Name, cst.Call, cst.Attribute, cst.Subscript)):
        text = f"({text})"
    return cst.parse_expression(decision.template.format(r=text))
