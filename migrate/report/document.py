"""The report document: one plain, JSON-ready dict that every report format renders.

Its contract for other tools is ``schema.json`` beside this module (JSON Schema 2020-12).

Renderers (JSON, Markdown, HTML, SARIF) read only this document, so the formats
can never disagree.  Its layout is versioned by ``SCHEMA``; a change that removes
or renames a key bumps the number.

    {"schema": "dlmigrate-report/1",
     "tool": {"name", "version"},
     "command": "convert" | "lint", "target": str | None, "root": str,
     "summary": {"files", "changed", "unchanged", "skipped", "failed", "edits",
                 "open": {severity: n}, "fixed_by_safety": {safety: n},
                 "by_rule": {code: {"fixed", "open"}}, "validation": {verdict: n} | None},
     "rules": {code: {"name", "summary", "explanation", "fix_title", "safety",
                      "severity", "ruleset", "kind"}},
     "files": [{"path", "uri", "notebook", "status", "error", "findings": [...],
                "diff", "original", "rewritten", "sources_omitted", "validation"}]}

Finding lines and columns are 1-based and refer to the original text (for a
notebook, to the line within the cell its message names, so they are not located
in the JSON file).  ``original``/``rewritten`` are kept only for files with changes
or findings and below ``SOURCE_LIMIT`` characters; the diff is always kept.
"""
from __future__ import annotations

import difflib
import os
from collections import Counter
from pathlib import Path, PurePath
from typing import Any, Iterable, Mapping

from migrate import __version__
from migrate.model import FileResult, FileStatus, Rule, Safety, Severity

SCHEMA = "dlmigrate-report/1"
# A side-by-side view of a file this large is unreadable and bloats the report; its diff is still kept.
SOURCE_LIMIT = 400_000
SEVERITIES = tuple(s.value for s in sorted(Severity, key=lambda s: -s.rank))  # error, warning, info
VERDICTS = ("PASS", "MISMATCH", "ERROR", "TIMEOUT", "NONDETERMINISTIC")


def rules_table(rules: Any) -> dict[str, Rule]:
    """Accept a RuleSet, a {code: Rule} mapping or an iterable of Rule."""
    if rules is None:
        return {}
    table = getattr(rules, "rules", rules)
    if isinstance(table, Mapping):
        return dict(table)
    return {rule.code: rule for rule in table}


def rule_entry(rule: Rule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "summary": rule.summary,
        "explanation": rule.explanation,
        "fix_title": rule.fix_title,
        "safety": rule.safety.value,
        "severity": rule.severity.value,
        "ruleset": rule.ruleset,
        "kind": rule.kind,
    }


def finding_entry(finding, text: str | None = None, notebook: bool = False, positions=None,
                  base: str = "original") -> dict[str, Any]:
    """A finding; ``text`` is the file its fix edits apply to (``base`` names it: the original or the rewritten
    text), so edits get lines and columns as well as offsets (``migrate.fixedits``)."""
    from migrate.fixedits import fix_entry

    fix = fix_entry(finding, text, notebook, positions)
    if fix is not None:
        fix["base"] = base
    return {
        "code": finding.code,
        "message": finding.message,
        "severity": finding.severity.value,
        "safety": finding.safety.value,
        "fixed": finding.fixed,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "original_line": finding.original_line,
        "original_column": finding.original_column,
        "cell": finding.cell,
        "file_line": finding.file_line,
        "fix": fix,
    }


def unified_diff_text(original: str | None, rewritten: str | None, path: str) -> str:
    if original is None or rewritten is None or original == rewritten:
        return ""
    shown = PurePath(path).as_posix().lstrip("/")
    return "".join(
        difflib.unified_diff(
            original.splitlines(keepends=True),
            rewritten.splitlines(keepends=True),
            fromfile=f"a/{shown}",
            tofile=f"b/{shown}",
        )
    )


