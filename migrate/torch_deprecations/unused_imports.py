"""PT1047: a ``from torch... import name`` that the fixes left unused is removed (only those).

After PT1025 removes every ``Variable(...)`` wrapper, ``from torch.autograd
import Variable`` is dead; likewise a class import replaced by PT1042.  A name
is removed only when the original module used it (outside the import) and the
converted module no longer does, and it never appears in a string (``__all__``
lists, ``getattr`` names).  Names that were already unused are left alone: that
is a linter's business, not a migration's.  The whole statement goes only when
nothing is left in it and no comment sits above or beside it.

Limit: a module without ``__all__`` re-exports its imports to ``from m import *``
users; converting the whole tree keeps them consistent (the star import is
resolved, so their uses are fixed too), converting one file of such a pair alone may not.
"""
from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import replace
from functools import cache

from migrate.lazycst import cst
from migrate.plugin import CustomTransform, Match, ast_position, register
from migrate.torch_deprecations.util import Fix

_ROOTS = ("torch", "torchvision", "functorch")
_FOLLOWS = {
    "torch.autograd.Variable", "torch.autograd.variable.Variable",
    "torch.nn.UpsamplingNearest2d", "torch.nn.UpsamplingBilinear2d",
    "torch.nn.modules.upsampling.UpsamplingNearest2d", "torch.nn.modules.upsampling.UpsamplingBilinear2d",
}


@cache
def _uses_class():
    """The libcst visitor, built on first use (registering the rule must not import libcst)."""

    class _Uses(cst.CSTVisitor):
        def __init__(self) -> None:
            self.names: dict[str, int] = {}
            self.strings: set[str] = set()

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_Name(self, node: cst.Name) -> None:
            self.names[node.value] = self.names.get(node.value, 0) + 1

        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            value = node.evaluated_value
            if isinstance(value, str):
                self.strings.add(value)

    return _Uses


def dotted_name(node):
    from migrate.cstutil import dotted_name as dotted

    return dotted(node)


def _uses(module: cst.Module):
    uses = _uses_class()()
    module.visit(uses)
    return uses


def _framework_from_import(statement: cst.CSTNode) -> cst.ImportFrom | None:
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return None
    node = statement.body[0]
    if not isinstance(node, cst.ImportFrom) or node.relative or node.module is None \
            or isinstance(node.names, cst.ImportStar):
        return None
    module = dotted_name(node.module) or ""
    return node if module.split(".", 1)[0] in _ROOTS else None


def _local(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return dotted_name(alias.name) or ""


def _has_comment(statement: cst.SimpleStatementLine) -> bool:
    return any(line.comment is not None for line in statement.leading_lines) or \
        statement.trailing_whitespace.comment is not None


@register("PT1047")
class UnusedImportAfterFix(CustomTransform):
    def applies(self, scan) -> bool:
        # only where a fix that leaves an import behind may happen (PT1025 Variable, PT1042 Upsampling*2d);
        # then the whole module is needed, as the import is elsewhere than the edit
        return any(ref.is_call and ref.qualified in _FOLLOWS for ref in scan.references)

    # -- the decision, on the ast scan: a name dies when every use of it is the callee of a call another
    # rule of the family rewrites (its match), and no rewrite writes it again.  The finding stands only
    # when all those fixes are applied (``Match.requires``).  Other edits are not modelled: a name they
    # would free is left imported (never reported), as a plain linter would then report it.

    def match(self, scan):
        siblings = [c for c in getattr(self, "siblings", ()) if c is not self and c.has_match()]
        lines = scan.source.splitlines()
        candidates: dict[str, int] = {}  # local name -> line of its import
        body = scan.tree.body
        for index, statement in enumerate(body):
            if not (isinstance(statement, ast.ImportFrom) and not statement.level and statement.module
                    and statement.module.split(".", 1)[0] in _ROOTS and all(a.name != "*" for a in statement.names)):
                continue
            alone = (index == 0 or body[index - 1].end_lineno != statement.lineno) and \
                (index + 1 == len(body) or body[index + 1].lineno != statement.end_lineno)
            if alone:  # libcst's one-statement line
                for alias in statement.names:
                    local = alias.asname or alias.name
                    if scan.bindings.target(local) is not None:
                        candidates[local] = statement.lineno
        if not candidates:
            return []
        imports = [ast_position(lines, n) for n in ast.walk(scan.tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        uses: dict[str, list[tuple[int, int]]] = {}
        strings: set[str] = set()
        for kind, text, (row, col) in _tokens(scan.source):
            inside = any((l0, c0) <= (row, col + 1) < (l1, c1) for l0, c0, l1, c1 in imports)
            if inside:
                continue
            if kind == tokenize.NAME and text in candidates:
                uses.setdefault(text, []).append((row, col + 1))
            elif kind == tokenize.STRING:
                value = _string_value(text)
                if isinstance(value, str):
                    strings.add(value)
        rewrites = [match for custom in siblings for match in custom.matches(scan) or ()
                    if isinstance(match.payload, Fix) and match.fixable and match.payload.append is None
                    and match.end_line is not None]
        found = []
        for name, places in sorted(uses.items()):
            if name in strings:
                continue
            # each use must sit in a call that is rewritten, into text without the name (the call's own
            # name goes; an argument holding the name is written again, so the name stays)
            requires: list[Match] = []
            for place in places:
                holder = next((m for m in rewrites if m.key <= place < (m.end_line, m.end_column)
                               and name not in _names(m.payload.text) and not _string_in(name, m.payload.text)), None)
                if holder is None:
                    break
                if all(held is not holder for held in requires):
                    requires.append(holder)
            else:
                found.append(self._dead(name, requires))
        return found

    def _dead(self, name: str, requires: list[Match]) -> Match:
        # reported at the module, as the pass reports it (the import may be split or left whole)
        return Match(self.rule, 1, 1, self.rule.message.format(name=name), self.rule.safety,
                     payload=name, requires=tuple(requires))

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        if ctx.scan is None or not self.applies(ctx.scan):
            return module  # the same files as the statement-units pass, which only sees this rule where it applies
        matches = [m for m in self.matches(ctx.scan) or () if m.stands(ctx.apply)]
        if not matches or module is ctx.original_module:
            return module
        after = _uses(module)
        dead = set()
        for match in matches:
            # the decision was made on the ast; what the pass produced only confirms it (never removes more)
            confirmed = after.names.get(match.payload, 0) == 0 and match.payload not in after.strings
            finding = match.finding(ctx.apply)
            ctx.findings.append(replace(finding, fixed=finding.fixed and confirmed))
            if finding.fixed and confirmed:
                dead.add(match.payload)
        if not dead:
            return module
        body = []
        for statement in module.body:
            node = _framework_from_import(statement)
            if node is None:
                body.append(statement)
                continue
            kept = [a for a in node.names if _local(a) not in dead]
            if len(kept) == len(node.names):
                body.append(statement)
            elif not kept:
                if _has_comment(statement):
                    body.append(statement)  # keep the comment's line as it was
                else:
                    continue
            else:
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT if not node.lpar else kept[-1].comma)
                body.append(statement.with_changes(body=[node.with_changes(names=kept)]))
        return module.with_changes(body=body)


def _tokens(source: str):
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            yield token.type, token.string, token.start
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return


def _string_value(text: str) -> object:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def _names(text: str) -> set[str]:
    return {t for kind, t, _ in _tokens(text) if kind == tokenize.NAME}


def _string_in(name: str, text: str) -> bool:
    return any(kind == tokenize.STRING and _string_value(t) == name for kind, t, _ in _tokens(text))
