"""TF4001/TF4002/TF4003: a TF1 graph program rewritten, whole, as eager TensorFlow 2.

The rewrite is planned in ``finish`` from the module the ``--to tf2-compat``
rules produced (so every name they rename to a TF2 name is already renamed),
and applied all or nothing:

* placeholders become parameters of generated functions, cast to their dtype
  as ``Session.run`` cast fed values;
* each distinct ``sess.run(fetches, feed_dict)`` site becomes a call of a
  generated function computing exactly those fetches from those feeds; the
  graph statements it needs move into its body, so they are recomputed at each
  call (random ops and variable reads included, as each ``run`` did);
* variables stay module-level ``tf.Variable``s (created once, names kept);
* ``tf.train.*Optimizer(...).minimize(loss)`` becomes the Keras optimizer with
  the TF1 hyper-parameters written out, a ``GradientTape`` and
  ``apply_gradients`` over the variables the loss reads (or ``var_list``);
  ``global_step=`` becomes an ``assign_add(1)`` on the step variable;
* initializer runs and the Session go; results are converted back to numpy
  where ``sess.run`` returned numpy.

When anything is outside this (``Blocked``), the module is left as the
``--to tf2-compat`` rules wrote it and TF4002 says what blocked it and where.
"""
from __future__ import annotations

import ast
import re

import libcst as cst

from migrate.plugin import CustomTransform, register
from migrate.tf2_eager import iterators, rnn, sparse
from migrate.tf2_eager import averages, layers, scopes
from migrate.tf2_eager.facts import Analyzer, Blocked, RunSite, canonical
from migrate.tf2_eager.graph_functions import GraphFunctions
from migrate.tf2_eager.optimizers import ExplicitOptimizers
from migrate.tf2_eager.seeds import plan_op_seeds

MARKER = "# dlmigrate: session.run"
DROP = "__dlmigrate_drop__"
# names that mean the module builds and runs a TF1 graph (as TF2301's), with or without compat.v1
GRAPH_APIS = frozenset({
    "tensorflow.placeholder", "tensorflow.placeholder_with_default", "tensorflow.sparse_placeholder",
    "tensorflow.Session", "tensorflow.InteractiveSession", "tensorflow.train.MonitoredTrainingSession",
    "tensorflow.train.Supervisor", "tensorflow.get_default_graph", "tensorflow.global_variables_initializer",
    "tensorflow.initialize_all_variables", "tensorflow.train.string_input_producer",
})
# findings of the compat rules that the eager rewrite makes untrue (the compat names are gone)
SUPERSEDED = ("TF2002", "TF2301")
# report-only compat findings about code the eager rewrite replaced (initializers, v1 optimizers, seeds)
REPLACED_FINDINGS = ("TF2201",)
REPLACED_ROLES = ("placeholder", "drop", "optimizer", "train-op-inline", "global-step", "seed")


def _is_graph_program(scan) -> bool:
    return any(canonical(ref.qualified) in GRAPH_APIS for ref in scan.references)


@register("TF4001")
class EagerProgram(CustomTransform):
    """Plans and applies the whole-module rewrite; TF4002 reports why a module was not rewritten."""

    def applies(self, scan) -> bool:
        return _is_graph_program(scan)

    def prepare(self, ctx) -> None:
        ctx.facts["TF4001"] = bool(ctx.scan is not None and _is_graph_program(ctx.scan))

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        if not ctx.facts.get("TF4001") or not ctx.may_fix(self.rule):
            return module
        original = ctx.original_module
        from migrate.tf2_eager.wrappers import flatten

        flat = flatten(module, original, ctx.bindings.qualify)
        if flat is None:
            return self._finish(ctx, module, original, None) or module
        # a module-level try/finally around the program: its body's statements are analysed as module-level
        # ones; statement indexes (and findings' anchors) are those of the flattened modules
        ctx.original_module = flat[1]
        try:
            return self._finish(ctx, *flat) or module
        finally:
            ctx.original_module = original

    def _finish(self, ctx, module: cst.Module, original: cst.Module, wrap) -> cst.Module | None:
        """The rewritten module, or None (left as it is) when blocked."""
        statements = _without_inserted(module, original)
        blocked_rule = ctx.ruleset.rules.get("TF4002")
        if statements is None:
            if blocked_rule is not None:
                ctx.report(blocked_rule, original, "the module's statements changed shape under the compat rules; "
                           "left on the tf2-compat output", fixed=False)
            return None
        try:
            rewrite = Rewrite(ctx, module, statements, self.entries, wrap)
            result = rewrite.build()
        except Blocked as first:
            blocked = first
            functions = GraphFunctions(ctx, module, statements, self.entries, ctx.ruleset)
            if functions.applies():  # no module-level Session: functions that each build and run a graph
                try:
                    new_module, count = functions.build()
                except Blocked as reason:
                    blocked = reason
                else:
                    gone = set()
                    for index in functions.replaced:
                        position = ctx._position_of(original.body[index])
                        if position is not None:
                            gone.update(range(position.start.line, position.end.line + 1))
                    ctx.findings[:] = [f for f in ctx.findings if not (f.code in SUPERSEDED and f.fixed)
                                       and not (f.code in REPLACED_FINDINGS and f.line in gone)]
                    ctx.report(self.rule, original, f"{count} function(s) that each build and run a TF1 graph "
                               "rewritten as eager TF2 (each call creates its variables, as each fresh graph did; "
                               "the Session runs became nested functions); optimizer factories became Keras "
                               "optimizers", fixed=True)
                    return new_module
            if blocked_rule is not None:
                anchor = original.body[blocked.index] if blocked.index < len(original.body) else original
                line = _absolute_line(ctx, anchor, statements[blocked.index] if blocked.index < len(statements)
                                      else None, blocked.line)
                ctx.report(blocked_rule, anchor, blocked_rule.message.format(line=line, reason=blocked.reason),
                           fixed=False)
            return None
        new_module, summary, functions = result
        gone = summary.pop("replaced_lines")
        ctx.findings[:] = [f for f in ctx.findings if not (f.code in SUPERSEDED and f.fixed)
                           and not (f.code in REPLACED_FINDINGS and f.line in gone)]
        if getattr(rewrite, "host", None) is not None:
            from migrate.tf2_eager.host_apis import drop_moot_findings

            drop_moot_findings(ctx.findings)
        session = original.body[summary["session_index"]]
        ctx.report(self.rule, session, self.rule.message.format(**summary), fixed=True)
        layers.report(ctx, rewrite)
        for code, index, line, message in summary.pop("notes"):
            rule = ctx.ruleset.rules.get(code)
            if rule is not None and index < len(original.body):
                where = _absolute_line(ctx, original.body[index], statements[index], line)
                ctx.report(rule, original.body[index], rule.message.format(line=where, detail=message), fixed=True)
        ctx.facts["TF4001.functions"] = functions
        return new_module


@register("TF4002")
class EagerBlocked(CustomTransform):
    """Report-only: TF4001 files its findings under this code; nothing to do on its own."""

    def applies(self, scan) -> bool:
        return False


@register("TF4005")
class SaverNotes(CustomTransform):
    """Report-only: TF4001 reports each Saver it converted to tf.train.Checkpoint under this code."""

    def applies(self, scan) -> bool:
        return False


@register("TF4006")
class SummaryWriterNotes(CustomTransform):
    """Report-only: TF4001 reports each FileWriter it converted under this code."""

    def applies(self, scan) -> bool:
        return False


@register("TF4003")
class StepFunctions(CustomTransform):
    """Wraps the functions TF4001 generated in ``tf.function`` (deselect TF4003 to keep them eager)."""

    def applies(self, scan) -> bool:
        return False

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        names = ctx.facts.get("TF4001.functions")
        if not names or not ctx.may_fix(self.rule):
            return module
        random = ctx.facts.get("TF4001.random", {})
        wrapped = [n for n in names if n not in random]
        if random:
            kept = ", ".join(f"{n} ({op})" for n, op in random.items())
            note = (f"; {kept} stay eager: a traced function restarts its random ops' sequence at every retrace "
                    "(and gives each function its own), where every TF1 run drew the next numbers")
        else:
            note = ""
        if not wrapped:
            ctx.report(self.rule, ctx.original_module, f"no generated function wrapped in tf.function{note}",
                       fixed=False)
            return module
        decorator = cst.Decorator(decorator=cst.parse_expression(f"{ctx.spell('tensorflow')}.function"))
        body = []
        for statement in module.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value in wrapped:
                statement = statement.with_changes(decorators=[decorator, *statement.decorators])
            body.append(statement)
        ctx.report(self.rule, ctx.original_module, self.rule.message.format(names=", ".join(wrapped)) + note,
                   fixed=True)
        return module.with_changes(body=body)


