"""Issue 7 for ``--to torch``: TT1001 (the TF->torch op table) and TT1002 (training loops) decide on the ``ast``.

* ``CallMap.match`` decides every TF call, tensor method and ``tf.function(fn)`` the libcst pass meets;
  ``TrainingLoop.match`` every ``tf.Variable``, Keras optimizer, tape, ``tape.gradient``, variable method
  and ``apply_gradients`` line.  ``lint`` reports those matches and ``convert`` reports the same findings
  (code, place, safety, severity, fixed) from the pass, which renders with the rewritten argument texts.
* The modules of the ``--to torch`` rules import without libcst, and ``lint --to torch`` over every file
  where no rule without ``match`` applies (the Keras models still decide on the libcst tree) runs with
  libcst unimportable.
"""
from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from probe_support import NO_LIBCST, lint_probe, told

from migrate.engine import transform_source
from migrate.lint import CONVERT_APPLY, check_module
from migrate.model import Safety
from migrate.resolve import scan_source
from migrate.rules import load_rules, rulesets_for_target

ROOT = Path(__file__).resolve().parent.parent

CASES = {
    "nested-messages": "import tensorflow as tf\na = tf.nn.relu(tf.matmul(x, w) + b)\n"
                       "c = tf.reduce_mean(tf.nn.softmax(x) * tf.math.log(y), axis=1)\n",
    "nested-and-parenthesized": "import tensorflow as tf\na = tf.reduce_sum((tf.abs(x)))\n"
                                "b = tf.reduce_sum(tf.keras.activations.linear(x))\nc = tf.reduce_sum((x), axis=(1))\n",
    "methods": "import numpy as np\nimport tensorflow as tf\nx = tf.constant(np.ones(3, dtype=np.float32))\n"
               "s = tf.reduce_sum(x)\nprint(tf.abs(x).numpy(), s.numpy(), x.get_shape().as_list(), x.shape.num_elements())\n"
               "print((tf.abs(x)).numpy(), tf.zeros_like(x).set_shape([3]), x.numpy(1))\n",
    "unprovable-receivers": "import tensorflow as tf\n\ndef f(t):\n    return t.numpy() + tf.abs(t).numpy()\n\n"
                            "for v in tf.unstack(tf.ones([2, 2])):\n    print(v.numpy())\n"
                            "s = tf.reduce_sum(s.numpy())\n",
    "unmapped": "import tensorflow as tf\na = tf.reduce_sum(*xs)\nb = tf.not_a_real_op(x)\n"
                "c = tf.image.resize(x, [4, 6], method='bicubic')  # keep\n",
    "function-and-non-ascii": "import tensorflow as tf\n\ndef f(t):\n    return t\n\ng = tf.function(f)\n"
                              "h = tf.function(f, jit_compile=True)\ns = 'é'; y = tf.reduce_mean(x).numpy()\n",
    "comments-in-arguments": "import tensorflow as tf\ny = tf.reduce_sum(  # sum\n    x,  # the input\n    axis=(0),\n)\n",
    "function-scope-import": "def go(x):\n    import tensorflow as tf\n    y = tf.abs(x)\n"
                             "    return tf.reduce_max(y, axis=-1).numpy(), y.numpy()\n",
}


TRAINING = {
    "loop": "import numpy as np\nimport tensorflow as tf\n\nw = tf.Variable(np.ones(2, np.float32))\n"
            "n = tf.Variable(0)\nparams = [w]\nopt = tf.keras.optimizers.SGD(learning_rate=tf.constant(0.1))\n"
            "for _ in range(2):\n    with tf.GradientTape() as tape:\n        loss = tf.reduce_sum(w * w)\n"
            "    grads = tape.gradient(loss, params)\n    opt.apply_gradients(zip(grads, params))  # step\n"
            "    n.assign_add(1)\nprint(w.numpy(), n.numpy())\n",
    "kept": "import tensorflow as tf\n\nw = tf.Variable(1.0, dtype=tf.float64)\nflag = tf.Variable(True)\n"
            "x = tf.constant(2.0)\nopt = tf.keras.optimizers.RMSprop()\n"
            "with tf.GradientTape() as tape:\n    tape.watch(x)\n    y = x * x\n"
            "g = tape.gradient(y, x)\nopt.apply_gradients(zip([g], [w]))\nw.assign(3.0)\nprint(w.read_value())\n",
    "own-line": "import tensorflow as tf\n\nv = tf.Variable(1.0)\nps = [v]\nopt = tf.keras.optimizers.SGD()\n"
                "if True: opt.apply_gradients(zip([v], ps))\nopt.apply_gradients(zip([v], ps)); k = 1\n"
                "with tf.GradientTape() as t: z = v * 2\n",
}


