"""The table rule kinds: one module each, found without a list to edit.

A table kind's rules are data (``entries``) that the engine, ``lint``'s checker and
the text matcher read through the kind's module, which holds everything about
the kind:

* ``check`` / ``shape``: what one entry must look like (``rules.check_table_entries``
  raises ``RuleError`` naming the first entry that fails it);
* ``index``: how an entry goes into the ``RuleSet`` lookup table the kind owns
  (``table``: the ``RuleSet`` attribute; ``RuleSet.add`` calls it, nothing else fills it);
* the MATCH decision on ``ast`` facts (a qualified name, an ``ast`` call): a module
  function returning what to report (``TableHit``: rule, message, severity, safety,
  whether it is fixed), called alike by ``lint._Checker``, ``textfix.TextMatcher``
  and ``engine._Transformer``, which only walk the tree and place the report;
* the APPLY: the text edit and/or the libcst node built from that decision (libcst
  imported inside the function: ``lint`` never imports it).

A module registers its kind with ``@table_kind("name")`` on a ``TableKind`` subclass;
``table_kinds()`` imports the modules of this package that do (once) and gives them
in their fixed ``order`` (the order of ``rules.TABLE_KINDS``, and the order in which
``migrate.arguments`` runs the argument kinds' steps on a call)::

    rename          migrate/kinds/table/rename.py          renames (dotted references, ``from`` imports)
    reorder         migrate/kinds/table/reorder.py         positional arguments -> keywords
    keyword-rename  migrate/kinds/table/keyword_rename.py  keyword renames
    keyword-remove  migrate/kinds/table/keyword_remove.py  keyword removals
    value           migrate/kinds/table/value.py           value rewrites (``1 - {value}``)
    finding         migrate/kinds/table/finding.py         a finding at each use of a name
    module          migrate/kinds/table/module.py          a finding at each use below a module prefix
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from migrate.model import Rule, Safety, Severity
    from migrate.resolve import Reference
    from migrate.rules import RuleSet


@dataclass(frozen=True)
class TableHit:
    """What a table rule reports at one site (the traversal places it: an ``ast`` or libcst node)."""

    rule: "Rule"
    message: str
    severity: "Severity | None" = None  # None: the rule's
    safety: "Safety | None" = None  # None: the rule's
    fixed: bool = False  # the fix is applied (under the run's ``may_fix``)


class TableKind:
    """One table kind: its entry shape, its indexing into the ``RuleSet`` and what it reacts to.

    The kinds matched on a name (``rename``, ``finding``, ``module``) give their decision as the
    module function ``match`` (signatures differ: a rename also moves imports); the argument kinds
    (``arguments = True``) give theirs as ``plan(call, ruleset, qualified, may_fix)``, one step of
    ``migrate.arguments.plan_arguments``, which runs the steps in ``order`` and dispatches each planned
    edit back to its kind's ``apply_cst`` (by ``step``).
    """

    name: str = ""
    order: int = 0  # position in ``rules.TABLE_KINDS`` (and among the argument steps)
    table: str = ""  # the ``RuleSet`` attribute this kind fills
    keyed: bool = True  # the table is keyed by the qualified name it reacts to (``RuleSet.keys``)
    shape: str = ""  # what one entry must be, for the error naming a malformed entry
    arguments: bool = False  # changes a call's argument list (``migrate.arguments`` runs its ``plan`` step)
    step: str = ""  # an argument kind's label of the edits it plans (``ArgumentPlan.steps``), if it plans any

    @staticmethod
    def check(value: Any) -> bool:
        """Can ``index`` read this entry?  (Generated tables may carry more fields.)"""
        raise NotImplementedError

    @staticmethod
    def index(ruleset: "RuleSet", key: str, value: Any, rule: "Rule") -> None:
        """Put one entry of ``rule`` into the kind's ``RuleSet`` table."""
        raise NotImplementedError

    @staticmethod
    def indexed(ruleset: "RuleSet") -> None:
        """After all of one rule's entries are indexed (ordering the table, say)."""

    @staticmethod
    def reference_needs(ref: "Reference", ruleset: "RuleSet") -> bool:
        """Does the scan's reference ``ref`` (a name in ``ruleset.keys()``) give this kind something to do?"""
        return False

    @staticmethod
    def import_needs(ruleset: "RuleSet", qualified: str) -> bool:
        """Does an import of ``qualified`` give this kind something to report or rewrite?"""
        return False

    @staticmethod
    def reacts_below(ruleset: "RuleSet", qualified: str) -> bool:
        """Does this kind react to ``qualified`` through a prefix of it (not the exact name)?"""
        return False


