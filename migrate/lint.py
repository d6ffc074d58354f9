"""The lint pipeline: findings from the ``ast`` scan, without libcst on the common path.

A file goes through three cheap gates before any rule runs: a text test (does it
name a framework at all?), an ``ast`` parse (about 13x faster than libcst), and
an import test (does any import bind a framework?).  Findings are then read
by a visitor that asks the table kinds' modules (``migrate/kinds/table/``) the very
decisions ``migrate.engine`` asks them for the same file under the default convert
settings (safe and review fixes applied), so ``lint`` and ``convert`` agree on the
(code, line) of every finding.  Only where a custom rule's
``applies(scan)`` is true does lint fall back to the libcst engine, whose
findings it then takes as they are.

libcst is imported only for ``--fix``/``--diff`` on files with something safe to
fix, and for files a custom transform must look at; tensorflow and torch never.
"""
from __future__ import annotations

import ast
import bisect
from dataclasses import dataclass, field, replace
from pathlib import Path

from migrate.arguments import plan_arguments, written_arguments
from migrate.model import FileResult, FileStatus, Finding, Rule, Safety, Severity
from migrate.plugin import drop_superseded, may_rebind, rebound_targets, statements
from migrate.resolve import (
    FRAMEWORK_ROOTS,
    Bindings,
    AstScanner,
    bind_star_imports,
    dotted_name_ast,
    first_line,
    mentions_framework,
    mentions_global,
    module_bindings_ast,
    qualify_in_scopes,
    scan_source,
)
from migrate.kinds.table import TableHit, reacts as table_reacts
from migrate.kinds.table import finding as finding_kind, module as module_kind, rename
from migrate.rules import RuleSet
from migrate.selection import code_enabled, filter_ruleset, unknown_selectors  # noqa: F401 (re-exported)
from migrate.suppressions import split_suppressed, suppressions  # noqa: F401 (re-exported)

# What ``convert`` applies by default; lint reports what convert would report then.
CONVERT_APPLY = frozenset({Safety.SAFE, Safety.REVIEW})
FIX_APPLY = frozenset({Safety.SAFE})


def _may_fix(rule: Rule) -> bool:
    return rule.safety is not Safety.NONE and rule.safety in CONVERT_APPLY


# -- the ast checker ------------------------------------------------------------


@dataclass(frozen=True)
class _Pos:
    line: int
    column: int  # 1-based, characters
    end_line: int | None = None
    end_column: int | None = None