@pytest.fixture(scope="module")
def torch_rules():
    return load_rules(["tf_to_torch"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_lint_tells_what_convert_tells(torch_rules, name):
    text = CASES[name]
    converted = transform_source(text, torch_rules, apply=CONVERT_APPLY, filename=name).findings
    linted = check_module(text, torch_rules, name)
    assert told(linted, spans=True) == told(converted, spans=True)
    assert {f.code for f in converted} == {"TT1001"}


@pytest.mark.parametrize("name", sorted(TRAINING))
def test_lint_tells_what_convert_tells_on_training_loops(torch_rules, name):
    text = TRAINING[name]
    converted = transform_source(text, torch_rules, apply=CONVERT_APPLY, filename=name).findings
    assert "TT1002" in {f.code for f in converted}
    assert told(check_module(text, torch_rules, name), spans=True) == told(converted, spans=True)
    for apply in (frozenset({Safety.SAFE}), CONVERT_APPLY):  # every fix selection builds what it reports
        result = transform_source(text, torch_rules, apply=apply, filename=name)
        compile(result.code, name, "exec")


def test_a_training_loop_becomes_autograd_and_its_counter_an_int32_tensor(torch_rules):
    result = transform_source(TRAINING["loop"], torch_rules, apply=CONVERT_APPLY)
    assert result.code.splitlines()[3:] == [
        "w = torch.nn.Parameter(torch.as_tensor(np.ones(2, np.float32)))",
        "n = torch.tensor(0, dtype=torch.int32)",
        "params = [w]",
        "opt = torch.optim.SGD(params, lr=torch.tensor(0.1), momentum=0.0, nesterov=False)",
        "for _ in range(2):",
        "    loss = torch.sum(w * w)",
        "    grads = torch.autograd.grad(loss, params)",
        "    for grad_, param_ in zip(grads, params):",
        "        param_.grad = grad_",
        "    opt.step()  # step",
        "    n.data.add_(1)",
        "print(w.detach().numpy(), n.detach().numpy())"]
    # the tape's block is reported where it is (it was at 1:1 when the pass had rewritten its body)
    assert ("TT1002", 9, 5) in {(f.code, f.line, f.column) for f in result.findings}
    (optimizer,) = [f for f in result.findings if f.line == 7 and f.code == "TT1002"]
    assert "lr=torch.tensor(0.1)" in optimizer.message  # (its argument as TT1001 rewrote it, lint and convert)


def test_what_a_kept_object_needs_stays_with_it(torch_rules):
    result = transform_source(TRAINING["kept"], torch_rules, apply=CONVERT_APPLY)
    left = {f.line: f.message for f in result.findings if f.code == "TT1002"}
    assert left[3].startswith("left as TensorFlow: tf.Variable with arguments other than")
    assert left[4] == "left as TensorFlow: a boolean variable has no torch.nn.Parameter counterpart"
    assert left[6].startswith("left as TensorFlow: optimizer RMSprop has no proven torch.optim mapping")
    assert left[7].startswith("left as TensorFlow: tape is used other than as tape.gradient")  # (tape.watch)
    assert left[11].startswith("left as TensorFlow: opt stays a Keras optimizer")
    assert left[12].startswith("left as TensorFlow: w stays a tf.Variable") and 13 in left
    assert left[10] == "left as TensorFlow: tape.gradient stays with its tape (tape's block stays)"
    lines = result.code.splitlines()
    assert lines[7:11] == ["with tf.GradientTape() as tape:", "    tape.watch(x)", "    y = x * x",
                           "g = tape.gradient(y, x)  # dlmigrate: TODO(TT1002) tape.gradient stays with its tape "
                           "(tape's block stays)"]
    assert lines[11].startswith("opt.apply_gradients(zip([g], [w]))  # dlmigrate: TODO(TT1002) opt stays")
    assert lines[12].startswith("w.assign(3.0)  # dlmigrate: TODO(TT1002) w stays a tf.Variable")


def test_an_apply_gradients_line_that_cannot_become_a_loop_is_left_with_a_finding(torch_rules):
    result = transform_source(TRAINING["own-line"], torch_rules, apply=CONVERT_APPLY)
    left = {(f.line, f.message) for f in result.findings if f.code == "TT1002" and not f.fixed}
    assert {line for line, message in left if "shares its line" in message} == {6, 7}
    assert "with tf.GradientTape() as t: z = v * 2" in result.code  # (no block to unwrap)
    assert (8, "left as TensorFlow: the block is written on the with line; it stays") in left


def test_a_persistent_tape_and_its_gradients_stay(torch_rules):
    source = ("import tensorflow as tf\n\nw = tf.Variable(1.0)\nwith tf.GradientTape(persistent=True) as tape:\n"
              "    y = w * w\n    z = y * y\ndy = tape.gradient(y, w)\ndz = tape.gradient(z, w)\n")
    result = transform_source(source, torch_rules, apply=CONVERT_APPLY)
    assert "dy = tape.gradient(y, w)" in result.code and "dz = tape.gradient(z, w)" in result.code
    left = {f.line: f.message for f in result.findings if f.code == "TT1002" and not f.fixed}
    assert left[4].startswith("left as TensorFlow: a GradientTape with arguments") and {7, 8} <= set(left)
    assert told(check_module(source, torch_rules), spans=True) == told(result.findings, spans=True)


def test_under_safe_only_no_review_rewrite_of_a_training_loop_is_applied(torch_rules):
    safe = transform_source(TRAINING["loop"], torch_rules, apply=frozenset({Safety.SAFE}))
    assert "tape.gradient(loss, params)" in safe.code and "opt.apply_gradients" in safe.code
    assert "w.numpy()" in safe.code and "n.assign_add(1)" in safe.code
    assert not any(f.fixed for f in safe.findings if f.code == "TT1002")


def test_tt1001_matches_on_the_ast(torch_rules):
    (custom,) = [c for c in torch_rules.transforms() if c.code == "TT1001"]
    assert custom.has_match()
    scan = scan_source(CASES["methods"])
    matches = custom.matches(scan)
    by_place = {(m.line, m.column): m for m in matches}
    assert by_place[(1, 1)].message == "conversion rate: 5 of 5 TensorFlow calls converted (100%)"
    # a method call and the converted call it is made on start at the same place: both are decided
    assert sum(1 for m in matches if (m.line, m.column) == (5, 7)) == 2
    todo = [m for m in matches if not m.fixable and m.line == 6]
    assert sorted(m.message for m in todo) == [
        "left as it was: .numpy() with arguments has no torch counterpart",
        "left as it was: tensor method .set_shape() has no torch counterpart"]


def test_a_nested_rewrite_is_read_as_the_pass_reads_it(torch_rules):
    # ``linear(x)`` becomes ``x``, a plain name, so reduce_sum takes its ``name`` variant (``dtype=x.dtype``);
    # the parenthesized name keeps its parentheses in the text the variant is chosen on (``(x)`` is no name)
    source = CASES["nested-and-parenthesized"]
    result = transform_source(source, torch_rules, apply=CONVERT_APPLY)
    assert result.code.splitlines()[1:] == ["a = torch.sum(torch.abs(x))", "b = torch.sum(x, dtype=x.dtype)",
                                            "c = torch.sum((x), dim=(1))"]
    assert told(check_module(source, torch_rules), spans=True) == told(result.findings, spans=True)


def test_a_review_fix_not_applied_is_reported_and_its_methods_left(torch_rules):
    source = "import tensorflow as tf\ns = tf.reduce_sum(x + 1)\nprint(s.numpy())\n"  # (not a name: REVIEW)
    safe = transform_source(source, torch_rules, apply=frozenset({Safety.SAFE}))
    assert safe.code == source.replace("print(s.numpy())", "print(s.numpy())  # dlmigrate: TODO(TT1001) .numpy() on "
                                       "a value not provably a tensor made by a converted call")
    seen = {(f.line, f.safety, f.fixed) for f in safe.findings}
    assert (2, Safety.REVIEW, False) in seen and (3, Safety.NONE, False) in seen
    assert "conversion rate: 0 of 1" in safe.findings[0].message


PROBE = NO_LIBCST + r'''
import importlib, json, sys

for module in json.load(sys.stdin):
    importlib.import_module(module)
print(json.dumps(any(m == "libcst" or m.startswith("libcst.") for m in sys.modules)))
'''


def test_the_torch_rule_modules_import_without_libcst():
    full = load_rules(rulesets_for_target("torch"))
    modules = sorted({type(c).__module__ for c in full.transforms()} | {"migrate.tf_to_torch.decide"})
    assert "migrate.tf_to_torch.call_map" in modules and "migrate.keras_to_torch.transforms" in modules
    result = subprocess.run([sys.executable, "-c", PROBE], check=False, input=json.dumps(modules), capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) is False


FULL_PROBE = lint_probe("torch")


def _decided_on_the_ast(rules, path: Path) -> bool:
    """No rule without ``match`` applies to the file (those still send lint to the libcst engine)."""
    scan = scan_source(path.read_text(encoding="utf-8"), str(path))
    customs = rules.transforms()
    if any(not c.has_match() and c.applies(scan) for c in customs):
        return False
    return all(c.matches(scan) is not None for c in customs if c.has_match() and c.applies(scan))


def test_lint_to_torch_never_imports_libcst(tmp_path):
    rules = load_rules(rulesets_for_target("torch"))
    (tt1001,) = [r for code, r in rules.rules.items() if code == "TT1001"]
    for n, example in enumerate(tt1001.examples, 1):
        (tmp_path / f"TT1001_example{n}.py").write_text(example.before, encoding="utf-8")
    for name, text in CASES.items():
        (tmp_path / f"{name}.py").write_text(text, encoding="utf-8")
    candidates = sorted(tmp_path.glob("*.py")) + sorted((ROOT / "corpus" / "tf2_ops").glob("*.py")) \
        + sorted((ROOT / "corpus" / "keras").glob("*.py"))
    paths = [p for p in candidates if _decided_on_the_ast(rules, p)]
    # every rule of the target decides on the ast now (the training loops and the Keras model rules too)
    assert paths == candidates, sorted(set(map(str, candidates)) - set(map(str, paths)))
    assert len([p for p in paths if "corpus" in p.parts]) >= 57
    result = subprocess.run([sys.executable, "-c", FULL_PROBE], check=False, input=json.dumps(list(map(str, paths))),
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    probe = json.loads(result.stdout.splitlines()[-1])
    assert probe["libcst"] == [], probe["libcst"]
    assert probe["code"] in (0, 1), (probe["code"], probe["stderr"][-3000:])
    assert "internal error" not in probe["stdout"] + probe["stderr"], probe["stderr"][-3000:]
    findings = json.loads(probe["stdout"])
    linted = {Path(f["path"]).resolve() for f in findings}
    assert {p.resolve() for p in paths} <= linted


# -- the whole op table: every entry's examples, plain, nested, parenthesized and under tensor methods

@functools.lru_cache(maxsize=1)
def _table_modules(chunk: int = 20) -> list[str]:
    from migrate.tf_to_torch.table import load_table

    lines = []
    for name, entry in sorted(load_table().items()):
        for n, call in enumerate(ex["call"] for ex in entry.get("examples", []) if "call" in ex):
            lines.append([f"r{n} = {call}", f"s{n} = tf.reduce_sum({call}, axis=0)", f"m{n} = tf.identity(({call}))",
                          f"print(r{n}.numpy(), r{n}.shape.as_list(), s{n}.get_shape())"])
    header = "import numpy as np\nimport tensorflow as tf\n\n"
    return [header + "\n".join(line for group in lines[i:i + chunk] for line in group) + "\n"
            for i in range(0, len(lines), chunk)]


_TABLE_SAMPLE = (0, 29, 108)  # the normal run's sample (29: a parenthesized template nested; 108: while_loop)


@pytest.mark.parametrize("index", [pytest.param(i, marks=() if i in _TABLE_SAMPLE else (
    pytest.mark.slow, pytest.mark.verify, pytest.mark.skipif(os.environ.get("DLMIGRATE_VERIFY") != "1",
                                                             reason="the whole table in `make verify`")))
    for i in range(len(_table_modules()))])
def test_lint_tells_what_convert_tells_over_the_op_table(torch_rules, index):
    text = _table_modules()[index]
    converted = transform_source(text, torch_rules, apply=CONVERT_APPLY).findings
    assert len(converted) > 20
    assert told(check_module(text, torch_rules), spans=True) == told(converted, spans=True)


# -- the Keras model rules: decided on the file as written, applied to the module the op rules rewrote

_TORCH_CORPORA = sorted((ROOT / "corpus" / "tf2_ops").glob("*.py")) + sorted((ROOT / "corpus" / "keras").glob("*.py"))


@functools.cache
def _target_rules():
    return load_rules(rulesets_for_target("torch"))


@pytest.mark.parametrize("path", _TORCH_CORPORA, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_lint_tells_what_convert_tells_on_the_torch_target_corpora(path):
    source = path.read_text(encoding="utf-8")
    converted = transform_source(source, _target_rules(), apply=CONVERT_APPLY, filename=str(path)).findings
    assert told(check_module(source, _target_rules(), str(path)), spans=True) == told(converted, spans=True)


def test_a_keras_tape_step_is_left_to_the_keras_rules():
    from migrate.keras_to_torch.core import convert_source

    source = (ROOT / "corpus" / "keras" / "custom_loop.py").read_text(encoding="utf-8")
    result = transform_source(source, _target_rules(), apply=CONVERT_APPLY)
    assert result.code == convert_source(source).code  # (TT1001/TT1002 left the step and its optimizer alone)
    assert "loss.backward()" in result.code and "TODO" not in result.code
    assert ("TT2001", 13, 5) in {(f.code, f.line, f.column) for f in result.findings}  # the with statement


def test_the_keras_conversion_is_not_applied_when_it_decides_otherwise_on_the_rewritten_module(monkeypatch):
    from migrate.keras_to_torch import transforms
    from migrate.keras_to_torch.core import convert_source

    source = (ROOT / "corpus" / "keras" / "custom_loop.py").read_text(encoding="utf-8")

    calls = []

    def differently(text):
        calls.append(text)
        result = convert_source(text)
        if len(calls) > 1:  # (the run on the rewritten module, after the one on the file as written)
            result.issues.pop()
        return result

    monkeypatch.setattr(transforms, "convert_source", differently)
    result = transform_source(source, _target_rules(), apply=CONVERT_APPLY)
    assert "class Net" not in result.code and "keras.Sequential" in result.code
    keras = [f for f in result.findings if f.code.startswith("TT20")]
    assert not any(f.fixed for f in keras)
    assert any(f.code == "TT2002" and "was not applied" in f.message for f in keras)
    assert len(calls) == 2


def test_an_apply_gradients_line_marked_by_the_op_rule_is_still_rewritten(torch_rules):
    # TT1001 marks the line (an op without a table entry); TT1002's statement hook gets the marked line after it
    source = ("import tensorflow as tf\n\nw = tf.Variable(1.0)\nparams = [w]\nopt = tf.keras.optimizers.SGD()\n"
              "with tf.GradientTape() as tape:\n    loss = w * w\ngrads = tape.gradient(loss, params)\n"
              "opt.apply_gradients(zip(tf.not_a_real_op(grads), params))\n")
    result = transform_source(source, torch_rules, apply=CONVERT_APPLY)
    assert result.code.splitlines()[-3:] == [
        "for grad_, param_ in zip(tf.not_a_real_op(grads), params):",
        "    param_.grad = grad_",
        "opt.step()  # dlmigrate: TODO(TT1001) tf.not_a_real_op has no entry in the TF->torch table"]
    assert told(check_module(source, torch_rules), spans=True) == told(result.findings, spans=True)


def test_the_rate_counts_a_decided_rewrite_the_pass_could_not_build(torch_rules, monkeypatch):
    from migrate.tf_to_torch import call_map
    from migrate.tf_to_torch.table import Unmapped

    source = "import tensorflow as tf\na = tf.abs(x)\nb = tf.reduce_sum(y)\n"
    decided = transform_source(source, torch_rules, apply=CONVERT_APPLY)
    assert "conversion rate: 2 of 2" in decided.findings[0].message

    def refuse(template, bound, entry):
        raise Unmapped("the rewritten argument cannot be taken")

    monkeypatch.setattr(call_map, "fill", refuse)  # (the pass's rendering only: the decision has its own)
    result = transform_source(source, torch_rules, apply=CONVERT_APPLY)
    todo = "  # dlmigrate: TODO(TT1001) the rewritten argument cannot be taken"
    assert result.code.splitlines()[1:] == ["a = tf.abs(x)" + todo, "b = tf.reduce_sum(y)" + todo]
    assert [f.message for f in result.findings if f.line == 1] == [
        "conversion rate: 0 of 2 TensorFlow calls converted (0%)"]
