"""Terminal output of convert: stdout is the diff only, colour only on a TTY, NO_COLOR, --quiet, progress."""
from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import struct
import subprocess
import termios
from pathlib import Path

import pytest

from conftest import dlmigrate_exe
from migrate.console import Console, color_enabled
from report_support import GRAPH_PROGRAM

ANSI = re.compile(r"\x1b\[")
# SGR sequences that set a foreground/background colour (30-37, 38;..., 40-47, 90-97, 100-107)
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def make_tree(root: Path, count: int) -> Path:
    tree = root / "tree"
    tree.mkdir()
    for number in range(count):
        (tree / f"m{number}.py").write_text(GRAPH_PROGRAM, encoding="utf-8")
    return tree


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS")}
    env.update(TERM="xterm-256color", **extra)
    return env


def run_plain(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([dlmigrate_exe(), *args], capture_output=True, text=True, cwd=cwd, env=base_env(**env))


def run_on_tty(*args: str, cwd: Path, **env: str) -> tuple[int, str, str]:
    """stderr on a pseudo-terminal (where the log and the bar go); stdout to a file, as when piping a diff."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
    out_path = cwd / "stdout.txt"
    with open(out_path, "wb") as out:
        process = subprocess.Popen([dlmigrate_exe(), *args], stdin=subprocess.DEVNULL, stdout=out, stderr=slave,
                                   cwd=cwd, env=base_env(**env))
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    code = process.wait(timeout=120)
    return code, out_path.read_text(encoding="utf-8"), b"".join(chunks).decode("utf-8", "replace")


def test_not_a_tty_means_no_escape_codes_and_diff_only_on_stdout(tmp_path):
    make_tree(tmp_path, 5)
    run = run_plain("convert", "tree", "-j", "1", cwd=tmp_path)
    assert run.returncode == 3  # tf.contrib findings stay: exit code kept
    assert not ANSI.search(run.stderr) and not ANSI.search(run.stdout)
    assert run.stdout.startswith("--- a/tree/m0.py\n")
    assert "TF2002" not in run.stdout and "files:" not in run.stdout
    assert "tree/m0.py:3:5: TF2002 [fixed]" in run.stderr
    assert "findings by rule" in run.stderr and "TF2101" in run.stderr
    # rule data grows, so only the parts this test controls are pinned
    assert re.fullmatch(r"5 files: 5 changed, 0 unchanged, 0 failed; \d+ edits \(\d+ safe, \d+ to review\); "
                        r"findings: 5 errors, \d+ warnings, \d+ info",
                        run.stderr.rstrip().splitlines()[-1])
    assert "files/s" not in run.stderr  # no progress bar off a terminal


def test_quiet_prints_only_the_diagnostics(tmp_path):
    """ruff's -q: the diagnostics (errors, change log lines) and nothing else: no table, no summary."""
    tree = make_tree(tmp_path, 2)
    (tree / "broken.py").write_text("import tensorflow as tf\nprint 'x'\n", encoding="utf-8")
    run = run_plain("convert", "tree", "--quiet", "--no-diff", cwd=tmp_path)
    assert run.returncode == 1  # a file failed
    lines = run.stderr.strip().splitlines()
    assert lines[0].startswith("dlmigrate: error: ") and "cannot parse" in lines[0]
    assert all(re.match(r"tree/m\d\.py:\d+:\d+: TF\d{4} \[", line) for line in lines[1:]), run.stderr
    assert "files:" not in run.stderr and "findings by rule" not in run.stderr
    assert run.stdout == ""


def test_tty_gets_colour_and_a_progress_bar(tmp_path):
    make_tree(tmp_path, 6)
    code, stdout, terminal = run_on_tty("convert", "tree", "-j", "1", cwd=tmp_path)
    assert code == 3
    assert COLOUR.search(terminal)
    assert re.search(r"\d+/6", terminal) and "files/s" in terminal  # files done of total, rate
    assert "findings by rule" in terminal
    # the diff went to the file, not into the terminal
    assert stdout.startswith("--- a/tree/m0.py") and not ANSI.search(stdout)
    assert "+x = tf.compat.v1.placeholder" not in terminal


def test_no_color_is_respected_on_a_tty(tmp_path):
    make_tree(tmp_path, 6)
    code, _, terminal = run_on_tty("convert", "tree", "-j", "1", "--no-diff", cwd=tmp_path, NO_COLOR="1")
    assert code == 3
    assert "tree/m0.py:3:5:" in terminal
    assert not COLOUR.search(terminal), repr(COLOUR.search(terminal))


def test_quiet_on_a_tty_has_no_bar_and_no_table(tmp_path):
    make_tree(tmp_path, 6)
    code, _, terminal = run_on_tty("convert", "tree", "-j", "1", "--no-diff", "-q", cwd=tmp_path)
    assert code == 3
    assert "files/s" not in terminal and "findings by rule" not in terminal
    assert "6 files: 6 changed" not in terminal and "tree/m0.py:3:5:" in terminal


def test_colour_decision():
    assert color_enabled(FakeTTY(), {})
    assert not color_enabled(FakeTTY(), {"NO_COLOR": "1"})
    assert color_enabled(FakeTTY(), {"NO_COLOR": ""})  # no-color.org: only a non-empty value counts
    assert not color_enabled(FakeTTY(), {"TERM": "dumb"})
    assert not color_enabled(io.StringIO(), {})


def test_console_writes_plain_lines_off_a_terminal():
    err, out = io.StringIO(), io.StringIO()
    console = Console(out=out, err=err, environ={})
    console.error("boom")
    console.summary([])
    assert err.getvalue() == ("dlmigrate: error: boom\n0 files: 0 changed, 0 unchanged, 0 failed; 0 edits; "
                                 "findings: 0 errors, 0 warnings, 0 info\n")
    assert out.getvalue() == ""


@pytest.mark.parametrize("quiet", [False, True])
def test_progress_is_a_no_op_off_a_terminal(quiet):
    console = Console(quiet=quiet, out=io.StringIO(), err=io.StringIO(), environ={})
    with console.progress(100) as progress:
        progress.advance("x.py")
    assert console.err.getvalue() == ""


def test_diff_is_coloured_only_on_a_terminal():
    diff = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-old\n+new\n"
    tty, pipe, no_color = FakeTTY(), io.StringIO(), FakeTTY()
    Console(out=tty, err=io.StringIO(), environ={}).diff(diff)
    Console(out=pipe, err=io.StringIO(), environ={}).diff(diff)
    Console(out=no_color, err=io.StringIO(), environ={"NO_COLOR": "1"}).diff(diff)
    assert "\x1b[31m-old\x1b[0m\n" in tty.getvalue() and "\x1b[32m+new\x1b[0m\n" in tty.getvalue()
    assert pipe.getvalue() == diff and no_color.getvalue() == diff


def test_a_narrow_terminal_never_cuts_a_rule_code_or_a_count(tmp_path):
    make_tree(tmp_path, 2)
    for columns in ("40", "60", "100"):
        run = run_plain("convert", "tree", "--no-diff", cwd=tmp_path, COLUMNS=columns)
        lines = run.stderr.splitlines()
        start = next(i for i, line in enumerate(lines) if "findings by rule" in line)
        block = "\n".join(lines[start:])
        for code in ("TF2002", "TF2006", "TF2101", "TF2201", "TF2301"):
            assert re.search(rf"\b{code}\b", block), (columns, block)
        for header in ("fixed", "review", "error", "warning", "info"):
            assert re.search(rf"\b{header}\b", block), (columns, block)  # never "fi…"
        total = next(line for line in lines[start:] if line.strip().startswith("total"))
        assert re.findall(r"\d+", total)[:5] == ["12", "0", "2", "2", "2"], (columns, total)


def test_lint_follows_the_same_colour_policy(tmp_path):
    (tmp_path / "m.py").write_text("import torch\nx = torch.range(0, 3)\n", encoding="utf-8")
    master, slave = pty.openpty()
    for env, coloured in (({}, True), ({"NO_COLOR": "1"}, False)):
        process = subprocess.Popen([dlmigrate_exe(), "lint", "m.py", "--no-config"], stdout=slave,
                                   stderr=subprocess.DEVNULL, cwd=tmp_path, env=base_env(**env))
        process.wait(timeout=60)
        data = os.read(master, 65536).decode()
        assert "PT1012" in data and bool(COLOUR.search(data)) is coloured, repr(data)
    os.close(slave)
    os.close(master)
    piped = run_plain("lint", "m.py", "--no-config", cwd=tmp_path)
    assert "PT1012" in piped.stdout and not ANSI.search(piped.stdout)


def test_an_empty_tree_is_warned_about(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("x\n")
    for command in ("convert", "lint"):
        run = run_plain(command, "empty", cwd=tmp_path)
        assert run.returncode == 0
        assert "dlmigrate: warning: no Python files" in run.stderr, (command, run.stderr)