class _Checker(AstScanner):
    """``engine._Transformer``'s traversal on an ``ast`` tree, reporting the table kinds' decisions
    (``migrate/kinds/table/``: the same functions the engine calls; see module docstring).

    Scopes (functions, lambdas, comprehensions) and name resolution are the
    resolver's own, inherited, so lint resolves every name as convert does.
    """

    def __init__(self, source: str, ruleset: RuleSet, bindings: Bindings, rebound: dict[str, str] | None = None) -> None:
        # ``rebound``: import targets a rule re-points (``plugin.rebound_targets``: TF2007 reads the
        # compat.v1 alias as ``tensorflow``), applied to module and function-level imports as the engine does
        self.rebound = rebound or {}
        if self.rebound:
            bindings = bindings.copy()
            for local, target in list(bindings.items()):
                if target in self.rebound:
                    bindings.bind(local, self.rebound[target])
        super().__init__(source, bindings)
        self.rs = ruleset
        self.findings: list[Finding] = []
        self.may_fix = _may_fix  # what the run applies (the convert default); the text matcher's is convert's
        self._module_hits: dict = {}  # module kind's prefix lookups, per name

    # -- resolution as the libcst pass resolves (import targets a rule's ``prepare`` re-points)
    def _scopes(self) -> list[dict[str, str | None]]:
        if not self.rebound:
            return list(self.scopes)
        return [{name: self.rebound.get(target, target) if target else target for name, target in scope.items()}
                for scope in self.scopes]

    def _qualify(self, dotted: str) -> str | None:
        if not self.rebound:
            return super()._qualify(dotted)
        return qualify_in_scopes(dotted, self._scopes(), self.module_bindings)

    # -- only statements holding a line some table reacts to are walked (the scan already walked them all)
    def only_where_needed(self, scan) -> None:
        """Skip every statement without a reference or import a table knows (or one of its prefixes:
        a rename applies to the longest renamed prefix of a dotted name)."""
        rs = self.rs
        hits: set[int] = set()
        known: dict[str, bool] = {}

        def needed(qualified: str) -> bool:
            found = known.get(qualified)
            if found is None:
                found = known[qualified] = table_reacts(rs, qualified)
            return found

        for ref in scan.references:
            qualified = may_rebind(ref.qualified, self.rebound) if self.rebound else ref.qualified
            if needed(qualified) or needed(ref.qualified):
                hits.update(range(ref.line, (ref.end_line or ref.line) + 1))
        for qualified, _local, line, _column in scan.imports:
            if needed(qualified):
                hits.add(line)
        self._hot = sorted(hits)

    _hot: list[int] | None = None

    def visit(self, node: ast.AST):
        if self._hot is not None and isinstance(node, ast.stmt):
            index = bisect.bisect_left(self._hot, first_line(node))
            if index == len(self._hot) or self._hot[index] > node.end_lineno:
                return None
        return super().visit(node)

    # -- positions: ast counts UTF-8 bytes, findings count characters (as libcst does)
    def _char_col(self, line: int, byte_col: int) -> int:
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))

    def _pos(self, node: ast.AST) -> _Pos:
        line, col = node.lineno, node.col_offset  # type: ignore[attr-defined]
        end_line, end_col = getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None)
        return _Pos(
            line,
            self._char_col(line, col) + 1,
            end_line,
            self._char_col(end_line, end_col) + 1 if end_line is not None and end_col is not None else None,
        )

    def _report(self, rule: Rule, pos: _Pos, message: str, *, severity: Severity | None = None,
                safety: Safety | None = None) -> None:
        self.findings.append(
            Finding(rule.code, message, severity or rule.severity, safety or rule.safety,
                    pos.line, pos.column, False, pos.end_line, pos.end_column)
        )

    # -- the table kinds' decisions (``migrate/kinds/table/``, shared with the libcst engine), reported here
    def _hit(self, hit: TableHit, pos: _Pos) -> None:
        self._report(hit.rule, pos, hit.message, severity=hit.severity, safety=hit.safety)

    def _module_finding(self, qualified: str, pos: _Pos) -> None:
        hit = module_kind.match(self.rs, qualified, self.may_fix, self._customs, self._module_hits)
        if hit is not None:
            self._hit(hit, pos)

    def _customs(self):
        """The custom transforms that may take a name out of its module (``CustomTransform.claims``;
        built only when asked: a removed module's name that no rename moves)."""
        return self.rs.transforms() if self.rs.custom else ()

    def _reference_findings(self, qualified: str, pos: _Pos) -> None:
        for hit in finding_kind.match(self.rs, qualified):
            self._hit(hit, pos)

    # -- imports: plain ``import`` statements are not findings; ``from`` imports are references
    def visit_Import(self, node: ast.Import) -> None:
        return

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module or any(a.name == "*" for a in node.names):
            return
        for alias in node.names:
            qualified = f"{node.module}.{alias.name}"
            pos = self._pos(alias)
            self._module_finding(qualified, pos)
            self._reference_findings(qualified, pos)
            found = rename.match(self.rs, qualified, self.may_fix)
            if found is not None:  # the name moves to its new module (the import is split if need be)
                self._hit(found.hit, pos)

    def visit_Name(self, node: ast.Name) -> None:
        return  # a bare name is renamed through its import, where it is reported

    # -- dotted references
    def visit_Attribute(self, node: ast.Attribute) -> None:
        # Only reached for the outermost Attribute of a chain: inner ones are walked below.
        dotted = dotted_name_ast(node)
        if dotted is None:
            self.generic_visit(node)
            return
        qualified = self._qualify(dotted)
        if qualified is not None:
            pos = self._pos(node)
            self._module_finding(qualified, pos)
            if id(node) not in self._call_funcs:
                self._reference_findings(qualified, pos)
        # a rename applies to the longest renamed prefix of the chain, which is then replaced whole
        prefix = rename.longest_prefix(node, self._qualify_chain, self.rs)
        if prefix is not None:
            self._renamed(prefix[0], rename.match(self.rs, prefix[1], self.may_fix))

    def _qualify_chain(self, node: ast.AST) -> str | None:
        return self._qualify(dotted_name_ast(node) or "")

    def _renamed(self, node: ast.Attribute, found: "rename.Renamed") -> None:
        """``node`` names a name the rename table moves (``migrate.textfix`` fixes it)."""
        self._hit(found.hit, self._pos(node))

    # -- calls: positional -> keyword, then keyword renames, removals and value rewrites
    def visit_Call(self, node: ast.Call) -> None:
        dotted = dotted_name_ast(node.func)
        qualified = None
        if dotted is not None:
            self._call_funcs.add(id(node.func))
            qualified = self._qualify(dotted)
        self.generic_visit(node)
        if qualified is None:
            return
        call = self._pos(node)
        if isinstance(node.func, ast.Name):
            self._module_finding(qualified, call)
        self._reference_findings(qualified, call)
        self._check_arguments(qualified, node, call)

    def _check_arguments(self, qualified: str, node: ast.Call, call: _Pos) -> None:
        """The argument tables' findings (``migrate.arguments``: the plan convert builds)."""
        plan = plan_arguments(self.rs, qualified, node, _may_fix)
        if plan is None:
            return
        written = written_arguments(node) if any(f.at is not None for f in plan.findings) else []
        for finding in plan.findings:
            self._report(finding.rule, call if finding.at is None else self._pos(written[finding.at]), finding.message)


