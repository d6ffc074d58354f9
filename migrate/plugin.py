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
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:
    import libcst as cst

    from migrate.engine import EngineContext
    from migrate.model import Finding, Rule, Safety, Severity
    from migrate.resolve import Scan
    from migrate.rules import RuleSet

_REGISTRY: dict[str, type["CustomTransform"]] = {}
_LOADED_PACKAGES: set[str] = set()


@dataclass(frozen=True)
class Match:
    """One place a custom rule reacts to, decided on the ``ast`` scan (``CustomTransform.match``).

    ``lint`` reports it as it is; ``convert`` hands the same object to the libcst
    pass, which reports it and, when ``fixable`` and its safety is applied, edits
    the code there (``payload`` carries the rule's decision, so the apply never
    decides again).  Columns count characters, 1-based, like ``Finding``.
    """

    rule: "Rule"
    line: int
    column: int
    message: str
    safety: "Safety"
    severity: "Severity | None" = None  # None: the rule's own
    end_line: int | None = None
    end_column: int | None = None
    fixable: bool = True  # False: reported only, whatever fixes are applied
    payload: object = None
    unfixed_message: str | None = None  # the message when the fix is not applied (None: ``message``)
    requires: "tuple[Match, ...]" = ()  # matches whose fixes must all be applied for this one to stand
    # where the node this match rewrites starts, when not at the match's own place (a parenthesized callee):
    # the findings there of the codes its rule declares in ``supersedes`` go when its fix is applied
    supersedes_at: "tuple[int, int] | None" = None

    def stands(self, apply: frozenset) -> bool:
        """Is this match reported when ``apply`` is applied (its ``requires`` all fixed)?"""
        return all(m.finding(apply).fixed for m in self.requires)

    @property
    def key(self) -> tuple[int, int]:
        return (self.line, self.column)

    def superseded(self, apply: frozenset) -> "set[tuple[str, int, int]]":
        """(code, line, column) of the findings this match replaces when ``apply`` is applied: those its
        rule declares in its data (``supersedes = [...]``) on the node it rewrites, once its fix stands."""
        codes = self.rule.supersedes
        if not codes or not self.finding(apply).fixed:
            return set()
        line, column = self.supersedes_at or self.key
        return {(code, line, column) for code in codes}

    def lines(self) -> range:
        return range(self.line, (self.end_line or self.line) + 1)

    def finding(self, apply: frozenset) -> "Finding":
        from migrate.model import Finding, Safety

        fixed = self.fixable and self.safety is not Safety.NONE and self.safety in apply
        message = self.message if fixed or self.unfixed_message is None else self.unfixed_message
        return Finding(self.rule.code, message, self.severity or self.rule.severity, self.safety,
                       self.line, self.column, fixed, self.end_line, self.end_column)


def drop_superseded(findings: "list[Finding]", matches: "Iterable[Match]", apply: frozenset) -> "list[Finding]":
    """``findings`` without those a match supersedes (``Match.superseded``): a custom rule that rewrites a
    whole call replaces, say, the rename the table made of its callee.  The one place this is decided:
    ``lint`` filters its findings through it, the engine its pass's findings (``EngineContext.report_match``)."""
    gone = set().union(*(m.superseded(apply) for m in matches))
    if not gone:
        return findings
    return [f for f in findings if (f.code, f.line, f.column) not in gone]


def rebound_targets(scan: "Scan", customs: "Iterable[CustomTransform]") -> dict[str, str]:
    """Import targets the rules that apply to this file re-point (``CustomTransform.rebinds``): TF2007
    reads ``tensorflow.compat.v1`` as ``tensorflow``.  The engine's pass (the rule's ``prepare``), lint's
    checker and the other rules' ``match`` judge every reference through the same mapping."""
    rebound: dict[str, str] = {}
    for custom in customs:
        if type(custom).rebinds is not CustomTransform.rebinds and custom.applies(scan):
            rebound.update(custom.rebinds(scan))
    return rebound