def _without_inserted(module: cst.Module, original: cst.Module) -> list[cst.CSTNode] | None:
    """The rewritten module's top-level statements, one per original statement (TF2301's insert removed)."""
    body = list(module.body)
    if len(body) == len(original.body) + 1:
        for index, statement in enumerate(body):
            text = module.code_for_node(statement)
            if "disable_v2_behavior()" in text and len(text.strip().splitlines()) == 1:
                del body[index]
                break
    return body if len(body) == len(original.body) else None


def _absolute_line(ctx, anchor, statement, line: int) -> int:
    position = ctx._position_of(anchor)
    start = position.start.line if position is not None else 1
    leading = len(getattr(statement, "leading_lines", ()) or ())
    return start + max(0, line - 1 - leading)


class Rewrite:
    def __init__(self, ctx, module: cst.Module, statements: list, entries: dict, wrap=None) -> None:
        self.ctx = ctx
        self.wrap = wrap  # a module-level try/finally the statements came out of (wrappers.TryWrap)
        self.module = module
        self.statements = statements
        self.entries = entries
        self.texts = [module.code_for_node(s) for s in statements]
        self.trees = []
        for index, text in enumerate(self.texts):
            try:
                self.trees.append(ast.parse(text))
            except SyntaxError:
                raise Blocked(index, 1, "a statement the compat rules rewrote does not parse on its own")
        self.used = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", module.code))
        self.tf = ctx.spell("tensorflow")

    def qualify(self, dotted: str) -> str | None:
        return self.ctx.bindings.qualify(dotted)

    def fresh(self, base: str, reusable: frozenset[str] = frozenset()) -> str:
        name, k = base, 2
        while name in self.used and name not in reusable:
            name = f"{base}_{k}"
            k += 1
        self.used.add(name)
        return name

    def fresh_name(self, base: str) -> str:
        """``fresh``, where ``base`` may be taken when the module uses it only as an attribute (``tf.X``)."""
        bound = any(isinstance(n, (ast.Name, ast.arg, ast.FunctionDef, ast.ClassDef, ast.alias)) and
                    base in (getattr(n, "id", None), getattr(n, "arg", None), getattr(n, "name", None),
                             getattr(n, "asname", None)) for t in self.trees for n in ast.walk(t))
        return self.fresh(base, reusable=frozenset() if bound else frozenset({base}))

    def local_name(self, base: str) -> str:
        """A name local to one generated function: free in the module (the function reads its globals)."""
        name, k = base, 2
        while name in self.used:
            name = f"{base}_{k}"
            k += 1
        return name

    # -- the plan
    def replace_statement(self, index: int, text: str) -> None:
        """A top-level statement's text edited before the analysis (``seeds.py``): comments above it kept."""
        leading = self.leading(index)
        if not text.startswith(leading):
            raise Blocked(index, 1, "a statement edited for op seeds lost the comments above it")
        statement = cst.parse_module(text[len(leading):]).body[0]
        self.statements[index] = statement.with_changes(leading_lines=self.statements[index].leading_lines)
        self.texts[index] = self.module.code_for_node(self.statements[index])
        self.trees[index] = ast.parse(self.texts[index])

    def build(self):
        from migrate.tf2_eager import host_apis
        from migrate.tf2_eager.segments import merge_facts, segments

        self.host = host_apis.prepare(self)  # flags/logging -> absl, ConfigProto -> tf.config, shape `.value`
        parts = segments(self)
        if len(parts) == 1:
            return self.finalize(self.plan(None))
        # ``tf.reset_default_graph()`` between graph programs: each is planned on its own, then joined
        chunks: list[tuple[int | None, str]] = []
        plans = []
        for segment in parts:
            sub = Rewrite(self.ctx, self.module, self.statements, self.entries, self.wrap)
            sub.used = self.used
            chunks.extend(sub.plan(segment))
            plans.append(sub)
        self.facts = merge_facts(plans, parts)
        self.function_names = [n for sub in plans for n in sub.function_names]
        self.random_functions = {k: v for sub in plans for k, v in sub.random_functions.items()}
        chunks.sort(key=lambda c: -1 if c[0] is None else c[0])
        return self.finalize(chunks)

    def plan(self, segment):
        """The rewritten statements, ``(index, text)`` (None for a generated function), of the statements in
        ``segment`` (a range of indexes; None: all)."""
        for generated in ("tf1_lstm_cell_as_keras", "tf1_orthogonal_initial_value"):
            if generated in self.used:  # the helpers the rewrite may add have fixed names
                raise Blocked(0, 1, f"the module already uses the name `{generated}`, which the rewrite generates")
        self.op_seeds = plan_op_seeds(self)
        if self.op_seeds and segment is not None:
            raise Blocked(segment.start, 1, "unseeded random ops in a program split by `reset_default_graph()`: "
                                            "TF1 numbers their op seeds graph by graph; not rewritten")
        analyzer = Analyzer(self.trees, self.qualify, self.entries)
        self.analyzer = analyzer
        analyzer.tf = self.tf
        analyzer.segment = segment
        facts = analyzer.run()
        from migrate.tf2_eager.savers import restored_first

        self.restored_first = restored_first(analyzer)
        self.facts = facts
        self.host_edits = facts.host_edits
        gone = frozenset(facts.train_ops) | frozenset(facts.optimizers) | frozenset(facts.init_ops)
        for train in facts.train_ops.values():
            if facts.roles.get(train.index) == "train-op-inline":
                base = "optimizer" if len(facts.train_ops) == 1 else f"{train.name}_optimizer"
                train.optimizer.name = self.fresh(base, reusable=frozenset({train.name}))
        for name, optimizer in facts.optimizers.items():
            optimizer.name = name
        self.overrides: dict[int, str] = dict(facts.text_overrides)
        self.hoisted: dict[int, str] = {}
        self.hoist_factory_calls()
        self.hoist_python()
        iterators.plan(self)
        averages.plan(self)
        self.module_overrides: dict[int, str] = {}
        self.plan_get_variables()
        rnn.plan(self)
        self.introspections: dict[int, str] = {}
        scopes.plan(self)
        self.schedules: dict[int, str] = {}
        self.plan_schedules()
        self.sparse = sparse.sparse_nodes(self)
        self.sparse_class = None
        self.explicit = ExplicitOptimizers(self)
        functions, calls = self.plan_functions(gone)
        if self.sparse_class:
            functions.insert(0, sparse.class_text().replace(sparse.VALUE_CLASS, self.sparse_class, 2))
        if self.rnn_state_class:
            functions.insert(0, rnn.class_text(self.rnn_state_class, sparse.SENTINEL))
        functions[:0] = self.initializer_texts
        self.plan_evals(functions)
        body_texts = self.rewrite_session(calls)
        if hasattr(self, "uninitialized_name"):
            lines = self.uninitialized_lines
            functions.append(f"\n\ndef {self.uninitialized_name}():  {MARKER} (line{'s' if len(lines) > 1 else ''} "
                             f"{', '.join(lines)})\n    return {self.tf}.constant([], dtype={self.tf}.string)  "
                             "# eager variables are initialized when they are created\n")
        chunks: list[tuple[int | None, str]] = []  # (statement index, or None for a function; text)
        for index, text in enumerate(self.texts):
            role = facts.roles.get(index, "keep")
            piece = None
            if role == "keep":
                piece = _splice(text, self.host_edits[index]) if index in self.host_edits else text
            elif role == "seed":
                piece = self.leading(index) + f"{self.tf}.random.set_seed({facts.seeds[index]})\n"
            elif role == "variable":
                piece = self.leading(index) + self.module_overrides[index] if index in self.module_overrides \
                    else text
            elif role == "global-step":
                target = next(v.target for v in facts.variables if v.index == index)
                piece = self.leading(index) + f"{target} = {self.tf}.Variable(0, dtype={self.tf}.int64, " \
                    f"trainable=False, name=\"global_step\")\n"
            elif role in ("optimizer", "train-op-inline"):
                optimizer = next(o for o in facts.optimizers.values() if o.index == index) if role == "optimizer" \
                    else next(t.optimizer for t in facts.train_ops.values() if t.index == index)
                construction = self.explicit.construction(optimizer) if optimizer.explicit else \
                    f"{optimizer.name} = {optimizer.keras.format(tf=self.tf)}\n"
                piece = self.leading(index) + construction
            elif role in ("session", "session-assign", "interactive"):
                if self.wrap is None:
                    chunks.append((index, "".join(functions) + ("\n\n" if functions else "")))
                else:
                    chunks.extend((None, f) for f in functions)
                piece = body_texts.get(index, "").lstrip("\n")
            elif role == "introspect":
                piece = self.introspections[index]
            elif role == "session-body":
                piece = body_texts.get(index, "")
            elif role == "feed":  # a module-level feed dict: its keys become the placeholder names
                top, mapping = facts.feed_dicts[next(n for n, (i, _) in facts.feed_dicts.items() if i == index)]
                piece = _splice(self.texts[index], [(key, repr(key.id)) for key in mapping.keys])
            elif role == "rnn-cell":
                piece = self.leading(index) + self.cell_texts[index]
            elif role == "iterator":
                piece = self.leading(index) + self.iterator_texts[index]
            elif role == "node" and index in self.hoisted:
                piece = self.leading(index) + self.hoisted[index]
            elif role == "node" and index in self.schedules:
                piece = self.leading(index) + self.schedules[index]
            elif index in facts.module_texts:  # an extension's module-level replacement (savers, summaries)
                piece = self.leading(index) + facts.module_texts[index]
            # placeholder, node, drop: gone (nodes live in the functions now)
            if piece is not None and (analyzer.segment is None or index in analyzer.segment):
                chunks.append((index, piece))
        return chunks

    def finalize(self, chunks):
        facts = self.facts
        code = _tidy(self.assemble(chunks))
        if facts.imports:
            code = _add_imports(code, facts.imports)
        from migrate.tf2_eager import host_apis

        code = host_apis.finish(self, code, getattr(self, "host", None))

        if not code.endswith("\n"):
            code += "\n"
        code = self.modernize_v1_calls(code)
        code = _drop_unused_imports(code, self.qualify)
        self.check_output(code)
        if sparse.SENTINEL in code:
            code = code.replace(sparse.SENTINEL, self.ctx.spell("collections.namedtuple"))
        new_module = cst.parse_module(code)
        replaced: set[int] = set()
        for index, role in facts.roles.items():
            if role in REPLACED_ROLES:
                position = self.ctx._position_of(self.ctx.original_module.body[index])
                if position is not None:
                    replaced.update(range(position.start.line, position.end.line + 1))
        for run in facts.runs:
            if run.shape == "init":
                replaced.add(self.absolute(run))
        for index in set(facts.text_overrides) | {i for i, r in facts.roles.items() if r == "host"}:
            position = self.ctx._position_of(self.ctx.original_module.body[index])
            if position is not None:
                replaced.update(range(position.start.line, position.end.line + 1))
        for _, index, line, _ in facts.notes:  # a writer made in the Session block: its line
            replaced.add(_absolute_line(self.ctx, self.ctx.original_module.body[index], self.statements[index], line))
        summary = {
            "replaced_lines": replaced,
            "session_index": facts.session_index,
            "placeholders": len(facts.placeholders),
            "sites": sum(1 for r in facts.runs if r.shape != "init"),  # (report_uninitialized counts)
            "functions": len(self.function_names),
            "optimizers": ", ".join(sorted({t.optimizer.v1_name for t in facts.train_ops.values()})) or "none",
            "notes": list(facts.notes),
        }
        self.ctx.facts["TF4001.random"] = dict(self.random_functions)
        return new_module, summary, list(self.function_names)

    def assemble(self, chunks: list[tuple[int | None, str]]) -> str:
        if self.wrap is None:
            return "".join(text for _, text in chunks)
        from migrate.tf2_eager.wrappers import wrap

        try:
            return wrap(chunks, self.wrap)
        except ValueError as error:
            raise Blocked(self.wrap.start, 1, f"the module-level `try` body cannot be re-indented ({error})")

    def leading(self, index: int) -> str:
        statement = self.statements[index]
        return "".join(self.module.code_for_node(line) for line in getattr(statement, "leading_lines", ()))

    def plan_get_variables(self) -> None:
        """``w = tf.get_variable("w", shape, dtype, initializer=init(...))`` -> ``tf.Variable(<the op the TF1
        initializer runs>, name="w")``: the same op with the same seeds, so the same initial values. Alone or
        as the items of a literal dict/list of variables."""
        from migrate.tf2_eager import initializers

        self.orthogonal_needed = False
        for variable in self.facts.variables:
            if not variable.get_variable:
                continue
            index = variable.index
            text = self.texts[index]
            call = next(n for n in ast.walk(self.trees[index]) if isinstance(n, ast.Call))
            given = dict(zip(("name", "shape", "dtype", "initializer"), call.args))
            given.update({k.arg: k.value for k in call.keywords})
            if "initializer" not in given and "shape" in given and variable.target in self.restored_first \
                    and variable.members[0][0] == variable.target:
                # a Saver restores it before anything reads it: TF1 never used its (unseeded) initial value
                dtype = given.get("dtype")
                dtype_text = ast.get_source_segment(text, dtype) if dtype is not None else f"{self.tf}.float32"
                name_text = ast.get_source_segment(text, given["name"]) if "name" in given else None
                if name_text is None:
                    raise Blocked(index, 1, "`get_variable` without a name")
                trainable = "" if variable.members[0][1] else ", trainable=False"
                self.module_overrides[index] = (
                    f"{variable.target} = {self.tf}.Variable({self.tf}.zeros({ast.get_source_segment(text, given['shape'])}, "
                    f"dtype={dtype_text}), name={name_text}{trainable})  # restored before use\n")
                continue
            calls = [n for n in ast.walk(self.trees[index]) if isinstance(n, ast.Call)
                     and canonical(self.qualify(ast.unparse(n.func))) == "tensorflow.get_variable"]
            edits = [(call, self.get_variable_text(index, call, text)) for call in calls]
            needed = self.orthogonal_needed and not getattr(self, "orthogonal_written", False)
            prefix = "\n\n" + initializers.orthogonal_function(self.tf).strip("\n") + "\n\n\n" if needed else ""
            self.orthogonal_written = self.orthogonal_needed
            self.module_overrides[index] = prefix + _splice(text, edits)[len(self.leading(index)):]

    def get_variable_text(self, index: int, call: ast.Call, text: str) -> str:
        from migrate.tf2_eager import initializers

        table = self.entries.get("initializers", {})
        params = ("name", "shape", "dtype", "initializer")
        given = dict(zip(params, call.args))
        given.update({k.arg: k.value for k in call.keywords})
        extra = set(given) - set(params) - {"trainable"}
        if extra or len(call.args) > len(params):
            raise Blocked(index, call.lineno, f"`get_variable` with {', '.join(sorted(extra)) or 'extra arguments'}")
        if "shape" not in given or "name" not in given or "initializer" not in given:
            raise Blocked(index, call.lineno, "`get_variable` without an explicit name, shape and initializer (the "
                                              "default glorot initializer is unseeded)")
        trainable = given.get("trainable")
        if trainable is not None and not (isinstance(trainable, ast.Constant) and isinstance(trainable.value, bool)):
            raise Blocked(index, call.lineno, "`trainable=` that is not a literal")
        trainable_text = ", trainable=False" if trainable is not None and trainable.value is False else ""
        init = given["initializer"]
        shape_text = ast.get_source_segment(text, given["shape"])
        dtype = given.get("dtype")
        dtype_text = ast.get_source_segment(text, dtype) if dtype is not None else None
        op = self.initializer_op(index, init, self.canonical_call(init), given["shape"], shape_text, dtype_text, text)
        name_text = ast.get_source_segment(text, given["name"])
        return f"{self.tf}.Variable({op}, name={name_text}{trainable_text})"

    def canonical_call(self, node: ast.expr) -> str | None:
        return canonical(self.qualify(ast.unparse(node.func))) if isinstance(node, ast.Call) else None

    def initializer_op(self, index: int, init: ast.expr, qualified: str | None, shape_node: ast.expr,
                       shape_text: str, dtype_text: str | None, text: str) -> str:
        """The op a TF1 initializer object runs for a variable of this shape (table templates, then the
        shape-dependent ones of ``initializers``); Blocked when neither knows it."""
        from migrate.tf2_eager import initializers

        spec = self.entries.get("initializers", {}).get(qualified or "")
        if spec is None:
            op = initializers.initial_value(self, index, qualified or "", init, shape_node, shape_text, dtype_text,
                                            text)
            if op is None:
                raise Blocked(index, getattr(init, "lineno", 1), f"initializer `{ast.unparse(init)}` is not one the "
                                                                 "rewrite maps to a TF2 op")
            return op
        init_args = dict(zip(spec["params"], init.args))
        init_args.update({k.arg: k.value for k in init.keywords})
        if set(init_args) - set(spec["params"]):
            raise Blocked(index, init.lineno, "initializer arguments "
                          f"{', '.join(sorted(set(init_args) - set(spec['params'])))}")
        values = {"shape": shape_text, "tf": self.tf}
        for param in spec["params"]:
            values[param] = ast.get_source_segment(text, init_args[param]) if param in init_args \
                else spec["defaults"].get(param, "None")
        dtype = init_args.get("dtype")
        values["dtype"] = dtype_text or (ast.get_source_segment(text, dtype) if dtype is not None
                                         else f"{self.tf}.float32")
        return spec["op"].format(**values)

    def facts_stores(self, name: str) -> int:
        """How many times ``name`` is bound at module level (the analysis' count)."""
        return self.analyzer.stores.get(name, 0)

    def plan_schedules(self) -> None:
        """``lr = tf.train.exponential_decay(lr0, step, ...)`` feeding an optimizer that increments ``step``:
        a Keras ``ExponentialDecay`` schedule given to the optimizer (its ``iterations`` count the same
        updates as ``step``: both start at 0 and grow by one per update); the node, if fetched, evaluates
        the schedule at ``step``."""
        facts = self.facts
        for optimizer in {id(t.optimizer): t.optimizer for t in facts.train_ops.values()}.values():
            if optimizer.schedule is None:
                continue
            node = facts.nodes[optimizer.schedule]
            call = next(n for n in ast.walk(self.trees[node.index]) if isinstance(n, ast.Call)
                        and canonical(self.qualify(ast.unparse(n.func))) in ("tensorflow.train.exponential_decay",))
            params = ("learning_rate", "global_step", "decay_steps", "decay_rate", "staircase", "name")
            given = dict(zip(params, call.args))
            given.update({k.arg: k.value for k in call.keywords})
            step = given.get("global_step")
            users = [t for t in facts.train_ops.values() if t.optimizer is optimizer]
            stepping = [t for t in facts.train_ops.values() if t.global_step]
            if not (isinstance(step, ast.Name) and step.id in facts.global_steps | facts.variable_names
                    and len(users) == 1 and users[0].global_step == step.id and stepping == users):
                raise Blocked(node.index, 1, f"the decayed learning rate `{optimizer.schedule}` follows a step "
                                             "that is not incremented exactly by this optimizer's updates")
            if not all(k in given for k in ("learning_rate", "decay_steps", "decay_rate")):
                raise Blocked(node.index, 1, "`exponential_decay` without its rate arguments")
            text = self.texts[node.index]
            args = [f"initial_learning_rate={ast.get_source_segment(text, given['learning_rate'])}",
                    f"decay_steps={ast.get_source_segment(text, given['decay_steps'])}",
                    f"decay_rate={ast.get_source_segment(text, given['decay_rate'])}"]
            if "staircase" in given:
                args.append(f"staircase={ast.get_source_segment(text, given['staircase'])}")
            schedule = self.fresh(f"{optimizer.schedule}_schedule")
            self.schedules[node.index] = (f"{schedule} = {self.tf}.keras.optimizers.schedules.ExponentialDecay("
                                          f"{', '.join(args)})\n")
            self.overrides[node.index] = f"{optimizer.schedule} = {schedule}({step.id})\n"
            optimizer.keras = re.sub(r"learning_rate=[^,)]*", f"learning_rate={schedule}", optimizer.keras, count=1) \
                if "learning_rate=" in optimizer.keras else optimizer.keras.replace(
                    "(", f"(learning_rate={schedule}, ", 1)

    def hoist_python(self) -> None:
        """``c = tf.constant(np.random.rand(3))``: the graph froze the numbers drawn when it was built. The
        largest Python sub-expression around each such call (no TensorFlow call, no graph name) is computed
        once at module level, where the statement was (so the generator's draws keep their order); the graph
        statement, moved into functions, reads that value."""
        from migrate.tf2_eager.facts import names_read

        facts = self.facts
        graph = facts.graph_names()
        for index, calls in sorted(facts.python_hoists.items()):
            if index in self.hoisted:
                raise Blocked(index, 1, "a graph statement both calls a variable factory and draws Python "
                                        "random numbers")
            tree = self.trees[index]
            parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

            def pure(node) -> bool:
                if names_read(node) & graph or any(isinstance(n, (ast.Lambda, ast.NamedExpr)) for n in ast.walk(node)):
                    return False
                return not any(isinstance(n, ast.Call) and (canonical(self.qualify(ast.unparse(n.func)) or "")
                                                            .startswith("tensorflow")) for n in ast.walk(node))

            tops: dict[int, ast.expr] = {}
            for call in calls:
                node = call
                if not pure(node):
                    raise Blocked(index, call.lineno, f"`{ast.unparse(call.func)}` draws Python random numbers "
                                                      "from graph values")
                while isinstance(parents.get(id(node)), ast.expr) and pure(parents[id(node)]):
                    node = parents[id(node)]
                tops[id(node)] = node
            nodes = sorted(tops.values(), key=lambda n: (n.lineno, n.col_offset))
            if any(a is not b and any(x is b for x in ast.walk(a)) for a in nodes for b in nodes):
                raise Blocked(index, 1, "nested Python random draws in one graph statement")
            text = self.texts[index]
            target = facts.nodes[next(t for t, n in facts.nodes.items() if n.index == index)].targets[0]
            lines, edits, names = [], [], []
            for node in nodes:
                name = self.fresh(f"{target}_value")
                lines.append(f"{name} = {ast.get_source_segment(text, node)}\n")
                edits.append((node, name))
                names.append(name)
            self.hoisted[index] = "".join(lines)
            self.overrides[index] = _splice(text, edits).lstrip("\n")

    def hoist_factory_calls(self) -> None:
        """Variable factory calls inside graph statements become module-level variables, created once."""
        from migrate.tf2_eager.facts import GraphNode, VariableDef

        facts = self.facts
        for index, calls in sorted(facts.hoists.items()):
            text = self.texts[index]
            lines, edits, names = [], [], []
            for call in sorted(calls, key=lambda c: (c.lineno, c.col_offset)):
                k = 1
                while f"{call.func.id}_{k}" in self.used:
                    k += 1
                name = self.fresh(f"{call.func.id}_{k}")
                lines.append(f"{name} = {ast.get_source_segment(text, call)}\n")
                edits.append((call, name))
                names.append(name)
                facts.variables.append(VariableDef(index, name, ((name, True),)))
                facts.variable_names.add(name)
            self.hoisted[index] = "".join(lines)
            spliced = _splice(text, edits)
            self.overrides[index] = spliced.lstrip("\n")
            old = next(n for n in facts.nodes.values() if n.index == index)
            node = GraphNode(index, old.targets, old.deps | frozenset(names), old.call)
            facts.nodes.update({t: node for t in node.targets})
        facts.variables.sort(key=lambda v: v.index)

    # -- generated functions
    def closure(self, names: set[str]) -> tuple[list[int], set[str]]:
        """Statement indexes of the graph nodes ``names`` need (module order) and every name read on the way;
        module-level constants are read, not recomputed."""
        return self.facts.dependencies(names, constants_computed=False)

    def plan_functions(self, gone: frozenset[str]):
        facts = self.facts
        members = [(expr, trainable, v.target) for v in facts.variables for expr, trainable in v.members]
        groups: dict[tuple, list[RunSite]] = {}
        import dataclasses

        expanded: list[RunSite] = []
        self.entry_runs: list[tuple[RunSite, list[RunSite]]] = []
        for run in facts.runs:
            if run.keyed is not None and run.keyed.entries:
                # one function per tensor of the loop's list (as if each had its own ``sess.run``)
                copies = [dataclasses.replace(run, fetches=(entry,), keyed=None) for entry in run.keyed.entries]
                self.entry_runs.append((run, copies))
                expanded.extend(copies)
            else:
                expanded.append(run)
        for run in expanded:
            if run.shape in ("init", "uninitialized"):
                continue
            fed = tuple(sorted(p for p, _ in run.feeds))
            run.key = (run.fetches, fed, run.keyed.container if run.keyed else None, run.shape == "op")
            groups.setdefault(run.key, []).append(run)
        texts: list[str] = []
        calls: dict[int, str] = {}  # id(ast call) -> replacement text
        self.function_names: list[str] = []
        self.random_functions: dict[str, str] = {}
        single_train = len(facts.train_ops) == 1
        indent = " " * 4
        for key, runs in groups.items():
            fetches, _, keyed, op_only = key
            trains = [f for f in fetches if f in facts.train_ops]
            values = [f for f in fetches if f not in facts.train_ops and f not in facts.ops]
            op_fetches = [f for f in fetches if f in facts.ops]  # ops (an average's update): no value
            effects = values if op_only else []  # ``X.op.run()``: computed for its effect, nothing returned
            values = [] if op_only else values
            if len(trains) > 1:
                raise Blocked(runs[0].top, runs[0].line, "one `sess.run` fetches two training ops; their order of "
                                                         "updates is not defined in TF1")
            train = facts.train_ops[trains[0]] if trains else None
            needed = set(values) | set(effects) | set(op_fetches) | (set(train.loss_deps) if train else set())
            for value in values:
                needed.add(value.split("[", 1)[0])
            indexes, reads = self.closure(needed)
            random_op = self.random_op(indexes, reads)
            key_param = None
            if keyed:
                # each call computes the whole dict and returns one entry: equal to fetching that entry only
                # when no entry draws random numbers or assigns (those would run for every key)
                if random_op or any(re.search(r"\bassign(_add|_sub)?\(", self.statement_code(i)) for i in indexes):
                    raise Blocked(runs[0].top, runs[0].line, f"`{keyed}` entries fetched one by one draw random "
                                                             "numbers or assign: computing the whole dict per run "
                                                             "would change them")
                key_param = self.local_name("key")
            params = [p for p in facts.placeholders.values() if p.name in reads]
            state = iterators.reinitialized(facts, reads)  # passed in: a traced function keeps no stale one
            fed = {p for p, _ in runs[0].feeds}
            missing = [p.name for p in params if p.name not in fed and p.default is None]
            if missing:
                raise Blocked(runs[0].top, runs[0].line, f"`sess.run` needs placeholder(s) {', '.join(missing)} "
                                                         "that it does not feed (TF1 raises here)")
            if train is not None:
                base = "train_step" if single_train else f"train_{train.name}"
            elif effects:
                base = "run_" + re.sub(r"\W+", "_", effects[0]).strip("_")
            elif not values and op_fetches:
                base = "run_" + "_".join(re.sub(r"\W+", "_", v).strip("_") for v in op_fetches[:2])
            else:
                base = "compute_" + "_".join(re.sub(r"\W+", "_", v).strip("_") for v in values[:2])
            name = self.fresh(base, reusable=frozenset(facts.train_ops) | frozenset(facts.init_ops))
            self.function_names.append(name)
            if random_op:
                self.random_functions[name] = random_op
            sites = ", ".join(str(self.absolute(r)) for r in runs)
            lines = [f"def {name}({', '.join(([key_param] if key_param else []) + state + [p.name for p in params])}):  {MARKER} "
                     + f"(line{'s' if len(runs) > 1 else ''} {sites})\n"]
            for p in params:
                if p.default is None:  # a boolean switch stays a Python bool (Keras layers branch on it)
                    lines.append(f"{indent}{p.name} = {self.tf}.cast({p.name}, {p.dtype})\n")
            body_indent = indent
            if train is not None:
                tape = self.local_name("tape")
                lines.append(f"{indent}with {self.tf}.GradientTape() as {tape}:\n")
                body_indent = indent * 2
            for index in indexes:
                lines.extend(_indent(self.statement_code(index), body_indent))
            if train is not None:
                loss = train.loss
                if loss not in facts.nodes:
                    loss_name = self.local_name("loss_value")
                    lines.append(f"{body_indent}{loss_name} = {loss}\n")
                    loss = loss_name
                if train.var_list is not None:
                    variables = list(train.var_list)
                else:
                    variables = [expr for expr, trainable, root in members if trainable and root in reads]
                if not variables:
                    raise Blocked(train.index, 1, f"the loss of `{train.name}` reads no trainable variable")
                self.explicit.register(train, indexes, variables)
                grads = self.local_name("gradients")
                var_text = "[" + ", ".join(variables) + "]"
                lines.append(f"{indent}{grads} = {tape}.gradient({loss}, {var_text})\n")
                lines.append(f"{indent}{train.optimizer.name}.apply_gradients(zip({grads}, {var_text}))\n")
                if train.global_step:
                    lines.append(f"{indent}{train.global_step}.assign_add(1)\n")
            if key_param:
                lines.append(f"{indent}return {values[0]}[{key_param}]\n")
            elif values:
                lines.append(f"{indent}return {', '.join(self.returned(v, runs[0]) for v in values)}\n")
            texts.append("\n\n" + "".join(lines))
            for run in runs:
                calls[id(run.node)] = self.call_text(run, name, params, values, state)
                run.function = (name, tuple(p.name for p in params))
        for run, copies in self.entry_runs:
            signatures = {c.function[1] for c in copies}
            if len(signatures) != 1:
                raise Blocked(run.top, run.line, "the tensors of the loop's list need different placeholders")
            call = self.call_text(copies[0], run.keyed.tensor_var, [facts.placeholders[n] for n in
                                                                    signatures.pop()], ["value"])
            calls[id(run.node)] = call
            run.entry_functions = [c.function[0] for c in copies]
        return texts, calls

    def random_op(self, indexes: list[int], reads: set[str]) -> str | None:
        """The first stateful random op the function would run (in its statements or the helpers it calls)."""
        prefixes = tuple(self.entries.get("random_ops", ()))
        # statements resolved at conversion time (scopes.py, layers.py) run what their override says: the
        # initializers in the original text ran once, at module level
        trees = [ast.parse(self.overrides[i]) if i in self.facts.built and i in self.overrides else self.trees[i]
                 for i in indexes]
        trees += [self.trees[i] for i, t in enumerate(self.trees)
                  if any(isinstance(s, ast.FunctionDef) and s.name in reads and s.name in self.facts.helpers
                         for s in t.body)]
        from migrate.tf2_eager.facts import dotted

        found = None
        for tree, index in zip(trees, indexes + [-1] * (len(trees) - len(indexes))):
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    name = dotted(node.func)
                    qualified = canonical(self.qualify(name)) if name else None
                    if qualified and qualified.startswith(prefixes):
                        # (a sampled loss given ``sampled_values`` draws nothing itself: its sampler is the op)
                        if not any(k.arg in ("seed", "sampled_values") for k in node.keywords) and self.facts.seeds:
                            where = index if index >= 0 else self.facts.session_index
                            raise Blocked(where, node.lineno, f"`{name}` draws random numbers without an op "
                                          "seed: TF1 derives it from the graph, eager TF2 from another counter, "
                                          "so the converted program would draw other numbers than the original; "
                                          "give the op `seed=` first")
                        found = found or name
        return found

    def discarded(self, run: RunSite) -> bool:
        """``sess.run(op)`` as a statement: the result is dropped, so no conversion to numpy."""
        return any(isinstance(node, ast.Expr) and node.value is run.node for node in ast.walk(self.trees[run.top]))

    def unpacked(self, run: RunSite) -> bool:
        for node in ast.walk(self.trees[run.top]):
            if isinstance(node, ast.Assign) and node.value is run.node and len(node.targets) == 1:
                target = node.targets[0]
                return isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) == len(run.fetches) and \
                    not any(isinstance(e, ast.Starred) for e in target.elts)
        return False

    def absolute(self, run: RunSite) -> int:
        return _absolute_line(self.ctx, self.ctx.original_module.body[run.top], self.statements[run.top], run.line)

    def statement_code(self, index: int) -> str:
        """The node's statement without the comment lines above it."""
        if index in self.overrides:
            return "".join(line for line in self.overrides[index].splitlines(keepends=True)
                           if line.strip() and not line.lstrip().startswith("#")) if False else self.overrides[index]
        statement = self.statements[index]
        return self.module.code_for_node(statement.with_changes(leading_lines=[])) if hasattr(
            statement, "leading_lines") else self.texts[index]

    def returned(self, value: str, run: RunSite) -> str:
        """A fetch as the generated function returns it: a sparse tensor as sess.run's namedtuple."""
        sparse.check_fetch(self, run, value)
        if value not in self.sparse:
            return value
        if self.sparse_class is None:
            self.sparse_class = self.fresh_name(sparse.VALUE_CLASS)  # (tf.SparseTensorValue is gone)
        return f"{self.sparse_class}({value}.indices, {value}.values, {value}.dense_shape)"

    def call_text(self, run: RunSite, name: str, params, values, state=()) -> str:
        text = self.texts[run.top]
        feeds = dict(run.feeds)
        if run.feed_var:
            fed = [f"{run.feed_var}[{p.name!r}]" if p.name in feeds else p.default for p in params]
        else:
            fed = [ast.get_source_segment(text, feeds[p.name]) if p.name in feeds else p.default for p in params]
        args = ", ".join(([run.keyed.key_var] if run.keyed else []) + list(state) + fed)
        call = f"{name}({args})"
        trains = [f for f in run.fetches if f in self.facts.train_ops or f in self.facts.ops]
        structured = set(self.entries.get("structured_ops", ()))
        nested = [v for v in values if v in self.facts.nodes and self.facts.nodes[v].call in structured
                  and len(self.facts.nodes[v].targets) == 1 or v in self.sparse or v in self.facts.rnn_states]
        if run.shape == "op":
            return call
        if run.shape == "single" and nested:
            return f"{self.tf}.nest.map_structure(lambda t: t.numpy(), {call})"
        if nested and not trains and run.shape in ("list", "tuple") and len(values) == len(run.fetches) > 1:
            # several values, some of them structures: converted leaf by leaf, in the fetch structure
            converted = f"{self.tf}.nest.map_structure(lambda t: t.numpy(), {call})"
            if self.unpacked(run):
                return converted
            return f"list({converted})" if run.shape == "list" else f"tuple({converted})"
        if nested:
            raise Blocked(run.top, run.line, f"`{nested[0]}` is a structure of tensors fetched together with "
                                             "other values")
        if run.shape == "single":
            return call if trains or self.discarded(run) else f"{call}.numpy()"
        open_, close = ("[", "]") if run.shape == "list" else ("(", ")")
        if self.unpacked(run):  # ``_, c = sess.run([train, cost])``: the targets take the items, no list needed
            open_, close = "", ""
        if not values:
            raise Blocked(run.top, run.line, "a list of training ops as fetches whose result is used")
        if len(values) == 1:
            items = ["None" if f in trains else f"{call}.numpy()" for f in run.fetches]
            trailing = "," if len(items) == 1 and run.shape == "tuple" else ""
            return open_ + ", ".join(items) + trailing + close
        first_value = next(i for i, f in enumerate(run.fetches) if f not in trains)
        if any(f in trains for f in run.fetches[first_value:]):
            raise Blocked(run.top, run.line, "training ops fetched after values in one `sess.run`")
        numpy = f"*(v.numpy() for v in {call})"
        items = ["None"] * first_value + [numpy]
        if not open_:
            return ", ".join(items) + ("," if len(items) == 1 else "")
        if run.shape == "list":
            return "[" + ", ".join(items) + "]"
        return "(" + ", ".join(items) + ",)" if len(items) == 1 else "(" + ", ".join(items) + ")"

    # -- the session body
    def rewrite_session(self, calls: dict[int, str]) -> dict[int, str]:
        facts = self.facts
        by_top: dict[int, list[tuple[ast.AST, str]]] = {}
        for run in facts.runs:
            if run.shape == "init":
                statement = self.statement_of(run)
                replacement = iterators.initializer_call(self, run) if run.iterator else DROP
                by_top.setdefault(run.top, []).append((statement, replacement))
            elif run.shape == "uninitialized":
                by_top.setdefault(run.top, []).append((run.node, f"{self.uninitialized_function(run)}().numpy()"))
            else:
                if self.unused_feed_has_effects(run, calls):
                    raise Blocked(run.top, run.line, "a fed value the run does not need is computed by a call; "
                                                     "dropping it would drop the call")
                by_top.setdefault(run.top, []).append((run.node, calls[id(run.node)]))
                if run.keyed and run.keyed.entries:
                    for node, function in zip(run.keyed.entry_nodes, run.entry_functions):
                        by_top[run.top].append((node, function))
                elif run.keyed and not any(node is run.keyed.loop.iter for node, _ in by_top[run.top]):
                    # ``for k, t in D.items():`` -> ``for k in (<D's keys>):``: D lives in the function now
                    by_top[run.top].append((run.keyed.loop.target, run.keyed.key_var))
                    by_top[run.top].append((run.keyed.loop.iter, repr(run.keyed.keys)))
        for top, node, _ in facts.evals:
            by_top.setdefault(top, []).append((node, self.eval_calls[id(node)]))
        for top, node in facts.sparse_values:
            by_top.setdefault(top, []).append((node, sparse.value_text(self, node, self.texts[top])))
        for top, node, attr in facts.queries:
            by_top.setdefault(top, []).append((node, iterators.query_text(self, node, attr, self.texts[top])))
        for top, edits in facts.session_edits.items():
            by_top.setdefault(top, []).extend(edits)
        tops = {facts.session_index} | {t for t, _ in facts.session_body}
        for top, edits in facts.host_edits.items():
            if top in tops:
                by_top.setdefault(top, []).extend(edits)
        used = {r.feed_var for r in facts.runs if r.feed_var}
        for feed_var in used:
            runs = sum(1 for r in facts.runs if r.feed_var == feed_var)
            loads = sum(1 for tree in self.trees for n in ast.walk(tree) if isinstance(n, ast.Name)
                        and n.id == feed_var and isinstance(n.ctx, ast.Load))
            top, mapping = facts.feed_dicts[feed_var]
            if loads != runs:
                raise Blocked(top, mapping.lineno, f"`{feed_var}` is used other than as the `feed_dict` of runs")
            if facts.roles.get(top) != "feed":  # (a module-level one is rewritten with its statement)
                by_top.setdefault(top, []).extend((key, repr(key.id)) for key in mapping.keys)
        out: dict[int, str] = {}
        tops = {facts.session_index} | {t for t, _ in facts.session_body}
        for top in tops:
            text = _splice(self.texts[top], by_top.get(top, []))
            out[top] = text
        if facts.roles.get(facts.session_index) == "session":
            out[facts.session_index] = _with_body(out[facts.session_index])
        else:
            out[facts.session_index] = ""
        return {top: _drop_marked(text) for top, text in out.items()}

    def uninitialized_function(self, run: RunSite) -> str:
        """``sess.run(tf.report_uninitialized_variables())`` after the global initializer: no name (the
        analysis checked the order); a generated function, so the validator pairs it with the TF1 run."""
        if not hasattr(self, "uninitialized_name"):
            self.uninitialized_name = self.fresh_name("report_uninitialized_variables")
            self.uninitialized_lines = []
            self.function_names.append(self.uninitialized_name)
        self.uninitialized_lines.append(str(self.absolute(run)))
        return self.uninitialized_name

    def plan_evals(self, functions: list[str]) -> None:
        """``<ops>.eval()`` in the Session block -> a generated function returning those ops, called there:
        computed once per call as each ``eval`` computed them once (a run, as the validator records it)."""
        self.eval_calls: dict[int, str] = {}
        for top, node, looped in self.facts.evals:
            random_op = self.check_eval_random(top, node, looped)
            name = self.fresh("compute_eval")
            self.function_names.append(name)
            if random_op:
                self.random_functions[name] = random_op
            line = _absolute_line(self.ctx, self.ctx.original_module.body[top], self.statements[top], node.lineno)
            expression = self.facts.eval_exprs.get(id(node)) or node.func.value
            value = ast.get_source_segment(self.texts[top], expression)
            # Python values it reads (a loop variable, a comprehension's) are passed in: the function is global
            from migrate.tf2_eager.facts import names_read

            graph = self.facts.graph_names()
            reads = names_read(expression)
            params = ", ".join(sorted(n for n in reads if self.qualify(n) is None and n not in graph))
            # graph tensors it reads (default-session code: ``tf.subtract(a, b).eval()``) are computed in it
            indexes, closure_reads = self.closure(reads & set(self.facts.nodes))
            random_op = random_op or self.random_op(indexes, closure_reads)
            if random_op:
                self.random_functions[name] = random_op
            body = "".join(line for index in indexes for line in _indent(self.statement_code(index), "    "))
            functions.append(f"\n\ndef {name}({params}):  {MARKER} (line {line})\n{body}    return {value}\n")
            self.eval_calls[id(node)] = f"{name}({params}).numpy()"

    def check_eval_random(self, top: int, node: ast.Call, looped: bool) -> str | None:
        """A random op in an ``X.eval()`` expression: each TF1 ``eval`` made a new op, so ops with the same
        seeds drew the same numbers; eager ops sharing seeds continue one sequence. Converted only when its
        ``seed=`` is a literal no other op in the module uses and the ``eval`` runs once (not in a loop)."""
        from migrate.tf2_eager.facts import dotted

        prefixes = tuple(self.entries.get("random_ops", ()))
        found = None
        for sub in ast.walk(node):
            if not isinstance(sub, ast.Call):
                continue
            name = dotted(sub.func)
            qualified = canonical(self.qualify(name)) if name else None
            if not (qualified and qualified.startswith(prefixes)):
                continue
            seed = next((k.value for k in sub.keywords if k.arg == "seed"), None)
            if looped:
                raise Blocked(top, sub.lineno, f"`{name}(...).eval()` in a loop: TF1 made a new op at each "
                                               "iteration (the same numbers each time), eager TF2 draws new ones")
            if not (isinstance(seed, ast.Constant) and isinstance(seed.value, int)):
                raise Blocked(top, sub.lineno, f"`{name}(...).eval()` without a literal op seed: TF1 derives it "
                                               "from the graph, eager TF2 from another counter")
            uses = sum(1 for tree in self.trees for n in ast.walk(tree) if isinstance(n, ast.keyword)
                       and n.arg == "seed" and isinstance(n.value, ast.Constant) and n.value.value == seed.value)
            if uses > 1:
                raise Blocked(top, sub.lineno, f"`{name}(...).eval()` shares its op seed {seed.value} with another "
                                               "op: TF1 gave both the same numbers, eager TF2 continues one sequence")
            found = found or name
        return found

    def statement_of(self, run: RunSite) -> ast.stmt:
        tree = self.trees[run.top]
        for node in ast.walk(tree):
            if isinstance(node, ast.Expr) and node.value is run.node:
                return node
        raise Blocked(run.top, run.line, "the result of an initializer run is used")

    def unused_feed_has_effects(self, run: RunSite, calls) -> bool:
        """A feed the fetches do not need is dropped with its value expression: refuse if that runs a call."""
        _, reads = self.closure(set(run.fetches) | {
            n for f in run.fetches if f in self.facts.train_ops for n in self.facts.train_ops[f].loss_deps})
        for placeholder, value in run.feeds:
            if placeholder not in reads and any(isinstance(n, ast.Call) for n in ast.walk(value)):
                return True
        return False

    def modernize_v1_calls(self, code: str) -> str:
        """TF1-only functions whose TF2 counterpart computes the same for the arguments given: in graph code
        run inside a function, ``tf.compat.v1.assign_add(v, x)`` is ``v.assign_add(x)``, and ``while_loop``,
        ``cond`` and ``case`` are the TF2 functions when the loop has several variables and the branches
        return one tensor (v1's non-strict mode unpacks one-element lists, TF2's does not).  They are spelled
        ``tf.compat.v2.X`` (as TF2010 does): on TF2 that is ``tf.X``, and a second ``--to tf2`` pass, which
        reads ``tf.X`` as TF1 code, leaves it alone."""
        from migrate.tf2_eager.facts import dotted

        tree = ast.parse(code)
        edits = []
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = dotted(node.func)
            qualified = self.qualify(name) if name else None
            if not qualified or not qualified.startswith("tensorflow.compat.v1."):
                continue
            short = qualified[len("tensorflow.compat.v1."):]
            keywords = {k.arg for k in node.keywords}
            segment = lambda n: ast.get_source_segment(code, n)  # noqa: E731
            if short in ("assign", "assign_add", "assign_sub") and len(node.args) == 2 and not keywords \
                    and isinstance(node.args[0], ast.Name) and node.args[0].id in self.facts.variable_names:
                edits.append((node, f"{node.args[0].id}.{short}({segment(node.args[1])})"))
            elif short == "while_loop" and len(node.args) == 3 and keywords <= {"maximum_iterations", "name"} \
                    and isinstance(node.args[2], (ast.List, ast.Tuple)) and len(node.args[2].elts) >= 2:
                edits.append((node.func, f"{self.tf}.compat.v2.while_loop"))
            elif short in ("cond", "case") and keywords <= {"default", "exclusive", "name"} and \
                    all(_single_tensor_lambda(f) for f in _branches(node, short)):
                edits.append((node.func, f"{self.tf}.compat.v2.{short}"))
            elif short in ("div", "math.div") and len(node.args) == 2 and keywords <= {"name"} and \
                    self.is_float(node.args[0]):
                # v1 ``div`` is Python 2 division: real division for floating x (y is converted to x's
                # dtype), floor division for integers; only the floating case is rewritten
                edits.append((node.func, f"{self.tf}.math.truediv"))
            elif short in ("image.resize_nearest_neighbor", "image.resize_bilinear") and len(node.args) == 2 \
                    and not keywords:
                # the v1 functions are the raw ops with their defaults (legacy pixel centres, which TF2's
                # ``tf.image.resize`` does not use)
                op = "ResizeNearestNeighbor" if short.endswith("neighbor") else "ResizeBilinear"
                raw = (f"{self.tf}.raw_ops.{op}(images={segment(node.args[0])}, size={segment(node.args[1])}, "
                       "align_corners=False, half_pixel_centers=False)")
                edits.append((node, raw))
            elif short == "image.resize_images":
                replacement = self.resize_images(node, segment)
                if replacement:
                    edits.append((node, replacement))
            elif short == "sparse_to_dense":
                replacement = self.sparse_to_dense(node, segment)
                if replacement:
                    edits.append((node, replacement))
            elif short == "losses.mean_squared_error":
                replacement = self.mean_squared_error(node, segment)
                if replacement:
                    edits.append((node, replacement))
        return _splice(code, edits) if edits else code

    def resize_images(self, node: ast.Call, segment) -> str | None:
        """v1 ``resize_images(images, size, method)`` on a placeholder of literal 4-D shape, resized to another
        literal size: the v1 raw op with legacy pixel centres (v1 returns its input unchanged when the size is
        the same, and reshapes 3-D input: both ruled out here)."""
        from migrate.tf2_eager.facts import dotted

        params = ("images", "size", "method")
        if len(node.args) > 3 or any(k.arg not in params for k in node.keywords):
            return None
        given = dict(zip(params, node.args))
        given.update({k.arg: k.value for k in node.keywords})
        images, size = given.get("images"), given.get("size")
        placeholder = self.facts.placeholders.get(images.id) if isinstance(images, ast.Name) else None
        if placeholder is None or placeholder.shape is None or len(placeholder.shape) != 4:
            return None
        if not (isinstance(size, (ast.List, ast.Tuple)) and len(size.elts) == 2 and all(
                isinstance(e, ast.Constant) and type(e.value) is int for e in size.elts)):
            return None
        if [e.value for e in size.elts] == list(placeholder.shape[1:3]):
            return None
        method = given.get("method")
        qualified = canonical(self.qualify(dotted(method) or "")) if method is not None else None
        if method is None or qualified in ("tensorflow.image.ResizeMethod.BILINEAR",
                                           "tensorflow.image.ResizeMethodV1.BILINEAR"):
            op = "ResizeBilinear"
        elif qualified in ("tensorflow.image.ResizeMethod.NEAREST_NEIGHBOR",
                           "tensorflow.image.ResizeMethodV1.NEAREST_NEIGHBOR"):
            op = "ResizeNearestNeighbor"
        else:
            return None
        return (f"{self.tf}.raw_ops.{op}(images={segment(images)}, size={segment(size)}, align_corners=False, "
                "half_pixel_centers=False)")

    def sparse_to_dense(self, node: ast.Call, segment) -> str | None:
        """v1 ``sparse_to_dense(indices, output_shape, values, default_value=0, validate_indices=True)`` is
        the ``SparseToDense`` op with those arguments (TF2 dropped the function, not the op)."""
        params = ("sparse_indices", "output_shape", "sparse_values", "default_value", "validate_indices", "name")
        if len(node.args) > len(params) or any(k.arg not in params for k in node.keywords):
            return None
        given = dict(zip(params, node.args))
        given.update({k.arg: k.value for k in node.keywords})
        if not all(p in given for p in params[:3]):
            return None
        args = [f"{p}={segment(given[p])}" for p in params[:3]]
        args.append(f"default_value={segment(given['default_value']) if 'default_value' in given else '0'}")
        args.append(f"validate_indices={segment(given['validate_indices']) if 'validate_indices' in given else 'True'}")
        return f"{self.tf}.raw_ops.SparseToDense({', '.join(args)})"

    def mean_squared_error(self, node: ast.Call, segment) -> str | None:
        """``tf.losses.mean_squared_error(labels, predictions)`` with its defaults (``weights=1.0``,
        ``SUM_BY_NONZERO_WEIGHTS``): every element has weight 1, so the loss is the mean of the squared
        differences of the float32-cast inputs. The loss also joined the ``LOSSES`` collection: a program
        reading that collection is refused elsewhere (collections are TF1-only)."""
        params = ("labels", "predictions")
        if len(node.args) > 2 or any(k.arg not in params for k in node.keywords):
            return None
        given = dict(zip(params, node.args))
        given.update({k.arg: k.value for k in node.keywords})
        if set(given) != set(params):
            return None
        tf = self.tf
        predictions, labels = segment(given["predictions"]), segment(given["labels"])
        return (f"{tf}.reduce_mean({tf}.math.squared_difference({tf}.cast({predictions}, {tf}.float32), "
                f"{tf}.cast({labels}, {tf}.float32)))")

    def is_float(self, expr: ast.expr, depth: int = 0) -> bool:
        """Whether a ``div`` operand is provably a floating tensor: a float literal, a float placeholder (fed
        values are cast to its dtype), or a graph node holding ``tf.constant`` of a literal with a float in it
        (and no integer ``dtype=``), or a float ``tf.cast``/``to_float``."""
        from migrate.tf2_eager.facts import dotted

        floats = {"tensorflow.float16", "tensorflow.float32", "tensorflow.float64", "tensorflow.bfloat16"}

        def dtype_of(node) -> str | None:
            name = dotted(node)
            return canonical(self.qualify(name)) if name else None

        if depth > 8:
            return False
        if isinstance(expr, ast.Constant):
            return isinstance(expr.value, float)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Sub, ast.Mult)):
            # TF does not promote: a tensor operand with a float makes a float result (or fails)
            return self.is_float(expr.left, depth + 1) or self.is_float(expr.right, depth + 1)
        if isinstance(expr, ast.Name):
            placeholder = self.facts.placeholders.get(expr.id)
            if placeholder is not None:
                try:
                    return dtype_of(ast.parse(placeholder.dtype, mode="eval").body) in floats
                except SyntaxError:
                    return False
            node = self.facts.nodes.get(expr.id)
            if node is None or node.targets != (expr.id,):
                return False
            statement = self.trees[node.index].body[0]
            if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
                return False
            return self.is_float(statement.value, depth + 1)
        if isinstance(expr, ast.Call):
            name = dotted(expr.func)
            qualified = canonical(self.qualify(name)) if name else None
            keywords = {k.arg: k.value for k in expr.keywords}
            if qualified == "tensorflow.constant" and expr.args:
                if "dtype" in keywords or len(expr.args) > 1:
                    dtype = keywords.get("dtype", expr.args[1] if len(expr.args) > 1 else None)
                    return dtype_of(dtype) in floats
                return any(isinstance(n, ast.Constant) and isinstance(n.value, float) for n in ast.walk(expr.args[0])) \
                    and all(isinstance(n, (ast.Constant, ast.List, ast.Tuple, ast.UnaryOp, ast.USub, ast.Load))
                            for n in ast.walk(expr.args[0]))
            if qualified in ("tensorflow.to_float", "tensorflow.to_double"):
                return True
            if qualified in PRESERVING and expr.args:  # the result has the (first) operand's dtype
                return self.is_float(expr.args[0], depth + 1)
            if qualified == "tensorflow.cast" and len(expr.args) == 2:
                return dtype_of(expr.args[1]) in floats
        return False

    # -- the honesty check
    def check_output(self, code: str) -> None:
        try:
            tree = ast.parse(code)
        except SyntaxError as error:
            raise Blocked(self.facts.session_index, 1, f"the generated program does not parse ({error.msg})")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tensorflow.compat.v1"):
                names = ", ".join(a.name for a in node.names)
                index, line = self.locate(node.module)
                raise Blocked(index, line, f"`{names}` imported from `{node.module}` is still used (TF1-only API)")
            if isinstance(node, ast.Attribute):
                from migrate.tf2_eager.facts import dotted

                name = dotted(node)
                qualified = self.qualify(name) if name else None
                if qualified and qualified.startswith(("tensorflow.compat.v1.", "tensorflow._api.v1.")):
                    short = "tf" + qualified[len("tensorflow"):]
                    index, line = self.locate(name)
                    raise Blocked(index, line, f"`{short}` has no TF2 equivalent the rewrite knows (TF1-only API)")

    def locate(self, name: str) -> tuple[int, int]:
        for index, text in enumerate(self.texts):
            for number, line in enumerate(text.splitlines(), 1):
                if name in line:
                    return index, number
        return self.facts.session_index, 1


