"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Locations are relative to the working directory (``%SRCROOT%``) with forward
slashes; columns count Unicode code points, like Python.  A result's ``fixes`` are
its finding's own fix edits (``migrate.fixedits``: the edits the one match stage made,
as ``deletedRegion`` + ``insertedContent``), for open findings too, so code scanning can
offer them; a fixed finding without edits gets the report's unified diff instead, each
changed block of lines attached to the narrowest fixed finding that covers it.  A notebook's
findings carry no replacements (their edits are in the cells' code, not the .ipynb text).

Code scanning gets OPEN findings only: an edit ``convert`` already made is not an alert.
``include_fixed=True`` adds the fixed findings with their replacements (a machine-readable
change set for SARIF tools other than code scanning).  The edits count is in
``run.properties.summary`` either way.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import PurePosixPath
from urllib.parse import quote
from typing import Any, Iterable, Mapping

from migrate.report.document import build_document, fix_title

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "%SRCROOT%"
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def render_sarif(results: Iterable[Any], rules: Any, *, command: str = "lint", target: str | None = None, root=None,
                 fix_base: str = "original") -> str:
    """SARIF text straight from FileResults (what ``lint --output-format sarif`` prints)."""
    return render(build_document(results, rules, command=command, target=target, root=root, fix_base=fix_base))


def render(document: Mapping[str, Any], include_fixed: bool = False) -> str:
    return json.dumps(sarif_log(document, include_fixed), indent=2, ensure_ascii=False) + "\n"


def sarif_log(document: Mapping[str, Any], include_fixed: bool = False) -> dict[str, Any]:
    rule_ids = list(document["rules"])
    index = {code: number for number, code in enumerate(rule_ids)}
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for file in document["files"]:
        if file["status"] == "failed" and file.get("error"):
            notifications.append(
                {
                    "level": "error",
                    "message": {"text": file["error"]},
                    "locations": [{"physicalLocation": {"artifactLocation": artifact_location(file["uri"])}}],
                }
            )
        results.extend(r for r in file_results(file, index, document["rules"])
                       if include_fixed or not r["properties"]["fixed"])
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": document["tool"]["name"],
                "version": document["tool"]["version"],
                "semanticVersion": document["tool"]["version"],
                "rules": [rule_descriptor(code, document["rules"][code]) for code in rule_ids],
            }
        },
        "invocations": [
            {
                "executionSuccessful": document["summary"]["failed"] == 0,
                "toolExecutionNotifications": notifications,
            }
        ],
        "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(document["root"])}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"command": document["command"], "target": document["target"], "summary": document["summary"]},
    }
    if document["command"]:
        run["automationDetails"] = {"id": f"dlmigrate/{document['command']}/"}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _directory_uri(root: str) -> str:
    path = PurePosixPath(root)
    uri = path.as_uri() if path.is_absolute() else root
    return uri if uri.endswith("/") else uri + "/"


def artifact_location(path: str) -> dict[str, str]:
    """``path`` is the document's forward-slash path: relative to the root, or absolute outside it."""
    if path.startswith("/"):
        return {"uri": PurePosixPath(path).as_uri()}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def rule_descriptor(code: str, rule: Mapping[str, Any]) -> dict[str, Any]:
    help_markdown = f"**{rule['summary']}**\n\n{rule['explanation']}".strip()
    if fix_title(rule):
        help_markdown += f"\n\nFix: {fix_title(rule)}"
    help_markdown += f"\n\nFix safety level: `{rule['safety']}`"
    return {
        "id": code,
        "name": rule["name"],
        "shortDescription": {"text": rule["summary"] or code},
        "fullDescription": {"text": rule["explanation"] or rule["summary"] or code},
        "help": {"text": f"{rule['summary']}\n\n{rule['explanation']}".strip() or code, "markdown": help_markdown},
        "defaultConfiguration": {"level": LEVELS.get(rule["severity"], "warning")},
        "properties": {
            "tags": [tag for tag in ("migration", rule.get("ruleset"), rule.get("kind")) if tag],
            "fix_safety": rule["safety"],
        },
    }