def file_uri(path: str, root: Path) -> str:
    """A forward-slash path relative to ``root`` when the file is below it, else the absolute path."""
    candidate = Path(path)
    absolute = candidate if candidate.is_absolute() else root / candidate
    try:
        return Path(os.path.normpath(absolute)).relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.normpath(absolute)).as_posix()


def file_entry(result: FileResult, root: Path, validation: Mapping[str, Any] | None,
               fix_base: str = "original") -> dict[str, Any]:
    uri = file_uri(result.path, root)
    notebook = result.path.endswith(".ipynb")
    # a notebook's findings are numbered within their cell and already come in cell order
    findings = list(result.findings) if notebook else sorted(result.findings, key=lambda f: f.sort_key())
    interesting = result.status is FileStatus.CHANGED or bool(findings)
    too_big = max(len(result.original or ""), len(result.rewritten or "")) > SOURCE_LIMIT
    keep_sources = interesting and not too_big and result.original is not None
    positions: dict[str, Any] = {}
    return {
        "path": result.path,
        "uri": uri,
        "notebook": notebook,
        "status": result.status.value,
        "error": result.error,
        "findings": [_finding_with_fix(f, result, notebook, fix_base, positions) for f in findings],
        "diff": unified_diff_text(result.original, result.rewritten, result.path),
        "original": result.original if keep_sources else None,
        "rewritten": (result.rewritten if result.rewritten is not None else result.original) if keep_sources else None,
        "sources_omitted": interesting and too_big,
        "validation": _validation_for((result.path, str(Path(result.path)), uri), validation),
    }


def _finding_with_fix(finding, result: FileResult, notebook: bool, fix_base: str, positions: dict) -> dict[str, Any]:
    # an applied fix (convert) was computed on the original; an open one on the text the run left (lint --fix)
    base = "original" if finding.fixed or fix_base != "rewritten" or result.rewritten is None else "rewritten"
    text = result.original if base == "original" else result.rewritten
    if base not in positions and text is not None and finding.fix is not None and finding.fix.edits:
        from migrate.fixedits import Positions

        positions[base] = Positions(text)
    return finding_entry(finding, text, notebook, positions.get(base), base)