# ops whose result has their first operand's dtype (used to prove a `div` operand floating)
PRESERVING = frozenset("tensorflow." + n for n in (
    "matmul", "linalg.matmul", "add", "math.add", "subtract", "math.subtract", "multiply", "math.multiply",
    "square", "math.square", "negative", "math.negative", "abs", "math.abs", "reduce_sum", "math.reduce_sum",
    "reduce_mean", "math.reduce_mean", "transpose", "reshape", "identity", "nn.relu", "tanh", "math.tanh",
    "sigmoid", "math.sigmoid", "exp", "math.exp", "sqrt", "math.sqrt"))


def _branches(node: ast.Call, short: str) -> list[ast.expr]:
    """The branch functions of a ``cond`` (true, false) or ``case`` (each pair's function, the default)."""
    if short == "cond":
        return list(node.args[1:3]) if len(node.args) == 3 else [ast.Constant(None)]
    pairs = node.args[0] if node.args else None
    if not isinstance(pairs, (ast.List, ast.Tuple)) or len(node.args) > 1:
        return [ast.Constant(None)]
    functions = []
    for pair in pairs.elts:
        if not (isinstance(pair, ast.Tuple) and len(pair.elts) == 2):
            return [ast.Constant(None)]
        functions.append(pair.elts[1])
    functions.extend(k.value for k in node.keywords if k.arg == "default")
    return functions


