"""TF2010: TF1 ``softmax_cross_entropy_with_logits`` did not backpropagate into labels; TF2's does.

TF1's function was ``stop_gradient(labels)`` followed by what TF2 now calls
``tf.nn.softmax_cross_entropy_with_logits``.  Wrapping the labels keeps the
TF1 gradients exactly.  Decided on the ``ast`` call (``match``: where the
labels argument is, and that it is not wrapped already); the libcst hook wraps it.
"""
from __future__ import annotations

import ast

from migrate.lazycst import cst
from migrate.plugin import CustomTransform, Match, match_at_node, register
from migrate.kinds.calls import arguments_after_tables, calls_of, engine_name, mentions, short


def _labels(args, position: int) -> int | None:
    """Index of the argument bound to ``labels`` (by keyword, or at ``position`` when passed positionally)."""
    for index, arg in enumerate(args):
        if arg.keyword == "labels":
            return index
        if arg.keyword is None and not arg.star and index == position:
            return index
    return None


@register("TF2010")
class SoftmaxLabelsGradient(CustomTransform):
    def applies(self, scan) -> bool:
        return mentions(scan, self.entries)

    def match(self, scan) -> list[Match]:
        found = []
        for qualified, node, rebound in calls_of(self, scan, self.entries):
            args = arguments_after_tables(self.ruleset, qualified, node)
            index = _labels(args, int(self.entries[qualified]))
            if index is None:
                continue
            value = args[index].value
            if not args[index].value_rewritten and isinstance(value, ast.Call) \
                    and (engine_name(scan, value, rebound, call=True) or "").endswith("stop_gradient"):
                continue  # already written the TF1 way
            found.append(match_at_node(self.rule, scan, node, self.rule.message.format(name=short(qualified)),
                                       self.rule.safety, payload=index))
        return found

    def on_call(self, ctx, qualified, original, updated):
        if qualified not in self.entries:
            return None
        match = ctx.match_at(self, original)
        if match is None or not ctx.report_match(match):
            return None
        from migrate.cstutil import build_dotted, dotted_name

        labels = updated.args[match.payload]
        root = (dotted_name(original.func) or "").split(".", 1)[0] or None
        wrapped = cst.Call(func=build_dotted(ctx.spell("tensorflow.stop_gradient", root)), args=[cst.Arg(value=labels.value)])
        args = [arg.with_changes(value=wrapped) if arg is labels else arg for arg in updated.args]
        return updated.with_changes(args=args)
