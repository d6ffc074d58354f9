"""Reports a reviewer trusts (issue 13): notebooks cell by cell in HTML, a filter by fix applicability,
a relative header path, Markdown that keeps the most severe files when cut, the findings' own
severities, and wording that agrees in number."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from migrate.convert import ConvertOptions, convert_paths
from migrate.report import build_document, markdown, render, write_report
from migrate.report.html import _of_the, _shown_root
from report_support import convert_tree

NOTEBOOK_CELLS = [
    "%matplotlib inline\nimport tensorflow as tf\n",
    "print('plain python')\n",
    "x = tf.placeholder(tf.float32)\ny = tf.log(x)\n",
    "z = tf.contrib.layers.flatten(x)\n",
]


def notebook_text() -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [],
                                  "execution_count": None} for c in NOTEBOOK_CELLS],
                       "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
                       "nbformat": 4, "nbformat_minor": 5}, indent=1)


@pytest.fixture(scope="module")
def notebook_document(tmp_path_factory):
    root = tmp_path_factory.mktemp("nb")
    (root / "train.ipynb").write_text(notebook_text(), encoding="utf-8")
    options = ConvertOptions(target="tf2-compat")
    ruleset = options.load_rules()
    results = list(convert_paths([root], options, 1, ruleset))
    return build_document(results, ruleset, command="convert", target="tf2-compat", root=root)


def cell_blocks(page: str) -> dict[int, str]:
    starts = [(int(m.group(1)), m.start()) for m in re.finditer(r'<div class="cell" data-cell="(\d+)">', page)]
    ends = [start for _, start in starts[1:]] + [page.index("</section>", starts[-1][1])]
    return {index: page[start:end] for (index, start), end in zip(starts, ends)}


def test_html_shows_a_notebook_cell_by_cell_with_findings_on_their_lines(notebook_document):
    page = render(notebook_document, ".html")
    blocks = cell_blocks(page)
    assert sorted(blocks) == [1, 3, 4], "cells with changes or findings, each once; cell 2 is folded away"
    assert "1 other code cell without changes or findings." in page
    assert '"cells"' not in page and "nbformat" not in page, "no raw notebook JSON"
    # cell 3 (code cells count from 1): side by side, the TF2002 finding right under its own line
    assert '<h3 class="cell-title">cell 3 (changed)</h3>' in blocks[3]
    assert "tf.compat.v1.placeholder" in blocks[3]
    rows = re.findall(r"<tr[^>]*>.*?</tr>", blocks[3])
    placeholder_row = next(i for i, row in enumerate(rows) if "placeholder" in row)
    assert 'data-code="TF2002"' in rows[placeholder_row + 1]
    # the heading names the cell; each finding's position reads cell N:line:column
    assert re.search(r'<span class="where">cell 3:1:5</span>', blocks[3])
    # cell 4: unchanged, with its open error finding on line 1
    assert 'data-code="TF2101"' in blocks[4] and "(changed)" not in blocks[4]


def test_html_filters_by_fix_applicability(notebook_document):
    page = render(notebook_document, ".html")
    assert '<div class="filter-group" id="filter-fix">' in page
    fixes = set(re.findall(r'data-fix="(\w+)"', page))
    assert {"safe", "none"} <= fixes


def test_html_header_path_is_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "proj").mkdir()
    assert _shown_root(str(tmp_path / "proj")) == "proj"
    assert _shown_root(str(tmp_path)) == "."
    assert _shown_root("/somewhere/else/entirely") == "entirely"
    root = tmp_path / "tree"
    results, ruleset = convert_tree(root)
    page = render(build_document(results, ruleset, command="convert", root=root), ".html")
    assert "in <code>tree</code>" in page and str(tmp_path) not in page.split("</header>")[0]


def test_wording_agrees_in_number():
    assert _of_the(1, 380, "edit") == "1 of the 380 edits is"
    assert _of_the(2, 380, "edit") == "2 of the 380 edits are"
    assert _of_the(1, 1, "edit") == "the edit is"


def test_markdown_cut_keeps_the_most_severe_files(tmp_path, monkeypatch):
    tree = tmp_path / "pkg"
    tree.mkdir()
    # alphabetically first, but only fixed edits: the first to go when the comment is cut
    for index in range(6):
        (tree / f"a{index}_clean.py").write_text("import tensorflow as tf\ny = tf.log(2.0)\n" * 20)
    (tree / "z_contrib.py").write_text("import tensorflow as tf\nz = tf.contrib.layers.flatten(x)\n")
    options = ConvertOptions(target="tf2-compat")
    ruleset = options.load_rules()
    document = build_document(list(convert_paths([tree], options, 1, ruleset)), ruleset, root=tmp_path)
    full = markdown.render(document)
    monkeypatch.setattr(markdown, "BUDGET", len(full) // 3)
    text = markdown.render(document)
    assert len(text) < len(full) and "left out to fit a comment" in text
    assert "z_contrib.py" in text, "the file with an open error was dropped"
    assert text.index("z_contrib.py") < text.index("a0_clean.py") if "a0_clean.py" in text else True


def test_markdown_severity_column_shows_the_findings_severities(tmp_path):
    results, ruleset = convert_tree(tmp_path)
    document = build_document(results, ruleset, command="convert", root=tmp_path)
    text = markdown.render(document)
    # TF2201 has warning and info entries (get_variable vs global_variables_initializer)
    row = next(line for line in text.splitlines() if line.startswith("| TF2201 |"))
    assert row.split("|")[3].strip() == "warning, info"


def test_review_share_wording_in_markdown(tmp_path):
    (tmp_path / "m.py").write_text("import torch\na = torch.ones(2, 2)\nv, w = torch.symeig(a, eigenvectors=True)\n"
                                   "from torch.autograd import Variable\nx = Variable(torch.ones(2))\n")
    options = ConvertOptions(target="torch-latest")
    ruleset = options.load_rules()
    document = build_document(list(convert_paths([tmp_path], options, 1, ruleset)), ruleset, root=tmp_path)
    text = markdown.render(document)
    assert re.search(r"1 of the \d+ edits is marked \*\*review\*\*", text), text[:800]
    assert "check it before merging" in text


# -- the same notebook view in a real headless Chromium (tests/test_report_html.py has the browser helpers)


def test_notebook_cells_in_a_real_browser(notebook_document, tmp_path):
    from test_report_html import chromium, run_chromium

    browser = chromium()
    if browser is None:
        pytest.skip("no Chromium: `make test` installs Debian's chromium package where apt-get can")
    report = write_report(tmp_path / "report.html", notebook_document)
    run = run_chromium(browser, tmp_path, report.as_uri() + "#fix=none", "--dump-dom")
    dom = run.stdout
    assert "<html" in dom, run.stderr[-2000:]
    # the script built a Fix filter from the findings and applied the preset: only report-only findings show
    assert re.search(r'<input type="checkbox" value="review"|<input type="checkbox" value="safe">', dom)
    visible = re.findall(r'<div class="finding (?![^"]*hidden)[^"]*" data-code="(\w+)"', dom)
    assert visible and set(visible) == {"TF2101"}, visible
    assert re.search(r'<div class="cell" data-cell="4">', dom) and re.search(r'<div class="cell" data-cell="3">', dom)
    total = len(re.findall(r'<div class="finding ', dom))
    assert f"Showing {len(visible)} of {total} findings in 1 of 1 files." in dom
