"""TF2013: ``dataset.make_one_shot_iterator()`` -> ``tf.compat.v1.data.make_one_shot_iterator(dataset)``.

TF1's Dataset had iterator-making methods; TF2's DatasetV2 has none, while
``tf.compat.v1.data`` keeps the same operations as functions of the dataset.
The receiver is a local object, not an imported name, so the call is
recognised by its method name (``entries.methods``: method -> TF1 function)
through the engine's method-call hook; a call whose callee resolves through an
import (``tf.data.make_one_shot_iterator``) never reaches it and is left to the
symbol rules.
"""
from __future__ import annotations

import libcst as cst

from migrate.cstutil import build_dotted
from migrate.rules import short_name
from migrate.plugin import CustomTransform, method_call_lines, register


@register("TF2013")
class DatasetIteratorMethod(CustomTransform):
    def applies(self, scan) -> bool:
        # the engine's text gate (entries.lint_text) then keeps files without the method names off libcst
        return any(target == "tensorflow" or target.startswith("tensorflow.") for _, target in scan.bindings.items())

    def sites(self, scan):
        return method_call_lines(scan, self.entries.get("methods", {}))

    def on_method_call(self, ctx, method, original, updated):
        target = self.entries.get("methods", {}).get(method)
        if target is None or any(arg.star for arg in updated.args):
            return None
        fixed = ctx.may_fix(self.rule)
        ctx.report(self.rule, original, self.rule.message.format(method=method, new=short_name(target)), fixed=fixed)
        if not fixed:
            return None
        receiver = cst.Arg(value=updated.func.value)  # type: ignore[attr-defined]
        return updated.with_changes(func=build_dotted(ctx.spell(target)), args=[receiver, *updated.args])
