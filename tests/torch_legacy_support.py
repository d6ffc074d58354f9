"""Run the PyTorch 0.3/0.4-era corpus (corpus/torch_legacy) before and after conversion.

Each program ``corpus/torch_legacy/NAME.py`` has a modern twin written by hand
in ``corpus/torch_legacy/modern/NAME.py``.  The contract, per program:

- the original fails on the installed torch (2.13): it is the reason to convert;
- ``dlmigrate convert --to torch-latest`` output runs;
- its standard output equals the modern twin's, character for character.

``lib_*.py`` files are the project's own modules that programs import (star
imports included); they are converted with the tree, never run on their own.

Run as a script (``python tests/torch_legacy_support.py [NAME ...]``) for a table.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from corpus_support import Run, run_process

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "torch_legacy"
MODERN = CORPUS / "modern"
PYTHON = sys.executable
TIMEOUT_S = 300  # a run takes ~3 s on an idle machine; torch's import alone can take a minute on a loaded one
RUN_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0", "CUDA_VISIBLE_DEVICES": "",
           "PYTHONWARNINGS": "ignore"}


def programs() -> list[str]:
    return sorted(p.stem for p in CORPUS.glob("*.py") if not p.name.startswith("lib_"))


def run_program(path: Path) -> Run:
    env = {**os.environ, **RUN_ENV}
    env.pop("PYTHONPATH", None)  # the program sees only its own folder, as a user's script would
    return run_process([PYTHON, path.name], path.parent, TIMEOUT_S, env)


def convert_corpus(out: Path) -> subprocess.CompletedProcess:
    """The whole tree in one run, as a user would convert a repository (star imports need the tree)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [PYTHON, "-m", "migrate", "convert", str(CORPUS), "--to", "torch-latest", "--out", str(out),
         "--no-diff", "--quiet", "--jobs", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


@dataclass
class Outcome:
    name: str
    original: Run
    converted: Run
    modern: Run

    @property
    def ok(self) -> bool:
        return (self.original.returncode not in (0, 124) and self.converted.returncode == 0 and self.modern.returncode == 0
                and self.converted.stdout == self.modern.stdout and bool(self.modern.stdout))

    def why(self) -> str:
        if self.original.returncode == 0:
            return "the original runs on this torch: it proves nothing"
        if self.original.returncode == 124:
            return "the original timed out: whether it fails is unknown"
        if self.modern.returncode != 0:
            return f"the modern twin fails:\n{self.modern.tail()}"
        if self.converted.returncode != 0:
            return f"the converted program fails:\n{self.converted.tail()}"
        if self.converted.stdout != self.modern.stdout:
            return f"outputs differ:\n--- converted\n{self.converted.stdout}--- modern\n{self.modern.stdout}"
        return "ok"


def check(names: list[str], converted_dir: Path, jobs: int = 2) -> list[Outcome]:
    def one(name: str) -> Outcome:
        return Outcome(name, run_program(CORPUS / f"{name}.py"), run_program(converted_dir / f"{name}.py"),
                       run_program(MODERN / f"{name}.py"))

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, names))


def main(argv: list[str]) -> int:
    names = argv or programs()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "converted"
        start = time.monotonic()
        done = convert_corpus(out)
        print(f"convert exit {done.returncode} in {time.monotonic() - start:.1f}s {done.stderr.strip()[-300:]}")
        outcomes = check(names, out)
    passed = 0
    for o in outcomes:
        passed += o.ok
        print(f"{o.name:24} {'PASS' if o.ok else 'FAIL'}  original exit {o.original.returncode}, "
              f"converted {o.converted.seconds:.1f}s modern {o.modern.seconds:.1f}s")
        if not o.ok:
            print("   ", o.why().replace("\n", "\n    "))
    print(f"{passed} of {len(outcomes)} programs: original fails, converted runs and prints what the modern twin prints")
    return 0 if passed == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
