"""corpus/tf2_ops (--to torch) and corpus/torch_ops (--to tf): every program converts fully and, run on both
frameworks, computes the same values (rtol 1e-5, atol 1e-6).

The fast part (conversion only) runs in the normal suite; executing every program is marked slow
(about 5 minutes on 2 cores: each program is two framework processes).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from migrate.engine import transform_source
from migrate.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
TF_PROGRAMS = sorted((ROOT / "corpus" / "tf2_ops").glob("*.py"))
TORCH_PROGRAMS = sorted((ROOT / "corpus" / "torch_ops").glob("*.py"))


def test_corpus_sizes():
    assert len(TF_PROGRAMS) >= 15 and len(TORCH_PROGRAMS) >= 5


@pytest.mark.parametrize("path", TF_PROGRAMS + TORCH_PROGRAMS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_program_converts_completely(path):
    ruleset = "tf_to_torch" if path.parent.name == "tf2_ops" else "torch_to_tf"
    result = transform_source(path.read_text(), load_rules([ruleset]))
    rates = [f.message for f in result.findings if "conversion rate" in f.message]
    assert rates and "(100%)" in rates[0], rates
    assert "TODO(TT" not in result.code
    leftover = "import tensorflow" if ruleset == "tf_to_torch" else "import torch"
    assert leftover not in result.code


@pytest.mark.slow
@pytest.mark.parametrize("paths,target", [(["tf2_ops/loss_zoo.py", "tf2_ops/indexing.py"], "torch"),
                                          (["torch_ops/reductions.py"], "tf")])
def test_a_fixed_sample_computes_the_same(paths, target):
    """`make test`'s sample of the validation below: two TF2 programs to torch, one torch program to TF."""
    proc = subprocess.run(
        [sys.executable, "-m", "migrate", "convert", *(f"corpus/{p}" for p in paths), "--to", target, "--no-diff",
         "--validate", "--rtol", "1e-5", "--atol", "1e-6"],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    output = proc.stdout + proc.stderr
    assert f"{len(paths)} of {len(paths)} program" in output and "passed" in output, output[-4000:]


@pytest.mark.slow
@pytest.mark.verify
@pytest.mark.skipif(os.environ.get("DLMIGRATE_VERIFY") != "1",
                    reason="both corpora (about 3 min) are validated in `make verify` (DLMIGRATE_VERIFY=1)")
@pytest.mark.parametrize("folder,target", [("tf2_ops", "torch"), ("torch_ops", "tf")])
def test_converted_corpus_computes_the_same(folder, target):
    proc = subprocess.run(
        [sys.executable, "-m", "migrate", "convert", f"corpus/{folder}", "--to", target, "--no-diff",
         "--validate", "--rtol", "1e-5", "--atol", "1e-6"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800)
    output = proc.stdout + proc.stderr
    count = len(TF_PROGRAMS if folder == "tf2_ops" else TORCH_PROGRAMS)
    assert f"{count} of {count} programs passed" in output, output[-4000:]
