"""TF2008: ``tf.to_float(x)`` and the other TF1 cast shorthands -> ``tf.cast(x, dtype=tf.float32)``.

Entries map each TF1 shorthand to the dtype it cast to; the TF2 call is the
op the shorthand itself ran, so the rewrite is exact.
"""
from __future__ import annotations

from migrate.plugin import CustomTransform, register
from migrate.tf1_to_tf2.calls import CallMove, mentioned_lines, mentions, move_call, supersede_rename


@register("TF2008")
class CastShorthand(CustomTransform):
    def applies(self, scan) -> bool:
        return mentions(scan, self.entries)

    def sites(self, scan):
        return mentioned_lines(scan, self.entries)

    def on_call(self, ctx, qualified, original, updated):
        dtype = self.entries.get(qualified)
        if dtype is None:
            return None
        move = CallMove("tensorflow.cast", ("x", "name"), 1, {}, {"dtype": f"tensorflow.{dtype}"})
        fixed = ctx.may_fix(self.rule)
        rewritten = move_call(ctx, move, original, updated) if fixed else None
        short = "tf" + qualified[len("tensorflow"):]
        ctx.report(self.rule, original, self.rule.message.format(old=short, dtype=dtype), fixed=rewritten is not None)
        if rewritten is None:
            return None
        supersede_rename(ctx, original)
        return rewritten
