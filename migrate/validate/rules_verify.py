"""``dlmigrate rules verify``: run every rule example's before and after and compare what they compute.

Each example is a pair of stand-alone programs; both go through the same
executor as ``dlmigrate validate``.  TF1 ``before`` code (rule set tf1_to_tf2)
runs under the TF1 shim.  Examples marked ``run = false`` are listed with their
reason, and report-only examples (no ``after``) have nothing to compare.
"""
from __future__ import annotations

import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from migrate.model import Rule
from migrate.validate.pipeline import ValidateOptions, validate_pair
from migrate.validate.results import ProgramResult

TF1_RULESETS = ("tf1_to_tf2", "tf2_eager")  # their `before` is TF1 code
_GRAPH_NAMES = (r"(placeholder|Session|InteractiveSession|get_variable|variable_scope|"
                r"global_variables_initializer|get_default_graph|layers)\b")
_GRAPH_API = re.compile(r"compat\.v1\." + _GRAPH_NAMES + r"|from\s+tensorflow\.compat\.v1\s+import\s+[^\n]*"
                        + _GRAPH_NAMES)


@dataclass(frozen=True)
class ExampleOutcome:
    code: str
    example: int  # 1-based, as ``rules explain`` numbers them
    verdict: str  # PASS | MISMATCH | ERROR | TIMEOUT | NOT RUN
    max_abs_error: float | None
    device: str
    reason: str
    result: ProgramResult | None = None

    def to_dict(self) -> dict:
        return {"code": self.code, "example": self.example, "verdict": self.verdict,
                "max_abs_error": self.max_abs_error, "device": self.device, "reason": self.reason,
                "result": self.result.to_dict() if self.result else None}


def _reason(result: ProgramResult) -> str:
    if result.passed:
        return result.message
    for side in (result.original, result.rewritten):
        if side.status not in ("ok", "recorded"):
            role = "before" if side.role == "original" else "after"
            return f"{role} cannot run: {side.error_message}"
    return result.message


def verify_rules(rules: Iterable[Rule], options: ValidateOptions, jobs: int = 1) -> list[ExampleOutcome]:
    outcomes: list[ExampleOutcome | None] = []
    work: list[tuple[int, Rule, int, str, str]] = []
    for rule in rules:
        for number, example in enumerate(rule.examples, 1):
            if not example.run:
                outcomes.append(ExampleOutcome(rule.code, number, "NOT RUN", None, "-",
                                               example.why_not_run or "marked run = false"))
            elif example.after is None or example.after == example.before:
                outcomes.append(ExampleOutcome(rule.code, number, "NOT RUN", None, "-",
                                               "report-only example: nothing is rewritten, so nothing to compare"))
            else:
                work.append((len(outcomes), rule, number, example.before, example.after))
                outcomes.append(None)
    with tempfile.TemporaryDirectory(prefix="dlmigrate-verify-") as scratch:
        def run(item):
            index, rule, number, before, after = item
            folder = Path(scratch) / f"{rule.code}_{number}"
            folder.mkdir()
            (folder / "before.py").write_text(before, encoding="utf-8")
            (folder / "after.py").write_text(after, encoding="utf-8")
            shim = "on" if rule.ruleset in TF1_RULESETS else "off"
            # a TF1 rule's ``after`` shows one rule's effect: compat.v1 graph code without the
            # disable_v2_behavior() call that TF2301 adds to a whole converted module
            after_shim = "graph" if shim == "on" and _GRAPH_API.search(after) and "disable_v2_behavior" not in after \
                else "off"
            side_options = replace(options, tf1_shim_original=shim, tf1_shim_rewritten=after_shim)
            result = validate_pair(folder / "before.py", folder / "after.py", side_options,
                                   label=f"{rule.code} example {number}")
            device = result.rewritten.device or result.original.device or "-"
            return index, ExampleOutcome(rule.code, number, result.verdict.value, result.max_abs_error(), device,
                                         _reason(result), result)

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for index, outcome in pool.map(run, work):
                outcomes[index] = outcome
    return [o for o in outcomes if o is not None]


def verify_exit_code(outcomes: list[ExampleOutcome]) -> int:
    """0 when every example marked runnable PASSes (NOT RUN ones say why); 1 on any MISMATCH, ERROR or TIMEOUT."""
    return 1 if any(o.verdict not in ("PASS", "NOT RUN") for o in outcomes) else 0


def verify_table(outcomes: list[ExampleOutcome]) -> str:
    header = f"{'rule':<8} {'ex':>2}  {'verdict':<9} {'max error':>9}  {'device':<6} why / detail"
    lines = [header, "-" * len(header)]
    for outcome in outcomes:
        error = "-" if outcome.max_abs_error is None else f"{outcome.max_abs_error:.3g}"
        reason = outcome.reason.replace("\n", " ")
        lines.append(f"{outcome.code:<8} {outcome.example:>2}  {outcome.verdict:<9} {error:>9}  {outcome.device:<6} "
                     f"{reason[:110]}")
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.verdict] = counts.get(outcome.verdict, 0) + 1
    lines.append(f"{len(outcomes)} examples: " + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
    return "\n".join(lines)
