"""TT1002: ``tf.GradientTape`` training steps -> autograd; Keras optimizers -> ``torch.optim``; ``tf.Variable``.

What is rewritten (everything else about a tape stays, with a finding):

    w = tf.Variable(init)                       w = torch.nn.Parameter(torch.as_tensor(init))
    n = tf.Variable(0)                          n = torch.tensor(0, dtype=torch.int32)   (a counter: no grad)
    opt = tf.keras.optimizers.Adam(0.1)         opt = torch.optim.Adam(params, lr=0.1, betas=(0.9, 0.999), eps=1e-07)
    with tf.GradientTape() as tape:             loss = ...          (the block runs as plain code)
        loss = ...
    grads = tape.gradient(loss, params)         grads = torch.autograd.grad(loss, params)
    opt.apply_gradients(zip(grads, params))     for grad_, param_ in zip(grads, params):
                                                    param_.grad = grad_
                                                opt.step()
    w.assign_sub(d) / assign_add / assign       w.data.sub_(d) / add_ / copy_
    w.numpy()                                   w.detach().numpy()

torch optimizers take their parameters when built, Keras ones when applying:
the optimizer is rewritten only when every ``apply_gradients`` on it uses the
same variable-list name, assigned before the optimizer.  Keras defaults are
written out (Adam epsilon 1e-7, not torch's 1e-8).

Every decision is made on the ``ast`` scan (``TrainingLoop.match``); the libcst hooks look each one up and
only build it from the rewritten argument texts.  A rewrite that only holds together with another (a
variable's methods with the variable, ``apply_gradients`` with its optimizer, the tape's block with its
``gradient`` calls) requires it: it stands or falls with it, under every fix selection.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

from migrate.callparts import code_of
from migrate.facts import FileFacts, Role, canonical, facts_of
from migrate.lazycst import cst
from migrate.model import Safety, Severity
from migrate.plugin import (
    CustomTransform,
    Match,
    blocks,
    match_at_node,
    register,
)
from migrate.resolve import dotted_name_ast
from migrate.tf_to_torch.call_map import (
    _drop_tf_imports,
    mark_todo,
    match_by_span,
    spell_torch,
)
from migrate.tf_to_torch.decide import (
    CONVERT_APPLY,
    _inside,
    _Text,
    argument_texts,
    inside_out,
    offered_method_calls,
)

OPTIMIZERS = {
    "Adam": ("torch.optim.Adam", ["learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad"],
             {"learning_rate": "0.001", "beta_1": "0.9", "beta_2": "0.999", "epsilon": "1e-07", "amsgrad": "False"},
             "{params}, lr={learning_rate}, betas=({beta_1}, {beta_2}), eps={epsilon}, amsgrad={amsgrad}"),
    "SGD": ("torch.optim.SGD", ["learning_rate", "momentum", "nesterov"],
            {"learning_rate": "0.01", "momentum": "0.0", "nesterov": "False"},
            "{params}, lr={learning_rate}, momentum={momentum}, nesterov={nesterov}"),
}
METHODS = {"assign": "copy_", "assign_add": "add_", "assign_sub": "sub_"}
# a variable's methods this rule takes (the others are left with a finding)
VARIABLE_METHODS = (*METHODS, "numpy")
PARAMETER = "torch.nn.Parameter(torch.as_tensor({init}))"
COUNTER = "torch.tensor({init}, dtype=torch.int32)"  # (TF makes a Python int's variable int32)
TODO = "# dlmigrate: TODO(TT1002)"
PENDING = "tt_training_pending"  # the reasons for the TODO comment of the statement line being left


def _facts(facts: FileFacts, scan) -> dict:
    """Variable names, tape names, optimizer -> param list names, first assignment lines: read off the file's
    shared facts (``migrate.facts``) and the scan's method calls (``x.apply_gradients(...)``); made once per
    scan (TT1001's decision reads them too) and only read after."""
    made = scan.matches.get("<tt training>")
    if made is None:
        made = scan.matches["<tt training>"] = _training_facts(facts, scan)
    return made


def _training_facts(facts: FileFacts, scan) -> dict:
    variables, assigned, apply, by_line = set(), {}, {}, {}
    for binding in facts.bindings:  # (source order)
        if binding.kind == "assign" and binding.whole:
            if binding.line < assigned.get(binding.name, 10**9):
                assigned[binding.name] = binding.line
            by_line[binding.value.lineno] = binding.name
            if isinstance(binding.value, ast.Call) and canonical(binding.callee) == "tensorflow.Variable":
                variables.add(binding.name)
    tapes = {b.name for b in facts.bindings if b.kind == "with" and b.whole and b.role is Role.TAPE}
    for node in (scan.method_calls or {}).get("apply_gradients", ()):
        receiver = ast.unparse(node.func.value)
        arg = node.args[0] if node.args else None
        names = None
        if isinstance(arg, ast.Call) and ast.unparse(arg.func) == "zip" and len(arg.args) == 2 and \
                isinstance(arg.args[1], ast.Name):
            names = arg.args[1].id
        apply.setdefault(receiver, set()).add(names)
    return {"variables": variables, "assigned": assigned, "apply": apply, "tapes": tapes, "by_line": by_line}


# -- the decisions (on the ``ast`` scan) ---------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Step:
    """One TT1002 decision: what ``kind`` of rewrite the pass builds at the match's node, or why it stays."""

    kind: str  # "variable", "optimizer", "gradient", "assign", "numpy", "apply", "tape"
    reason: str | None = None  # why it stays TensorFlow (a report-only match)
    template: str = ""  # variable: PARAMETER or COUNTER; optimizer: the torch call with {params} and its keys
    keys: tuple[str, ...] = ()  # optimizer: the Keras parameter each written argument binds
    one_variable: bool = False  # gradient: the sources are one variable (autograd returns a 1-tuple)


def _todo(reason: str) -> str:
    return f"left as TensorFlow: {reason}"


@dataclass
class TrainingDecider:
    rule: object
    scan: object
    shared: FileFacts  # the file's def-use facts (``migrate.facts``)
    facts: dict  # ``_facts``: variables, tapes, optimizers' variable lists
    effective: dict = field(default_factory=dict)  # TT1001's rewrites (id of an ast call -> its text)
    owned: list = field(default_factory=list)  # spans the Keras model rules convert whole (left to them)
    matches: list[Match] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.source = self.scan.source
        self.text = _Text(self.source)
        self.lines = self.source.splitlines()
        self.by_name: dict[str, list[Match]] = {}  # a variable's or optimizer's name -> the matches that make it

    def _at(self, node, message: str, step: Step, **fields) -> Match:
        if step.reason is not None:
            fields.update(safety=Safety.NONE, severity=Severity.WARNING, fixable=False)
        match = match_at_node(self.rule, self.scan, node, message, fields.pop("safety", self.rule.safety),
                              lines=self.lines, payload=step, **fields)
        self.matches.append(match)
        return match

    def decide(self) -> list[Match]:
        from migrate.arguments import calls_by_position

        by_place = calls_by_position(self.scan)
        for ref in self.scan.references:
            if not ref.is_call:
                continue
            node = by_place.get((ref.line, ref.column))
            if node is None or _inside(self.owned, node):  # (what the Keras model rules rewrite is theirs)
                continue
            if ref.qualified == "tensorflow.Variable":
                self._variable(node)
            elif ref.qualified.startswith("tensorflow.keras.optimizers."):
                self._optimizer(ref.qualified, node)
        gradients = self._methods()
        self._statements(gradients)
        return self.matches

    def _keep(self, match: Match, reason: str) -> None:
        """Turn ``match`` into a report that its node stays, for ``reason``."""
        kept = replace(match, message=_todo(reason), safety=Safety.NONE, severity=Severity.WARNING, fixable=False,
                       payload=replace(match.payload, reason=reason), requires=())
        self.matches[self.matches.index(match)] = kept

    # -- calls
    def _variable(self, node: ast.Call) -> None:
        arguments = [a for a in argument_texts(self.text, self.source, node) if a[0] != "name"]
        name = self.facts["by_line"].get(node.lineno)
        if len(arguments) != 1 or arguments[0][0] is not None or arguments[0][1]:
            match = self._at(node, _todo("tf.Variable with arguments other than the initial value and name"),
                             Step("variable", "tf.Variable with arguments other than the initial value and name"))
        else:
            try:
                literal = ast.literal_eval(arguments[0][2])
            except (ValueError, SyntaxError):
                literal = None
            if isinstance(literal, bool) or (isinstance(literal, list) and any(isinstance(v, bool) for v in literal)):
                reason = "a boolean variable has no torch.nn.Parameter counterpart"
                match = self._at(node, _todo(reason), Step("variable", reason))
            elif isinstance(literal, int) or (isinstance(literal, list) and literal
                                              and all(isinstance(v, int) for v in literal)):
                match = self._at(node, "tf.Variable of Python ints -> torch.tensor(..., dtype=torch.int32) "
                                 "(an integer tensor cannot require grad; TF makes it int32)", Step("variable",
                                                                                                   template=COUNTER))
            else:
                match = self._at(node, "tf.Variable -> torch.nn.Parameter (a leaf tensor that requires grad)",
                                 Step("variable", template=PARAMETER))
        if name is not None:
            self.by_name.setdefault(name, []).append(match)

    def _optimizer(self, qualified: str, node: ast.Call) -> None:
        name = qualified.rsplit(".", 1)[-1]
        target = self.facts["by_line"].get(node.lineno)
        match = self._optimizer_match(name, target, node)
        if target is not None:
            self.by_name.setdefault(target, []).append(match)

    def _optimizer_match(self, name: str, target: str | None, node: ast.Call) -> Match:
        spec = OPTIMIZERS.get(name)
        if spec is None:
            reason = f"optimizer {name} has no proven torch.optim mapping (Adam, SGD are mapped)"
            return self._at(node, _todo(reason), Step("optimizer", reason))
        params = self.facts["apply"].get(target or "", set())
        if len(params) != 1 or None in params:
            reason = "the optimizer's variables are not one named list passed to apply_gradients"
            return self._at(node, _todo(reason), Step("optimizer", reason))
        (param_name,) = params
        if self.facts["assigned"].get(param_name, 10**9) > self.facts["assigned"].get(target, 0):
            reason = f"{param_name} is assigned after the optimizer; torch needs it first"
            return self._at(node, _todo(reason), Step("optimizer", reason))
        torch_name, order, defaults, template = spec
        values, keys = dict(defaults), []
        for index, (keyword, star, written, value) in enumerate(argument_texts(self.text, self.source, node)):
            key = keyword if keyword is not None else (order[index] if index < len(order) else None)
            if key not in values or star:
                reason = f"optimizer argument {key or '*'} is not mapped"
                return self._at(node, _todo(reason), Step("optimizer", reason))
            values[key] = inside_out(self.text, self.effective, value, written)
            keys.append(key)
        pattern = f"{torch_name}(" + template.replace("{params}", param_name) + ")"
        step = Step("optimizer", template=pattern, keys=tuple(keys))
        return self._at(node, optimizer_message(name, pattern.format(**values)), step)

    # -- methods of tapes and variables
    def _methods(self) -> dict[tuple[int, int], Match | None]:
        """The matches of ``tape.gradient(...)`` and the variables' methods; returns, for each tape name that is
        a method's receiver, (line, column) of that name -> the gradient match (None: another method)."""
        uses: dict[tuple[int, int], Match | None] = {}
        for node in offered_method_calls(self.scan, self.lines):
            if not isinstance(node.func.value, ast.Name) or _inside(self.owned, node):
                continue
            receiver, method = node.func.value.id, node.func.attr
            if receiver in self.facts["tapes"]:
                where = (node.func.value.lineno, node.func.value.col_offset)
                uses[where] = self._gradient(node) if method == "gradient" else None
            elif receiver in self.facts["variables"]:
                self._variable_method(node, receiver, method)
        return uses

    def _gradient(self, node: ast.Call) -> Match:
        if len(node.args) + len(node.keywords) != 2 or node.keywords or \
                any(isinstance(a, ast.Starred) for a in node.args):
            reason = "tape.gradient with other than (target, sources)"
            return self._at(node, _todo(reason), Step("gradient", reason))
        sources = node.args[1]
        one = isinstance(sources, ast.Name) and sources.id in self.facts["variables"]
        return self._at(node, "tape.gradient -> torch.autograd.grad", Step("gradient", one_variable=one))

    def _variable_method(self, node: ast.Call, receiver: str, method: str) -> None:
        makers = self.by_name.get(receiver, [])
        kept = next((m for m in makers if m.payload.reason is not None), None)
        if kept is not None:
            reason = f"{receiver} stays a tf.Variable ({kept.payload.reason}), so its .{method}() stays"
            self._at(node, _todo(reason), Step("assign", reason))
        elif method in METHODS:
            if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
                reason = f"Variable.{method} with other than one positional value"
                self._at(node, _todo(reason), Step("assign", reason))
            else:
                self._at(node, f"Variable.{method} -> .data.{METHODS[method]}", Step("assign"),
                         requires=tuple(makers))
        elif method == "numpy":
            if node.args or node.keywords:
                reason = "Variable.numpy() with arguments"
                self._at(node, _todo(reason), Step("numpy", reason))
            else:
                self._at(node, "Variable.numpy() -> .detach().numpy()", Step("numpy"),
                         requires=tuple(makers))
        else:
            reason = f"Variable.{method}() has no torch rewrite here"
            self._at(node, _todo(reason), Step("assign", reason))

    # -- statements: ``opt.apply_gradients(zip(...))`` lines and ``with tf.GradientTape() as tape:`` blocks
    def _statements(self, tape_uses: dict[tuple[int, int], Match | None]) -> None:
        aliases = {name for name, target in self.scan.bindings.items() if target == "tensorflow"}
        for block in blocks(self.scan.tree):
            for index, statement in enumerate(block):
                if _inside(self.owned, statement):
                    continue  # (what the Keras model rules rewrite is theirs)
                if isinstance(statement, ast.Expr):
                    self._apply_gradients(statement, self._own_line(block, index))
                elif isinstance(statement, (ast.With, ast.AsyncWith)):
                    self._tape(statement, aliases, tape_uses)

    def _own_line(self, block: list, index: int) -> bool:
        """Is ``block[index]`` a statement line of its own (libcst's ``SimpleStatementLine`` of one statement)?"""
        statement = block[index]
        if index and block[index - 1].end_lineno == statement.lineno:
            return False
        if index + 1 < len(block) and block[index + 1].lineno == statement.end_lineno:
            return False
        line = self.lines[statement.lineno - 1] if statement.lineno <= len(self.lines) else ""
        return not line.encode("utf-8")[:statement.col_offset].strip()  # (not after ``if x:`` on its line)

    def _apply_gradients(self, statement: ast.Expr, own_line: bool) -> None:
        call = statement.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr == "apply_gradients"):
            return
        arguments = [*call.args, *(k.value for k in call.keywords)]
        if len(arguments) != 1 or isinstance(arguments[0], ast.Starred) or any(k.arg is None for k in call.keywords):
            return
        pairs = arguments[0]
        if not (isinstance(pairs, ast.Call) and isinstance(pairs.func, ast.Name) and pairs.func.id == "zip"):
            return
        receiver = call.func.value
        makers = self.by_name.get(receiver.id, []) if isinstance(receiver, ast.Name) else []
        kept = next((m for m in makers if m.payload.reason is not None), None)
        if kept is not None or not own_line:
            reason = f"{receiver.id} stays a Keras optimizer ({kept.payload.reason})" if kept is not None else \
                "apply_gradients shares its line with another statement (it becomes a loop: give it a line)"
            self._at(statement, _todo(reason), Step("apply", reason))
            return
        self._at(statement, "apply_gradients -> set .grad and optimizer.step()", Step("apply"),
                 requires=tuple(makers))

    def _tape(self, statement, aliases: set[str], tape_uses: dict[tuple[int, int], Match | None]) -> None:
        if len(statement.items) != 1 or not isinstance(statement.items[0].context_expr, ast.Call):
            return
        item = statement.items[0]
        call = item.context_expr
        head, _, rest = (dotted_name_ast(call.func) or "").partition(".")
        if head not in aliases or rest != "GradientTape":
            return
        if item.optional_vars is not None and not isinstance(item.optional_vars, ast.Name):
            return
        name = item.optional_vars.id if item.optional_vars is not None else None
        # every read of the tape's name must be the receiver of a ``gradient`` call rewritten here: once the
        # block is gone the name is unbound
        reads = [(use.line, use.column) for use in self.shared.uses_of(name)] if name else []
        uses = [tape_uses.get(where) for where in reads]
        if call.args or call.keywords:
            reason = "a GradientTape with arguments (persistent=, watch_accessed_variables=) has no autograd " \
                     "rewrite here; the block stays"
        elif statement.body and statement.body[0].lineno == statement.lineno:
            reason = "the block is written on the with line; it stays"
        elif any(use is None or use.payload.reason is not None for use in uses):
            reason = f"{name} is used other than as tape.gradient(target, sources), which needs the tape; " \
                     "the block stays"
        else:
            self._at(statement, "GradientTape block -> plain code (autograd records it)", Step("tape"),
                     requires=tuple(uses))
            return
        self._at(statement, _todo(reason), Step("tape", reason))
        for use in uses:  # (autograd would not see what the tape watches: its gradients stay with it)
            if use is not None and use.payload.reason is None:
                self._keep(use, f"tape.gradient stays with its tape ({name}'s block stays)")


