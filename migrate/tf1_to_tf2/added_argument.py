"""TF2012: a TF2 function made an argument required that TF1 fixed implicitly.

``tf.nn.dilation2d`` and ``tf.nn.erosion2d`` only supported NHWC in TF1 and
had no ``data_format``; TF2's take it as a required argument.  Entries map
the function to the keywords (and their TF1 values) to add when absent.
"""
from __future__ import annotations

import libcst as cst

from migrate.cstutil import keyword_arg
from migrate.plugin import CustomTransform, register
from migrate.tf1_to_tf2.calls import expression, mentioned_lines, mentions


@register("TF2012")
class AddedArgument(CustomTransform):
    def applies(self, scan) -> bool:
        return mentions(scan, self.entries)

    def sites(self, scan):
        return mentioned_lines(scan, self.entries)

    def on_call(self, ctx, qualified, original, updated):
        added = self.entries.get(qualified)
        if not added or any(arg.star == "**" for arg in updated.args):
            return None
        present = {arg.keyword.value for arg in updated.args if arg.keyword is not None}
        positional = sum(1 for arg in updated.args if arg.keyword is None and not arg.star)
        missing = {k: spec["value"] for k, spec in added.items()
                   if k not in present and positional <= int(spec["position"])}
        if not missing:
            return None
        fixed = ctx.may_fix(self.rule)
        keywords = ", ".join(f"{k}={v}" for k, v in missing.items())
        ctx.report(self.rule, original, self.rule.message.format(name="tf" + qualified[len("tensorflow"):],
                                                                  keywords=keywords), fixed=fixed)
        if not fixed:
            return None
        args = list(updated.args)
        new_args = [keyword_arg(k, expression(ctx, v)) for k, v in missing.items()]
        if args:
            # the old last argument's trailing comma (if any) moves to the new last one
            new_args[-1] = new_args[-1].with_changes(comma=args[-1].comma)
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=args + new_args)
