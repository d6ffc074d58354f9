"""TF1 functions that build and run a graph of their own at each call, rewritten as eager TF2 functions.

    def run(make_optimizer, steps):
        tf.reset_default_graph()
        w = tf.Variable(...)                      # a fresh graph per call: fresh variables
        ...
        optimizer = make_optimizer(global_step)   # a factory passed in (lambdas building tf.train optimizers)
        with tf.Session() as sess:
            ...
            return sess.run(...)

In TF2 a plain Python function creating ``tf.Variable``s creates fresh ones at each call, which is what
the TF1 function did with its fresh graph.  So the function body is converted as a program of its own
(the same ``--to tf2`` rules, recursively: its runs become nested functions) and put back under the same
``def``; module-level lambdas that build ``tf.train`` optimizers become the Keras (or written-out) ones.

Conditions (else ``Blocked``; the module keeps the tf2-compat output):

* the module has no Session of its own: only graph functions, imports, the graph seed and plain Python;
* a graph function's body is an optional ``tf.reset_default_graph()``, graph statements and one final
  ``with tf.Session() as sess:``; no random ops (``reset_default_graph`` drops the graph seed: TF1's
  numbers would follow the validator's, not the program's, seed);
* an optimizer factory parameter ``p`` is used once, ``opt = p(step)`` or ``opt = p()``;
* a factory lambda's body is one ``tf.train.*Optimizer(...)`` the rewrite converts; when it passes its
  parameter to ``exponential_decay`` (a decayed rate), it becomes a Keras ``ExponentialDecay`` schedule on
  the optimizer's update count: every use of the lambda must then be as an argument of a graph function's
  factory parameter whose ``step`` is the global step that the optimizer's one training op increments.
"""
from __future__ import annotations

import ast
import contextvars
import re
import textwrap

import libcst as cst

from migrate.tf2_eager.facts import SEEDS, SESSIONS, V2_OFF, Analyzer, Blocked, canonical, dotted
from migrate.tf2_eager.optimizers import TEMPLATES

# names of the optimizer-factory parameters of the graph function being converted (read by the Analyzer)
FACTORY_PARAMS: contextvars.ContextVar[frozenset] = contextvars.ContextVar("FACTORY_PARAMS", default=frozenset())
RESET = ("tensorflow.reset_default_graph",)
DECAY = "tensorflow.train.exponential_decay"
GLOBAL_STEP = ("tensorflow.train.get_or_create_global_step", "tensorflow.train.create_global_step")
MINIMIZERS = ("minimize", "apply_gradients", "compute_gradients")


