"""The ``rename`` table kind: ``{old qualified name: new qualified name}``.

Match: a dotted reference is renamed at the longest prefix the table knows (which is
then replaced whole); a ``from`` import of a renamed name moves the name to its new
module.  Apply: the new name spelled through the file's imports (``EngineContext.spell``)
as a text edit over the reference (``text_fix``) or a libcst node (``apply_reference``);
a ``from`` import is rebuilt by libcst, split into one import per new module
(``apply_import_from``).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from migrate.kinds.table import TableHit, TableKind, table_kind
from migrate.rules import format_message, short_name

if TYPE_CHECKING:
    from migrate.model import Rule
    from migrate.rules import RuleSet


@table_kind("rename")
class Rename(TableKind):
    order = 0
    table = "renames"
    shape = "the new qualified name (a string)"

    @staticmethod
    def check(value) -> bool:
        return isinstance(value, str) and value != ""

    @staticmethod
    def index(ruleset: "RuleSet", key: str, value, rule: "Rule") -> None:
        ruleset.renames[key] = (value, rule)

    @staticmethod
    def reference_needs(ref, ruleset: "RuleSet") -> bool:
        return ref.qualified in ruleset.renames

    @staticmethod
    def import_needs(ruleset: "RuleSet", qualified: str) -> bool:
        return qualified in ruleset.renames

    @staticmethod
    def reacts_below(ruleset: "RuleSet", qualified: str) -> bool:
        """A rename applies to the longest renamed prefix of a dotted name."""
        if "." not in qualified:
            return False
        parts = qualified.split(".")
        return any(".".join(parts[:n]) in ruleset.renames for n in range(2, len(parts)))


@dataclass(frozen=True)
class Renamed:
    """A use of a renamed name: where it goes, and the finding (``hit.fixed``: the rename is applied)."""

    qualified: str
    new: str
    hit: TableHit


def lookup(ruleset: "RuleSet", qualified: str) -> tuple[str, "Rule"] | None:
    """(new name, rule) when the table renames ``qualified`` exactly."""
    return ruleset.renames.get(qualified)


def match(ruleset: "RuleSet", qualified: str, may_fix: Callable[["Rule"], bool]) -> Renamed | None:
    """The rename of a use of ``qualified`` (a reference or an imported name), or None."""
    renamed = ruleset.renames.get(qualified)
    if renamed is None:
        return None
    new, rule = renamed
    return Renamed(qualified, new, TableHit(rule, message(rule, qualified, new), fixed=may_fix(rule)))


def message(rule: "Rule", qualified: str, new: str) -> str:
    return format_message(rule.message, old=short_name(qualified), new=short_name(new))


def longest_prefix(node: ast.Attribute, qualify: Callable[[ast.AST], str | None],
                   ruleset: "RuleSet") -> tuple[ast.Attribute, str] | None:
    """The outermost part of the ``ast`` chain ``node`` whose name the table renames (the longest renamed
    prefix, replaced whole), with its qualified name; ``qualify``: a chain part -> its qualified name."""
    current: ast.AST = node
    while isinstance(current, ast.Attribute):
        name = qualify(current)
        if name and name in ruleset.renames:
            return current, name
        current = current.value
    return None


def moves_import(ruleset: "RuleSet", module: str, names: list[str], may_fix: Callable[["Rule"], bool]) -> bool:
    """Does a ``from module import names`` move a name (a fixable rename), so libcst rebuilds the import?"""
    for name in names:
        renamed = ruleset.renames.get(f"{module}.{name}")
        if renamed is not None and may_fix(renamed[1]):
            return True
    return False


# -- apply ------------------------------------------------------------------------


def text_fix(ctx, found: Renamed, node: ast.Attribute, scopes, span: tuple[int, int], pos):
    """The text edit replacing the reference ``node`` (characters ``span`` of the file) with the new name,
    spelled in ``scopes`` as the libcst pass spells it, and its fixed finding at ``pos``."""
    from migrate.model import Edit, Finding, Fix
    from migrate.resolve import dotted_name_ast

    ctx.scopes = scopes
    prefer = (dotted_name_ast(node) or "").split(".", 1)[0]
    edit = Edit(span[0], span[1], ctx.spell(found.new, prefer))
    rule = found.hit.rule
    finding = Finding(rule.code, found.hit.message, rule.severity, rule.safety, pos.line, pos.column, True,
                      pos.end_line, pos.end_column, fix=Fix(rule.safety, (edit,)))
    return edit, finding


def apply_reference(ctx, original_node, updated_node, new: str):
    """The libcst dotted name for ``new`` in place of the reference ``original_node`` (parentheses kept)."""
    from migrate.cstutil import build_dotted, dotted_name

    prefer = (dotted_name(original_node) or "").split(".", 1)[0]
    return build_dotted(ctx.spell(new, prefer)).with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)


def apply_import_from(updated_node, moves: list[tuple[object, str, str, str]]):
    """``updated_node`` (a libcst ``ImportFrom``) with each alias moved: ``moves`` holds (alias, name,
    qualified, target) in written order.  One import per new module, in first-use order; a moved name
    keeps its local name (``as``).  Returns (node or FlattenSentinel, split into several statements);
    None when nothing moves."""
    import libcst as cst

    from migrate.cstutil import build_dotted

    groups: dict[str, list] = {}
    changed = False
    for alias, name, qualified, target in moves:
        new_module, _, new_name = target.rpartition(".")
        if target != qualified:
            changed = True
            if new_name != name and alias.asname is None:
                alias = alias.with_changes(asname=cst.AsName(name=cst.Name(name)))  # keep the local name
            alias = alias.with_changes(name=cst.Name(new_name))
        groups.setdefault(new_module, []).append(alias)
    if not changed:
        return None
    statements = []
    for new_module, aliases in groups.items():
        if not updated_node.lpar:  # a trailing comma needs parentheses
            aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        statements.append(updated_node.with_changes(module=build_dotted(new_module), names=aliases))
    if len(statements) == 1:
        return statements[0], False
    return cst.FlattenSentinel(statements), True
