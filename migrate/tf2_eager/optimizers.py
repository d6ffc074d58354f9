"""TF1 optimizers that no Keras optimizer reproduces: their update written out in the converted program.

``tf.train.RMSPropOptimizer`` starts its mean-square slot at 1.0 (Keras ``RMSprop`` starts it at 0, with no
option to change that), keeps a momentum slot even at ``momentum=0`` and, ``centered``, a mean-gradient slot.
Measured on TF 2.21 / Keras 3.15 (``scripts/tf1_optimizer_parity.py``): Keras ``RMSprop`` with the same
hyper-parameters ends 50 steps 96% away from the TF1 weights; the update below, the formula of TF1's
``ApplyRMSProp``/``ApplyCenteredRMSProp`` kernels, is equal to TF1's for the first steps and within float32
rounding (1e-7) after 50 (a chaotic trajectory amplifies the rounding of one op order to 1e-3).

The rewrite emits a small class (a ``tf.Module`` owning the slot variables, created once at module level
next to the model variables) whose ``apply_gradients`` takes what a Keras optimizer's takes, so the train
step reads the same for both.  Gradients that are ``IndexedSlices`` (variables read with
``embedding_lookup``/``gather``) are refused statically: TF1 then applies a sparse update, touching only
the rows read, which the dense formula does not.
"""
from __future__ import annotations

import ast

from migrate.tf2_eager.facts import Blocked, canonical

# reading a variable through one of these makes its gradient IndexedSlices (TF1: a sparse update)
SPARSE_READS = frozenset({"tensorflow.nn.embedding_lookup", "tensorflow.gather", "tensorflow.nn.embedding_lookup_sparse",
                          "tensorflow.nn.safe_embedding_lookup_sparse", "tensorflow.compat.v2.gather",
                          "tensorflow.gather_nd", "tensorflow.sparse.segment_sum", "tensorflow.sparse_segment_sum"})

RMSPROP = '''

class {cls}({tf}.Module):
    """TF1 `tf.train.RMSPropOptimizer`'s update (Keras RMSprop differs: its mean square starts at 0).

    Per variable: ms += (g**2 - ms) * (1 - decay); centered: mg += (g - mg) * (1 - decay) and the
    denominator is ms - mg**2; mom = mom * momentum + g * lr / sqrt(denominator + epsilon); v -= mom.
    """

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, centered=False):
        super().__init__()
        self.learning_rate, self.decay, self.momentum, self.epsilon = learning_rate, decay, momentum, epsilon
        self.centered = centered
        self.variables_updated = None  # the slots are made at the first update, for its variables

    def apply_gradients(self, grads_and_vars):
        grads_and_vars = list(grads_and_vars)
        if self.variables_updated is None:
            self.variables_updated = [v for _, v in grads_and_vars]
            self.ms = [{tf}.Variable({tf}.ones_like(v), trainable=False) for _, v in grads_and_vars]
            self.mom = [{tf}.Variable({tf}.zeros_like(v), trainable=False) for _, v in grads_and_vars]
            self.mg = [{tf}.Variable({tf}.zeros_like(v), trainable=False) for _, v in grads_and_vars]
        for i, (g, v) in enumerate(grads_and_vars):
            if v is not self.variables_updated[i] or isinstance(g, {tf}.IndexedSlices):
                raise ValueError("{cls} updates the variables of its first update, with dense gradients")
            ms, mom = self.ms[i], self.mom[i]
            ms.assign_add(({tf}.square(g) - ms) * (1.0 - self.decay))
            denominator = ms
            if self.centered:
                self.mg[i].assign_add((g - self.mg[i]) * (1.0 - self.decay))
                denominator = ms - {tf}.square(self.mg[i])
            mom.assign(mom * self.momentum + g * self.learning_rate / {tf}.sqrt(denominator + self.epsilon))
            v.assign_sub(mom)
'''

PROXIMAL_GD = '''

class {cls}({tf}.Module):
    """TF1 `tf.train.ProximalGradientDescentOptimizer`'s update (Keras has no proximal optimizer).

    Per variable: p = v - lr * g; v = sign(p) * max(|p| - lr * l1, 0) / (1 + lr * l2) (p / (1 + lr * l2)
    without l1).
    """

    def __init__(self, learning_rate, l1_regularization_strength=0.0, l2_regularization_strength=0.0):
        super().__init__()
        self.learning_rate, self.l1, self.l2 = learning_rate, l1_regularization_strength, l2_regularization_strength

    def apply_gradients(self, grads_and_vars):
        for g, v in grads_and_vars:
            if isinstance(g, {tf}.IndexedSlices):
                raise ValueError("{cls} applies dense gradients only")
            proximal = v - g * self.learning_rate
            if self.l1 > 0:
                proximal = {tf}.sign(proximal) * {tf}.maximum({tf}.abs(proximal) - self.learning_rate * self.l1, 0.0)
            v.assign(proximal / (1.0 + self.learning_rate * self.l2))
'''

TEMPLATES = {"RMSPropV1": RMSPROP, "ProximalGradientDescentV1": PROXIMAL_GD}