def _validation_for(keys: Iterable[str], validation: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The file's validation result, keyed by its path as given, normalised, or relative to the root."""
    if not validation:
        return None
    entry = next((validation[key] for key in keys if key in validation), None)
    if entry is None:
        return None
    if hasattr(entry, "to_dict"):
        entry = entry.to_dict()
    return dict(entry)


def outputs_of(validation: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per-output rows of one file's validation, whichever shape the validator used.

    Accepts ``outputs`` (or ``comparisons``/``results``) as a list of dicts with a
    ``name``, or as a {name: dict} mapping.
    """
    for key in ("outputs", "comparisons", "results"):
        outputs = validation.get(key)
        if isinstance(outputs, Mapping):
            return [{"name": name, **dict(value)} for name, value in outputs.items()]
        if isinstance(outputs, list):
            return [dict(o) for o in outputs if isinstance(o, Mapping)]
    return []


def ranked_outputs(validation: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Outputs worst first: by verdict, then by largest absolute error; the ones to read first lead."""
    order = {"ERROR": 0, "TIMEOUT": 0, "MISMATCH": 1, "NONDETERMINISTIC": 1, "PASS": 3}

    def key(output: Mapping[str, Any]) -> tuple:
        error = output.get("max_abs_error")
        return (order.get(verdict_of(output), 2), -(error if isinstance(error, (int, float)) else -1.0))

    return sorted(outputs_of(validation), key=key)


def output_stats(outputs: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts per verdict and the largest errors over all outputs."""
    counts: dict[str, int] = {}
    for output in outputs:
        counts[verdict_of(output)] = counts.get(verdict_of(output), 0) + 1

    def largest(key: str) -> float | None:
        values = [o[key] for o in outputs if isinstance(o.get(key), (int, float))]
        return max(values) if values else None

    return {"counts": counts, "max_abs_error": largest("max_abs_error"), "max_rel_error": largest("max_rel_error")}


def verdict_of(entry: Mapping[str, Any]) -> str:
    value = entry.get("verdict", entry.get("status", ""))
    value = getattr(value, "value", value)
    return str(value).upper() if value is not None else ""


def worst_verdict(validation: Mapping[str, Any]) -> str:
    """The file's verdict: its own if given, else the worst of its outputs."""
    own = verdict_of(validation)
    if own:
        return own
    seen = {verdict_of(o) for o in outputs_of(validation)}
    for verdict in ("ERROR", "TIMEOUT", "MISMATCH", "NONDETERMINISTIC", "PASS"):
        if verdict in seen:
            return verdict
    return "UNKNOWN"


def build_document(
    results: Iterable[FileResult],
    rules: Any,
    *,
    command: str = "convert",
    target: str | None = None,
    validation: Mapping[str, Any] | None = None,
    root: Path | None = None,
    fix_base: str = "original",
) -> dict[str, Any]:
    """``fix_base``: "rewritten" when the run wrote the files and its open findings point into them (lint --fix)."""
    root = Path(os.path.normpath(root or Path.cwd()))
    results = list(results)
    table = rules_table(rules)
    files = [file_entry(result, root, validation, fix_base) for result in results]

    statuses = Counter(result.status for result in results)
    open_by_severity = Counter(f.severity.value for r in results for f in r.findings if not f.fixed)
    fixed_by_safety = Counter(f.safety.value for r in results for f in r.findings if f.fixed)
    by_rule: dict[str, dict[str, int]] = {}
    for result in results:
        for finding in result.findings:
            counts = by_rule.setdefault(finding.code, {"fixed": 0, "open": 0})
            counts["fixed" if finding.fixed else "open"] += 1
    verdicts = Counter(worst_verdict(f["validation"]) for f in files if f["validation"] is not None)

    used = set(by_rule)
    rule_entries = {code: rule_entry(rule) for code, rule in sorted(table.items())}
    for code in sorted(used - set(rule_entries)):  # a finding from a rule the table does not hold
        rule_entries[code] = {
            "name": code, "summary": "", "explanation": "", "fix_title": "",
            "safety": Safety.NONE.value, "severity": Severity.INFO.value, "ruleset": "", "kind": "",
        }
    return {
        "schema": SCHEMA,
        "tool": {"name": "dlmigrate", "version": __version__},
        "command": command,
        "target": target,
        "root": root.as_posix(),
        "summary": {
            "files": len(results),
            "changed": statuses[FileStatus.CHANGED],
            "unchanged": statuses[FileStatus.UNCHANGED],
            "skipped": statuses[FileStatus.SKIPPED],
            "failed": statuses[FileStatus.FAILED],
            "edits": sum(fixed_by_safety.values()),
            "open": {severity: open_by_severity[severity] for severity in SEVERITIES},
            "fixed_by_safety": {safety.value: fixed_by_safety[safety.value] for safety in Safety if safety is not Safety.NONE},
            "by_rule": dict(sorted(by_rule.items())),
            "validation": {v: verdicts[v] for v in sorted(verdicts, key=_verdict_order)} if verdicts else None,
        },
        "rules": rule_entries,
        "files": files,
    }


def _verdict_order(verdict: str) -> tuple[int, str]:
    return (VERDICTS.index(verdict) if verdict in VERDICTS else len(VERDICTS), verdict)


def fix_title(rule: Mapping[str, Any]) -> str:
    """The rule's fix title when it reads on its own (some are templates filled per finding)."""
    title = rule.get("fix_title") or ""
    return "" if "{" in title else title


def used_rules(document: Mapping[str, Any]) -> list[str]:
    return sorted(document["summary"]["by_rule"])
