"""The lint pipeline: findings from the ``ast`` scan, without libcst on the common path.

A file goes through three cheap gates before any rule runs: a text test (does it
name a framework at all?), an ``ast`` parse (about 13x faster than libcst), and
an import test (does any import bind a framework?).  Findings are then read
directly off the ``RuleSet`` tables by a visitor that mirrors, decision for
decision, what ``migrate.engine`` reports for the same file under the default
convert settings (safe and review fixes applied), so ``lint`` and ``convert``
agree on the (code, line) of every finding.  Only where a custom rule's
``applies(scan)`` is true does lint fall back to the libcst engine, whose
findings it then takes as they are.

libcst is imported only for ``--fix``/``--diff`` on files with something safe to
fix, and for files a custom transform must look at; tensorflow and torch never.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from pathlib import Path

from migrate.model import FileResult, FileStatus, Finding, Rule, Safety, Severity
from migrate.resolve import (
    FRAMEWORK_ROOTS,
    Bindings,
    AstScanner,
    bind_star_imports,
    dotted_name_ast,
    mentions_framework,
    mentions_global,
    module_bindings_ast,
    scan_source,
)
from migrate.rules import RuleSet, format_message, short_name
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
    """Mirrors ``engine._Transformer``'s reporting on an ``ast`` tree (see module docstring).

    Scopes (functions, lambdas, comprehensions) and name resolution are the
    resolver's own, inherited, so lint resolves every name as convert does.
    """

    def __init__(self, source: str, ruleset: RuleSet, bindings: Bindings) -> None:
        super().__init__(source, bindings)
        self.rs = ruleset
        self.findings: list[Finding] = []

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

    def _module_finding(self, qualified: str, pos: _Pos) -> None:
        hit = self.rs.module_finding_for(qualified)
        renamed = self.rs.renames.get(qualified)
        if hit is not None and hit[1] is Severity.ERROR and renamed is not None and renamed[1].safety is not Safety.NONE:
            return  # as in convert: the fixable rename (reported) moves the name out of the removed module
        if hit is not None:
            prefix, severity, message, rule = hit
            self._report(rule, pos, format_message(message, name=short_name(qualified), module=short_name(prefix)),
                         severity=severity, safety=Safety.NONE)

    def _reference_findings(self, qualified: str, pos: _Pos) -> None:
        for severity, message, rule in self.rs.findings.get(qualified, ()):
            self._report(rule, pos, format_message(message, name=short_name(qualified)), severity=severity, safety=Safety.NONE)

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
            renamed = self.rs.renames.get(qualified)
            if renamed is not None:  # the name moves to its new module (the import is split if need be)
                self._report(renamed[1], pos, format_message(renamed[1].message, old=short_name(qualified), new=short_name(renamed[0])))

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
        current: ast.AST = node
        while isinstance(current, ast.Attribute):
            name = self._qualify(dotted_name_ast(current) or "")
            renamed = self.rs.renames.get(name) if name else None
            if renamed is not None:
                self._renamed(current, name, *renamed)
                break
            current = current.value

    def _renamed(self, node: ast.Attribute, qualified: str, new: str, rule: Rule) -> None:
        """``node`` names ``qualified``, which the rename table moves to ``new`` (``migrate.textfix`` fixes it)."""
        self._report(rule, self._pos(node), format_message(rule.message, old=short_name(qualified), new=short_name(new)))

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
        rs = self.rs
        if not (qualified in rs.reorders or qualified in rs.keyword_renames
                or qualified in rs.keyword_removals or qualified in rs.value_rewrites):
            return
        # (keyword, position) per keyword argument as the engine sees the argument list;
        # an argument the engine rebuilt has no position of its own and is reported at the call
        arguments: list[tuple[str, _Pos]] = []
        entry = rs.reorders.get(qualified)
        if entry is not None:
            params, keep, rule = entry
            leading = 0
            for arg in node.args:
                if isinstance(arg, ast.Starred):
                    break
                leading += 1
            contiguous = leading == sum(1 for a in node.args if not isinstance(a, ast.Starred))
            if leading > keep and contiguous and leading <= len(params) and _may_fix(rule):
                named = list(params[keep:leading])
                self._report(rule, call, format_message(rule.message, name=short_name(qualified), keywords=", ".join(named)))
                arguments.extend((name, call) for name in named)
        arguments.extend((k.arg, self._pos(k)) for k in node.keywords if k.arg)

        present = {name for name, _ in arguments}
        for old, new, rule in rs.keyword_renames.get(qualified, ()):
            for index, (name, pos) in enumerate(arguments):
                if name != old:
                    continue
                self._report(rule, pos, format_message(rule.message, name=short_name(qualified), old=old, new=new))
                if _may_fix(rule) and new not in present:
                    arguments[index] = (new, call)
                    present.add(new)
        drop: set[int] = set()
        for old, rule in rs.keyword_removals.get(qualified, ()):
            for index, (name, pos) in enumerate(arguments):
                if name == old:
                    self._report(rule, pos, format_message(rule.message, name=short_name(qualified), old=old))
                    if _may_fix(rule):
                        drop.add(index)
        arguments = [a for i, a in enumerate(arguments) if i not in drop]
        for keyword, new_keyword, _template, rule in rs.value_rewrites.get(qualified, ()):
            for index, (name, pos) in enumerate(arguments):
                if name != keyword:
                    continue
                self._report(rule, pos, format_message(rule.message, name=short_name(qualified), old=keyword, new=new_keyword))
                if _may_fix(rule):
                    arguments[index] = (new_keyword, call)


def imports_framework(tree: ast.Module, roots: tuple[str, ...] = FRAMEWORK_ROOTS) -> bool:
    """Does any import, anywhere in the module, bind a name from a framework?"""
    for node in ast.walk(tree):
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
    matched: list[Finding] | None = []
    if ruleset.custom:
        matched = _custom_matches(source, tree, ruleset, filename, stars)  # (the scan binds the star imports too)
    if matched is None:
        # a custom rule that decides on the libcst tree applies (or the file needs repair): take the engine's word
        from migrate.engine import transform_source

        result = transform_source(source, ruleset, apply=CONVERT_APPLY, filename=filename)
        return tuple(sorted({replace(f, fixed=False) for f in result.findings}, key=Finding.sort_key))
    bindings = module_bindings_ast(tree, may_declare_global=mentions_global(source))
    if stars:
        bind_star_imports(tree, filename, bindings)
    checker = _Checker(source, ruleset, bindings)
    checker.visit(tree)
    return tuple(sorted(set(checker.findings) | set(matched), key=Finding.sort_key))


# Roots a rule set's ``frameworks`` stand for: a torchvision-only file is still a torch file.
RELATED_ROOTS = {"torch": ("torch", "torchvision", "functorch"), "tensorflow": ("tensorflow", "keras", "tf_keras")}


def _imported_roots(tree: ast.Module) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".", 1)[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".", 1)[0])
    return roots


def _custom_matches(source: str, tree: ast.Module, ruleset: RuleSet, filename: str,
                    stars: list | tuple = ()) -> list[Finding] | None:
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
        return []
    scan = scan or scan_source(source, filename, tree)
    found: list[Finding] = []
    for custom in ruleset.transforms():
        if custom.code not in undecided or not custom.applies(scan):
            continue
        texts = custom.entries.get("lint_text") if isinstance(custom.entries, dict) else None
        if not custom.has_match() and texts and not any(text in source for text in texts):
            continue  # the engine's gate too (``engine._text_gate``); a rule with ``match`` is its own gate
        matches = custom.matches(scan)
        if matches is None:
            return None
        found.extend(replace(m.finding(CONVERT_APPLY), fixed=False) for m in matches if m.stands(CONVERT_APPLY))
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


def _lint_item(item: tuple[Path, tuple]) -> LintOutcome:
    from migrate.parallel import interrupted
    from migrate.selection import filter_ruleset

    path, key = item
    if interrupted():
        return LintOutcome(FileResult(str(path), FileStatus.SKIPPED, error=f"{path}: not linted (interrupted)"))
    cache: dict = _RUN["cache"]  # type: ignore[assignment]
    if key not in cache:
        cache[key] = filter_ruleset(_RUN["base"], *key)  # type: ignore[arg-type]
    return lint_path(path, cache[key], **_RUN["options"])  # type: ignore[arg-type]


def lint_paths(items: list[tuple[Path, tuple]], base: RuleSet, *, jobs: int | None = None, fix: bool = False,
               diff: bool = False, unsafe_fixes: bool = False):
    """Lint each (path, (select, ignore)) item with ``base`` narrowed to that selection; outcomes in order."""
    from migrate.parallel import run_all

    options = {"fix": fix, "diff": diff, "unsafe_fixes": unsafe_fixes}
    return run_all(_lint_item, items, jobs, _init_run, (base, options))
