"""The rewriting engine: one libcst pass applying a ``RuleSet`` to one module.

Order per call site, as positional meaning must be fixed before names change:
findings -> positional-to-keyword reorders -> keyword renames/removals ->
value rewrites (one plan, decided on the ``ast`` call: ``migrate.arguments``) ->
custom transforms.  Dotted references are renamed on the way out of the tree,
and scheduled imports are added once at the end.

Only files whose ``ast`` scan shows something a rule reacts to are parsed with
libcst; everything else is returned untouched, byte for byte.
"""
from __future__ import annotations

import ast
import bisect
import dataclasses
import re
from dataclasses import dataclass, field, replace

import libcst as cst
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider

from migrate.cstutil import (
    comprehension_scope_cst,
    dotted_name,
    function_scope_cst,
)
from migrate.arguments import apply_plan, call_at, has_argument_rules, plan_arguments
from migrate.fixedits import UnitFixes, line_block_fixes
from migrate.model import Finding, Rule, Safety, Severity
from migrate.resolve import (
    Bindings,
    Reference,
    Scan,
    child_blocks,
    first_line,
    line_groups,
    qualify_in_scopes,
    scan_source,
)
from migrate.kinds.table import TableHit, import_needs_rule, reference_needs_rule
from migrate.kinds.table import finding as finding_kind, module as module_kind, rename
from migrate.rules import RuleSet
from migrate.plugin import CustomTransform, drop_superseded, may_rebind, rebound_targets

CONVENTIONAL_ALIASES = {"tensorflow": "tf", "numpy": "np", "torch": "torch"}


@dataclass(frozen=True)
class EngineResult:
    code: str
    findings: tuple[Finding, ...]

    def changed(self, original: str) -> bool:
        return self.code != original


