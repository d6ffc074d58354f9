"""Per-file facts for the PyTorch rules: which expressions are proven 0-dimensional tensors.

A small def-use analysis on Python's ``ast``, with no framework import.  A
value is *proven scalar* (a 0-dim tensor) when it is:

- the result of a loss function ``F.*_loss`` / ``F.cross_entropy`` / ... or
  of ``torch.dot``/``torch.vdot``, without ``reduction='none'``/``reduce=False``;
- the result of calling a loss *module*: ``nn.MSELoss()(a, b)``, or a name
  every one of whose assignments in its scope is a loss module
  (``criterion = nn.CrossEntropyLoss()``), or a parameter or never-assigned
  name ``criterion`` (the universal convention for a loss module passed in);
- a reduction over all elements: ``x.sum()``, ``x.mean()``, ``x.norm()``,
  ``x.prod()``, ``x.max()``, ``x.min()``, ``x.std()``, ``x.var()`` (no
  argument), ``x.dot(y)``, or ``torch.sum(x)`` and friends with one argument;
- ``+ - * /`` of proven scalars and numbers, unary minus of one;
- a name every one of whose assignments in its scope (module or function) is
  one of the above.  A name bound any other way (parameter, loop or ``with``
  target, tuple unpacking, ``global``) is not proven.

Loss constructors and functions are recognised through the file's imports
(``import torch.nn as nn``, ``from torch.nn import MSELoss`` ...), never by a
variable's name, except the ``criterion`` convention above.

``scalar_reads`` lists the 0.3-era scalar reads (``X.data[0]``,
``X.data.numpy()[0]``, ``X.data.cpu().numpy()[0]``) with whether ``X`` is
proven scalar, keyed by the read's position (line, character column).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from migrate.resolve import Bindings, dotted_name_ast, module_bindings_ast

LOSS_FUNCTIONS = frozenset({
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cosine_embedding_loss", "cross_entropy",
    "ctc_loss", "gaussian_nll_loss", "hinge_embedding_loss", "huber_loss", "kl_div", "l1_loss", "margin_ranking_loss",
    "mse_loss", "multi_margin_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss", "nll_loss",
    "poisson_nll_loss", "smooth_l1_loss", "soft_margin_loss", "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
})
_TORCH_SCALAR_FUNCTIONS = frozenset({"torch.dot", "torch.vdot"})
_TORCH_REDUCTIONS = frozenset({"torch.sum", "torch.mean", "torch.prod", "torch.norm", "torch.max", "torch.min",
                               "torch.std", "torch.var", "torch.median"})
_METHOD_REDUCTIONS = frozenset({"sum", "mean", "prod", "norm", "max", "min", "std", "var", "median"})
_LOSS_MODULE_PREFIXES = ("torch.nn.", "torch.nn.modules.loss.")
CONVENTIONAL_LOSS_MODULE_NAMES = frozenset({"criterion"})


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _reduces(call: ast.Call) -> bool:
    """No ``reduction='none'``, ``reduce=False`` or ``**kwargs`` that could say so; literals only."""
    if any(kw.arg is None for kw in call.keywords):
        return False
    reduction = _keyword(call, "reduction")
    if reduction is not None and not (isinstance(reduction, ast.Constant) and reduction.value in ("mean", "sum")):
        return False
    reduce = _keyword(call, "reduce")
    if reduce is not None and not (isinstance(reduce, ast.Constant) and reduce.value is True):
        return False
    size_average = _keyword(call, "size_average")
    if size_average is not None and not isinstance(size_average, ast.Constant):
        return False
    return True


def is_scalar_read(node: ast.Subscript) -> ast.expr | None:
    """The receiver ``X`` of ``X.data[0]``, ``X.data.numpy()[0]`` or ``X.data.cpu().numpy()[0]``, else None."""
    index = node.slice
    if not (isinstance(index, ast.Constant) and index.value == 0 and type(index.value) is int):
        return None
    value = node.value
    if isinstance(value, ast.Call) and not value.args and not value.keywords and isinstance(value.func, ast.Attribute) \
            and value.func.attr == "numpy":
        inner = value.func.value
        if isinstance(inner, ast.Call) and not inner.args and not inner.keywords and isinstance(inner.func, ast.Attribute) \
                and inner.func.attr == "cpu":
            inner = inner.func.value
        value = inner
    if isinstance(value, ast.Attribute) and value.attr == "data":
        return value.value
    return None


@dataclass(frozen=True)
class ScalarRead:
    line: int
    column: int  # 0-based character column of the subscript's start
    proven: bool
    receiver: str  # source text of X


class _Scope:
    def __init__(self, node: ast.AST, parent: "_Scope | None") -> None:
        self.node = node
        self.parent = parent
        self.assigned: dict[str, list[ast.expr | None]] = {}  # None: bound some way we cannot judge
        self.params: set[str] = set()

    def bind(self, name: str, value: ast.expr | None) -> None:
        self.assigned.setdefault(name, []).append(value)


class _Collector(ast.NodeVisitor):
    """Scopes, every binding of each name, and which scope each Name load and scalar read belongs to."""

    def __init__(self) -> None:
        self.module_scope: _Scope | None = None
        self.stack: list[_Scope] = []
        self.scope_of: dict[int, _Scope] = {}  # id(expression node) -> scope it is evaluated in
        self.reads: list[tuple[ast.Subscript, ast.expr, _Scope]] = []

    def visit_Module(self, node: ast.Module) -> None:
        self.module_scope = _Scope(node, None)
        self.stack.append(self.module_scope)
        self.generic_visit(node)
        self.stack.pop()

    def _function(self, node) -> None:
        outer = self.stack[-1]
        if not isinstance(node, ast.Lambda):
            outer.bind(node.name, None)
            for decorator in node.decorator_list:
                self.visit(decorator)
        for default in (*node.args.defaults, *node.args.kw_defaults):
            if default is not None:
                self.visit(default)
        scope = _Scope(node, outer)
        args = node.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                scope.bind(arg.arg, None)
                scope.params.add(arg.arg)
        self.stack.append(scope)
        for child in (node.body if isinstance(node.body, list) else [node.body]):
            self.visit(child)
        self.stack.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.stack[-1].bind(node.name, None)
        for child in (*node.bases, *node.keywords, *node.decorator_list):
            self.visit(child)
        # a class body's names are not visible to its methods: its own scope, never looked up from inside
        scope = _Scope(node, self.stack[-1])
        self.stack.append(scope)
        for child in node.body:
            self.visit(child)
        self.stack.pop()

    def _targets(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            self.stack[-1].bind(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._targets(element.value if isinstance(element, ast.Starred) else element, None)
        elif isinstance(target, ast.Starred):
            self._targets(target.value, None)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._targets(target, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._targets(node.target, node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._targets(node.target, None)
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._targets(node.target, node.value)
        self.generic_visit(node)

    def _loop(self, node) -> None:
        self._targets(node.target, None)
        self.generic_visit(node)

    visit_For = visit_AsyncFor = _loop

    def visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self._targets(node.optional_vars, None)
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.stack[-1].bind(node.name, None)
        self.generic_visit(node)

    def _import(self, node) -> None:
        for alias in node.names:
            if alias.name != "*":
                self.stack[-1].bind((alias.asname or alias.name).split(".")[0], None)

    visit_Import = visit_ImportFrom = _import

    def _global(self, node) -> None:
        for name in node.names:
            self.stack[-1].bind(name, None)

    visit_Global = visit_Nonlocal = _global

    def _comprehension(self, node) -> None:
        # loop variables of a comprehension are its own; they never carry facts
        scope = _Scope(node, self.stack[-1])
        for generator in node.generators:
            for name in ast.walk(generator.target):
                if isinstance(name, ast.Name):
                    scope.bind(name.id, None)
        self.stack.append(scope)
        self.generic_visit(node)
        self.stack.pop()

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_Name(self, node: ast.Name) -> None:
        self.scope_of[id(node)] = self.stack[-1]

    def visit_Call(self, node: ast.Call) -> None:
        self.scope_of[id(node)] = self.stack[-1]
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Load):
            receiver = is_scalar_read(node)
            if receiver is not None:
                self.reads.append((node, receiver, self.stack[-1]))
        self.generic_visit(node)


class Facts:
    """What one module's code proves about its values (see the module docstring)."""

    def __init__(self, tree: ast.Module, bindings: Bindings) -> None:
        self.bindings = bindings
        self.collector = _Collector()
        self.collector.visit(tree)
        self._scalar: dict[tuple[int, str], bool] = {}  # (id(scope), name) -> proven scalar
        self._loss_module: dict[tuple[int, str], bool] = {}
        self._solve()

    @classmethod
    def from_source(cls, source: str, filename: str = "<unknown>", bindings: Bindings | None = None) -> "Facts":
        """``bindings``: the module's import bindings when already known (star imports included)."""
        tree = ast.parse(source, filename=filename)
        if bindings is None:
            bindings = module_bindings_ast(tree, may_declare_global="global" in source)
        return cls(tree, bindings)

    # -- name lookup: innermost function scope binding the name, skipping class bodies
    def _binding_scope(self, name: str, scope: "_Scope") -> "_Scope | None":
        current: _Scope | None = scope
        first = True
        while current is not None:
            if (first or not isinstance(current.node, ast.ClassDef)) and name in current.assigned:
                return current
            first = False
            current = current.parent
        return None

    def _qualify(self, node: ast.expr) -> str | None:
        dotted = dotted_name_ast(node)
        if dotted is None:
            return None
        root = dotted.split(".", 1)[0]
        inner = node
        while isinstance(inner, ast.Attribute):
            inner = inner.value
        scope = self.collector.scope_of.get(id(inner))
        if scope is not None:
            owner = self._binding_scope(root, scope)
            if owner is not None and owner is not self.collector.module_scope:
                return None  # a local name shadows the import
        return self.bindings.qualify(dotted)

    # -- fixed point over name facts: start from "everything unproven" and only ever prove more
    def _solve(self) -> None:
        scopes: list[_Scope] = []
        seen: set[int] = set()
        for scope in self.collector.scope_of.values():
            if id(scope) not in seen:
                seen.add(id(scope))
                scopes.append(scope)
        all_scopes: list[_Scope] = []
        stack = list(scopes)
        seen = set()
        while stack:
            scope = stack.pop()
            if id(scope) in seen:
                continue
            seen.add(id(scope))
            all_scopes.append(scope)
            if scope.parent is not None:
                stack.append(scope.parent)
        for _ in range(8):
            changed = False
            for scope in all_scopes:
                for name, values in scope.assigned.items():
                    key = (id(scope), name)
                    if not self._scalar.get(key) and values and all(v is not None and self.is_scalar(v) for v in values):
                        self._scalar[key] = changed = True
                    if not self._loss_module.get(key) and values and all(
                            v is not None and self.is_loss_module(v) for v in values):
                        self._loss_module[key] = changed = True
            if not changed:
                break

    def _name_fact(self, node: ast.Name, table: dict[tuple[int, str], bool]) -> bool | None:
        """True/False from the name's bindings; None when only a parameter or nothing binds it here."""
        scope = self.collector.scope_of.get(id(node))
        if scope is None:
            return False
        owner = self._binding_scope(node.id, scope)
        if owner is None:
            return None  # never bound in this file
        if node.id in owner.params and len(owner.assigned[node.id]) == 1:
            return None  # a parameter: whatever the caller passes
        return table.get((id(owner), node.id), False)

    def is_loss_module(self, node: ast.expr) -> bool:
        """A loss module instance: ``nn.XLoss(...)`` that reduces, or a name that always holds one."""
        if isinstance(node, ast.Call):
            qualified = self._qualify(node.func)
            return (qualified is not None and qualified.startswith(_LOSS_MODULE_PREFIXES)
                    and qualified.endswith("Loss") and _reduces(node))
        if isinstance(node, ast.Name):
            fact = self._name_fact(node, self._loss_module)
            if fact is None:
                return node.id in CONVENTIONAL_LOSS_MODULE_NAMES
            return fact
        return False

    def is_scalar(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return bool(self._name_fact(node, self._scalar))  # a parameter is never proven scalar
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            left, right = self.is_scalar(node.left), self.is_scalar(node.right)
            return (left or _is_number(node.left)) and (right or _is_number(node.right)) and (left or right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return self.is_scalar(node.operand)
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if self.is_loss_module(func):
            return True
        qualified = self._qualify(func)
        if qualified is not None:
            module, _, last = qualified.rpartition(".")
            if module == "torch.nn.functional" and last in LOSS_FUNCTIONS:
                return _reduces(node)
            if qualified in _TORCH_SCALAR_FUNCTIONS:
                return True
            if qualified in _TORCH_REDUCTIONS:
                return len(node.args) == 1 and not node.keywords
            return False
        if isinstance(func, ast.Attribute) and not node.keywords:
            if func.attr in _METHOD_REDUCTIONS and not node.args:
                return True
            if func.attr == "dot" and len(node.args) == 1:
                return True
        return False

    def scalar_reads(self, source_lines: list[str]) -> list[ScalarRead]:
        reads = []
        for subscript, receiver, _scope in self.collector.reads:
            column = _char_column(source_lines, subscript.lineno, subscript.col_offset)
            reads.append(ScalarRead(subscript.lineno, column, self.is_scalar(receiver),
                                    ast.get_source_segment("\n".join(source_lines), receiver) or ""))
        return reads


def _is_number(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)


def _char_column(lines: list[str], line: int, byte_col: int) -> int:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if text.isascii():
        return byte_col
    return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))
