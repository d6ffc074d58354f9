"""The pre-commit hooks, end to end, with the real ``pre-commit`` in throw-away git repositories.

pre-commit installs dlmigrate from a git repository into its own virtualenv
(libcst and rich come from the package index).  To build that environment once
per test session, the working tree is snapshotted into one local repository at
a fixed commit and every test's ``.pre-commit-config.yaml`` points at it, with a
shared ``PRE_COMMIT_HOME``.  (``pre-commit try-repo`` would snapshot the tree
again, with a new commit and a new environment, on every call.)
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not PRE_COMMIT.exists() or shutil.which("git") is None, reason="needs git and pre-commit"),
]


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-c", "user.name=dlmigrate-test", "-c", "user.email=test@example.invalid",
         "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd, capture_output=True, text=True, check=check,
    )


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    """The working tree as a local git repository: (path, commit)."""
    snapshot = tmp_path_factory.mktemp("dlmigrate-hooks-repo")
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if not source.is_file() or name.startswith(("benchmarks/.cache/", "corpus/")):
            continue
        target = snapshot / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    git(snapshot, "init", "-q")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-q", "-m", "snapshot for the pre-commit tests")
    return snapshot, git(snapshot, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path, hook_repo, pre_commit_home):
    """A user's repository with both hooks configured and installed; returns a runner for ``git commit``."""
    repo, rev = hook_repo

    def setup(hook_id: str) -> Path:
        work = tmp_path / "work"
        work.mkdir()
        git(work, "init", "-q")
        (work / ".pre-commit-config.yaml").write_text(textwrap.dedent(f"""\
            repos:
              - repo: {repo}
                rev: {rev}
                hooks:
                  - id: {hook_id}
        """))
        git(work, "add", ".pre-commit-config.yaml")
        install = subprocess.run([str(PRE_COMMIT), "install"], cwd=work, env=_env(pre_commit_home),
                                 capture_output=True, text=True)
        assert install.returncode == 0, install.stdout + install.stderr
        return work

    return setup


def _env(pre_commit_home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PRE_COMMIT_HOME"] = str(pre_commit_home)
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def commit(work: Path, pre_commit_home: Path, files: dict[str, str]) -> subprocess.CompletedProcess:
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
        git(work, "add", name)
    return subprocess.run(
        ["git", "-c", "user.name=dlmigrate-test", "-c", "user.email=test@example.invalid",
         "-c", "commit.gpgsign=false", "commit", "-m", "change"],
        cwd=work, env=_env(pre_commit_home), capture_output=True, text=True, timeout=900,
    )


DEPRECATED = "import tensorflow as tf\n\nx = tf.compat.v1.placeholder(tf.float32, shape=[None, 3])\n"
SAFE_FIX = "import tensorflow as tf\n\ny = tf.compat.v1.nn.relu(tf.constant([1.0]))\n"


def test_a_deprecated_call_blocks_the_commit_with_a_readable_message(project, pre_commit_home):
    work = project("dlmigrate-lint")
    result = commit(work, pre_commit_home, {"model.py": DEPRECATED})
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "dlmigrate lint" in output and "Failed" in output
    assert "model.py:3:5: TF3102 `tf.compat.v1.placeholder` is a TF1 graph input" in output
    assert git(work, "rev-list", "--all", check=False).stdout.strip() == ""  # nothing was committed


def test_fix_hook_rewrites_and_fails_so_the_user_reviews(project, pre_commit_home):
    work = project("dlmigrate-fix")
    result = commit(work, pre_commit_home, {"model.py": SAFE_FIX})
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "files were modified by this hook" in output
    assert (work / "model.py").read_text() == "import tensorflow as tf\n\ny = tf.nn.relu(tf.constant([1.0]))\n"
    # after review the user stages the fix and the commit goes through
    git(work, "add", "model.py")
    again = commit(work, pre_commit_home, {})
    assert again.returncode == 0, again.stdout + again.stderr


def test_files_that_mention_no_framework_pass(project, pre_commit_home):
    work = project("dlmigrate-lint")
    result = commit(work, pre_commit_home, {"util.py": "def add(a, b):\n    return a + b\n",
                                            "pkg/__init__.py": ""})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout + result.stderr


def test_a_commit_without_python_files_passes(project, pre_commit_home):
    work = project("dlmigrate-lint")
    result = commit(work, pre_commit_home, {"README.md": "# notes\n", "data.csv": "a,b\n1,2\n"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(no files to check)Skipped" in result.stdout + result.stderr


def test_split_batches_each_say_their_total_is_the_batchs(project, pre_commit_home):
    """pre-commit splits the files over parallel runs (one per core, at least two here): each run's
    total names its batch, so two "Found" lines do not read as two different totals for the commit."""
    work = project("dlmigrate-lint")
    files = {f"m{index}.py": DEPRECATED for index in range(8)}
    result = commit(work, pre_commit_home, files)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    totals = [line for line in output.splitlines() if line.startswith("Found ")]
    assert totals and all(" of this batch of " in line for line in totals), totals
    # the batches together cover every file exactly once
    assert sum(int(line.split(" of this batch of ")[1].split()[0]) for line in totals) == len(files)
    assert sum(1 for line in output.splitlines() if "TF3102" in line) == len(files)
