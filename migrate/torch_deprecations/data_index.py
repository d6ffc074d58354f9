"""PT1027: 0.3-era scalar reads ``X.data[0]`` / ``X.data.numpy()[0]`` / ``X.data.cpu().numpy()[0]`` -> ``X.item()``.

Before PyTorch 0.4 a loss was a one-element tensor and these read its value;
now it is 0-dimensional and indexing raises.  ``.item()`` is the replacement,
but only for 0-dim tensors: on a batch ``out.data[0]`` is still the first
image.  Whether ``X`` is 0-dim is decided by the per-file facts
(``migrate/torch_deprecations/facts.py``): a loss function or loss-module
result, a full reduction, ``torch.dot``, or a name that only ever holds one.
Those reads are fixed (safe); any other is reported with the rewrite that keeps
today's meaning (``X.detach()[0]``), never rewritten.

The engine has no hook for subscripts: sites are decided on the original tree
(positions) and rewritten on the final tree, matched in traversal order (the
other rules never add or remove such reads; if the counts differ nothing is
rewritten).
"""
from __future__ import annotations

import ast
from functools import cache

from migrate.lazycst import cst
from migrate.model import Safety
from migrate.plugin import CustomTransform, match_at_node, register, source_segment
from migrate.torch_deprecations.facts import Facts


def _is_zero(node: cst.Subscript) -> bool:
    if len(node.slice) != 1:
        return False
    index = node.slice[0].slice
    return isinstance(index, cst.Index) and isinstance(index.value, cst.Integer) and index.value.value == "0"


def _bare_call(node: cst.BaseExpression, method: str) -> cst.BaseExpression | None:
    """The receiver of ``receiver.method()`` (no arguments), else None."""
    if isinstance(node, cst.Call) and not node.args and isinstance(node.func, cst.Attribute) \
            and node.func.attr.value == method:
        return node.func.value
    return None


def scalar_read_receiver(node: cst.Subscript) -> cst.BaseExpression | None:
    """``X`` for ``X.data[0]``, ``X.data.numpy()[0]``, ``X.data.cpu().numpy()[0]``; else None."""
    if not _is_zero(node):
        return None
    value = node.value
    inner = _bare_call(value, "numpy")
    if inner is not None:
        value = _bare_call(inner, "cpu") or inner
    if isinstance(value, cst.Attribute) and value.attr.value == "data":
        return value.value
    return None


@cache
def _sites_class():
    """The libcst visitor, built on first use (``lint`` decides on the ``ast`` and never imports libcst)."""

    class _Sites(cst.CSTVisitor):
        """Scalar-read subscripts that are read, not assigned to, in traversal order."""

        def __init__(self) -> None:
            self.targets: set[int] = set()
            self.found: list[cst.Subscript] = []

        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            self.targets.add(id(node.target))

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            self.targets.add(id(node.target))

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            self.targets.add(id(node.target))

        def visit_Del(self, node: cst.Del) -> None:
            self.targets.add(id(node.target))

        def visit_Subscript(self, node: cst.Subscript) -> None:
            if id(node) not in self.targets and scalar_read_receiver(node) is not None:
                self.found.append(node)

    return _Sites


def _is_zero_ast(node: ast.Subscript, source: str) -> bool:
    index = node.slice
    return (isinstance(index, ast.Constant) and type(index.value) is int and index.value == 0
            and source_segment(source, index) == "0")


def _bare_call_ast(node: ast.expr, method: str) -> ast.expr | None:
    if isinstance(node, ast.Call) and not node.args and not node.keywords and isinstance(node.func, ast.Attribute) \
            and node.func.attr == method:
        return node.func.value
    return None


def scalar_read_receiver_ast(node: ast.Subscript, source: str) -> ast.Attribute | None:
    """The ``X.data`` attribute of ``X.data[0]``, ``X.data.numpy()[0]``, ``X.data.cpu().numpy()[0]``; else None."""
    if not _is_zero_ast(node, source):
        return None
    value = node.value
    inner = _bare_call_ast(value, "numpy")
    if inner is not None:
        value = _bare_call_ast(inner, "cpu") or inner
    if isinstance(value, ast.Attribute) and value.attr == "data":
        return value
    return None


def scalar_read_sites(tree: ast.Module, source: str) -> list[ast.Subscript]:
    """Scalar-read subscripts that are read, not assigned to (as the libcst ``_Sites`` sees them)."""
    targets: set[int] = set()
    subscripts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            subscripts.append(node)
        elif isinstance(node, ast.Assign):
            targets.update(id(t) for t in node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets.add(id(node.target))
        elif isinstance(node, ast.Delete) and len(node.targets) == 1:
            targets.add(id(node.targets[0]))
    # in source order (ast.walk is breadth-first)
    found = [node for node in subscripts if id(node) not in targets and scalar_read_receiver_ast(node, source) is not None]
    return sorted(found, key=lambda node: (node.lineno, node.col_offset))


def _with_detach_ast(node: ast.Subscript, source: str) -> str:
    data = scalar_read_receiver_ast(node, source)
    receiver = data.value
    written = source_segment(source, data) or ""
    text = written[:written.rindex(".")].rstrip()  # the receiver with its own parentheses
    receiver_text = text
    if not isinstance(receiver, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
        text = f"({text})"
    tail = (source_segment(source, node.value) or "")[len(receiver_text):].replace(".data", ".detach()", 1)
    return f"{text}{tail}[0]"


@register("PT1027")
class DataIndex(CustomTransform):
    def applies(self, scan) -> bool:
        return "torch" in scan.imported_roots()

    def match(self, scan):
        if "data" not in scan.source:  # the attribute's name is written in every site
            return []
        found = scalar_read_sites(scan.tree, scan.source)
        if not found:
            return []
        facts = Facts(scan.tree, scan.bindings)  # the scan's parse: no second one
        proven = {(r.line, r.column): r.proven for r in facts.scalar_reads(scan.source.splitlines())}
        matches = []
        for node in found:
            match = match_at_node(self.rule, scan, node, self.rule.message, Safety.SAFE)
            if not proven.get((match.line, match.column - 1), False):
                message = self.entries["unsure_message"].format(suggestion=_with_detach_ast(node, scan.source))
                match = match_at_node(self.rule, scan, node, message, Safety.NONE, fixable=False)
            matches.append(match)
        return matches

    def prepare(self, ctx) -> None:
        sites = _sites_class()()
        ctx.original_module.visit(sites)
        if not sites.found:
            return
        decisions = []
        for node in sites.found:
            match = ctx.match_at(self, node)  # decided on the ast scan
            decisions.append(match is not None and ctx.report_match(match))
        ctx.facts[self.code] = decisions

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        decisions = ctx.facts.get(self.code)
        if not decisions or not any(decisions):
            return module
        sites = _sites_class()()
        module.visit(sites)
        if len(sites.found) != len(decisions):
            return module  # another rule changed the reads: leave them (the findings stay)
        chosen = {id(node) for node, fix in zip(sites.found, decisions) if fix}

        class Rewrite(cst.CSTTransformer):
            def leave_Subscript(self, original_node, updated_node):
                if id(original_node) not in chosen:
                    return updated_node
                item = cst.Attribute(value=scalar_read_receiver(updated_node), attr=cst.Name("item"))
                return cst.Call(func=item, lpar=updated_node.lpar, rpar=updated_node.rpar)

        return module.visit(Rewrite())