def _single_tensor_lambda(node: ast.expr) -> bool:
    return isinstance(node, ast.Lambda) and not isinstance(node.body, (ast.List, ast.Tuple, ast.Dict))


def _drop_unused_imports(code: str, qualify) -> str:
    """``from tensorflow... import placeholder, Session``: names the rewrite removed every use of go too."""
    tree = ast.parse(code)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    edits = []
    for node in tree.body:
        if not (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "tensorflow"):
            continue
        keep = [a for a in node.names if (a.asname or a.name) in used or a.name == "*"]
        if len(keep) == len(node.names):
            continue
        text = DROP if not keep else f"from {node.module} import " + ", ".join(
            a.name + (f" as {a.asname}" if a.asname else "") for a in keep)
        edits.append((node, text))
    if not edits:
        return code
    code = _splice(code, edits)
    return "".join(line for line in code.splitlines(keepends=True) if line.strip() != DROP)


def _add_imports(code: str, lines: list[str]) -> str:
    """Import statements the extensions' code needs, after the module's last top-level import."""
    tree = ast.parse(code)
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    missing = [line for line in lines if line not in code]
    if not missing:
        return code
    at = imports[-1].end_lineno if imports else 0
    rows = code.splitlines(keepends=True)
    return "".join(rows[:at] + missing + rows[at:])