def _fix_description(finding: Mapping[str, Any], rule: Mapping[str, Any]) -> str:
    text = fix_title(rule) or f"Apply dlmigrate's rewrite for {finding['code']}"
    # the fix's own applicability: a safe rule's fix that follows from a review fix is applied with it
    if (finding.get("fix") or {}).get("applicability", finding["safety"]) == "review":
        text += " (review: the documented replacement, but behaviour may differ)"
    return text


def file_results(file: Mapping[str, Any], index: Mapping[str, int], rules: Mapping[str, Any]) -> list[dict[str, Any]]:
    lines = file["original"].splitlines() if file.get("original") is not None else None
    blocks = [] if file["notebook"] else change_blocks(file.get("diff") or "")
    fixes = attach_fixes(file["findings"], blocks) if blocks else {}
    seen: Counter[str] = Counter()
    results = []
    for number, finding in enumerate(file["findings"]):
        if file["notebook"]:
            # a finding's line counts within its cell: code scanning gets the .ipynb line holding it
            region = {"startLine": max(finding.get("file_line") or 1, 1)}
        else:
            # the schema wants positive positions; a finding never has fewer, but a broken one must not void the log
            start = (max(finding["line"], 1), max(finding["column"], 1))
            region = {"startLine": start[0], "startColumn": start[1]}
            end_line, end_column = finding.get("end_line"), finding.get("end_column")
            if end_line is not None and end_column is not None and (end_line, end_column) >= start:
                region.update(endLine=end_line, endColumn=end_column)
        line_text = ""
        if lines is not None and not file["notebook"] and 0 < finding["line"] <= len(lines):
            line_text = lines[finding["line"] - 1]
        basis = "\0".join((finding["code"], file["uri"], " ".join(line_text.split()) or finding["message"]))
        digest = hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]
        seen[digest] += 1
        result: dict[str, Any] = {
            "ruleId": finding["code"],
            "level": LEVELS.get(finding["severity"], "warning"),
            "message": {"text": finding["message"]},
            "locations": [{"physicalLocation": {"artifactLocation": artifact_location(file["uri"]), "region": region}}],
            "partialFingerprints": {"primaryLocationLineHash": f"{digest}:{seen[digest]}"},
            "properties": {"fixed": finding["fixed"], "fix_safety": finding["safety"]},
        }
        if finding["code"] in index:
            result["ruleIndex"] = index[finding["code"]]
        edits = (finding.get("fix") or {}).get("edits")
        if edits:  # the finding's own fix edits (migrate.fixedits), in the file's lines and columns
            result["fixes"] = [
                {
                    "description": {"text": _fix_description(finding, rules.get(finding["code"], {}))},
                    "artifactChanges": [
                        {"artifactLocation": artifact_location(file["uri"]),
                         "replacements": [edit_replacement(edit) for edit in edits]}
                    ],
                }
            ]
        elif fixes.get(number):
            result["fixes"] = [
                {
                    "description": {"text": _fix_description(finding, rules.get(finding["code"], {}))},
                    "artifactChanges": [
                        {"artifactLocation": artifact_location(file["uri"]), "replacements": [b.replacement() for b in fixes[number]]}
                    ],
                }
            ]
        results.append(result)
    return results


def edit_replacement(edit: Mapping[str, Any]) -> dict[str, Any]:
    """A fix edit (document form) as a SARIF replacement: the region it deletes (empty for an insertion;
    endColumn exclusive) and the text it inserts."""
    start, end = edit["start"], edit["end"]
    region = {"startLine": start["line"], "startColumn": start["column"],
              "endLine": end["line"], "endColumn": end["column"]}
    return {"deletedRegion": region, "insertedContent": {"text": edit["text"]}}


