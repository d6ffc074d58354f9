"""TT1001: TF calls rewritten through the proven op table, and each file's conversion rate.

Only entries whose verification PASSed (``generated/verified.json``) are applied.
A TF call with no proven entry, or whose arguments fall outside what was proven
(a keyword the entry does not map, a non-literal split size, ...), is left as it
was, gets a finding with the reason and a ``# dlmigrate: TODO(TT1001) reason``
comment on its line.  After the pass, ``import tensorflow as tf`` is replaced by
the torch imports when no TensorFlow reference remains; dtype references
(``tf.float32``) become torch dtypes; ``@tf.function`` is dropped.
"""
from __future__ import annotations

import re

from migrate.callparts import code_of
from migrate.lazycst import cst
from migrate.plugin import CustomTransform, register
from migrate.tf_to_torch import decide, tensor_methods
from migrate.tf_to_torch.decide import (  # noqa: F401
    HANDLED_ELSEWHERE,
    CallDecision,
    MethodDecision,
    proven,
)
from migrate.tf_to_torch.table import Bound, Unmapped, fill, load_table, prepare_bound

_TORCH_NAME = re.compile(r"\btorch(?:\.[A-Za-z_]\w*)+")
TODO = "# dlmigrate: TODO(TT1001)"


def spell_torch(ctx, text: str) -> str:
    """Spell every ``torch.*`` name of ``text`` through the file's imports (``F`` for torch.nn.functional)."""
    def one(match: re.Match) -> str:
        name = match.group(0)
        if name.startswith("torch.nn.functional."):
            alias = ctx.facts.get("tt_functional_alias")
            if alias is None:
                alias = next((local for local, target in ctx.visible_bindings().items()
                              if target == "torch.nn.functional"), None)
            if alias is None:
                alias = "F" if ctx._is_free("F") else "torch.nn.functional"
                if alias == "F":
                    ctx.scheduled_imports["torch.nn.functional"] = "F"
                    ctx.bindings.bind("F", "torch.nn.functional")
                else:
                    ctx.spell("torch.nn.functional")
                ctx.facts["tt_functional_alias"] = alias
            return alias + name[len("torch.nn.functional"):]
        return ctx.spell(name)

    return _TORCH_NAME.sub(one, text)


def mark_todo(statement: cst.SimpleStatementLine, pending: list[str] | None, todo: str):
    """The statement with ``# dlmigrate: TODO(CODE) reasons`` for the calls it left unconverted (``pending``,
    emptied here): as its end-of-line comment, or on a line of its own above it when it has a comment already.
    None when there is nothing to mark or the statement already carries the mark."""
    if not pending:
        return None
    reasons = list(dict.fromkeys(pending))
    pending.clear()
    comment = statement.trailing_whitespace.comment
    if comment is not None and todo in comment.value:
        return None
    text = f"{todo} {'; '.join(reasons)}"
    if comment is not None:
        return statement.with_changes(leading_lines=[*statement.leading_lines, cst.EmptyLine(comment=cst.Comment(text))])
    return statement.with_changes(trailing_whitespace=statement.trailing_whitespace.with_changes(
        whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(text)))


def match_by_span(ctx, custom, original, kind: type):
    """The match ``custom`` made for the original call ``node`` (by its whole span: a method call and the
    call it is made on start at the same place), when its decision is of ``kind``.  ``custom.decide(scan,
    apply)`` makes the matches for a fix selection other than convert's default (``--safe-only``): what a
    call around a fix reads is decided again for it."""
    by_span = ctx.facts.get((custom.code, "by span"))
    if by_span is None:
        if ctx.scan is None:
            matches = None
        elif ctx.apply == decide.CONVERT_APPLY:
            matches = custom.matches(ctx.scan)  # (the matches lint reports)
        else:
            matches = custom.decide(ctx.scan, ctx.apply)
        by_span = ctx.facts[(custom.code, "by span")] = {
            (m.line, m.column, m.end_line, m.end_column): m for m in matches or ()}
    position = ctx._position_of(original)
    if position is None:
        return None
    match = by_span.get((position.start.line, position.start.column + 1, position.end.line, position.end.column + 1))
    return match if match is not None and isinstance(match.payload, kind) else None


def report_rate(ctx, custom, message) -> None:
    """Report the file's decided conversion rate (``decide.RateDecision``), less the calls whose decided rewrite
    the pass could not build from the rewritten arguments (counted in ``ctx.facts[(code, "failed")]``)."""
    by_span = ctx.facts.get((custom.code, "by span")) or {}
    rate = next((m for m in by_span.values() if isinstance(m.payload, decide.RateDecision)), None)
    if rate is None:
        return
    failed = ctx.facts.get((custom.code, "failed"), 0)
    if failed:
        rate = decide.replace(rate, message=message(rate.payload.seen, rate.payload.converted - failed))
    ctx.report_match(rate)


def parse_rewrite(text: str) -> cst.BaseExpression:
    """A rewrite's text as the node the pass splices in: an operation in parentheses (``decide.parenthesized``)."""
    new = cst.parse_expression(text)
    if isinstance(new, (cst.BinaryOperation, cst.UnaryOperation, cst.BooleanOperation, cst.Comparison,
                        cst.IfExp, cst.Lambda)):
        new = new.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return new