class ExplicitOptimizers:
    """Per rewrite: the classes to emit and each explicit optimizer's variable list."""

    def __init__(self, rewrite) -> None:
        self.rewrite = rewrite
        self.classes: dict[str, str] = {}  # template name -> class name in the module
        self.variables: dict[int, str] = {}  # id(optimizer) -> the variable list text it updates
        self.emitted: set[str] = set()

    def register(self, train, indexes: list[int], variables: list[str]) -> None:
        """Called for each train step: checks what the written-out update needs."""
        optimizer = train.optimizer
        if not optimizer.explicit:
            return
        rewrite = self.rewrite
        if optimizer.schedule is not None:
            raise Blocked(optimizer.index, 1, f"`tf.train.{optimizer.v1_name}` with a decayed learning rate: its "
                                              "update is written out with a constant rate only")
        for index in indexes:
            for node in ast.walk(rewrite.trees[index]):
                if isinstance(node, ast.Call):
                    name = ast.unparse(node.func)
                    qualified = canonical(rewrite.qualify(name))
                    if qualified in SPARSE_READS:
                        raise Blocked(index, node.lineno, f"`{name}` makes a sparse gradient, for which TF1's "
                                      f"`{optimizer.v1_name}` updates only the rows read; its written-out update "
                                      "is the dense one")
        text = "[" + ", ".join(variables) + "]"
        previous = self.variables.setdefault(id(optimizer), text)
        if previous != text:
            raise Blocked(train.index, 1, f"one `tf.train.{optimizer.v1_name}` updating two variable lists: its "
                                          "written-out update owns the slots of one list")
        if optimizer.explicit not in self.classes:
            self.classes[optimizer.explicit] = rewrite.fresh(optimizer.explicit)

    def construction(self, optimizer) -> str:
        """The module-level statement building the optimizer (the class definition first, once)."""
        variables = self.variables.get(id(optimizer))
        if variables is None:
            raise Blocked(optimizer.index, 1, f"`tf.train.{optimizer.v1_name}` that no training step uses")
        cls = self.classes[optimizer.explicit]
        head = ""
        if cls not in self.emitted:
            self.emitted.add(cls)
            head = "\n\n" + TEMPLATES[optimizer.explicit].format(cls=cls, tf=self.rewrite.tf).lstrip("\n") + "\n\n"
        return f"{head}{optimizer.name} = {self.expression(optimizer)}\n"

    def expression(self, optimizer) -> str:
        if optimizer.explicit not in self.classes:
            self.classes[optimizer.explicit] = self.rewrite.fresh(optimizer.explicit)
        return f"{self.classes[optimizer.explicit]}({optimizer.keras})"


def gradient_pair(analyzer, index: int, name: str, call: ast.Call, count: int) -> ast.Call | None:
    """``gv = opt.compute_gradients(loss, var_list=...)`` then ``train = opt.apply_gradients(gv, global_step=s)``,
    ``gv`` read by nothing else: the same update as ``opt.minimize(loss, global_step=s, var_list=...)``.
    The first statement is recorded (and dropped); the second returns the equivalent ``minimize`` call."""
    facts = analyzer.facts
    receiver = call.func.value
    method = call.func.attr
    if count != 1 or not (isinstance(receiver, ast.Name) and receiver.id in facts.optimizers):
        raise analyzer.block(index, call, f"`{method}` on an object that is not a `tf.train` optimizer built above, "
                                          "or assigned to several names")
    keywords = {k.arg: k.value for k in call.keywords}
    if method == "compute_gradients":
        params = ("loss", "var_list")
        given = dict(zip(params, call.args))
        given.update(keywords)
        if set(given) - set(params) or "loss" not in given or len(call.args) > 2:
            raise analyzer.block(index, call, "`compute_gradients` with arguments other than loss and var_list")
        loads = sum(1 for module in analyzer.statements for n in ast.walk(module)
                    if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load))
        if loads != 1 or analyzer.stores.get(name, 0) != 1:
            raise analyzer.block(index, call, f"the gradients `{name}` are used other than by one `apply_gradients` "
                                              "(clipped, printed or fetched): the rewrite converts the plain pair")
        facts.gradients[name] = (index, receiver.id, given)
        facts.roles[index] = "drop"
        return None
    params = ("grads_and_vars", "global_step", "name")
    given = dict(zip(params, call.args))
    given.update(keywords)
    pairs = given.get("grads_and_vars")
    if set(given) - set(params) or len(call.args) > 3 or not (isinstance(pairs, ast.Name) and pairs.id in facts.gradients):
        raise analyzer.block(index, call, "`apply_gradients` of gradients other than a `compute_gradients` result "
                                          "(clipped or otherwise transformed gradients are not converted yet)")
    _, owner, computed = facts.gradients[pairs.id]
    if owner != receiver.id:
        raise analyzer.block(index, call, f"`apply_gradients` on `{receiver.id}` of gradients `{owner}` computed")
    keywords = [ast.keyword(arg="var_list", value=computed["var_list"])] if "var_list" in computed else []
    if "global_step" in given:
        keywords.append(ast.keyword(arg="global_step", value=given["global_step"]))
    minimize = ast.Call(func=ast.Attribute(value=receiver, attr="minimize", ctx=ast.Load()), args=[computed["loss"]],
                        keywords=keywords)
    return ast.copy_location(minimize, call)
