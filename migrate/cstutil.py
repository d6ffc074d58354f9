"""Small libcst helpers shared by the engine and the custom transforms."""
from __future__ import annotations

import libcst as cst

NO_SPACE = cst.SimpleWhitespace("")


def dotted_name(node: cst.BaseExpression) -> str | None:
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def build_dotted(dotted: str) -> cst.Name | cst.Attribute:
    parts = dotted.split(".")
    node: cst.Name | cst.Attribute = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def keyword_arg(name: str, value: cst.BaseExpression, like: cst.Arg | None = None) -> cst.Arg:
    """A ``name=value`` argument that keeps the comma and spacing of ``like``."""
    arg = cst.Arg(
        value=value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(whitespace_before=NO_SPACE, whitespace_after=NO_SPACE),
    )
    if like is not None:
        arg = arg.with_changes(comma=like.comma, whitespace_after_arg=like.whitespace_after_arg)
    return arg


def remove_args(args: list[cst.Arg], drop: set[int]) -> list[cst.Arg]:
    """Drop arguments by index; the new last argument inherits the dropped one's trailing comma."""
    if not drop:
        return args
    kept = [a for i, a in enumerate(args) if i not in drop]
    if kept and (len(args) - 1) in drop:
        kept[-1] = kept[-1].with_changes(comma=args[-1].comma)
    return kept


def is_atomic(node: cst.BaseExpression) -> bool:
    """Can ``node`` stand as an operand without parentheses?"""
    return bool(node.lpar) or isinstance(
        node,
        (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float, cst.Imaginary,
         cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.List, cst.Tuple, cst.Dict, cst.Set),
    )


def parenthesize(node: cst.BaseExpression) -> cst.BaseExpression:
    if is_atomic(node):
        return node
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def bound_names_in_target(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        names: list[str] = []
        for element in target.elements:
            names.extend(bound_names_in_target(element.value))
        return names
    if isinstance(target, cst.StarredElement):
        return bound_names_in_target(target.value)
    return []


class _LocalBindingCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.scope: dict[str, str | None] = {}
        self.globals: set[str] = set()

    def _bind(self, names: list[str]) -> None:
        for name in names:
            self.scope.setdefault(name, None)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._bind([node.name.value])
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._bind([node.name.value])
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Global(self, node: cst.Global) -> None:
        self.globals.update(n.name.value for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.globals.update(n.name.value for n in node.names)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._bind(bound_names_in_target(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(bound_names_in_target(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(bound_names_in_target(node.target))

    def visit_For(self, node: cst.For) -> None:
        self._bind(bound_names_in_target(node.target))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(bound_names_in_target(node.target))

    def visit_AsName(self, node: cst.AsName) -> None:
        # with-items and except handlers; import aliases are handled below
        self._bind(bound_names_in_target(node.name) if isinstance(node.name, cst.BaseExpression) else [])

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            module = dotted_name(alias.name) or ""
            if alias.asname is not None:
                self.scope[alias.asname.name.value] = module  # type: ignore[union-attr]
            else:
                root = module.split(".", 1)[0]
                self.scope[root] = root
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        module = dotted_name(node.module) if node.module is not None else None
        if node.relative or module is None or isinstance(node.names, cst.ImportStar):
            return False
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = alias.asname.name.value if alias.asname is not None else name  # type: ignore[union-attr]
            self.scope[local] = f"{module}.{name}"
        return False


def comprehension_scope_cst(node: cst.ListComp | cst.SetComp | cst.DictComp | cst.GeneratorExp) -> dict[str, str | None]:
    """The libcst twin of ``resolve.comprehension_scope_ast``: loop targets of every ``for``."""
    scope: dict[str, str | None] = {}
    comp_for: cst.CompFor | None = node.for_in
    while comp_for is not None:
        for name in bound_names_in_target(comp_for.target):
            scope[name] = None
        comp_for = comp_for.inner_for_in
    return scope


def function_scope_cst(node: cst.FunctionDef | cst.Lambda) -> dict[str, str | None]:
    """The libcst twin of ``resolve.function_scope_ast``: names a function binds itself."""
    params = node.params
    scope: dict[str, str | None] = {}
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        scope[param.name.value] = None
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            scope[star.name.value] = None
    if isinstance(node, cst.Lambda):
        return scope
    collector = _LocalBindingCollector()
    node.body.visit(collector)
    for name, target in collector.scope.items():
        scope.setdefault(name, target)
        if target is not None:
            scope[name] = target
    for name in collector.globals:
        scope.pop(name, None)
    return scope
