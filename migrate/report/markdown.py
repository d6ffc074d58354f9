"""Markdown for a pull-request comment: summary table, then per file the changes and why.

GitHub caps a comment at 65,536 characters; past ``BUDGET`` the diffs are
dropped first, then whole file sections, each time with a note saying so.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from migrate.report.document import fix_title, output_stats, ranked_outputs, verdict_of, worst_verdict

BUDGET = 60_000
DIFF_LINES = 200
OUTPUTS_SHOWN = 8  # validation outputs listed per file, worst first
VERDICT_MARK = {"PASS": "✅", "MISMATCH": "❌", "ERROR": "⚠️", "TIMEOUT": "⏱️", "NONDETERMINISTIC": "🎲"}
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)


def render(document: Mapping[str, Any]) -> str:
    head = _head(document)
    sections = [_file_section(document, file, with_diff=True) for file in _listed(document)]
    text = _join(head, sections, _footer(document, omitted=0, diffs_dropped=False))
    if len(text) <= BUDGET:
        return text
    # cut to fit a comment: the files a reviewer must see first lead, so a cut drops the least severe
    sections = [_file_section(document, file, with_diff=False)
                for file in sorted(_listed(document), key=_urgency)]
    kept: list[str] = []
    used = len(head) + 400
    for section in sections:
        if used + len(section) > BUDGET:
            break
        kept.append(section)
        used += len(section)
    return _join(head, kept, _footer(document, omitted=len(sections) - len(kept), diffs_dropped=True))


def _join(head: str, sections: list[str], footer: str) -> str:
    return "\n".join([head, *sections, footer]).rstrip("\n") + "\n"


def _urgency(file: Mapping[str, Any]) -> tuple:
    """Sort key, most urgent first: failed files, then by their most severe open finding (error, warning,
    info), a validation that did not pass, then files with only fixed edits; by path within a rank."""
    ranks = {"error": 1, "warning": 3, "info": 4}
    rank = 5
    if file["status"] == "failed":
        rank = 0
    for finding in file["findings"]:
        if not finding["fixed"]:
            rank = min(rank, ranks.get(finding["severity"], 4))
    if file.get("validation") and worst_verdict(file["validation"]) not in ("PASS", ""):
        rank = min(rank, 2)
    return (rank, file["uri"])


def _listed(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [f for f in document["files"] if f["status"] in ("changed", "failed") or f["findings"] or f["validation"]]


# -- text helpers


def code(text: str) -> str:
    """An inline code span that survives backticks inside ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inline(text: str) -> str:
    """Prose from a rule or message: code spans kept, HTML outside them neutralised."""
    parts, last = [], 0
    for match in _CODE_SPAN.finditer(text):
        parts.append(_escape_html(text[last:match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(_escape_html(text[last:]))
    return "".join(parts)


def cell(text: str) -> str:
    return inline(" ".join(str(text).split())).replace("|", "\\|")


def number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "–" if value is None else str(value)
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def fenced(text: str, language: str = "") -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{language}\n{text.rstrip(chr(10))}\n{fence}"


# -- sections


def _head(document: Mapping[str, Any]) -> str:
    summary = document["summary"]
    title = f"## dlmigrate {document['command']} report"
    about = f"dlmigrate {document['tool']['version']}" + (f" · target {code(document['target'])}" if document.get("target") else "")
    open_counts = summary["open"]
    lines = [
        title,
        "",
        about,
        "",
        "| Files | Changed | Unchanged | Failed | Edits applied | Open errors | Open warnings | Open info |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {summary['files']} | {summary['changed']} | {summary['unchanged'] + summary['skipped']} | {summary['failed']} "
        f"| {summary['edits']} | {open_counts['error']} | {open_counts['warning']} | {open_counts['info']} |",
        "",
    ]
    fixed = summary["fixed_by_safety"]
    if fixed.get("review"):
        review, edits = fixed["review"], summary["edits"]
        share = (f"{review} of the {edits} edits {'is' if review == 1 else 'are'}" if review != edits
                 else ("the 1 edit is" if edits == 1 else f"all {edits} edits are"))
        lines += [f"{share[0].upper() + share[1:]} marked **review**: the rewrite is the documented "
                  f"replacement but behaviour may differ; check {'it' if review == 1 else 'them'} before merging.", ""]
    if summary.get("validation"):
        verdicts = ", ".join(f"{VERDICT_MARK.get(v, '')} {n} {v}".strip() for v, n in summary["validation"].items())
        lines += [f"**Validation** (original and converted programs run, outputs compared): {verdicts}", ""]
    if summary["by_rule"]:
        lines += ["| Rule | Name | Severity | Fix safety | Fixed | Open |", "|---|---|---|---|---:|---:|"]
        seen = _severities_by_rule(document)
        for rule_code, counts in summary["by_rule"].items():
            rule = document["rules"].get(rule_code, {})
            # the severities the findings had (a rule's entries can differ from its default)
            severity = ", ".join(seen.get(rule_code, ())) or rule.get("severity", "")
            lines.append(
                f"| {rule_code} | {cell(rule.get('name', ''))} | {severity} | {rule.get('safety', '')} "
                f"| {counts['fixed']} | {counts['open']} |"
            )
        lines.append("")
    return "\n".join(lines)


def _severities_by_rule(document: Mapping[str, Any]) -> dict[str, list[str]]:
    order = ("error", "warning", "info")
    found: dict[str, set[str]] = {}
    for file in document["files"]:
        for finding in file["findings"]:
            found.setdefault(finding["code"], set()).add(finding["severity"])
    return {code_: sorted(values, key=lambda v: order.index(v) if v in order else 9) for code_, values in found.items()}


def _file_section(document: Mapping[str, Any], file: Mapping[str, Any], *, with_diff: bool) -> str:
    lines = [f"### {code(file['uri'])} — {file['status']}", ""]
    if file.get("error"):
        lines += [f"> **Error:** {cell(file['error'])}", ""]
    if file.get("validation"):
        lines += _validation(file["validation"])
    if file["findings"]:
        if file.get("notebook"):
            lines += ["Notebook: positions read `cell N:line:column`, N counting code cells from 1.", ""]
        lines += ["| Line | Rule | Severity | Fix | Message |", "|---:|---|---|---|---|"]
        for finding in file["findings"]:
            fix = f"fixed ({finding['safety']})" if finding["fixed"] else (f"not applied ({finding['safety']})" if finding["safety"] != "none" else "manual")
            lines.append(
                f"| {('cell ' + str(finding['cell']) + ':') if finding.get('cell') else ''}{finding['line']}:{finding['column']} | {finding['code']} | {finding['severity']} | {fix} | {cell(finding['message'])} |"
            )
        lines.append("")
        lines += _explanations(document, sorted({f["code"] for f in file["findings"]}))
    if with_diff and file.get("diff"):
        diff_lines = file["diff"].splitlines()
        shown = "\n".join(diff_lines[:DIFF_LINES])
        more = len(diff_lines) - DIFF_LINES
        lines += ["<details><summary>Diff</summary>", "", fenced(shown, "diff"), ""]
        if more > 0:
            lines += [f"({more} more diff lines; see the HTML or JSON report)", ""]
        lines += ["</details>", ""]
    return "\n".join(lines)


def _explanations(document: Mapping[str, Any], codes: list[str]) -> list[str]:
    lines = ["<details><summary>Why: " + ", ".join(codes) + "</summary>", ""]
    for rule_code in codes:
        rule = document["rules"].get(rule_code, {})
        lines.append(f"**{rule_code} {inline(rule.get('name', ''))}** (severity {rule.get('severity', '?')}, fix safety {rule.get('safety', '?')}): "
                     f"{inline(rule.get('summary', ''))}")
        lines.append("")
        if rule.get("explanation"):
            lines += [inline(rule["explanation"]), ""]
        if fix_title(rule):
            lines += [f"Fix: {inline(fix_title(rule))}", ""]
    lines += ["</details>", ""]
    return lines


def _validation(validation: Mapping[str, Any]) -> list[str]:
    verdict = worst_verdict(validation)
    lines = [f"**Validation:** {VERDICT_MARK.get(verdict, '')} {verdict}".rstrip(), ""]
    detail = validation.get("message") or validation.get("error") or validation.get("detail")
    if detail:
        lines += [f"> {cell(detail)}", ""]
    outputs = ranked_outputs(validation)
    if outputs:
        stats = output_stats(outputs)
        counts = ", ".join(f"{n} {v}" for v, n in sorted(stats["counts"].items()))
        lines += [f"{len(outputs)} output{'s' if len(outputs) != 1 else ''} compared ({counts}); largest abs error "
                  f"{number(stats['max_abs_error'])}, largest rel error {number(stats['max_rel_error'])}.", ""]
        lines += ["| Output | Verdict | Max abs error | Max rel error |", "|---|---|---:|---:|"]
        for output in outputs[:OUTPUTS_SHOWN]:
            lines.append(
                f"| {code(str(output.get('name', '?')))} | {cell(verdict_of(output))} "
                f"| {number(output.get('max_abs_error'))} | {number(output.get('max_rel_error'))} |"
            )
        if len(outputs) > OUTPUTS_SHOWN:
            lines.append(f"| … {len(outputs) - OUTPUTS_SHOWN} more (see the HTML or JSON report) | | | |")
        lines.append("")
    return lines


def _footer(document: Mapping[str, Any], *, omitted: int, diffs_dropped: bool) -> str:
    quiet = document["summary"]["files"] - len(_listed(document))
    notes = []
    if quiet:
        notes.append(f"{quiet} file{'s' if quiet != 1 else ''} without changes or findings not listed.")
    if diffs_dropped:
        notes.append("Diffs left out to fit a comment; see the HTML or JSON report.")
    if omitted:
        notes.append(f"{omitted} more file section{'s' if omitted != 1 else ''} left out to fit a comment.")
    return ("_" + " ".join(notes) + "_\n") if notes else ""