def optimizer_message(name: str, text: str) -> str:
    return f"tf.keras.optimizers.{name} -> {text} (Keras defaults written out)"


# -- the rule: decides on the ``ast`` (``match``); the libcst hooks build what was decided -------------------


@register("TT1002")
class TrainingLoop(CustomTransform):
    def applies(self, scan) -> bool:
        return any(ref.qualified in ("tensorflow.GradientTape", "tensorflow.Variable")
                   or ref.qualified.startswith("tensorflow.keras.optimizers.") for ref in scan.references)

    def match(self, scan):
        return self.decide(scan, CONVERT_APPLY)

    def decide(self, scan, apply: frozenset):
        """The matches (the same for every fix selection: what stands under one is their ``requires``)."""
        effective = {}
        for sibling in self.siblings:  # TT1001's rewrites inside an optimizer's arguments, as the pass reads them
            if sibling.code == "TT1001" and sibling.applies(scan):
                sibling.matches(scan)
                effective = scan.matches.get(("TT1001", "effective"), {})
        shared = facts_of(scan)
        owned = []
        if any(sibling.code == "TT2001" for sibling in self.siblings):  # (the Keras rules own a model's training)
            from migrate.tf_to_torch.decide import keras_class_spans

            owned = keras_class_spans(scan)
        return TrainingDecider(self.rule, scan, shared, _facts(shared, scan), effective, owned=owned).decide()

    def sites(self, scan):
        return None  # (``finish`` drops the TensorFlow import: the whole module is parsed)

    def _decided(self, ctx, original, kinds: tuple[str, ...]) -> Match | None:
        """The match of one of ``kinds`` made for ``original`` when it stands under the fixes applied (its
        ``requires`` fixed).  (A statement line and the call it holds have the same span.)"""
        match = match_by_span(ctx, self, original, Step)
        if match is None or match.payload.kind not in kinds or not match.stands(ctx.apply):
            return None
        return match

    @staticmethod
    def _report(ctx, match: Match, pending: bool = True) -> bool:
        """Report ``match``; True when its fix is applied here (with ``pending``, a reason is kept for the TODO
        comment of the statement line holding it: not for a ``with`` block)."""
        if ctx.report_match(match):
            return True
        if pending and match.payload.reason is not None:
            ctx.facts.setdefault(PENDING, []).append(match.payload.reason)
        return False

    def on_call(self, ctx, qualified, original, updated):
        match = self._decided(ctx, original, ("variable", "optimizer"))
        if match is None:
            return None
        step: Step = match.payload
        if step.kind == "variable":
            if not self._report(ctx, match):
                return None
            (init,) = [a for a in updated.args if not (a.keyword and a.keyword.value == "name")]
            return cst.parse_expression(spell_torch(ctx, step.template.format(init=code_of(init.value))))
        if step.reason is not None or not match.finding(ctx.apply).fixed:
            self._report(ctx, match)
            return None
        name = qualified.rsplit(".", 1)[-1]
        values = {key: code_of(arg.value) for key, arg in zip(step.keys, updated.args)}
        text = step.template.format(**{**OPTIMIZERS[name][2], **values})  # (the arguments as the pass rewrote them)
        self._report(ctx, replace(match, message=optimizer_message(name, text)))
        return cst.parse_expression(spell_torch(ctx, text))

    def on_method_call(self, ctx, method, original, updated):
        match = self._decided(ctx, original, ("gradient", "assign", "numpy", "apply"))
        if match is None or (match.payload.kind == "apply" and match.payload.reason is None):
            return None  # (a rewritten ``apply_gradients`` line is the statement hook's)
        if not self._report(ctx, match):
            return None
        step: Step = match.payload
        if step.kind == "gradient":
            text = f"torch.autograd.grad({code_of(updated.args[0].value)}, {code_of(updated.args[1].value)})"
            text += "[0]" if step.one_variable else ""  # (one variable in, one gradient out: autograd gives a tuple)
            return cst.parse_expression(spell_torch(ctx, text))
        receiver = code_of(updated.func.value)
        if step.kind == "assign":
            return cst.parse_expression(f"{receiver}.data.{METHODS[method]}({code_of(updated.args[0].value)})")
        return cst.parse_expression(f"{receiver}.detach().numpy()")

    def on_statement(self, ctx, original, updated):
        if len(original.body) != 1 or not isinstance(original.body[0], cst.Expr):
            return mark_todo(updated, ctx.facts.get(PENDING), TODO)
        match = self._decided(ctx, original, ("apply",))
        if match is None or match.payload.reason is not None or not self._report(ctx, match):
            # (one left as it was is reported at its call, by the method hook)
            return mark_todo(updated, ctx.facts.get(PENDING), TODO)
        call = updated.body[0].value
        opt, pairs = code_of(call.func.value), code_of(call.args[0].value)
        loop = cst.parse_statement(f"for grad_, param_ in {pairs}:\n    param_.grad = grad_\n")
        step = cst.parse_statement(f"{opt}.step()\n")  # (it keeps the line's comment)
        return cst.FlattenSentinel([loop.with_changes(leading_lines=updated.leading_lines),
                                    step.with_changes(trailing_whitespace=updated.trailing_whitespace)])

    def on_with(self, ctx, original, updated):
        match = self._decided(ctx, original, ("tape",))
        if match is None or not self._report(ctx, match, pending=False):
            return None
        body = list(updated.body.body)
        if body:
            body[0] = body[0].with_changes(leading_lines=[*updated.leading_lines, *body[0].leading_lines])
        return cst.FlattenSentinel(body)

    def finish(self, ctx, module):
        aliases = {name for name, target in ctx.bindings.items() if target == "tensorflow"}
        return _drop_tf_imports(module, aliases)