class GraphFunctions:
    def __init__(self, ctx, module: cst.Module, statements: list, entries: dict, ruleset) -> None:
        self.ctx, self.module, self.statements, self.entries, self.ruleset = ctx, module, statements, entries, ruleset
        self.texts = [module.code_for_node(s) for s in statements]
        self.trees = [ast.parse(t) for t in self.texts]
        self.tf = ctx.spell("tensorflow")
        self.used = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", module.code))
        self.class_names: dict[str, str] = {}  # written-out optimizer template -> its class name here

    def q(self, node) -> str | None:
        name = dotted(node)
        return canonical(self.ctx.bindings.qualify(name)) if name else None

    def applies(self) -> bool:
        graph_functions = [s for t in self.trees for s in t.body if isinstance(s, ast.FunctionDef)
                           and self._has_session(s)]
        module_session = any(self._is_session(n) for t in self.trees for s in t.body
                             if not isinstance(s, ast.FunctionDef) for n in ast.walk(s))
        return bool(graph_functions) and not module_session

    def _is_session(self, node) -> bool:
        return isinstance(node, ast.Call) and self.q(node.func) in SESSIONS

    def _has_session(self, function: ast.FunctionDef) -> bool:
        return any(self._is_session(n) for n in ast.walk(function))

    def tf_refs(self, node) -> list:
        return [n for n in ast.walk(node) if isinstance(n, (ast.Name, ast.Attribute))
                and (self.q(n) or "").startswith("tensorflow")]

    # -- the plan
    def build(self):
        functions: dict[str, tuple[int, ast.FunctionDef]] = {}
        for index, tree in enumerate(self.trees):
            for stmt in tree.body:
                if isinstance(stmt, ast.FunctionDef) and self._has_session(stmt):
                    functions[stmt.name] = (index, stmt)
        self.functions = functions
        self.factory_params = {name: self._factory_params(index, f) for name, (index, f) in functions.items()}
        parts: list[str] = []
        self.replaced: set[int] = set()  # top-level statements rewritten (their compat findings are moot)
        converted_functions = 0
        self.classes: dict[str, str] = {}
        for index, tree in enumerate(self.trees):
            text = self.texts[index]
            stmt = tree.body[0] if len(tree.body) == 1 else None
            if stmt is None:
                raise Blocked(index, 1, "a statement the compat rules rewrote does not parse on its own")
            if isinstance(stmt, (ast.Import, ast.ImportFrom)) or (
                    isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
                parts.append(text)
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and self.q(stmt.value.func) in V2_OFF:
                continue
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and self.q(stmt.value.func) in SEEDS:
                if len(stmt.value.args) != 1 or stmt.value.keywords:
                    raise Blocked(index, 1, "`set_random_seed` with other than one positional argument")
                parts.append(self.leading(index) + f"{self.tf}.random.set_seed({ast.unparse(stmt.value.args[0])})\n")
                self.replaced.add(index)
            elif isinstance(stmt, ast.FunctionDef) and stmt.name in functions:
                parts.append(self.convert_function(index, stmt))
                converted_functions += 1
                self.replaced.add(index)
            elif self.tf_refs(stmt):
                parts.append(self.convert_factories(index, stmt))
                self.replaced.add(index)
            else:
                parts.append(text)
        from migrate.tf2_eager.program import _tidy

        code = _tidy("".join(parts))
        try:
            ast.parse(code)
        except SyntaxError as error:
            raise Blocked(0, 1, f"the generated program does not parse ({error.msg})")
        for node in ast.walk(ast.parse(code)):
            name = dotted(node) if isinstance(node, ast.Attribute) else None
            qualified = self.ctx.bindings.qualify(name) if name else None
            if qualified and qualified.startswith(("tensorflow.compat.v1.", "tensorflow._api.v1.")):
                raise Blocked(0, 1, f"`{name}` is still used after the rewrite (TF1-only API)")
        return cst.parse_module(code), converted_functions

    def leading(self, index: int) -> str:
        statement = self.statements[index]
        return "".join(self.module.code_for_node(line) for line in getattr(statement, "leading_lines", ()))

    # -- graph functions
    def _factory_params(self, index: int, function: ast.FunctionDef) -> dict[str, str | None]:
        """Parameters called as ``opt = p(step)``: parameter -> the step variable name (or None)."""
        params = {a.arg for a in function.args.args + function.args.kwonlyargs}
        found: dict[str, str | None] = {}
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in params:
                name = node.func.id
                if name in found or node.keywords or len(node.args) > 1 or (
                        node.args and not isinstance(node.args[0], ast.Name)):
                    raise Blocked(index, node.lineno, f"parameter `{name}` of `{function.name}` called other than "
                                                      "once as `optimizer = factory(global_step)`")
                found[name] = node.args[0].id if node.args else None
        for name in found:
            loads = [n for n in ast.walk(function) if isinstance(n, ast.Name) and n.id == name]
            if len(loads) != 1:
                raise Blocked(index, loads[0].lineno, f"parameter `{name}` of `{function.name}` used other than "
                                                      "as the optimizer factory")
        return found

    def convert_function(self, index: int, function: ast.FunctionDef) -> str:
        prefixes = tuple(self.entries.get("random_ops", ()))
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and (self.q(node.func) or "").startswith(prefixes):
                raise Blocked(index, node.lineno, f"`{function.name}` builds and runs its own graph with random ops: "
                                                  "`reset_default_graph` drops the graph seed, so TF1's numbers are "
                                                  "not the program's to reproduce")
        statement = self.statements[index]
        if not isinstance(statement, cst.FunctionDef) or not isinstance(statement.body, cst.IndentedBlock):
            raise Blocked(index, 1, f"`{function.name}`: a one-line function body")
        body = list(statement.body.body)
        doc = ""
        if body and isinstance(body[0], cst.SimpleStatementLine) and isinstance(body[0].body[0], cst.Expr) and \
                isinstance(body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
            doc = cst.Module(body=[body[0]]).code
            body = body[1:]
        if body and isinstance(body[0], cst.SimpleStatementLine) and isinstance(body[0].body[0], cst.Expr):
            first = ast.parse(cst.Module(body=[body[0]]).code).body[0]
            if isinstance(first.value, ast.Call) and self.q(first.value.func) in RESET and not first.value.args:
                body = body[1:]
        if not body or not isinstance(body[-1], cst.With):
            raise Blocked(index, 1, f"`{function.name}` does not end with its `with tf.Session() as sess:` block")
        imports = [self.texts[i] for i, t in enumerate(self.trees)
                   if isinstance(t.body[0], (ast.Import, ast.ImportFrom))]
        inner = cst.Module(body=body, default_indent=self.module.default_indent,
                           default_newline=self.module.default_newline).code
        sub = "".join(i if i.endswith("\n") else i + "\n" for i in imports) + "\n" + inner
        from migrate.convert import convert_text

        token = FACTORY_PARAMS.set(frozenset(self.factory_params[function.name]))
        try:
            code, findings = convert_text(sub, self.ruleset, self.ctx.apply, "<graph function>")
        finally:
            FACTORY_PARAMS.reset(token)
        blocked = [f for f in findings if f.code == "TF4002"]
        if blocked or not any(f.code == "TF4001" for f in findings):
            reason = blocked[0].message if blocked else "its graph is not one the rewrite converts"
            raise Blocked(index, 1, f"`{function.name}` builds and runs its own graph, converted as a program of its "
                                    f"own: {reason}")
        tree = ast.parse(code)
        lines = code.splitlines(keepends=True)
        start = 0
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                start = node.end_lineno
            else:
                break
        kept = [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        if sorted(kept) != sorted(ast.unparse(n) for i in imports for n in ast.parse(i).body):
            raise Blocked(index, 1, f"converting `{function.name}`'s graph changed the imports")
        converted = "".join(lines[start:]).strip("\n") + "\n"
        # the run-site lines in the nested functions' markers: from the sub-program's to the file's
        from migrate.tf2_eager.program import _absolute_line

        first_kept = ast.parse(inner).body[0]
        first_in_function = next(s for s in function.body if ast.unparse(s) == ast.unparse(first_kept))
        absolute = _absolute_line(self.ctx, self.ctx.original_module.body[index], statement,
                                  first_in_function.lineno)
        offset = absolute - (sub[:sub.index(inner)].count("\n") + first_kept.lineno)

        def shift(match):
            numbers = ", ".join(str(int(n) + offset) for n in match.group(2).split(", "))
            return f"{match.group(1)}{numbers})"

        converted = re.sub(r"(# dlmigrate: session\.run \(lines? )([0-9, ]+)\)", shift, converted)
        converted = re.sub(r"\n{3,}", "\n\n", converted)  # one blank line between nested functions
        header = self.module.code_for_node(statement.with_changes(body=cst.IndentedBlock(
            body=[cst.SimpleStatementLine([cst.Pass()])])))
        header = header[:header.rindex("pass")].rstrip(" ")
        indent = self.module.default_indent
        return header + textwrap.indent(doc, indent) + textwrap.indent(converted, indent)

    # -- factories
    def convert_factories(self, index: int, stmt: ast.stmt) -> str:
        text = self.texts[index]
        edits = []
        covered: set[int] = set()
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Lambda) or not isinstance(node.body, ast.Call):
                continue
            qualified = self.q(node.body.func) or ""
            if not (qualified.startswith("tensorflow.train.") and qualified.endswith("Optimizer")):
                continue
            replacement, decayed = self.optimizer_expression(index, node)
            if decayed:
                self.check_decayed_flow(index, stmt, node)
            edits.append((node.body, replacement))
            covered.update(id(n) for n in ast.walk(node.body))
        for node in ast.walk(stmt):
            if id(node) not in covered and isinstance(node, (ast.Name, ast.Attribute)) and \
                    (self.q(node) or "").startswith("tensorflow"):
                raise Blocked(index, node.lineno, f"`{dotted(node)}` used at module level outside the graph "
                                                  "functions and optimizer factories")
        from migrate.tf2_eager.program import _splice

        head = "".join("\n\n" + self.classes.pop(k) for k in list(self.classes) if self.classes[k])
        return head + _splice(text, edits)

    def optimizer_expression(self, index: int, node: ast.Lambda) -> tuple[str, bool]:
        call = node.body
        params = [a.arg for a in node.args.args]
        if len(params) > 1 or node.args.vararg or node.args.kwarg or node.args.kwonlyargs:
            raise Blocked(index, node.lineno, "an optimizer factory taking other than one parameter")
        step = params[0] if params else None
        decay = None
        for arg in [*call.args, *(k.value for k in call.keywords)]:
            if isinstance(arg, ast.Call) and self.q(arg.func) == DECAY:
                decay = arg
        schedule = None
        if decay is not None:
            names = ("learning_rate", "global_step", "decay_steps", "decay_rate", "staircase", "name")
            given = dict(zip(names, decay.args))
            given.update({k.arg: k.value for k in decay.keywords})
            if not (isinstance(given.get("global_step"), ast.Name) and given["global_step"].id == step) or not all(
                    k in given for k in ("learning_rate", "decay_steps", "decay_rate")):
                raise Blocked(index, decay.lineno, "`exponential_decay` in an optimizer factory on other than the "
                                                   "factory's step parameter")
            args = [f"initial_learning_rate={ast.unparse(given['learning_rate'])}",
                    f"decay_steps={ast.unparse(given['decay_steps'])}",
                    f"decay_rate={ast.unparse(given['decay_rate'])}"]
            if "staircase" in given:
                args.append(f"staircase={ast.unparse(given['staircase'])}")
            schedule = f"{self.tf}.keras.optimizers.schedules.ExponentialDecay({', '.join(args)})"
        placeholder = "__dlmigrate_rate__"
        body = ast.parse(ast.unparse(call), mode="eval").body
        if decay is not None:
            for sub in ast.walk(body):
                for field_name, value in ast.iter_fields(sub):
                    if isinstance(value, ast.Call) and ast.unparse(value) == ast.unparse(decay):
                        setattr(sub, field_name, ast.Name(id=placeholder, ctx=ast.Load()))
                    elif isinstance(value, list):
                        for i, item in enumerate(value):
                            if isinstance(item, ast.Call) and ast.unparse(item) == ast.unparse(decay):
                                value[i] = ast.Name(id=placeholder, ctx=ast.Load())
                            elif isinstance(item, ast.keyword) and isinstance(item.value, ast.Call) and \
                                    ast.unparse(item.value) == ast.unparse(decay):
                                item.value = ast.Name(id=placeholder, ctx=ast.Load())
        if step is not None and any(isinstance(n, ast.Name) and n.id == step for n in ast.walk(body)):
            raise Blocked(index, node.lineno, f"optimizer factory using its parameter `{step}` other than as the "
                                              "decay's global step")
        analyzer = Analyzer([], self.ctx.bindings.qualify, self.entries)
        optimizer = analyzer._optimizer(index, body, self.q(call.func), "optimizer")
        if optimizer.explicit:
            from migrate.tf2_eager.optimizers import SPARSE_READS

            for _, function in self.functions.values():
                for sub in ast.walk(function):
                    if isinstance(sub, ast.Call) and self.q(sub.func) in SPARSE_READS:
                        raise Blocked(index, node.lineno, f"`{optimizer.v1_name}`, whose update is written out "
                                      f"dense, given to a graph function that reads `{dotted(sub.func)}` (a sparse "
                                      "gradient, which TF1 applies to the rows read only)")
            cls = self.class_name(optimizer.explicit)
            expression = f"{cls}({optimizer.keras})"
        else:
            expression = optimizer.keras.format(tf=self.tf)
        if decay is not None:
            if placeholder not in expression:
                raise Blocked(index, decay.lineno, "`exponential_decay` given to an optimizer argument other than "
                                                   "its learning rate")
            if optimizer.explicit:
                raise Blocked(index, decay.lineno, f"`{optimizer.v1_name}` with a decayed learning rate: its "
                                                   "update is written out with a constant rate only")
            expression = expression.replace(placeholder, schedule)
        return expression, decay is not None

    def class_name(self, template: str) -> str:
        name = self.class_names.get(template)
        if name is None:
            name, k = template, 2
            while name in self.used:
                name = f"{template}_{k}"
                k += 1
            self.used.add(name)
            self.class_names[template] = name
            self.classes[template] = TEMPLATES[template].format(cls=name, tf=self.tf).lstrip("\n") + "\n\n"
        return name

    def check_decayed_flow(self, index: int, stmt: ast.stmt, node: ast.Lambda) -> None:
        """A decayed-rate factory is right only where its step is the optimizer's update count: every use of the
        name holding it must reach a graph function's factory parameter whose step that optimizer increments."""
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            raise Blocked(index, node.lineno, "a decayed-rate optimizer factory not assigned to one name")
        holder = stmt.targets[0].id
        parents = {id(c): p for t in self.trees for p in ast.walk(t) for c in ast.iter_child_nodes(p)}
        loop_vars: set[str] = set()
        for tree in self.trees:
            for use in ast.walk(tree):
                if not (isinstance(use, ast.Name) and use.id == holder and isinstance(use.ctx, ast.Load)):
                    continue
                parent = parents.get(id(use))
                grand = parents.get(id(parent)) if parent is not None else None
                loop = parents.get(id(grand)) if grand is not None else None
                if isinstance(parent, ast.Attribute) and parent.attr == "items" and isinstance(grand, ast.Call) and \
                        isinstance(loop, ast.For) and loop.iter is grand and isinstance(loop.target, ast.Tuple) and \
                        len(loop.target.elts) == 2 and isinstance(loop.target.elts[1], ast.Name):
                    loop_vars.add(loop.target.elts[1].id)
                    continue
                raise Blocked(index, node.lineno, f"`{holder}`, holding a decayed-rate optimizer factory, is used "
                                                  "other than as `for name, factory in "
                                                  f"{holder}.items()`: its step could be another than the update count")
        for tree in self.trees:
            for use in ast.walk(tree):
                if not (isinstance(use, ast.Name) and use.id in loop_vars and isinstance(use.ctx, ast.Load)):
                    continue
                call = parents.get(id(use))
                if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and
                        call.func.id in self.functions and use in call.args):
                    raise Blocked(index, node.lineno, f"the decayed-rate optimizer factory `{use.id}` is used other "
                                                      "than as an argument of a graph function")
                function = self.functions[call.func.id][1]
                param = function.args.args[call.args.index(use)].arg
                step = self.factory_params[call.func.id].get(param, "")
                if not step or not self._step_counts_updates(function, step):
                    raise Blocked(index, node.lineno, f"`{call.func.id}` does not give its factory `{param}` the "
                                                      "global step that the optimizer's one training op increments")

    def _step_counts_updates(self, function: ast.FunctionDef, step: str) -> bool:
        """``step = tf.train.get_or_create_global_step()`` bound once, and one training op (of one optimizer)
        given ``global_step=step``; nothing else assigns it."""
        bindings = [n for n in ast.walk(function) if isinstance(n, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == step for t in n.targets)]
        if len(bindings) != 1 or not (isinstance(bindings[0].value, ast.Call) and
                                      self.q(bindings[0].value.func) in GLOBAL_STEP):
            return False
        steppers = [n for n in ast.walk(function) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                    and any(isinstance(k.value, ast.Name) and k.value.id == step for k in n.keywords)]
        if len(steppers) != 1 or steppers[0].func.attr not in ("minimize", "apply_gradients"):
            return False
        made = {t.id for n in ast.walk(function) if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
                and isinstance(n.value.func, ast.Name) and n.value.func.id in self.factory_params[function.name]
                for t in n.targets if isinstance(t, ast.Name)}
        receiver = steppers[0].func.value
        if not (isinstance(receiver, ast.Name) and receiver.id in made):
            return False  # the step is incremented by another optimizer than the factory's
        uses = [n for n in ast.walk(function) if isinstance(n, ast.Name) and n.id == step]
        for n in ast.walk(function):  # the step is read (fetched, passed to the factory), never assigned to
            if isinstance(n, ast.Call) and (self.q(n.func) or "").split(".")[-1] in (
                    "assign", "assign_add", "assign_sub") and any(
                    isinstance(a, ast.Name) and a.id == step for a in ast.walk(n)):
                return False
        return bool(uses)
