"""TF2009: a TF1 function whose TF2 replacement has another name and signature.

Each entry says how the call maps (see ``tf_calls.CallMove``): the new
callee, the TF1 positional order, how many leading positional arguments keep
their meaning, keyword renames/removals and keywords to add.  An entry may
lower the rule's safety to ``review`` and say why in ``why``.
"""
from __future__ import annotations

from migrate.model import Safety
from migrate.plugin import CustomTransform, register
from migrate.tf1_to_tf2.calls import CallMove, mentioned_lines, mentions, move_call, supersede_rename


@register("TF2009")
class MovedFunction(CustomTransform):
    def __init__(self, rule, entries) -> None:
        super().__init__(rule, entries)
        self.moves = {name: CallMove.from_entry(entry) for name, entry in entries.items()}

    def applies(self, scan) -> bool:
        return mentions(scan, self.entries)

    def sites(self, scan):
        return mentioned_lines(scan, self.entries)

    def on_call(self, ctx, qualified, original, updated):
        move = self.moves.get(qualified)
        if move is None:
            return None
        entry = self.entries[qualified]
        safety = Safety(entry.get("safety", self.rule.safety.value))
        rewritten = move_call(ctx, move, original, updated) if ctx.may_fix(self.rule, safety) else None
        message = self.rule.message.format(old="tf" + qualified[len("tensorflow"):], new="tf" + move.new[len("tensorflow"):])
        if entry.get("why"):
            message += f" ({entry['why']})"
        ctx.report(self.rule, original, message, fixed=rewritten is not None, safety=safety)
        if rewritten is None:
            return None
        supersede_rename(ctx, original)
        return rewritten
