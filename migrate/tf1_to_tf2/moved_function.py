"""TF2009: a TF1 function whose TF2 replacement has another name and signature.

Each entry says how the call maps (see ``calls.CallMove``): the new
callee, the TF1 positional order, how many leading positional arguments keep
their meaning, keyword renames/removals and keywords to add.  An entry may
lower the rule's safety to ``review`` and say why in ``why``.  Decided on the
``ast`` call (``match``); the libcst hook applies the decided ``MovePlan``.
"""
from __future__ import annotations

from migrate.model import Safety
from migrate.plugin import CustomTransform, Match, match_at_node, register
from migrate.tf1_to_tf2.calls import (CallMove, apply_move, arguments_after_tables, calls_of, mentions, place,
                                      plan_move, short)


@register("TF2009")
class MovedFunction(CustomTransform):
    def __init__(self, rule, entries) -> None:
        super().__init__(rule, entries)
        self.moves = {name: CallMove.from_entry(entry) for name, entry in entries.items()}

    def applies(self, scan) -> bool:
        return mentions(scan, self.entries)

    def match(self, scan) -> list[Match]:
        found = []
        for qualified, node, _rebound in calls_of(self, scan, self.moves):
            move, entry = self.moves[qualified], self.entries[qualified]
            args = arguments_after_tables(self.ruleset, qualified, node)
            plan = plan_move(move, [(a.keyword, a.star) for a in args])
            message = self.rule.message.format(old=short(qualified), new=short(move.new))
            if entry.get("why"):
                message += f" ({entry['why']})"
            found.append(match_at_node(self.rule, scan, node, message, Safety(entry.get("safety", self.rule.safety.value)),
                                       fixable=plan is not None, payload=plan, supersedes_at=place(scan, node.func)))
        return found

    def on_call(self, ctx, qualified, original, updated):
        move = self.moves.get(qualified)
        if move is None:
            return None
        match = ctx.match_at(self, original)
        if match is None or not ctx.report_match(match):
            return None
        return apply_move(ctx, move, match.payload, original, updated)
