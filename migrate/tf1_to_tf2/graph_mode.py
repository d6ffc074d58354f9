"""TF2301 / TF2302: the graph-mode switch goes where a program starts, never into a library.

``tf.compat.v1.disable_v2_behavior()`` changes the whole process: a module that
calls it at import time switches every program that imports it to TF1
behaviour.  So the switch is placed by the file's role:

* a program that starts under ``if __name__ == "__main__":`` gets it as the
  first statement of that block (importing the file changes nothing);
* a script whose module-level code builds or runs a graph (or calls
  ``tf.app.run`` / ``absl.app.run`` / ``tf.test.main`` at module level) gets it
  after its import block (never between imports: ruff E402);
* a module that other files of the run import, whose module-level code needs
  graph mode, a module with no entry point (a library), and a file that
  enables eager execution itself get no switch but a TF2302 finding that says
  what its callers must do.

A tree run knows which files import which (``scan.run``, from
``migrate.runfacts``); a program whose own code has no graph API but imports a
graph-mode library of the tree gets the switch too.  A single-file run cannot
know who imports the file: the finding says what it assumed.
"""
from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, replace
from pathlib import Path

from migrate.facts import TopStatement, main_guard, on_import, top_statements
from migrate.kinds.calls import canonical, short
from migrate.lazycst import cst
from migrate.model import Safety, Severity
from migrate.plugin import CustomTransform, Match, register
from migrate.resolve import first_line, line_groups

_DISABLERS = ("disable_v2_behavior", "disable_eager_execution")
_ENABLERS = ("enable_eager_execution", "enable_v2_behavior")
_STARTERS = {
    "tensorflow.app.run", "tensorflow.compat.v1.app.run", "absl.app.run",
    "tensorflow.test.main", "tensorflow.compat.v1.test.main",
}
_GUARD_WHERE = "as the first statement under if __name__ == '__main__'"
_MODULE_WHERE = "after the import block"




@functools.lru_cache(maxsize=4096)
def _file_uses_graph(path: str, words: tuple[str, ...]) -> bool:
    """Does a file of the tree mention a graph-mode API (by its last name component)?"""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    if "tensorflow" not in text or any(d in text for d in _DISABLERS):
        return False
    return re.search(r"\b(?:%s)\b" % "|".join(map(re.escape, words)), text) is not None


@dataclass(frozen=True)
class Plan:
    """Where the switch goes (``module``, ``guard`` or ``""`` for nowhere) and why."""

    place: str
    names: tuple[str, ...]
    why: str  # for a finding: the role the file was given
    libraries: tuple[str, ...] = ()  # graph-mode files of the tree this program imports


@dataclass(frozen=True)
class Placement:
    """TF2301's decision, read off the ``ast``: the payload of its match, which both passes apply.

    ``after``: the original line the switch follows (the units pass inserts it there as text);
    ``statement``: the index of the module-level statement it goes before (``guard``: into), counted
    among the statements that are not lines of only imports -- those are the ones the libcst pass
    never adds, splits or removes, so the whole-module pass finds the same statement by this count.
    """

    place: str  # "guard" or "module"
    after: int
    indent: str
    statement: int | None  # None: at the end of the module
    one_line_guard: bool = False  # ``if __name__ == "__main__": main()``: the body becomes a block


