"""PT1045: ``action.reinforce(reward)`` was removed in PyTorch 0.4: a finding with the log_prob formulation.

The stochastic-function API has no drop-in replacement: the policy-gradient
loss must be built from ``torch.distributions`` where the action is sampled,
which is a change to two places of the program a tool cannot pair safely.
"""
from __future__ import annotations

from migrate.model import Safety
from migrate.plugin import CustomTransform, register
from migrate.torch_deprecations.util import method_call_lines


@register("PT1045")
class Reinforce(CustomTransform):
    def applies(self, scan) -> bool:
        return "torch" in scan.imported_roots()

    def sites(self, scan):
        return method_call_lines(scan, "reinforce")

    def on_method_call(self, ctx, method, original, updated):
        if method == "reinforce":
            ctx.report(self.rule, original, self.rule.message, fixed=False, safety=Safety.NONE)
        return None