def rebind(qualified: str, root_target: str, rebound: dict[str, str]) -> str:
    """``qualified``, resolved through a local bound to ``root_target``, as it reads once ``rebound``."""
    new = rebound.get(root_target)
    return qualified if new is None else new + qualified[len(root_target):]


def rebind_dotted(qualified: str, dotted: str | None, rebound: dict[str, str]) -> str:
    """``qualified``, the resolution of the dotted spelling ``dotted`` (``tf.device``), as the pass reads it
    once ``rebound``: only a root local bound to exactly a re-pointed target changes (as
    ``EngineContext.rebind_target`` and lint's checker re-point bindings), never a longer or shorter one."""
    if not rebound or dotted is None:
        return qualified
    rest = dotted[len(dotted.split(".", 1)[0]):]  # ".device" after the bound root
    target = qualified[:len(qualified) - len(rest)] if rest and qualified.endswith(rest) else qualified
    return rebind(qualified, target, rebound)


def may_rebind(qualified: str, rebound: dict[str, str]) -> str:
    """``qualified`` with the (first) re-pointed target it starts with replaced: a cheap over-approximation
    of ``rebind_dotted`` for gates that only decide where to look (it also re-points a name written through
    a longer or shorter binding)."""
    for old, new in rebound.items():
        if qualified == old or qualified.startswith(old + "."):
            return new + qualified[len(old):]
    return qualified


def rebind_reference(scan: "Scan", ref, rebound: dict[str, str]) -> str:
    """The qualified name of the scan's reference ``ref`` as the pass reads it once ``rebound``
    (``rebind_dotted`` on the dotted spelling found at the reference's place in the ``ast`` tree)."""
    qualified = ref.qualified
    if not rebound or may_rebind(qualified, rebound) == qualified or scan.tree is None:
        return qualified
    import ast

    from migrate.arguments import nodes_on_line
    from migrate.resolve import dotted_name_ast

    lines = scan.matches.get("<lines>")
    if lines is None:
        lines = scan.matches["<lines>"] = scan.source.splitlines()
    kinds = ast.Call if ref.is_call else (ast.Attribute, ast.Name)
    for node in nodes_on_line(scan.tree.body, ref.line):  # (outer nodes first: the whole dotted name)
        if not isinstance(node, kinds) or node.lineno != ref.line:
            continue
        dotted = dotted_name_ast(node.func if ref.is_call else node)
        if dotted is not None and ast_position(lines, node)[1] - 1 == ref.column:
            return rebind_dotted(qualified, dotted, rebound)
    return qualified


def match_at_node(rule: "Rule", scan: "Scan", node, message: str, safety: "Safety", *,
                  lines: "list[str] | None" = None, **fields) -> Match:
    """A ``Match`` spanning the ``ast`` ``node`` of the scanned module (``lines``: its source lines, when the
    caller has them split already)."""
    line, column, end_line, end_column = ast_position(scan.source.splitlines() if lines is None else lines, node)
    return Match(rule, line, column, message, safety, end_line=end_line, end_column=end_column, **fields)


_SEGMENT_LINES: dict[int, tuple[str, list[bytes]]] = {}


def source_segment(source: str, node) -> str | None:
    """``ast.get_source_segment`` without splitting the whole source on every call (the lines are kept
    for the last few sources seen)."""
    try:
        first, last = node.lineno - 1, node.end_lineno - 1
        start, end = node.col_offset, node.end_col_offset
    except AttributeError:
        return None
    if first is None or last is None or start is None or end is None:
        return None
    held = _SEGMENT_LINES.get(id(source))
    if held is None or held[0] is not source:
        if len(_SEGMENT_LINES) > 8:
            _SEGMENT_LINES.clear()
        # the line breaks Python's tokenizer knows (as ast does): not form feeds or other separators
        lines = [line.encode("utf-8") for line in re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", source)]
        held = _SEGMENT_LINES[id(source)] = (source, lines)
    lines = held[1]
    if last >= len(lines):
        return None
    if first == last:
        return lines[first][start:end].decode("utf-8", errors="replace")
    parts = [lines[first][start:], *lines[first + 1:last], lines[last][:end]]
    return b"".join(parts).decode("utf-8", errors="replace")


def ast_position(source_lines: list[str], node) -> tuple[int, int, int | None, int | None]:
    """(line, column, end line, end column) of an ``ast`` node, columns in characters and 1-based."""

    def column(line: int, byte_col: int) -> int:
        text = source_lines[line - 1] if 0 < line <= len(source_lines) else ""
        if text.isascii():
            return byte_col + 1
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore")) + 1

    end_line, end_col = getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None)
    return (node.lineno, column(node.lineno, node.col_offset), end_line,
            column(end_line, end_col) if end_line is not None and end_col is not None else None)