def imports_framework(tree: ast.Module, roots: tuple[str, ...] = FRAMEWORK_ROOTS) -> bool:
    """Does any import, anywhere in the module, bind a name from a framework?"""
    for node in statements(tree):
        if isinstance(node, ast.Import):
            if any(alias.name.split(".", 1)[0] in roots for alias in node.names):
                return True
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.split(".", 1)[0] in roots:
                return True
    return False


def check_module(source: str, ruleset: RuleSet, filename: str = "<unknown>") -> tuple[Finding, ...]:
    """Findings for one module's text.  Raises SyntaxError (and libcst's on the custom path)."""
    if not mentions_framework(source):
        return ()
    try:
        from migrate.resolve import parse_quietly

        tree = parse_quietly(source, filename)
    except SyntaxError:
        if not ruleset.custom:
            raise
        # a rule may repair it before parsing (``async=``, PT1046), as convert does; else the error is re-raised
        from migrate.plugin import repair_unparsable

        repaired, early = repair_unparsable(source, ruleset.transforms(), CONVERT_APPLY)
        found = {replace(f, fixed=False) for f in early} | set(check_module(repaired, ruleset, filename))
        return tuple(sorted(found, key=Finding.sort_key))
    stars = []
    if tree is not None and "import *" in source:
        stars = bind_star_imports(tree, filename, Bindings())  # the project's own modules, read, not imported
    if tree is not None and not imports_framework(tree) and not stars:
        return ()
    custom = _CustomMatches()
    if ruleset.custom:
        custom = _custom_matches(source, tree, ruleset, filename, stars)  # (the scan binds the star imports too)
    if custom is None:
        # a custom rule that decides on the libcst tree applies (or the file needs repair): take the engine's word
        from migrate.engine import transform_source

        result = transform_source(source, ruleset, apply=CONVERT_APPLY, filename=filename)
        return tuple(sorted({replace(f, fixed=False) for f in result.findings}, key=Finding.sort_key))
    if custom.scan is not None:  # the scan the custom rules matched on: its bindings and function scopes, reused
        bindings = custom.scan.bindings.copy()
    else:
        bindings = module_bindings_ast(tree, may_declare_global=mentions_global(source))
        if stars:
            bind_star_imports(tree, filename, bindings)
    checker = _Checker(source, ruleset, bindings, custom.rebound)
    if custom.scan is not None:
        checker.function_scopes.update(custom.scan.function_scopes)
        checker.only_where_needed(custom.scan)  # as convert's matcher: statements a table knows nothing of are skipped
    checker.visit(tree)
    # what a custom rule's applied fix supersedes goes, as in convert (``plugin.drop_superseded``)
    found = drop_superseded([*checker.findings, *custom.findings], custom.matches, CONVERT_APPLY)
    return tuple(sorted({replace(f, fixed=False) for f in found}, key=Finding.sort_key))


# Roots a rule set's ``frameworks`` stand for: a torchvision-only file is still a torch file.
RELATED_ROOTS = {"torch": ("torch", "torchvision", "functorch"), "tensorflow": ("tensorflow", "keras", "tf_keras")}


def _imported_roots(tree: ast.Module) -> set[str]:
    roots: set[str] = set()
    for node in statements(tree):  # (imports are statements: no walk of the expressions)
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".", 1)[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".", 1)[0])
    return roots


@dataclass
class _CustomMatches:
    """The custom rules' say on one file: their matches, those matches' findings (fixed as convert would
    fix them) and the import targets they re-point (``plugin.rebound_targets``)."""

    matches: list = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    rebound: dict[str, str] = field(default_factory=dict)
    scan: object = None  # the file's ``Scan``, when one was made