@dataclass
class EngineContext:
    """What rules and transforms may read and ask for during one file's pass."""

    ruleset: RuleSet
    source: str
    bindings: Bindings
    apply: frozenset[Safety]
    scan: Scan | None = None  # the ``ast`` pass over ``source``, for transforms that decide on it
    scopes: list[dict[str, str | None]] = field(default_factory=list)
    # a transform that rewrites an import changes what its names mean (TF2007: the
    # compat.v1 alias becomes plain ``tensorflow``); applied to module and local imports alike
    rebound_targets: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    scheduled_imports: dict[str, str | None] = field(default_factory=dict)  # module -> alias
    facts: dict[str, object] = field(default_factory=dict)  # scratch space for transforms
    original_module: cst.Module | None = None
    _position_of: object = None
    _identifiers: frozenset[str] | None = None

    # -- name resolution
    def rebind_target(self, old: str, new: str) -> None:
        """From now on a name imported as ``old`` means ``new`` (module level and in functions)."""
        self.rebound_targets[old] = new
        for local, target in list(self.bindings.items()):
            if target == old:
                self.bindings.bind(local, new)

    def push_scope(self, scope: dict[str, str | None]) -> None:
        if self.rebound_targets:
            scope = {name: self.rebound_targets.get(target, target) if target else target
                     for name, target in scope.items()}
        self.scopes.append(scope)

    def pop_scope(self) -> None:
        self.scopes.pop()

    def qualify(self, node: cst.BaseExpression) -> str | None:
        dotted = dotted_name(node)
        if dotted is None:
            return None
        return qualify_in_scopes(dotted, self.scopes, self.bindings)

    def visible_bindings(self) -> Bindings:
        """The module's bindings as seen from the current scope."""
        if not self.scopes:
            return self.bindings
        visible = self.bindings.copy()
        for scope in self.scopes:
            for name, target in scope.items():
                if target is None:
                    visible.unbind(name)
                else:
                    visible.bind(name, target)
        return visible

    def _is_free(self, name: str) -> bool:
        """No binding, local or imported, and no other use of ``name`` in the file."""
        if self._identifiers is None:
            self._identifiers = frozenset(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", self.source))
        return name not in self._identifiers and self.bindings.target(name) is None

    def may_fix(self, rule: Rule, safety: Safety | None = None) -> bool:
        safety = safety or rule.safety
        return safety is not Safety.NONE and safety in self.apply

    def spell(self, qualified: str, prefer: str | None = None) -> str:
        """Text that names ``qualified`` here, scheduling an import when nothing in scope does.

        Local imports count (``import tensorflow as tf`` inside the function);
        locals that shadow a module alias do not.
        """
        spelled = self.visible_bindings().local_for(qualified, prefer)
        if spelled is not None:
            return spelled
        top = qualified.split(".", 1)[0]
        alias = CONVENTIONAL_ALIASES.get(top, top)
        if alias != top and not self._is_free(alias):
            alias = top  # ``tf`` means something else here, or is shadowed where we are
        self.scheduled_imports[top] = None if alias == top else alias
        self.bindings.bind(alias, top)
        return alias + qualified[len(top):]

    # -- the ast match stage (``CustomTransform.match``): hooks apply the matches, never decide again
    def match_at(self, custom: CustomTransform, node: cst.CSTNode):
        """The match ``custom`` made on the ``ast`` scan at the original ``node``'s start, or None."""
        by_place = self.facts.get(("matches", custom.code))
        if by_place is None:
            matches = custom.matches(self.scan) if self.scan is not None else None
            by_place = self.facts[("matches", custom.code)] = {m.key: m for m in matches or ()}
        position = self._position_of(node)  # type: ignore[misc]
        return by_place.get((position.start.line, position.start.column + 1)) if position is not None else None

    def report_match(self, match) -> bool:
        """Report a match as it was made; True when its fix is to be applied here."""
        finding = match.finding(self.apply)
        self.findings.append(finding)
        if finding.fixed and match.rule.supersedes:  # (what it supersedes was reported before: it is inside)
            self.findings[:] = drop_superseded(self.findings, (match,), self.apply)
        return finding.fixed

    # -- reporting
    def report_at(self, rule: Rule, line: int, column: int, message: str, *, fixed: bool,
                  severity: Severity | None = None, safety: Safety | None = None) -> None:
        """A finding at a place read off the ``ast`` (1-based line, 0-based character column)."""
        self.findings.append(Finding(code=rule.code, message=message, severity=severity or rule.severity,
                                     safety=safety or rule.safety, line=line, column=column + 1, fixed=fixed))

    def report(
        self,
        rule: Rule,
        node: cst.CSTNode,
        message: str,
        *,
        fixed: bool,
        severity: Severity | None = None,
        safety: Safety | None = None,
    ) -> None:
        # Nodes built or changed during the pass have no position of their own:
        # they are reported at the original node being rewritten (the call).
        position = self._position_of(node)  # type: ignore[misc]
        self.findings.append(
            Finding(
                code=rule.code,
                message=message,
                severity=severity or rule.severity,
                safety=safety or rule.safety,
                line=position.start.line,
                column=position.start.column + 1,
                fixed=fixed,
                end_line=position.end.line,
                end_column=position.end.column + 1,
            )
        )


class _Transformer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, ctx: EngineContext, customs: list[CustomTransform], *, line_offset: int = 0,
                 unit: bool = False) -> None:
        super().__init__()
        # a unit (one statement parsed on its own, see ``_transform_units``) sits ``line_offset`` lines down
        # the file; module-level hooks (custom prepare/finish, scheduled imports) belong to the whole module
        self.line_offset = line_offset
        self.unit = unit
        self.ctx = ctx
        self.rs = ctx.ruleset
        self.customs = customs
        # only transforms that override the hook pay for unresolved method calls
        self._method_customs = [c for c in customs if type(c).on_method_call is not CustomTransform.on_method_call]
        self._with_customs = [c for c in customs if type(c).on_with is not CustomTransform.on_with]
        ctx._position_of = self._position_of
        self._anchors: list[cst.CSTNode] = []

    def _position_of(self, node: cst.CSTNode):
        position = self.get_metadata(PositionProvider, node, None)
        if position is None:
            for anchor in reversed(self._anchors):
                position = self.get_metadata(PositionProvider, anchor, None)
                if position is not None:
                    break
        return self._shift(position)

    def _shift(self, position):
        if position is None or not self.line_offset:
            return position
        return CodeRange(CodePosition(position.start.line + self.line_offset, position.start.column),
                         CodePosition(position.end.line + self.line_offset, position.end.column))

    # -- scopes: a function's own names apply to its body; decorators, defaults
    # and annotations are evaluated in the enclosing scope (as the ast side does)
    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self.ctx.push_scope(self._function_scope(node))

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self.ctx.pop_scope()

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        self.ctx.push_scope(self._function_scope(node))

    def _function_scope(self, node: cst.FunctionDef | cst.Lambda) -> dict[str, str | None]:
        """The ``ast`` pass already knows every function's scope; found by where ``def``/``lambda`` starts."""
        position = self._shift(self.get_metadata(PositionProvider, node, None))
        scan = self.ctx.scan
        if position is not None and scan is not None:
            scope = scan.function_scopes.get((position.start.line, position.start.column))
            if scope is not None:
                return dict(scope)
        return function_scope_cst(node)

    def leave_Lambda_body(self, node: cst.Lambda) -> None:
        self.ctx.pop_scope()

    def _enter_comprehension(self, node) -> None:
        self.ctx.push_scope(comprehension_scope_cst(node))

    def _leave_comprehension(self, original_node, updated_node):
        self.ctx.pop_scope()
        return updated_node

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _enter_comprehension
    leave_ListComp = leave_SetComp = leave_DictComp = leave_GeneratorExp = _leave_comprehension

    # -- imports: ``from tensorflow import placeholder`` moves with the symbol
    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom):
        """Renamed names move to their new module; one import per new module, in first-use order."""
        if original_node.relative or original_node.module is None or isinstance(original_node.names, cst.ImportStar):
            return updated_node
        module = dotted_name(original_node.module)
        if module is None:
            return updated_node
        moves = []
        for alias in original_node.names:
            name = dotted_name(alias.name) or ""
            qualified = f"{module}.{name}"
            self._module_finding(qualified, alias)
            self._reference_findings(qualified, alias)
            found = rename.match(self.rs, qualified, self.ctx.may_fix)
            if found is not None:
                self._report(found.hit, alias)
            moves.append((alias, name, qualified, found.new if found is not None and found.hit.fixed else qualified))
        moved = rename.apply_import_from(updated_node, moves)
        if moved is None:
            return updated_node
        new_node, split = moved
        if split:
            self._split_imports.add(id(original_node))
        return new_node

    # -- dotted references
    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if isinstance(node.value, cst.Attribute):
            self._inner_names.add(id(node.value))  # a prefix of this name, not a reference of its own
        qualified = self.ctx.qualify(node)
        if qualified is not None and rename.lookup(self.rs, qualified) is not None:
            return False  # renamed as a whole on the way out (the longest renamed prefix)
        return True

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute):
        qualified = self.ctx.qualify(original_node)
        if qualified is None:
            return updated_node
        if self._is_outermost_name(original_node):
            self._module_finding(qualified, original_node)
            if not self._in_call_func(original_node):
                self._reference_findings(qualified, original_node)
        found = rename.match(self.rs, qualified, self.ctx.may_fix)
        if found is None:
            return updated_node
        self._report(found.hit, original_node)
        if not found.hit.fixed:
            return updated_node
        return rename.apply_reference(self.ctx, original_node, updated_node, found.new)

    # Parents are not available in a transformer, so the engine tracks which
    # Attribute nodes are call targets and which are parts of longer names.
    def visit_Call(self, node: cst.Call) -> None:
        self._call_funcs.add(id(node.func))

    def visit_Module(self, node: cst.Module) -> None:
        self._call_funcs: set[int] = set()
        self._inner_names: set[int] = set()
        self._split_imports: set[int] = set()
        if self.unit:
            return
        self.ctx.original_module = node
        for custom in self.customs:
            custom.prepare(self.ctx)

    def _in_call_func(self, node: cst.CSTNode) -> bool:
        return id(node) in self._call_funcs

    def _is_outermost_name(self, node: cst.Attribute) -> bool:
        return id(node) not in self._inner_names

    # -- the table kinds' decisions (``migrate/kinds/table/``, shared with lint's checker), reported here
    def _report(self, hit: TableHit, node: cst.CSTNode) -> None:
        self.ctx.report(hit.rule, node, hit.message, fixed=hit.fixed, severity=hit.severity, safety=hit.safety)

    def _module_finding(self, qualified: str, node: cst.CSTNode) -> None:
        hit = module_kind.match(self.rs, qualified, self.ctx.may_fix, self._customs)
        if hit is not None:
            self._report(hit, node)

    def _customs(self) -> list[CustomTransform]:
        return self.customs

    def _reference_findings(self, qualified: str, node: cst.CSTNode) -> None:
        for hit in finding_kind.match(self.rs, qualified):
            self._report(hit, node)

    # -- calls
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        qualified = self.ctx.qualify(original_node.func)
        if qualified is None and not (self._method_customs and isinstance(original_node.func, cst.Attribute)):
            return updated_node
        self._anchors.append(original_node)
        try:
            if qualified is None:
                method = original_node.func.attr.value  # type: ignore[attr-defined]
                return self._offer(
                    updated_node,
                    [lambda call, c=c: c.on_method_call(self.ctx, method, original_node, call) for c in self._method_customs],
                )
            return self._rewrite_call(qualified, original_node, updated_node)
        finally:
            self._anchors.pop()

    @staticmethod
    def _offer(call: cst.Call, hooks) -> cst.BaseExpression:
        """Give the call to each custom hook in turn; once one returns a non-call, the rest have nothing to act on."""
        result: cst.BaseExpression = call
        for hook in hooks:
            replacement = hook(result)
            if replacement is not None:
                result = replacement
                if not isinstance(result, cst.Call):
                    break
        return result

    def _rewrite_call(self, qualified: str, original_node: cst.Call, updated_node: cst.Call):
        if isinstance(original_node.func, cst.Name):
            self._module_finding(qualified, original_node)
        self._reference_findings(qualified, original_node)
        updated_node = self._rewrite_arguments(qualified, original_node, updated_node)
        return self._offer(
            updated_node,
            [lambda call, c=c: c.on_call(self.ctx, qualified, original_node, call) for c in self.customs],
        )

    def _rewrite_arguments(self, qualified: str, original: cst.Call, call: cst.Call) -> cst.Call:
        """The argument tables' plan for this call (``migrate.arguments``, decided on its ``ast`` call), built."""
        if not has_argument_rules(self.rs, qualified):
            return call
        position = self._position_of(original)
        node = call_at(self.ctx.scan, position.start.line, position.start.column)
        if node is None:  # (every dotted call is in the scan's tree: a parse of the same text)
            raise AssertionError(f"no ast call at {position.start} for {qualified}")
        plan = plan_arguments(self.rs, qualified, node, self.ctx.may_fix)
        for finding in plan.findings:
            self.ctx.report(finding.rule, original if finding.at is None else original.args[finding.at],
                            finding.message, fixed=finding.fixed)
        return apply_plan(plan, call) if plan.edits else call

    # -- statements and module
    def leave_SimpleStatementLine(self, original_node, updated_node):
        self._anchors.append(original_node)
        try:
            return self._rewrite_statement(original_node, updated_node)
        finally:
            self._anchors.pop()

    def _rewrite_statement(self, original_node, updated_node):
        # each custom hook in turn, on what the one before returned (as calls are offered, ``_offer``):
        # once one returns something other than a statement line, the rest have nothing to act on
        for custom in self.customs:
            replacement = custom.on_statement(self.ctx, original_node, updated_node)
            if replacement is not None:
                if not isinstance(replacement, cst.SimpleStatementLine):
                    return replacement
                updated_node = replacement
        if len(original_node.body) == 1 and id(original_node.body[0]) in self._split_imports:
            return _one_statement_per_line(updated_node)
        return updated_node

    def leave_With(self, original_node: cst.With, updated_node: cst.With):
        if not self._with_customs:
            return updated_node
        self._anchors.append(original_node)
        try:
            for custom in self._with_customs:
                replacement = custom.on_with(self.ctx, original_node, updated_node)
                if replacement is not None:
                    return replacement
            return updated_node
        finally:
            self._anchors.pop()

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if self.unit:
            return updated_node
        self._anchors.append(original_node)
        for custom in self.customs:
            updated_node = custom.finish(self.ctx, updated_node)
        return add_imports(updated_node, self.ctx.scheduled_imports)


