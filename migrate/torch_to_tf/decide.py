"""TT1501's decisions, made on the ``ast`` scan (``ReverseCallMap.match``); registers nothing, imports no libcst.

For every call the engine's pass offers TT1501 (a dotted call resolving under ``torch.``, outside
``NOT_OPS``) this decides once: its reverse-table entry, or why it stays PyTorch (no entry, not proven,
arguments outside what was proven); the torch parameter each written argument binds; the variant those
arguments select; the fix safety (a variant's review note makes it REVIEW) and the message; and the file's
conversion rate.  The arguments are read as the pass reads them when it reaches the call: a nested call
this rule rewrites is read as its rewrite (the pass rewrites inside-out).  The libcst hooks only render
the decided variant with the rewritten argument texts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from migrate.model import Safety, Severity
from migrate.plugin import Match, match_at_node
from migrate.tf_to_torch.decide import (
    CONVERT_APPLY,
    RateDecision,
    _Text,
    bind_written,
    inside_out_order,
    module_span,
    not_proven,
    parenthesized,
)
from migrate.tf_to_torch.table import Unmapped

# torch names that are not ops (classes, optimizers, context managers, seeding): never offered to the table
NOT_OPS = ("torch.nn.Module", "torch.nn.Parameter", "torch.optim.", "torch.no_grad", "torch.manual_seed")
_TF_NAME = re.compile(r"\btf(?:\.[A-Za-z_]\w*)+")


@dataclass(frozen=True, eq=False)
class ReverseDecision:
    """A torch call: the ``variant`` of ``entry`` the pass renders, its arguments bound to ``params``."""

    qualified: str
    entry: dict | None = None
    variant: dict | None = None
    params: tuple[str, ...] = ()  # the torch parameter each written argument binds, in written order
    reason: str | None = None  # why the call stays PyTorch (the match is report-only)


def left_message(qualified: str, reason: str) -> str:
    return f"{qualified} left as PyTorch: {reason}"


def converted_message(qualified: str, text: str, review: str | None) -> str:
    return f"{qualified} -> {text}" + (f"; review: {review}" if review else "")


def rate_message(seen: int, converted: int) -> str:
    return f"conversion rate: {converted} of {seen} PyTorch calls converted ({100.0 * converted / seen:.0f}%)"


def is_op(qualified: str) -> bool:
    return qualified.startswith("torch.") and not qualified.startswith(NOT_OPS)


@dataclass
class ReverseDecider:
    """Every TT1501 match of one scanned module (``decide``) when the pass applies the fixes ``apply``."""

    rule: object
    scan: object
    table: dict
    apply: frozenset = CONVERT_APPLY
    matches: dict[int, Match] = field(default_factory=dict)  # id(ast call) -> its match
    effective: dict[int, str] = field(default_factory=dict)  # id(ast call) -> its text once rewritten

    def __post_init__(self) -> None:
        self.source = self.scan.source
        self.text = _Text(self.source)
        self.lines = self.source.splitlines()
        # (the pass spells ``tf.X`` through the file's own alias of tensorflow, else imports it as ``tf``)
        self.tf_alias = next((name for name, target in self.scan.bindings.items() if target == "tensorflow"), "tf")

    def decide(self) -> list[Match] | None:
        from migrate.arguments import calls_by_position

        by_place = calls_by_position(self.scan)
        calls = {}
        for ref in self.scan.references:
            if ref.is_call and is_op(ref.qualified):
                node = by_place.get((ref.line, ref.column))
                if node is not None:
                    calls[id(node)] = (ref.qualified, node)
        if not calls:
            return []  # (the end of the pass may still edit: ``ReverseCallMap.acts_without_matches``)
        for node in inside_out_order([node for _q, node in calls.values()]):
            self._call(*calls[id(node)])
        found = list(self.matches.values())
        converted = sum(1 for m in found if m.finding(self.apply).fixed)
        line, column, end_line, end_column = module_span(self.source)
        found.append(Match(self.rule, line, column, rate_message(len(found), converted), Safety.NONE,
                           severity=Severity.INFO, end_line=end_line, end_column=end_column, fixable=False,
                           payload=RateDecision(len(found), converted)))
        return found

    def _at(self, node, message: str, safety: Safety, **fields) -> Match:
        return match_at_node(self.rule, self.scan, node, message, safety, lines=self.lines, **fields)

    def _call(self, qualified: str, node) -> None:
        entry = self.table.get(qualified)
        try:
            if entry is None:
                raise Unmapped(f"{qualified} has no entry in the torch->TF table")
            if entry.get("verified", {}).get("verdict") != "PASS":
                raise not_proven(qualified, entry)
            variant, params, text = bind_written(self.text, self.source, node, entry, self.effective)
        except Unmapped as exc:
            reason = str(exc)
            self.matches[id(node)] = self._at(node, left_message(qualified, reason), Safety.NONE,
                                              severity=Severity.WARNING, fixable=False,
                                              payload=ReverseDecision(qualified, entry, reason=reason))
            return
        review = variant.get("review")
        safety = Safety.REVIEW if review else self.rule.safety
        match = self._at(node, converted_message(qualified, text, review), safety,
                         payload=ReverseDecision(qualified, entry, variant, params))
        self.matches[id(node)] = match
        if match.finding(self.apply).fixed:  # (what an enclosing call's arguments read)
            self.effective[id(node)] = parenthesized(_TF_NAME.sub(lambda m: self.tf_alias + m.group(0)[2:], text))
