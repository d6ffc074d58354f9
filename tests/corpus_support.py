"""Run corpus programs in subprocesses: TF1 originals under a TF1 shim, converted ones on plain TF2.

TensorFlow 2.21 has no TF1 runtime of its own, but ``tensorflow.compat.v1`` with
v2 behaviour disabled is the TF1 API. Installing that module as ``tensorflow``
before a program's own ``import tensorflow`` lets an unmodified TF1 program run;
its output is the reference a converted program must reproduce.

Run as a script: ``python tests/corpus_support.py PROGRAM.py`` runs PROGRAM under the shim.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "tf1"
PYTHON = sys.executable
PROGRAM_TIMEOUT_S = 120

# Every run, original or converted, gets the same environment: tf.layers needs the
# tf-keras implementation, and one op thread keeps reductions in the same order in
# both runs (and leaves the other core to the parallel run).
RUN_ENV = {
    "TF_USE_LEGACY_KERAS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_DETERMINISTIC_OPS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "CUDA_VISIBLE_DEVICES": "",
}


def corpus_programs() -> list[Path]:
    return sorted(CORPUS.glob("*.py"))


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = 6) -> str:
        return "\n".join(self.stderr.strip().splitlines()[-lines:])

    def describe(self) -> str:
        return (f"exit {self.returncode} after {self.seconds:.1f}s\n--- stdout\n{self.stdout}\n"
                f"--- stderr (tail)\n{self.tail(15)}")


def run_process(argv: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None) -> Run:
    """Run ``argv`` with its output captured (``env``: the whole environment; default this one + RUN_ENV);
    a timeout is exit 124."""
    env = env if env is not None else {**os.environ, **RUN_ENV}
    start = time.monotonic()
    try:
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        return Run(124, out, f"timed out after {timeout}s", time.monotonic() - start)
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - start)


def run_tf1(program: Path, cwd: Path, timeout: float = PROGRAM_TIMEOUT_S) -> Run:
    """Run an unmodified TF1 program under the TF1 shim (this file run as a script)."""
    return run_process([PYTHON, str(Path(__file__).resolve()), str(program.resolve())], cwd, timeout)


def run_tf2(program: Path, cwd: Path, timeout: float = PROGRAM_TIMEOUT_S) -> Run:
    """Run a program as it is, on the installed TensorFlow 2."""
    return run_process([PYTHON, str(program.resolve())], cwd, timeout)


_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)\b")


def outputs_match(expected: str, actual: str, rel: float = 1e-4, abs_: float = 1e-4) -> tuple[bool, str]:
    """Equal text, with numbers compared within a tolerance; returns (match, first difference)."""
    if expected == actual:
        return True, ""
    exp_lines, act_lines = expected.splitlines(), actual.splitlines()
    if len(exp_lines) != len(act_lines):
        return False, f"{len(exp_lines)} lines expected, {len(act_lines)} printed"
    for number, (exp, act) in enumerate(zip(exp_lines, act_lines), 1):
        if _NUMBER.sub("#", exp) != _NUMBER.sub("#", act):
            return False, f"line {number}: {exp!r} != {act!r}"
        for e, a in zip(_NUMBER.findall(exp), _NUMBER.findall(act)):
            ef, af = float(e), float(a)
            if ef != af and not abs(ef - af) <= max(abs_, rel * max(abs(ef), abs(af))):
                return False, f"line {number}: {e} != {a} in {exp!r} / {act!r}"
    return True, ""


def _shim_main(program: str) -> None:
    import runpy

    os.environ.update({k: v for k, v in RUN_ENV.items() if k not in os.environ})
    import tensorflow.compat.v1 as v1

    v1.disable_v2_behavior()
    sys.modules["tensorflow"] = v1
    sys.argv = [program]
    sys.path.insert(0, str(Path(program).resolve().parent))
    runpy.run_path(program, run_name="__main__")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: corpus_support.py TF1_PROGRAM.py")
    _shim_main(sys.argv[1])
