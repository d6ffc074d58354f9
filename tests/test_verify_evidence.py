"""The heavy evidence, run whole by ``make verify`` and as a fixed sample by ``make test``.

* Corpus validation: ``dlmigrate convert --validate`` EXECUTES each corpus program and its
  conversion and compares every output.  ``make test`` validates a fixed sample of two
  programs; ``make verify`` (``DLMIGRATE_VERIFY=1``) validates all of corpus/tf1.
* ``rules verify``: every rule example's before and after executed and compared.  ``make test``
  verifies a fixed sample of rule codes; ``make verify`` verifies every rule set.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from conftest import dlmigrate_exe
from corpus_support import CORPUS

pytestmark = pytest.mark.slow
WHOLE = os.environ.get("DLMIGRATE_VERIFY") == "1"
needs_verify = pytest.mark.skipif(not WHOLE, reason="the whole run is `make verify` (DLMIGRATE_VERIFY=1)")

# tf.contrib is gone from TF2: these two are ERROR by design (see test_corpus_runtime.CANNOT_RUN)
CANNOT_RUN = {"contrib_layers.py", "contrib_rnn_slim.py"}
CORPUS_SAMPLE = ("linear_regression.py", "variable_scope_reuse.py")
RULES_SAMPLE = ("TF2001", "PT1001")


def _validate_corpus(tmp_path, names):
    tree = tmp_path / "tf1"
    tree.mkdir()
    for name in names:
        shutil.copy(CORPUS / name, tree / name)
    report = tmp_path / "report.json"
    done = subprocess.run([dlmigrate_exe(), "convert", str(tree), "--to", "tf2-compat", "--no-diff", "-q",
                           "--validate", "--device", "cpu", "--report", str(report)],
                          capture_output=True, text=True, timeout=1800)
    document = json.loads(report.read_text())
    verdicts = {os.path.basename(f["path"]): f["validation"]["verdict"] for f in document["files"] if f["validation"]}
    return done, verdicts


def _check_corpus(done, verdicts, names):
    expected = {name: ("ERROR" if name in CANNOT_RUN else "PASS") for name in names}
    assert verdicts == expected, done.stderr[-4000:]


def test_corpus_sample_validates(tmp_path):
    done, verdicts = _validate_corpus(tmp_path, CORPUS_SAMPLE)
    _check_corpus(done, verdicts, CORPUS_SAMPLE)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.verify
@needs_verify
def test_whole_corpus_validates(tmp_path):
    names = sorted(p.name for p in CORPUS.glob("*.py"))
    done, verdicts = _validate_corpus(tmp_path, names)
    _check_corpus(done, verdicts, names)


def _verify_rules(tmp_path, codes):
    report = tmp_path / "verify.json"
    done = subprocess.run([dlmigrate_exe(), "rules", "verify", *codes, "--device", "cpu", "--jobs",
                           str(max(1, min(4, os.cpu_count() or 1))), "--json", str(report)],
                          capture_output=True, text=True, timeout=3600)
    rows = json.loads(report.read_text())
    bad = [f"{row['code']} example {row['example']}: {row['verdict']} {row.get('reason', '')}"
           for row in rows if row["verdict"] not in ("PASS", "NOT RUN")]
    return done, rows, bad


def test_rules_sample_verifies(tmp_path):
    done, rows, bad = _verify_rules(tmp_path, RULES_SAMPLE)
    assert {row["code"][:6] for row in rows} == set(RULES_SAMPLE)
    assert not bad, "\n".join(bad)
    assert done.returncode == 0, done.stdout[-2000:]


@pytest.mark.verify
@needs_verify
def test_every_rule_example_verifies(tmp_path):
    done, rows, bad = _verify_rules(tmp_path, ())
    assert rows and not bad, "\n".join(bad)
    assert done.returncode == 0