def _one_statement_per_line(line: cst.SimpleStatementLine) -> cst.FlattenSentinel:
    """``from a import x; from b import y`` (one split import) as two lines.

    The first line keeps the original's comments above and its end of line;
    the others end with the module's newline.
    """
    lines = []
    for index, small in enumerate(line.body):
        lines.append(
            cst.SimpleStatementLine(
                body=[small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)],
                leading_lines=line.leading_lines if index == 0 else (),
                trailing_whitespace=line.trailing_whitespace if index == 0 else cst.TrailingWhitespace(),
            )
        )
    return cst.FlattenSentinel(lines)


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body
    )


def _is_docstring_or_future(statement: cst.CSTNode) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
        return True
    return isinstance(small, cst.ImportFrom) and dotted_name(small.module or cst.Name("x")) == "__future__"


def import_insertion_index(module: cst.Module) -> int:
    """After the leading block of docstring, ``__future__`` and import lines."""
    index = 0
    body = module.body
    while index < len(body) and (_is_docstring_or_future(body[index]) or _is_import_line(body[index])):
        index += 1
    if index and not any(_is_import_line(s) for s in body[:index]):
        return index  # only a docstring/__future__: insert right after it
    return index


def add_imports(module: cst.Module, imports: dict[str, str | None]) -> cst.Module:
    if not imports:
        return module
    lines = []
    for top, alias in sorted(imports.items()):
        text = f"import {top}" + (f" as {alias}" if alias else "")
        lines.append(cst.parse_statement(text + module.default_newline, config=module.config_for_parsing))
    index = import_insertion_index(module)
    return module.with_changes(body=[*module.body[:index], *lines, *module.body[index:]])