@register("TT1001")
class CallMap(CustomTransform):
    """Decides on the ``ast`` scan (``match``: ``migrate.tf_to_torch.decide``); the libcst hooks look the
    decision up and only render it, with the argument texts as rewritten inside-out by the pass."""

    def applies(self, scan) -> bool:
        return any(ref.qualified.startswith("tensorflow") for ref in scan.references)

    def match(self, scan):
        return self.decide(scan, decide.CONVERT_APPLY)

    def decide(self, scan, apply: frozenset):
        """The matches when the pass applies the fixes ``apply`` (``match``: convert's default selection)."""
        training = None
        if any(sibling.code == "TT1002" for sibling in self.siblings):  # (its prepare's facts)
            from migrate.facts import facts_of
            from migrate.tf_to_torch.training import _facts

            training = _facts(facts_of(scan), scan)
        keras_rules = any(sibling.code == "TT2001" for sibling in self.siblings)
        decider = decide.Decider(self.rule, scan, load_table(), training, apply=apply, keras_rules=keras_rules)
        matches = decider.decide()
        if apply == decide.CONVERT_APPLY:  # (what TT1002's optimizer messages read inside their arguments)
            scan.matches[("TT1001", "effective")] = decider.effective
        return matches

    def acts_without_matches(self, scan) -> bool:
        # the end of the pass may edit where nothing is reported (``tf.float32``, ``@tf.function``, the import)
        return any(target == "tensorflow" for _name, target in scan.bindings.items())

    def sites(self, scan):
        return None  # (``prepare`` and ``finish``: the whole module is parsed)

    def prepare(self, ctx) -> None:
        ctx.facts["tt_pending"] = []

    def on_call(self, ctx, qualified, original, updated):
        match = match_by_span(ctx, self, original, CallDecision)
        if match is None:
            return None
        decision: CallDecision = match.payload
        if decision.unwrap:  # tf.function(fn): eager PyTorch runs fn as it is
            return updated.args[0].value if ctx.report_match(match) else None
        if decision.reason is not None:
            ctx.report_match(match)
            ctx.facts["tt_pending"].append(decision.reason)
            return None
        if not match.finding(ctx.apply).fixed:
            ctx.report_match(match)
            return None
        entry = decision.entry
        given = {param: code_of(arg.value) for param, arg in zip(decision.params, updated.args)}
        bound = prepare_bound(entry, Bound(given, decision.variant))
        try:
            text = fill(decision.variant["torch"], bound, entry)  # the arguments as rewritten inside-out
        except Unmapped as exc:  # (a rewritten argument the variant cannot take: left as it was)
            reason = str(exc)
            ctx.report_match(decide.replace(match, message=decide.unmapped_message(qualified, reason),
                                            safety=decide.Safety.NONE, severity=decide.Severity.WARNING,
                                            fixable=False))
            ctx.facts["tt_pending"].append(reason)
            ctx.facts[(self.code, "failed")] = ctx.facts.get((self.code, "failed"), 0) + 1
            return None
        ctx.report_match(decide.replace(match, message=decide.converted_message(qualified, text, decision.note)))
        return parse_rewrite(spell_torch(ctx, text))

    def on_method_call(self, ctx, method, original, updated):
        match = match_by_span(ctx, self, original, MethodDecision)
        if match is None:
            return None
        return tensor_methods.rewrite(ctx, match, updated)

    def on_statement(self, ctx, original, updated):
        return mark_todo(updated, ctx.facts.get("tt_pending"), TODO)

    def finish(self, ctx, module):
        from migrate.tf_to_torch.cst_edits import Dtypes

        aliases = {name for name, target in ctx.bindings.items() if target == "tensorflow"}
        module = module.visit(Dtypes(aliases, ctx))
        module = _drop_tf_imports(module, aliases)
        report_rate(ctx, self, decide.rate_message)
        return module


def _drop_tf_imports(module: cst.Module, aliases: set[str]) -> cst.Module:
    """Remove ``import tensorflow as tf`` when no TF name is used any more (imports are not uses)."""
    if not aliases:
        return module
    class Names(cst.CSTVisitor):
        found = False

        def visit_Import(self, node):
            return False

        def visit_ImportFrom(self, node):
            return False

        def visit_Name(self, node):
            if node.value in aliases:
                Names.found = True

        def visit_Attribute(self, node):
            self.visit_Name(node.value) if isinstance(node.value, cst.Name) else None
            node.value.visit(self)
            return False  # the attribute's own name (x.tf) is not a use of the module

    module.visit(Names())
    if Names.found:
        return module
    return module.with_changes(body=[s for s in module.body if not _is_tf_import(s, aliases)])


def _is_tf_import(statement, aliases) -> bool:
    from migrate.cstutil import dotted_name

    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if isinstance(small, cst.Import):
        return all((dotted_name(a.name) or "").split(".")[0] == "tensorflow" for a in small.names)
    return False
