"""Prove the TF <-> torch table by execution and record the result as data.

    python scripts/verify_tf_torch_table.py [--device cuda] [--no-cache] [--only NAME ...]

Runs every entry (``migrate.tf_to_torch.proof.verify``), prints counts per direction
and writes ``rules/tf_to_torch/generated/verified.json``, which ``convert`` and
``lint`` read (they never import a framework).  ``dlmigrate rules verify
--ruleset tf_to_torch`` runs the same check and compares it with that file.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from migrate.tf_to_torch.proof import verify  # noqa: E402
from migrate.tf_to_torch.table import load_reverse_table, load_table  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--show", action="store_true", help="print every non-PASS entry")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    folder = ROOT / "rules" / "tf_to_torch" / "generated"
    table, reverse = load_table(str(folder)), load_reverse_table(str(folder))
    started = time.perf_counter()
    names = set(args.only) if args.only else None
    summary, stats, pairs = verify.verify_table(table, reverse, names=names, device=args.device,
                                                cache=None if args.no_cache else verify.default_cache())
    wall = time.perf_counter() - started
    if args.show:
        for direction, book in summary.items():
            for name, outcome in sorted(book.items()):
                if outcome.verdict != "PASS":
                    print(f"{direction:<12} {outcome.verdict:<8} {name}: {outcome.reason[:200]}")
        for name, outcome in sorted(summary["tf_to_torch"].items()):
            if outcome.naive_defeated is False:
                print(f"naive mapping NOT defeated by the examples: {name}")
    print(json.dumps({"counts": verify.counts(summary), "stats": stats, "wall_seconds": round(wall, 2)}))
    if not args.no_write and names is None:
        (folder / "verified.json").write_text(json.dumps(verify.verified_document(summary, stats), indent=1,
                                                         sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
