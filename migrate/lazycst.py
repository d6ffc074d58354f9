"""``cst``: libcst, imported on first use.

Rule modules are imported by the registry for ``lint`` too, which must not pay
for libcst (about 0.1 s) when a rule decides on the ``ast`` scan.  A module that
writes ``from migrate.lazycst import cst`` may use ``cst.X`` inside functions
(annotations are strings under ``from __future__ import annotations``); a class
deriving from a libcst class is built inside a function, where it is needed.
"""
from __future__ import annotations

import importlib


class _LazyLibcst:
    def __getattr__(self, name: str):
        module = importlib.import_module("libcst")
        return getattr(module, name)


cst = _LazyLibcst()
