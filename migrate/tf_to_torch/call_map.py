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

import ast
import re

import libcst as cst

from migrate.cstutil import dotted_name
from migrate.facts import facts_for, scan_for
from migrate.model import Safety, Severity
from migrate.plugin import CustomTransform, register
from migrate.tf_to_torch import tensor_methods
from migrate.tf_to_torch.table import (
    TORCH_DTYPES,
    Unmapped,
    bind,
    load_table,
    render,
    short_tf,
)

_TORCH_NAME = re.compile(r"\btorch(?:\.[A-Za-z_]\w*)+")
TODO = "# dlmigrate: TODO(TT1001)"
# TF names handled by other TT rules of this family (not counted as unconverted ops here)
HANDLED_ELSEWHERE = ("tensorflow.GradientTape", "tensorflow.function", "tensorflow.keras.optimizers.",
                     "tensorflow.Variable")


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


def call_arguments(call: cst.Call) -> tuple[list[str], dict[str, str]]:
    """A call's arguments as source text (positional, keyword -> text), for a table entry to bind."""
    positional, keywords = [], {}
    for arg in call.args:
        if arg.star:
            raise Unmapped("*args/**kwargs: the arguments cannot be matched to parameters")
        if arg.keyword is None:
            positional.append(_code(arg.value))
        else:
            keywords[arg.keyword.value] = _code(arg.value)
    return positional, keywords


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def proven(entry: dict) -> bool:
    return entry.get("verified", {}).get("verdict") in ("PASS", "REVIEW")


def compile_loss_positions(scan) -> set[tuple[int, int]]:
    """(line, column) of every call passed as the loss of a ``.compile(...)`` call (keyword or 2nd positional).

    A Keras loss object there belongs to the training rewrite (keras_to_torch TT2001), which reads the
    ``keras.losses`` call itself; replacing it with a torch lambda first would make that rewrite refuse.
    ``scan``: the file's ``ast`` scan (its ``method_calls`` list every ``x.compile(...)``).
    """
    found = set()
    for node in (scan.method_calls or {}).get("compile", ()):
        losses = [k.value for k in node.keywords if k.arg == "loss"] + node.args[1:2]
        found.update((loss.lineno, loss.col_offset) for loss in losses if isinstance(loss, ast.Call))
    return found


def _position(ctx, node) -> tuple[int, int] | None:
    position = ctx._position_of(node)
    return (position.start.line, position.start.column) if position is not None else None


