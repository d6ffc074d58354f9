"""Rule kinds backed by a transform: one module per kind, found without a list to edit.

A table kind (``rename``, ``reorder``, ...) is data the engine and lint read
directly (``migrate.rules.TABLE_KINDS``).  A kind that needs code to match and
apply is a module of this package that registers a ``CustomTransform``
subclass under the kind's name::

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

import importlib
import pkgutil
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from migrate.plugin import CustomTransform

_KINDS: dict[str, type["CustomTransform"]] = {}
_LOADED = False


def register_kind(name: str) -> Callable[[type["CustomTransform"]], type["CustomTransform"]]:
    def decorate(cls: type["CustomTransform"]) -> type["CustomTransform"]:
        if name in _KINDS:
            raise ValueError(f"rule kind {name!r} registered twice")
        cls.kind = name
        _KINDS[name] = cls
        return cls

    return decorate


def kind_registry() -> dict[str, type["CustomTransform"]]:
    """Registered kinds by name; imports the modules of this package that register one (once)."""
    global _LOADED
    if not _LOADED:
        here = Path(__file__).resolve().parent
        for info in pkgutil.iter_modules([str(here)]):
            # helpers of a kind (no registration) are imported by the kind that uses them
            if not info.ispkg and "@register_kind(" in (here / f"{info.name}.py").read_text(encoding="utf-8"):
                importlib.import_module(f"{__name__}.{info.name}")
        _LOADED = True
    return _KINDS