def _custom_matches(source: str, tree: ast.Module, ruleset: RuleSet, filename: str,
                    stars: list | tuple = ()) -> _CustomMatches | None:
    """The custom rules' findings for this file, from their ``ast`` matches; None when one needs libcst.

    A cheap gate first: the rule set's frameworks must be imported.  Then each rule's
    ``applies(scan)`` (and, for a rule without ``match``, its ``lint_text`` entries,
    as the engine gates it); what applies is reported from ``CustomTransform.match``
    (the very matches convert applies).  A rule without ``match`` that applies sends
    the file to the libcst engine.
    """
    roots = _imported_roots(tree) | {qualified.split(".", 1)[0] for qualified, *_ in stars}
    undecided = []
    scan = None
    for code, rule in sorted(ruleset.custom.items()):
        info = ruleset.infos.get(rule.ruleset)
        frameworks = info.frameworks if info is not None and info.frameworks else FRAMEWORK_ROOTS
        related = {root for name in frameworks for root in RELATED_ROOTS.get(name, (name,))}
        if not roots & related:
            continue
        undecided.append(code)
    if not undecided:
        return _CustomMatches()
    scan = scan or scan_source(source, filename, tree)
    applicable = []
    for custom in ruleset.transforms():
        if custom.code not in undecided or not custom.applies(scan):
            continue
        if not custom.has_match():
            texts = custom.entries.get("lint_text") if isinstance(custom.entries, dict) else None
            if texts and not any(text in source for text in texts):
                continue  # the engine's gate too (``engine._text_gate``); a rule with ``match`` is its own gate
            return None  # (asked before any rule matches: that work would be thrown away)
        applicable.append(custom)
    found = _CustomMatches(rebound=rebound_targets(scan, applicable), scan=scan)
    for custom in applicable:
        matches = custom.matches(scan)
        if matches is None:
            return None
        standing = [m for m in matches if m.stands(CONVERT_APPLY)]
        found.matches.extend(standing)
        found.findings.extend(m.finding(CONVERT_APPLY) for m in standing)
    return found


# -- files ---------------------------------------------------------------------


@dataclass
class LintOutcome:
    """One file's lint result plus what ``--fix``/``--diff`` need."""

    result: FileResult
    fixes: int = 0  # findings removed by --fix
    new_text: str | None = None  # what --fix would write (set for --fix and --diff)
    suppressed: tuple[Finding, ...] = field(default=())


def _lint_text(text: str, ruleset: RuleSet, filename: str, notebook: bool) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    silenced: list[Finding] = []

    def module(code: str) -> tuple[str, tuple[Finding, ...]]:
        kept, dropped = split_suppressed(code, check_module(code, ruleset, filename))
        silenced.extend(dropped)
        return code, kept

    if notebook:
        from migrate.notebook import convert_notebook

        findings = convert_notebook(text, module).findings
    else:
        findings = module(text)[1]
    return findings, tuple(silenced)


def _fix_text(text: str, ruleset: RuleSet, filename: str, notebook: bool, apply: frozenset[Safety] = FIX_APPLY) -> str:
    from migrate.suppressions import transform_honouring_suppressions

    def module(code: str) -> tuple[str, tuple[Finding, ...]]:
        return transform_honouring_suppressions(code, ruleset, apply, filename)

    if notebook:
        from migrate.notebook import convert_notebook

        return convert_notebook(text, module).text
    return module(text)[0]


def parse_error_message(path: str, exc: Exception) -> str:
    if isinstance(exc, SyntaxError):
        where = f"{exc.lineno or 1}:{exc.offset or 1}"
        return f"{path}:{where}: cannot parse: {exc.msg}; file not linted"
    return f"{path}: cannot parse: {exc}; file not linted"


