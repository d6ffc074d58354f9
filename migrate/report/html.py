"""HTML: one self-contained page (inline CSS and JS, no network) for reviewing a run.

Per file a side-by-side diff with Python highlighting and changed characters
marked, each finding shown under the original line it was reported at, filters
by rule, severity and state, and the validation evidence.  Every piece of user
text goes through ``escape``; the page loads nothing from anywhere.

The filters can be preset from the URL fragment, e.g.
``report.html#rule=TF2002,TF2006&severity=error,warning&state=open&fix=review``
(``fix``: the applicability of the finding's fix, safe, review or none).
"""
from __future__ import annotations

import difflib
import re
from html import escape
from typing import Any, Iterable, Mapping

from migrate.report.document import SEVERITIES, fix_title, output_stats, ranked_outputs, verdict_of, worst_verdict
from migrate.report.highlight import Span, line_spans, physical_lines

CONTEXT = 3  # unchanged lines shown around a change or a finding
FOLD_KEEP_LIMIT = 400
OUTPUTS_SHOWN = 8  # validation outputs listed before the rest fold away, worst first
ALIGN_LIMIT = 2500  # line pairs compared to align a block of replaced lines; larger blocks pair in order  # longer runs of unchanged lines are summarised, not embedded
_CODE_SPAN = re.compile(r"`([^`]+)`")
_WORD = re.compile(r"\w+|\s+|[^\w\s]")


def render(document: Mapping[str, Any]) -> str:
    files = document["files"]
    listed = [(number, f) for number, f in enumerate(files) if _listed(f)]
    title = f"dlmigrate {document['command']} report"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        _header(document, title),
        _filters(),
        _index(listed),
        '<main id="files">',
        *(_file_section(document, number, file) for number, file in listed),
        "</main>",
        _rules_section(document),
        f"<script>{JS}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _listed(file: Mapping[str, Any]) -> bool:
    return file["status"] in ("changed", "failed") or bool(file["findings"]) or bool(file.get("validation"))


# -- page parts


def _header(document: Mapping[str, Any], title: str) -> str:
    summary = document["summary"]
    meta = [f"dlmigrate {document['tool']['version']}"]
    if document.get("target"):
        meta.append(f"target <code>{escape(document['target'])}</code>")
    meta.append(f"in <code>{escape(_shown_root(document['root']))}</code>")
    cards = [
        ("files", summary["files"], ""),
        ("changed", summary["changed"], "st-changed"),
        ("unchanged", summary["unchanged"] + summary["skipped"], ""),
        ("failed", summary["failed"], "st-failed" if summary["failed"] else ""),
        ("edits applied", summary["edits"], ""),
    ]
    cards += [(f"open {severity}", summary["open"][severity], f"sev-{severity}" if summary["open"][severity] else "") for severity in SEVERITIES]
    out = [
        "<header>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{" · ".join(meta)}</p>',
        '<div class="cards">',
        *(f'<div class="card {css}"><span class="num">{value}</span><span class="label">{escape(label)}</span></div>' for label, value, css in cards),
        "</div>",
    ]
    if summary["fixed_by_safety"].get("review"):
        out.append(
            f'<p class="note"><span class="badge safety-review">review</span> {_of_the(summary["fixed_by_safety"]["review"], summary["edits"], "edit")} '
            f'the documented replacement but may change behaviour; check {"it" if summary["fixed_by_safety"]["review"] == 1 else "them"}.</p>'
        )
    if summary.get("validation"):
        verdicts = " ".join(
            f'<span class="badge verdict-{escape(v.lower())}">{escape(v)} {n}</span>' for v, n in summary["validation"].items()
        )
        out.append(f'<p class="validation-summary">Validation (programs run before and after, outputs compared): {verdicts}</p>')
    out.append("</header>")
    return "\n".join(out)


def _shown_root(root: str) -> str:
    """The root as a reader of a shared report wants it: relative to the working directory when it is
    inside it ("." for the directory itself), else only its last component (no home directory paths)."""
    import os

    try:
        relative = os.path.relpath(root)
    except ValueError:
        return os.path.basename(root.rstrip("/")) or root
    if relative == os.curdir or not relative.startswith(os.pardir):
        return relative
    return os.path.basename(root.rstrip("/")) or root


