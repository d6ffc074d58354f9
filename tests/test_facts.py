"""FileFacts (migrate/facts.py): def-use, roles and graph build/run statements, computed once per file."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import migrate.facts as facts_module
from migrate.facts import MODULE, Role, facts_of
from migrate.resolve import scan_source


def facts(source: str):
    return facts_of(scan_source(textwrap.dedent(source)))


TF1_PROGRAM = """
import numpy as np
import tensorflow.compat.v1 as tf

X = tf.placeholder(tf.float32, [None, 1])
W = tf.Variable(tf.zeros([1, 1]))
pred = tf.matmul(X, W)
cost = tf.reduce_mean(tf.square(pred - X))
opt = tf.train.GradientDescentOptimizer(0.1)
train = opt.minimize(cost)
train2 = tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(W))
init = tf.global_variables_initializer()
ds = tf.data.Dataset.from_tensor_slices(np.zeros(3)).batch(2)
it = ds.make_one_shot_iterator()
g = tf.get_default_graph()

def helper(x):
    return x * 2

with tf.Session() as sess:
    sess.run(init)
    for step in range(3):
        sess.run(train, feed_dict={X: np.zeros((1, 1))})
print("done")
"""


def test_roles_from_callees_and_one_level_of_flow():
    f = facts(TF1_PROGRAM)
    assert f.roles == {
        "X": Role.PLACEHOLDER, "W": Role.VARIABLE, "cost": Role.LOSS, "opt": Role.OPTIMIZER,
        "train": Role.TRAIN_OP, "train2": Role.TRAIN_OP, "init": Role.INIT_OP, "ds": Role.DATASET,
        "it": Role.ITERATOR, "g": Role.GRAPH, "sess": Role.SESSION,
    }
    assert "pred" not in f.roles  # a tensor, not fed to a loss sink
    (cost,) = f.bindings_of("cost")
    assert (cost.kind, cost.whole, cost.callee, cost.line) == ("assign", True, "tensorflow.compat.v1.reduce_mean", 8)
    (sess,) = f.bindings_of("sess")
    assert (sess.kind, sess.callee) == ("with", "tensorflow.compat.v1.Session")


def test_build_and_run_statements():
    f = facts(TF1_PROGRAM)
    lines = {s.index: s.first_line for s in f.statements}
    built = sorted(lines[i] for i in f.builds)
    # every graph-building assignment (train = opt.minimize(cost) too: it makes a TRAIN_OP), not the imports,
    # not the def, not the Session block, not print
    assert built == [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    assert [lines[i] for i in f.runs] == [20]
    assert f.statement_at(22).index == f.runs[0]  # a line inside the with block
    assert [s.first_line for s in f.on_import()][-1] == 24  # print("done") runs on import; the def does not
    assert f.main_guard is None


def test_a_name_rebound_to_a_different_role():
    f = facts("""
        import tensorflow as tf
        W = tf.Variable(1.0)
        use = W * 2
        W = 3
        """)
    assert [b.role for b in f.bindings_of("W")] == [Role.VARIABLE, None]
    assert f.role_of("W") is None and "W" not in f.roles
    assert f.reaching("W", 4).role is Role.VARIABLE  # what ``use = W * 2`` reads
    assert f.reaching("W", 5).line == 5
    assert f.stores["W"] == 2


def test_function_scope_shadows_module_names():
    f = facts("""
        import tensorflow as tf
        import numpy as np
        W = tf.Variable(1.0)
        counter = 0

        def step(x, tf=None):
            W = np.ones(3)
            global counter
            counter = counter + 1
            return W + x

        class Net:
            W = 5
            def f(self):
                return W
        """)
    scopes = {(b.name, b.scope, b.kind) for b in f.bindings}
    assert ("W", MODULE, "assign") in scopes and ("W", "step", "assign") in scopes and ("W", "Net", "assign") in scopes
    assert ("counter", MODULE, "assign") in {(b.name, b.scope, b.kind) for b in f.bindings_of("counter")}
    assert not f.bindings_of("counter", "step")  # ``global counter``: the store binds the module's name
    assert ("x", "step", "param") in scopes and ("tf", "step", "param") in scopes
    assert f.role_of("W") is Role.VARIABLE and f.role_of("W", "step") is None
    reads = {(u.line, u.where, u.scope) for u in f.uses_of("W")}
    assert (11, "step", "step") in reads  # ``return W + x`` reads the function's own W
    assert (16, "Net.f", MODULE) in reads  # a method does not see the class body's W
    assert {(u.where, u.scope) for u in f.uses_of("counter")} == {("step", MODULE)}


def test_comprehension_lambda_and_unpacking_scopes():
    f = facts("""
        import tensorflow as tf
        xs = [tf.constant(i) for i in range(3)]
        g = lambda t: t + 1
        a, b = 1, 2
        arr = [0]
        arr[a] = 5
        """)
    (i,) = f.bindings_of("i")
    assert i.kind == "comprehension" and i.scope.startswith("<comprehension:")
    (t,) = f.bindings_of("t")
    assert t.kind == "param" and t.scope.startswith("<lambda:")
    assert [(b.name, b.whole) for b in f.bindings if b.name in ("a", "b")] == [("a", False), ("b", False)]
    assert [m.name for m in f.mutations] == ["arr"]  # ``arr[a] = 5`` changes arr's object, binds nothing
    assert {u.name for u in f.uses if u.line == 7} == {"arr", "a"}


def test_torch_roles():
    f = facts("""
        import torch
        from torch import nn

        class Net(nn.Module):
            pass

        model = Net()
        criterion = nn.MSELoss()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = torch.utils.data.DataLoader([1, 2])
        out = model(torch.zeros(1))
        loss = criterion(out, torch.zeros(1))
        other = (out ** 2).mean()
        other.backward()
        """)
    assert f.roles == {"model": Role.MODEL, "criterion": Role.LOSS_FN, "opt": Role.OPTIMIZER,
                       "loader": Role.DATASET, "loss": Role.LOSS, "other": Role.LOSS}
    assert f.builds == () and f.runs == ()  # no TensorFlow


def test_tape_and_gradients_sinks():
    f = facts("""
        import tensorflow as tf
        w = tf.Variable(1.0)
        with tf.GradientTape() as tape:
            y = w * w
        grads = tape.gradient(y, [w])
        z = w + 1
        dz = tf.gradients(z, [w])
        """)
    assert f.roles["tape"] is Role.TAPE and f.roles["y"] is Role.LOSS and f.roles["z"] is Role.LOSS


def test_main_guard_and_interactive_eval():
    f = facts("""
        import tensorflow as tf
        x = tf.constant(1.0)
        sess = tf.InteractiveSession()
        print(x.eval())

        def main():
            pass

        if __name__ == "__main__":
            main()
        """)
    assert f.main_guard is not None and f.main_guard.first_line == 10
    on_import = [s.first_line for s in f.on_import()]
    assert on_import == [2, 3, 4, 5]
    assert [f.statements[i].first_line for i in f.runs] == [4, 5]  # opens the session; evaluates in it


def test_facts_are_kept_on_the_scan():
    scan = scan_source("import tensorflow as tf\nx = tf.constant(1)\n")
    before = facts_module.BUILD_COUNT
    first = facts_of(scan)
    assert facts_of(scan) is first
    assert facts_module.BUILD_COUNT == before + 1


def test_one_build_per_file_in_a_conversion():
    """TT1001 (tensor methods) and TT1002 (training) both read the facts of a file: one build for the pass;
    TF2301/TF2302 (graph mode) read only the top-level statements (``top_statements``): no build at all."""
    from migrate.engine import transform_source
    from migrate.rules import load_rules, rulesets_for_target

    torch_source = textwrap.dedent("""
        import tensorflow as tf
        w = tf.Variable([1.0, 2.0])
        params = [w]
        opt = tf.keras.optimizers.SGD(0.1)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w * w)
        grads = tape.gradient(loss, params)
        opt.apply_gradients(zip(grads, params))
        total = tf.reduce_sum(w)
        print(total.numpy())
        """)
    compat_source = textwrap.dedent("""
        import tensorflow as tf
        x = tf.placeholder(tf.float32)
        with tf.Session() as sess:
            print(sess.run(x + 1.0, feed_dict={x: 2.0}))
        """)
    for target, source, code, builds in (("torch", torch_source, "torch.optim.SGD", 1),
                                         ("tf2-compat", compat_source, "disable_v2_behavior", 0)):
        ruleset = load_rules(rulesets_for_target(target))
        for units in (True, False):
            before = facts_module.BUILD_COUNT
            result = transform_source(source, ruleset, units=units)
            assert code in result.code
            assert facts_module.BUILD_COUNT == before + builds, (target, units)


def test_building_facts_imports_no_framework_and_no_libcst():
    code = textwrap.dedent("""
        import sys
        from migrate.facts import facts_of
        from migrate.resolve import scan_source
        f = facts_of(scan_source("import tensorflow as tf\\nx = tf.placeholder(tf.float32)\\n"))
        assert f.roles["x"].value == "placeholder"
        loaded = [m for m in ("libcst", "tensorflow", "torch") if m in sys.modules]
        assert not loaded, loaded
        """)
    subprocess.run([sys.executable, "-c", code], check=True)


def test_tensor_method_binding_facts():
    from migrate.tf_to_torch.decide import binding_facts  # (TT1001's match: the TF calls as ast nodes)

    f = facts("""
        import tensorflow as tf
        a = tf.reduce_sum([1.0])
        b = tf.reduce_sum([1.0])
        b = 3
        c = d = tf.ones([2])
        e = tf.ones([2])
        e[0] = 1

        def g(a):
            f = tf.zeros([1])
            return f
        """)
    calls, other = binding_facts(f)
    assert set(calls) == {"a", "b", "e", "f"}
    assert [(call.lineno, call.col_offset) for call in calls["a"]] == [(3, 4)]
    assert {"a", "b", "c", "d", "e", "g", "tf"} <= other  # a: the parameter of g; e: changed in place
    assert "f" not in other


def test_one_build_per_file_in_a_run(tmp_path):
    """A ``convert`` run over a tree builds each file's facts once (in-process worker)."""
    from migrate.convert import ConvertOptions, convert_paths

    program = "import tensorflow as tf\nx = tf.reduce_sum(tf.ones([2]))\nprint(x.numpy())\n"
    for index in range(3):
        (tmp_path / f"m{index}.py").write_text(program)
    (tmp_path / "plain.py").write_text("print(1)\n")  # no TensorFlow: no rule asks, no facts built
    before = facts_module.BUILD_COUNT
    results = list(convert_paths([tmp_path], ConvertOptions(target="torch"), jobs=1))
    assert len(results) == 4
    assert facts_module.BUILD_COUNT == before + 3


def test_facts_for_a_pass_without_a_scan():
    """A pass given no scan (a rule's own test harness) gets one made once, kept in its facts."""
    from types import SimpleNamespace

    from migrate.facts import facts_for, scan_for

    ctx = SimpleNamespace(scan=None, source="import tensorflow as tf\nx = tf.placeholder(tf.float32)\n", facts={})
    before = facts_module.BUILD_COUNT
    first = facts_for(ctx)
    assert facts_for(ctx) is first and scan_for(ctx) is ctx.facts["<facts scan>"]
    assert first.roles == {"x": Role.PLACEHOLDER}
    assert ctx.scan is None and facts_module.BUILD_COUNT == before + 1


def test_nonlocal_reads_and_stores_bind_the_enclosing_function():
    f = facts("""
        def outer():
            total = 0
            def inner():
                nonlocal total
                total = total + 1
            return inner
        """)
    assert [(b.scope, b.kind) for b in f.bindings_of("total")] == [("outer", "assign"), ("outer", "assign")]
    assert [(u.where, u.scope) for u in f.uses_of("total")] == [("outer.inner", "outer")]
