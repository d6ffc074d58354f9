"""Rule plug-ins: structural rewrites that data tables cannot express, one class per rule code.

Each rule family is a subpackage of ``migrate`` named like its data folder under
``rules/`` (``migrate/tf1_to_tf2`` for ``rules/tf1_to_tf2``).  A transform is
registered with ``@register("TF2xxx")`` in a module of its family and looked up
by the engine when that code is selected; the registry imports the families
whose rule sets exist, so adding a family needs no edit here.  Transforms never edit imports directly:
they ask the context to spell a qualified name (``ctx.spell``), which reuses
the file's own aliases or schedules an import that the engine adds once.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

import libcst as cst

if TYPE_CHECKING:
    from migrate.engine import EngineContext
    from migrate.model import Rule
    from migrate.resolve import Scan

_REGISTRY: dict[str, type["CustomTransform"]] = {}
_LOADED = False


class CustomTransform:
    """Hooks a structural rule can implement; every hook is optional."""

    code: str = ""
    # True when ``prepare`` only adjusts the context (bindings, facts) and never reads the module:
    # the engine may then still parse only the statements that need an edit
    prepare_reads_context_only: bool = False

    def __init__(self, rule: "Rule", entries: dict) -> None:
        self.rule = rule
        self.entries = entries

    def applies(self, scan: "Scan") -> bool:
        """Cheap test on the ``ast`` scan: may this file need the transform at all?"""
        return False

    def claims(self, qualified: str) -> bool:
        """Does this transform take responsibility for every use of ``qualified``?

        A claimed name gets no module finding (TF2101 for ``tf.contrib``): the
        transform rewrites each use, or reports the ones it cannot.
        """
        return False

    def sites(self, scan: "Scan") -> "Iterable[int] | None":
        """The lines where this rule may act, read off the ``ast`` scan (only asked when ``applies``).

        The engine parses with libcst only the smallest statements holding these
        lines.  None (the default) means "anywhere": the whole module is parsed.
        A rule with a ``prepare``/``finish`` hook always sees the whole module.
        """
        return None

    def prepare(self, ctx: "EngineContext") -> None:
        """Before the pass (adjust bindings, collect facts)."""

    def on_call(
        self, ctx: "EngineContext", qualified: str, original: cst.Call, updated: cst.Call
    ) -> cst.BaseExpression | None:
        """Return a replacement for the call, or None to leave it."""
        return None

    def on_method_call(
        self, ctx: "EngineContext", method: str, original: cst.Call, updated: cst.Call
    ) -> cst.BaseExpression | None:
        """A ``receiver.method(...)`` call whose callee does not resolve through an import.

        The receiver is a local object a static tool cannot type, so rules that
        use this hook match by method name (and say so in their fix safety).
        Called in the engine's one pass: no rule needs a whole-module walk of its own.
        """
        return None

    def on_statement(
        self, ctx: "EngineContext", original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel | cst.RemovalSentinel | None:
        return None

    def unit_finish(self, ctx: "EngineContext", tree) -> "list[tuple[int, str]] | None":
        """``finish`` for a pass that parsed only the edited statements: the statements to insert,
        as (original line they follow, text with its indentation, without the newline), read off the
        ``ast`` ``tree``; findings go through ``ctx.report_at``.  None: this file needs ``finish``.
        A rule that has ``finish`` and not this hook always gets the whole-module pass."""
        return None

    def unit_finish_text(self, ctx: "EngineContext", tree, rewritten: str) -> "list[tuple[int, int]] | None":
        """After ``unit_finish``, on the ``rewritten`` text of the units pass: ranges of the original
        ``tree``'s lines (first, last) to delete, each a statement no edit touched; findings through
        ``ctx.findings``/``ctx.report_at``.  None: this file needs ``finish``.  Only asked of a rule
        that also has ``unit_finish``."""
        return []

    def finish(self, ctx: "EngineContext", module: cst.Module) -> cst.Module:
        """After the pass, before scheduled imports are added."""
        return module

    def repair_unparsable(self, source: str, apply: frozenset) -> tuple[str | None, list] | None:
        """Only for source Python cannot parse: (repaired text or None when not fixing, findings), or None.

        The repaired text must parse; the engine then converts it as usual.
        """
        return None


def method_call_lines(scan: "Scan", methods) -> list[int] | None:
    """Lines of ``receiver.method(...)`` calls whose method is one of ``methods`` (sites of a method rule)."""
    import ast

    if scan.tree is None:
        return None
    if scan.method_calls is not None:  # collected by the scan's own walk
        return [line for method in methods for node in scan.method_calls.get(method, ())
                for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)]
    return [line for node in ast.walk(scan.tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in methods
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)]


def register(code: str) -> Callable[[type[CustomTransform]], type[CustomTransform]]:
    def decorate(cls: type[CustomTransform]) -> type[CustomTransform]:
        if code in _REGISTRY:
            raise ValueError(f"transform for {code} registered twice")
        cls.code = code
        _REGISTRY[code] = cls
        return cls

    return decorate


def family_packages() -> list[str]:
    """``migrate.<ruleset>`` for every rule set folder that has a package of the same name."""
    from migrate.rules import rules_root

    here = Path(__file__).resolve().parent
    names = sorted(p.parent.name for p in rules_root().glob("*/ruleset.toml"))
    return [f"migrate.{name}" for name in names if (here / name / "__init__.py").is_file()]


def registry() -> dict[str, type[CustomTransform]]:
    global _LOADED
    if not _LOADED:
        for package in family_packages():
            module = importlib.import_module(package)
            for info in pkgutil.iter_modules(module.__path__):
                # only modules that register a rule: helpers of a family (table proofs, weight tools)
                # may import numpy or a framework, which convert and lint never do
                path = Path(module.__path__[0]) / f"{info.name}.py"
                if not info.ispkg and "@register(" in path.read_text(encoding="utf-8"):
                    importlib.import_module(f"{package}.{info.name}")
        _LOADED = True
    return _REGISTRY
