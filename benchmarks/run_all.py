"""Run every benchmark in turn; each prints its own table of times and ratios against its peer.

    .venv/bin/python benchmarks/run_all.py            # all three, with peers
    .venv/bin/python benchmarks/run_all.py lint       # only the named ones

The machines are shared and noisy: compare ratios measured in one run, not
absolute times across runs.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = {
    "lint": ["bench_lint.py"],  # dlmigrate lint vs torchfix, pre-commit style
    "convert": ["bench_convert.py"],  # dlmigrate convert vs tf_upgrade_v2 on a 141k-line tree
    "validate": ["bench_validate.py"],  # validate wall time / plain run of both programs
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    status = 0
    for name in names:
        print(f"\n=== {name}", flush=True)
        status |= subprocess.call([sys.executable, str(HERE / BENCHMARKS[name][0])])
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
