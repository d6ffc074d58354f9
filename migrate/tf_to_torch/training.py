"""TT1002: ``tf.GradientTape`` training steps -> autograd; Keras optimizers -> ``torch.optim``; ``tf.Variable``.

What is rewritten (everything else about a tape stays, with a finding):

    w = tf.Variable(init)                       w = torch.nn.Parameter(torch.as_tensor(init))
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
"""
from __future__ import annotations

import ast

from migrate.callparts import code_of
from migrate.facts import FileFacts, Role, canonical, facts_for, scan_for
from migrate.lazycst import cst
from migrate.model import Safety, Severity
from migrate.plugin import CustomTransform, register
from migrate.tf_to_torch.call_map import _drop_tf_imports, spell_torch

OPTIMIZERS = {
    "Adam": ("torch.optim.Adam", ["learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad"],
             {"learning_rate": "0.001", "beta_1": "0.9", "beta_2": "0.999", "epsilon": "1e-07", "amsgrad": "False"},
             "{params}, lr={learning_rate}, betas=({beta_1}, {beta_2}), eps={epsilon}, amsgrad={amsgrad}"),
    "SGD": ("torch.optim.SGD", ["learning_rate", "momentum", "nesterov"],
            {"learning_rate": "0.01", "momentum": "0.0", "nesterov": "False"},
            "{params}, lr={learning_rate}, momentum={momentum}, nesterov={nesterov}"),
}
METHODS = {"assign": "copy_", "assign_add": "add_", "assign_sub": "sub_"}


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


@register("TT1002")
class TrainingLoop(CustomTransform):
    def applies(self, scan) -> bool:
        return any(ref.qualified in ("tensorflow.GradientTape", "tensorflow.Variable")
                   or ref.qualified.startswith("tensorflow.keras.optimizers.") for ref in scan.references)

    def prepare(self, ctx) -> None:
        ctx.facts["tt_training"] = _facts(facts_for(ctx), scan_for(ctx))
        ctx.facts["tt_tapes"] = ctx.facts["tt_training"]["tapes"]

    def on_call(self, ctx, qualified, original, updated):
        facts = ctx.facts["tt_training"]
        if qualified == "tensorflow.Variable":
            args = [a for a in updated.args if not (a.keyword and a.keyword.value == "name")]
            if len(args) != 1 or args[0].keyword is not None or args[0].star:
                return self._todo(ctx, original, "tf.Variable with arguments other than the initial value and name")
            init = code_of(args[0].value)
            try:
                literal = ast.literal_eval(init)
            except (ValueError, SyntaxError):
                literal = None
            if isinstance(literal, int) or (isinstance(literal, list) and all(isinstance(v, int) for v in literal)):
                return self._todo(ctx, original, "integer variables cannot require gradients in torch")
            if not ctx.may_fix(self.rule):
                return None
            ctx.report(self.rule, original, "tf.Variable -> torch.nn.Parameter (a leaf tensor that requires grad)",
                       fixed=True)
            return cst.parse_expression(spell_torch(ctx, f"torch.nn.Parameter(torch.as_tensor({init}))"))
        if qualified.startswith("tensorflow.keras.optimizers."):
            return self._optimizer(ctx, qualified, original, updated, facts)
        return None

    def _todo(self, ctx, node, reason):
        ctx.facts.setdefault("tt_pending", []).append(reason)
        ctx.report(self.rule, node, f"left as TensorFlow: {reason}", fixed=False, severity=Severity.WARNING,
                   safety=Safety.NONE)
        return None

    def _optimizer(self, ctx, qualified, original, updated, facts):
        name = qualified.rsplit(".", 1)[-1]
        spec = OPTIMIZERS.get(name)
        if spec is None:
            return self._todo(ctx, original, f"optimizer {name} has no proven torch.optim mapping (Adam, SGD are mapped)")
        position = ctx._position_of(original)
        target = facts["by_line"].get(position.start.line) if position is not None else None
        params = facts["apply"].get(target or "", set())
        if len(params) != 1 or None in params:
            return self._todo(ctx, original, "the optimizer's variables are not one named list passed to apply_gradients")
        (param_name,) = params
        if facts["assigned"].get(param_name, 10**9) > facts["assigned"].get(target, 0):
            return self._todo(ctx, original, f"{param_name} is assigned after the optimizer; torch needs it first")
        torch_name, order, defaults, template = spec
        values = dict(defaults)
        for index, arg in enumerate(updated.args):
            key = arg.keyword.value if arg.keyword else (order[index] if index < len(order) else None)
            if key not in values or arg.star:
                return self._todo(ctx, original, f"optimizer argument {key or '*'} is not mapped")
            values[key] = code_of(arg.value)
        text = f"{torch_name}(" + template.format(params=param_name, **values) + ")"
        if not ctx.may_fix(self.rule):
            return None
        ctx.report(self.rule, original, f"tf.keras.optimizers.{name} -> {text} (Keras defaults written out)", fixed=True)
        return cst.parse_expression(spell_torch(ctx, text))

    def on_method_call(self, ctx, method, original, updated):
        receiver = original.func.value
        facts = ctx.facts["tt_training"]
        if isinstance(receiver, cst.Name) and receiver.value in ctx.facts["tt_tapes"] and method == "gradient":
            if len(updated.args) != 2 or any(a.keyword or a.star for a in updated.args):
                return self._todo(ctx, original, "tape.gradient with other than (target, sources)")
            sources = updated.args[1].value
            text = f"torch.autograd.grad({code_of(updated.args[0].value)}, {code_of(sources)})"
            if isinstance(sources, cst.Name) and sources.value in facts["variables"]:
                text += "[0]"  # one variable in, one gradient out (autograd.grad returns a tuple)
            ctx.report(self.rule, original, "tape.gradient -> torch.autograd.grad", fixed=True)
            return cst.parse_expression(spell_torch(ctx, text))
        if isinstance(receiver, cst.Name) and receiver.value in facts["variables"]:
            if method in METHODS and len(updated.args) == 1 and not updated.args[0].keyword:
                ctx.report(self.rule, original, f"Variable.{method} -> .data.{METHODS[method]}", fixed=True)
                return cst.parse_expression(f"{receiver.value}.data.{METHODS[method]}({code_of(updated.args[0].value)})")
            if method == "numpy" and not updated.args:
                return cst.parse_expression(f"{receiver.value}.detach().numpy()")
        return None

    def on_statement(self, ctx, original, updated):
        from migrate.cstutil import dotted_name

        body = updated.body
        if len(body) == 1 and isinstance(body[0], cst.Expr) and isinstance(body[0].value, cst.Call):
            call = body[0].value
            if isinstance(call.func, cst.Attribute) and call.func.attr.value == "apply_gradients" and \
                    len(call.args) == 1 and isinstance(call.args[0].value, cst.Call) and \
                    dotted_name(call.args[0].value.func) == "zip":
                opt = code_of(call.func.value)
                pairs = code_of(call.args[0].value)
                ctx.report(self.rule, original, "apply_gradients -> set .grad and optimizer.step()", fixed=True)
                loop = cst.parse_statement(f"for grad_, param_ in {pairs}:\n    param_.grad = grad_\n")
                step = cst.parse_statement(f"{opt}.step()\n")
                return cst.FlattenSentinel([loop.with_changes(leading_lines=updated.leading_lines), step])
        return None

    def finish(self, ctx, module):
        from migrate.tf_to_torch.cst_edits import Tapes

        module = module.visit(Tapes(ctx, self))
        aliases = {name for name, target in ctx.bindings.items() if target == "tensorflow"}
        return _drop_tf_imports(module, aliases)
