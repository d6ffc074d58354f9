"""Validation with real frameworks: TF1 vs its tf2-compat conversion, TF Dense vs torch Linear with shared
initial values, function mode, and record/replay across environments.  Each side imports TensorFlow or
torch (seconds), so the pairs run concurrently from one fixture and the tests are marked slow."""
import json
import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import ROOT, dlmigrate_exe
from migrate.convert import ConvertOptions, convert_file
from migrate.validate.pipeline import ValidateOptions, validate_pair
from migrate.validate.results import Verdict

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).parent / "fixtures" / "validate"


def _convert(source: Path, out_dir: Path) -> Path:
    options = ConvertOptions(target="tf2-compat")
    result = convert_file(source, options.load_rules(), options)
    assert result.rewritten is not None, result.error
    target = out_dir / source.name
    target.write_text(result.rewritten, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    work = tmp_path_factory.mktemp("converted")
    corpus = ROOT / "corpus" / "tf1" / "linear_regression.py"
    tf1_program = corpus if corpus.is_file() else FIXTURES / "tf1_linear.py"
    converted = _convert(tf1_program, work)
    changed = work / "changed_constant.py"
    text = converted.read_text(encoding="utf-8")
    changed.write_text(text.replace("learning_rate = 0.5", "learning_rate = 0.4"), encoding="utf-8")
    base = ValidateOptions()
    jobs = {
        "tf1_vs_compat": (tf1_program, converted, base),
        "tf1_vs_changed": (tf1_program, changed, base),
        "dense_unshared": (FIXTURES / "dense_tf.py", FIXTURES / "dense_torch.py", base),
        "dropout_plain": (FIXTURES / "dropout_tf1.py", FIXTURES / "dropout_tf2.py", base),
        "dropout_tool": (FIXTURES / "dropout_tf1.py", FIXTURES / "dropout_tf2.py",
                         replace(base, random_tool="num_random_ops")),
        "dense_shared": (FIXTURES / "dense_tf.py", FIXTURES / "dense_torch.py", replace(base, share_init=True)),
        "tf1_dense_shared": (FIXTURES / "dense_tf1.py", FIXTURES / "dense_torch.py", replace(base, share_init=True)),
        "entry_torch": (FIXTURES / "lib_tf1.py", FIXTURES / "lib_torch.py", replace(base, entry="forward")),
    }

    def run(item):
        name, (a, b, options) = item
        return name, validate_pair(a, b, options)

    if tf1_program != FIXTURES / "tf1_linear.py":
        jobs["fixture_tf1_vs_compat"] = (FIXTURES / "tf1_linear.py", _convert(FIXTURES / "tf1_linear.py", work), base)
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = dict(pool.map(run, jobs.items()))
    found["changed_text_differs"] = text != changed.read_text(encoding="utf-8")
    return found


def test_tf1_program_passes_against_its_tf2_compat_conversion(results):
    for name in ("tf1_vs_compat", "fixture_tf1_vs_compat"):
        result = results.get(name)
        if result is None:
            continue
        assert result.verdict is Verdict.PASS, (name, result.message, result.rewritten.error_message)
        assert "session.run" in result.compared
        runs = [o for o in result.outputs if o.kind == "session.run"]
        assert runs and all(o.original_line is not None for o in runs)
        assert any("TF1 shim" in note for note in result.original.notes)


def test_changed_constant_in_the_conversion_is_caught(results):
    if not results["changed_text_differs"]:
        pytest.skip("the corpus program has no 'learning_rate = 0.5' line to change")
    result = results["tf1_vs_changed"]
    assert result.verdict is Verdict.MISMATCH
    by_name = {o.name: o for o in result.outputs}
    assert by_name["learning_rate"].max_abs_error == pytest.approx(0.1)


def test_dense_kernel_is_transposed_into_linear_weight(results):
    unshared, shared = results["dense_unshared"], results["dense_shared"]
    assert unshared.verdict is Verdict.MISMATCH  # independent random initialisations
    assert shared.verdict is Verdict.PASS, shared.message
    output = next(o for o in shared.outputs if o.name == "output")
    assert output.max_abs_error < 1e-5
    assert results["tf1_dense_shared"].verdict is Verdict.PASS, results["tf1_dense_shared"].message


def test_tf_random_test_tool_aligns_tf1_graph_and_eager_randomness(results):
    plain, aligned = results["dropout_plain"], results["dropout_tool"]
    assert plain.verdict is Verdict.MISMATCH  # graph-seeded and eager dropout masks differ
    out = next(o for o in aligned.outputs if o.name == "out")
    assert out.verdict is Verdict.PASS and aligned.verdict is Verdict.PASS, aligned.message


def test_function_mode_with_inputs_from_placeholders(results):
    result = results["entry_torch"]
    assert result.verdict is Verdict.PASS, result.message
    names = [o.name for o in result.outputs]
    assert "input:features" in names and "return[0]" in names and "return[1]" in names


def test_record_then_replay_without_tensorflow(tmp_path):
    """Record the TF side; replay the torch side in an interpreter where TensorFlow cannot be imported."""
    recording = tmp_path / "rec"
    record = subprocess.run([dlmigrate_exe(), "validate", str(FIXTURES / "dense_tf.py"), "--record", str(recording),
                             "--share-init"], capture_output=True, text=True, timeout=300)
    assert record.returncode == 0, record.stderr
    manifest = json.loads((recording / "manifest.json").read_text())
    assert manifest["framework"] == "tensorflow" and "tensorflow" in manifest["versions"]
    assert (recording / "variables.npz").is_file()
    python = tmp_path / "python-without-tf"
    python.write_text(f"#!/bin/sh\nPYTHONPATH={FIXTURES / 'no_tensorflow'} exec {sys.executable} \"$@\"\n")
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    report = tmp_path / "result.json"
    replay = subprocess.run([dlmigrate_exe(), "validate", str(FIXTURES / "dense_torch.py"), "--against",
                             str(recording), "--share-init", "--python-rewritten", str(python), "--json", str(report)],
                            capture_output=True, text=True, timeout=300)
    assert replay.returncode == 0, replay.stdout + replay.stderr
    data = json.loads(report.read_text())
    assert data["verdict"] == "PASS"
    assert "tensorflow" not in data["sides"]["rewritten"]["versions"]
    assert data["sides"]["original"]["status"] == "recorded"
    # the same replay without the shared initial values must fail: the check has teeth
    plain = subprocess.run([dlmigrate_exe(), "validate", str(FIXTURES / "dense_torch.py"), "--against",
                            str(recording), "--python-rewritten", str(python)], capture_output=True, text=True,
                           timeout=300)
    assert plain.returncode == 1 and "MISMATCH" in plain.stdout


def test_cli_exit_codes_and_help(tmp_path):
    same = subprocess.run([dlmigrate_exe(), "validate", str(FIXTURES / "np_model.py"), str(FIXTURES / "np_model.py")],
                          capture_output=True, text=True, timeout=120)
    assert same.returncode == 0 and "PASS" in same.stdout
    changed = subprocess.run([dlmigrate_exe(), "validate", str(FIXTURES / "np_model.py"),
                              str(FIXTURES / "np_model_changed.py"), "--tol", "SCALE=1,1"],
                             capture_output=True, text=True, timeout=120)
    assert changed.returncode == 1 and "MISMATCH" in changed.stdout
    usage = subprocess.run([dlmigrate_exe(), "validate", str(FIXTURES / "np_model.py")], capture_output=True,
                           text=True, timeout=60)
    assert usage.returncode == 2
    helptext = subprocess.run([dlmigrate_exe(), "validate", "--help"], capture_output=True, text=True, timeout=60)
    assert "EXECUTES" in helptext.stdout


@pytest.mark.cuda
def test_cuda_side_runs_deterministically_without_tf32():
    options = ValidateOptions(device="cuda", share_init=True)
    result = validate_pair(FIXTURES / "dense_tf.py", FIXTURES / "dense_torch_device.py", options)
    assert result.verdict is Verdict.PASS, result.message
    assert result.rewritten.device == "cuda"
