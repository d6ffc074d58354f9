"""``--to tf2`` host-side TensorFlow around a graph program: a module-level try/finally, Savers -> Checkpoints,
v1 summaries -> a create_file_writer writing the same summaries, graphs separated by reset_default_graph().

Fast tests convert only. The ``slow`` one runs originals and conversions (validator, both tf.function modes)
and compares what the programs print.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from migrate.convert import convert_text
from migrate.model import Safety
from migrate.rules import load_rules, rulesets_for_target

ROOT = Path(__file__).resolve().parent.parent
APPLY = frozenset({Safety.SAFE, Safety.REVIEW})
RULES = load_rules(rulesets_for_target("tf2"))
EAGER_RULES = load_rules(rulesets_for_target("tf2"), ignore=["TF4003"])
PROGRAMS = ["tf1/saver_restore.py", "tf1/summaries.py", "tf1_eager/saver_round_trip.py",
            "tf1_eager/summaries_read_back.py"]


def convert(text: str, rules=RULES):
    code, findings = convert_text(text, rules, APPLY, "program.py")
    return code, findings


def blocked(findings) -> str:
    messages = [f.message for f in findings if f.code == "TF4002"]
    assert len(messages) == 1, [f"{f.code} {f.message}" for f in findings]
    return messages[0]


SUMMARY_PROGRAM = '''
import tensorflow as tf
x = tf.placeholder(tf.float32, [None])
w = tf.Variable(0.0, name="w")
loss = tf.reduce_mean(tf.square(x * w - x))
with tf.name_scope("metrics"):
    tf.summary.scalar("loss", loss)
    tf.summary.scalar("loss", loss)
tf.summary.scalar("w", w)
merged = tf.summary.merge_all()
with tf.Session() as sess:
    writer = tf.summary.FileWriter("logs", sess.graph)
    sess.run(tf.global_variables_initializer())
    writer.add_summary(sess.run(merged, feed_dict={x: [1.0]}), 0)
    writer.close()
'''


def test_summaries_keep_the_tags_v1_logged():
    code, findings = convert(SUMMARY_PROGRAM)
    assert "TF4001" in {f.code for f in findings} and "TF4006" in {f.code for f in findings}
    # a name scope prefixes the tag; a repeated name and a name already given to an op get _1
    assert "ScalarSummary(tags='metrics/loss'" in code and "ScalarSummary(tags='metrics/loss_1'" in code
    assert "ScalarSummary(tags='w_1'" in code
    assert "writer = tf.summary.create_file_writer('logs')" in code
    assert "with writer.as_default():\n    tf.summary.experimental.write_raw_pb(" in code
    assert "compat" not in code and "Session" not in code


@pytest.mark.parametrize("change,reason", [
    ('tf.summary.scalar("w", w)', "`tf.summary.image` (v1) is not converted"),
    ('tf.summary.scalar("w", w)', "may collide with a default op name"),
    ('writer.add_summary(sess.run(merged, feed_dict={x: [1.0]}), 0)', "without a step"),
    ("writer.close()", "`writer.add_graph`"),
    ('tf.summary.scalar("w", w)', "a summary of a random op written in the summary call"),
])
def test_summary_constructs_outside_the_rewrite_are_refused_with_the_reason(change, reason):
    replacement = {
        "`tf.summary.image` (v1) is not converted": 'tf.summary.image("w", tf.zeros([1, 2, 2, 1]))',
        "may collide with a default op name": 'tf.summary.scalar("Mean", w)',
        "without a step": 'writer.add_summary(sess.run(merged, feed_dict={x: [1.0]}))',
        "`writer.add_graph`": "writer.add_graph(sess.graph)",
        "a summary of a random op written in the summary call": 'tf.summary.histogram("noise", tf.random_normal([3]))',
    }[reason]
    code, findings = convert(SUMMARY_PROGRAM.replace(change, replacement))
    assert reason in blocked(findings)


SAVER_PROGRAM = '''
import os
import tensorflow as tf
a = tf.Variable(tf.zeros([2]), name="a")
loss = tf.reduce_sum(tf.square(a - 1.0))
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train)
    path = saver.save(sess, os.path.join("ckpt", "model"), global_step=1)
    saver.restore(sess, path)
    print(sess.run(a))
'''


def test_saver_becomes_a_checkpoint_with_the_same_keys_and_a_note_on_old_checkpoints():
    code, findings = convert(SAVER_PROGRAM)
    assert "saver = tf.train.Checkpoint(a=a)" in code
    assert "CheckpointManager(saver, 'ckpt', max_to_keep=5, checkpoint_name='model').save(checkpoint_number=1)" in code
    assert "saver.restore(path).assert_existing_objects_matched()" in code
    note = next(f.message for f in findings if f.code == "TF4005")
    assert "old name-based checkpoints" in note and 'tf.train.load_checkpoint(path).get_tensor("a")' in note


@pytest.mark.parametrize("old,new,reason", [
    ("GradientDescentOptimizer(0.1)", "AdamOptimizer(0.1)", "`Saver()` after `AdamOptimizer`"),
    ('name="a")', ")", "without a literal `name=`"),
    ("tf.train.Saver()", "tf.train.Saver(sharded=True)", "options other than"),
    ("saver.restore(sess, path)", "saver.export_meta_graph('x')", "`save(sess, ...)` and `restore(sess, ...)`"),
])
def test_savers_outside_the_rewrite_are_refused_with_the_reason(old, new, reason):
    _, findings = convert(SAVER_PROGRAM.replace(old, new))
    assert reason in blocked(findings)


def test_a_checkpoint_read_by_tensor_name_is_refused():
    program = SAVER_PROGRAM + 'reader = tf.train.NewCheckpointReader(path)\nprint(reader.get_tensor("a"))\n'
    _, findings = convert(program)
    assert "`reader.get_tensor(...)`: the converted Saver writes object-based checkpoints" in blocked(findings)


def test_a_try_finally_around_the_program_is_kept_and_functions_go_before_it():
    program = "import shutil\n" + SAVER_PROGRAM.replace("\n", "\n    ").replace("    import", "import").replace(
        "    a = tf", "try:\n    a = tf").rstrip() + "\nfinally:\n    shutil.rmtree('ckpt')\n"
    code, findings = convert(program)
    assert "TF4001" in {f.code for f in findings}, [f.message for f in findings]
    assert code.index("def train_step") < code.index("try:") < code.index("finally:\n    shutil.rmtree('ckpt')")
    assert "\n    saver = tf.train.Checkpoint(a=a)\n" in code


def test_a_try_with_except_is_not_unwrapped():
    program = "import shutil\n" + SAVER_PROGRAM.replace("\n", "\n    ").replace("    import", "import").replace(
        "    a = tf", "try:\n    a = tf").rstrip() + "\nexcept OSError:\n    pass\n"
    _, findings = convert(program)
    assert "a module-level `Try` statement uses TensorFlow" in blocked(findings)


def test_a_graph_object_used_after_reset_default_graph_is_refused():
    program = SAVER_PROGRAM + "tf.reset_default_graph()\nb = tf.Variable(a, name='b')\n" \
        "with tf.Session() as sess:\n    print(sess.run(b))\n"
    _, findings = convert(program)
    assert "`a`, an object of the graph reset before, is used in the next graph" in blocked(findings)


def test_scan_program_does_not_take_tf_train_checkpoint_for_tf1():
    from migrate.validate.executor import is_tf1_program, scan_program

    tf2 = "import tensorflow as tf\nckpt = tf.train.Checkpoint()\nm = tf.train.CheckpointManager(ckpt, 'd', 1)\n"
    tf1 = "import tensorflow as tf\nopt = tf.train.AdamOptimizer(0.1)\n"
    assert not is_tf1_program(scan_program(tf2))
    assert is_tf1_program(scan_program(tf1))


def test_recorded_summaries_compare_value_by_value():
    tf = pytest.importorskip("tensorflow")
    from migrate.validate.executor import Recorder

    merged = tf.raw_ops.MergeSummary(inputs=[tf.raw_ops.ScalarSummary(tags="w", values=0.0),
                                             tf.raw_ops.HistogramSummary(tag="h", values=[1.0, 2.0])])
    recorder = Recorder()
    recorder.add("session.run", "session.run#0", merged)  # a string tensor ending in NUL bytes (the 0.0)
    names = [o["name"] for o in recorder.outputs]
    assert "session.run#0['w']" in names and "session.run#0['h']['num']" in names
    assert all(o["structure"] == "array" for o in recorder.outputs)


# `make test` validates one program (about 95 s on a busy machine); `make verify` (DLMIGRATE_TF2_CORPUS=1) all four
SAMPLE = "tf1_eager/saver_round_trip.py"
WHOLE = bool(os.environ.get("DLMIGRATE_TF2_CORPUS"))


@pytest.mark.slow
@pytest.mark.parametrize("program", [
    pytest.param(p, marks=() if WHOLE or p == SAMPLE else pytest.mark.skip(
        reason="set DLMIGRATE_TF2_CORPUS=1 (make verify) to validate every program")) for p in PROGRAMS])
def test_converted_programs_validate_and_print_the_same(tmp_path, program):
    from migrate.validate.pipeline import ValidateOptions, validate_pair

    original = ROOT / "corpus" / program
    text = original.read_text(encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    printed = {}
    for mode, rules in (("tf_function", RULES), ("eager", EAGER_RULES)):
        code, findings = convert(text, rules)
        assert "TF4001" in {f.code for f in findings} and "TF4002" not in {f.code for f in findings}
        rewritten = tmp_path / mode / original.name
        rewritten.parent.mkdir()
        rewritten.write_text(code, encoding="utf-8")
        result = validate_pair(original, rewritten, ValidateOptions())
        assert result.verdict.value == "PASS", result.message
        for side, path in (("original", original), (mode, rewritten)):
            run = subprocess.run([sys.executable, str(ROOT / "migrate" / "validate" / "executor.py"), "--program",
                                  str(path), "--out", str(tmp_path / f"{mode}-{side}")], capture_output=True,
                                 text=True, env=env, cwd=tmp_path, timeout=600)
            printed[side] = run.stdout
    assert printed["original"].strip()
    assert printed["tf_function"] == printed["original"] and printed["eager"] == printed["original"]


def test_the_converted_restore_reads_an_old_name_based_checkpoint(tmp_path):
    """What TF4005 promises: ``Checkpoint(key=var).restore(path).assert_existing_objects_matched()`` (the converted
    ``Saver.restore``) reads a checkpoint TF1's Saver wrote, matching variables by name, and refuses a mismatch."""
    tf = pytest.importorskip("tensorflow")
    with tf.Graph().as_default():  # the TF1 program that wrote it (compat here: this is the old side)
        old = tf.compat.v1.Variable([1.5, -2.0], name="weights")
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            path = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=3)
    del old
    weights = tf.Variable(tf.zeros([2]), name="weights")
    tf.train.Checkpoint(weights=weights).restore(path).assert_existing_objects_matched()
    assert weights.numpy().tolist() == [1.5, -2.0]
    renamed = tf.Variable(tf.zeros([2]), name="kernel")
    with pytest.raises(AssertionError):
        tf.train.Checkpoint(weights=renamed).restore(path).assert_existing_objects_matched()
    # the finding's advice for a renamed variable
    renamed.assign(tf.train.load_checkpoint(path).get_tensor("weights"))
    assert renamed.numpy().tolist() == [1.5, -2.0]
