"""TF -> torch: time to convert one op-level file (fresh process) and to prove the whole table.

    python benchmarks/bench_tf_to_torch.py [--skip-verify]
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILE = ROOT / "corpus" / "tf2_ops" / "loss_zoo.py"


def timed(cmd, env=None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
    return time.perf_counter() - started


def main() -> int:
    convert = [sys.executable, "-m", "migrate", "convert", str(FILE), "--to", "torch", "--no-diff", "--quiet",
               "--jobs", "1"]
    runs = [timed(convert) for _ in range(5)]
    print(f"convert one file ({FILE.name}, fresh process, median of 5): {statistics.median(runs):.3f} s")
    if "--skip-verify" not in sys.argv:
        import os

        with tempfile.TemporaryDirectory() as cache:  # cold cache: every pair executed
            env = dict(os.environ, XDG_CACHE_HOME=cache)
            cold = timed([sys.executable, "-m", "migrate", "rules", "verify", "--ruleset", "tf_to_torch"], env)
            warm = timed([sys.executable, "-m", "migrate", "rules", "verify", "--ruleset", "tf_to_torch"], env)
        print(f"rules verify --ruleset tf_to_torch, whole table: {cold:.1f} s cold cache, {warm:.1f} s cached")
    return 0


if __name__ == "__main__":
    sys.exit(main())