def needs_rewrite(scan: Scan, ruleset: RuleSet, customs: list[CustomTransform], source: str | None = None) -> bool:
    """Decide on the ``ast`` scan alone whether libcst needs to see the file.

    Argument tables count only where the call has what they change (enough
    positional arguments, the keyword): ``tf.constant(1.0)`` is in the reorder
    table but needs nothing.  One set lookup per reference in the common case.
    """
    keys = ruleset.keys()
    rebound = rebound_targets(scan, customs)  # (TF2007: references through the compat.v1 alias read as TF1 uses)
    for ref in scan.references:
        if rebound:
            ref = _rebound_reference(ref, rebound)
        if ref.qualified in keys and reference_needs_rule(ref, ruleset):
            return True
    for qualified, *_ in scan.imports:
        if import_needs_rule(ruleset, qualified):
            return True
    if ruleset.module_findings:
        names = {ref.qualified for ref in scan.references}
        names.update(qualified for qualified, *_ in scan.imports)
        if any(module_kind.reacts(ruleset, name) for name in names):
            return True
    return any(custom.applies(scan) and _text_gate(custom, source) and custom.acts(scan) for custom in customs)


def _text_gate(custom: CustomTransform, source: str | None) -> bool:
    """A custom rule's ``lint_text`` entries (the convention lint uses) must occur in the source.

    Rules that react to a pattern on any object (``x.data[0]``) cannot tell from
    the scan; without this gate every file importing the framework would be parsed.
    A rule with ``match`` is its own gate: its matches say exactly where it acts.
    """
    if custom.has_match():
        return True
    texts = custom.entries.get("lint_text") if isinstance(custom.entries, dict) else None
    return source is None or not texts or any(text in source for text in texts)


