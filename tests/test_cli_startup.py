"""What a one-file ``dlmigrate lint`` loads: only the lint command's module, no TOML parser once the rules are cached."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from migrate.cli import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parent.parent
TORCH_FILE = "import torch\n\nq, r = torch.qr(torch.eye(3))\n"

PROBE = ("import sys\nfrom migrate.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
         "print('LOADED', sorted(m for m in sys.modules if m.startswith('migrate.commands') or m in "
         "('tomllib', 'libcst', 'migrate.convert', 'concurrent.futures')))\n")


def _loaded(tmp_path: Path, *argv: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DLMIGRATE_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("DLMIGRATE_NO_CACHE", None)
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, env=env,
                          cwd=str(tmp_path), timeout=120)
    line = [x for x in done.stdout.splitlines() if x.startswith("LOADED")][-1]
    return eval(line.split(" ", 1)[1])  # noqa: S307 - our own probe's list literal


def test_one_file_lint_imports_only_the_lint_command(tmp_path):
    source = tmp_path / "model.py"
    source.write_text(TORCH_FILE)
    _loaded(tmp_path, "lint", "--no-config", str(source))  # fills the rule cache
    loaded = _loaded(tmp_path, "lint", "--no-config", str(source))
    assert "migrate.commands.lint" in loaded
    assert not {"migrate.commands.convert", "migrate.commands.rules", "migrate.commands.validate",
                "migrate.commands.weights", "migrate.convert", "libcst", "concurrent.futures"} & set(loaded), loaded
    if list((tmp_path / "cache").glob("rules-*.pickle")):  # not stored when a rule file changed seconds ago
        assert "tomllib" not in loaded


def test_help_still_lists_every_command(capsys):
    parser = build_parser()
    help_text = parser.format_help()
    for name in COMMANDS:
        assert name in help_text
    only_lint = build_parser("lint")
    subparsers = [a for a in only_lint._actions if a.__class__.__name__ == "_SubParsersAction"][0]
    assert list(subparsers.choices) == ["lint"]
    assert build_parser("nonsense").format_help() == help_text  # an unknown command: the full parser says so


def test_a_typo_in_the_command_names_the_choices(tmp_path):
    done = subprocess.run([sys.executable, "-m", "migrate", "lnit", "x.py"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=str(tmp_path), timeout=120)
    assert done.returncode == 2
    assert "invalid choice: 'lnit'" in done.stderr and "convert" in done.stderr


def test_the_console_entry_leaves_fast_with_all_output_and_the_exit_code(tmp_path):
    """``cli.run`` ends the process with ``os._exit`` (no interpreter teardown): what the command printed
    must all arrive, piped, and its exit code must be kept, as with ``sys.exit(main())``."""
    for index in range(7):  # enough findings that stdout is flushed in several blocks (one process: < 8 files)
        (tmp_path / f"m{index}.py").write_text(TORCH_FILE * 50)
    argv = ["lint", "--no-config", "--output-format", "json", str(tmp_path)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DLMIGRATE_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-m", "migrate", *argv], capture_output=True, text=True, env=env,
                          cwd=str(tmp_path), timeout=120)
    inside = subprocess.run([sys.executable, "-c", "import sys\nfrom migrate.cli import main\nsys.exit(main(sys.argv[1:]))",
                             *argv], capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=120)
    assert done.returncode == inside.returncode == 1
    assert len(done.stdout) > 64 * 1024 and done.stdout == inside.stdout
    clean = tmp_path / "clean.py"
    clean.write_text("import torch\n\nx = torch.eye(3)\n")
    assert subprocess.run([sys.executable, "-m", "migrate", "lint", "--no-config", str(clean)], env=env,
                          cwd=str(tmp_path), timeout=120, capture_output=True).returncode == 0
