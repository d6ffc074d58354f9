"""Graph-building helpers that create variables, variable scopes, and collections, in the eager rewrite.

TF1 runs a helper such as::

    def weight_with_decay(name, shape, decay):
        with tf.variable_scope("layer"):
            var = tf.get_variable(name, shape, initializer=tf.truncated_normal_initializer(stddev=0.3, seed=1))
        tf.add_to_collection("losses", tf.nn.l2_loss(var) * decay)
        return var

once per call *while the graph is built*; in TF2 a function runs at every call,
so moved into a step function it would create new variables at every step (the
guide's first trap).  The rewrite resolves, at conversion time, what each
module-level call ``w1 = weight_with_decay("w1", [3, 4], 0.01)`` built:

* each ``tf.get_variable`` becomes one module-level ``tf.Variable`` created
  once, at the place the graph was built, named with its full TF1 name
  (``scope/name``, so names and checkpoints stay readable) and initialised by
  the op its TF1 initializer runs (same seeds, same values); a second
  ``get_variable`` of the same full name under ``reuse=True``/``AUTO_REUSE``
  (or after ``scope.reuse_variables()``) is the same Python object: reuse is
  reuse of the object;
* the tensors the helper computes become graph statements of the call site,
  which move into the generated functions like any other graph statement;
* ``tf.add_to_collection(key, t)`` records ``t``; ``tf.get_collection(key)``
  becomes the literal list of what the collection held at that point (TF1
  returns a copy of the list as it is when called), ``len(...)`` of it the
  count; ``tf.trainable_variables()`` (and the ``TRAINABLE_VARIABLES``
  collection) the list of trainable variables created so far.

The helper's ``def`` goes (each call was resolved where it was made).  What is
outside this (control flow in the helper, names or shapes only known when the
graph runs, a helper called from elsewhere) blocks the rewrite with the reason.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

GET_VARIABLE = "tensorflow.get_variable"
VARIABLE_SCOPE = "tensorflow.variable_scope"
ADD_TO_COLLECTION = "tensorflow.add_to_collection"
GET_COLLECTION = "tensorflow.get_collection"
TRAINABLE_KEY = "tensorflow.GraphKeys.TRAINABLE_VARIABLES"
TRAINABLE = ("tensorflow.trainable_variables",)
GLOBAL = ("tensorflow.global_variables",)
AUTO_REUSE = "tensorflow.AUTO_REUSE"
BUILDER_APIS = (GET_VARIABLE, VARIABLE_SCOPE, ADD_TO_COLLECTION)
RETURNED = "<returned>"  # get_variable's result is what the helper returns


@dataclass
class Scope:
    name: str
    reuse: object = None  # None, True or "auto"
    handle: str | None = None  # ``as scope``
    layers: dict = field(default_factory=dict)  # layer type -> how many this entry of the scope made


@dataclass
class Registry:
    """What the graph built so far, in creation order: variables by full TF1 name, collections by key."""

    variables: dict[str, tuple[str, bool]] = field(default_factory=dict)  # full name -> (Python name, trainable)
    collections: dict[str, list[str]] = field(default_factory=dict)  # key -> graph names, in order
    aliases: dict[str, str] = field(default_factory=dict)  # module name -> the variable it names (reuse)


@dataclass
class Built:
    """What one module-level call of a builder made."""

    module_lines: list[str]  # module level: the variables it created (``{tf}`` placeholders in the text)
    graph_lines: list[str]  # graph statements (move into the functions)
    graph_targets: list[str]
    deps: set[str]


def registry(facts) -> Registry:
    if not hasattr(facts, "_registry"):
        facts._registry = Registry()
    return facts._registry


def is_builder(analyzer, stmt: ast.FunctionDef) -> bool:
    """A helper that uses ``get_variable``/``variable_scope``/``add_to_collection``/``tf.layers`` (resolved per
    call)."""
    for qualified, _ in analyzer.tf_refs(stmt):
        if qualified in BUILDER_APIS or qualified.startswith("tensorflow.layers."):
            return True
    return False


def check_builder_uses(analyzer) -> None:
    """A helper resolved per call goes from the output: every use must be a call it resolved (a module-level
    ``t = helper(...)``, a scope block, or a call inside another such helper)."""
    from migrate.tf2_eager.facts import Blocked

    facts = analyzer.facts
    if not facts.builders:
        return
    defs = {index for index, _ in facts.builders.values()}
    for index, module in enumerate(analyzer.statements):
        if index in defs or index in facts.built:
            continue
        for node in ast.walk(module):
            if isinstance(node, ast.Name) and node.id in facts.builders and isinstance(node.ctx, ast.Load):
                raise Blocked(index, node.lineno, f"`{node.id}` creates variables (or layers, scopes, collection "
                                                  "entries) and is used here other than as `t = "
                                                  f"{node.id}(...)` at module level, where the rewrite resolves "
                                                  "what each call builds")


def classify_builder(analyzer, index: int, stmt: ast.FunctionDef) -> bool:
    from migrate.tf2_eager.facts import Blocked

    if not is_builder(analyzer, stmt):
        return False
    if stmt.decorator_list or stmt.args.vararg or stmt.args.kwarg or stmt.args.kwonlyargs or stmt.args.posonlyargs:
        raise Blocked(index, stmt.lineno, f"`{stmt.name}` creates variables and takes *args, **kwargs, "
                                          "keyword-only arguments or decorators: its calls are not resolved")
    analyzer.facts.builders[stmt.name] = (index, stmt)
    analyzer.facts.roles[index] = "drop"  # every call is resolved where it is made
    return True


class _Inliner:
    def __init__(self, analyzer, index: int, target: str, registry: Registry, used) -> None:
        self.analyzer = analyzer
        self.index = index
        self.target = target
        self.registry = registry
        self.used = used  # names taken in the module (a set, updated)
        self.module_lines: list[str] = []
        self.graph_lines: list[str] = []
        self.graph_targets: list[str] = []
        self.deps: set[str] = set()

    def block(self, node, reason: str):
        from migrate.tf2_eager.facts import Blocked

        return Blocked(self.index, getattr(node, "lineno", 1), reason)

    def fresh(self, base: str) -> str:
        base = re.sub(r"\W+", "_", base).strip("_") or "value"
        if base[0].isdigit():
            base = "v_" + base
        name, k = base, 2
        while name in self.used:
            name, k = f"{base}_{k}", k + 1
        self.used.add(name)
        return name

    def constant(self, node: ast.expr, env: dict):
        """A value known at conversion time: a literal, or a parameter bound to one."""
        node = self.substitute(node, env)
        try:
            return ast.literal_eval(node)
        except ValueError:
            raise self.block(node, f"`{ast.unparse(node)}` is not a constant: variable and scope names (and "
                                   "`reuse`) must be known when the graph is built") from None

    def substitute(self, node: ast.expr, env: dict) -> ast.expr:
        class Sub(ast.NodeTransformer):
            def visit_Name(self, name):
                if isinstance(name.ctx, ast.Load) and name.id in env:
                    return ast.copy_location(env[name.id], name)
                return name

        return Sub().visit(ast.parse(ast.unparse(node), mode="eval").body)

    def run(self, function: ast.FunctionDef, call: ast.Call, scopes: list) -> ast.expr | None:
        args = function.args
        params = [a.arg for a in args.args]
        defaults = dict(zip(params[len(params) - len(args.defaults):], args.defaults))
        env: dict[str, ast.expr] = {}
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords) \
                or len(call.args) > len(params):
            raise self.block(call, f"`{function.name}` called with *args, **kwargs or too many arguments")
        for param, value in zip(params, call.args):
            env[param] = value
        for keyword in call.keywords:
            if keyword.arg not in params or keyword.arg in env:
                raise self.block(call, f"`{function.name}` called with an unknown or repeated argument")
            env[keyword.arg] = keyword.value
        for param in params:
            if param not in env:
                if param not in defaults:
                    raise self.block(call, f"`{function.name}` called without `{param}`")
                env[param] = defaults[param]
        graph = self.analyzer.facts.graph_names()
        for value in env.values():
            for sub in ast.walk(value):
                if isinstance(sub, ast.Call) and (isinstance(sub.func, ast.Name) and sub.func.id in
                                                  self.analyzer.facts.builders or self.is_layer(sub) or
                                                  self.analyzer.q(sub.func) in BUILDER_APIS):
                    raise self.block(call, f"`{function.name}` called with an argument that creates variables "
                                           f"(`{ast.unparse(sub.func)}`): assign that result to a name first")
        for param, value in list(env.items()):
            # arguments that compute something are evaluated once, where the call was (as Python did)
            if not isinstance(value, (ast.Name, ast.Constant)) and not _literal(value) and (
                    any(isinstance(n, ast.Call) for n in ast.walk(value)) or names(value) & graph):
                name = self.fresh(f"{self.target}_{param}")
                self.emit_graph(name, value)
                env[param] = ast.Name(id=name, ctx=ast.Load())
        saved = getattr(self, "returned", None), self.module_mode, self.current
        self.returned, self.module_mode, self.current = _returned_local(function), False, function.name
        try:
            return self.body(function.body, env, scopes, function.name)
        finally:
            self.returned, self.module_mode, self.current = saved

    current = ""
    module_mode = False  # statements of a module-level ``with tf.variable_scope`` block: names stay as written

    def emit_graph(self, name: str, value: ast.expr) -> None:
        dims = self.analyzer.facts.last_dims
        if isinstance(value, ast.Name) and value.id in dims:
            dims[name] = dims[value.id]
        self.graph_lines.append(f"{name} = {ast.unparse(value)}\n")
        self.graph_targets.append(name)
        self.deps |= names(value)

    def local(self, name: str) -> str:
        return name if self.module_mode else self.fresh(f"{self.target}_{name}")

    def variable_names(self) -> set[str]:
        return {n for n, _ in self.registry.variables.values()} | set(self.registry.aliases)

    def builder_call(self, value: ast.Call, env, scopes, local: str) -> ast.expr:
        """A helper creating variables called inside a helper (or a scope block): resolved in place."""
        facts = self.analyzer.facts
        _, function = facts.builders[value.func.id]
        call = ast.Call(func=value.func, args=[self.substitute(a, env) for a in value.args],
                        keywords=[ast.keyword(arg=k.arg, value=self.substitute(k.value, env)) for k in value.keywords])
        saved_target = self.target
        self.target = local
        try:
            return self.run(function, call, scopes)
        finally:
            self.target = saved_target

    def bind(self, local: str, result: ast.expr, env) -> None:
        """``local = <what a helper returned>``: a variable stays that object; a tensor becomes a graph statement."""
        if isinstance(result, ast.Name) and result.id in self.variable_names():
            if not self.module_mode:
                env[local] = result
            elif result.id != local:
                self.module_lines.append(f"{local} = {result.id}\n")  # the same object (reuse)
                self.registry.aliases[local] = result.id
            return
        name = self.local(local) if not self.module_mode else local
        if isinstance(result, ast.Name) and result.id == local and local in self.graph_targets:
            env[local] = result  # the helper computed it under this name already
            return
        self.emit_graph(name, result)
        env[local] = ast.Name(id=name, ctx=ast.Load())

    def body(self, statements, env, scopes, function: str):
        q = self.analyzer.q
        builders = self.analyzer.facts.builders
        where = f"`{function}`" if function else "the variable scope block"
        for position, stmt in enumerate(statements):
            last = position == len(statements) - 1
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                continue
            if isinstance(stmt, ast.Return) and not self.module_mode:
                if not last:
                    raise self.block(stmt, f"{where} returns before its end")
                value = stmt.value
                if isinstance(value, ast.Call) and q(value.func) == GET_VARIABLE:
                    return ast.Name(id=self.get_variable(value, env, scopes, RETURNED), ctx=ast.Load())
                if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in builders:
                    result = self.builder_call(value, env, scopes, self.target)
                    return result
                if self.is_layer(value):
                    output = self.target if self.target not in self.graph_targets else self.local("output")
                    return ast.Name(id=self.dense(value, env, scopes, output), ctx=ast.Load())
                return self.substitute(value, env) if value is not None else None
            if isinstance(stmt, ast.With):
                item = stmt.items[0] if len(stmt.items) == 1 else None
                context = item.context_expr if item is not None else None
                if context is None or q(context.func if isinstance(context, ast.Call) else context) != VARIABLE_SCOPE:
                    raise self.block(stmt, f"{where} uses a `with` block other than `tf.variable_scope`")
                scope = self.scope(context, env, scopes)
                if item.optional_vars is not None:
                    if not isinstance(item.optional_vars, ast.Name):
                        raise self.block(stmt, "a variable scope bound to other than a name")
                    scope.handle = item.optional_vars.id
                result = self.body(stmt.body, env, scopes + [scope], function)
                if result is not None or any(isinstance(s, ast.Return) for s in stmt.body):
                    if not last:
                        raise self.block(stmt, f"{where} returns before its end")
                    return result
                continue
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and \
                    q(stmt.value.func) == ADD_TO_COLLECTION:
                self.add_to_collection(stmt.value, env)
                continue
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and \
                    isinstance(stmt.value.func, ast.Attribute) and stmt.value.func.attr == "reuse_variables" \
                    and isinstance(stmt.value.func.value, ast.Name) and not stmt.value.args:
                handle = stmt.value.func.value.id
                scope = next((s for s in reversed(scopes) if s.handle == handle), None)
                if scope is None:
                    raise self.block(stmt, f"`{handle}.reuse_variables()` of a scope the rewrite does not know")
                scope.reuse = True
                continue
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                pairs = _pairs(stmt)
                if pairs is None:
                    raise self.block(stmt, f"{where} unpacks an assignment")
                for local, value in pairs:
                    if isinstance(value, ast.Call) and q(value.func) == GET_VARIABLE:
                        name = self.get_variable(value, env, scopes, local)
                        self.bind(local, ast.Name(id=name, ctx=ast.Load()), env)
                        continue
                    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in builders:
                        self.bind(local, self.builder_call(value, env, scopes, local), env)
                        continue
                    if self.is_layer(value):
                        name = self.dense(value, env, scopes, self.local(local))
                        env[local] = ast.Name(id=name, ctx=ast.Load())
                        continue
                    for sub in ast.walk(value):
                        if isinstance(sub, ast.Call) and (q(sub.func) in BUILDER_APIS or (
                                isinstance(sub.func, ast.Name) and sub.func.id in builders)):
                            raise self.block(sub, f"{where} calls `{ast.unparse(sub.func)}` inside an expression")
                    self.bind(local, self.substitute(value, env), env)
                continue
            raise self.block(stmt, f"{where} creates variables and holds a `{type(stmt).__name__}` statement: "
                                   "the rewrite resolves helpers made of assignments, `tf.variable_scope` blocks, "
                                   "`tf.add_to_collection` and one final `return`")
        return None

    def is_layer(self, value) -> bool:
        return isinstance(value, ast.Call) and (self.analyzer.q(value.func) or "").startswith("tensorflow.layers.")

    def dense(self, call: ast.Call, env, scopes, output: str) -> str:
        """``tf.layers.dense`` inside a helper's variable scope: TF1 named its variables ``scope/dense/kernel``
        (``dense_1``, ... per scope entry; reuse finds them by those names) and code selects them by name, which
        Keras 3 layer names cannot carry (no ``/``): the rewrite creates the two variables itself, named as TF1
        named them, and computes what TF1's layer computed (``bias_add(matmul(x, kernel), bias)``, then the
        activation)."""
        facts = self.analyzer.facts
        function = (self.analyzer.q(call.func) or "")[len("tensorflow.layers."):]
        if function != "dense":
            raise self.block(call, f"`tf.layers.{function}` inside a helper that creates variables: the rewrite "
                                   "resolves `tf.layers.dense` there")
        params = ("inputs", "units", "activation", "use_bias", "kernel_initializer", "bias_initializer", "name")
        if len(call.args) > len(params) or any(k.arg not in params for k in call.keywords):
            raise self.block(call, "`tf.layers.dense` with arguments other than inputs, units, activation, "
                                   "use_bias, kernel_initializer, bias_initializer and name")
        given = dict(zip(params, call.args))
        given.update({k.arg: k.value for k in call.keywords})
        inputs = self.substitute(given["inputs"], env)
        units = self.constant(given["units"], env)
        if not isinstance(inputs, ast.Name) or inputs.id not in facts.last_dims:
            raise self.block(call, f"the input size of `tf.layers.dense({ast.unparse(inputs)}, ...)` is not known "
                                   "when the graph is built (a placeholder of literal shape or another dense layer)")
        size = facts.last_dims[inputs.id]
        scope = scopes[-1] if scopes else None
        counters = scope.layers if scope is not None else facts.layer_counts
        if "name" in given:
            short = self.constant(given["name"], env)
        else:
            count = counters.get("dense", 0)
            counters["dense"] = count + 1
            short = "dense" if count == 0 else f"dense_{count}"
        if "bias_initializer" in given and not (isinstance(given["bias_initializer"], ast.Call) and
                                                self.analyzer.q(given["bias_initializer"].func) in
                                                ("tensorflow.zeros_initializer",)):
            raise self.block(call, "`tf.layers.dense` with a bias initializer other than zeros")
        use_bias = self.constant(given["use_bias"], env) if "use_bias" in given else True
        kernel = ast.parse(f"get_variable('{short}/kernel', [{size}, {units}])", mode="eval").body
        if "kernel_initializer" in given:
            kernel.keywords.append(ast.keyword(arg="initializer", value=self.substitute(given["kernel_initializer"],
                                                                                         env)))
        kernel_name = self.get_variable(kernel, {}, scopes, None)
        text = f"{{tf}}.matmul({inputs.id}, {kernel_name})"
        if use_bias:
            bias = ast.parse(f"get_variable('{short}/bias', [{units}], initializer=zeros_initializer())",
                             mode="eval").body
            bias.keywords[0].value = ast.parse(f"{self.tf_zeros}()", mode="eval").body
            bias_name = self.get_variable(bias, {}, scopes, None)
            text = f"{{tf}}.nn.bias_add({text}, {bias_name})"
        activation = given.get("activation")
        if activation is not None and not (isinstance(activation, ast.Constant) and activation.value is None):
            text = f"{ast.unparse(self.substitute(activation, env))}({text})"
        self.graph_lines.append(f"{output} = {text}\n")
        self.graph_targets.append(output)
        self.deps |= {inputs.id, kernel_name} | ({bias_name} if use_bias else set())
        facts.last_dims[output] = units
        return output

    @property
    def tf_zeros(self) -> str:
        """A spelling of ``tf.zeros_initializer`` the initializer table resolves (the module's own)."""
        for module in self.analyzer.statements:
            for node in ast.walk(module):
                if isinstance(node, (ast.Attribute, ast.Name)) and self.analyzer.q(node) == "tensorflow":
                    return ast.unparse(node) + ".zeros_initializer"
        raise self.block(None, "no spelling of `tf` in the module")

    def scope(self, call: ast.expr, env, scopes):
        if not isinstance(call, ast.Call):
            raise self.block(call, "a variable scope given as an object")
        given = dict(zip(("name_or_scope", "default_name", "values"), call.args))
        given.update({k.arg: k.value for k in call.keywords})
        if set(given) - {"name_or_scope", "reuse"} or "name_or_scope" not in given:
            raise self.block(call, "`tf.variable_scope` with arguments other than a name and `reuse`")
        name = self.constant(given["name_or_scope"], env)
        if not isinstance(name, str):
            raise self.block(call, "`tf.variable_scope` of other than a string name")
        reuse = given.get("reuse")
        mode = None
        if reuse is not None:
            sub = self.substitute(reuse, env)
            if self.analyzer.q(sub) == AUTO_REUSE:
                mode = "auto"
            else:
                value = self.constant(sub, env)
                if value not in (True, False, None):
                    raise self.block(call, "`reuse=` other than True, False, None or tf.AUTO_REUSE")
                mode = True if value else None
        return Scope(name, mode)

    def get_variable(self, call: ast.Call, env, scopes, local: str) -> str:
        params = ("name", "shape", "dtype", "initializer", "regularizer", "trainable")
        given = dict(zip(params, call.args))
        given.update({k.arg: k.value for k in call.keywords})
        extra = set(given) - set(params)
        if extra or len(call.args) > len(params) or "regularizer" in given:
            raise self.block(call, f"`get_variable` with {', '.join(sorted(extra)) or 'a regularizer'}: not "
                                   "converted")
        if "name" not in given:
            raise self.block(call, "`get_variable` without a name")
        short = self.constant(given["name"], env)
        full = "/".join([s.name for s in scopes] + [short])
        reuse = None
        for scope in scopes:  # an inner scope inherits reuse=True (it cannot turn it off)
            if scope.reuse is True or (scope.reuse == "auto" and reuse is not True):
                reuse = scope.reuse
        known = self.registry.variables.get(full)
        if reuse is True and known is None:
            raise self.block(call, f"`get_variable(\"{full}\")` under `reuse=True` of a variable not created "
                                   "before (TF1 raises here)")
        if known is not None:
            if reuse is None:
                raise self.block(call, f"`get_variable(\"{full}\")` again without reuse (TF1 raises here)")
            return known[0]
        trainable = True
        if "trainable" in given:
            trainable = self.constant(given["trainable"], env)
            if not isinstance(trainable, bool):
                raise self.block(call, "`trainable=` that is not a literal")
        if "shape" not in given:
            raise self.block(call, f"`get_variable(\"{full}\")` without a shape")
        shape = self.substitute(given["shape"], env)
        for name in names(shape) & self.analyzer.facts.graph_names():
            if not constant_node(self.analyzer, name):
                raise self.block(call, f"the shape of `{full}` reads the graph tensor `{name}` (its static shape "
                                       "is known only as the graph is built): give the shape as Python values")
            self.analyzer.facts.constants.add(name)
            self.analyzer.facts.roles[self.analyzer.facts.nodes[name].index] = "keep"
        dtype = self.substitute(given["dtype"], env) if "dtype" in given else None
        initial = self.initial_value(call, given.get("initializer"), shape, dtype, env, full)
        prefer = local if local is not None and self.module_mode else None
        if prefer is None and local is not None and local in (getattr(self, "returned", None), RETURNED):
            prefer = self.target  # the variable the helper returns takes the name the call's result had
        if prefer is not None and prefer in self.variable_names():
            prefer = None
        if prefer is not None:
            self.used.discard(prefer)
        name = self.fresh(prefer or full)
        tail = "" if trainable else ", trainable=False"
        self.module_lines.append(f"{name} = {{tf}}.Variable({initial}, name={full!r}{tail})\n")
        self.registry.variables[full] = (name, trainable)
        self.analyzer.facts.created.append((name, trainable))
        return name

    def initial_value(self, call, init, shape, dtype, env, full: str) -> str:
        from migrate.tf2_eager.facts import canonical

        table = self.analyzer.entries.get("initializers", {})
        dtype_text = ast.unparse(dtype) if dtype is not None else "{tf}.float32"
        shape_text = ast.unparse(shape)
        if init is None:
            if self.analyzer.facts.seeds:
                raise self.block(call, f"`get_variable(\"{full}\")` without an initializer in a seeded program: "
                                       "TF1's default glorot_uniform draws with an op seed derived from the graph, "
                                       "which eager TF2 cannot reproduce; give it an initializer with `seed=`")
            return f"{{tf}}.keras.initializers.GlorotUniform()({shape_text}, dtype={dtype_text})"
        init = self.substitute(init, env)
        if not isinstance(init, ast.Call):
            raise self.block(call, f"`get_variable(\"{full}\")` initializer `{ast.unparse(init)}` is not a call "
                                   "of a TF1 initializer")
        qualified = canonical(self.analyzer.qualify(ast.unparse(init.func)))
        spec = table.get(qualified or "")
        if spec is None:
            raise self.block(call, f"`get_variable` initializer `{ast.unparse(init.func)}` is not one the rewrite "
                                   "maps to a TF2 op")
        init_args = dict(zip(spec["params"], init.args))
        init_args.update({k.arg: k.value for k in init.keywords})
        if set(init_args) - set(spec["params"]):
            raise self.block(call, f"initializer arguments {', '.join(sorted(set(init_args) - set(spec['params'])))}")
        values = {"shape": shape_text, "tf": "{tf}"}
        for param in spec["params"]:
            values[param] = ast.unparse(init_args[param]) if param in init_args else spec["defaults"].get(param, "None")
        if dtype is None and "dtype" in init_args:
            dtype_text = ast.unparse(init_args["dtype"])
        values["dtype"] = dtype_text
        if "seed" in spec["params"] and "seed" not in init_args and self.analyzer.facts.seeds:
            raise self.block(call, f"`get_variable(\"{full}\")` initializer without `seed=` in a seeded program: "
                                   "TF1 derives the op seed from the graph, eager TF2 cannot reproduce it")
        op = spec["op"].format(**values)
        if "seed" in init_args and self.shared_seed(init_args["seed"]):
            # TF1 gave every op its own sequence: ops with the same seeds drew the same numbers. Eager ops with
            # one seed pair share one sequence (the second continues the first); a traced function's op is a
            # new op with its own sequence, as in TF1
            self.module_lines.append(f"# drawn by an op of its own: TF1 gave each op seeded "
                                     f"`{ast.unparse(init_args['seed'])}` its own sequence\n")
            return f"{{tf}}.function(lambda: {op})()"
        return op

    def shared_seed(self, seed: ast.expr) -> bool:
        """Whether another op of the program uses this op seed (or may: a seed not known statically)."""
        facts = self.analyzer.facts
        value = _seed_value(seed)
        if value is None or value in facts.created_seeds:
            facts.created_seeds.add(value)
            return True
        facts.created_seeds.add(value)
        current = facts.builders[self.current][1] if self.current in facts.builders else None
        count = 0  # seed keywords with this value in the source (this op's own included once)
        for module in self.analyzer.statements:
            for node in ast.walk(module):
                if isinstance(node, ast.keyword) and node.arg == "seed":
                    other = _seed_value(node.value)
                    count += other is None or other == value
        if current is None and not self.module_mode:
            return True
        return count > 1

    def add_to_collection(self, call: ast.Call, env) -> None:
        if len(call.args) != 2 or call.keywords:
            raise self.block(call, "`tf.add_to_collection` with other than a key and a value")
        key = self.constant(call.args[0], env)
        if not isinstance(key, str):
            raise self.block(call, "`tf.add_to_collection` with a key that is not a string")
        value = self.substitute(call.args[1], env)
        if isinstance(value, ast.Name) and value.id in self.analyzer.facts.graph_names() | set(self.graph_targets):
            name = value.id
        else:
            name = self.fresh(f"{self.target}_{key}")
            self.emit_graph(name, value)
        self.registry.collections.setdefault(key, []).append(name)


def _seed_value(node: ast.expr):
    """A seed computed from literals (``3``, ``len("w1")``), else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len" and \
            len(node.args) == 1 and not node.keywords and _literal(node.args[0]):
        return len(ast.literal_eval(node.args[0]))
    if _literal(node):
        value = ast.literal_eval(node)
        return value if isinstance(value, int) else None
    return None


def _literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
        return True
    except ValueError:
        return False


def names(node: ast.AST) -> set[str]:
    from migrate.tf2_eager.facts import names_read

    return names_read(node)


def classify_builder_call(analyzer, index: int, stmt: ast.AST, targets=()) -> bool:
    """``t = builder(args)`` (or ``a, b = builder(), builder()``) at module level, or a module-level
    ``with tf.variable_scope(...) [as scope]:`` block: resolve what it builds."""
    from migrate.tf2_eager.facts import GraphNode, VariableDef

    facts = analyzer.facts
    if isinstance(stmt, ast.With):
        item = stmt.items[0] if len(stmt.items) == 1 else None
        context = item.context_expr if item is not None else None
        if context is None or analyzer.q(context.func if isinstance(context, ast.Call) else context) != VARIABLE_SCOPE:
            return False
    else:
        pairs = _pairs(stmt) if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
        calls = [v for _, v in pairs or () if isinstance(v, ast.Call) and isinstance(v.func, ast.Name)
                 and v.func.id in facts.builders]
        if not calls:
            return False
    used = facts.builder_names
    if not used:
        used.update(analyzer.stores)
        used.update(n.id for m in analyzer.statements for n in ast.walk(m) if isinstance(n, ast.Name))
    inliner = _Inliner(analyzer, index, "", registry(facts), used)
    inliner.module_mode = True
    before = len(facts.created)
    aliases = set(registry(facts).aliases)
    inliner.body([stmt], {}, [], "")
    created = facts.created[before:]
    for name, trainable in created:
        facts.variables.append(VariableDef(index, name, ((name, trainable),)))
        facts.variable_names.add(name)
    facts.variable_names.update(set(registry(facts).aliases) - aliases)
    facts.aliases.update(registry(facts).aliases)
    facts.built[index] = Built(inliner.module_lines, inliner.graph_lines, inliner.graph_targets, inliner.deps)
    if inliner.graph_lines:
        targets = tuple(inliner.graph_targets)
        node = GraphNode(index, targets, frozenset(inliner.deps - set(targets)), None)
        facts.nodes.update({t: node for t in targets})
        facts.roles[index] = "node"
    else:
        facts.roles[index] = "variable"
    return True


def _pairs(stmt: ast.Assign):
    """``a = v`` or ``a, b = v1, v2``: (name, value) pairs, else None."""
    target, value = stmt.targets[0], stmt.value
    if isinstance(target, ast.Name):
        return [(target.id, value)]
    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts) \
            and all(isinstance(t, ast.Name) for t in target.elts):
        return [(t.id, v) for t, v in zip(target.elts, value.elts)]
    return None


def constant_node(analyzer, name: str) -> bool:
    """A graph statement ``c = tf.constant(<Python values>)`` (or ones/zeros/fill): the same at every run, so
    it may stay at module level, where its static shape is known."""
    facts = analyzer.facts
    node = facts.nodes.get(name)
    if node is None or node.targets != (name,):
        return False
    statement = analyzer.statements[node.index].body[0]
    if not (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call)):
        return False
    value = statement.value
    if analyzer.q(value.func) not in ("tensorflow.constant", "tensorflow.ones", "tensorflow.zeros", "tensorflow.fill"):
        return False
    if names(value) & facts.graph_names():
        return False
    return all(not (isinstance(n, ast.Call) and n is not value and (analyzer.q(n.func) or "").startswith("tensorflow"))
               for n in ast.walk(value))


def _returned_local(function: ast.FunctionDef) -> str | None:
    for stmt in ast.walk(function):
        if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Name):
            return stmt.value.id
    return None


def classify_module_expr(analyzer, index: int, stmt: ast.stmt) -> bool:
    """``tf.add_to_collection(key, t)`` at module level; statements that only introspect collections."""
    from migrate.tf2_eager.facts import Blocked

    facts = analyzer.facts
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and \
            analyzer.q(stmt.value.func) == ADD_TO_COLLECTION:
        call = stmt.value
        if len(call.args) != 2 or call.keywords or not (isinstance(call.args[0], ast.Constant)
                                                      and isinstance(call.args[0].value, str)):
            raise Blocked(index, stmt.lineno, "`tf.add_to_collection` with other than a literal key and a value")
        value = call.args[1]
        if not (isinstance(value, ast.Name) and value.id in facts.graph_names()):
            raise Blocked(index, stmt.lineno, "`tf.add_to_collection` of other than a graph name built above")
        registry(facts).collections.setdefault(call.args[0].value, []).append(value.id)
        facts.roles[index] = "drop"
        return True
    edits = collection_edits(analyzer, index, stmt, module_level=True)
    if edits is None:
        return False
    graph = facts.graph_names() - facts.variable_names
    if names_outside(stmt, edits) & graph:
        raise Blocked(index, stmt.lineno, "a module-level statement reads graph tensors outside a Session")
    facts.introspections[index] = edits
    facts.roles[index] = "introspect"
    return True


def names_outside(stmt: ast.AST, edits) -> set[str]:
    inside = {id(n) for node, _ in edits for n in ast.walk(node)}
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            and id(n) not in inside}


def collection_edits(analyzer, index: int, stmt: ast.AST, module_level: bool = False):
    """Calls reading collections or variable lists in ``stmt``: (node, replacement text), or None if none."""
    from migrate.tf2_eager.facts import Blocked

    facts = analyzer.facts
    reg = registry(facts)
    edits = []
    parents = {id(c): p for p in ast.walk(stmt) for c in ast.iter_child_nodes(p)}
    seen: set[int] = set()
    for sub in ast.walk(stmt):
        if not isinstance(sub, ast.Call) or id(sub) in seen:
            continue
        qualified = analyzer.q(sub.func)
        members = None
        if qualified == GET_COLLECTION:
            key_node = sub.args[0] if len(sub.args) == 1 and not sub.keywords else None
            if key_node is None:
                raise Blocked(index, sub.lineno, "`tf.get_collection` with a scope: not resolved")
            if analyzer.q(key_node) == TRAINABLE_KEY:
                members = trainable_list(analyzer, index, sub)
            elif isinstance(key_node, ast.Constant) and isinstance(key_node.value, str):
                if key_node.value == "losses" and _uses_tf_losses(analyzer):
                    raise Blocked(index, sub.lineno, "the \"losses\" collection, which `tf.losses.*` also fill")
                members = list(reg.collections.get(key_node.value, []))
            else:
                raise Blocked(index, sub.lineno, f"`tf.get_collection({ast.unparse(key_node)})`: a collection "
                                                 "the rewrite does not resolve")
        elif qualified in TRAINABLE:
            scope = (sub.args or [k.value for k in sub.keywords if k.arg == "scope"] or [None])[0]
            if len(sub.args) + len(sub.keywords) > 1 or (scope is not None and not (
                    isinstance(scope, ast.Constant) and isinstance(scope.value, str)
                    and re.fullmatch(r"[\w/.-]+", scope.value))):
                raise Blocked(index, sub.lineno, "`tf.trainable_variables` with a scope that is not a literal name")
            members = trainable_list(analyzer, index, sub)
            if scope is not None:  # TF1 keeps the names the scope matches from their start
                by_name = {python: full for full, (python, _) in reg.variables.items()}
                if any(m not in by_name for m in members):
                    raise Blocked(index, sub.lineno, "`tf.trainable_variables(scope)` over variables the rewrite "
                                                     "does not name")
                members = [m for m in members if by_name[m].startswith(scope.value)]
        elif qualified in GLOBAL or (qualified == GET_COLLECTION and sub.args
                                     and analyzer.q(sub.args[0]) == "tensorflow.GraphKeys.GLOBAL_VARIABLES"):
            if sub.keywords or (qualified in GLOBAL and sub.args) or (qualified == GET_COLLECTION and len(sub.args) > 1):
                raise Blocked(index, sub.lineno, "the global variables of a scope: not resolved")
            slots = sorted({t.optimizer.v1_name for t in facts.train_ops.values()
                            if t.optimizer.v1_name != "GradientDescentOptimizer"})
            if slots or facts.untracked_variables or facts.averages:
                raise Blocked(index, sub.lineno, "`tf.global_variables()` after "
                              + (f"{', '.join(slots)} made its slot variables" if slots else
                                 "variables the rewrite does not list were made (layers, moving averages)")
                              + ": TF1 lists those too, TF2 keeps them in the objects that own them")
            members = [expr for v in facts.variables for expr, _ in v.members]
        if members is None:
            continue
        seen.update(id(n) for n in ast.walk(sub))
        parent = parents.get(id(sub))
        graph = facts.graph_names() - facts.variable_names
        if module_level and any(m in graph for m in members):
            if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "len" \
                    and len(parent.args) == 1:
                edits.append((parent, str(len(members))))  # the collection's size, fixed when it was read
                continue
            raise Blocked(index, sub.lineno, "a collection of graph tensors read at module level")
        edits.append((sub, "[" + ", ".join(members) + "]"))
    return edits or None


def trainable_list(analyzer, index: int, node) -> list[str]:
    from migrate.tf2_eager.facts import Blocked

    facts = analyzer.facts
    listed = [expr for v in facts.variables for expr, trainable in v.members if trainable]
    if facts.untracked_variables or facts.hoists:
        raise Blocked(index, node.lineno, "the trainable variables listed while variables the rewrite does not "
                                          "name were created (Keras layers build theirs at the first call; "
                                          "factories called inside graph statements)")
    return listed


def _uses_tf_losses(analyzer) -> bool:
    for module in analyzer.statements:
        for qualified, _ in analyzer.tf_calls(module):
            if qualified.startswith("tensorflow.losses."):
                return True
    return False


def plan(rewrite) -> None:
    """Texts: module-level variables where the builder call was; graph statements into the functions; collection
    reads as literal lists."""
    from migrate.tf2_eager.facts import Blocked
    from migrate.tf2_eager.program import _splice

    facts = rewrite.facts
    tf = rewrite.tf
    for index, built in facts.built.items():
        module = "".join(line.replace("{tf}", tf) for line in built.module_lines)
        graph = "".join(line.replace("{tf}", tf) for line in built.graph_lines)
        rewrite.used.update(facts.builder_names)
        if facts.roles.get(index) == "node":
            if index in rewrite.hoisted or index in rewrite.overrides:
                raise Blocked(index, 1, "a builder call combined with a factory call or Python random numbers")
            rewrite.hoisted[index] = module
            rewrite.overrides[index] = graph
        else:
            rewrite.module_overrides[index] = module
    for index, edits in facts.collection_reads.items():
        if index in rewrite.overrides:
            raise Blocked(index, 1, "a collection read combined with another rewrite of the same statement")
        rewrite.overrides[index] = _splice(rewrite.texts[index], edits).lstrip("\n")
    for index, edits in facts.introspections.items():
        rewrite.introspections[index] = _splice(rewrite.texts[index], edits)


def session_introspection(analyzer, top: int, stmt: ast.stmt, skip: set[int]):
    """In the Session block: collection and variable-list reads (as literal lists, or counts), and variables used
    as Python objects (``v.name``, ``v is w``): the ids of the nodes that are fine, and the edits."""
    facts = analyzer.facts
    edits = collection_edits(analyzer, top, stmt, module_level=True) or []
    allowed = {id(n) for node, _ in edits for n in ast.walk(node)}
    parents = {id(c): p for p in ast.walk(stmt) for c in ast.iter_child_nodes(p)}
    plain = facts.variable_names - set(facts.nodes)
    from migrate.tf2_eager.layers import update_count

    for sub in ast.walk(stmt):
        if isinstance(sub, ast.Name) and sub.id in facts.update_collections:
            parent = parents.get(id(sub))
            if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "len" \
                    and len(parent.args) == 1:
                edits.append((parent, str(update_count(facts, sub.id))))
                allowed.update(id(n) for n in ast.walk(parent))
    for sub in ast.walk(stmt):
        if not (isinstance(sub, ast.Name) and sub.id in plain and id(sub) not in skip):
            continue
        parent = parents.get(id(sub))
        if isinstance(parent, ast.Attribute) and parent.attr == "name" or isinstance(parent, ast.Compare) and all(isinstance(op, (ast.Is, ast.IsNot)) for op in parent.ops):
            allowed.add(id(sub))
    return edits, allowed


def classify_variable_list(analyzer, index: int, stmt: ast.Assign, targets, edits) -> bool:
    """``d_vars = tf.trainable_variables(scope="d")`` or ``[v for v in tf.trainable_variables() if ...]``: a list
    of variables (they exist once the graph statements above ran, at module level), computed there once."""
    from migrate.tf2_eager.facts import Blocked

    facts = analyzer.facts
    graph = facts.graph_names() - facts.variable_names
    if len(targets) != 1 or not isinstance(stmt.targets[0], ast.Name) or names_outside(stmt.value, edits) & graph:
        return False
    inside = {id(n) for node, _ in edits for n in ast.walk(node)}
    for sub in ast.walk(stmt.value):
        if id(sub) not in inside and isinstance(sub, ast.Call):
            qualified = analyzer.q(sub.func) or ""
            if qualified.startswith("tensorflow"):
                return False
    if analyzer.stores.get(targets[0], 0) > 1:
        raise Blocked(index, stmt.lineno, f"the variable list `{targets[0]}` is bound more than once")
    facts.variable_lists.add(targets[0])
    facts.introspections[index] = edits
    facts.roles[index] = "introspect"
    return True