class _GraphModeBase(CustomTransform):
    # both rules decide on the ast scan and the run's facts (``match``); nothing of the file's own statements
    # is parsed: the switch is an inserted line (``unit_finish``, or ``finish`` in the whole-module pass)

    def sites(self, scan):
        return []

    def _apis(self) -> set[str]:
        return set(self.entries.get("graph_apis", ()))

    def _graph_names(self, scan) -> list[str]:
        apis = self._apis()
        seen: list[str] = []
        for ref in scan.references:
            name = canonical(ref.qualified)
            if name in apis and name not in seen:
                seen.append(name)
        return seen

    def _graph_libraries(self, scan) -> list[str]:
        words = tuple(sorted({a.rsplit(".", 1)[-1] for a in self._apis()}))
        return [p for p in scan.run.get("imports", ()) if _file_uses_graph(p, words)]

    def applies(self, scan) -> bool:
        if any(ref.qualified.rsplit(".", 1)[-1] in _DISABLERS for ref in scan.references):
            return False
        return bool(self._graph_names(scan)) or bool(self._graph_libraries(scan))

    def plan(self, scan) -> Plan | None:
        """The file's role, decided once per scan (TF2301 and TF2302 share it)."""
        if "<graph_mode_plan>" not in scan.matches:
            scan.matches["<graph_mode_plan>"] = (self._plan(scan) if scan.tree is not None and self.applies(scan)
                                                 else None)
        return scan.matches["<graph_mode_plan>"]  # type: ignore[return-value]

    def _plan(self, scan) -> Plan:
        names = tuple(self._graph_names(scan))
        libraries = tuple(self._graph_libraries(scan))
        if any(ref.qualified.rsplit(".", 1)[-1] in _ENABLERS for ref in scan.references):
            return Plan("", names, "enables eager execution itself, so the switch would undo it", libraries)
        statements = top_statements(scan)  # the file's shared top-level statements and the references in each
        guard = main_guard(statements)
        imported = on_import(statements)
        module_level = [n for n in names
                        if any(canonical(r.qualified) == n for s in imported for r in s.references)]
        runs = _runs_at_module_level(statements, imported)
        tree = scan.tree
        run = scan.run
        importers = tuple(_shown(run, p) for p in run.get("importers", ()))
        in_package = _in_package(tree, run)
        if guard is not None and not module_level:
            return Plan("guard", names, "starts under if __name__ == '__main__'", libraries)
        if importers:
            shown = ", ".join(importers[:3]) + (" and more" if len(importers) > 3 else "")
            what = "its module-level code builds a graph" if module_level else "it is a library"
            return Plan("", names, f"is imported by {shown} of the tree ({what})", libraries)
        if (runs or module_level) and not in_package:
            what = "runs as a script" if runs else "builds its graph at module level (on TF2 even importing it fails)"
            return Plan("module", names, what, libraries)
        stem = Path(str(run.get("path", ""))).stem
        if stem.startswith("test_") or stem.endswith("_test"):
            return Plan("", names, "is a test module without a main guard (a test runner imports it: put the switch "
                        "in conftest.py, or add if __name__ == '__main__': tf.test.main())", libraries)
        if in_package:
            return Plan("", names, "is a module of a package with no entry point of its own", libraries)
        return Plan("", names, "is a library (no entry point; nothing at module level runs a graph)", libraries)

    def _match(self, ctx) -> Match | None:
        """This rule's one match in the file, or None."""
        matches = self.matches(ctx.scan) if ctx.scan is not None else None
        if not matches:
            return None
        (match,) = matches
        return match


