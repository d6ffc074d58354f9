"""Validation overhead: wall time of ``dlmigrate validate`` divided by the time of simply running both programs.

For each pair the "plain" baseline runs the two programs the way a user would, in
two concurrent processes (validate also runs its sides concurrently), with
stdout discarded.  A TF1 original cannot run on TF2 at all, so its plain run gets
the same minimal shim validation uses (tensorflow aliased to
tensorflow.compat.v1 after disable_v2_behavior()).  We also print the ratio
against running the two one after the other.  Each timing is the median of
--repeat runs.  Usage: python benchmarks/bench_validate.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from migrate.convert import ConvertOptions, convert_file  # noqa: E402
from migrate.validate.executor import is_tf1_program, scan_program  # noqa: E402
from migrate.validate.pipeline import ValidateOptions, validate_pair  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "validate"
SHIM = ("import sys, runpy, tensorflow.compat.v1 as tf; tf.disable_v2_behavior(); "
        "sys.modules['tensorflow'] = tf; sys.argv = [sys.argv[1]]; runpy.run_path(sys.argv[0], run_name='__main__')")


def plain_command(program: Path) -> list[str]:
    if is_tf1_program(scan_program(program.read_text(encoding="utf-8"))):
        return [sys.executable, "-c", SHIM, str(program)]
    return [sys.executable, str(program)]


def run_plain(programs: list[Path], concurrent: bool) -> float:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as cwd:
        if concurrent:
            processes = [subprocess.Popen(plain_command(p), cwd=cwd, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL) for p in programs]
            codes = [p.wait() for p in processes]
        else:
            codes = [subprocess.run(plain_command(p), cwd=cwd, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL).returncode for p in programs]
    if any(codes):
        raise RuntimeError(f"plain run failed ({codes}) for {programs}")
    return time.perf_counter() - started


def pairs(work: Path) -> list[tuple[str, Path, Path, ValidateOptions]]:
    options = ConvertOptions(target="tf2-compat")
    rules = options.load_rules()
    found = [("numpy model (no framework)", FIXTURES / "np_model.py", FIXTURES / "np_model.py", ValidateOptions()),
             ("TF Dense vs torch Linear, shared init", FIXTURES / "dense_tf.py", FIXTURES / "dense_torch.py",
              ValidateOptions(share_init=True))]
    for name in ("linear_regression.py", "logistic_regression.py", "softmax_mlp.py"):
        source = ROOT / "corpus" / "tf1" / name
        if not source.is_file():
            continue
        result = convert_file(source, rules, options)
        target = work / name
        target.write_text(result.rewritten or "", encoding="utf-8")
        found.append((f"corpus/tf1/{name} vs tf2-compat", source, target, ValidateOptions()))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'pair':<46} {'verdict':<8} {'validate s':>10} {'plain s':>8} {'ratio':>6} {'serial s':>9} {'ratio':>6}")
    ratios = []
    with tempfile.TemporaryDirectory() as scratch:
        for label, original, rewritten, options in pairs(Path(scratch)):
            validate_times, plain_times, serial_times, verdict = [], [], [], "?"
            for _ in range(args.repeat):
                started = time.perf_counter()
                verdict = validate_pair(original, rewritten, options).verdict.value
                validate_times.append(time.perf_counter() - started)
                plain_times.append(run_plain([original, rewritten], concurrent=True))
                serial_times.append(run_plain([original, rewritten], concurrent=False))
            v, p, s = (statistics.median(t) for t in (validate_times, plain_times, serial_times))
            ratios.append(v / p)
            print(f"{label:<46} {verdict:<8} {v:>10.2f} {p:>8.2f} {v / p:>6.2f} {s:>9.2f} {v / s:>6.2f}")
    print(f"overhead ratio (validate / plain concurrent run), geometric mean: "
          f"{statistics.geometric_mean(ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
