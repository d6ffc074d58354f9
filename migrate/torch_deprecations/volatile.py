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

import ast

from migrate.callparts import literal
from migrate.lazycst import cst
from migrate.model import Safety
from migrate.plugin import CustomTransform, match_at_node, register
from migrate.resolve import dotted_name_ast, qualify_in_scopes

VARIABLE = {"torch.autograd.Variable", "torch.autograd.variable.Variable"}
_TRAINING_TEXT = (".backward(", ".step(", "autograd.grad", "requires_grad", "yield")
_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While, ast.With,
             ast.AsyncWith, ast.Try, getattr(ast, "TryStar", ast.Try), getattr(ast, "Match", ast.If))


# -- the decision, on the ``ast`` scan (``match``)

def _blocks(tree: ast.Module, lines: list[str]):
    """Statement lists that are the module body or an indented block (one-line suites are not)."""
    yield tree.body
    for node in ast.walk(tree):
        suites = [getattr(node, name, None) for name in ("body", "orelse", "finalbody")]
        if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            suites.extend(handler.body for handler in node.handlers)
        if type(node).__name__ == "Match":
            suites.extend(case.body for case in node.cases)
        for suite in suites:
            if isinstance(suite, list) and suite and isinstance(suite[0], ast.stmt) and not isinstance(node, ast.Module):
                first = suite[0]
                if not lines[first.lineno - 1].encode("utf-8")[:first.col_offset].strip():
                    yield suite


def _volatile_calls(statement: ast.stmt, bindings, source: str):
    """(call, its ``volatile`` keyword, the value is literally True) in one simple statement."""
    for node in ast.walk(statement):
        if not isinstance(node, ast.Call):
            continue
        keyword = next((k for k in node.keywords if k.arg == "volatile"), None)
        dotted = dotted_name_ast(node.func) if keyword is not None else None
        # read with the module's imports, at every depth (as the pass's ``prepare`` did)
        if dotted and qualify_in_scopes(dotted, [], bindings) in VARIABLE:
            yield node, keyword, literal(keyword.value, source) is True


def _clear_scope(rest: list[ast.stmt], previous: ast.stmt | None, lines: list[str]) -> bool:
    for statement in rest:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                  ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal)):
            return False
    # the text of the rest of the block, with the comment lines above it (libcst's leading lines)
    first = previous.end_lineno + 1 if previous is not None else rest[0].lineno
    text = "\n".join(lines[first - 1:rest[-1].end_lineno])
    return not any(t in text for t in _TRAINING_TEXT)


# -- the libcst rewrite

def _volatile_index(call: cst.Call) -> int | None:
    for index, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == "volatile":
            return index
    return None


@register("PT1026")
class Volatile(CustomTransform):
    def applies(self, scan) -> bool:
        return any(ref.qualified in VARIABLE and "volatile" in ref.keywords for ref in scan.references)

    def match(self, scan):
        lines = scan.source.splitlines()
        matches = []
        for block in _blocks(scan.tree, lines):
            found = []  # (call, keyword, true, index of its statement)
            for index, statement in enumerate(block):
                if not isinstance(statement, _COMPOUND):
                    found.extend((*call, index) for call in _volatile_calls(statement, scan.bindings, scan.source))
            marked = [index for _, _, true, index in found if true]
            start = None
            if marked:
                rest = block[marked[0]:]
                if _clear_scope(rest, block[marked[0] - 1] if marked[0] else None, lines):
                    start = block[marked[0]]
            for call, keyword, true, index in found:
                wrapped = start is not None and true  # every volatile=True statement of the block is under no_grad
                unfixed = self.entries["manual_message"] if true else self.entries["plain_message"]
                # payload: the first statement put under no_grad (by position), for the libcst pass
                payload = match_at_node(self.rule, scan, start, "", Safety.NONE).key if wrapped else None
                matches.append(match_at_node(self.rule, scan, keyword, self.rule.message if wrapped else unfixed,
                                             self.rule.safety, unfixed_message=unfixed, payload=payload))
        return matches

    def prepare(self, ctx) -> None:
        # every match is reported here: PT1025 may replace the call before ``on_call`` would see it
        starts = set()
        for match in self.matches(ctx.scan) or ():
            if ctx.report_match(match) and match.payload is not None:
                starts.add(match.payload)  # where no_grad begins
        ctx.facts[self.code] = starts

    def on_call(self, ctx, qualified, original, updated):
        if qualified not in VARIABLE:
            return None
        index = _volatile_index(original)
        match = ctx.match_at(self, original.args[index]) if index is not None else None
        if match is None or not match.finding(ctx.apply).fixed:
            return None
        index = _volatile_index(updated)
        if index is None:
            return None
        return updated.with_changes(args=remove_args(list(updated.args), {index}))

    def on_statement(self, ctx, original, updated):
        starts = ctx.facts.get((self.code, "marked"))
        if starts is None:
            starts = ctx.facts[(self.code, "marked")] = {}
        places = set()
        for small in original.body:  # ``a = 1; b = Variable(...)``: the ast statement is the small one
            position = ctx._position_of(small)
            if position is not None:
                places.add((position.start.line, position.start.column + 1))
        starts[id(updated)] = places
        return None

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        starts: set = ctx.facts.get(self.code, set())
        if not starts:
            return module
        keys: dict[int, set[tuple[int, int]]] = ctx.facts.get((self.code, "marked"), {})

        def wrap(original: list[cst.BaseStatement], body: list[cst.BaseStatement]) -> list[cst.BaseStatement] | None:
            # identity is that of the tree this visit started from; the content is the updated one
            for index, statement in enumerate(original):
                if not keys.get(id(statement), set()) & starts:
                    continue
                rest = body[index:]
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

        return module.visit(Rewrite())


def remove_args(args, drop):
    from migrate.cstutil import remove_args as remove

    return remove(args, drop)
