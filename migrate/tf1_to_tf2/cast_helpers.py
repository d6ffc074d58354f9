"""TF2008: ``tf.to_float(x)`` and the other TF1 cast shorthands -> ``tf.cast(x, dtype=tf.float32)``.

Entries map each TF1 shorthand to the dtype it cast to; the TF2 call is the
op the shorthand itself ran, so the rewrite is exact.  Decided on the ``ast``
call (``match``); the libcst hook applies the decided ``MovePlan``.
"""
from __future__ import annotations

from migrate.plugin import CustomTransform, Match, match_at_node, register
from migrate.tf1_to_tf2.calls import (CallMove, apply_move, arguments_after_tables, calls_of, mentions, place, plan_move,
                                      short)


@register("TF2008")
class CastShorthand(CustomTransform):
    def applies(self, scan) -> bool:
        return mentions(scan, self.entries)

    @staticmethod
    def _move(dtype: str) -> CallMove:
        return CallMove("tensorflow.cast", ("x", "name"), 1, {}, {"dtype": f"tensorflow.{dtype}"})

    def match(self, scan) -> list[Match]:
        found = []
        for qualified, node, _rebound in calls_of(self, scan, self.entries):
            dtype = self.entries[qualified]
            args = arguments_after_tables(self.ruleset, qualified, node)
            plan = plan_move(self._move(dtype), [(a.keyword, a.star) for a in args])
            found.append(match_at_node(self.rule, scan, node, self.rule.message.format(old=short(qualified), dtype=dtype),
                                       self.rule.safety, fixable=plan is not None, payload=plan,
                                       supersedes_at=place(scan, node.func)))
        return found

    def on_call(self, ctx, qualified, original, updated):
        dtype = self.entries.get(qualified)
        if dtype is None:
            return None
        match = ctx.match_at(self, original)
        if match is None or not ctx.report_match(match):
            return None
        return apply_move(ctx, self._move(dtype), match.payload, original, updated)
