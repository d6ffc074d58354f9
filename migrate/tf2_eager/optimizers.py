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

    def __init__(self, variables, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, centered=False):
        super().__init__()
        self.learning_rate, self.decay, self.momentum, self.epsilon = learning_rate, decay, momentum, epsilon
        self.centered = centered
        self.variables_updated = list(variables)
        self.ms = [{tf}.Variable({tf}.ones_like(v), trainable=False) for v in variables]
        self.mom = [{tf}.Variable({tf}.zeros_like(v), trainable=False) for v in variables]
        self.mg = [{tf}.Variable({tf}.zeros_like(v), trainable=False) for v in variables] if centered else []

    def apply_gradients(self, grads_and_vars):
        for i, (g, v) in enumerate(grads_and_vars):
            if v is not self.variables_updated[i] or isinstance(g, {tf}.IndexedSlices):
                raise ValueError("{cls} updates the variables it was built for, with dense gradients")
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

    def __init__(self, variables, learning_rate, l1_regularization_strength=0.0, l2_regularization_strength=0.0):
        super().__init__()
        self.learning_rate, self.l1, self.l2 = learning_rate, l1_regularization_strength, l2_regularization_strength
        self.variables_updated = list(variables)

    def apply_gradients(self, grads_and_vars):
        for i, (g, v) in enumerate(grads_and_vars):
            if v is not self.variables_updated[i] or isinstance(g, {tf}.IndexedSlices):
                raise ValueError("{cls} updates the variables it was built for, with dense gradients")
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
        arguments = optimizer.keras
        return f"{head}{optimizer.name} = {cls}({variables}{', ' if arguments else ''}{arguments})\n"

    def check_order(self, facts) -> None:
        """The slots are built from the variables: the optimizer statement must come after all of them."""
        for optimizer in {id(t.optimizer): t.optimizer for t in facts.train_ops.values()}.values():
            if not optimizer.explicit:
                continue
            names = set(ast.unparse(e).split("[", 1)[0] for e in
                        ast.parse(self.variables.get(id(optimizer), "[]"), mode="eval").body.elts)
            late = [v.target for v in facts.variables if v.target in names and v.index > optimizer.index]
            if late:
                raise Blocked(optimizer.index, 1, f"`tf.train.{optimizer.v1_name}` is created before the variable "
                                                  f"`{late[0]}` it updates; its written-out update builds its slots "
                                                  "from the variables")