def transform_source(
    source: str,
    ruleset: RuleSet,
    *,
    apply: frozenset[Safety] = frozenset({Safety.SAFE, Safety.REVIEW}),
    filename: str = "<unknown>",
    facts: dict | None = None,
    units: bool = True,
) -> EngineResult:
    """Rewrite one module's text.  Raises SyntaxError / libcst.ParserSyntaxError on bad input.

    ``facts``: what the run knows about this file among its others (``migrate.runfacts``), as ``scan.run``.
    """
    customs = ruleset.transforms()
    original = source
    try:
        scan = scan_source(source, filename)
        early: list[Finding] = []
    except SyntaxError:
        source, early = repair_unparsable(source, customs, apply)  # re-raises when no rule can repair it
        scan = scan_source(source, filename)
    if facts:
        scan = replace(scan, run=facts)
    if not needs_rewrite(scan, ruleset, customs, source):
        return EngineResult(source, line_block_fixes(original, source, early))
    if units:
        try:
            result = _transform_units(source, scan, ruleset, customs, apply)
            if not early:
                return result
            # the units' edits are in the repaired text: the fixes are told as line blocks of the file as it was
            return EngineResult(result.code, line_block_fixes(original, result.code, sorted(
                set(result.findings) | set(early), key=Finding.sort_key)))
        except _WholeModule:
            pass  # a statement libcst cannot take on its own, or an import to place: parse the whole module
    module, tail = parse_exactly(source)
    ctx = EngineContext(ruleset=ruleset, source=source, bindings=scan.bindings.copy(), apply=apply, scan=scan)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    new_module = wrapper.visit(_Transformer(ctx, customs))
    findings = sorted(set(ctx.findings) | set(early), key=Finding.sort_key)
    return EngineResult(new_module.code + tail, line_block_fixes(original, new_module.code + tail, findings))


from migrate.plugin import repair_unparsable  # noqa: E402 (re-exported: lint repairs without libcst)


