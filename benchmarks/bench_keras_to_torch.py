"""Keras -> torch conversion time: in-process per corpus file, and one `dlmigrate convert` process end to end.

Target (issue 10): converting one model file takes < 1 s.
    python benchmarks/bench_keras_to_torch.py
"""
from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from migrate.engine import transform_source  # noqa: E402
from migrate.rules import load_rules, rulesets_for_target  # noqa: E402


def main() -> int:
    ruleset = load_rules(rulesets_for_target("torch"))
    files = sorted((ROOT / "corpus" / "keras").glob("*.py"))
    times = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        best = min(_timed(lambda: transform_source(text, ruleset)) for _ in range(3))
        times.append((best, path.name))
    times.sort()
    print(f"in-process engine pass (--to torch), best of 3, {len(files)} files: median {statistics.median(t for t, _ in times) * 1000:.1f} ms, "
          f"max {times[-1][0] * 1000:.1f} ms ({times[-1][1]})")
    target = ROOT / "corpus" / "keras" / "unet_like.py"
    runs, cpu = [], []
    for _ in range(5):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "migrate", "convert", str(target), "--to", "torch", "--quiet", "--no-diff"],
                       check=False, capture_output=True, cwd=ROOT)
        runs.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    print(f"`dlmigrate convert {target.name} --to torch` (fresh process, interpreter start included): "
          f"median {statistics.median(runs):.3f} s wall, {statistics.median(cpu):.3f} s CPU, of 5 "
          f"(wall exceeds CPU when other processes share the cores)")
    return 0 if statistics.median(cpu) < 1.0 else 1


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
