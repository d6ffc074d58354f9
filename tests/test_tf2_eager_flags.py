"""``--to tf2`` host APIs (migrate/tf2_eager/host_apis.py): tf.app.flags / tf.logging -> absl, ConfigProto ->
tf.config, static ``shape[i].value`` -> ints.

Fast tests convert only. The slow ones (``DLMIGRATE_TF2_CORPUS=1``, as ``make verify`` sets) validate the corpus
program in both modes and run a conversion as a script with command-line flags.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tf2_eager_support import validate_on_keras3

from migrate.convert import convert_text
from migrate.model import Safety
from migrate.rules import load_rules, rulesets_for_target

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = ROOT / "corpus" / "tf1_eager" / "flags_logging_config.py"
APPLY = frozenset({Safety.SAFE, Safety.REVIEW})
RULES = load_rules(rulesets_for_target("tf2"))
EAGER_RULES = load_rules(rulesets_for_target("tf2"), ignore=["TF4003"])
WHOLE = bool(os.environ.get("DLMIGRATE_TF2_CORPUS"))


def convert(text: str, rules=RULES):
    return convert_text(text, rules, APPLY, "program.py")


def codes(findings) -> set[str]:
    return {f.code for f in findings}


def blocked(findings) -> str:
    messages = [f.message for f in findings if f.code == "TF4002"]
    assert len(messages) == 1, [f"{f.code} {f.message}" for f in findings]
    return messages[0]


BASE = '''
import numpy as np
import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 2])
w = tf.Variable(tf.ones([2, 1]), name="w")
y = tf.matmul(x, w)
{extra}
with tf.Session({session}) as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(y, {{x: np.ones((1, 2), np.float32)}}).tolist())
{after}
'''


def program(extra: str = "", session: str = "", after: str = "") -> str:
    return BASE.format(extra=extra, session=session, after=after)


def test_corpus_program_converts_fully_to_absl_and_tf_config():
    code, findings = convert(PROGRAM.read_text(encoding="utf-8"))
    assert "TF4001" in codes(findings) and "TF4002" not in codes(findings)
    body = ast.unparse(ast.Module(ast.parse(code).body[1:], []))  # the docstring aside
    assert "compat" not in body and "ConfigProto" not in body and ".value" not in body
    assert "from absl import flags\n" in code and "from absl import logging\n" in code
    # the same flag names, defaults and help
    assert 'flags.DEFINE_integer("steps", 12, "Training steps.")' in code
    assert 'flags.DEFINE_boolean("verbose", False, "Log every step.")' in code
    tree = ast.parse(code)
    top = [ast.unparse(s) for s in tree.body]
    # argv parsed right after the last DEFINE, before the first flag read (TF1 parsed it at that read)
    parse = top.index("flags.FLAGS(sys.argv)")
    assert top[parse - 1].startswith("flags.DEFINE_boolean") and top[parse + 1] == "FLAGS = flags.FLAGS"
    # every option becomes its tf.config call, before any statement that runs an op
    first_op = next(i for i, s in enumerate(top) if "tf.Variable" in s or "tf.random" in s)
    for call in ("tf.config.set_soft_device_placement(True)", "tf.debugging.set_log_device_placement(False)",
                 "tf.config.threading.set_intra_op_parallelism_threads(2)",
                 "tf.config.threading.set_inter_op_parallelism_threads(2)"):
        assert top.index(call) < first_op
    assert "tf.config.experimental.set_memory_growth(gpu, True)" in code
    assert "logging.set_verbosity(logging.INFO)" in code and 'logging.info("step %d", step)' in code
    assert "features = 3\noutputs = 1\n" in code  # placeholder dims: the literals (the placeholders are gone)
    assert "[None, 3]" in code  # x.get_shape().as_list()
    # the compat advice about tf.logging/tf.app/ConfigProto was carried out: not reported again
    assert not [f for f in findings if f.code in ("TF2101", "TF2201")]


def test_second_conversion_changes_nothing():
    code, _ = convert(PROGRAM.read_text(encoding="utf-8"))
    again, _ = convert(code)
    assert again == code


def test_dimension_value_in_graph_code_becomes_the_int_shape():
    """In the generated function, ``w.shape[0]`` and ``y.shape[1]`` are the static ints ``.value`` gave."""
    code, findings = convert(program(extra="z = y * w.get_shape()[0].value + tf.zeros([y.shape[1].value])")
                             .replace("sess.run(y,", "sess.run(z,"))
    assert "TF4001" in codes(findings), [f.message for f in findings]
    assert "    z = y * w.shape[0] + tf.zeros([y.shape[1]])\n" in code


def test_dimension_value_of_a_variable_at_module_level_stays_refused():
    """A module-level statement reading a graph variable (here its static shape) is outside the rewrite."""
    _, findings = convert(program(extra="rows = w.shape[0].value\nprint(rows)"))
    assert "uses TensorFlow outside a Session" in blocked(findings)


def test_inline_config_and_gpu_options():
    code, findings = convert(program(session="config=tf.ConfigProto(log_device_placement=True, "
                                             "gpu_options=tf.GPUOptions(allow_growth=True))"))
    assert "TF4001" in codes(findings)
    assert "tf.debugging.set_log_device_placement(True)\n" in code
    assert "tf.config.experimental.set_memory_growth(gpu, True)" in code and "ConfigProto(" not in code


@pytest.mark.parametrize("extra,session,reason", [
    ("config = tf.ConfigProto(device_count={'GPU': 0})", "config=config", "option `device_count`"),
    ("config = tf.ConfigProto()\nconfig.graph_options.optimizer_options.global_jit_level = 1", "config=config",
     "option `graph_options.optimizer_options.global_jit_level`"),
    ("n = 2\nconfig = tf.ConfigProto(intra_op_parallelism_threads=n)", "config=config", "not a literal"),
    ("config = tf.ConfigProto()\nconfig.gpu_options.per_process_gpu_memory_fraction = 0.5", "config=config",
     "option `gpu_options.per_process_gpu_memory_fraction` has no TF2"),
    ("config = tf.ConfigProto()\nprint(config)", "config=config", "used otherwise"),
    ("", "config=make_config()", "is not a `ConfigProto` the rewrite reads"),
])
def test_config_options_without_a_tf2_equivalent_are_refused(extra, session, reason):
    _, findings = convert(program(extra=extra, session=session))
    assert reason in blocked(findings)
    assert "TF4001" not in codes(findings)


@pytest.mark.parametrize("after,reason", [
    ('tf.logging.fatal("done")', "`tf.logging.fatal` has no absl counterpart"),
    ('tf.logging.vlog(1, "done")', "`tf.logging.vlog`"),
    ("tf.logging.set_verbosity(20)", "level constant"),
])
def test_logging_calls_with_other_meanings_in_absl_are_refused(after, reason):
    _, findings = convert(program(after=after))
    assert reason in blocked(findings)


def test_logging_name_taken_by_the_program_gets_another_spelling():
    code, findings = convert("import logging\n" + program(after='logging.info("py")\ntf.logging.info("tf")'))
    assert "TF4001" in codes(findings)
    assert "from absl import logging as absl_logging\n" in code
    assert 'logging.info("py")\nabsl_logging.info("tf")\n' in code


@pytest.mark.parametrize("extra,reason", [
    ('FLAGS = tf.app.flags.FLAGS\nprint(FLAGS.a)\ntf.app.flags.DEFINE_integer("b", 1, "")',
     "read before the last `DEFINE_*`"),
    ('FLAGS = tf.app.flags.FLAGS\ndef define():\n    tf.app.flags.DEFINE_integer("b", 1, "")\nprint(FLAGS.b)',
     "inside another statement"),
])
def test_flag_parses_at_another_point_are_refused(extra, reason):
    _, findings = convert(program(extra='tf.app.flags.DEFINE_integer("a", 1, "")\n' + extra))
    assert reason in blocked(findings)


APP_RUN = '''
import tensorflow as tf
flags = tf.app.flags
flags.DEFINE_float("scale", 2.0, "Scale.")
FLAGS = flags.FLAGS
x = tf.placeholder(tf.float32, [None])
w = tf.Variable(1.0, name="w")
y = x * w
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    result = sess.run(y, feed_dict={x: [1.0, 2.0]})


def main(_):
    print([v * FLAGS.scale for v in result.tolist()])


if __name__ == "__main__":
    tf.app.run()
'''


def test_app_run_keeps_tf1s_tolerant_flags_parser():
    code, findings = convert(APP_RUN)
    assert "TF4001" in codes(findings)
    assert "from absl import app\n" in code
    assert "app.run(main, flags_parser=lambda argv: flags.FLAGS(argv, known_only=True))" in code
    assert "flags.FLAGS(sys.argv)" not in code  # app.run parses them


@pytest.mark.slow
@pytest.mark.skipif(not WHOLE, reason="set DLMIGRATE_TF2_CORPUS=1 (make verify) to validate")
@pytest.mark.parametrize("rules", [RULES, EAGER_RULES], ids=["tf-function", "eager"])
def test_corpus_program_validates(tmp_path, rules):
    code, _ = convert(PROGRAM.read_text(encoding="utf-8"), rules)
    rewritten = tmp_path / PROGRAM.name
    rewritten.write_text(code, encoding="utf-8")
    result = validate_on_keras3(PROGRAM, rewritten)
    assert result.verdict.value == "PASS", result.message


@pytest.mark.slow
@pytest.mark.skipif(not WHOLE, reason="set DLMIGRATE_TF2_CORPUS=1 (make verify) to run")
def test_converted_program_reads_command_line_flags(tmp_path):
    code, _ = convert(PROGRAM.read_text(encoding="utf-8"))
    script = tmp_path / "program.py"
    script.write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    done = subprocess.run([sys.executable, str(script), "--steps=4", "--tag=cli"], capture_output=True, text=True,
                          env=env, check=False, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "shape 3 1 [None, 3]"
    assert lines[1].split()[:3] == ["cli", "step", "3"]  # --steps=4: one report
    assert len(lines) == 3 and lines[2].startswith("cli w [")