def blocks(tree):
    """Every statement list of an ``ast`` module at any depth (a body, ``else``, ``finally``, handler or case
    block), without walking expressions."""
    from migrate.resolve import child_blocks

    stack = [tree.body]
    while stack:
        block = stack.pop()
        yield block
        for statement in block:
            stack.extend(child_blocks(statement))


def statements(tree):
    """Every statement of an ``ast`` module at any depth, without walking expressions (imports, say, are
    statements: this finds them all at a fraction of ``ast.walk``'s cost)."""
    for block in blocks(tree):
        yield from block


class CustomTransform:
    """Hooks a structural rule can implement; every hook is optional."""

    code: str = ""
    siblings: "tuple[CustomTransform, ...]" = ()  # the rule set's other transforms (set by ``RuleSet.transforms``)
    # True when ``prepare`` only adjusts the context (bindings, facts) and never reads the module:
    # the engine may then still parse only the statements that need an edit
    prepare_reads_context_only: bool = False
    ruleset: "RuleSet | None" = None  # the rule set it was built for (its tables; set by ``RuleSet.transforms``)

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

    def rebinds(self, scan: "Scan") -> dict[str, str]:
        """Import targets this rule re-points when it applies (old -> new; see ``rebound_targets``).

        Its ``prepare`` applies them to the engine's context; lint's checker and the
        other rules' matches read references through them without the engine.
        """
        return {}

    def match(self, scan: "Scan") -> "list[Match] | None":
        """Every place this rule reports in the module, decided on the ``ast`` scan (only asked when ``applies``).

        The one match stage: ``lint`` renders these without libcst; ``convert``
        parses with libcst only the statements holding them (the default
        ``sites``) and its hooks apply them (``EngineContext.match_at``).
        None (the default) means the decision needs the libcst tree: lint then
        runs the engine for files this rule applies to.
        """
        return None

    def sites(self, scan: "Scan") -> "Iterable[int] | None":
        """The lines where this rule may act, read off the ``ast`` scan (only asked when ``applies``).

        The engine parses with libcst only the smallest statements holding these
        lines.  None means "anywhere": the whole module is parsed.  By default,
        the lines of the rule's ``match``es (None when it has none).
        A rule with a ``prepare``/``finish`` hook always sees the whole module.
        """
        matches = self.matches(scan)
        return None if matches is None else [line for m in matches for line in m.lines()]

    def acts_without_matches(self, scan: "Scan") -> bool:
        """Does the pass edit this file even where ``match`` found nothing to report (a ``finish`` that renames
        dtype attributes or drops an import nobody uses)?  Then convert still runs it; lint has nothing to say."""
        return False

    def acts(self, scan: "Scan") -> bool:
        """Has this rule (which ``applies``) something to do in the file: a match, or an edit without one?"""
        return self.matches(scan) != [] or self.acts_without_matches(scan)

    def has_match(self) -> bool:
        return type(self).match is not CustomTransform.match

    def matches(self, scan: "Scan") -> "list[Match] | None":
        """``match`` computed once per scanned file (lint, the units planner and the libcst hooks share it)."""
        if not self.has_match() or scan.tree is None or scan.source is None:
            return None
        if self.code not in scan.matches:
            scan.matches[self.code] = self.match(scan)
        return scan.matches[self.code]  # type: ignore[return-value]

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

    def on_with(
        self, ctx: "EngineContext", original: cst.With, updated: cst.With
    ) -> cst.BaseStatement | cst.FlattenSentinel | None:
        """A ``with`` block (``async with`` too), its body already rewritten: return its replacement (a
        ``FlattenSentinel`` of statements to unwrap it), or None to leave it.  Only the transforms that
        override this hook are offered ``with`` blocks."""
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


