"""PT1044: old-style autograd Functions (instance ``forward``/``backward``) -> static methods taking ``ctx``.

Since PyTorch 1.3 calling an instance of a Function with a non-static
``forward`` raises RuntimeError.  The new style is the same code with
``@staticmethod``, ``ctx`` in place of ``self`` (``ctx`` has
``save_for_backward``, ``saved_tensors``, ``needs_input_grad``,
``mark_dirty``, ``mark_non_differentiable`` and takes any attribute set in
``forward``), and call sites ``Fn()(x)`` become ``Fn.apply(x)``.

Rewritten (review) only when that is the whole story: the class body holds
just ``forward``/``backward`` (and a docstring), neither is decorated, neither
mentions a name ``ctx`` already, and every use of the class in the module is
``Fn()(positional arguments)``.  A class with ``__init__`` (constructor
arguments become ``apply`` arguments) or used any other way gets a finding.
"""
from __future__ import annotations

import ast
import io
import tokenize
from functools import cache

from migrate.lazycst import cst
from migrate.model import Safety
from migrate.plugin import CustomTransform, match_at_node, register, source_segment
from migrate.resolve import dotted_name_ast, qualify_in_scopes

_FUNCTION_BASES = {"torch.autograd.Function", "torch.autograd.function.Function"}


# -- the decision, on the ``ast`` scan (``match``); the libcst side only rewrites what it decided

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
        and isinstance(statement.value.value, (str, bytes))


def _methods(node: ast.ClassDef) -> dict[str, ast.FunctionDef]:
    return {s.name: s for s in node.body if isinstance(s, _FUNCTIONS)}


def _name_tokens(text: str) -> list[str]:
    """The identifiers written in ``text`` (not in strings or comments)."""
    try:
        return [t.string for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type == tokenize.NAME]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []


def _old_style_reason(node: ast.ClassDef, source: str) -> str | None:
    """None when the class can be rewritten; otherwise why not."""
    methods = _methods(node)
    for statement in node.body:
        if isinstance(statement, _FUNCTIONS) and statement.name in ("forward", "backward"):
            continue
        if not _is_docstring(statement):
            return "the class has other members than forward/backward (constructor arguments or helpers need a manual port)"
    if "backward" not in methods:
        return "there is no backward method"
    for func in methods.values():
        if func.decorator_list:
            return "forward/backward are decorated"
        params = func.args
        if not params.args or params.args[0].arg != "self" or params.kwarg is not None or params.kwonlyargs:
            return "forward/backward do not take (self, positional arguments)"
        if "ctx" in _name_tokens(source_segment(source, func) or ""):
            return "the methods already use a name `ctx`"
    return None


def _is_instance_call_ast(node: ast.Call, name: str) -> bool:
    """``Name()(args)`` with positional arguments only."""
    inner = node.func
    return (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == name
            and not inner.args and not inner.keywords and not node.keywords)


def _uses(tree: ast.Module, source: str, name: str) -> tuple[int, int]:
    """(every use of ``name`` in the module, uses in the ``Name()(...)`` pattern); a ``class name`` is no use."""
    tokens = _name_tokens(source)
    total = sum(1 for token in tokens if token == name)
    total -= sum(1 for before, token in zip(tokens, tokens[1:]) if before == "class" and token == name)
    calls = sum(1 for node in ast.walk(tree) if isinstance(node, ast.Call) and _is_instance_call_ast(node, name))
    return total, calls


# -- the libcst rewrite

@cache
def _rename_self():
    class _RenameSelf(cst.CSTTransformer):
        def leave_Name(self, original_node, updated_node):
            return updated_node.with_changes(value="ctx") if updated_node.value == "self" else updated_node

    return _RenameSelf


def _static(func: cst.FunctionDef) -> cst.FunctionDef:
    renamed = func.visit(_rename_self()())
    return renamed.with_changes(decorators=[cst.Decorator(decorator=cst.Name("staticmethod"))])


def _is_instance_call(node: cst.Call, name: str) -> bool:
    """``Name()(args)`` with positional arguments only."""
    inner = node.func
    return (isinstance(inner, cst.Call) and isinstance(inner.func, cst.Name) and inner.func.value == name
            and not inner.args and all(a.keyword is None and a.star != "**" for a in node.args))


@register("PT1044")
class OldAutogradFunction(CustomTransform):
    def applies(self, scan) -> bool:
        return "torch" in scan.imported_roots()

    def _candidates(self, scan) -> list[ast.ClassDef]:
        found = []
        for statement in scan.tree.body:
            if not isinstance(statement, ast.ClassDef):
                continue
            # bases are read with the module's imports
            bases = (dotted_name_ast(base) for base in statement.bases)
            if not any(dotted and qualify_in_scopes(dotted, [], scan.bindings) in _FUNCTION_BASES for dotted in bases):
                continue
            forward = _methods(statement).get("forward")
            if forward is None or any(
                    isinstance(d, ast.Name) and d.id == "staticmethod" for d in forward.decorator_list):
                continue
            found.append(statement)
        return found

    def match(self, scan):
        matches = []
        for node in self._candidates(scan):
            name = node.name
            reason = _old_style_reason(node, scan.source)
            if reason is None:
                total, calls = _uses(scan.tree, scan.source, name)
                # the name appears once per pattern use; anything else is another use
                if total != calls:
                    reason = f"`{name}` is used other than as `{name}()(...)`; change those uses to `{name}.apply(...)` by hand"
            if reason is not None:
                matches.append(match_at_node(self.rule, scan, node, f"{self.rule.message} (needs a manual change: {reason})",
                                             Safety.NONE, fixable=False))
            else:
                matches.append(match_at_node(self.rule, scan, node, self.rule.message, self.rule.safety, payload=name))
        return matches

    def prepare(self, ctx) -> None:
        plan = {}
        for statement in ctx.original_module.body:
            match = ctx.match_at(self, statement) if isinstance(statement, cst.ClassDef) else None
            if match is not None and ctx.report_match(match):
                plan[match.payload] = True
        ctx.facts[self.code] = plan

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        plan = ctx.facts.get(self.code)
        if not plan:
            return module

        class Rewrite(cst.CSTTransformer):
            def leave_ClassDef(self, original_node, updated_node):
                if updated_node.name.value not in plan:
                    return updated_node
                body = [_static(s) if isinstance(s, cst.FunctionDef) else s for s in updated_node.body.body]
                return updated_node.with_changes(body=updated_node.body.with_changes(body=body))

            def leave_Call(self, original_node, updated_node):
                for name in plan:
                    if _is_instance_call(updated_node, name):
                        apply = cst.Attribute(value=cst.Name(name), attr=cst.Name("apply"))
                        return updated_node.with_changes(func=apply)
                return updated_node

        return module.visit(Rewrite())