def _tidy(code: str) -> str:
    """At most two blank lines in a row (module-level statements removed around the functions leave more),
    and two after a top-level ``def``/``class`` that a removed statement used to separate from the next."""
    code = re.sub(r"\n{4,}", "\n\n\n", code)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    lines = code.splitlines(keepends=True)
    for node in reversed(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.end_lineno < len(lines):
            blank = 0
            while node.end_lineno + blank < len(lines) and not lines[node.end_lineno + blank].strip():
                blank += 1
            following = lines[node.end_lineno + blank] if node.end_lineno + blank < len(lines) else ""
            if blank < 2 and following and not following[0].isspace() and not following.startswith("#"):
                lines.insert(node.end_lineno, "\n" * (2 - blank))
    return "".join(lines)


def _indent(code: str, prefix: str) -> list[str]:
    return [(prefix + line if line.strip() else line) + ("\n" if not line.endswith("\n") else "")
            for line in code.splitlines(keepends=True)]


def _splice(text: str, edits: list[tuple[ast.AST, str]]) -> str:
    """Replace the source of each ast node (positions within ``text``) by the given text."""
    if not edits:
        return text
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line.encode("utf-8")))
    data = text.encode("utf-8")
    spans = []
    for node, replacement in edits:
        start = starts[node.lineno - 1] + node.col_offset
        end = starts[node.end_lineno - 1] + node.end_col_offset
        spans.append((start, end, replacement))
    for start, end, replacement in sorted(spans, reverse=True):
        data = data[:start] + replacement.encode("utf-8") + data[end:]
    return data.decode("utf-8")


def _with_body(text: str) -> str:
    """The statements inside the ``with`` block (dedented by libcst), keeping the comments above it."""
    module = cst.parse_module(text)
    statement = module.body[0]
    assert isinstance(statement, cst.With)
    head = "".join(module.code_for_node(line) for line in statement.leading_lines)
    inner = cst.Module(body=list(statement.body.body), default_indent=module.default_indent,
                       default_newline=module.default_newline)
    return head + inner.code


def _drop_marked(text: str) -> str:
    """Remove statements replaced by the drop marker; an emptied block gets ``pass``."""
    if DROP not in text:
        return text
    module = cst.parse_module(text)

    class Dropper(cst.CSTTransformer):
        def leave_SimpleStatementLine(self, original, updated):
            if len(updated.body) == 1 and isinstance(updated.body[0], cst.Expr) and \
                    isinstance(updated.body[0].value, cst.Name) and updated.body[0].value.value == DROP:
                return cst.RemoveFromParent()
            return updated

        def leave_IndentedBlock(self, original, updated):
            if not updated.body:
                return updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
            return updated

    return module.visit(Dropper()).code
