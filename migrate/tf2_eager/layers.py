"""``tf.layers.*`` in the eager rewrite: Keras layer objects created once, called in the generated functions.

``h = tf.layers.dense(x, 8, activation=tf.nn.relu, kernel_initializer=init)``
at graph-building time made one layer (its variables) and one tensor.  The
rewrite creates the Keras layer once, at module level where the graph built
it (``h_layer = tf.keras.layers.Dense(8, ..., name="dense")``, TF1's name),
and the graph statement ``h = h_layer(x)`` moves into the functions like any
other.  Keras builds the variables at the first call, with the initializer the
TF1 code gave: a seeded TF1 initializer becomes the same random op (same
values); TF1's default kernel initializer (glorot_uniform) takes its op seed
from the graph, so in a seeded program an unseeded default blocks the rewrite.

``tf.layers.batch_normalization(x, training=t)``: the Keras layer called with
``training=t``.  Keras updates its moving statistics itself whenever it is
called with ``training=True``; TF1 updated them only when a run fetched the
``UPDATE_OPS`` collection (usually through ``tf.control_dependencies`` on the
train op).  So the rewrite checks every run that computes the layer in
training mode: when each runs the update ops, the control dependency goes and
Keras updates as TF1 did; when none does (the classic bug), the layer gets
``momentum=1.0`` -- its moving statistics stay at their initial values, as in
the original -- and TF4004 says so; a mix blocks the rewrite.

``tf.layers.dropout(x, rate, seed=s, training=t)`` -> ``tf.nn.dropout`` (TF1's
layer runs that op, so a seeded dropout draws the same numbers; Keras'
``Dropout`` draws others) when training, the input otherwise.  A boolean
``tf.placeholder_with_default(False, shape=[])`` switch becomes a Python bool
parameter (each run passes the value it fed, or the default).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from migrate.plugin import CustomTransform, register

LAYERS = "tensorflow.layers."
UPDATE_OPS = "tensorflow.GraphKeys.UPDATE_OPS"
PLACEHOLDER_WITH_DEFAULT = "tensorflow.placeholder_with_default"

# TF1 function -> (Keras class, TF1 parameters in order, parameters passed on to Keras, TF1 defaults written out)
SPECS = {
    "dense": ("Dense", ("inputs", "units", "activation", "use_bias", "kernel_initializer", "bias_initializer",
                        "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
                        "bias_constraint", "trainable", "name", "reuse"),
              ("units", "activation", "use_bias", "kernel_initializer", "bias_initializer")),
    "conv2d": ("Conv2D", ("inputs", "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                          "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
                          "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint",
                          "trainable", "name", "reuse"),
               ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation",
                "use_bias", "kernel_initializer", "bias_initializer")),
    "max_pooling2d": ("MaxPooling2D", ("inputs", "pool_size", "strides", "padding", "data_format", "name"),
                      ("pool_size", "strides", "padding", "data_format")),
    "average_pooling2d": ("AveragePooling2D", ("inputs", "pool_size", "strides", "padding", "data_format", "name"),
                          ("pool_size", "strides", "padding", "data_format")),
    "flatten": ("Flatten", ("inputs", "name", "data_format"), ("data_format",)),
    "batch_normalization": ("BatchNormalization", (
        "inputs", "axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
        "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
        "beta_constraint", "gamma_constraint", "training", "trainable", "name", "reuse", "renorm",
        "renorm_clipping", "renorm_momentum", "fused", "virtual_batch_size", "adjustment"),
        ("axis", "momentum", "epsilon", "center", "scale")),
}
WEIGHTED = ("dense", "conv2d", "batch_normalization")
# arguments whose TF1 default is what Keras does too; any other value given blocks
NEUTRAL = {"kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
           "kernel_constraint": None, "bias_constraint": None, "trainable": True, "reuse": None, "renorm": False,
           "fused": None, "virtual_batch_size": None, "adjustment": None, "renorm_clipping": None,
           "beta_initializer": "zeros", "gamma_initializer": "ones", "moving_mean_initializer": "zeros",
           "moving_variance_initializer": "ones", "beta_regularizer": None, "gamma_regularizer": None,
           "beta_constraint": None, "gamma_constraint": None, "bias_initializer": "zeros"}
GLOROT = ("tensorflow.glorot_uniform_initializer", "tensorflow.initializers.glorot_uniform",
          "tensorflow.keras.initializers.glorot_uniform")
ZEROS = ("tensorflow.zeros_initializer", "tensorflow.initializers.zeros")
ONES = ("tensorflow.ones_initializer", "tensorflow.initializers.ones")

GLOROT_HELPER = '''

def tf1_glorot_uniform(seed):
    """TF1's `glorot_uniform_initializer(seed=seed)` as a Keras initializer: the same random op, the same values."""

    def initializer(shape, dtype=None):
        receptive = 1
        for size in shape[:-2]:
            receptive *= size
        fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
        limit = (3.0 / max(1.0, (fan_in + fan_out) / 2.0)) ** 0.5
        return {tf}.random.uniform(shape, -limit, limit, dtype=dtype or {tf}.float32, seed=seed)

    return initializer