def string_list(value) -> bool:
    """A list of non-empty strings (an entry shape)."""
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


_KINDS: dict[str, type[TableKind]] = {}
_ORDERED: dict[str, type[TableKind]] | None = None
_CACHED: dict[str, tuple] = {}  # kinds chosen by a property, computed once


def table_kind(name: str) -> Callable[[type[TableKind]], type[TableKind]]:
    """``@table_kind("rename")``: the class describes the table kind of that name (``cls.name`` = name)."""
    from migrate.plugin import registrar

    return registrar(_KINDS, "name", "table kind")(name)


def table_kinds() -> dict[str, type[TableKind]]:
    """The table kinds by name, in their fixed order; imports the modules of this package that register one."""
    global _ORDERED
    if _ORDERED is None:
        from migrate.plugin import import_registering

        import_registering(__name__, Path(__file__).resolve().parent, "@table_kind(")
        _ORDERED = dict(sorted(_KINDS.items(), key=lambda item: (item[1].order, item[0])))
    return _ORDERED


def argument_kinds() -> tuple[type[TableKind], ...]:
    """The kinds that change a call's argument list, in the order their steps apply."""
    found = _CACHED.get("arguments")
    if found is None:
        found = _CACHED["arguments"] = tuple(kind for kind in table_kinds().values() if kind.arguments)
    return found


def keyed_tables(ruleset: "RuleSet") -> list[dict]:
    """The ``RuleSet`` tables keyed by qualified name (``RuleSet.keys``)."""
    return [getattr(ruleset, kind.table) for kind in table_kinds().values() if kind.keyed]


def reference_needs_rule(ref: "Reference", ruleset: "RuleSet") -> bool:
    """Does some table kind act on the scan's reference ``ref`` (whose name is in ``ruleset.keys()``)?
    Argument kinds only where the call has what they change (``tf.constant(1.0)`` needs no reorder)."""
    return any(kind.reference_needs(ref, ruleset) for kind in _reference_kinds())


def import_needs_rule(ruleset: "RuleSet", qualified: str) -> bool:
    """Does some table kind report or rewrite an import of ``qualified`` by the exact name?"""
    return any(kind.import_needs(ruleset, qualified) for kind in _import_kinds())


def reacts(ruleset: "RuleSet", qualified: str) -> bool:
    """Does some table react to ``qualified``: its exact name, or a prefix (a module, a renamed prefix)?"""
    if qualified in ruleset.keys():
        return True
    for kind in _below_kinds():
        if kind.reacts_below(ruleset, qualified):
            return True
    return False


def _overriding(hook: str) -> tuple[type[TableKind], ...]:
    found = _CACHED.get(hook)
    if found is None:
        found = _CACHED[hook] = tuple(kind for kind in table_kinds().values()
                                      if getattr(kind, hook) is not getattr(TableKind, hook))
    return found


def _reference_kinds() -> tuple[type[TableKind], ...]:
    return _overriding("reference_needs")


def _import_kinds() -> tuple[type[TableKind], ...]:
    return _overriding("import_needs")


def _below_kinds() -> tuple[type[TableKind], ...]:
    return _overriding("reacts_below")
