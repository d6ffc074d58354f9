"""PT1026: ``Variable(x, volatile=True)`` -> the keyword removed and the inference under ``torch.no_grad()``.

``volatile`` is accepted and ignored since PyTorch 0.4, so deleting it alone
keeps the program running but silently turns gradient tracking back on (more
memory; ``requires_grad`` of the results flips to True).  Where the scope is
clear the statement and the rest of its block are wrapped in
``with torch.no_grad():``.  Clear means: the rest of the block never trains
(no ``.backward(``, ``.step(``, ``autograd.grad``, ``requires_grad``), never
defines functions or classes or imports, and never yields.  Otherwise the
keyword is removed and the finding asks for the block by hand.

``Variable`` removal (PT1025) drops the keyword on its own when it removes the
wrapper, so findings are reported from the original tree, and the statement is
recognised on the way out of the engine's pass by its original node.
"""
from __future__ import annotations

import libcst as cst

from migrate.cstutil import remove_args
from migrate.plugin import CustomTransform, register
from migrate.torch_deprecations.util import literal

VARIABLE = {"torch.autograd.Variable", "torch.autograd.variable.Variable"}
_TRAINING_TEXT = (".backward(", ".step(", "autograd.grad", "requires_grad", "yield")


def _volatile_index(call: cst.Call) -> int | None:
    for index, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == "volatile":
            return index
    return None


class _VolatileCalls(cst.CSTVisitor):
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.calls: list[tuple[cst.Call, bool]] = []  # (call, volatile is literally True)

    def visit_Call(self, node: cst.Call) -> None:
        index = _volatile_index(node)
        if index is not None and self.ctx.qualify(node.func) in VARIABLE:
            self.calls.append((node, literal(node.args[index].value) is True))


class _Statements(cst.CSTVisitor):
    """Each ``volatile=`` Variable call with the simple statement holding it."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.calls: list[tuple[cst.Call, bool, int]] = []  # (call, volatile=True literally, id(statement))
        self.statements: set[int] = set()  # statements with a volatile=True call

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        calls = _VolatileCalls(self.ctx)
        node.visit(calls)
        for call, true in calls.calls:
            self.calls.append((call, true, id(node)))
            if true:
                self.statements.add(id(node))
        return False


def _clear_scope(rest: list[cst.BaseStatement]) -> bool:
    module = cst.Module([])
    for statement in rest:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            return False
        text = module.code_for_node(statement)
        if any(t in text for t in _TRAINING_TEXT):
            return False
        if isinstance(statement, cst.SimpleStatementLine) and any(
                isinstance(s, (cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal)) for s in statement.body):
            return False
    return True


@register("PT1026")
class Volatile(CustomTransform):
    def applies(self, scan) -> bool:
        return any(ref.qualified in VARIABLE and "volatile" in ref.keywords for ref in scan.references)

    def prepare(self, ctx) -> None:
        statements = _Statements(ctx)
        ctx.original_module.visit(statements)
        ctx.facts[self.code] = {"found": statements, "marked": {}, "fixed": ctx.may_fix(self.rule)}

    def on_call(self, ctx, qualified, original, updated):
        state = ctx.facts.get(self.code)  # None: prepare did not run (the file has no volatile=)
        if qualified not in VARIABLE or state is None or not state["fixed"]:
            return None
        index = _volatile_index(updated)
        if index is None:
            return None
        return updated.with_changes(args=remove_args(list(updated.args), {index}))

    def on_statement(self, ctx, original, updated):
        state = ctx.facts.get(self.code)
        if state is not None and state["fixed"] and id(original) in state["found"].statements:
            state["marked"][id(updated)] = id(original)
            return updated
        return None

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        state = ctx.facts.get(self.code)
        if state is None:
            return module
        marked: dict[int, int] = state["marked"]
        wrapped: set[int] = set()  # original statements now under no_grad

        def wrap(original: list[cst.BaseStatement], body: list[cst.BaseStatement]) -> list[cst.BaseStatement] | None:
            # identity is that of the tree this visit started from; the content is the updated one
            for index, statement in enumerate(original):
                if id(statement) not in marked:
                    continue
                rest = body[index:]
                if not _clear_scope(rest):
                    return None
                wrapped.update(marked[id(node)] for node in original[index:] if id(node) in marked)
                block = cst.With(
                    items=[cst.WithItem(item=cst.parse_expression(f"{ctx.spell('torch.no_grad')}()"))],
                    body=cst.IndentedBlock(body=[rest[0].with_changes(leading_lines=()), *rest[1:]]),
                    leading_lines=rest[0].leading_lines,
                )
                return [*body[:index], block]
            return None

        class Rewrite(cst.CSTTransformer):
            def leave_IndentedBlock(self, original_node, updated_node):
                body = wrap(list(original_node.body), list(updated_node.body))
                return updated_node if body is None else updated_node.with_changes(body=body)

            def leave_Module(self, original_node, updated_node):
                body = wrap(list(original_node.body), list(updated_node.body))
                return updated_node if body is None else updated_node.with_changes(body=body)

        if marked:
            module = module.visit(Rewrite())
        for call, true, statement in state["found"].calls:
            if statement in wrapped:
                message = self.rule.message
            elif true:
                message = self.entries["manual_message"]
            else:
                message = self.entries["plain_message"]
            ctx.report(self.rule, call.args[_volatile_index(call)], message, fixed=state["fixed"])  # at the keyword
        return module