def _filters() -> str:
    # Filled in by the script from the findings on the page; without JS everything is simply shown.
    return (
        '<section id="filters" class="filters" aria-label="filters" hidden>'
        '<div class="filter-group" id="filter-rule"><span class="filter-title">Rule</span></div>'
        '<div class="filter-group" id="filter-severity"><span class="filter-title">Severity</span></div>'
        '<div class="filter-group" id="filter-state"><span class="filter-title">State</span></div>'
        '<div class="filter-group" id="filter-fix"><span class="filter-title">Fix</span></div>'
        '<p id="filter-count" class="filter-count">All findings shown.</p>'
        "</section>"
    )


def _index(listed: list[tuple[int, Mapping[str, Any]]]) -> str:
    if not listed:
        return '<p class="empty">No file has changes or findings.</p>'
    rows = []
    for number, file in listed:
        counts = _severity_counts(file)
        rows.append(
            f'<tr data-file="file-{number}"><td><a href="#file-{number}">{escape(file["uri"])}</a></td>'
            f'<td><span class="badge st-{escape(file["status"])}">{escape(file["status"])}</span></td>'
            f'<td class="num">{sum(1 for f in file["findings"] if f["fixed"])}</td>'
            + "".join(f'<td class="num">{counts[s]}</td>' for s in SEVERITIES)
            + f"<td>{_verdict_badge(file)}</td></tr>"
        )
    head = "<tr><th>file</th><th>status</th><th>fixed</th>" + "".join(f"<th>open {s}</th>" for s in SEVERITIES) + "<th>validation</th></tr>"
    return (
        f'<nav class="index"><details open><summary>Files with changes, findings or errors ({len(listed)})</summary>'
        f'<div class="index-scroll"><table><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table></div></details></nav>'
    )


