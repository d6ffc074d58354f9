"""TF2012: a TF2 function made an argument required that TF1 fixed implicitly.

``tf.nn.dilation2d`` and ``tf.nn.erosion2d`` only supported NHWC in TF1 and
had no ``data_format``; TF2's take it as a required argument.  Entries map
the function to the keywords (and their TF1 values) to add when absent.
Decided on the ``ast`` call as the engine's hook sees it (after the positional
and keyword tables, ``calls.arguments_after_tables``); the libcst hook appends
the decided keywords.
"""
from __future__ import annotations

from migrate.lazycst import cst
from migrate.plugin import CustomTransform, Match, match_at_node, register
from migrate.kinds.calls import arguments_after_tables, calls_of, expression, mentions, short


@register("TF2012")
class AddedArgument(CustomTransform):
    def applies(self, scan) -> bool:
        return mentions(scan, self.entries)

    def match(self, scan) -> list[Match]:
        found = []
        for qualified, node, _rebound in calls_of(self, scan, self.entries):
            added = self.entries[qualified]
            args = arguments_after_tables(self.ruleset, qualified, node)
            if not added or any(arg.star == "**" for arg in args):
                continue
            present = {arg.keyword for arg in args if arg.keyword is not None}
            positional = sum(1 for arg in args if arg.keyword is None and not arg.star)
            missing = {k: spec["value"] for k, spec in added.items()
                       if k not in present and positional <= int(spec["position"])}
            if not missing:
                continue
            keywords = ", ".join(f"{k}={v}" for k, v in missing.items())
            found.append(match_at_node(self.rule, scan, node, self.rule.message.format(name=short(qualified), keywords=keywords),
                                       self.rule.safety, payload=missing))
        return found

    def on_call(self, ctx, qualified, original, updated):
        if qualified not in self.entries:
            return None
        match = ctx.match_at(self, original)
        if match is None or not ctx.report_match(match):
            return None
        from migrate.cstutil import keyword_arg

        args = list(updated.args)
        new_args = [keyword_arg(k, expression(ctx, v)) for k, v in match.payload.items()]
        if args:
            # the old last argument's trailing comma (if any) moves to the new last one
            new_args[-1] = new_args[-1].with_changes(comma=args[-1].comma)
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=args + new_args)
