"""Programs that misbehave get a clear verdict, never a hang or a tool traceback.

These sides import only numpy, so each subprocess takes well under a second;
the pairs run concurrently from one fixture.
"""
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from migrate.validate.pipeline import ValidateOptions, validate_pair
from migrate.validate.results import Verdict
from migrate.validate.runner import Limits

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
REFERENCE = FIXTURES / "np_model.py"
CASES = {
    "same": ("np_model.py", "np_model.py"),
    "changed": ("np_model.py", "np_model_changed.py"),
    "crash": ("np_model.py", "crash.py"),
    "hang": ("np_model.py", "hang.py"),
    "chatty": ("chatty.py", "chatty.py"),
    "exits": ("exits.py", "exits.py"),
    "forks": ("forks.py", "forks.py"),
    "nan": ("nan_a.py", "nan_b.py"),
    "nan_same": ("nan_a.py", "nan_a.py"),
    "stdin": ("reads_stdin.py", "reads_stdin.py"),
    "observe": ("observe_a.py", "observe_b.py"),
    "counts": ("np_model.py", "nan_a.py"),
    "executor_imports": ("imports_probe.py", "imports_probe.py"),
    "memory": ("np_model.py", "hog.py"),
    "hard_exit": ("np_model.py", "hard_exit.py"),
    "thread": ("leaves_thread.py", "leaves_thread.py"),
}


ENTRY_CASES = {
    "entry": ("np_lib.py", "affine", "x:float32[3,2];y:int64[5]"),
    "entry_missing": ("np_lib.py", "no_such_function", "x:float32[3]"),
}


@pytest.fixture(scope="module")
def results():
    options = ValidateOptions(limits=Limits(timeout_s=4.0, memory_bytes=2 * 2**30))
    items = list(CASES.items()) + [(name, (program, program, entry, spec))
                                   for name, (program, entry, spec) in ENTRY_CASES.items()]

    def run(item):
        name, (a, b, *entry) = item
        started = time.perf_counter()
        side_options = replace(options, entry=entry[0], inputs=entry[1]) if entry else options
        result = validate_pair(FIXTURES / a, FIXTURES / b, side_options)
        return name, (result, time.perf_counter() - started)

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(pool.map(run, items))


def test_agreeing_pair_passes(results):
    result, _ = results["same"]
    assert result.verdict is Verdict.PASS, result.message
    assert {o.name for o in result.outputs} == {"SCALE", "inputs", "weights", "logits", "total"}


def test_one_changed_constant_fails_with_the_right_max_error(results):
    result, _ = results["changed"]
    assert result.verdict is Verdict.MISMATCH
    by_name = {o.name: o for o in result.outputs}
    assert by_name["SCALE"].max_abs_error == pytest.approx(0.5)
    # logits scale by 2.5/2.0: the largest error is a quarter of the largest |logit| at SCALE 2.0
    import numpy as np

    inputs = np.linspace(-1.0, 1.0, 12, dtype=np.float32).reshape(3, 4)
    logits = inputs @ (np.arange(8, dtype=np.float32).reshape(4, 2) / 10) * 2.0
    assert by_name["logits"].max_abs_error == pytest.approx(float(np.abs(logits).max()) * 0.25, rel=1e-5)
    assert by_name["logits"].max_rel_error == pytest.approx(0.25, rel=1e-5)
    assert by_name["inputs"].verdict is Verdict.PASS


def test_crash_is_an_error_with_the_traceback_tail(results):
    result, _ = results["crash"]
    assert result.verdict is Verdict.ERROR
    assert "rewritten side failed: ZeroDivisionError: deliberate failure" in result.message
    assert "crash.py" in result.rewritten.traceback_tail
    assert "executor.py" not in result.rewritten.traceback_tail


def test_hang_is_a_timeout(results):
    result, seconds = results["hang"]
    assert result.verdict is Verdict.TIMEOUT and "4 s" in result.message
    assert seconds < 30


