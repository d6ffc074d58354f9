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
* where the units pass did not make the rewrite -- the whole-module libcst pass (a
  rule that spans statements, e.g. PT1047 removing imports the fixes left unused),
  or a file repaired before it could be parsed -- ``line_block_fixes`` cuts the
  rewrite's result into the blocks of lines it changed and gives each block to the
  fixed findings whose lines it overlaps (the narrowest), a block on no finding's
  lines to every fixed finding: all of a file's edits together are exactly the
  rewrite; one finding's may hold a neighbour's change.
* ``lint`` reports without rewriting; for a machine report, ``attach_fixes`` runs
  exactly what ``lint --fix`` runs (``transform_honouring_suppressions``) on the
  files with something to fix -- once for the safe fixes and, when review fixes are
  reported, once more as ``--fix --unsafe-fixes`` -- and gives each finding the edits
  of the run that would apply it (a safe rule whose fix follows from a review fix,
  PT1047 after PT1025, is given the second run's edits with applicability review).
  Applying every distinct edit of a file's safe findings gives what ``lint --fix``
  writes (tests/test_fix_edits.py).

Edits are left out, with the reason, for a notebook (its findings count lines
within a cell, its edits would be in the combined code of all cells).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import replace
from typing import Any, Callable, Iterable

from migrate.model import Edit, FileResult, FileStatus, Finding, Fix, Safety

NOTEBOOK_REASON = ("notebook: the edits are in the code of the notebook's cells, not in the .ipynb text; "
                   "`dlmigrate lint --fix` applies them")
WHOLE_MODULE_REASON = ("one libcst pass rewrote this file and changed no line of this finding's own: its change is "
                       "in the edits of the findings on the lines that changed")
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


def line_block_fixes(original: str, rewritten: str, findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Fixes for a rewrite the units pass did not make (the whole-module libcst pass, a file repaired before
    parsing): the blocks of lines the rewrite changed, each given to the fixed findings with the narrowest
    line span that overlaps it, a block on no finding's lines to every fixed finding.

    The edits are the rewrite's own result cut at line boundaries; which finding a block belongs to is
    read from lines, so one finding's edits may hold a neighbour's change (``needs_cst``: they are the
    libcst pass's), but all of a file's edits together are always exactly the rewrite.
    """
    findings = tuple(findings)
    fixed = [f for f in findings if f.fixed]
    if original == rewritten or not fixed:
        return tuple(replace(f, fix=None) if f.fixed else f for f in findings)
    import difflib

    old, new = _lines(original), _lines(rewritten)
    starts = [0]
    for line in old:
        starts.append(starts[-1] + len(line))
    given: dict[int, list[Edit]] = {}
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edit = Edit(starts[i1], starts[i2], "".join(new[j1:j2]))
        first, last = (i1 + 1, i2) if i2 > i1 else (i1, i1 + 1)  # an insertion touches the lines around it
        spans = [(f.line, max(f.end_line or f.line, f.line)) for f in fixed]
        covering = [n for n, (a, b) in enumerate(spans) if a <= last and first <= b]
        if covering:
            narrowest = min(spans[n][1] - spans[n][0] for n in covering)
            owners = [n for n in covering if spans[n][1] - spans[n][0] == narrowest]
        else:  # a change on no finding's lines (a call site of a class a rule rewrote): the fixes' together
            owners = list(range(len(spans)))
        for n in owners:
            given.setdefault(n, []).append(edit)
    out, index = [], 0
    for finding in findings:
        if finding.fixed:
            edits = tuple(given.get(index, ()))
            finding = replace(finding, fix=Fix(finding.safety, edits, needs_cst=True))
            index += 1
        out.append(finding)
    return tuple(out)


def _lines(text: str) -> list[str]:
    """Lines with their ends, as Python counts lines (\\n, \\r\\n, \\r)."""
    return re.findall(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+$", text)


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

        def fixed_by(apply: frozenset) -> dict[tuple, Finding]:
            try:
                _new, found = transform_honouring_suppressions(text, ruleset, apply, result.path)
            except Exception:  # noqa: BLE001 - the report goes on; the fix stays undescribed
                found = ()
            return {_key(f): f for f in found if f.fixed}

        safe = fixed_by(frozenset({Safety.SAFE})) if any(f.safety is Safety.SAFE for f in wanted) else {}
        # review fixes, and safe ones that only follow from a review fix (an import PT1025's fix leaves unused)
        review = fixed_by(frozenset({Safety.SAFE, Safety.REVIEW})) if any(
            f.safety is Safety.REVIEW or _key(f) not in safe for f in wanted) else {}
        findings = []
        for finding in result.findings:
            if finding in wanted:
                engine = safe.get(_key(finding)) if finding.safety is Safety.SAFE else None
                applicability = finding.safety
                if engine is None:
                    engine, applicability = review.get(_key(finding)), Safety.REVIEW
                if engine is not None:
                    fix = engine.fix or Fix(applicability, (), needs_cst=True)
                    finding = replace(finding, fix=replace(fix, applicability=applicability))
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
        # the fix's own where it has one: a safe rule's fix that follows from a review fix is applied with it
        "applicability": (finding.fix.applicability if finding.fix is not None else finding.safety).value,
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
    """``text`` with the JSON edits applied as a consumer of the report applies several fixes at once (ruff's
    rule): in the order given, an edit identical to one taken is taken once, one that overlaps a taken
    replacement is skipped (its finding is then fixed by the edit that won, or by a second lint run);
    insertions at one offset go in the order given.

    A file's safe findings' edits never overlap: applied together they give what ``lint --fix`` writes.  A
    review fix may rewrite a statement a safe fix rewrote too (the two come from the two runs): give the
    review findings' edits first, then the safe ones, to get what ``lint --fix --unsafe-fixes`` writes.
    """
    taken: list[tuple[int, int, str]] = []
    for edit in edits:
        start, end, new = edit["start"]["offset"], edit["end"]["offset"], edit["text"]
        if (start, end, new) in taken:
            continue
        if any(start < e and s < end or (s < start < e) or (start < s < end) for s, e, _n in taken):
            continue
        taken.append((start, end, new))
    ordered = sorted(range(len(taken)), key=lambda i: (taken[i][0], taken[i][1], i))
    out = text
    for index in reversed(ordered):
        start, end, new = taken[index]
        out = out[:start] + new + out[max(start, end):]
    return out
