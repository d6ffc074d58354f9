"""PT1045: ``action.reinforce(reward)`` was removed in PyTorch 0.4: a finding with the log_prob formulation.

The stochastic-function API has no drop-in replacement: the policy-gradient
loss must be built from ``torch.distributions`` where the action is sampled,
which is a change to two places of the program a tool cannot pair safely.
"""
from __future__ import annotations

from migrate.model import Safety
from migrate.plugin import CustomTransform, match_at_node, register
from migrate.torch_deprecations.util import unresolved_method_calls


@register("PT1045")
class Reinforce(CustomTransform):
    def applies(self, scan) -> bool:
        return "torch" in scan.imported_roots()

    def match(self, scan):
        return [match_at_node(self.rule, scan, node, self.rule.message, Safety.NONE, fixable=False)
                for node in unresolved_method_calls(scan, "reinforce")]

    def on_method_call(self, ctx, method, original, updated):
        match = ctx.match_at(self, original) if method == "reinforce" else None
        if match is not None:
            ctx.report_match(match)
        return None