def test_megabytes_of_output_do_not_block(results):
    result, _ = results["chatty"]
    assert result.verdict is Verdict.PASS
    assert result.original.stderr_tail == "" or len(result.original.stderr_tail) < 5000


def test_sys_exit_with_non_zero_code_is_reported(results):
    result, _ = results["exits"]
    assert result.verdict is Verdict.ERROR and "sys.exit(3)" in result.message


def test_forked_children_are_killed_and_do_not_write_results(results):
    result, _ = results["forks"]
    assert result.verdict is Verdict.PASS, result.message
    leftover = subprocess.run(["pgrep", "-f", str(FIXTURES / "forks.py")], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""


def test_nan_must_sit_at_the_same_place(results):
    assert results["nan_same"][0].verdict is Verdict.PASS
    result, _ = results["nan"]
    assert result.verdict is Verdict.MISMATCH
    assert result.outputs[0].mismatch_share == pytest.approx(0.25)


def test_program_reading_stdin_gets_eof(results):
    result, _ = results["stdin"]
    assert result.verdict is Verdict.ERROR and "reads standard input" in result.message


def test_observe_marker_compares_named_values_only(results):
    result, _ = results["observe"]
    assert result.verdict is Verdict.PASS and result.compared == "observe"
    assert [o.name for o in result.outputs] == ["observe:activation"]


def test_programs_with_nothing_in_common_are_an_error_naming_the_outputs(results):
    result, _ = results["counts"]
    assert result.verdict is Verdict.ERROR and "nothing to compare" in result.message
    assert "logits (original)" not in result.message and "logits" in result.message and "values" in result.message


def test_executor_imports_no_tool_modules(results):
    result, _ = results["executor_imports"]
    assert result.verdict is Verdict.PASS
    assert result.outputs[0].name == "observe:tool_module_count"
    assert result.outputs[0].max_abs_error == 0


def test_leftover_non_daemon_thread_does_not_hang(results):
    result, seconds = results["thread"]
    assert result.verdict is Verdict.PASS, result.message
    assert seconds < 4.0 + 10


def test_entry_function_gets_identical_seeded_inputs(results):
    result, _ = results["entry"]
    assert result.verdict is Verdict.PASS, result.message
    assert [o.name for o in result.outputs] == ["input:x", "input:y", "return[0]", "return[1]"]
    assert result.outputs[0].original_shape == (3, 2) and result.outputs[1].original_dtype == "int64"


def test_missing_entry_function_is_an_error(results):
    result, _ = results["entry_missing"]
    assert result.verdict is Verdict.ERROR
    assert "entry function 'no_such_function' not found" in result.message


def test_memory_cap_is_reported(results):
    result, _ = results["memory"]
    assert result.verdict is Verdict.ERROR
    assert "MemoryError" in result.message and "memory cap 2 GiB" in result.message


def test_exit_without_reporting_is_a_crash(results):
    result, _ = results["hard_exit"]
    assert result.verdict is Verdict.ERROR and result.rewritten.status == "crashed"
    assert "without reporting results" in result.message


def test_executor_runs_as_a_standalone_copy(tmp_path):
    """The executor file alone (copied away from the package) runs a program and records it."""
    import shutil

    copy = tmp_path / "executor.py"
    shutil.copy(Path(__file__).parent.parent / "migrate" / "validate" / "executor.py", copy)
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH="")
    subprocess.run([sys.executable, "-I", str(copy), "--program", str(FIXTURES / "imports_probe.py"),
                    "--out", str(out)], check=True, env=env, cwd=tmp_path, capture_output=True, timeout=60)
    import json

    import numpy as np

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "ok"
    (entry,) = [o for o in manifest["outputs"] if o["kind"] == "observe"]
    with np.load(out / "outputs.npz") as data:
        assert int(data[entry["key"]]) == 0