@register("TT1001")
class CallMap(CustomTransform):
    def applies(self, scan) -> bool:
        return any(ref.qualified.startswith("tensorflow") for ref in scan.references)

    def prepare(self, ctx) -> None:
        ctx.facts["tt_seen"] = 0
        ctx.facts["tt_converted"] = 0
        ctx.facts["tt_pending"] = []
        ctx.facts.setdefault("tt_table", load_table())
        ctx.facts["tt_converted_at"] = set()  # (line, column) of every converted call: tensor_methods
        facts = facts_for(ctx)  # the file's shared facts (migrate.facts): def-use, read by tensor_methods
        ctx.facts["tt_bindings"] = tensor_methods.binding_facts(facts)
        ctx.facts["tt_compile_losses"] = compile_loss_positions(scan_for(ctx))

    def on_call(self, ctx, qualified, original, updated):
        if qualified == "tensorflow.function" and len(updated.args) == 1 and updated.args[0].keyword is None \
                and not updated.args[0].star and ctx.may_fix(self.rule):
            # tf.function(fn): eager PyTorch runs fn as it is
            ctx.report(self.rule, original, "tf.function(fn) -> fn (eager PyTorch needs no tracing)", fixed=True)
            return updated.args[0].value
        if not qualified.startswith("tensorflow.") or qualified.startswith(HANDLED_ELSEWHERE):
            return None
        ctx.facts["tt_seen"] += 1
        entry = ctx.facts["tt_table"].get(qualified)
        try:
            if entry is None:
                raise Unmapped(f"{short_tf(qualified)} has no entry in the TF->torch table")
            if entry.get("kind") == "object" and _position(ctx, original) in ctx.facts.get("tt_compile_losses", ()):
                raise Unmapped("a Keras loss object passed to compile() is translated with the model's training "
                               "code (TT2001), not as a standalone callable")
            if not proven(entry):
                verdict = entry.get("verified", {})
                raise Unmapped(f"{short_tf(qualified)} is not proven: {verdict.get('verdict', 'not verified')} "
                               f"{verdict.get('reason', '')}".strip())
            bound = bind(entry, *call_arguments(updated))
            text = render(entry, bound)
        except Unmapped as exc:
            reason = str(exc)
            ctx.facts["tt_pending"].append(reason)
            ctx.report(self.rule, original, f"{short_tf(qualified)} left as TensorFlow: {reason}", fixed=False,
                       severity=Severity.WARNING, safety=Safety.NONE)
            return None
        review = (bound.variant or {}).get("review")
        if entry.get("verified", {}).get("verdict") == "REVIEW":
            review = entry["verified"].get("reason", "a documented difference was measured")
        safety = Safety.REVIEW if review else self.rule.safety
        if not ctx.may_fix(self.rule, safety):
            return None
        new = cst.parse_expression(spell_torch(ctx, text))
        if isinstance(new, (cst.BinaryOperation, cst.UnaryOperation, cst.BooleanOperation, cst.Comparison,
                            cst.IfExp, cst.Lambda)):
            new = new.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        ctx.facts["tt_converted"] += 1
        position = ctx._position_of(original)
        if position is not None:
            ctx.facts["tt_converted_at"].add((position.start.line, position.start.column))
        pitfall = entry.get("pitfall")
        note = f" ({pitfall})" if pitfall else ""
        if review:
            note += f"; review: {review}"
        ctx.report(self.rule, original, f"{short_tf(qualified)} -> {text}{note}", fixed=True, safety=safety)
        return new

    def on_method_call(self, ctx, method, original, updated):
        return tensor_methods.rewrite(self.rule, ctx, method, original, updated)

    def on_statement(self, ctx, original, updated):
        return mark_todo(updated, ctx.facts.get("tt_pending"), TODO)

    def finish(self, ctx, module):
        aliases = {name for name, target in ctx.bindings.items() if target == "tensorflow"}
        module = module.visit(_Dtypes(aliases, ctx))
        module = _drop_tf_imports(module, aliases)
        seen, converted = ctx.facts.get("tt_seen", 0), ctx.facts.get("tt_converted", 0)
        if seen:
            ctx.report(self.rule, ctx.original_module,
                       f"conversion rate: {converted} of {seen} TensorFlow calls converted ({100.0 * converted / seen:.0f}%)",
                       fixed=False, severity=Severity.INFO, safety=Safety.NONE)
        return module


class _Dtypes(cst.CSTTransformer):
    """``tf.float32`` -> ``torch.float32``; ``@tf.function`` decorators dropped."""

    def __init__(self, aliases: set[str], ctx) -> None:
        super().__init__()
        self.aliases = aliases
        self.ctx = ctx

    depth = 0  # inside a call still spelled with TensorFlow: its dtypes stay TF dtypes

    def visit_Call(self, node):
        name = dotted_name(node.func) or ""
        if name.partition(".")[0] in self.aliases:
            self.depth += 1

    def leave_Call(self, original, updated):
        name = dotted_name(original.func) or ""
        if name.partition(".")[0] in self.aliases:
            self.depth -= 1
        return updated

    def leave_Attribute(self, original, updated):
        if self.depth:
            return updated
        dotted = dotted_name(original)
        if not dotted:
            return updated
        head, _, rest = dotted.partition(".")
        if head in self.aliases and rest.removeprefix("dtypes.") in TORCH_DTYPES:
            return cst.parse_expression(self.ctx.spell("torch." + TORCH_DTYPES[rest.removeprefix("dtypes.")]))
        return updated

    def leave_FunctionDef(self, original, updated):
        keep = []
        for decorator in updated.decorators:
            target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
            name = dotted_name(target) or ""
            if name.partition(".")[0] in self.aliases and name.partition(".")[2] == "function":
                continue
            keep.append(decorator)
        if len(keep) != len(updated.decorators):
            lines = updated.leading_lines if keep else (*updated.leading_lines,)
            return updated.with_changes(decorators=keep, leading_lines=lines)
        return updated


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
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if isinstance(small, cst.Import):
        return all((dotted_name(a.name) or "").split(".")[0] == "tensorflow" for a in small.names)
    return False