# -- libcst only where an edit lands ------------------------------------------------
#
# The ``ast`` scan says which lines a rule reacts to.  Each is covered by the
# smallest statement that libcst can parse on its own (a simple statement, or a
# compound one when the line is in its header); only those statements are parsed,
# transformed and spliced back over the same lines, so every other byte of the file
# is never touched, and a file's cost follows its edits rather than its size.
#
# The table rules are matched on the ``ast`` first (``migrate.textfix.TextMatcher``, lint's
# checker): renames and exact value rewrites come back as text edits, so only custom rules'
# sites and argument lists a table rebuilds (and ``from`` imports whose names move) make units;
# on those lines the libcst pass's edits and findings are taken, elsewhere the matcher's.
# ``transform_source(..., units=False)`` is the whole-module libcst pass both are tested against.


class _WholeModule(Exception):
    """This file needs the whole-module pass (a module-level rule, or text a unit cannot hold)."""


def _needed_lines(scan: Scan, ruleset: RuleSet, customs: list[CustomTransform], source: str,
                  rebound: dict[str, str], tables: bool = True) -> list[int]:
    """Sorted lines where some rule may act; raises ``_WholeModule`` for a rule that needs the whole module.

    ``rebound``: import targets a rule's ``prepare`` re-pointed (TF2007 reads ``tensorflow.compat.v1``
    as ``tensorflow``), so references are judged by what they will mean in the pass.
    ``tables``: False when the table rules are matched on the ``ast`` (``migrate.textfix``): custom rules' lines only.
    """
    lines: set[int] = set()
    if not tables:
        return _custom_lines(scan, customs, source, lines)
    keys = ruleset.keys()
    module_hit: dict[str, bool] = {}

    def in_module(name: str) -> bool:
        if not ruleset.module_findings:
            return False
        if name not in module_hit:
            module_hit[name] = module_kind.reacts(ruleset, name)
        return module_hit[name]

    for ref in scan.references:
        if rebound:
            ref = _rebound_reference(ref, rebound)
        if (ref.qualified in keys and reference_needs_rule(ref, ruleset)) or in_module(ref.qualified):
            lines.update(range(ref.line, (ref.end_line or ref.line) + 1))
    for qualified, _local, line, _column in scan.imports:
        if import_needs_rule(ruleset, qualified) or in_module(qualified):
            lines.add(line)
    return _custom_lines(scan, customs, source, lines)


def _rebound_reference(ref: Reference, rebound: dict[str, str]) -> Reference:
    qualified = may_rebind(ref.qualified, rebound)  # (a gate: where the pass may act)
    return ref if qualified == ref.qualified else dataclasses.replace(ref, qualified=qualified)


def _custom_lines(scan: Scan, customs: list[CustomTransform], source: str, lines: set[int]) -> list[int]:
    for custom in customs:
        if not (custom.applies(scan) and _text_gate(custom, source) and custom.acts(scan)):
            continue  # (a rule with ``match`` and no matches has nothing to do in this file)
        kind = type(custom)
        if (kind.finish is not CustomTransform.finish and kind.unit_finish is CustomTransform.unit_finish) or (
                kind.prepare is not CustomTransform.prepare and not custom.prepare_reads_context_only):
            raise _WholeModule(custom.code)
        sites = custom.sites(scan)
        if sites is None:
            raise _WholeModule(custom.code)
        lines.update(sites)
    return sorted(lines)


