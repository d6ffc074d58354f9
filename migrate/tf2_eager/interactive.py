"""``tf.InteractiveSession`` programs and the default-session run forms, for the eager rewrite (TF4001).

An ``InteractiveSession`` installs itself as the default session, so the program
goes on building the graph *after* creating it, and runs parts of it with
``tensor.eval()``, ``operation.run()`` (``update.op.run()``,
``variable.initializer.run()``) as well as ``sess.run``. The rewrite reads the
statements after ``sess = tf.InteractiveSession()`` one by one: an assignment that
builds graph values (and runs nothing) is classified like any graph statement
(variables stay module-level, tensors move into the generated functions); every
other statement is Session code, where each run form is a run site:

* ``X.eval()`` / ``X.eval(feed_dict=...)`` of a graph tensor or variable is
  ``sess.run(X, ...)``: a generated function returning X, converted to numpy;
* ``X.op.run()`` / ``train_op.run()`` runs X for its effect and returns None: a
  generated function computing X that returns nothing;
* ``v.initializer.run()``, ``init.run()``, ``tf.global_variables_initializer().run()``
  initialise variables, which eager TF2 does when it creates them: dropped;
* ``sess.close()`` goes with the Session.

The same ``.eval()``/``.run()`` forms are run sites in a ``with tf.Session() as
sess:`` block too (that Session is the default one inside it).
"""
from __future__ import annotations

import ast

INTERACTIVE = "tensorflow.InteractiveSession"


def runs_something(analyzer, stmt: ast.AST) -> bool:
    """Whether a statement runs the graph (``sess.*``, ``.eval(...)``, ``.run(...)``)."""
    name = analyzer.facts.session_name
    for sub in ast.walk(stmt):
        if isinstance(sub, ast.Name) and sub.id == name:
            return True
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in ("eval", "run"):
            return True
    return False


def graph_statement(analyzer, stmt: ast.stmt) -> bool:
    """After an InteractiveSession: a statement that builds the graph (classified as graph code)."""
    from migrate.tf2_eager.facts import names_read

    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return True
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1) or runs_something(analyzer, stmt):
        return False
    return bool(names_read(stmt.value) & analyzer.facts.graph_names() or analyzer.tf_calls(stmt.value))


def run_site(analyzer, top: int, call: ast.AST):
    """A default-session run form, as a RunSite (None when ``call`` is not one)."""
    from migrate.tf2_eager.facts import INITIALIZERS, Blocked, RunSite

    facts = analyzer.facts
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in ("eval", "run")):
        return None
    if facts.roles.get(facts.session_index) not in ("session", "interactive"):
        return None  # ``sess = tf.Session()`` is not the default session: TF1's ``X.eval()`` raises there
    receiver = call.func.value
    if call.args or any(k.arg != "feed_dict" for k in call.keywords):
        if isinstance(receiver, ast.Name) and receiver.id in facts.graph_names():
            raise Blocked(top, call.lineno, f"`{receiver.id}.{call.func.attr}(...)` with a session or options: "
                                            "not converted")
        return None
    feed = next((k.value for k in call.keywords), None)
    members = {expr: target for v in facts.variables for expr, _ in v.members for target in [v.target]}
    single_variables = {v.target for v in facts.variables if len(v.members) == 1 and v.members[0][0] == v.target}
    if call.func.attr == "run":
        # v.initializer.run(), init.run(), tf.global_variables_initializer().run()
        if isinstance(receiver, ast.Attribute) and receiver.attr == "initializer" and \
                isinstance(receiver.value, ast.Name) and receiver.value.id in single_variables:
            if feed is not None:
                raise Blocked(top, call.lineno, "a variable initializer run with a feed_dict")
            return RunSite(top, call, "init", (), (), local_init=True)
        if isinstance(receiver, ast.Name) and receiver.id in facts.init_ops or (
                isinstance(receiver, ast.Call) and analyzer.q(receiver.func) in INITIALIZERS):
            name = receiver.id if isinstance(receiver, ast.Name) else None
            qualified = analyzer.q(receiver.func) if isinstance(receiver, ast.Call) else None
            local = (name not in facts.global_inits) if name else qualified not in INITIALIZERS[:2]
            return RunSite(top, call, "init", (), (), local_init=local)
        target = None
        if isinstance(receiver, ast.Attribute) and receiver.attr == "op" and isinstance(receiver.value, ast.Name):
            target = receiver.value.id
        elif isinstance(receiver, ast.Name) and receiver.id in facts.train_ops:
            target = receiver.id
        if target is None or not (target in facts.nodes or target in facts.train_ops):
            return None
        return RunSite(top, call, "op", (target,), tuple(_feeds(analyzer, top, feed)))
    # X.eval()
    text = ast.unparse(receiver)
    if isinstance(receiver, ast.Name) and (receiver.id in facts.nodes or receiver.id in single_variables):
        return RunSite(top, call, "single", (receiver.id,), tuple(_feeds(analyzer, top, feed)))
    if text in members and text not in single_variables:
        return RunSite(top, call, "single", (text,), tuple(_feeds(analyzer, top, feed)))
    return None


def _feeds(analyzer, top: int, feed: ast.expr | None) -> list:
    from migrate.tf2_eager.facts import Blocked

    facts = analyzer.facts
    if feed is None:
        return []
    if not isinstance(feed, ast.Dict) or any(k is None for k in feed.keys):
        raise Blocked(top, feed.lineno, "a `feed_dict` of `.eval()`/`.run()` that is not a literal dict")
    out = []
    for key, value in zip(feed.keys, feed.values):
        if not (isinstance(key, ast.Name) and key.id in facts.placeholders):
            raise Blocked(top, key.lineno, f"feeding `{ast.unparse(key)}`, which is not a placeholder")
        out.append((key.id, value))
    return out
