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

import libcst as cst

from migrate.model import Safety
from migrate.plugin import CustomTransform, register

_FUNCTION_BASES = {"torch.autograd.Function", "torch.autograd.function.Function"}


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _methods(node: cst.ClassDef) -> dict[str, cst.FunctionDef]:
    return {s.name.value: s for s in node.body.body if isinstance(s, cst.FunctionDef)}


def _first_param(func: cst.FunctionDef) -> str | None:
    params = func.params.params
    return params[0].name.value if params else None


class _Names(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.count += 1


def _count(node: cst.CSTNode, name: str) -> int:
    names = _Names(name)
    node.visit(names)
    return names.count


def _old_style_reason(node: cst.ClassDef) -> str | None:
    """None when the class can be rewritten; otherwise why not."""
    methods = _methods(node)
    for statement in node.body.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value in ("forward", "backward"):
            continue
        if not _is_docstring(statement):
            return "the class has other members than forward/backward (constructor arguments or helpers need a manual port)"
    if "backward" not in methods:
        return "there is no backward method"
    for func in methods.values():
        if func.decorators:
            return "forward/backward are decorated"
        if _first_param(func) != "self" or func.params.star_kwarg is not None or func.params.kwonly_params:
            return "forward/backward do not take (self, positional arguments)"
        if _count(func, "ctx"):
            return "the methods already use a name `ctx`"
    return None


class _RenameSelf(cst.CSTTransformer):
    def leave_Name(self, original_node, updated_node):
        return updated_node.with_changes(value="ctx") if updated_node.value == "self" else updated_node


def _static(func: cst.FunctionDef) -> cst.FunctionDef:
    renamed = func.visit(_RenameSelf())
    return renamed.with_changes(decorators=[cst.Decorator(decorator=cst.Name("staticmethod"))])


def _is_instance_call(node: cst.Call, name: str) -> bool:
    """``Name()(args)`` with positional arguments only."""
    inner = node.func
    return (isinstance(inner, cst.Call) and isinstance(inner.func, cst.Name) and inner.func.value == name
            and not inner.args and all(a.keyword is None and a.star != "**" for a in node.args))


class _Uses(cst.CSTVisitor):
    """Uses of a class name: all of them, and those in the ``Name()(...)`` pattern."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.total = 0
        self.calls = 0

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        for part in (*node.decorators, *node.bases, *node.keywords, node.body):
            part.visit(self)
        return False  # its own name is a definition, not a use

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.total += 1

    def visit_Call(self, node: cst.Call) -> None:
        if _is_instance_call(node, self.name):
            self.calls += 1


@register("PT1044")
class OldAutogradFunction(CustomTransform):
    def applies(self, scan) -> bool:
        return "torch" in scan.imported_roots()

    def _candidates(self, ctx, module: cst.Module) -> list[cst.ClassDef]:
        found = []
        for statement in module.body:
            if not isinstance(statement, cst.ClassDef):
                continue
            if not any(ctx.qualify(base.value) in _FUNCTION_BASES for base in statement.bases if base.keyword is None):
                continue
            forward = _methods(statement).get("forward")
            if forward is None or any(
                    isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod" for d in forward.decorators):
                continue
            found.append(statement)
        return found

    def prepare(self, ctx) -> None:
        plan = {}
        for node in self._candidates(ctx, ctx.original_module):
            name = node.name.value
            reason = _old_style_reason(node)
            if reason is None:
                uses = _Uses(name)
                ctx.original_module.visit(uses)
                # the name appears once per pattern use; anything else is another use
                if uses.total != uses.calls:
                    reason = f"`{name}` is used other than as `{name}()(...)`; change those uses to `{name}.apply(...)` by hand"
            if reason is not None:
                ctx.report(self.rule, node, f"{self.rule.message} (needs a manual change: {reason})", fixed=False,
                           safety=Safety.NONE)
                continue
            fixed = ctx.may_fix(self.rule)
            ctx.report(self.rule, node, self.rule.message, fixed=fixed)
            if fixed:
                plan[name] = True
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