'''


@dataclass
class BatchNorm:
    index: int
    layer: str  # the Keras layer's module-level name
    target: str  # the graph name of its output
    training: ast.expr | None  # the ``training=`` argument (None: False)
    frozen: bool = False
    line: tuple = ()  # where its construction is in the module lines, and what it is made of


def is_layer_call(analyzer, value: ast.expr) -> str | None:
    if isinstance(value, ast.Call):
        qualified = analyzer.q(value.func) or ""
        if qualified.startswith(LAYERS):
            return qualified[len(LAYERS):]
    return None


def classify_placeholder_with_default(analyzer, index: int, stmt: ast.Assign, name: str, call_name) -> bool:
    """``t = tf.placeholder_with_default(False, shape=[])``: a Python bool switch parameter."""
    from migrate.tf2_eager.facts import Blocked, Placeholder

    if call_name != PLACEHOLDER_WITH_DEFAULT:
        return False
    value = stmt.value
    given = dict(zip(("input", "shape", "name"), value.args))
    given.update({k.arg: k.value for k in value.keywords})
    default = given.get("input")
    shape = given.get("shape")
    if not (isinstance(default, ast.Constant) and isinstance(default.value, bool)
            and isinstance(shape, (ast.List, ast.Tuple)) and not shape.elts and isinstance(stmt.targets[0], ast.Name)):
        raise Blocked(index, value.lineno, "`placeholder_with_default` other than a scalar boolean switch "
                                           "(`placeholder_with_default(False, shape=[])`)")
    facts = analyzer.facts
    placeholder = Placeholder(name, "bool", len(facts.placeholders), ())
    placeholder.default = repr(default.value)
    facts.placeholders[name] = placeholder
    facts.roles[index] = "placeholder"
    return True


def classify_update_ops(analyzer, index: int, stmt: ast.Assign, name: str) -> bool:
    """``update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)``: the batch-norm updates made so far."""
    from migrate.tf2_eager.facts import Blocked

    value = stmt.value
    if not (isinstance(value, ast.Call) and analyzer.q(value.func) == "tensorflow.get_collection" and value.args
            and analyzer.q(value.args[0]) == UPDATE_OPS):
        return False
    if len(value.args) != 1 or value.keywords or not isinstance(stmt.targets[0], ast.Name):
        raise Blocked(index, value.lineno, "the UPDATE_OPS collection of a scope: not resolved")
    facts = analyzer.facts
    facts.update_collections[name] = [bn.layer for bn in facts.batch_norms.values()
                                      if not _literal_false(bn.training)]
    facts.roles[index] = "drop"
    return True


def _literal_false(node) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value is False)


def classify_layer(analyzer, index: int, stmt: ast.Assign, name: str, scopes=()) -> bool:
    """``t = tf.layers.<f>(inputs, ...)`` at module level."""
    from migrate.tf2_eager.facts import Blocked, GraphNode, VariableDef, names_read
    from migrate.tf2_eager.scopes import Built

    function = is_layer_call(analyzer, stmt.value)
    if function is None:
        return False
    facts = analyzer.facts
    call = stmt.value
    if not isinstance(stmt.targets[0], ast.Name):
        raise Blocked(index, call.lineno, f"`tf.layers.{function}` result unpacked")
    if function == "dropout":
        return _dropout(analyzer, index, stmt, name)
    spec = SPECS.get(function)
    if spec is None:
        raise Blocked(index, call.lineno, f"`tf.layers.{function}` is not converted (the rewrite maps dense, conv2d, "
                                          "max/average_pooling2d, flatten, dropout and batch_normalization)")
    keras, params, passed = spec
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords) \
            or len(call.args) > len(params):
        raise Blocked(index, call.lineno, f"`tf.layers.{function}` with *args, **kwargs or extra arguments")
    given = dict(zip(params, call.args))
    for keyword in call.keywords:
        if keyword.arg not in params or keyword.arg in given:
            raise Blocked(index, call.lineno, f"`tf.layers.{function}` with unknown argument `{keyword.arg}`")
        given[keyword.arg] = keyword.value
    if "inputs" not in given:
        raise Blocked(index, call.lineno, f"`tf.layers.{function}` without inputs")
    graph = facts.graph_names()
    tf = "{tf}"
    arguments = []
    helpers = []
    for param in params:
        if param in ("inputs", "training", "name") or param not in given:
            continue
        node = given[param]
        if names_read(node) & graph - set(facts.initializer_nodes) and param != "kernel_initializer":
            raise Blocked(index, node.lineno, f"`tf.layers.{function}` argument `{param}` is a graph value")
        if param in NEUTRAL:
            if not _neutral(analyzer, node, NEUTRAL[param]):
                raise Blocked(index, node.lineno, f"`tf.layers.{function}({param}=...)`: not converted")
            continue
        if param == "kernel_initializer":
            text, helper = _initializer(analyzer, index, node, function)
            if helper:
                helpers.append(helper)
            if text is not None:
                arguments.append(f"kernel_initializer={text}")
            continue
        if param in passed:
            arguments.append(f"{param}={ast.unparse(node)}")
    if function in ("dense", "conv2d") and "kernel_initializer" not in given:
        _initializer(analyzer, index, None, function)  # checks the unseeded default
    if "name" in given:
        if not (isinstance(given["name"], ast.Constant) and isinstance(given["name"].value, str)):
            raise Blocked(index, call.lineno, f"`tf.layers.{function}` name that is not a literal string")
        tf1_name = given["name"].value
    else:
        tf1_name = _auto_name(facts, function)
    layer = _fresh(facts, analyzer, f"{name}_layer")
    training = given.get("training") if function == "batch_normalization" else None
    if function == "batch_normalization":
        if training is not None and not (isinstance(training, ast.Constant) and isinstance(training.value, bool)) \
                and not (isinstance(training, ast.Name) and training.id in facts.placeholders
                         and getattr(facts.placeholders[training.id], "default", None) is not None):
            raise Blocked(index, training.lineno, "`batch_normalization(training=...)` other than a literal or a "
                                                  "boolean `placeholder_with_default` switch")
        facts.batch_norms[layer] = BatchNorm(index, layer, name, training)
    module_lines = [h for h in helpers]
    module_lines.append(f"{layer} = {tf}.keras.layers.{keras}({', '.join(arguments + [f'name={tf1_name!r}'])})\n")
    if function == "batch_normalization":
        facts.batch_norms[layer].line = (len(module_lines) - 1, layer, keras, arguments, tf1_name)
    inputs = ast.unparse(given["inputs"])
    extra = f", training={ast.unparse(training)}" if training is not None else ""
    graph_line = f"{name} = {layer}({inputs}{extra})\n"
    deps = (names_read(given["inputs"]) | ({training.id} if isinstance(training, ast.Name) else set())
            | {layer})
    facts.built[index] = Built(module_lines, [graph_line], [name], deps)
    if function in WEIGHTED:
        facts.variables.append(VariableDef(index, layer, ((f"*{layer}.trainable_variables", True),)))
        facts.untracked_variables = True  # Keras builds them at the first call: not listed before
    facts.variable_names.add(layer)
    node = GraphNode(index, (name,), frozenset(deps), None)
    facts.nodes[name] = node
    facts.roles[index] = "node"
    return True


def _dropout(analyzer, index: int, stmt: ast.Assign, name: str) -> bool:
    from migrate.tf2_eager.facts import Blocked, GraphNode, names_read
    from migrate.tf2_eager.scopes import Built

    facts = analyzer.facts
    call = stmt.value
    params = ("inputs", "rate", "noise_shape", "seed", "training", "name")
    given = dict(zip(params, call.args))
    given.update({k.arg: k.value for k in call.keywords})
    if set(given) - set(params) or "inputs" not in given:
        raise Blocked(index, call.lineno, "`tf.layers.dropout` with other arguments")
    inputs = ast.unparse(given["inputs"])
    rate = ast.unparse(given["rate"]) if "rate" in given else "0.5"
    extra = "".join(f", {p}={ast.unparse(given[p])}" for p in ("noise_shape", "seed") if p in given)
    training = given.get("training")
    op = f"{{tf}}.nn.dropout({inputs}, rate={rate}{extra})"
    if _literal_false(training):
        text = f"{name} = {inputs}\n"
    elif isinstance(training, ast.Constant) and training.value is True:
        text = f"{name} = {op}\n"
    elif isinstance(training, ast.Name) and training.id in facts.placeholders and \
            getattr(facts.placeholders[training.id], "default", None) is not None:
        text = f"{name} = {op} if {training.id} else {inputs}\n"
    else:
        raise Blocked(index, call.lineno, "`tf.layers.dropout(training=...)` other than a literal or a boolean "
                                          "`placeholder_with_default` switch")
    deps = set(names_read(call))
    facts.built[index] = Built([], [text], [name], deps)
    facts.nodes[name] = GraphNode(index, (name,), frozenset(deps), "tensorflow.nn.dropout")
    facts.roles[index] = "node"
    return True


def _neutral(analyzer, node, default) -> bool:
    if default is None:
        return isinstance(node, ast.Constant) and node.value is None
    if default is True or default is False:
        return isinstance(node, ast.Constant) and node.value is default
    if default == "zeros":
        return isinstance(node, ast.Call) and analyzer.q(node.func) in ZEROS and not node.args and not node.keywords
    if default == "ones":
        return isinstance(node, ast.Call) and analyzer.q(node.func) in ONES and not node.args and not node.keywords
    return False


def _initializer(analyzer, index: int, node, function: str):
    """The Keras ``kernel_initializer`` text for a TF1 initializer (None: Keras' default), and a helper to add."""
    from migrate.tf2_eager.facts import Blocked

    facts = analyzer.facts
    if node is None:
        if facts.seeds:
            raise Blocked(index, 1, f"`tf.layers.{function}` with TF1's default kernel initializer in a seeded "
                                    "program: glorot_uniform draws with an op seed derived from the graph, which "
                                    "eager TF2 cannot reproduce; give it `kernel_initializer=` with `seed=`")
        return None, None
    if isinstance(node, ast.Name) and node.id in facts.initializer_nodes:
        node = facts.initializer_nodes[node.id]
    if not isinstance(node, ast.Call):
        raise Blocked(index, getattr(node, "lineno", 1), f"`kernel_initializer={ast.unparse(node)}`: not converted")
    qualified = analyzer.q(node.func)
    given = {k.arg: k.value for k in node.keywords}
    if node.args:
        raise Blocked(index, node.lineno, "a TF1 initializer with positional arguments")
    seed = given.get("seed")
    if seed is not None:
        from migrate.tf2_eager.scopes import _seed_value

        value = _seed_value(seed)
        uses = sum(1 for module in analyzer.statements for n in ast.walk(module) if isinstance(n, ast.keyword)
                   and n.arg == "seed" and _seed_value(n.value) in (value, None))
        if value is None or uses > 1:
            raise Blocked(index, node.lineno, f"a layer initializer whose op seed `{ast.unparse(seed)}` another op "
                                              "may use: TF1 gave each op its own sequence, eager ops sharing a seed "
                                              "continue one")
    if facts.seeds and seed is None:
        raise Blocked(index, node.lineno, "a TF1 initializer without `seed=` in a seeded program: TF1 derives the op "
                                          "seed from the graph, eager TF2 cannot reproduce it")
    if qualified in GLOROT:
        if set(given) - {"seed"}:
            raise Blocked(index, node.lineno, "`glorot_uniform_initializer` with a dtype")
        facts.glorot_helper = facts.glorot_helper or _fresh(facts, analyzer, "tf1_glorot_uniform")
        helper = GLOROT_HELPER.replace("tf1_glorot_uniform", facts.glorot_helper) if not facts.glorot_emitted else None
        facts.glorot_emitted = True
        return f"{facts.glorot_helper}({ast.unparse(seed) if seed is not None else 'None'})", helper
    table = analyzer.entries.get("initializers", {})
    spec = table.get(qualified or "")
    if spec is None:
        raise Blocked(index, node.lineno, f"`{ast.unparse(node.func)}` as a layer initializer: not converted")
    if set(given) - set(spec["params"]):
        raise Blocked(index, node.lineno, "initializer arguments the rewrite does not map")
    values = {"shape": "shape", "tf": "{tf}", "dtype": "dtype or {tf}.float32"}
    for param in spec["params"]:
        if param == "dtype":
            continue
        values[param] = ast.unparse(given[param]) if param in given else spec["defaults"].get(param, "None")
    return f"lambda shape, dtype=None: {spec['op'].format(**values)}", None


def _auto_name(facts, function: str) -> str:
    """TF1 names layers per type: ``dense``, ``dense_1``, ... (one counter per graph)."""
    count = facts.layer_counts.get(function, 0)
    facts.layer_counts[function] = count + 1
    return function if count == 0 else f"{function}_{count}"


def _fresh(facts, analyzer, base: str) -> str:
    used = facts.builder_names
    if not used:
        used.update(analyzer.stores)
        used.update(n.id for m in analyzer.statements for n in ast.walk(m) if isinstance(n, ast.Name))
    name, k = base, 2
    while name in used:
        name, k = f"{base}_{k}", k + 1
    used.add(name)
    return name


def classify_initializer(analyzer, index: int, stmt: ast.Assign, name: str, call_name) -> bool:
    """``init = tf.glorot_uniform_initializer(seed=1)`` at module level: used where a layer names it."""
    if not (call_name and (call_name in GLOROT or call_name in analyzer.entries.get("initializers", {}))):
        return False
    analyzer.facts.initializer_nodes[name] = stmt.value
    analyzer.facts.roles[index] = "drop"
    return True


def check_batch_norm_updates(analyzer) -> None:
    """Each batch norm computed in training mode: updated by every such run (Keras' behaviour), or by none
    (frozen, TF4004); a mix blocks."""
    from migrate.tf2_eager.facts import Blocked

    facts = analyzer.facts
    for bn in facts.batch_norms.values():
        if _literal_false(bn.training):
            continue
        updated, frozen = [], []
        for run in facts.runs:
            if run.shape == "init":
                continue
            fetches = set(run.fetches)
            for f in run.fetches:
                if f in facts.train_ops:
                    fetches |= set(facts.train_ops[f].loss_deps)
            if bn.target not in facts.dependencies(fetches)[1]:
                continue
            mode = _training_in(facts, bn.training, run)
            if mode is None:
                raise Blocked(run.top, run.line, f"whether `{bn.target}`'s batch norm runs in training mode here "
                                                 "is known only when the program runs (a fed value)")
            if not mode:
                continue
            runs_updates = any(bn.layer in facts.updating_trains.get(f, ()) for f in run.fetches)
            (updated if runs_updates else frozen).append(run)
        if updated and frozen:
            run = frozen[0]
            raise Blocked(run.top, run.line, f"the batch norm of `{bn.target}` runs in training mode here without its "
                                             "UPDATE_OPS, and with them elsewhere: Keras updates the moving "
                                             "statistics at every training call")
        if frozen:
            bn.frozen = True
            position, layer, keras, arguments, tf1_name = bn.line
            arguments = [a for a in arguments if not a.startswith("momentum=")] + ["momentum=1.0"]
            facts.built[bn.index].module_lines[position] = (
                f"# momentum=1.0: the original never ran this layer's UPDATE_OPS, so its moving statistics stay "
                f"at their initial values (TF4004)\n{layer} = {{tf}}.keras.layers.{keras}("
                f"{', '.join(arguments + [f'name={tf1_name!r}'])})\n")


def _training_in(facts, training, run) -> bool | None:
    if isinstance(training, ast.Constant):
        return bool(training.value)
    feeds = dict(run.feeds)
    if training.id not in feeds:
        return facts.placeholders[training.id].default == "True"
    value = feeds[training.id]
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):
        return value.value
    return None


def classify_update_control(analyzer, index: int, stmt: ast.With) -> bool:
    """``with tf.control_dependencies(update_ops): train = opt.minimize(loss)``: Keras batch norm layers update
    their moving statistics themselves when called in training mode; the block goes, the train op stays, and
    the runs fetching it are the ones that update (checked by ``check_batch_norm_updates``)."""
    from migrate.tf2_eager.facts import Blocked

    facts = analyzer.facts
    call = stmt.items[0].context_expr
    controls = call.args[0]
    if isinstance(controls, ast.Name) and controls.id in facts.update_collections:
        covered = facts.update_collections[controls.id]
    elif isinstance(controls, ast.Call) and analyzer.q(controls.func) == "tensorflow.get_collection" and \
            controls.args and analyzer.q(controls.args[0]) == UPDATE_OPS and len(controls.args) == 1:
        covered = [bn.layer for bn in facts.batch_norms.values() if not _literal_false(bn.training)]
    else:
        return False
    for inner in stmt.body:
        value = inner.value if isinstance(inner, ast.Assign) else None
        if not (isinstance(inner, ast.Assign) and len(inner.targets) == 1 and isinstance(inner.targets[0], ast.Name)
                and isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                and value.func.attr == "minimize"):
            raise Blocked(index, inner.lineno, "a `tf.control_dependencies(UPDATE_OPS)` block holding other than "
                                               "`train = optimizer.minimize(...)`")
        analyzer._assign(index, inner)
        facts.updating_trains[inner.targets[0].id] = list(covered)
    return True


def update_count(facts, name: str) -> int:
    """TF1 made two update ops (moving mean, moving variance) per batch norm in training mode."""
    return 2 * len(facts.update_collections[name])


def report(ctx, rewrite) -> None:
    rule = ctx.ruleset.rules.get("TF4004")
    if rule is None:
        return
    for bn in rewrite.facts.batch_norms.values():
        if bn.frozen:
            ctx.report(rule, ctx.original_module.body[bn.index], rule.message.format(name=bn.target), fixed=True)


@register("TF4004")
class FrozenBatchNorm(CustomTransform):
    """Report-only: TF4001 files under this code the batch norms whose moving statistics it keeps frozen."""

    def applies(self, scan) -> bool:
        return False