def lint_source(text: str, ruleset: RuleSet, shown: str, *, notebook: bool = False, fix: bool = False,
                diff: bool = False, unsafe_fixes: bool = False) -> LintOutcome:
    """Lint (and with ``fix``/``diff``, fix) one file's decoded text; failures come back as values.

    ``unsafe_fixes`` (ruff's spelling) applies the fixes marked review too.
    """
    apply = FIX_APPLY | {Safety.REVIEW} if unsafe_fixes else FIX_APPLY
    try:
        findings, silenced = _lint_text(text, ruleset, shown, notebook)
    except Exception as exc:  # noqa: BLE001 - a bad file is a result, never a crash of the run
        return _failed(shown, text, exc)
    outcome = LintOutcome(FileResult(shown, FileStatus.UNCHANGED, findings, original=text, rewritten=text),
                          suppressed=silenced)
    if not (fix or diff) or not any(f.safety in apply for f in findings):
        return outcome
    try:
        new_text = _fix_text(text, ruleset, shown, notebook, apply)
        after = _lint_text(new_text, ruleset, shown, notebook)[0] if new_text != text else findings
    except Exception as exc:  # noqa: BLE001
        return _failed(shown, text, exc)
    status = FileStatus.CHANGED if new_text != text else FileStatus.UNCHANGED
    # --diff writes nothing, so it reports the file as it is; --fix reports what is left
    remaining = after if fix else findings
    return LintOutcome(
        FileResult(shown, status, remaining, original=text, rewritten=new_text),
        fixes=max(0, len(findings) - len(after)),
        new_text=new_text,
        suppressed=silenced,
    )


def _failed(shown: str, text: str, exc: Exception) -> LintOutcome:
    if isinstance(exc, RecursionError):
        message = f"{shown}: nesting too deep to lint; file not linted"
    elif isinstance(exc, SyntaxError):
        message = parse_error_message(shown, exc)
    elif type(exc).__name__ == "ParserSyntaxError":
        message = f"{shown}:{getattr(exc, 'raw_line', 1)}:{getattr(exc, 'raw_column', 0) + 1}: cannot parse: {getattr(exc, 'message', exc)}; file not linted"
    elif type(exc).__name__ == "NotebookError":
        message = f"{shown}: {exc}; file not linted"
    else:
        message = f"{shown}: internal error while linting: {type(exc).__name__}: {exc}"
    return LintOutcome(FileResult(shown, FileStatus.FAILED, error=message, original=text))


def lint_path(path: Path, ruleset: RuleSet, *, fix: bool = False, diff: bool = False,
              unsafe_fixes: bool = False) -> LintOutcome:
    """Read, lint and (with ``fix``) atomically rewrite one file."""
    from migrate.sources import SourceError, atomic_write, read_source

    shown = str(path)
    try:
        _, decoded = read_source(path)
    except SourceError as exc:
        return LintOutcome(FileResult(shown, FileStatus.FAILED, error=str(exc)))
    outcome = lint_source(decoded.text, ruleset, shown, notebook=path.suffix == ".ipynb", fix=fix, diff=diff,
                          unsafe_fixes=unsafe_fixes)
    if fix and outcome.result.status is FileStatus.CHANGED and outcome.new_text is not None:
        try:
            atomic_write(path, decoded.encode(outcome.new_text))
        except (SourceError, OSError, UnicodeEncodeError) as exc:
            failed = replace(outcome.result, status=FileStatus.FAILED, error=f"{shown}: {exc}; file left unchanged")
            return LintOutcome(failed)
    return outcome


# -- many files: in worker processes when there are enough (``migrate.parallel``) ----------------

_RUN: dict[str, object] = {}


def _init_run(base: RuleSet, options: dict) -> None:
    _RUN.update(base=base, options=options, cache={})


def selected_ruleset(base: RuleSet, key: tuple, cache: dict) -> RuleSet:
    """``base`` narrowed to one (select, ignore) selection, built once per selection in ``cache``."""

    if key not in cache:
        cache[key] = filter_ruleset(base, *key)
    return cache[key]


def _lint_item(item: tuple[Path, tuple]) -> LintOutcome:
    from migrate.parallel import interrupted

    path, key = item
    if interrupted():
        return LintOutcome(FileResult(str(path), FileStatus.SKIPPED, error=f"{path}: not linted (interrupted)"))
    rules = selected_ruleset(_RUN["base"], key, _RUN["cache"])  # type: ignore[arg-type]
    return lint_path(path, rules, **_RUN["options"])  # type: ignore[arg-type]


def lint_paths(items: list[tuple[Path, tuple]], base: RuleSet, *, jobs: int | None = None, fix: bool = False,
               diff: bool = False, unsafe_fixes: bool = False):
    """Lint each (path, (select, ignore)) item with ``base`` narrowed to that selection; outcomes in order."""
    from migrate.parallel import run_all

    options = {"fix": fix, "diff": diff, "unsafe_fixes": unsafe_fixes}
    return run_all(_lint_item, items, jobs, _init_run, (base, options))
