"""The report document (JSON form): schema version, counts, round trip, and --report checks."""
from __future__ import annotations

import json
import subprocess

import pytest

from conftest import dlmigrate_exe
from migrate.report import FORMATS, ReportError, build_document, check_report_path, render, write_report
from migrate.report import document as document_module
from report_support import GRAPH_PROGRAM, VALIDATION, convert_tree


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("tree")
    results, ruleset = convert_tree(root)
    return root, results, ruleset


@pytest.fixture()
def document(converted):
    root, results, ruleset = converted
    return build_document(results, ruleset, command="convert", target="tf2-compat", validation=VALIDATION, root=root)


def by_uri(document, uri):
    return next(f for f in document["files"] if f["uri"] == uri)


def test_schema_version_and_tool(document):
    assert document["schema"] == "dlmigrate-report/1"
    assert document["tool"]["name"] == "dlmigrate"
    assert document["command"] == "convert" and document["target"] == "tf2-compat"


def test_document_matches_its_published_schema(document, converted):
    jsonschema = pytest.importorskip("jsonschema")
    from importlib import resources

    schema = json.loads((resources.files("migrate.report") / "schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["schema"]["const"] == document["schema"]
    validator = jsonschema.Draft202012Validator(schema)
    assert not [e.message for e in validator.iter_errors(document)]
    # the contract is strict enough to notice drift
    drifted = json.loads(json.dumps(document))
    drifted["files"][0]["findings"] = [{"code": "TF2002", "line": 1}]
    assert list(validator.iter_errors(drifted))


def test_json_round_trip_is_lossless(document):
    text = render(document, ".json")
    assert json.loads(text) == document
    # and the renderer adds nothing of its own
    assert render(json.loads(text), ".json") == text


def test_summary_counts_match_the_results(converted, document):
    _, results, _ = converted
    summary = document["summary"]
    assert summary["files"] == len(results) == 4
    assert (summary["changed"], summary["unchanged"], summary["skipped"], summary["failed"]) == (1, 1, 1, 1)
    fixed = sum(1 for r in results for f in r.findings if f.fixed)
    assert summary["edits"] == fixed > 0
    # two tf.contrib uses (model.py and contrib_only.py) stay open as errors; get_variable's behaviour note is a warning
    assert summary["open"]["error"] == 2
    assert summary["open"]["warning"] >= 1
    assert summary["by_rule"]["TF2101"] == {"fixed": 0, "open": 2}
    assert summary["by_rule"]["TF2002"]["fixed"] >= 3
    assert summary["validation"] == {"MISMATCH": 1}


def test_files_carry_findings_diff_sources_and_validation(document):
    model = by_uri(document, "pkg/model.py")
    assert model["status"] == "changed"
    assert model["original"] == GRAPH_PROGRAM
    assert "tf.compat.v1.placeholder" in model["rewritten"]
    assert model["diff"].startswith("--- a/") and "+x = tf.compat.v1.placeholder" in model["diff"]
    lines = [(f["line"], f["column"]) for f in model["findings"]]
    assert lines == sorted(lines)
    first = model["findings"][0]
    assert set(first) == {"code", "message", "severity", "safety", "fixed", "line", "column", "end_line", "end_column",
                          "original_line", "original_column", "cell", "file_line", "fix"}
    assert model["validation"]["verdict"] == "MISMATCH"

    broken = by_uri(document, "pkg/broken.py")
    assert broken["status"] == "failed" and "cannot parse" in broken["error"]

    unrelated = by_uri(document, "pkg/unrelated.py")
    # nothing to review there: no sources carried, so a large tree stays a small report
    assert unrelated["original"] is None and unrelated["diff"] == "" and unrelated["validation"] is None


def test_rules_table_explains_every_code_used(document):
    for code in document["summary"]["by_rule"]:
        rule = document["rules"][code]
        assert rule["explanation"] and rule["summary"]
        assert rule["safety"] in ("safe", "review", "none")
        assert rule["severity"] in ("info", "warning", "error")


def test_large_files_keep_their_diff_but_not_their_sources(converted, monkeypatch):
    root, results, ruleset = converted
    monkeypatch.setattr(document_module, "SOURCE_LIMIT", 50)
    model = by_uri(build_document(results, ruleset, root=root), "pkg/model.py")
    assert model["original"] is None and model["sources_omitted"] is True
    assert "+x = tf.compat.v1.placeholder" in model["diff"]


def test_unknown_extension_is_refused(tmp_path):
    with pytest.raises(ReportError, match="extensions .html, .json, .md, .sarif"):
        check_report_path(tmp_path / "report.txt")
    with pytest.raises(ReportError, match="does not exist"):
        check_report_path(tmp_path / "missing" / "report.md")
    assert set(FORMATS) == {".md", ".html", ".json", ".sarif"}


def test_write_report_picks_the_format_by_extension(tmp_path, document):
    for suffix, probe in ((".json", '"schema": "dlmigrate-report/1"'), (".md", "## dlmigrate convert report"),
                          (".html", "<!DOCTYPE html>"), (".sarif", '"version": "2.1.0"')):
        path = write_report(tmp_path / f"report{suffix}", document)
        assert probe in path.read_text(encoding="utf-8")


def test_cli_refuses_a_bad_report_path_before_touching_files(tmp_path):
    source = tmp_path / "model.py"
    source.write_text(GRAPH_PROGRAM, encoding="utf-8")
    run = subprocess.run(
        [dlmigrate_exe(), "convert", str(source), "--write", "--report", str(tmp_path / "report.pdf")],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert run.returncode == 2
    assert "report format" in run.stderr
    assert source.read_text(encoding="utf-8") == GRAPH_PROGRAM  # nothing was converted
    assert not (tmp_path / "report.pdf").exists()


def test_cli_writes_the_json_report(tmp_path):
    make = tmp_path / "pkg"
    make.mkdir()
    (make / "model.py").write_text(GRAPH_PROGRAM, encoding="utf-8")
    run = subprocess.run(
        [dlmigrate_exe(), "convert", "pkg", "--no-diff", "--report", "out.json"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert run.returncode == 3, run.stderr  # tf.contrib stays: an error-severity finding remains
    document = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert document["schema"] == "dlmigrate-report/1"
    assert [f["uri"] for f in document["files"]] == ["pkg/model.py"]
    assert document["summary"]["open"]["error"] == 1


def test_lint_writes_reports_too(tmp_path):
    (tmp_path / "model.py").write_text(GRAPH_PROGRAM, encoding="utf-8")
    bad = subprocess.run([dlmigrate_exe(), "lint", "model.py", "--report", "lint.docx"], capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 2 and "report format" in bad.stderr
    run = subprocess.run(
        [dlmigrate_exe(), "lint", "model.py", "--target", "tf2-compat", "--report", "lint.json"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert run.returncode == 1, run.stderr  # findings remain
    document = json.loads((tmp_path / "lint.json").read_text(encoding="utf-8"))
    assert document["command"] == "lint" and document["target"] == "tf2-compat"
    (model,) = document["files"]
    codes = {f["code"] for f in model["findings"]}
    assert {"TF2002", "TF2101"} <= codes
    assert not any(f["fixed"] for f in model["findings"])  # lint writes nothing


def test_validation_results_from_the_validator_render(converted, tmp_path):
    """The validator's own result objects (``to_dict``) go into the document and every format shows them."""
    from migrate.validate.results import OutputResult, ProgramResult, SideResult, Verdict

    root, results, ruleset = converted
    side = SideResult(role="original", program="pkg/model.py", status="ok")
    program = ProgramResult(
        label="pkg/model.py", verdict=Verdict.PASS, message="2 outputs agree",
        original=side, rewritten=SideResult(role="rewritten", program="pkg/model.py", status="ok"),
        outputs=(OutputResult("loss", Verdict.PASS, max_abs_error=3e-08, max_rel_error=1e-07),
                 OutputResult("logits", Verdict.PASS, max_abs_error=0.0, max_rel_error=0.0)),
    )
    document = build_document(results, ruleset, validation={"pkg/model.py": program}, root=root)
    assert by_uri(document, "pkg/model.py")["validation"]["verdict"] == "PASS"
    assert document["summary"]["validation"] == {"PASS": 1}
    json.dumps(document)  # still plain JSON
    assert "| `loss` | PASS | 3e-08 | 1e-07 |" in render(document, ".md")
    assert '<td class="num">3e-08</td>' in render(document, ".html")
