"""``dlmigrate convert`` end to end: outputs, exit codes, and every kind of bad input.

Runs ``migrate.cli.main`` in-process (fast, and stdout/stderr are captured);
one test runs the installed console script to prove the entry point works.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import migrate.convert
from migrate.cli import main
from migrate.engine import transform_source
from migrate.model import Safety
from migrate.rules import load_rules
from tests.conftest import ROOT, VENV_BIN, dlmigrate_exe

GRAPH = "import tensorflow as tf\nx = tf.placeholder(tf.float32)\ny = tf.log(x)\n"
GRAPH_CONVERTED = (
    "import tensorflow as tf\ntf.compat.v1.disable_v2_behavior()\n"
    "x = tf.compat.v1.placeholder(tf.float32)\ny = tf.math.log(x)\n"
)
EAGER = "import tensorflow as tf\ny = tf.log(2.0)\n"
EAGER_CONVERTED = "import tensorflow as tf\ny = tf.math.log(2.0)\n"
CONTRIB = "import tensorflow as tf\nnet = tf.contrib.layers.flatten(x)\n"
PLAIN = "def helper(a):\n    return a + 1\n"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["convert", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def make_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


# -- outputs


def test_default_prints_a_diff_and_writes_nothing(tmp_path, capsys):
    make_tree(tmp_path, {"a.py": GRAPH, "pkg/b.py": EAGER, "c.py": PLAIN})
    before = snapshot(tmp_path)
    code, out, err = run(capsys, str(tmp_path))
    assert code == 0
    assert snapshot(tmp_path) == before
    assert f"--- a/{tmp_path / 'a.py'}" in out and f"+++ b/{tmp_path / 'a.py'}" in out
    assert "\n-x = tf.placeholder(tf.float32)\n" in out and "\n+x = tf.compat.v1.placeholder(tf.float32)\n" in out
    assert "+y = tf.math.log(2.0)" in out
    assert "c.py" not in out
    assert "3 files: 2 changed, 1 unchanged, 0 failed" in err


def test_change_log_lines_name_path_line_column_and_code(tmp_path, capsys):
    path = make_tree(tmp_path, {"a.py": GRAPH}) / "a.py"
    code, _, err = run(capsys, str(path), "--no-diff")
    assert code == 0
    lines = [line for line in err.splitlines() if line.startswith(str(path))]
    assert f"{path}:2:5: TF2002 [fixed] `tf.placeholder` exists only in the TF1 API; TensorFlow 2 keeps it as " \
           "`tf.compat.v1.placeholder`" in lines
    assert any(line.startswith(f"{path}:3:5: TF2001 [fixed]") for line in lines)
    assert all(re.match(r"^.+:\d+:\d+: [A-Z]+\d+ \[\w+\] ", line) for line in lines)


def test_write_rewrites_in_place_and_keeps_mode_bits(tmp_path, capsys):
    path = make_tree(tmp_path, {"a.py": GRAPH}) / "a.py"
    path.chmod(0o754)
    code, out, _ = run(capsys, str(path), "--write")
    assert code == 0
    assert path.read_text() == GRAPH_CONVERTED
    assert stat.S_IMODE(path.stat().st_mode) == 0o754
    assert not list(tmp_path.glob("*.dlmigrate-tmp"))


def test_second_run_changes_nothing(tmp_path, capsys):
    make_tree(tmp_path, {"a.py": GRAPH, "b.py": EAGER})
    assert run(capsys, str(tmp_path), "--write")[0] == 0
    after_first = snapshot(tmp_path)
    code, out, err = run(capsys, str(tmp_path), "--write")
    assert code == 0 and out == ""
    assert snapshot(tmp_path) == after_first
    assert "2 files: 0 changed, 2 unchanged" in err


def test_out_writes_a_converted_copy_of_the_whole_tree(tmp_path, capsys):
    src = make_tree(tmp_path / "src", {
        "a.py": GRAPH, "pkg/__init__.py": "", "pkg/b.py": EAGER, "pkg/plain.py": PLAIN,
        "data/config.yaml": "lr: 0.1\n", "README.md": "# project\n", "nb.ipynb": notebook_json([EAGER]),
    })
    (src / "pkg" / "b.py").chmod(0o750)
    before = snapshot(src)
    out_dir = tmp_path / "out"
    code, _, err = run(capsys, str(src), "--out", str(out_dir))
    assert code == 0
    assert snapshot(src) == before, "--out must not touch the input tree"
    assert (out_dir / "a.py").read_text() == GRAPH_CONVERTED
    assert (out_dir / "pkg" / "b.py").read_text() == EAGER_CONVERTED
    assert stat.S_IMODE((out_dir / "pkg" / "b.py").stat().st_mode) == 0o750
    for same in ("pkg/__init__.py", "pkg/plain.py", "data/config.yaml", "README.md"):
        assert (out_dir / same).read_bytes() == (src / same).read_bytes(), same
    cells = json.loads((out_dir / "nb.ipynb").read_text())["cells"]
    assert "".join(cells[0]["source"]) == EAGER_CONVERTED
    assert "5 files: 3 changed, 2 unchanged, 0 failed" in err  # README, yaml: copied, not counted


def test_out_inside_the_input_tree_is_not_converted_again(tmp_path, capsys):
    src = make_tree(tmp_path, {"a.py": EAGER, "notes.txt": "x\n"})
    out_dir = src / "converted"
    assert run(capsys, str(src), "--out", str(out_dir))[0] == 0
    assert (out_dir / "a.py").read_text() == EAGER_CONVERTED
    assert not (out_dir / "converted").exists()
    # a second run must not pick up its own earlier output
    code, _, err = run(capsys, str(src), "--out", str(out_dir))
    assert code == 0 and "1 file:" in err
    assert not (out_dir / "converted").exists()


@pytest.mark.parametrize("where", ["same", "parent"])
def test_out_over_the_input_is_refused(tmp_path, capsys, where):
    src = make_tree(tmp_path / "src", {"a.py": EAGER})
    out_dir = src if where == "same" else tmp_path
    code, _, err = run(capsys, str(src), "--out", str(out_dir))
    assert code == 2 and "would write over the input" in err
    assert (src / "a.py").read_text() == EAGER


def test_summary_counts_files_and_findings_by_severity(tmp_path, capsys):
    make_tree(tmp_path, {"a.py": GRAPH, "b.py": PLAIN, "c.py": "print 'py2'\nimport tensorflow\n", "d.py": CONTRIB})
    code, _, err = run(capsys, str(tmp_path), "--no-diff")
    summary = err.strip().splitlines()[-1]
    assert summary == ("4 files: 1 changed, 2 unchanged, 1 failed; 3 edits (3 safe, 0 to review); "
                       "findings: 1 error, 0 warnings, 0 info")
    assert code == 1


# -- exit codes


def test_exit_codes_are_documented_in_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["convert", "--help"])
    assert exc.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for documented in ("0 all files processed", "1 a file failed", "2 usage error",
                       "3 all processed but findings of severity 'error' remain"):
        assert documented in text


def test_exit_3_when_error_findings_remain(tmp_path, capsys):
    path = make_tree(tmp_path, {"a.py": CONTRIB}) / "a.py"
    code, _, err = run(capsys, str(path))
    assert code == 3
    assert "TF2101 [error]" in err


def test_bad_flag_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["convert", str(tmp_path), "--no-such-flag"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: dlmigrate") and "error: unrecognized arguments: --no-such-flag" in err


def test_write_and_out_together_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["convert", str(tmp_path), "--write", "--out", str(tmp_path / "o")])
    assert exc.value.code == 2


def test_unknown_target_is_a_usage_error(tmp_path, capsys):
    code, _, err = run(capsys, str(tmp_path), "--to", "tf9")
    assert code == 2 and "unknown target 'tf9'" in err


def test_nonexistent_path_is_a_usage_error(tmp_path, capsys):
    code, _, err = run(capsys, str(tmp_path / "missing.py"))
    assert code == 2 and "no such file or directory" in err


def test_jobs_must_be_positive(tmp_path, capsys):
    assert run(capsys, str(tmp_path), "--jobs", "0")[0] == 2


def test_parallel_run_gives_the_same_results_as_a_serial_one(tmp_path, capsys):
    files = {}
    for i in range(12):
        files[f"pkg{i % 3}/m{i}.py"] = [GRAPH, EAGER, PLAIN, CONTRIB][i % 4] + f"z{i} = {i}\n"
    files["broken.py"] = "def f(:\n    import tensorflow\n"
    serial, parallel = make_tree(tmp_path / "serial", files), make_tree(tmp_path / "parallel", files)
    code1, out1, err1 = run(capsys, str(serial), "--jobs", "1", "--write")
    code2, out2, err2 = run(capsys, str(parallel), "--jobs", "2", "--write")
    assert code1 == code2 == 1
    assert out1.replace(str(serial), "ROOT") == out2.replace(str(parallel), "ROOT")
    assert err1.replace(str(serial), "ROOT") == err2.replace(str(parallel), "ROOT")
    assert {k: v[0] for k, v in snapshot(serial).items()} == {k: v[0] for k, v in snapshot(parallel).items()}


# -- bad input: one bad file never stops the run, and is never damaged


@pytest.mark.parametrize(
    "content,message",
    [
        pytest.param("import tensorflow as tf\nprint 'loss', tf\n", "Python 2 syntax?", id="python2-print"),
        pytest.param("import tensorflow as tf\ndef f(:\n    pass\n", "cannot parse", id="syntax-error"),
        pytest.param(b"import tensorflow as tf\nname = '\xe9t\xe9'\n", "cannot decode as utf-8", id="latin1-no-cookie"),
        pytest.param(b"# -*- coding: klingon -*-\nimport tensorflow\n", "unknown encoding", id="unknown-cookie"),
    ],
)
def test_unconvertible_file_is_reported_and_left_byte_identical(tmp_path, capsys, content, message):
    make_tree(tmp_path, {"bad.py": content, "good.py": EAGER})
    bad = tmp_path / "bad.py"
    before = bad.read_bytes(), bad.stat().st_mtime_ns
    code, _, err = run(capsys, str(tmp_path), "--write")
    assert code == 1
    (error_line,) = [line for line in err.splitlines() if line.startswith("dlmigrate: error:")]
    assert str(bad) in error_line and message in error_line and "left unchanged" in error_line
    assert (bad.read_bytes(), bad.stat().st_mtime_ns) == before
    assert (tmp_path / "good.py").read_text() == EAGER_CONVERTED


def test_unparsable_file_is_copied_as_is_with_out(tmp_path, capsys):
    src = make_tree(tmp_path / "src", {"bad.py": "import tensorflow\nprint 'x'\n", "good.py": EAGER})
    code, _, err = run(capsys, str(src), "--out", str(tmp_path / "out"))
    assert code == 1 and "copied as is" in err
    assert (tmp_path / "out" / "bad.py").read_bytes() == (src / "bad.py").read_bytes()
    assert (tmp_path / "out" / "good.py").read_text() == EAGER_CONVERTED


@pytest.mark.slow
def test_tf_upgrade_v2_truncates_an_unparsable_file_and_we_do_not(tmp_path, capsys):
    exe = VENV_BIN / "tf_upgrade_v2"
    if not exe.exists():
        pytest.skip("tf_upgrade_v2 is not installed")
    source = "import tensorflow as tf\nprint 'loss', tf.reduce_sum(x)\n"
    theirs = make_tree(tmp_path / "theirs", {"train.py": source}) / "train.py"
    ours = make_tree(tmp_path / "ours", {"train.py": source}) / "train.py"
    peer = subprocess.run([str(exe), "--infile", str(theirs), "--inplace"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert peer.returncode == 0, "tf_upgrade_v2 reports success"
    assert theirs.read_bytes() == b"", "tf_upgrade_v2 truncated the user's file"
    code, _, err = run(capsys, str(ours), "--write")
    assert code == 1 and "cannot parse" in err
    assert ours.read_text() == source


def test_empty_file_is_unchanged(tmp_path, capsys):
    make_tree(tmp_path, {"empty.py": "", "__init__.py": ""})
    code, out, err = run(capsys, str(tmp_path), "--write")
    assert code == 0 and out == ""
    assert (tmp_path / "empty.py").read_bytes() == b""
    assert "2 files: 0 changed, 2 unchanged, 0 failed" in err


def test_symlink_to_a_file_is_written_through_and_kept(tmp_path, capsys):
    # inside the tree a link is followed and kept; a link out of the tree is skipped (test_everyday.py)
    real = make_tree(tmp_path / "src" / "real", {"model.py": EAGER}) / "model.py"
    link_dir = tmp_path / "src"
    link = link_dir / "model_link.py"
    link.symlink_to(real)
    code, _, _ = run(capsys, str(link), "--write")
    assert code == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == EAGER_CONVERTED


@pytest.mark.parametrize("kind", ["dangling", "loop"])
def test_broken_symlinks_are_reported(tmp_path, capsys, kind):
    make_tree(tmp_path, {"good.py": EAGER})
    link = tmp_path / "link.py"
    if kind == "dangling":
        link.symlink_to(tmp_path / "nowhere.py")
    else:
        (tmp_path / "other.py").symlink_to(link)
        link.symlink_to(tmp_path / "other.py")
    code, _, err = run(capsys, str(tmp_path), "--write")
    assert code == 1
    assert f"error: {link}: " in err
    assert ("broken symbolic link" if kind == "dangling" else "symbolic links") in err
    assert (tmp_path / "good.py").read_text() == EAGER_CONVERTED
    assert link.is_symlink()


def test_read_only_file_is_reported_and_untouched(tmp_path, capsys):
    make_tree(tmp_path, {"locked.py": EAGER, "open.py": EAGER})
    locked = tmp_path / "locked.py"
    locked.chmod(0o444)
    code, _, err = run(capsys, str(tmp_path), "--write")
    assert code == 1
    assert f"error: {locked}: file is read-only; left unchanged" in err
    assert locked.read_text() == EAGER and stat.S_IMODE(locked.stat().st_mode) == 0o444
    assert (tmp_path / "open.py").read_text() == EAGER_CONVERTED


def test_file_that_vanishes_after_discovery_is_reported(tmp_path, capsys, monkeypatch):
    make_tree(tmp_path, {"a.py": EAGER, "gone.py": EAGER, "z.py": EAGER})
    real_discover = migrate.convert.discover

    def discover_then_delete(paths, **kwargs):
        found = list(real_discover(paths, **kwargs))
        (tmp_path / "gone.py").unlink()
        return iter(found)

    monkeypatch.setattr(migrate.convert, "discover", discover_then_delete)
    code, _, err = run(capsys, str(tmp_path), "--write", "--jobs", "1")
    assert code == 1
    assert f"error: {tmp_path / 'gone.py'}: file vanished before it could be read" in err
    assert not (tmp_path / "gone.py").exists(), "a vanished file must not be recreated"
    assert (tmp_path / "a.py").read_text() == (tmp_path / "z.py").read_text() == EAGER_CONVERTED


def test_file_that_vanishes_before_writing_is_not_recreated(tmp_path, capsys, monkeypatch):
    path = make_tree(tmp_path, {"a.py": EAGER}) / "a.py"
    real_convert_text = migrate.convert.convert_text

    def convert_then_delete(*args, **kwargs):
        result = real_convert_text(*args, **kwargs)
        path.unlink()
        return result

    monkeypatch.setattr(migrate.convert, "convert_text", convert_then_delete)
    code, _, err = run(capsys, str(path), "--write")
    assert code == 1 and "vanished before it could be written" in err
    assert not path.exists()


def test_invalid_notebook_json_is_reported(tmp_path, capsys):
    make_tree(tmp_path, {"broken.ipynb": '{"cells": [', "good.py": EAGER})
    code, _, err = run(capsys, str(tmp_path), "--write")
    assert code == 1
    assert f"error: {tmp_path / 'broken.ipynb'}: invalid notebook JSON" in err
    assert (tmp_path / "broken.ipynb").read_text() == '{"cells": ['


# -- the installed entry point


def test_console_script_converts_and_exits_like_main(tmp_path):
    path = make_tree(tmp_path, {"a.py": CONTRIB + "y = tf.log(1.0)\n"}) / "a.py"
    proc = subprocess.run([dlmigrate_exe(), "convert", str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    assert "+y = tf.math.log(1.0)" in proc.stdout
    assert "1 file: 1 changed" in proc.stderr
    assert f"{path}:2:7: TF2101 [error]" in proc.stderr


def test_convert_never_imports_a_framework(tmp_path):
    path = make_tree(tmp_path, {"a.py": GRAPH}) / "a.py"
    probe = (
        "import sys\nfrom migrate.cli import main\n"
        f"code = main(['convert', {str(path)!r}, '--no-diff', '-q'])\n"
        "loaded = [m for m in ('tensorflow', 'torch') if m in sys.modules]\n"
        "print(code, loaded)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "0 []", proc.stderr


# -- idempotency on the corpus

CORPUS = sorted(p for p in (ROOT / "corpus").rglob("*") if p.suffix in (".py", ".ipynb")) if (ROOT / "corpus").is_dir() else []
ALL_RULES = load_rules(["tf1_to_tf2"])
TORCH_RULES = load_rules(["torch_deprecations"])


# Known bugs, each with its cause; strict, so the marker must go when the bug is fixed.
NOT_IDEMPOTENT_YET: dict[str, str] = {}


def _corpus_param(path: Path):
    name = str(path.relative_to(ROOT))
    marks = [pytest.mark.xfail(reason=NOT_IDEMPOTENT_YET[name], strict=True)] if name in NOT_IDEMPOTENT_YET else []
    return pytest.param(path, id=name, marks=marks)


@pytest.mark.parametrize("path", [_corpus_param(p) for p in CORPUS])
def test_corpus_program_converts_once(path, tmp_path):
    copy = tmp_path / path.name
    shutil.copyfile(path, copy)
    options = migrate.convert.ConvertOptions(write=True)
    rules = TORCH_RULES if "torch_legacy" in path.parts else ALL_RULES  # each corpus with the rules it is for
    first = migrate.convert.convert_file(copy, rules, options)
    assert first.error is None, first.error
    converted = copy.read_bytes()
    second = migrate.convert.convert_file(copy, rules, options)
    assert second.status.value in ("unchanged", "skipped")
    assert copy.read_bytes() == converted
    if path.suffix == ".py":
        compile(converted, str(copy), "exec")


def test_corpus_was_found():
    if not CORPUS:
        pytest.skip("no corpus programs yet")
    assert all(p.stat().st_size > 0 for p in CORPUS)


def notebook_json(cells: list[str]) -> str:
    notebook = {
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                   "source": c.splitlines(keepends=True)} for c in cells],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


# -- the fast path: files that cannot need a rewrite never reach libcst


def _refuse_libcst(monkeypatch):
    import libcst

    def refuse(*args, **kwargs):
        raise AssertionError("libcst.parse_module called for a file that needs no rewrite")

    monkeypatch.setattr(libcst, "parse_module", refuse)


def test_files_without_a_framework_are_never_parsed_by_libcst(tmp_path, capsys, monkeypatch):
    _refuse_libcst(monkeypatch)
    make_tree(tmp_path, {
        "plain.py": PLAIN,  # no framework mentioned: not even ast-parsed
        "mentions.py": "# works with tensorflow and torch\nimport numpy as np\n",
        "nb.ipynb": notebook_json(["import numpy as np\n", "%matplotlib inline\n"]),
    })
    code, out, err = run(capsys, str(tmp_path), "--write", "--jobs", "1")
    assert code == 0 and out == "", err
    assert "3 files: 0 changed, 3 unchanged, 0 failed" in err


def test_table_rules_parse_only_files_with_something_to_change(tmp_path, capsys, monkeypatch):
    # tf.constant is in the reorder and keyword-removal tables, but this call has neither
    # extra positional arguments nor the removed keyword.  (Custom rules that react to a
    # pattern on any object decide for themselves, so they are not selected here.)
    _refuse_libcst(monkeypatch)
    make_tree(tmp_path, {"tf2.py": "import tensorflow as tf\nx = tf.constant(1.0)\ny = tf.math.log(x)\n"})
    code, out, err = run(capsys, str(tmp_path), "--write", "--select", "TF2001,TF2002,TF2003,TF2004,TF2005,TF2101")
    assert code == 0 and out == "", err
