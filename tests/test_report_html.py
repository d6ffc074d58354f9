"""HTML report: self-contained, escaped, and working in a real headless Chromium."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from migrate.report import build_document, render, write_report
from migrate.report.html import _line_html
from migrate.report.highlight import line_spans
from report_support import VALIDATION, convert_tree

ARTIFACTS = Path(os.environ.get("DLMIGRATE_TEST_ARTIFACTS", "")) if os.environ.get("DLMIGRATE_TEST_ARTIFACTS") else None


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    root = tmp_path_factory.mktemp("tree")
    results, ruleset = convert_tree(root)
    return build_document(results, ruleset, command="convert", target="tf2-compat", validation=VALIDATION, root=root)


@pytest.fixture(scope="module")
def page(document):
    return render(document, ".html")


def test_self_contained(page):
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page and not re.search(r"\ssrc\s*=", page)
    assert "@import" not in page and "url(" not in page
    assert all(link.startswith("#") for link in re.findall(r'href="([^"]*)"', page))  # in-page links only
    from migrate.report.html import CSS, JS

    assert "//" not in CSS and "http" not in JS and "fetch(" not in JS and "XMLHttpRequest" not in JS
    assert page.count("<style>") == 1 and page.count("<script>") == 1


def test_user_text_is_escaped(page):
    # the converted file holds  label = "<script>alert('x')</script> & | pipes"
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; | pipes" in page or \
        "&lt;script&gt;alert('x')&lt;/script&gt; &amp; | pipes" in page
    # and a validation note with markup is shown as text
    assert "&lt;b&gt;shapes&lt;/b&gt; agree" in page


def test_side_by_side_rows_with_highlighting_and_changed_words(page):
    assert '<table class="code sbs">' in page
    assert '<span class="k">import</span>' in page
    assert '<span class="s">&quot;w&quot;</span>' in page or '<span class="s">"w"</span>' in page
    # only the changed words are marked, whole identifiers at a time
    assert '<span class="x">keep_prob</span>' in page
    assert re.search(r'<span class="[a-z ]*x">rate</span>', page)


def test_findings_annotated_with_rule_explanation_and_safety(page, document):
    for finding in document["files"][2]["findings"]:
        assert f'data-code="{finding["code"]}"' in page
    assert 'class="badge safety-safe"' in page and 'class="badge safety-none"' in page
    assert 'id="rule-TF2006"' in page
    assert "<details><summary>why</summary>" in page
    explanation_words = document["rules"]["TF2301"]["explanation"].split()[:4]
    assert " ".join(explanation_words).replace("`", "") in re.sub(r"</?code>", "", page)


def test_validation_evidence(page):
    assert "<th>max abs error</th>" in page
    assert '<td class="num">0.125</td>' in page
    assert 'class="badge verdict-mismatch">MISMATCH' in page


def test_highlighter_survives_broken_code():
    spans = line_spans('x = "unterminated\n  def (\n')
    assert len(spans) == 2
    assert _line_html("a <b> & c", [], [(2, 5)]) == 'a <span class="x">&lt;b&gt;</span> &amp; c'


# -- in a real browser


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def run_chromium(browser: str, tmp_path: Path, url: str, *flags: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    command = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
        f"--user-data-dir={profile}", *flags, url,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def browser():
    found = chromium()
    if found is None:
        pytest.skip("no Chromium: `make test` installs Debian's chromium package where apt-get can")
    return found


def test_dom_after_the_script_ran(browser, document, tmp_path):
    report = write_report(tmp_path / "report.html", document)
    run = run_chromium(browser, tmp_path, report.as_uri(), "--dump-dom")
    dom = run.stdout
    assert "<html" in dom, run.stderr[-2000:]
    # the filter controls exist only once the script has built them from the findings on the page
    rule_boxes = re.findall(r'<input type="checkbox" value="(TF\d+)"', dom)
    assert {"TF2002", "TF2006", "TF2101", "TF2201", "TF2301"} <= set(rule_boxes)
    assert re.search(r'<input type="checkbox" value="error">', dom)
    total = len(re.findall(r'<div class="finding ', dom))
    assert f"Showing {total} of {total} findings in 3 of 3 files." in dom
    # the controls are hidden in the page as written (useless without JS) and shown by the script
    assert '<section id="filters" class="filters" aria-label="filters" hidden>' in render(document, ".html")
    assert re.search(r'<section id="filters" class="filters" aria-label="filters">', dom)


def test_filter_preset_from_the_url_hides_other_findings(browser, document, tmp_path):
    report = write_report(tmp_path / "report.html", document)
    run = run_chromium(browser, tmp_path, report.as_uri() + "#rule=TF2101", "--dump-dom")
    dom = run.stdout
    assert "<html" in dom, run.stderr[-2000:]
    total = len(re.findall(r'<div class="finding ', dom))
    # two tf.contrib findings (model.py, contrib_only.py) stay; the failed file has none and is hidden
    assert f"Showing 2 of {total} findings in 2 of 3 files." in dom
    hidden = re.findall(r'<div class="finding [^"]*\bhidden\b[^"]*" data-code="(TF\d+)"', dom)
    assert {"TF2002", "TF2006", "TF2201", "TF2301"} <= set(hidden) and "TF2101" not in hidden
    assert re.search(r'<section class="file filtered-out" id="file-0"', dom)  # broken.py


def test_screenshot(browser, document, tmp_path):
    report = write_report(tmp_path / "report.html", document)
    shot = tmp_path / "report.png"
    run = run_chromium(browser, tmp_path, report.as_uri(), f"--screenshot={shot}", "--window-size=1400,1600")
    assert shot.exists(), run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a blank page compresses to a few KB
    if ARTIFACTS is not None:  # keep it for a person to look at
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, ARTIFACTS / "report.png")
        shutil.copy(report, ARTIFACTS / "report.html")


def test_many_outputs_fold_after_the_worst(document):
    from migrate.report import html

    outputs = [{"name": f"out{i}", "verdict": "PASS", "max_abs_error": 0.0} for i in range(30)]
    outputs.append({"name": "late", "verdict": "ERROR", "message": "crashed"})
    page = html._validation({"verdict": "ERROR", "outputs": outputs})
    assert page.index("<code>late</code>") < page.index("<code>out0</code>")
    assert f"<details><summary>{31 - html.OUTPUTS_SHOWN} more outputs</summary>" in page
    assert "31 outputs compared" in page