class ReportedAtFinish(CustomTransform):
    """A rule some of whose matches no libcst hook meets (a report-only rule; uses that are not calls):
    ``convert`` reports those once per pass, from ``unit_finish`` in the units pass and ``finish`` in the
    whole-module one, so no statement is parsed with libcst for them."""

    def reported_at_finish(self, match: Match) -> bool:
        """Is ``match`` reported at the end of the pass (rather than by a hook at its node)?"""
        return True

    def _report_at_finish(self, ctx: "EngineContext") -> None:
        if ctx.scan is None or not self.applies(ctx.scan):
            return
        for match in self.matches(ctx.scan) or ():
            if self.reported_at_finish(match):
                ctx.report_match(match)

    def unit_finish(self, ctx, tree):
        self._report_at_finish(ctx)
        return []

    def finish(self, ctx, module):
        self._report_at_finish(ctx)
        return module


def repair_unparsable(source: str, customs: "list[CustomTransform]", apply: frozenset) -> "tuple[str, list]":
    """Text Python cannot parse, repaired by the rules that know how (``CustomTransform.repair_unparsable``).

    Raises the original SyntaxError when none repairs it, or when a repair is
    only reported (fix not applied): such a file is never converted in part.
    """
    try:
        compile(source, "<unknown>", "exec", flags=0x400, dont_inherit=True)  # ast only: the error to re-raise
    except SyntaxError as exc:
        error = exc
    else:
        return source, []
    for custom in customs:
        outcome = custom.repair_unparsable(source, apply)
        if outcome is None:
            continue
        repaired, findings = outcome
        if repaired is None:
            raise error
        return repaired, findings
    raise error


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


def registrar(table: dict, attribute: str, what: str) -> Callable[[str], Callable[[type], type]]:
    """A class decorator factory: ``@made(name)`` records the class in ``table`` under ``name`` and sets
    ``cls.<attribute> = name`` (rules by code here, kinds by name in ``migrate.kinds``)."""

    def register_as(name: str) -> Callable[[type], type]:
        def decorate(cls: type) -> type:
            if name in table:
                raise ValueError(f"{what} {name} registered twice")
            setattr(cls, attribute, name)
            table[name] = cls
            return cls

        return decorate

    return register_as


register = registrar(_REGISTRY, "code", "transform for")


def import_registering(package: str, directory: Path, marker: str) -> None:
    """Import the modules of ``package`` whose text holds ``marker`` (``@register(``): only modules that
    register something, as helpers (table proofs, weight tools) may import numpy or a framework, which
    convert and lint never do."""
    for info in pkgutil.iter_modules([str(directory)]):
        if not info.ispkg and marker in (directory / f"{info.name}.py").read_text(encoding="utf-8"):
            importlib.import_module(f"{package}.{info.name}")


def family_packages() -> list[str]:
    """``migrate.<ruleset>`` for every rule set folder that has a package of the same name."""
    from migrate.rules import rules_root

    here = Path(__file__).resolve().parent
    names = sorted(p.parent.name for p in rules_root().glob("*/ruleset.toml"))
    return [f"migrate.{name}" for name in names if (here / name / "__init__.py").is_file()]


def registry(families: "Iterable[str] | None" = None) -> dict[str, type[CustomTransform]]:
    """Registered transforms by code; ``families``: load only those rule sets' packages (None: all).

    Loading only what a run selected keeps ``lint --to torch`` from importing
    another family's modules (which may need libcst at import).
    """
    wanted = None if families is None else {f"migrate.{name}" for name in families}
    for package in family_packages():
        if package in _LOADED_PACKAGES or (wanted is not None and package not in wanted):
            continue
        module = importlib.import_module(package)
        import_registering(package, Path(module.__path__[0]), "@register(")
        _LOADED_PACKAGES.add(package)
    return _REGISTRY
