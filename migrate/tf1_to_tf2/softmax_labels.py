"""TF2010: TF1 ``softmax_cross_entropy_with_logits`` did not backpropagate into labels; TF2's does.

TF1's function was ``stop_gradient(labels)`` followed by what TF2 now calls
``tf.nn.softmax_cross_entropy_with_logits``.  Wrapping the labels keeps the
TF1 gradients exactly.
"""
from __future__ import annotations

import libcst as cst

from migrate.cstutil import build_dotted, dotted_name
from migrate.plugin import CustomTransform, register
from migrate.tf1_to_tf2.calls import keyword_value, mentioned_lines, mentions


@register("TF2010")
class SoftmaxLabelsGradient(CustomTransform):
    def applies(self, scan) -> bool:
        return mentions(scan, self.entries)

    def sites(self, scan):
        return mentioned_lines(scan, self.entries)

    def on_call(self, ctx, qualified, original, updated):
        if qualified not in self.entries:
            return None
        labels = keyword_value(updated, "labels", position=int(self.entries[qualified]))
        if labels is None:
            return None
        value = labels.value
        if isinstance(value, cst.Call) and (ctx.qualify(value.func) or "").endswith("stop_gradient"):
            return None  # already written the TF1 way
        fixed = ctx.may_fix(self.rule)
        ctx.report(self.rule, original, self.rule.message.format(name="tf" + qualified[len("tensorflow"):]), fixed=fixed)
        if not fixed:
            return None
        root = (dotted_name(original.func) or "").split(".", 1)[0] or None
        wrapped = cst.Call(func=build_dotted(ctx.spell("tensorflow.stop_gradient", root)), args=[cst.Arg(value=value)])
        args = [arg.with_changes(value=wrapped) if arg is labels else arg for arg in updated.args]
        return updated.with_changes(args=args)
