"""A non-editable install carries its rule data: the wheel holds rules/ as migrate/_rules.

The wheel is built offline (no build isolation; hatchling is a dev dependency)
and used from a directory outside the checkout, so the checkout's rules/
cannot be what is found.
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (built,) = out.glob("dlmigrate-*.whl")
    return built


def test_wheel_contains_every_rule_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "migrate/_rules/" + path.relative_to(ROOT / "rules").as_posix()
        for path in (ROOT / "rules").rglob("*")
        if path.is_file() and path.suffix in (".toml", ".json")
    }
    assert expected, "no rule data in the checkout"
    assert expected <= names, f"missing from the wheel: {sorted(expected - names)[:5]}"


def test_installed_package_loads_its_own_rules(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = (
        "import migrate, migrate.rules as r; from pathlib import Path; "
        "root = r.rules_root(); print(root); "
        "assert Path(migrate.__file__).resolve().is_relative_to(Path(%r).resolve()), migrate.__file__; "
        "assert root.resolve().is_relative_to(Path(%r).resolve()), root; "
        "print(len(r.all_rules()))" % (str(site), str(site))
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) >= 60  # all three rule sets load from the installed copy
    listed = subprocess.run([sys.executable, "-m", "migrate", "rules", "list"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert "TF2002" in listed.stdout and "PT1001" in listed.stdout
