"""Star imports of a project's own modules: ``from model import *`` resolved by reading ``model.py``.

0.3-era projects often wrote ``from model import *`` in training scripts,
where ``model.py`` itself did ``import torch``, ``import torch.nn as nn`` and
``from torch.autograd import Variable``.  Python then binds those names in the
script too, so ``Variable(...)`` there *is* ``torch.autograd.Variable``.
A file-by-file tool sees nothing; this module reads the imported module's own
imports (and ``__all__`` when it is a literal list) and returns the names the
star import binds to framework objects.

Only modules found next to the importing file (``dir/model.py`` or
``dir/model/__init__.py``, or for ``from .model import *`` the same folder) are
read; nothing is imported or executed.  Names the module defines itself
(classes, functions) are not framework names and are not bound.  Nested star
imports are followed two levels deep.
"""
from __future__ import annotations

import ast
import functools
import os
from pathlib import Path

MAX_DEPTH = 2


def _module_file(folder: Path, module: str) -> Path | None:
    base = folder.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _literal_all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return None
            if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                return list(value)
            return None
    return None


@functools.lru_cache(maxsize=256)
def _exports(path: str, mtime: float, depth: int) -> tuple[tuple[str, str], ...]:
    from migrate.resolve import module_bindings_ast

    try:
        source = Path(path).read_text(encoding="utf-8")
        tree = ast.parse(source, filename=path)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError):
        return ()
    bindings = module_bindings_ast(tree, may_declare_global="global" in source)
    names = dict(bindings.items())
    if depth < MAX_DEPTH:
        for local, qualified in star_import_bindings(tree, path, depth + 1):
            names.setdefault(local, qualified)
    exported = _literal_all(tree)
    if exported is None:
        exported = [name for name in names if not name.startswith("_")]
    return tuple((name, names[name]) for name in exported if name in names)


def star_import_bindings(tree: ast.Module, filename: str, depth: int = 0) -> list[tuple[str, str]]:
    """(local name, qualified name) bound by module-level ``from <local module> import *`` statements."""
    if not filename or filename.startswith("<"):
        return []
    folder = Path(filename).resolve().parent
    found: list[tuple[str, str]] = []
    for node in tree.body:
        if not (isinstance(node, ast.ImportFrom) and node.module and node.level in (0, 1)
                and any(alias.name == "*" for alias in node.names)):
            continue
        path = _module_file(folder, node.module)
        if path is None:
            continue
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            continue
        found.extend(_exports(str(path), mtime, depth))
    return found
