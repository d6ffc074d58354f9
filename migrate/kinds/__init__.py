"""Rule kinds backed by a transform: one module per kind, found without a list to edit.

A table kind (``rename``, ``reorder``, ...) is one module of the ``table``
subpackage (``@table_kind("rename")``, ``migrate.rules.TABLE_KINDS``): its entry
shape, the ``RuleSet`` table it fills, the match decision lint and the engine
both ask, and its apply.  A kind whose rules each build a transform is a module
of this package that registers a ``CustomTransform`` subclass under the kind's
name::

    @register_kind("call-map")
    class CallMap(CustomTransform):
        @classmethod
        def check_entries(cls, entries, message): ...   # ValueError naming the bad entry
        ...

``RuleSet.transforms`` builds that class once per selected rule of the kind
(with the rule and its entries), as it builds a ``custom`` rule's class looked
up by code; any rule family may use any kind.  ``rules.known_kinds()`` is the
table kinds plus the kinds registered here, so adding a kind is adding a module.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from migrate.plugin import CustomTransform

_KINDS: dict[str, type["CustomTransform"]] = {}
_LOADED = False


def register_kind(name: str) -> Callable[[type["CustomTransform"]], type["CustomTransform"]]:
    """``@register_kind("call-map")``: the class serves every rule of that kind (``cls.kind`` = name)."""
    from migrate.plugin import registrar

    return registrar(_KINDS, "kind", "rule kind")(name)


def kind_registry() -> dict[str, type["CustomTransform"]]:
    """Registered kinds by name; imports the modules of this package that register one (once)."""
    global _LOADED
    if not _LOADED:
        from migrate.plugin import import_registering

        # helpers of a kind (no registration) are imported by the kind that uses them
        import_registering(__name__, Path(__file__).resolve().parent, "@register_kind(")
        _LOADED = True
    return _KINDS
