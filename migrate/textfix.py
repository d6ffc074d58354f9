"""One match stage for the table rules: the ``ast`` matcher's findings carry their fixes as text edits.

``lint``'s ``_Checker`` decides what the rule tables report on an ``ast`` tree.
``TextMatcher`` is that checker run for ``convert`` (the convert's ``apply``,
the rewriting pass's ``EngineContext`` for spelling names and scheduling
imports), which also says how each finding is fixed:

* a dotted reference renamed by the rename table (the bulk of the tables) is
  fixed by one text edit over the reference's span, spelled through the file's
  imports exactly as the libcst pass spells it (``EngineContext.spell``);
* a reference or module finding has nothing to fix;
* a call's argument tables are decided by ``migrate.arguments.plan_arguments``
  on the ``ast`` call (the plan the libcst pass builds): findings without an
  edit are reported here, a lone value rewrite is one text edit;
* what only libcst can rewrite exactly -- a ``from`` import whose names move
  (it may be split), a call whose argument list the plan rebuilds -- is
  marked ``needs_cst`` on the lines of its node: the engine's units pass
  (``engine._transform_units``) parses just the statements holding such lines
  (and custom rules' sites) and rewrites them; every finding and edit on those
  lines is then the libcst pass's, and the others are applied as text.

tests/test_engine_agreement.py holds the result byte-identical to the
whole-module libcst pass on every rule example, fixture and corpus file.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from migrate.arguments import ArgumentFinding, plan_arguments, written_arguments
from migrate.kinds.table import rename, value
from migrate.lint import _Checker, _Pos
from migrate.model import Edit, Finding, Fix


@dataclass
class PendingRename:
    """A rename the matcher found; spelled (and an import scheduled) only if it lands outside the units."""

    node: ast.Attribute
    scopes: list[dict[str, str | None]]
    found: rename.Renamed
    pos: _Pos


class TextMatcher(_Checker):
    def __init__(self, source: str, ctx, customs) -> None:
        super().__init__(source, ctx.ruleset, ctx.bindings, ctx.rebound_targets)
        self.ctx = ctx
        self.customs = customs
        self.may_fix = ctx.may_fix
        self.cst_lines: set[int] = set()  # lines whose fix needs the libcst pass
        if ctx.scan is not None:
            self.function_scopes.update(ctx.scan.function_scopes)  # the scan's walk of each function, reused
        self.renames: list[PendingRename] = []
        self.value_edits: list[tuple[int, int, Edit, Finding]] = []
        self.source = source
        self.starts = [0]  # character offset of each line
        for line in source.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))

    # -- the decisions are the table kinds' (``migrate/kinds/table/``) under convert's ``may_fix``
    def _customs(self):
        return self.customs

    def _renamed(self, node: ast.Attribute, found: rename.Renamed) -> None:
        pos = self._pos(node)
        if not found.hit.fixed:
            self._hit(found.hit, pos)
            return
        self.renames.append(PendingRename(node, self._scopes(), found, pos))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        super().visit_ImportFrom(node)
        if node.level or not node.module or any(a.name == "*" for a in node.names):
            return
        if rename.moves_import(self.rs, node.module, [alias.name for alias in node.names], self.may_fix):
            self.cst_lines.update(range(node.lineno, node.end_lineno + 1))  # moved (maybe split) by libcst

    def _check_arguments(self, qualified: str, node: ast.Call, call: _Pos) -> None:
        """The argument tables' plan for the call (``migrate.arguments``, the one the libcst pass builds):
        findings alone are reported here, a lone value rewrite is a text edit, any other edit is libcst's."""
        plan = plan_arguments(self.rs, qualified, node, self.ctx.may_fix)
        if plan is None or not plan.findings:
            return
        written = written_arguments(node)
        if not plan.edits:  # nothing to rewrite: reported as they are
            for finding in plan.findings:
                self._report(finding.rule, call if finding.at is None else self._pos(written[finding.at]),
                             finding.message)
            return
        if len(plan.findings) == 1 and not plan.drops and len(plan.steps) == 1 and plan.steps[0][1] == "value" \
                and plan.findings[0].at is not None \
                and self._rewrite_value(qualified, written[plan.steps[0][0]], plan.steps[0][2], plan.steps[0][3],
                                        plan.findings[0]):
            return
        self.cst_lines.update(range(node.lineno, node.end_lineno + 1))  # the argument list is libcst's to rebuild

    def _rewrite_value(self, qualified: str, arg: ast.keyword, new_keyword: str, template: str,
                       planned: ArgumentFinding) -> bool:
        """The value kind's text edit for ``arg`` (``value.text_fix``) with its fixed finding; False where
        the text way could differ from the libcst pass."""
        edit = value.text_fix(arg, new_keyword, template, source=self.source, lines=self._lines,
                              starts=self.starts, char_col=self._char_col)
        if edit is None:
            return False
        pos = self._pos(arg)
        rule = planned.rule
        self.value_edits.append((arg.lineno, arg.end_lineno, edit,
                                 Finding(rule.code, planned.message, rule.severity, rule.safety, pos.line, pos.column,
                                         True, pos.end_line, pos.end_column, fix=Fix(rule.safety, (edit,)))))
        return True

    # -- fixes, once the engine knows which lines libcst takes
    def finish(self, starts: list[int], in_units) -> tuple[list[Finding], list[Edit]]:
        """Findings and edits outside the units (``in_units(first, last)``: True inside, False outside,
        None when the span straddles a unit's edge); ``starts``: character offset of each line."""
        findings = [f for f in self.findings if in_units(f.line, f.line) is False]
        edits: list[Edit] = []
        for pending in self.renames:
            node = pending.node
            where = in_units(node.lineno, node.end_lineno)
            if where is None:
                raise ValueError("a rename straddles a unit")
            if where:
                continue
            start = starts[node.lineno - 1] + self._char_col(node.lineno, node.col_offset)
            end = starts[node.end_lineno - 1] + self._char_col(node.end_lineno, node.end_col_offset)
            edit, finding = rename.text_fix(self.ctx, pending.found, node, pending.scopes, (start, end), pending.pos)
            edits.append(edit)
            findings.append(finding)
        for first, last, edit, finding in self.value_edits:
            where = in_units(first, last)
            if where is None:
                raise ValueError("a value rewrite straddles a unit")
            if not where:
                edits.append(edit)
                findings.append(finding)
        self.ctx.scopes = []
        return findings, edits
