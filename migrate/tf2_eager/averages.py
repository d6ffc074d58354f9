"""Module-level ``tf.control_dependencies`` blocks and ``tf.train.ExponentialMovingAverage`` in the eager rewrite.

``with tf.control_dependencies([a, b]): t = expr`` at graph-building time makes
``t`` run after ``a`` and ``b``.  Eagerly (and in a ``tf.function``, whose
automatic control dependencies order stateful ops as written) the statements of
a generated function run in program order; the rewrite puts the statements that
compute ``a`` and ``b`` before ``t`` in every function that needs ``t`` (they are
``t``'s dependencies), so the block goes and its body stays.

``ema = tf.train.ExponentialMovingAverage(decay)`` (a constant decay, no
``num_updates``): ``ema.apply([v, ...])`` creates, once, one shadow variable per
``v`` holding ``v``'s initial value (TF1's ``slot_creator`` does the same), and
its op assigns ``shadow -= (shadow - v) * (1 - decay)`` (TF1's
``assign_moving_average`` without zero-debias, which TF1 uses for variables);
``ema.average(v)`` is the shadow variable.  The shadows are module-level
``tf.Variable``s named ``<v>/ExponentialMovingAverage`` as TF1 named them.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

CONTROL = "tensorflow.control_dependencies"
EMA = "tensorflow.train.ExponentialMovingAverage"


@dataclass
class Average:
    """One ``tf.train.ExponentialMovingAverage`` object."""

    index: int
    name: str
    decay: str  # source of the decay
    shadows: dict[str, str] = field(default_factory=dict)  # variable expression -> shadow variable name


@dataclass
class Apply:
    """``op = ema.apply([v, ...])``: the shadows it creates (module level) and the update it runs."""

    index: int
    average: Average
    node: ast.Call
    variables: tuple[str, ...]


def classify_control(analyzer, index: int, stmt: ast.With) -> bool:
    """``with tf.control_dependencies([...]):`` over assignments of graph tensors, at module level."""
    from migrate.tf2_eager.facts import Blocked, GraphNode, names_read

    facts = analyzer.facts
    if len(stmt.items) != 1 or stmt.items[0].optional_vars is not None:
        return False
    call = stmt.items[0].context_expr
    if not (isinstance(call, ast.Call) and analyzer.q(call.func) == CONTROL and len(call.args) == 1
            and not call.keywords):
        return False
    graph = facts.graph_names()
    controls = call.args[0]
    if not (isinstance(controls, (ast.List, ast.Tuple)) and all(
            isinstance(e, ast.Name) and e.id in facts.nodes for e in controls.elts)):
        raise Blocked(index, call.lineno, "`tf.control_dependencies` over other than a literal list of graph "
                                          "tensors built above (a collection such as UPDATE_OPS is not resolved)")
    targets: list[str] = []
    deps: set[str] = {e.id for e in controls.elts}
    for inner in stmt.body:
        if not (isinstance(inner, ast.Assign) and len(inner.targets) == 1):
            raise Blocked(index, inner.lineno, "a `tf.control_dependencies` block holding other than assignments")
        before = dict(facts.roles)
        analyzer._assign(index, inner)
        if facts.roles.get(index) != "node" or before.get(index) not in (None, "node"):
            raise Blocked(index, inner.lineno, "a `tf.control_dependencies` block creating variables, optimizers "
                                               "or training ops: not converted")
        target = inner.targets[0]
        names = [target.id] if isinstance(target, ast.Name) else [e.id for e in target.elts]
        targets.extend(names)
        deps |= names_read(inner.value)
        for name in names:
            deps |= facts.nodes[name].deps
    if not targets or not deps & graph:
        raise Blocked(index, stmt.lineno, "a `tf.control_dependencies` block that builds no graph tensor")
    node = GraphNode(index, tuple(targets), frozenset(deps - set(targets)), None)
    facts.nodes.update({t: node for t in targets})
    facts.roles[index] = "node"
    facts.controls[index] = stmt
    return True


def classify_average(analyzer, index: int, stmt: ast.Assign, name: str, call_name: str | None) -> bool:
    """``ema = tf.train.ExponentialMovingAverage(decay)``, ``op = ema.apply([...])``, ``t = ema.average(v)``."""
    from migrate.tf2_eager.facts import Blocked, GraphNode, VariableDef, names_read

    facts = analyzer.facts
    value = stmt.value
    if call_name == EMA:
        params = ("decay", "num_updates", "zero_debias", "name")
        given = dict(zip(params, value.args))
        given.update({k.arg: k.value for k in value.keywords})
        if set(given) - {"decay", "name"} or "decay" not in given or len(value.args) > len(params):
            raise Blocked(index, value.lineno, "`ExponentialMovingAverage` with `num_updates` or `zero_debias`: "
                                               "the rewrite converts a constant decay")
        decay = given["decay"]
        if names_read(decay) & facts.graph_names() or analyzer.tf_calls(decay):
            raise Blocked(index, decay.lineno, "`ExponentialMovingAverage` with a tensor decay")
        if not isinstance(stmt.targets[0], ast.Name):
            raise Blocked(index, stmt.lineno, "`ExponentialMovingAverage` assigned to several names")
        facts.averages[name] = Average(index, name, ast.unparse(decay))
        facts.roles[index] = "drop"
        return True
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and isinstance(value.func.value, ast.Name) and value.func.value.id in facts.averages):
        return False
    average = facts.averages[value.func.value.id]
    method = value.func.attr
    members = {expr for v in facts.variables for expr, _ in v.members}
    if method == "apply":
        items = value.args[0] if len(value.args) == 1 and not value.keywords else None
        if not (isinstance(items, (ast.List, ast.Tuple)) and items.elts
                and all(ast.unparse(e) in members for e in items.elts)):
            raise Blocked(index, value.lineno, "`ExponentialMovingAverage.apply` of other than a literal list of "
                                               "variables created above (averages of tensors are not converted)")
        variables = tuple(ast.unparse(e) for e in items.elts)
        for variable in variables:
            if variable in average.shadows:
                raise Blocked(index, value.lineno, f"`{variable}` averaged twice by one `ExponentialMovingAverage`")
            shadow, k = f"{_base(variable)}_average", 2
            while shadow in analyzer.stores or shadow in facts.graph_names():
                shadow, k = f"{_base(variable)}_average_{k}", k + 1
            average.shadows[variable] = shadow
            facts.variables.append(VariableDef(index, shadow, ((shadow, False),)))
            facts.variable_names.add(shadow)
        facts.applies[index] = Apply(index, average, value, variables)
        node = GraphNode(index, (name,), frozenset(names_read(value) | set(average.shadows.values())), None)
        facts.nodes[name] = node
        facts.ops.add(name)
        facts.roles[index] = "node"
        return True
    if method == "average":
        target = ast.unparse(value.args[0]) if len(value.args) == 1 and not value.keywords else None
        if target not in average.shadows:
            raise Blocked(index, value.lineno, "`ExponentialMovingAverage.average` of a variable it does not "
                                               "average (yet)")
        facts.nodes[name] = GraphNode(index, (name,), frozenset({average.shadows[target]}), None)
        facts.roles[index] = "node"
        facts.average_reads[index] = (value, average.shadows[target])
        return True
    raise Blocked(index, value.lineno, f"`ExponentialMovingAverage.{method}`: not converted")


def plan(rewrite) -> None:
    """Shadows created at module level where ``apply`` was; ``apply``/``average`` and control blocks rewritten
    in the statements that move into the functions."""
    from migrate.tf2_eager.program import _splice, _with_body

    facts = rewrite.facts
    tf = rewrite.tf
    indexes = set(facts.applies) | set(facts.average_reads) | set(facts.controls)
    for index in sorted(indexes):
        if index in rewrite.overrides or index in rewrite.hoisted:
            from migrate.tf2_eager.facts import Blocked

            raise Blocked(index, 1, "a statement both averages variables and calls a factory or draws Python "
                                    "random numbers")
        text = rewrite.texts[index]
        tree = rewrite.trees[index]
        edits = []
        hoisted = []
        for sub in ast.walk(tree):
            if not isinstance(sub, ast.Call):
                continue
            for apply in facts.applies.values():
                if ast.dump(sub) != ast.dump(apply.node):
                    continue
                updates = []
                for variable in apply.variables:
                    shadow = apply.average.shadows[variable]
                    rewrite.used.add(shadow)
                    label = variable.replace("[", "/").replace("]", "").replace("'", "").replace('"', "")
                    hoisted.append(f"{shadow} = {tf}.Variable({variable}.read_value(), trainable=False, "
                                   f"name=\"{label}/ExponentialMovingAverage\")\n")
                    updates.append(f"{shadow}.assign_sub(({shadow} - {variable}) * (1 - {apply.average.decay}))")
                edits.append((sub, updates[0] if len(updates) == 1 else f"{tf}.group({', '.join(updates)})"))
            for call, shadow in facts.average_reads.values():
                if ast.dump(sub) == ast.dump(call):
                    edits.append((sub, f"{shadow}.read_value()"))
        code = _splice(text, edits)
        if index in facts.controls:
            code = _with_body(code)
        rewrite.overrides[index] = code.lstrip("\n")
        if hoisted:
            rewrite.hoisted[index] = "".join(hoisted)


def _base(expression: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in expression).strip("_")