class Block:
    """One run of removed and/or added lines; ``start`` is the first removed line (1-based),
    or for a pure insertion the line after which the new lines go (0: top of file)."""

    def __init__(self, start: int, removed: list[str], added: list[str], before: str | None) -> None:
        self.start, self.removed, self.added, self.before = start, removed, added, before

    @property
    def span(self) -> tuple[int, int]:
        if self.removed:
            return self.start, self.start + len(self.removed) - 1
        return max(self.start, 1), max(self.start, 1)

    def replacement(self) -> dict[str, Any]:
        added = "\n".join(self.added)
        if self.removed:
            last = self.start + len(self.removed) - 1
            region = {"startLine": self.start, "startColumn": 1, "endLine": last, "endColumn": len(self.removed[-1]) + 1}
            if not self.added:  # the removed lines' line breaks go too
                if self.before is not None:
                    region.update(startLine=self.start - 1, startColumn=len(self.before) + 1)
                else:
                    region.update(endLine=last + 1, endColumn=1)
            return {"deletedRegion": region, "insertedContent": {"text": added}}
        if self.start == 0:
            return {"deletedRegion": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1}, "insertedContent": {"text": added + "\n"}}
        column = len(self.before or "") + 1
        region = {"startLine": self.start, "startColumn": column, "endLine": self.start, "endColumn": column}
        return {"deletedRegion": region, "insertedContent": {"text": "\n" + added}}


def _text(diff_line: str) -> str:
    return diff_line[1:].rstrip("\n").rstrip("\r")


def change_blocks(diff: str) -> list[Block]:
    """Parse a unified diff into change blocks with original line numbers."""
    blocks: list[Block] = []
    lines = diff.splitlines(keepends=True)
    position = 0
    while position < len(lines):
        match = _HUNK.match(lines[position])
        position += 1
        if not match:
            continue
        old_line = int(match.group(1))
        if match.group(2) == "0":
            old_line += 1  # an empty old range names the line before it
        previous: str | None = None
        removed: list[str] = []
        added: list[str] = []
        start = old_line

        def flush() -> None:
            if removed and len(removed) == len(added):
                # Line-for-line rewrites are separate edits: each finding gets only its own line.
                before = previous
                for offset, (old, new) in enumerate(zip(removed, added)):
                    blocks.append(Block(start + offset, [old], [new], before))
                    before = old
            elif removed or added:
                at = start if removed else start - 1
                blocks.append(Block(at, list(removed), list(added), previous))
            removed.clear()
            added.clear()

        while position < len(lines) and not lines[position].startswith("@@"):
            line = lines[position]
            position += 1
            kind = line[:1]
            if kind == "\\":
                continue
            if kind == "-":
                if not removed and not added:
                    start = old_line
                removed.append(_text(line))
                old_line += 1
            elif kind == "+":
                if not removed and not added:
                    start = old_line
                added.append(_text(line))
            elif kind == " ":
                flush()
                previous = _text(line)
                old_line += 1
            else:
                break
        flush()
    return blocks


def attach_fixes(findings: list[Mapping[str, Any]], blocks: list[Block]) -> dict[int, list[Block]]:
    """Give each block to the fixed findings with the narrowest line range that covers it."""
    fixes: dict[int, list[Block]] = {}
    fixed = [(n, f) for n, f in enumerate(findings) if f["fixed"]]
    for block in blocks:
        first, last = block.span
        covering = [(n, f) for n, f in fixed if f["line"] <= first and last <= (f.get("end_line") or f["line"])]
        if not covering:
            covering = [(n, f) for n, f in fixed if f["line"] <= last and first <= (f.get("end_line") or f["line"])]
        if not covering:
            continue
        narrowest = min((f.get("end_line") or f["line"]) - f["line"] for _, f in covering)
        for number, finding in covering:
            if (finding.get("end_line") or finding["line"]) - finding["line"] == narrowest:
                fixes.setdefault(number, []).append(block)
    return fixes
