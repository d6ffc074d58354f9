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
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from migrate.cstutil import dotted_name
from migrate.model import Safety, Severity
from migrate.plugin import CustomTransform, register

_DISABLERS = ("disable_v2_behavior", "disable_eager_execution")
_ENABLERS = ("enable_eager_execution", "enable_v2_behavior")
_STARTERS = {
    "tensorflow.app.run", "tensorflow.compat.v1.app.run", "absl.app.run",
    "tensorflow.test.main", "tensorflow.compat.v1.test.main",
}


def _canonical(name: str) -> str:
    for prefix in ("tensorflow.compat.v1.", "tensorflow."):
        if name.startswith(prefix):
            return "tensorflow." + name[len(prefix):]
    return name


def _short(name: str) -> str:
    return "tf" + name[len("tensorflow"):] if name.startswith("tensorflow") else name


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


class _GraphModeBase(CustomTransform):
    def _apis(self) -> set[str]:
        return set(self.entries.get("graph_apis", ()))

    def _graph_names(self, scan) -> list[str]:
        apis = self._apis()
        seen: list[str] = []
        for ref in scan.references:
            name = _canonical(ref.qualified)
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

    def plan(self, ctx) -> Plan | None:
        if "graph_mode_plan" not in ctx.facts:
            ctx.facts["graph_mode_plan"] = self._plan(ctx) if ctx.scan is not None and self.applies(ctx.scan) else None
        return ctx.facts["graph_mode_plan"]  # type: ignore[return-value]

    def _plan(self, ctx) -> Plan:
        scan = ctx.scan
        names = tuple(self._graph_names(scan))
        libraries = tuple(self._graph_libraries(scan))
        if any(ref.qualified.rsplit(".", 1)[-1] in _ENABLERS for ref in scan.references):
            return Plan("", names, "enables eager execution itself, so the switch would undo it", libraries)
        tree = ast.parse(ctx.source)
        guard = _main_guard(tree)
        top_lines = _module_level_lines(tree, guard)
        module_level = [n for n in names
                        if any(_canonical(r.qualified) == n and r.line in top_lines for r in scan.references)]
        runs = _runs_at_module_level(tree, guard, scan, top_lines)
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


@register("TF2301")
class GraphModeProgram(_GraphModeBase):
    def prepare(self, ctx) -> None:
        self.plan(ctx)

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        plan = self.plan(ctx)
        if plan is None or not plan.place or not ctx.may_fix(self.rule):
            return module
        scheduled = dict(ctx.scheduled_imports)
        call = f"{ctx.spell('tensorflow.compat.v1.disable_v2_behavior')}(){module.default_newline}"
        statement = cst.parse_statement(call, config=module.config_for_parsing)
        if plan.place == "guard":
            new = _insert_in_guard(module, statement)
            anchor = _guard_index(ctx.original_module)
            where = "as the first statement under if __name__ == '__main__'"
        else:
            index = _after_import_block(module)
            new = None if index is None else module.with_changes(
                body=[*module.body[:index], statement, *module.body[index:]])
            anchor = _after_import_block(ctx.original_module)
            anchor = None if anchor is None else anchor - 1
            where = "after the import block"
        if plan.names:
            short = ", ".join(_short(n) for n in plan.names[:3])
        else:
            short = "through " + ", ".join(_shown(ctx.scan.run, p) for p in plan.libraries[:3])
        if new is None or anchor is None:
            ctx.scheduled_imports.clear()
            ctx.scheduled_imports.update(scheduled)  # nothing inserted: no import for it either
            ctx.report(self.rule, ctx.original_module.body[0],
                       f"this program uses graph-mode APIs ({short}) but has no module-level TensorFlow import to put "
                       "tf.compat.v1.disable_v2_behavior() after; call it where the program starts, before any graph "
                       "is built", fixed=False, severity=Severity.WARNING, safety=Safety.NONE)
            return module
        assumed = ""
        if not ctx.scan.run.get("tree"):
            assumed = ("; assumed it is a program that no other module imports (convert the whole tree "
                       "to decide from its imports)")
        message = self.rule.message.format(names=short, where=where, role=plan.why) + assumed
        ctx.report(self.rule, ctx.original_module.body[anchor], message, fixed=True)
        return new


