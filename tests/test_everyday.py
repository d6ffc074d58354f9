"""Everyday use (issue 13): clear failures, safe tree walks, one error form, machine output that
carries parse errors, ruff's --quiet, validation that never blocks and tells a nondeterministic
original from a wrong conversion."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from migrate.cli import main
from migrate.validate.pipeline import ValidateOptions, validate_pair
from migrate.validate.results import Verdict
from migrate.validate.runner import Limits
from tests.conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
EAGER = "import tensorflow as tf\ny = tf.log(2.0)\n"
EAGER_CONVERTED = "import tensorflow as tf\ny = tf.math.log(2.0)\n"
TORCH = "import torch\nfrom torch.autograd import Variable\nx = Variable(torch.ones(2))\n"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def without_numpy(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    """The CLI in a Python where numpy cannot be imported (as without the validate extra)."""
    script = ("import sys; sys.modules['numpy'] = None\n"
              "from migrate.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


# -- a missing validate extra is found before any work


@pytest.mark.parametrize("argv", [
    ("convert", "model.py", "--write", "--validate"),
    ("validate", "model.py", "model.py"),
    ("rules", "verify", "TF2001"),
])
def test_missing_validate_extra_stops_before_any_work(tmp_path, argv):
    model = tmp_path / "model.py"
    model.write_text(EAGER)
    done = without_numpy(*argv, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "pip install 'dlmigrate[validate]'" in done.stderr
    assert done.stderr.startswith("dlmigrate: error: ") and "Traceback" not in done.stderr
    assert model.read_text() == EAGER, "nothing may be written before the check"


def test_missing_framework_is_named_without_an_executor_traceback(monkeypatch):
    from migrate.validate import executor

    monkeypatch.setitem(sys.modules, "tensorflow", None)  # import tensorflow -> ModuleNotFoundError
    frameworks = executor.Frameworks(executor.Recorder(), type("O", (), {"seed": 0, "device": "cpu"})())
    with pytest.raises(executor.FrameworkMissing) as caught:
        frameworks.setup(["tensorflow"], False)
    record = executor._error_record(caught.value, "model.py")
    assert record["type"] == "FrameworkMissing" and record["traceback"] == ""
    assert "uses tensorflow, which is not installed" in record["message"]
    assert "pip install 'dlmigrate[validate]'" in record["message"]


# -- symlinks out of the tree are not followed


def test_symlink_out_of_the_tree_is_skipped_and_reported(tmp_path, capsys):
    outside = tmp_path / "elsewhere" / "shared.py"
    outside.parent.mkdir()
    outside.write_text(EAGER)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "own.py").write_text(EAGER)
    (tree / "shared.py").symlink_to(outside)
    (tree / "linked_dir").symlink_to(outside.parent, target_is_directory=True)
    code, _, err = run(capsys, "convert", str(tree), "--write")
    assert code == 0, err
    assert outside.read_text() == EAGER, "a file outside the tree was rewritten"
    assert (tree / "own.py").read_text() == EAGER_CONVERTED
    assert f"dlmigrate: warning: {tree / 'shared.py'}: symbolic link to {outside}, outside the tree: " \
           "not followed, skipped" in err
    assert f"{tree / 'linked_dir'}: symbolic link" in err
    assert "1 file: 1 changed, 0 unchanged, 0 failed, 2 skipped;" in err
    # named on the command line, the link is the user's choice and is followed
    code, _, err = run(capsys, "convert", str(tree / "shared.py"), "--write")
    assert code == 0 and outside.read_text() == EAGER_CONVERTED


def test_lint_reports_a_skipped_link_and_an_empty_tree(tmp_path, capsys):
    (tmp_path / "outside.py").write_text(TORCH)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "link.py").symlink_to(tmp_path / "outside.py")
    code, out, err = run(capsys, "lint", str(tree), "--no-config")
    assert code == 0 and out == ""
    assert "link.py: symbolic link to" in err and "no Python files found" in err
    code, out, err = run(capsys, "lint", str(tree), "--no-config", "-qq")
    assert (code, out, err) == (0, "", "")


# -- usage errors: one prefix, the subcommand's own usage


def test_bad_flag_after_a_subcommand_prints_that_subcommands_usage(capsys):
    for argv, usage in ((["lint", "--bogus", "x.py"], "usage: dlmigrate lint "),
                        (["rules", "verify", "--bogus"], "usage: dlmigrate rules verify "),
                        (["convert", "x.py", "--bogus"], "usage: dlmigrate convert ")):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        err = capsys.readouterr().err
        assert exit_.value.code == 2 and err.startswith(usage), err
        assert err.rstrip().endswith("dlmigrate: error: unrecognized arguments: --bogus")


@pytest.mark.parametrize("value", ["-5", "0", "nan", "soon"])
def test_timeout_must_be_positive(capsys, value):
    with pytest.raises(SystemExit) as exit_:
        main(["validate", "a.py", "b.py", "--timeout", value])
    assert exit_.value.code == 2
    assert "dlmigrate: error: argument --timeout:" in capsys.readouterr().err


def test_every_error_line_has_one_prefix(tmp_path, capsys):
    (tmp_path / "bad.py").write_text("import tensorflow as tf\nprint 'x'\n")
    lines = []
    for argv in (["lint", str(tmp_path / "missing.py")], ["lint", str(tmp_path / "bad.py"), "--no-config"],
                 ["convert", str(tmp_path / "missing.py")], ["convert", str(tmp_path / "bad.py")],
                 ["rules", "explain", "NOPE1"], ["validate", str(tmp_path / "missing.py"), "x.py"],
                 ["lint", str(tmp_path), "--select", "ZZ9"]):
        _, _, err = run(capsys, *argv)
        lines += [line for line in err.splitlines() if "error:" in line.lower()]
    assert len(lines) >= 7
    assert all(line.startswith("dlmigrate: error: ") for line in lines), lines


def test_convert_help_states_the_default_target(capsys):
    with pytest.raises(SystemExit):
        main(["convert", "--help"])
    assert "else tf2-compat)" in " ".join(capsys.readouterr().out.split())


# -- parse errors reach every machine format


@pytest.mark.parametrize("fmt", ["github", "json", "sarif", "text"])
def test_parse_errors_reach_every_output_format(tmp_path, capsys, fmt):
    bad = tmp_path / "bad.py"
    bad.write_text("import torch\nprint 'x'\n")
    code, out, err = run(capsys, "lint", str(bad), "--no-config", "--output-format", fmt)
    assert code == 1
    assert f"dlmigrate: error: {bad}:2:" in err
    if fmt == "github":
        assert out.startswith(f"::error file={bad},line=2,col=1,title=dlmigrate could not lint this file::")
    elif fmt == "json":
        (entry,) = json.loads(out)
        assert entry["code"] is None and entry["kind"] == "file-error" and entry["line"] == 2
        assert "cannot parse" in entry["message"] and entry["severity"] == "error"
    elif fmt == "sarif":
        (invocation,) = json.loads(out)["runs"][0]["invocations"]
        assert invocation["executionSuccessful"] is False
        assert "cannot parse" in invocation["toolExecutionNotifications"][0]["message"]["text"]


# -- --quiet: ruff's meaning in every command


def test_quiet_levels(tmp_path, capsys):
    (tmp_path / "m.py").write_text(TORCH)
    code, out, err = run(capsys, "lint", str(tmp_path), "--no-config")
    assert code == 1 and re.search(r"Found \d+ findings? in 1 file", out)
    code, out, _ = run(capsys, "lint", str(tmp_path), "--no-config", "-q")
    lines = out.splitlines()
    assert code == 1 and lines and all(re.match(r".*m\.py:\d+:\d+: PT10\d\d ", line) for line in lines), out  # diagnostics only
    code, out, err = run(capsys, "lint", str(tmp_path), "--no-config", "-qq")
    assert code == 1 and out == "" and err == ""

    tree = tmp_path / "tf"
    tree.mkdir()
    (tree / "a.py").write_text(EAGER)
    code, out, err = run(capsys, "convert", str(tree), "--out", str(tmp_path / "out"), "-q")
    assert code == 0 and out == "", "with -q and --out the diff is not printed"
    assert err.count("\n") == 1 and "[fixed]" in err  # the change log line; no summary
    code, out, err = run(capsys, "convert", str(tree), "-q")
    assert out.startswith("--- a/"), "a dry run's diff is its result"
    code, out, err = run(capsys, "convert", str(tree), "--out", str(tmp_path / "out2"), "-qq")
    assert (code, out, err) == (0, "", "")


def test_review_fixes_are_marked_and_counted_apart(tmp_path, capsys):
    # PT1025 (Variable) is a safe fix, PT1002 (symeig -> linalg.eigh) a review fix
    (tmp_path / "m.py").write_text(TORCH + "v, w = torch.symeig(x.diag(), eigenvectors=True)\n")
    code, _, err = run(capsys, "convert", str(tmp_path / "m.py"), "--to", "torch-latest", "--no-diff")
    assert "PT1025 [fixed] " in err and "PT1002 [fixed, review] " in err
    assert "1 file: 1 changed" in err
    edits = re.search(r"(\d+) edits \((\d+) safe, (\d+) to review\)", err)
    assert edits and int(edits.group(3)) == 1 and int(edits.group(1)) == int(edits.group(2)) + 1


# -- validation: nondeterministic originals, queues, eager start-up


@pytest.fixture(scope="module")
def noisy():
    options = ValidateOptions(limits=Limits(timeout_s=30.0, memory_bytes=2 * 2**30))
    return (validate_pair(FIXTURES / "noisy_a.py", FIXTURES / "noisy_a.py", options),
            validate_pair(FIXTURES / "noisy_a.py", FIXTURES / "noisy_b.py", options),
            validate_pair(FIXTURES / "noisy_a.py", FIXTURES / "noisy_a.py", ValidateOptions(reruns=0)))


def test_a_nondeterministic_original_is_not_a_mismatch(noisy):
    result, _, _ = noisy
    assert result.verdict is Verdict.NONDETERMINISTIC, result.message
    assert result.message.startswith("original is nondeterministic: 1 output vary between 3 runs of the original")
    assert list(result.nondeterminism["varying"]) == ["noisy"] and result.nondeterminism["reruns"] == 2
    assert 0 < result.nondeterminism["varying"]["noisy"] < 1
    assert result.to_dict()["verdict"] == "NONDETERMINISTIC" and not result.passed


def test_a_real_mismatch_next_to_noise_stays_a_mismatch(noisy):
    _, result, without_reruns = noisy
    assert result.verdict is Verdict.MISMATCH
    assert result.nondeterminism["stable_mismatches"] == ["stable"]
    assert "do not vary (first: stable)" in result.message
    assert without_reruns.verdict is Verdict.MISMATCH and without_reruns.nondeterminism is None


@pytest.mark.slow
def test_queue_fed_globals_never_block_and_are_named():
    program = FIXTURES / "queue_fed_tf1.py"
    options = ValidateOptions(limits=Limits(timeout_s=90.0), tf1_shim_original="on", tf1_shim_rewritten="on")
    result = validate_pair(program, program, options)
    assert result.verdict is Verdict.ERROR, result.message  # both sides raise; nothing hangs
    assert "data files are missing" in result.message
    (note,) = [n for n in result.original.notes if "queue" in n]
    assert "batch" in note and "total" in note
    assert result.original.wall_s < 60


@pytest.mark.slow
def test_enable_eager_execution_at_startup_works_under_the_tf1_shim():
    options = ValidateOptions(limits=Limits(timeout_s=90.0), tf1_shim_original="on")
    result = validate_pair(FIXTURES / "eager_startup_tf1.py", FIXTURES / "eager_startup_tf2.py", options)
    assert result.verdict is Verdict.PASS, result.message


# -- notebooks are validated cell by cell


def _notebook(*cells: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [],
                                  "execution_count": None} for c in cells]
                       + [{"cell_type": "markdown", "source": "# notes", "metadata": {}}],
                       "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
                       "nbformat": 4, "nbformat_minor": 5}, indent=1)


def test_validate_runs_a_notebooks_code_cells_in_order(tmp_path, capsys):
    a = tmp_path / "a.ipynb"
    b = tmp_path / "b.ipynb"
    c = tmp_path / "c.ipynb"
    a.write_text(_notebook("%matplotlib inline\nimport numpy as np\n", "!ls\nweights = np.arange(4.0)\n",
                           "%%bash\necho hi\n", "total = weights.sum() * 2\n"))
    b.write_text(_notebook("import numpy as np\n", "weights = np.arange(4.0)\n", "total = weights.sum() * 2\n"))
    c.write_text(_notebook("import numpy as np\n", "weights = np.arange(4.0)\n", "total = weights.sum() * 3\n"))
    json_out = tmp_path / "r.json"
    code, out, _ = run(capsys, "validate", str(a), str(b), "--json", str(json_out))
    assert code == 0, out
    result = json.loads(json_out.read_text())
    assert result["verdict"] == "PASS" and {o["name"] for o in result["outputs"]} == {"weights", "total"}
    (note,) = [n for n in result["sides"]["original"]["notes"] if n.startswith("notebook:")]
    assert note.startswith("notebook: 3 IPython lines set aside, not run: cell 1: %matplotlib inline; "
                           "cell 2: !ls; cell 3: %%bash (cell magic, whole cell)")
    code, out, _ = run(capsys, "validate", str(a), str(c))
    assert code == 1 and "MISMATCH" in out


@pytest.mark.slow
def test_convert_validate_validates_notebooks(tmp_path, capsys):
    notebook = tmp_path / "train.ipynb"
    notebook.write_text(_notebook("%matplotlib inline\nimport tensorflow as tf\n",
                                  "x = tf.placeholder(tf.float32, [None, 2])\ny = tf.reduce_sum(tf.log(x + 2.0))\n",
                                  "with tf.Session() as sess:\n    print(sess.run(y, {x: [[1.0, 2.0]]}))\n"))
    report = tmp_path / "report.json"
    code, _, err = run(capsys, "convert", str(notebook), "--no-diff", "--validate", "--report", str(report))
    assert code == 0, err
    (entry,) = json.loads(report.read_text())["files"]
    assert entry["validation"]["verdict"] == "PASS", err
    assert "PASS" in err and "train.ipynb" in err


def test_python_syntax_warnings_about_user_code_are_not_printed(tmp_path, capsys):
    """Found by the fuzzer: ``1if x`` or ``"\\d"`` made every parse print a stray SyntaxWarning."""
    (tmp_path / "w.py").write_text('import torch\nx = torch.range(0, 3)\ny = 1if x else 2\nz = "\\d"\n')
    for argv in (["convert", str(tmp_path), "--to", "torch-latest", "--no-diff"], ["lint", str(tmp_path), "--no-config"]):
        with _no_syntax_warning():
            _, out, err = run(capsys, *argv)
        assert "SyntaxWarning" not in err and "PT1012" in out + err


class _no_syntax_warning:
    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings(record=True)
        self.caught = self._catch.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)
        assert not [w for w in self.caught if issubclass(w.category, SyntaxWarning)], self.caught
        return False
