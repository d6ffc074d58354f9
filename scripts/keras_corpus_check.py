"""Convert every corpus/keras program and check each converted model against Keras.

For each file: conversion time, findings, and per model the forward error with
transferred weights and one SGD step (loss, updated weights).  Usage:
    python scripts/keras_corpus_check.py [FILES...]      (default: corpus/keras/*.py)
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from migrate.keras_to_torch.check import check_models  # noqa: E402
from migrate.keras_to_torch.core import convert_source  # noqa: E402


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or sorted((ROOT / "corpus" / "keras").glob("*.py"))
    scratch = Path(tempfile.mkdtemp(prefix="keras-corpus-"))
    totals = {"models": 0, "forward_ok": 0, "step_ok": 0, "not_converted": 0}
    for path in files:
        text = path.read_text(encoding="utf-8")
        started = time.perf_counter()
        result = convert_source(text)
        took = time.perf_counter() - started
        out = scratch / path.name
        out.write_text(result.code, encoding="utf-8")
        left = [i for i in result.issues if not i.fixed]
        totals["not_converted"] += sum(1 for i in left if i.code == "TT2002")
        print(f"{path.name}: {len(result.models)} model(s) converted in {took * 1000:.0f} ms; "
              f"{len(left)} finding(s) left: {sorted({i.code for i in left})}")
        for issue in left:
            print(f"    {issue.code} line {issue.line}: {issue.message}")
        if not result.models:
            continue
        for check in check_models(str(path), str(out), result.manifest()):
            totals["models"] += 1
            totals["forward_ok"] += check.forward_ok
            totals["step_ok"] += bool(check.step_ok)
            print(f"    {check.torch_class}: forward max|err| {check.forward_max_abs:.2e} "
                  f"{'OK' if check.forward_ok else 'FAIL'}; step loss {check.step_loss} max|dw| "
                  f"{check.step_max_abs} {'OK' if check.step_ok else 'FAIL'} {check.error}")
    print(f"TOTAL: {totals}")
    return 0 if totals["models"] == totals["forward_ok"] == totals["step_ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
