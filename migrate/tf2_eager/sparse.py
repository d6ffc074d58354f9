"""Sparse tensors in the eager rewrite (TF4001).

* ``tf.sparse_placeholder(dtype)`` is a placeholder like the others (a parameter,
  cast with ``tf.cast``, which casts a ``tf.SparseTensor``'s values);
* ``tf.SparseTensorValue(indices, values, dense_shape)`` built in the Session block
  (a Python value fed to it) becomes ``tf.SparseTensor(...)`` of the same arrays;
* ``sess.run`` of a sparse tensor returned a ``SparseTensorValue`` namedtuple of
  numpy arrays (``indices``, ``values``, ``dense_shape``): a generated function
  fetching one returns a namedtuple of the same fields, converted to numpy field by
  field where ``sess.run``'s result was used. Which graph nodes are sparse is known
  statically from the ops that build them (``entries.sparse_ops``); ``sparse.add``
  is sparse only when both operands are; a node made by any other ``tf.sparse`` op
  that is fetched blocks the rewrite.
"""
from __future__ import annotations

import ast

SPARSE_PLACEHOLDER = "tensorflow.sparse_placeholder"
VALUE = ("tensorflow.SparseTensorValue", "tensorflow.compat.v1.SparseTensorValue")
ADD = ("tensorflow.sparse.add", "tensorflow.sparse_add")
SENTINEL = "__dlmigrate_namedtuple__"
VALUE_CLASS = "SparseTensorValue"


def value_constructor(analyzer, node: ast.AST, off_limits: set[str]) -> bool:
    """``tf.SparseTensorValue(...)`` of Python values in the Session block."""
    from migrate.tf2_eager.facts import names_read

    if not isinstance(node, ast.Call):
        return False
    name = ast.unparse(node.func)
    qualified = analyzer.qualify(name) if name else None
    from migrate.tf2_eager.facts import canonical

    if canonical(qualified) not in VALUE:
        return False
    if names_read(node) & off_limits:
        return False
    return not any(isinstance(sub, ast.Call) and (analyzer.q(sub.func) or "").startswith("tensorflow")
                   for sub in ast.walk(node) if sub is not node)


def sparse_nodes(rewrite) -> set[str]:
    """Module-level graph names that hold a ``tf.SparseTensor``."""
    from migrate.tf2_eager.facts import canonical

    facts = rewrite.facts
    producing = set(rewrite.entries.get("sparse_ops", ()))
    sparse = {p.name for p in facts.placeholders.values() if p.sparse}
    changed = True
    while changed:
        changed = False
        for name, node in facts.nodes.items():
            if name in sparse or node.targets != (name,):
                continue
            statement = rewrite.trees[node.index].body[0]
            value = getattr(statement, "value", None)
            if not isinstance(value, ast.Call):
                continue
            qualified = canonical(rewrite.qualify(ast.unparse(value.func)))
            if qualified in producing or (qualified in ADD and len(value.args) >= 2 and all(
                    isinstance(a, ast.Name) and a.id in sparse for a in value.args[:2])):
                sparse.add(name)
                changed = True
    return sparse


def check_fetch(rewrite, run, name: str) -> None:
    """A fetched node built by a ``tf.sparse`` op the table does not classify: its result type is unknown."""
    from migrate.tf2_eager.facts import Blocked, canonical

    node = rewrite.facts.nodes.get(name)
    if node is None or node.targets != (name,):
        return
    value = getattr(rewrite.trees[node.index].body[0], "value", None)
    if not isinstance(value, ast.Call):
        return
    qualified = canonical(rewrite.qualify(ast.unparse(value.func))) or ""
    known = set(rewrite.entries.get("sparse_ops", ())) | set(rewrite.entries.get("dense_sparse_ops", ())) | set(ADD)
    if (qualified.startswith(("tensorflow.sparse", "tensorflow.SparseTensor")) and qualified not in known):
        raise Blocked(run.top, run.line, f"`{name}` is fetched and made by `{qualified}`, whose result may be a "
                                         "SparseTensor: not converted")


def value_text(rewrite, node: ast.Call, text: str) -> str:
    return f"{rewrite.tf}.SparseTensor" + ast.get_source_segment(text, node)[len(ast.get_source_segment(
        text, node.func)):]


def class_text() -> str:
    return (f"\n\n{VALUE_CLASS} = {SENTINEL}(\"{VALUE_CLASS}\", [\"indices\", \"values\", \"dense_shape\"])"
            "  # what sess.run returned for a sparse tensor\n")


def check_feeds(analyzer) -> None:
    """A sparse placeholder must be fed a ``SparseTensorValue``/``SparseTensor`` built in the Session (inline
    or bound once there): TF1 also took an ``(indices, values, shape)`` tuple, which ``tf.cast`` would not."""
    from migrate.tf2_eager.facts import Blocked, canonical

    facts = analyzer.facts
    sparse = {p.name for p in facts.placeholders.values() if p.sparse}
    if not sparse:
        return
    built: dict[str, int] = {}
    for _, statement in facts.session_body:
        for sub in ast.walk(statement):
            if isinstance(sub, ast.Assign) and len(sub.targets) == 1 and isinstance(sub.targets[0], ast.Name):
                value = sub.value
                ok = isinstance(value, ast.Call) and canonical(analyzer.qualify(ast.unparse(value.func))) in (
                    *VALUE, "tensorflow.SparseTensor")
                built[sub.targets[0].id] = built.get(sub.targets[0].id, 0) + (1 if ok else 2)
    for run in facts.runs:
        for placeholder, value in run.feeds:
            if placeholder not in sparse:
                continue
            direct = isinstance(value, ast.Call) and canonical(analyzer.qualify(ast.unparse(value.func))) in (
                *VALUE, "tensorflow.SparseTensor")
            if not direct and not (isinstance(value, ast.Name) and built.get(value.id) == 1):
                raise Blocked(run.top, run.line, f"the sparse placeholder `{placeholder}` is fed something other "
                                                 "than a `SparseTensorValue` built in the Session block")
