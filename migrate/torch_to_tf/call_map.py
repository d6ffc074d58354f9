"""TT1501: torch calls rewritten through the proven reverse table, with the file's conversion rate.

The decisions are made on the ``ast`` scan (``match``: ``migrate.torch_to_tf.decide``); the libcst hooks
look each one up and only render it, with the argument texts as rewritten inside-out by the pass.
"""
from __future__ import annotations

import re
from dataclasses import replace

from migrate.callparts import code_of
from migrate.model import Safety, Severity
from migrate.plugin import CustomTransform, register
from migrate.tf_to_torch.call_map import (
    mark_todo,
    match_by_span,
    parse_rewrite,
    report_rate,
)
from migrate.tf_to_torch.table import (
    Bound,
    Unmapped,
    fill,
    load_reverse_table,
    prepare_bound,
)
from migrate.torch_to_tf import decide
from migrate.torch_to_tf.decide import ReverseDecision

_TF_NAME = re.compile(r"\btf(?:\.[A-Za-z_]\w*)+")
TODO = "# dlmigrate: TODO(TT1501)"


def spell_tf(ctx, text: str) -> str:
    return _TF_NAME.sub(lambda m: ctx.spell("tensorflow" + m.group(0)[2:], "tf"), text)


@register("TT1501")
class ReverseCallMap(CustomTransform):
    """Decides on the ``ast`` scan; the hooks render the decided variant."""

    def applies(self, scan) -> bool:
        return any(ref.qualified.startswith("torch") for ref in scan.references)

    def match(self, scan):
        return self.decide(scan, decide.CONVERT_APPLY)

    def decide(self, scan, apply: frozenset):
        """The matches when the pass applies the fixes ``apply`` (``match``: convert's default selection)."""
        return decide.ReverseDecider(self.rule, scan, load_reverse_table(), apply=apply).decide()

    def acts_without_matches(self, scan) -> bool:
        # the end of the pass may edit where nothing is reported (``torch.float32``, the unused imports)
        return any(target and (target == "torch" or target.startswith("torch."))
                   for _name, target in scan.bindings.items())

    def sites(self, scan):
        return None  # (``finish`` rewrites dtypes and imports: the whole module is parsed)

    def prepare(self, ctx) -> None:
        ctx.facts["tt_rev_pending"] = []

    def on_call(self, ctx, qualified, original, updated):
        match = match_by_span(ctx, self, original, ReverseDecision)
        if match is None:
            return None
        decision: ReverseDecision = match.payload
        if decision.reason is not None or not match.finding(ctx.apply).fixed:
            ctx.report_match(match)
            if decision.reason is not None:
                ctx.facts["tt_rev_pending"].append(decision.reason)
            return None
        entry = decision.entry
        given = {param: code_of(arg.value) for param, arg in zip(decision.params, updated.args)}
        try:  # the decided variant, filled with the arguments as rewritten inside-out
            text = fill(decision.variant["torch"], prepare_bound(entry, Bound(given, decision.variant)), entry)
        except Unmapped as exc:  # (a rewritten argument the variant cannot take: left as it was)
            ctx.report_match(replace(match, message=decide.left_message(qualified, str(exc)), safety=Safety.NONE,
                                     severity=Severity.WARNING, fixable=False))
            ctx.facts["tt_rev_pending"].append(str(exc))
            ctx.facts[(self.code, "failed")] = ctx.facts.get((self.code, "failed"), 0) + 1
            return None
        ctx.report_match(replace(match, message=decide.converted_message(qualified, text,
                                                                         decision.variant.get("review"))))
        return parse_rewrite(spell_tf(ctx, text))

    def on_statement(self, ctx, original, updated):
        return mark_todo(updated, ctx.facts.get("tt_rev_pending"), TODO)

    def finish(self, ctx, module):
        from migrate.torch_to_tf.cst_edits import Dtypes, drop_imports

        aliases = {name for name, target in ctx.bindings.items() if target and (target == "torch" or
                                                                               target.startswith("torch."))}
        module = module.visit(Dtypes(aliases, ctx))
        module = drop_imports(module, aliases)
        report_rate(ctx, self, decide.rate_message)
        return module