def _severity_counts(file: Mapping[str, Any]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in file["findings"]:
        if not finding["fixed"]:
            counts[finding["severity"]] = counts.get(finding["severity"], 0) + 1
    return counts


def _verdict_badge(file: Mapping[str, Any]) -> str:
    if not file.get("validation"):
        return ""
    verdict = worst_verdict(file["validation"])
    return f'<span class="badge verdict-{escape(verdict.lower())}">{escape(verdict)}</span>'


def _file_section(document: Mapping[str, Any], number: int, file: Mapping[str, Any]) -> str:
    fixed = sum(1 for f in file["findings"] if f["fixed"])
    out = [
        f'<section class="file" id="file-{number}" data-path="{escape(file["uri"])}">',
        f'<h2><span class="path">{escape(file["uri"])}</span> <span class="badge st-{escape(file["status"])}">{escape(file["status"])}</span>'
        f' <span class="counts">{_plural(len(file["findings"]), "finding")}, {fixed} fixed</span> {_verdict_badge(file)}</h2>'
        if file["findings"] else f' {_verdict_badge(file)}</h2>',
    ]
    if file.get("error"):
        out.append(f'<div class="error">{escape(file["error"])}</div>')
    if file.get("validation"):
        out.append(_validation(file["validation"]))
    cells = _notebook_cells(file) if file.get("notebook") and file.get("original") is not None else None
    if cells is not None:
        out.append(_notebook_html(document, file, cells))
    elif file.get("notebook") and file["findings"]:
        out.append('<p class="note">Notebook: positions read cell N:line:column, N counting code cells from 1.</p>')
        out.append('<div class="file-findings">' + _findings_html(document, file["findings"]) + "</div>")
    if cells is not None:
        pass
    elif file.get("original") is not None:
        located = [] if file.get("notebook") else file["findings"]
        out.append(_code_table(document, file["original"], file.get("rewritten"), located))
    elif file.get("diff"):
        note = "Too large for a side-by-side view; the unified diff follows." if file.get("sources_omitted") else ""
        out.append(f'<p class="note">{note}</p><pre class="udiff">{escape(file["diff"])}</pre>')
        if file["findings"] and not file.get("notebook"):
            out.append('<div class="file-findings">' + _findings_html(document, file["findings"]) + "</div>")
    elif file["findings"] and not file.get("notebook"):
        out.append('<div class="file-findings">' + _findings_html(document, file["findings"]) + "</div>")
    out.append("</section>")
    return "\n".join(out)


_CELL_PREFIX = re.compile(r"^cell (\d+): ")


def _cell_of(finding: Mapping[str, Any]) -> int | None:
    """The notebook code cell a finding is in (1-based, counting code cells: ruff's ``cell N``)."""
    return finding["cell"] if isinstance(finding.get("cell"), int) else None


def _notebook_cells(file: Mapping[str, Any]) -> list[tuple[int, str, str]] | None:
    """(code cell number from 1, original source, converted source) of every code cell, or None when the
    notebook JSON cannot be read (the page then falls back to the list of findings)."""
    import json

    try:
        old = json.loads(file["original"])["cells"]
        new = json.loads(file.get("rewritten") or file["original"])["cells"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(old, list) or not isinstance(new, list) or len(old) != len(new):
        return None

    def text(cell) -> str:
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        return "".join(source) if isinstance(source, list) else str(source)

    pairs = [(a, b) for a, b in zip(old, new) if isinstance(a, dict) and a.get("cell_type") == "code"]
    return [(number, text(a), text(b)) for number, (a, b) in enumerate(pairs, start=1)]


def _notebook_html(document: Mapping[str, Any], file: Mapping[str, Any], cells: list[tuple[int, str, str]]) -> str:
    """A notebook cell by cell, each like a .py file: its own side-by-side table with the findings
    under the line they were reported at (lines count within the cell)."""
    by_cell: dict[int | None, list[Mapping[str, Any]]] = {}
    for finding in file["findings"]:
        by_cell.setdefault(_cell_of(finding), []).append(finding)
    out = ['<div class="notebook">']
    quiet = 0
    for index, old, new in cells:
        findings = by_cell.pop(index, [])
        if old == new and not findings:
            quiet += 1
            continue
        shown = [dict(f, message=_CELL_PREFIX.sub("", f.get("message", ""), count=1)) for f in findings]
        out.append(f'<div class="cell" data-cell="{index}"><h3 class="cell-title">cell {index}'
                   f'{" (changed)" if old != new else ""}</h3>')
        out.append(_code_table(document, old, new, shown))
        out.append("</div>")
    if quiet:
        out.append(f'<p class="note">{_plural(quiet, "other code cell")} without changes or findings.</p>')
    leftovers = [f for findings in by_cell.values() for f in findings]
    if leftovers:
        out.append('<div class="file-findings">' + _findings_html(document, leftovers) + "</div>")
    out.append("</div>")
    return "\n".join(out)


def _of_the(part: int, whole: int, noun: str) -> str:
    """``1 of the 380 edits is``, ``2 of the 380 edits are``, ``the 1 edit is``."""
    verb = "is" if part == 1 else "are"
    if part == whole:
        return f"the {_plural(whole, noun)} {verb}" if whole != 1 else f"the {noun} {verb}"
    return f"{part} of the {_plural(whole, noun)} {verb}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _validation(validation: Mapping[str, Any]) -> str:
    verdict = worst_verdict(validation)
    out = [f'<div class="validation"><h3>Validation <span class="badge verdict-{escape(verdict.lower())}">{escape(verdict)}</span></h3>']
    detail = validation.get("message") or validation.get("error") or validation.get("detail")
    if detail:
        out.append(f'<p class="detail">{escape(str(detail))}</p>')
    outputs = ranked_outputs(validation)
    if outputs:
        stats = output_stats(outputs)
        counts = " ".join(
            f'<span class="badge verdict-{escape(v.lower())}">{escape(v)} {n}</span>' for v, n in sorted(stats["counts"].items())
        )
        out.append(
            f'<p class="detail">{_plural(len(outputs), "output")} compared: {counts} largest abs error '
            f'<b>{escape(_number(stats["max_abs_error"]))}</b>, largest rel error <b>{escape(_number(stats["max_rel_error"]))}</b></p>'
        )
        shown, rest = outputs[:OUTPUTS_SHOWN], outputs[OUTPUTS_SHOWN:]
        out.append(_outputs_table(shown))
        if rest:
            out.append(f"<details><summary>{_plural(len(rest), 'more output')}</summary>{_outputs_table(rest)}</details>")
    out.append("</div>")
    return "\n".join(out)


def _outputs_table(outputs: list[Mapping[str, Any]]) -> str:
    rows = ["<table><thead><tr><th>output</th><th>verdict</th><th>max abs error</th><th>max rel error</th><th>note</th></tr></thead><tbody>"]
    for output in outputs:
        own = verdict_of(output)
        note = output.get("message") or output.get("detail") or output.get("error") or ""
        rows.append(
            f'<tr><td><code>{escape(str(output.get("name", "?")))}</code></td>'
            f'<td><span class="badge verdict-{escape(own.lower())}">{escape(own)}</span></td>'
            f'<td class="num">{escape(_number(output.get("max_abs_error")))}</td>'
            f'<td class="num">{escape(_number(output.get("max_rel_error")))}</td>'
            f"<td>{escape(str(note))}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def _number(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


# -- findings


def prose(text: str) -> str:
    """Escaped rule prose with `code` spans and paragraphs."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(f"<p>{_code_spans(' '.join(p.split()))}</p>" for p in paragraphs)


def _code_spans(text: str) -> str:
    out, last = [], 0
    for match in _CODE_SPAN.finditer(text):
        out.append(escape(text[last:match.start()]))
        out.append(f"<code>{escape(match.group(1))}</code>")
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _findings_html(document: Mapping[str, Any], findings: Iterable[Mapping[str, Any]]) -> str:
    out = []
    for finding in findings:
        rule = document["rules"].get(finding["code"], {})
        state = "fixed" if finding["fixed"] else "open"
        # what the fix is (or would be): safe, review, or none (report-only)
        applicability = escape(finding["safety"])
        code = escape(finding["code"])
        hover = escape(f"{finding['code']} {rule.get('name', '')}: {rule.get('summary', '')}")
        why = prose(rule.get("explanation", "")) if rule.get("explanation") else ""
        if fix_title(rule):
            why += f"<p><b>Fix:</b> {_code_spans(fix_title(rule))}</p>"
        out.append(
            f'<div class="finding sev-{escape(finding["severity"])}" data-code="{code}" '
            f'data-severity="{escape(finding["severity"])}" data-state="{state}" data-fix="{applicability}">'
            f'<span class="where">{("cell " + str(finding["cell"]) + ":") if finding.get("cell") else ""}{finding["line"]}:{finding["column"]}</span>'
            f'<span class="badge sev-{escape(finding["severity"])}">{escape(finding["severity"])}</span>'
            f'<a class="badge code" href="#rule-{code}" title="{hover}">{code}</a>'
            f'<span class="badge state-{state}">{state}</span>'
            f'<span class="badge safety-{escape(finding["safety"])}" title="fix safety">fix: {escape(finding["safety"])}</span>'
            f'<span class="message">{_code_spans(finding["message"])}</span>'
            + (f'<details><summary>why</summary><div class="why">{why}</div></details>' if why else "")
            + "</div>"
        )
    return "".join(out)


# -- the code table


def _code_table(document: Mapping[str, Any], original: str, rewritten: str | None, findings: list[Mapping[str, Any]]) -> str:
    old_lines = physical_lines(original)
    new_lines = physical_lines(rewritten if rewritten is not None else original)
    side_by_side = rewritten is not None and rewritten != original
    old_spans = line_spans(original)
    new_spans = line_spans(rewritten) if side_by_side else old_spans
    by_line: dict[int, list[Mapping[str, Any]]] = {}
    for finding in findings:
        line = min(max(finding.get("original_line") or finding["line"], 1), max(len(old_lines), 1))
        by_line.setdefault(line, []).append(finding)

    rows = _rows(old_lines, new_lines) if side_by_side else [("equal", n, n) for n in range(len(old_lines))]
    wanted = set()
    for index, (kind, old, _new) in enumerate(rows):
        if kind != "equal" or (old is not None and old + 1 in by_line):
            wanted.update(range(index - CONTEXT, index + CONTEXT + 1))

    columns = 4 if side_by_side else 2
    head = (
        "<tr><th colspan=2>original</th><th colspan=2>converted</th></tr>" if side_by_side else "<tr><th colspan=2>source (unchanged)</th></tr>"
    )
    colgroup = '<col class="ln"><col>' * (columns // 2)
    out = [f'<table class="code {"sbs" if side_by_side else "single"}"><colgroup>{colgroup}</colgroup><thead>{head}</thead><tbody>']
    index = 0
    while index < len(rows):
        if index in wanted:
            out.append(_row(rows[index], old_lines, new_lines, old_spans, new_spans, side_by_side))
            old = rows[index][1]
            if old is not None and old + 1 in by_line:
                out.append(f'<tr class="ann"><td colspan="{columns}">{_findings_html(document, by_line.pop(old + 1))}</td></tr>')
            index += 1
            continue
        end = index
        while end < len(rows) and end not in wanted:
            end += 1
        hidden = end - index
        if hidden <= FOLD_KEEP_LIMIT:
            out.append(
                f'<tr class="fold"><td colspan="{columns}"><button type="button" class="unfold">'
                f'⋯ {hidden} unchanged line{"s" if hidden != 1 else ""} (show)</button></td></tr></tbody><tbody class="folded" hidden>'
            )
            out.extend(_row(rows[i], old_lines, new_lines, old_spans, new_spans, side_by_side) for i in range(index, end))
            out.append("</tbody><tbody>")
        else:
            out.append(f'<tr class="fold"><td colspan="{columns}">⋯ {hidden} unchanged lines</td></tr>')
        index = end
    leftovers = [f for line in sorted(by_line) for f in by_line[line]]
    if leftovers:
        out.append(f'<tr class="ann"><td colspan="{columns}">{_findings_html(document, leftovers)}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _rows(old_lines: list[str], new_lines: list[str]) -> list[tuple[str, int | None, int | None]]:
    """(kind, old index, new index) per displayed row; replaced lines are paired up."""
    rows: list[tuple[str, int | None, int | None]] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(("equal", i1 + k, j1 + k) for k in range(i2 - i1))
            continue
        if i2 - i1 == j2 - j1 or (i2 - i1) * (j2 - j1) > ALIGN_LIMIT:
            for k in range(max(i2 - i1, j2 - j1)):
                rows.append(("change", i1 + k if i1 + k < i2 else None, j1 + k if j1 + k < j2 else None))
        else:
            rows.extend(_align(old_lines, new_lines, i1, i2, j1, j2))
    return rows


def _align(old_lines, new_lines, i1, i2, j1, j2) -> list[tuple[str, int | None, int | None]]:
    """Pair each removed line with the most similar added line at or after the last pair (or with nothing),
    so an inserted line does not push every later pair out of step."""
    rows: list[tuple[str, int | None, int | None]] = []
    next_new = j1
    for old in range(i1, i2):
        best, best_ratio = None, 0.5
        for new in range(next_new, j2):
            ratio = difflib.SequenceMatcher(None, old_lines[old], new_lines[new], autojunk=False).ratio()
            if ratio > best_ratio:
                best, best_ratio = new, ratio
        if best is None:
            rows.append(("change", old, None))
            continue
        rows.extend(("change", None, new) for new in range(next_new, best))
        rows.append(("change", old, best))
        next_new = best + 1
    rows.extend(("change", None, new) for new in range(next_new, j2))
    return rows


def _row(row, old_lines, new_lines, old_spans, new_spans, side_by_side: bool) -> str:
    kind, old, new = row
    if not side_by_side:
        return f'<tr class="r"><td class="ln">{old + 1}</td><td class="src">{_line_html(old_lines[old], old_spans[old], ())}</td></tr>'
    old_text = old_lines[old].rstrip("\r\n") if old is not None else None
    new_text = new_lines[new].rstrip("\r\n") if new is not None else None
    old_marks: list[tuple[int, int]] = []
    new_marks: list[tuple[int, int]] = []
    if kind == "change" and old_text is not None and new_text is not None:
        old_marks, new_marks = _changed_ranges(old_text, new_text)
    cells = []
    for number, text, spans, marks, side in (
        (old, old_text, old_spans, old_marks, "del"),
        (new, new_text, new_spans, new_marks, "add"),
    ):
        if number is None:
            cells.append('<td class="ln"></td><td class="src none"></td>')
        else:
            css = side if kind == "change" else "eq"
            cells.append(f'<td class="ln">{number + 1}</td><td class="src {css}">{_line_html(text, spans[number] if number < len(spans) else [], marks)}</td>')
    return f'<tr class="r {"chg" if kind == "change" else "eq"}">{"".join(cells)}</tr>'


def _changed_ranges(old: str, new: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Changed character ranges of a line pair, compared word by word so identifiers change whole."""
    old_words, new_words = _WORD.findall(old), _WORD.findall(new)
    old_starts, new_starts = _starts(old_words), _starts(new_words)
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    old_marks, new_marks = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            if i2 > i1:
                old_marks.append((old_starts[i1], old_starts[i2]))
            if j2 > j1:
                new_marks.append((new_starts[j1], new_starts[j2]))
    return old_marks, new_marks


def _starts(words: list[str]) -> list[int]:
    starts = [0]
    for word in words:
        starts.append(starts[-1] + len(word))
    return starts


def _line_html(text: str, spans: list[Span], marks: Iterable[tuple[int, int]]) -> str:
    """One line as HTML: syntax classes from ``spans``, changed words from ``marks`` (class ``x``)."""
    text = text.rstrip("\r\n")
    if not text:
        return ""
    marks = list(marks)
    cuts = {0, len(text)}
    for start, end, _ in spans:
        cuts.update((min(start, len(text)), min(end, len(text))))
    for start, end in marks:
        cuts.update((min(start, len(text)), min(end, len(text))))
    out = []
    ordered = sorted(cuts)
    for start, end in zip(ordered, ordered[1:]):
        token = next((css for first, last, css in spans if first <= start < last), "")
        changed = any(first <= start < last for first, last in marks)
        css = f"{token} x" if token and changed else ("x" if changed else token)
        piece = escape(text[start:end], quote=False)
        out.append(f'<span class="{css}">{piece}</span>' if css else piece)
    return "".join(out)


# -- rule reference


def _rules_section(document: Mapping[str, Any]) -> str:
    codes = list(document["summary"]["by_rule"])
    if not codes:
        return ""
    out = ['<section id="rules"><h2>Rules in this report</h2>']
    for code in codes:
        rule = document["rules"].get(code, {})
        counts = document["summary"]["by_rule"][code]
        out.append(
            f'<article class="rule" id="rule-{escape(code)}"><h3>{escape(code)} <span class="name">{escape(rule.get("name", ""))}</span> '
            f'<span class="badge sev-{escape(rule.get("severity", "info"))}">{escape(rule.get("severity", ""))}</span> '
            f'<span class="badge safety-{escape(rule.get("safety", "none"))}">fix: {escape(rule.get("safety", ""))}</span> '
            f'<span class="counts">{counts["fixed"]} fixed, {counts["open"]} open</span></h3>'
            f'<p class="summary">{_code_spans(rule.get("summary", ""))}</p>{prose(rule.get("explanation", ""))}'
            + (f"<p><b>Fix:</b> {_code_spans(fix_title(rule))}</p>" if fix_title(rule) else "")
            + "</article>"
        )
    out.append("</section>")
    return "\n".join(out)


CSS = """
:root{--fg:#1f2328;--muted:#656d76;--bg:#fff;--line:#d0d7de;--del:#ffebe9;--delx:#ffb8b0;--add:#e6ffec;--addx:#9be9a8;
--err:#cf222e;--warn:#9a6700;--info:#0969da;--ok:#1a7f37;--panel:#f6f8fa}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:16px 24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:0 0 8px}h3{font-size:14px;margin:8px 0}
code,.src,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.meta,.counts,.note,.filter-count{color:var(--muted)}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:92px;background:var(--panel)}
.card .num{display:block;font-size:20px;font-weight:600}.card .label{color:var(--muted);font-size:12px}
.card.st-changed .num{color:var(--info)}.card.st-failed .num,.card.sev-error .num{color:var(--err)}.card.sev-warning .num{color:var(--warn)}
.badge{display:inline-block;border-radius:10px;padding:0 7px;font-size:11px;font-weight:600;border:1px solid transparent;margin-right:4px;white-space:nowrap;text-decoration:none}
.sev-error.badge{background:#ffebe9;color:var(--err);border-color:#ffcecb}.sev-warning.badge{background:#fff8c5;color:var(--warn);border-color:#eed888}
.sev-info.badge{background:#ddf4ff;color:var(--info);border-color:#b6e3ff}
.badge.code{background:#eaeef2;color:var(--fg);font-family:ui-monospace,monospace}
.state-fixed{background:#dafbe1;color:var(--ok)}.state-open{background:#eaeef2;color:var(--muted)}
.safety-safe{background:#dafbe1;color:var(--ok)}.safety-review{background:#fff1e5;color:#bc4c00}.safety-none{background:#eaeef2;color:var(--muted)}
.st-changed.badge{background:#ddf4ff;color:var(--info)}.st-failed.badge{background:#ffebe9;color:var(--err)}.st-unchanged.badge,.st-skipped.badge{background:#eaeef2;color:var(--muted)}
.verdict-pass{background:#dafbe1;color:var(--ok)}.verdict-mismatch,.verdict-error{background:#ffebe9;color:var(--err)}.verdict-timeout,.verdict-unknown{background:#fff8c5;color:var(--warn)}
.filters{position:sticky;top:0;z-index:2;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin:12px 0;display:flex;flex-wrap:wrap;gap:6px 18px;align-items:center}
.filters[hidden]{display:none}
.filter-group{display:flex;flex-wrap:wrap;gap:4px 10px;align-items:center}.filter-title{font-weight:600}
.filter-group label{cursor:pointer;white-space:nowrap}.filter-count{margin:0;flex-basis:100%}
.index table,.validation table{border-collapse:collapse;margin:8px 0}
.index summary{cursor:pointer;font-weight:600}.index-scroll{max-height:22em;overflow:auto;display:inline-block;border-bottom:1px solid var(--line)}
.index thead th{position:sticky;top:0;background:var(--panel)}
.index td,.index th,.validation td,.validation th{border:1px solid var(--line);padding:2px 8px;text-align:left}
td.num{text-align:right}
.file{border:1px solid var(--line);border-radius:6px;padding:10px 12px;margin:14px 0}
.file.filtered-out,.index tr.filtered-out{display:none}
.path{font-family:ui-monospace,monospace}
.error{background:#ffebe9;border:1px solid #ffcecb;border-radius:6px;padding:6px 10px;color:var(--err);white-space:pre-wrap}
table.code{width:100%;border-collapse:collapse;table-layout:fixed;border:1px solid var(--line)}
table.code th{background:var(--panel);text-align:left;font-weight:600;padding:3px 8px;border-bottom:1px solid var(--line)}
table.code col.ln{width:3.5em}
table.code td{vertical-align:top;padding:0 6px}
td.ln{width:3.5em;color:var(--muted);text-align:right;user-select:none;font:11px/18px ui-monospace,monospace;background:var(--panel)}
td.src{white-space:pre-wrap;word-break:break-all;line-height:18px;tab-size:4}
td.src.del{background:var(--del)}td.src.add{background:var(--add)}td.src.none{background:repeating-linear-gradient(45deg,#f6f8fa,#f6f8fa 4px,#fff 4px,#fff 8px)}
td.del .x{background:var(--delx);border-radius:2px}td.add .x{background:var(--addx);border-radius:2px}
.k{color:#cf222e}.s{color:#0a3069}.c{color:#6e7781;font-style:italic}.n{color:#0550ae}.f{color:#8250df;font-weight:600}.b{color:#953800}
tr.fold td{background:#f1f8ff;color:var(--muted);text-align:center;padding:1px}
tr.fold button{border:0;background:none;color:var(--info);cursor:pointer;font:inherit}
tr.ann td{padding:4px 8px 6px 4.2em;background:#fafbfc;border-top:1px dashed var(--line);border-bottom:1px dashed var(--line)}
.finding{margin:2px 0;padding:2px 0}.finding.hidden,tr.ann.hidden{display:none}
.finding .where{font:11px ui-monospace,monospace;color:var(--muted);margin-right:6px}
.finding .message{margin-left:4px}
.finding details{display:inline-block;margin-left:8px;vertical-align:top}
.finding details summary{cursor:pointer;color:var(--info);font-size:12px}
.finding details[open]{display:block;margin:4px 0 4px 1em;border-left:3px solid var(--line);padding-left:10px;color:var(--fg)}
.why p{margin:4px 0}
.rule{border-top:1px solid var(--line);padding:6px 0}.rule .name{font-weight:400;color:var(--muted)}
pre.udiff{background:var(--panel);padding:8px;overflow:auto;max-height:40em}
.empty{color:var(--muted)}
"""

JS = r"""
(function () {
  "use strict";
  var findings = Array.prototype.slice.call(document.querySelectorAll(".finding"));
  var dims = {rule: "code", severity: "severity", state: "state", fix: "fix"};
  var order = {severity: ["error", "warning", "info"], state: ["open", "fixed"], fix: ["safe", "review", "none"]};
  var preset = {};
  location.hash.replace(/^#/, "").split("&").forEach(function (part) {
    var kv = part.split("=");
    if (kv.length === 2 && dims[kv[0]]) preset[kv[0]] = decodeURIComponent(kv[1]).split(",");
  });
  var boxes = {};
  Object.keys(dims).forEach(function (dim) {
    var counts = {};
    findings.forEach(function (f) { var v = f.dataset[dims[dim]]; counts[v] = (counts[v] || 0) + 1; });
    var values = Object.keys(counts).sort();
    if (order[dim]) values.sort(function (a, b) { return order[dim].indexOf(a) - order[dim].indexOf(b); });
    var group = document.getElementById("filter-" + dim);
    boxes[dim] = {};
    values.forEach(function (value) {
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.value = value;
      box.checked = !preset[dim] || preset[dim].indexOf(value) >= 0;
      box.addEventListener("change", apply);
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + value + " (" + counts[value] + ")"));
      label.className = "filter-option";
      label.dataset.value = value;
      group.appendChild(label);
      boxes[dim][value] = box;
    });
    if (!values.length) group.style.display = "none";
  });
  function apply() {
    var shown = 0, filtering = false;
    Object.keys(boxes).forEach(function (dim) {
      Object.keys(boxes[dim]).forEach(function (v) { if (!boxes[dim][v].checked) filtering = true; });
    });
    findings.forEach(function (f) {
      var visible = Object.keys(dims).every(function (dim) {
        var box = boxes[dim][f.dataset[dims[dim]]];
        return !box || box.checked;
      });
      f.classList.toggle("hidden", !visible);
      if (visible) shown += 1;
    });
    document.querySelectorAll("tr.ann").forEach(function (row) {
      row.classList.toggle("hidden", !row.querySelector(".finding:not(.hidden)"));
    });
    var files = document.querySelectorAll("section.file"), filesShown = 0;
    files.forEach(function (section) {
      var keep = !filtering || !!section.querySelector(".finding:not(.hidden)");
      section.classList.toggle("filtered-out", !keep);
      var entry = document.querySelector('.index tr[data-file="' + section.id + '"]');
      if (entry) entry.classList.toggle("filtered-out", !keep);
      if (keep) filesShown += 1;
    });
    document.getElementById("filter-count").textContent =
      "Showing " + shown + " of " + findings.length + " findings in " + filesShown + " of " + files.length + " files.";
  }
  document.querySelectorAll("button.unfold").forEach(function (button) {
    button.addEventListener("click", function () {
      var body = button.closest("tbody").nextElementSibling;
      if (body) body.hidden = false;
      button.closest("tr").remove();
    });
  });
  document.getElementById("filters").hidden = false;
  apply();
})();
"""
