"""The fix edits of each finding, for the machine-readable reports (JSON, SARIF).

Findings carry ``fix: Fix | None`` (``migrate.model``): the applicability and the
text edits (``Edit(start, end, text)``, character offsets in the text the finding
points into).  They come from the one match stage, never from a second
computation:

* ``UnitFixes`` is how the engine's units pass (``engine._transform_units``) says
  which of its edits fix which finding: a rename or value rewrite matched on the
  ``ast`` is one text edit (``migrate.textfix``); a statement the libcst pass
  rewrote is one edit replacing the statement's lines (``needs_cst``); imports the
  rewrite added, and what a module-level rule inserted or deleted, are edits the
  fix needs as well (the added imports are listed with every fixed finding of the
  file: an extra import never breaks a program, a missing one does).
* ``lint`` reports without rewriting; for a machine report, ``attach_fixes`` runs
  exactly what ``lint --fix`` runs (``transform_honouring_suppressions``) on the
  files with something to fix -- once for the safe fixes and, when review fixes are
  reported, once more as ``--fix --unsafe-fixes`` -- and gives each finding the edits
  of the run that would apply it.  Applying every distinct edit of a file's safe
  findings gives what ``lint --fix`` writes (tests/test_fix_edits.py).

Edits are left out, with the reason, where they cannot be exact: a notebook (its
findings count lines within a cell, its edits would be in the combined code of
all cells), a file the whole-module libcst pass rewrote (a rule that spans
statements: one finding's edit is not separable), and a file repaired before it
could be parsed.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import replace
from typing import Any, Callable, Iterable

from migrate.model import Edit, FileResult, FileStatus, Finding, Fix, Safety

NOTEBOOK_REASON = ("notebook: the edits are in the code of the notebook's cells, not in the .ipynb text; "
                   "`dlmigrate lint --fix` applies them")
WHOLE_MODULE_REASON = ("a rule that spans statements rewrote this file in one libcst pass, so this finding's edit "
                       "is not separable; `dlmigrate lint --fix` applies it")
NOT_COMPUTED_REASON = ("no edit was computed for this finding in this run (a fix of an applicability the run "
                       "did not apply, or a file rewritten before it could be parsed)")


# -- the engine side ---------------------------------------------------------------


class UnitFixes:
    """Which edits of the units pass fix which finding (``engine._transform_units`` reports them here)."""

    def __init__(self, ctx, starts: list[int]) -> None:
        self.ctx, self.starts = ctx, starts
        self._mark = 0
        self._edits: dict[int, list[Edit]] = {}  # index in ctx.findings -> the units it was fixed in
        self._imports: Edit | None = None
        self._module: list[tuple[str, Edit]] = []  # (rule code, edit) of module-level insertions/deletions

    def unit_begins(self) -> None:
        self._mark = len(self.ctx.findings)

    def unit_rewritten(self, first: int, last: int, new: str) -> None:
        edit = Edit(self.starts[first - 1], self.starts[last], new)
        for index in range(self._mark, len(self.ctx.findings)):
            if self.ctx.findings[index].fixed:
                self._edits.setdefault(index, []).append(edit)

    def imports_added(self, line: int, text: str) -> None:
        self._imports = Edit(self.starts[line - 1], self.starts[line - 1], text)

    def module_edit(self, code: str, first: int, last: int, text: str) -> None:
        self._module.append((code, Edit(self.starts[first - 1], self.starts[last], text)))

    def text_findings(self, findings: Iterable[Finding]) -> None:
        self.ctx.findings.extend(findings)  # already carrying their text edit (migrate.textfix)

    def findings(self) -> list[Finding]:
        fixed_codes = {f.code for f in self.ctx.findings if f.fixed}
        out = []
        for index, finding in enumerate(self.ctx.findings):
            if not finding.fixed:
                out.append(finding)
                continue
            units = self._edits.get(index, [])
            own = list(finding.fix.edits) if finding.fix is not None else []
            if not own and not units:
                out.append(finding)  # fixed, but by no edit this pass can name
                continue
            # in ``engine._splice``'s order at one offset: imports, inserted statements, edits, deletions
            ordered = ([(self._imports, 0)] if self._imports is not None else []) + [
                (edit, 1 if edit.start == edit.end else 3) for code, edit in self._module
                if code == finding.code or code not in fixed_codes] + [(edit, 2) for edit in own + units]
            edits = []
            for edit, _order in sorted(ordered, key=lambda pair: (pair[0].start, pair[0].end, pair[1])):
                if edit not in edits:
                    edits.append(edit)
            out.append(replace(finding, fix=Fix(finding.safety, tuple(edits), needs_cst=bool(units))))
        return out


# -- the lint side -----------------------------------------------------------------


def _key(finding: Finding) -> tuple:
    return (finding.code, finding.line, finding.column)


def attach_fixes(results: list[FileResult], rules_for: Callable[[str], Any], *, fixed: bool = False) -> list[FileResult]:
    """``results`` with each open fixable finding's ``fix`` filled from the run that would apply it.

    ``rules_for(path)``: the rule set lint used for that file.  ``fixed``: the files were rewritten
    by ``--fix`` (their findings point into ``rewritten``), else into ``original``.
    """
    out = []
    for result in results:
        wanted = [f for f in result.findings if f.safety in (Safety.SAFE, Safety.REVIEW) and f.fix is None]
        if result.status is FileStatus.FAILED or not wanted or result.path.endswith(".ipynb"):
            out.append(result)
            continue
        text = result.rewritten if fixed and result.rewritten is not None else result.original
        if text is None:
            out.append(result)
            continue
        from migrate.suppressions import transform_honouring_suppressions

        ruleset = rules_for(result.path)
        by_run: dict[Safety, dict[tuple, Finding]] = {}
        for safety, apply in ((Safety.SAFE, frozenset({Safety.SAFE})),
                              (Safety.REVIEW, frozenset({Safety.SAFE, Safety.REVIEW}))):
            if any(f.safety is safety for f in wanted):
                try:
                    _new, found = transform_honouring_suppressions(text, ruleset, apply, result.path)
                except Exception:  # noqa: BLE001 - the report goes on; the fix stays undescribed
                    found = ()
                by_run[safety] = {_key(f): f for f in found if f.fixed}
        findings = []
        for finding in result.findings:
            engine = by_run.get(finding.safety, {}).get(_key(finding)) if finding in wanted else None
            if engine is not None:
                finding = replace(finding, fix=engine.fix or Fix(finding.safety, (), needs_cst=True))
            findings.append(finding)
        out.append(replace(result, findings=tuple(findings)))
    return out


# -- rendering ---------------------------------------------------------------------


class Positions:
    """Character offset -> 1-based (line, column) in one text."""

    def __init__(self, text: str) -> None:
        # lines as Python (and a finding's line) counts them: \n, \r\n and \r end a line
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n?|\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1


def fix_entry(finding: Finding, text: str | None, notebook: bool, positions: Positions | None = None) -> dict | None:
    """The JSON ``fix`` object of a finding (None: the rule only reports).

    ``text``: what the edits apply to (the file as the finding sees it).
    """
    if finding.safety is Safety.NONE:
        return None
    entry: dict[str, Any] = {
        "applicability": finding.safety.value,
        "needs_cst": bool(finding.fix and finding.fix.needs_cst),
        "edits": None,
        "reason": None,
    }
    if notebook:
        entry["reason"] = NOTEBOOK_REASON
    elif finding.fix is None:
        entry["reason"] = NOT_COMPUTED_REASON
    elif not finding.fix.edits:
        entry["reason"] = WHOLE_MODULE_REASON
    elif text is None:
        entry["reason"] = "the file's text is not in this report"
    else:
        positions = positions or Positions(text)
        entry["edits"] = [edit_entry(edit, positions) for edit in finding.fix.edits]
    return entry


def edit_entry(edit: Edit, positions: Positions) -> dict[str, Any]:
    (start_line, start_column), (end_line, end_column) = positions.at(edit.start), positions.at(edit.end)
    return {
        "start": {"line": start_line, "column": start_column, "offset": edit.start},
        "end": {"line": end_line, "column": end_column, "offset": edit.end},
        "text": edit.text,
    }


def apply_edits(text: str, edits: Iterable[dict]) -> str:
    """``text`` with the distinct JSON edits applied: from the bottom up, at one offset in the order listed
    (what a consumer of the report does; ``lint --fix`` writes the same for a file's safe findings)."""
    distinct: list[tuple[int, int, str]] = []
    for edit in edits:
        key = (edit["start"]["offset"], edit["end"]["offset"], edit["text"])
        if key not in distinct:
            distinct.append(key)
    ordered = sorted(range(len(distinct)), key=lambda i: (distinct[i][0], distinct[i][1], i))
    out = text
    for index in reversed(ordered):
        start, end, new = distinct[index]
        out = out[:start] + new + out[max(start, end):]
    return out