@register("TF2301")
class GraphModeProgram(_GraphModeBase):
    def match(self, scan) -> list[Match]:
        plan = self.plan(scan)
        if plan is None or not plan.place:
            return []
        tree = scan.tree
        groups = line_groups(tree.body)
        if plan.place == "guard":
            guard = main_guard(top_statements(scan)).node
            first = guard.body[0]
            indent = scan.source.splitlines()[first.lineno - 1][:first.col_offset]
            placement = Placement("guard", first_line(first) - 1, indent,
                                  _counted(groups, next(i for i, g in enumerate(groups) if g[0] is guard)),
                                  one_line_guard=first.lineno == guard.lineno)
            anchor, where = guard, _GUARD_WHERE
        else:
            found = _after_import_block(groups)
            if found is None:
                first = tree.body[0]
                return [Match(self.rule, first.lineno, first.col_offset + 1, self._no_anchor(scan, plan), Safety.NONE,
                              severity=Severity.WARNING, fixable=False)]
            index = found
            anchor, where = groups[index - 1][0], _MODULE_WHERE
            placement = Placement("module", groups[index - 1][-1].end_lineno, "",
                                  _counted(groups, index) if index < len(groups) else None)
        assumed = "" if scan.run.get("tree") else (
            "; assumed it is a program that no other module imports (convert the whole tree to decide from its imports)")
        fields = dict(names=self._names(scan, plan), role=plan.why, where=where)
        return [Match(self.rule, anchor.lineno, anchor.col_offset + 1, self.rule.message.format(**fields) + assumed,
                      self.rule.safety, end_line=anchor.end_lineno, payload=placement,
                      unfixed_message=(f"this program uses graph-mode APIs ({fields['names']}) and {plan.why}; it "
                                       f"needs tf.compat.v1.disable_v2_behavior() {where}{assumed}"))]

    @staticmethod
    def _names(scan, plan: Plan) -> str:
        if plan.names:
            return ", ".join(short(n) for n in plan.names[:3])
        return "through " + ", ".join(_shown(scan.run, p) for p in plan.libraries[:3])

    def _no_anchor(self, scan, plan: Plan) -> str:
        return (f"this program uses graph-mode APIs ({self._names(scan, plan)}) but has no module-level TensorFlow "
                "import to put tf.compat.v1.disable_v2_behavior() after; call it where the program starts, before "
                "any graph is built")

    # -- applying the match: as an inserted line (units pass) or an inserted statement (whole-module pass)
    def unit_finish(self, ctx, tree):
        match = self._match(ctx)
        if match is None:
            return []
        placement = match.payload
        if placement is not None and (placement.one_line_guard or placement.after < 1):
            return None  # a one-line guard becomes a block: the whole-module pass does that
        if not ctx.report_match(match):
            return []
        return [(placement.after, f"{placement.indent}{ctx.spell('tensorflow.compat.v1.disable_v2_behavior')}()")]

    def finish(self, ctx, module):
        match = self._match(ctx)
        if match is None:
            return module
        placement = match.payload
        if placement is None or not match.finding(ctx.apply).fixed:
            ctx.report_match(match)
            return module
        scheduled = dict(ctx.scheduled_imports)
        call = f"{ctx.spell('tensorflow.compat.v1.disable_v2_behavior')}(){module.default_newline}"
        statement = cst.parse_statement(call, config=module.config_for_parsing)
        new = _insert(module, placement, statement)
        if new is None:  # the pass changed the module beyond what it ever does: leave it, and say so
            ctx.scheduled_imports.clear()
            ctx.scheduled_imports.update(scheduled)
            ctx.findings.append(replace(match.finding(frozenset()), fixed=False))
            return module
        ctx.report_match(match)
        return new


@register("TF2302")
class GraphModeLibrary(_GraphModeBase):
    def match(self, scan) -> list[Match]:
        plan = self.plan(scan)
        if plan is None or plan.place or not plan.names:
            return []
        tree = scan.tree
        line = min((r.line for r in scan.references if canonical(r.qualified) == plan.names[0]), default=None)
        statement = next((s for s in tree.body if line is not None and first_line(s) <= line <= s.end_lineno),
                         tree.body[0])
        names = ", ".join(short(n) for n in plan.names[:3])
        return [Match(self.rule, statement.lineno, statement.col_offset + 1,
                      self.rule.message.format(names=names, role=plan.why), self.rule.safety, fixable=False)]

    def unit_finish(self, ctx, tree):
        match = self._match(ctx)
        if match is not None:
            ctx.report_match(match)
        return []

    def finish(self, ctx, module):
        match = self._match(ctx)
        if match is not None:
            ctx.report_match(match)
        return module


_RUNNERS = {"tensorflow.Session", "tensorflow.InteractiveSession", "tensorflow.train.MonitoredTrainingSession",
            "tensorflow.train.Supervisor"}