def _first_column(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", None)
    if decorators:
        first = min(decorators, key=lambda d: (d.lineno, d.col_offset))
        if first.lineno < statement.lineno:
            return first.col_offset - 1  # the "@"
    return statement.col_offset


class _UnitPlanner:
    def __init__(self, hits: list[int], lines: list[str]) -> None:
        self.hits = hits
        self.lines = lines

    def hit(self, first: int, last: int) -> list[int]:
        start = bisect.bisect_left(self.hits, first)
        end = bisect.bisect_right(self.hits, last)
        return self.hits[start:end]

    def indent(self, line: int) -> int:
        text = self.lines[line - 1]
        return len(text) - len(text.lstrip(" \t\f"))

    def block(self, body: list[ast.stmt], enclosing: tuple) -> list[tuple[int, int, tuple]] | None:
        """Units covering every hit line of ``body``; None when one cannot stand on its own lines."""
        units: list[tuple[int, int, tuple]] = []
        for group in line_groups(body):
            first, last = first_line(group[0]), group[-1].end_lineno
            hits = self.hit(first, last)
            if not hits:
                continue
            if _first_column(group[0]) != self.indent(first):
                return None  # shares its first line with the parent's header (``if x: y = f()``)
            if len(group) == 1:
                inner = self.children(group[0], hits, enclosing)
                if inner is not None:
                    units.extend(inner)
                    continue
            units.append((first, last, enclosing))
        return units

    def children(self, statement: ast.stmt, hits: list[int], enclosing: tuple) -> list | None:
        blocks = child_blocks(statement)
        if not blocks:
            return None
        covered = [(first_line(child), child.end_lineno) for block in blocks for child in block]
        if any(not any(a <= line <= b for a, b in covered) for line in hits):
            return None  # a hit in the header (``with tf.variable_scope(...):``): the statement is the unit
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            enclosing = (*enclosing, statement)
        units = []
        for block in blocks:
            inner = self.block(block, enclosing)
            if inner is None:
                return None
            units.extend(inner)
        return units


class _ExplicitIndent(cst.CSTTransformer):
    def __init__(self, indent: str) -> None:
        super().__init__()
        self.indent = indent

    def leave_IndentedBlock(self, original_node, updated_node):
        return updated_node if updated_node.indent is not None else updated_node.with_changes(indent=self.indent)


def _import_insertion_line(tree: ast.Module) -> int:
    """The line after which scheduled imports go (``import_insertion_index`` on the ``ast``); 0: none."""
    last = 0
    for group in line_groups(tree.body):
        if not all(_is_leading(s, len(group)) for s in group):
            break
        last = group[-1].end_lineno
    return last


def _is_leading(statement: ast.stmt, group_size: int) -> bool:
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return True
    if group_size != 1:
        return False
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
        and isinstance(statement.value.value, (str, bytes))


_INDENT_LINE = re.compile(r"^([ \t]+)\S", re.MULTILINE)


def _transform_units(source: str, scan: Scan, ruleset: RuleSet, customs: list[CustomTransform],
                     apply: frozenset[Safety], textual: bool = True) -> EngineResult:
    if scan.tree is None or "\r" in source.replace("\r\n", ""):
        raise _WholeModule("line endings")
    ctx = EngineContext(ruleset=ruleset, source=source, bindings=scan.bindings.copy(), apply=apply, scan=scan)
    for custom in customs:
        if custom.prepare_reads_context_only and custom.applies(scan):
            custom.prepare(ctx)
    lines = source.splitlines(keepends=True) if "\x0c" not in source and "\x0b" not in source else None
    if lines is None or any(c in source for c in ("\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")):
        raise _WholeModule("line separators")
    matcher = None
    if textual:
        from migrate.textfix import TextMatcher

        matcher = TextMatcher(source, ctx, customs)
        matcher.only_where_needed(scan)
        matcher.visit(scan.tree)
        hits = sorted(set(_needed_lines(scan, ruleset, customs, source, ctx.rebound_targets, tables=False))
                      | matcher.cst_lines)
    else:
        hits = _needed_lines(scan, ruleset, customs, source, ctx.rebound_targets)
    units = _UnitPlanner(hits, lines).block(scan.tree.body, ())
    if units is None:
        raise _WholeModule("units")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    text_findings: list[Finding] = []
    edits = []
    if matcher is not None:
        firsts = [first for first, _last, _enclosing in units]

        def in_units(first: int, last: int) -> bool | None:
            index = bisect.bisect_right(firsts, last) - 1
            if index < 0 or units[index][1] < first:
                return False  # the unit starting at or before ``last`` ends before ``first``
            if units[index][0] <= first and last <= units[index][1]:
                return True
            return None

        try:
            text_findings, edits = matcher.finish(starts, in_units)
        except ValueError as exc:
            raise _WholeModule("an edit straddles a unit") from exc
    first_eol = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    indent_match = _INDENT_LINE.search(source)
    default_indent = indent_match.group(1) if indent_match else "    "
    replacements: list[tuple[int, int, str, int]] = []
    fixes = UnitFixes(ctx, starts)  # each fixed finding's edits, for machine reports (migrate.fixedits)
    for first, last, enclosing in units:
        fixes.unit_begins()
        text = "".join(lines[first - 1:last])
        indent = lines[first - 1][: len(lines[first - 1]) - len(lines[first - 1].lstrip(" \t"))]
        eol = "\r\n" if lines[first - 1].endswith("\r\n") else "\n"
        header = f"if 1:{eol}" if indent else ""
        wrapped = header + text
        try:
            module = cst.parse_module(wrapped)
        except cst.ParserSyntaxError as exc:
            raise _WholeModule("unit does not parse alone") from exc
        if module.code != wrapped:
            raise _WholeModule("unit does not round-trip")
        if module.default_indent != default_indent:
            # blocks that used the unit's own default keep it written out; new blocks get the file's
            module = module.visit(_ExplicitIndent(module.default_indent))
        module = module.with_changes(default_indent=default_indent, default_newline=first_eol)
        ctx.scopes = []
        for function in enclosing:
            key = (function.lineno, len(lines[function.lineno - 1].encode("utf-8")[: function.col_offset]
                                        .decode("utf-8", errors="ignore")))
            ctx.push_scope(dict(scan.function_scopes.get(key, {})))
        transformer = _Transformer(ctx, customs, line_offset=first - 1 - (1 if header else 0), unit=True)
        new = MetadataWrapper(module, unsafe_skip_copy=True).visit(transformer).code
        if not new.startswith(header):
            raise _WholeModule("unit header changed")
        new = new[len(header):]
        if new != text:
            replacements.append((first, last, new, 0))
            fixes.unit_rewritten(first, last, new)
    ctx.scopes = []
    for custom in customs:
        if type(custom).unit_finish is CustomTransform.unit_finish or not custom.applies(scan):
            continue
        inserted = custom.unit_finish(ctx, scan.tree)
        if inserted is None:
            raise _WholeModule(custom.code)
        for after, statement in inserted:
            if after and not lines[after - 1].endswith(("\n", "\r\n")):
                raise _WholeModule("insertion at the end of the file")
            replacements.append((after + 1, after, statement + first_eol, 1))
            fixes.module_edit(custom.code, after + 1, after, statement + first_eol)
    if ctx.scheduled_imports:
        after = _import_insertion_line(scan.tree)
        if after == 0 or not lines[after - 1].endswith(("\n", "\r\n")):
            raise _WholeModule("import placement")
        added = "".join(f"import {top}" + (f" as {alias}" if alias else "") + first_eol
                        for top, alias in sorted(ctx.scheduled_imports.items()))
        replacements.append((after + 1, after, added, 0))  # an insertion: replaces no line
        fixes.imports_added(after + 1, added)
    # as character spans: (start, end, order, text); a unit (or insertion) and a text edit never overlap
    spans = [(starts[first - 1], starts[last], order, new) for first, last, new, order in replacements]
    spans += [(edit.start, edit.end, 2, edit.text) for edit in edits]
    out = _splice(source, spans)
    fixes.text_findings(text_findings)
    deletions = []
    for custom in customs:
        if type(custom).unit_finish is CustomTransform.unit_finish or not custom.applies(scan):
            continue
        ranges = custom.unit_finish_text(ctx, scan.tree, out)
        if ranges is None:
            raise _WholeModule(custom.code)
        for first, last in ranges:
            start, end = starts[first - 1], starts[last]
            if any((s < end and start < e) if e > s else start < s < end for s, e, _o, _n in spans):
                raise _WholeModule("a deleted statement was edited")
            deletions.append((start, end, 3, ""))
            fixes.module_edit(custom.code, first, last, "")
    if deletions:
        out = _splice(source, spans + deletions)
    findings = tuple(sorted(set(fixes.findings()), key=Finding.sort_key))
    return EngineResult(out, findings)


def _splice(source: str, spans: list[tuple[int, int, int, str]]) -> str:
    """``source`` with non-overlapping (start, end, order, text) spans replaced; from the bottom up, so at
    one place imports (0) end up above a rule's inserted statement (1), both above an edit there (2)."""
    out = source
    for start, end, _order, new in sorted(spans, key=lambda r: (r[0], r[1], r[2]), reverse=True):
        out = out[:start] + new + out[max(start, end):]
    return out


class RoundTripError(ValueError):
    """libcst cannot give back this file's exact text, so it is not rewritten."""


def parse_exactly(source: str) -> tuple[cst.Module, str]:
    """Parse ``source`` into a module whose code is exactly ``source`` (plus a tail kept aside).

    libcst drops a blank line before a whitespace-only last line
    (``"x\\n\\n \\n"`` comes back as ``"x\\n \\n"``).  Blank lines at the end
    are never edited, so they are set aside and appended again.  Any other
    difference is refused rather than written.
    """
    module = cst.parse_module(source)
    if module.code == source:
        return module, ""
    body = source.rstrip(" \t\f\r\n")
    end = len(body)
    if source.startswith("\r\n", end):
        end += 2
    elif source[end:end + 1] in ("\n", "\r"):
        end += 1
    head, tail = source[:end], source[end:]
    module = cst.parse_module(head)
    if module.code != head:
        raise RoundTripError("libcst cannot reproduce this file byte for byte; file left unchanged")
    return module, tail
