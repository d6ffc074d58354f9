"""Converted corpus programs must print exactly what the TF1 originals print.

Each program in corpus/tf1 runs twice, in its own subprocess: unmodified under
the TF1 shim (tests/corpus_support.py) and as converted by
``dlmigrate convert --to tf2-compat`` on plain TensorFlow 2.21. Their standard
outputs (rounded numbers, shapes, names) must agree. All runs happen once per
session, two at a time, because each one pays TensorFlow's start-up.
"""
from __future__ import annotations

import json
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import dlmigrate_exe
from corpus_support import CORPUS, Run, corpus_programs, outputs_match, run_tf1, run_tf2

pytestmark = pytest.mark.slow

# tf.contrib is gone from TF2, compat.v1 included: no conversion makes these run.
# dlmigrate must say so with an error-severity finding instead.
CANNOT_RUN = {
    "contrib_layers.py": "tf.contrib.layers (fully_connected, xavier_initializer, l2_regularizer) has no TF2 module",
    "contrib_rnn_slim.py": "tf.contrib.rnn and tf.contrib.slim have no TF2 module",
}

# Converted programs that do not yet reproduce the original: dlmigrate gaps, kept
# visible as strict xfails so fixing the gap turns them into failures to update.
KNOWN_GAPS: dict[str, str] = {}

# Error-severity findings on programs whose conversion runs and matches: each one
# is a claim the run disproves for this program, listed with why it is still raised.
DISPUTED_ERRORS: dict[tuple[str, str], str] = {}

ALL_PROGRAMS = [p.name for p in corpus_programs()]
# Every program runs twice, each paying TensorFlow's start-up: the whole corpus is `make verify`
# (DLMIGRATE_VERIFY=1); `make test` runs this fixed sample (graph mode, tf.layers, tf.data iterators,
# variable_scope reuse, Saver, and both tf.contrib programs).
SAMPLE = ("linear_regression.py", "tf_layers.py", "dataset_iterators.py", "variable_scope_reuse.py",
          "saver_restore.py", "contrib_layers.py", "contrib_rnn_slim.py")
WHOLE = os.environ.get("DLMIGRATE_VERIFY") == "1"
PROGRAMS = ALL_PROGRAMS if WHOLE else [name for name in ALL_PROGRAMS if name in SAMPLE]


@dataclass
class CorpusRuns:
    findings: dict[str, list[dict]]
    original: dict[str, Run]
    converted: dict[str, Run]
    convert_exit: int
    converted_dir: Path
    seconds: float


@pytest.fixture(scope="session")
def corpus_runs(tmp_path_factory) -> CorpusRuns:
    start = time.monotonic()
    out = tmp_path_factory.mktemp("converted")
    report = out.parent / "corpus_report.json"
    converted_dir = out / "tf1"
    done = subprocess.run(
        [dlmigrate_exe(), "convert", str(CORPUS), "--to", "tf2-compat", "--out", str(converted_dir),
         "--no-diff", "--quiet", "--report", str(report)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode in (0, 3), done.stderr
    files = json.loads(report.read_text())["files"]
    findings = {Path(f["path"]).name: f["findings"] for f in files}

    work = out.parent / "work"
    work.mkdir()
    jobs = []
    for name in PROGRAMS:
        jobs.append(("original", name, CORPUS / name))
        if name not in CANNOT_RUN:
            jobs.append(("converted", name, converted_dir / name))
    results: dict[str, dict[str, Run]] = {"original": {}, "converted": {}}

    def execute(job):
        kind, name, path = job
        run = run_tf1(path, work) if kind == "original" else run_tf2(path, work)
        return kind, name, run

    with ThreadPoolExecutor(max_workers=2) as pool:
        for kind, name, run in pool.map(execute, jobs):
            results[kind][name] = run
    seconds = time.monotonic() - start
    print(f"\ncorpus runtime: {len(jobs)} program runs in {seconds:.1f}s")
    return CorpusRuns(findings, results["original"], results["converted"], done.returncode, converted_dir, seconds)


def test_corpus_is_large_enough_and_has_the_demo_program():
    assert len(ALL_PROGRAMS) >= 25
    assert "linear_regression.py" in ALL_PROGRAMS and set(SAMPLE) <= set(ALL_PROGRAMS)
    assert set(CANNOT_RUN) <= set(PROGRAMS) and set(KNOWN_GAPS) <= set(ALL_PROGRAMS)


def _params():
    params = []
    for name in PROGRAMS:
        if name in CANNOT_RUN:
            continue
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[name])] if name in KNOWN_GAPS else []
        params.append(pytest.param(name, marks=marks, id=name[:-3]))
    return params


@pytest.mark.parametrize("name", _params())
def test_converted_program_prints_what_the_original_prints(corpus_runs, name):
    original = corpus_runs.original[name]
    assert original.ok, f"the TF1 original must run under the shim: {original.describe()}"
    assert original.stdout.strip(), "a corpus program must print its results"
    converted = corpus_runs.converted[name]
    assert converted.ok, f"converted program failed: {converted.describe()}"
    match, difference = outputs_match(original.stdout, converted.stdout)
    assert match, f"{difference}\n--- original\n{original.stdout}--- converted\n{converted.stdout}"


@pytest.mark.parametrize("name", sorted(CANNOT_RUN), ids=lambda n: n[:-3])
def test_contrib_program_gets_error_findings_and_cannot_run_anywhere(corpus_runs, name):
    errors = [f for f in corpus_runs.findings[name] if f["severity"] == "error" and not f["fixed"]]
    assert errors, f"{name}: {CANNOT_RUN[name]}, so convert must report an error finding"
    assert all(f["code"] == "TF2101" for f in errors)
    assert all("contrib" in f["message"] for f in errors)
    assert corpus_runs.convert_exit == 3, "error findings left must give convert's exit code 3"
    original = corpus_runs.original[name]
    assert not original.ok and "contrib" in original.stderr, (
        f"{name} is listed as unable to run on TF2, but the original did: {original.describe()}"
    )


def test_programs_that_should_run_produce_no_error_findings(corpus_runs):
    errors = {
        (name, f["code"]): f"{f['line']}: {f['code']} {f['message']}"
        for name, found in corpus_runs.findings.items()
        if name not in CANNOT_RUN
        for f in found
        if f["severity"] == "error"
    }
    assert {key: text for key, text in errors.items() if key not in DISPUTED_ERRORS} == {}
    assert [key for key in DISPUTED_ERRORS if key not in errors] == [], "no longer reported: drop from DISPUTED_ERRORS"