def _runs_at_module_level(statements: tuple[TopStatement, ...], imported: list[TopStatement]) -> bool:
    """Module-level code opens a session, starts the program, prints, or calls a function of this file."""
    if any(canonical(r.qualified) in _RUNNERS or r.qualified in _STARTERS for s in imported for r in s.references):
        return True
    defined = {s.node.name for s in statements if isinstance(s.node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for statement in imported:
        for call in ast.walk(statement.node):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and (
                    call.func.id in defined or call.func.id == "print"):
                return True
    return False


def _in_package(tree: ast.Module, run: dict) -> bool:
    """A relative import, or an ``__init__.py`` beside the file: a package module, not a script."""
    if any(isinstance(n, ast.ImportFrom) and n.level for n in tree.body):
        return True
    path = run.get("path")
    return bool(path) and (Path(str(path)).parent / "__init__.py").is_file()


def _shown(run: dict, path: str) -> str:
    root = run.get("root")
    if root:
        try:
            return str(Path(path).relative_to(str(root)))
        except ValueError:
            pass
    return path


def _imported_modules(group: list[ast.stmt]) -> list[str] | None:
    """Modules imported by the statements of one line (or one ``try`` of only imports)."""
    names: list[str] = []
    if len(group) == 1 and isinstance(group[0], ast.Try):
        for inner in line_groups(group[0].body):
            found = _imported_modules(inner)
            if found is None:
                return None
            names += found
        return names
    for small in group:
        if isinstance(small, ast.Import):
            names += [a.name for a in small.names]
        elif isinstance(small, ast.ImportFrom):
            names.append(small.module or "" if not small.level else "")
        else:
            return None
    return names


def _after_import_block(groups: list[list[ast.stmt]]) -> int | None:
    """The index of the first statement group after the import block that holds the last top-level import of
    tensorflow (never between imports: ruff E402); None when no module-level import of tensorflow."""
    last = None
    for index, group in enumerate(groups):
        names = _imported_modules(group) or []
        if any(n == "tensorflow" or n.startswith("tensorflow.") for n in names):
            last = index
    if last is None:
        return None
    index = last + 1
    while index < len(groups) and _imported_modules(groups[index]) is not None:
        index += 1
    return index


def _counted(groups: list[list[ast.stmt]], index: int) -> int:
    """How many of ``groups[:index]`` are not lines of only imports (``_insert`` counts the same way)."""
    return sum(1 for group in groups[:index] if not all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in group))


def _import_line(statement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body)


def _insert(module, placement: Placement, statement):
    """``module`` (the pass's result) with the switch where ``placement`` says; None where it cannot be found.

    The statement is found by counting module-level statements that are not lines of only imports: the
    pass renames, splits and removes import lines (TF2102, TF2105) but keeps every other statement.
    """
    body = list(module.body)
    others = [i for i, s in enumerate(body) if not _import_line(s)]
    if placement.statement is None:
        index = len(body)
    elif placement.statement < len(others):
        index = others[placement.statement]
    else:
        return None
    if placement.place == "module":
        return module.with_changes(body=[*body[:index], statement, *body[index:]])
    guard = body[index] if index < len(body) else None
    if not isinstance(guard, cst.If):
        return None
    if isinstance(guard.body, cst.SimpleStatementSuite):  # ``if __name__ == "__main__": main()``
        suite = guard.body
        line = cst.SimpleStatementLine(body=[s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT) for s in suite.body],
                                       trailing_whitespace=suite.trailing_whitespace)
        block = cst.IndentedBlock(body=[statement, line])
    else:  # the first statement's comments stay above the switch, as the units pass inserts it below them
        first, *rest = guard.body.body
        block = guard.body.with_changes(body=[statement.with_changes(leading_lines=first.leading_lines),
                                              first.with_changes(leading_lines=()), *rest])
    body[index] = guard.with_changes(body=block)
    return module.with_changes(body=body)