@register("TF2302")
class GraphModeLibrary(_GraphModeBase):
    def prepare(self, ctx) -> None:
        self.plan(ctx)

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        plan = self.plan(ctx)
        if plan is None or plan.place or not plan.names:
            return module
        short = ", ".join(_short(n) for n in plan.names[:3])
        node = _first_reference_statement(ctx, plan.names[0]) or ctx.original_module.body[0]
        ctx.report(self.rule, node, self.rule.message.format(names=short, role=plan.why), fixed=False)
        return module


def _first_reference_statement(ctx, name: str):
    line = min((r.line for r in ctx.scan.references if _canonical(r.qualified) == name), default=None)
    if line is None:
        return None
    for statement in ctx.original_module.body:
        position = ctx._position_of(statement)
        if position is not None and position.start.line <= line <= position.end.line:
            return statement
    return None


_RUNNERS = {"tensorflow.Session", "tensorflow.InteractiveSession", "tensorflow.train.MonitoredTrainingSession",
            "tensorflow.train.Supervisor"}


def _runs_at_module_level(tree: ast.Module, guard, scan, top_lines: set[int]) -> bool:
    """Module-level code opens a session, starts the program, prints, or calls a function of this file."""
    if any(r.line in top_lines and (_canonical(r.qualified) in _RUNNERS or r.qualified in _STARTERS)
           for r in scan.references):
        return True
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for node in tree.body:
        if node is guard or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for call in ast.walk(node):
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


def _is_main_guard(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare) or len(node.test.comparators) != 1:
        return False
    sides = [node.test.left, node.test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    consts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return isinstance(node.test.ops[0], ast.Eq) and len(names) == 1 and len(consts) == 1


def _main_guard(tree: ast.Module) -> ast.If | None:
    return next((node for node in tree.body if _is_main_guard(node)), None)


def _module_level_lines(tree: ast.Module, guard: ast.If | None) -> set[int]:
    """Lines of module-level code that runs on import (not def/class bodies, not the main guard)."""
    lines: set[int] = set()
    for node in tree.body:
        if node is guard or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def _cst_is_main_guard(statement: cst.CSTNode) -> bool:
    if not isinstance(statement, cst.If):
        return False
    try:
        code = cst.Module(body=[]).code_for_node(statement.test)
        return _is_main_guard(ast.parse(f"if {code}:\n    pass\n").body[0])
    except SyntaxError:
        return False


def _guard_index(module: cst.Module) -> int | None:
    return next((i for i, s in enumerate(module.body) if _cst_is_main_guard(s)), None)


def _insert_in_guard(module: cst.Module, statement: cst.BaseStatement) -> cst.Module | None:
    index = _guard_index(module)
    if index is None:
        return None
    guard = module.body[index]
    if isinstance(guard.body, cst.SimpleStatementSuite):  # ``if __name__ == "__main__": main()``
        suite = guard.body
        line = cst.SimpleStatementLine(body=[s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT) for s in suite.body],
                                       trailing_whitespace=suite.trailing_whitespace)
        body = cst.IndentedBlock(body=[statement, line])
    elif isinstance(guard.body, cst.IndentedBlock):
        body = guard.body.with_changes(body=[statement, *guard.body.body])
    else:
        return None
    return module.with_changes(body=[*module.body[:index], guard.with_changes(body=body), *module.body[index + 1:]])


def _imported_modules(statement: cst.CSTNode) -> list[str] | None:
    """Modules a line of only imports imports, or None when the line is not only imports."""
    if isinstance(statement, cst.SimpleStatementLine):
        names: list[str] = []
        for small in statement.body:
            if isinstance(small, cst.Import):
                names += [dotted_name(a.name) or "" for a in small.names]
            elif isinstance(small, cst.ImportFrom):
                names.append(dotted_name(small.module) or "" if small.module is not None else "")
            else:
                return None
        return names
    if isinstance(statement, cst.Try) and isinstance(statement.body, cst.IndentedBlock):
        names = []
        for inner in statement.body.body:
            found = _imported_modules(inner)
            if found is None:
                return None
            names += found
        return names
    return None


def _after_import_block(module: cst.Module) -> int | None:
    """Index just past the import block that holds the last top-level import of tensorflow."""
    last = None
    for index, statement in enumerate(module.body):
        names = _imported_modules(statement) or []
        if any(n == "tensorflow" or n.startswith("tensorflow.") for n in names):
            last = index
    if last is None:
        return None
    index = last + 1
    while index < len(module.body) and _imported_modules(module.body[index]) is not None:
        index += 1
    return index
