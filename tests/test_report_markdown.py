"""Markdown report for a pull-request comment."""
from __future__ import annotations

import pytest

from migrate.report import build_document, render
from migrate.report import markdown
from report_support import VALIDATION, convert_tree


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    root = tmp_path_factory.mktemp("tree")
    results, ruleset = convert_tree(root)
    return build_document(results, ruleset, command="convert", target="tf2-compat", validation=VALIDATION, root=root)


@pytest.fixture(scope="module")
def text(document):
    return render(document, ".md")


def section(text: str, heading_start: str) -> str:
    start = text.index(heading_start)
    end = text.find("\n### ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def test_summary_table_first(text, document):
    lines = text.splitlines()
    assert lines[0] == "## dlmigrate convert report"
    header = lines.index("| Files | Changed | Unchanged | Failed | Edits applied | Open errors | Open warnings | Open info |")
    summary = document["summary"]
    open_counts = summary["open"]
    assert lines[header + 2] == (
        f"| 4 | 1 | 2 | 1 | {summary['edits']} | {open_counts['error']} | {open_counts['warning']} | {open_counts['info']} |"
    )
    assert open_counts["error"] == 2  # the two tf.contrib uses
    assert header < text.index("### ")


def test_rule_table_counts(text):
    assert "| TF2101 | deprecated-module | error | none | 0 | 2 |" in text


def test_each_file_lists_changes_with_code_safety_and_explanation(text, document):
    model = section(text, "### `pkg/model.py` — changed")
    assert "| 3:5 | TF2002 | info | fixed (safe) | `tf.placeholder` exists only in the TF1 API" in model
    assert "| manual |" in model  # TF2101 has no automatic fix
    explanation_start = document["rules"]["TF2006"]["explanation"].split("\n")[0]
    assert explanation_start in model
    assert "fix safety safe" in model
    assert "```diff" in model and "+y = tf.nn.dropout(tf.matmul(x, w), rate=1 - 0.5)" in model


def test_validation_verdict_and_errors(text):
    model = section(text, "### `pkg/model.py` — changed")
    assert "**Validation:** ❌ MISMATCH" in model
    assert "| `logits` | MISMATCH | 0.125 | 0.5 |" in model
    assert "| `loss` | PASS | 2.5e-08 | 1.1e-07 |" in model
    assert "❌ 1 MISMATCH" in text  # the run summary counts verdicts


def test_failed_and_quiet_files(text):
    broken = section(text, "### `pkg/broken.py` — failed")
    assert "> **Error:**" in broken and "cannot parse" in broken
    assert "`pkg/unrelated.py`" not in text  # no change, no finding: not listed
    assert "1 file without changes or findings not listed." in text


def test_html_and_pipes_cannot_break_the_comment():
    assert markdown.cell("a <script>x</script> | b") == "a &lt;script&gt;x&lt;/script&gt; \\| b"
    # code spans are shown literally by GitHub, so they stay as written (pipes still escaped for tables)
    assert markdown.cell("use `a|b` or <b>") == "use `a\\|b` or &lt;b&gt;"
    assert markdown.code("x`y") == "``x`y``"
    assert markdown.fenced("```\nnested\n```", "diff").startswith("````diff\n")


def test_fits_a_github_comment(document, monkeypatch):
    monkeypatch.setattr(markdown, "BUDGET", 3000)
    text = markdown.render(document)
    assert len(text) <= 3000 + 400
    assert "Diffs left out to fit a comment" in text
    assert "```diff" not in text


def test_many_outputs_show_the_worst_first(document):
    outputs = [{"name": f"out{i}", "verdict": "PASS", "max_abs_error": i * 1e-9, "max_rel_error": 0.0} for i in range(20)]
    outputs.insert(7, {"name": "bad", "verdict": "MISMATCH", "max_abs_error": 0.5, "max_rel_error": 1.0})
    many = dict(document, files=[dict(f, validation={"verdict": "MISMATCH", "outputs": outputs}) if f["uri"] == "pkg/model.py" else f
                                 for f in document["files"]])
    text = markdown.render(many)
    rows = [line for line in text.splitlines() if line.startswith("| `out") or line.startswith("| `bad")]
    assert rows[0].startswith("| `bad` | MISMATCH | 0.5 |")
    assert rows[1].startswith("| `out19` |")  # then the largest errors
    assert len(rows) == markdown.OUTPUTS_SHOWN
    assert "| … 13 more (see the HTML or JSON report) | | | |" in text
    assert "21 outputs compared (1 MISMATCH, 20 PASS); largest abs error 0.5, largest rel error 1." in text
