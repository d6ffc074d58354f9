"""Facts about one convert run as a whole: which files of the run import which.

A rule that must not act the same in a library and in a program (TF2301 puts
``disable_v2_behavior()`` only where a program starts) needs to know whether
other files of the tree import the file it is looking at.  This module finds
the import edges between the run's files from their text alone (a regular
expression over import statements: cheap, no parse), and hands each file a
small mapping that the engine passes to transforms as ``scan.run``.

Keys of a file's mapping:
``tree``       True when the run was given a directory (the import graph is the tree's)
``root``       the directory the file was found under (paths in messages are shown from it)
``path``       the file's path as the run names it
``importers``  the run's files that import this one, directly
``imports``    the run's files this one imports, directly or through others
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from migrate.sources import SourceError, decode_source, read_bytes

_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(?P<module>\.*[\w.]*)[ \t]+import[ \t]+(?P<names>\([^)]*\)|[^\n#;]*)"
    r"|import[ \t]+(?P<plain>[^\n#;]+))",
    re.MULTILINE,
)
_NAME = re.compile(r"[A-Za-z_][\w.]*")


def module_names(root: Path, path: Path) -> list[str]:
    """Dotted names under which ``path`` may be imported: its path from the root and every suffix of it."""
    try:
        parts = list(path.relative_to(root).with_suffix("").parts)
    except ValueError:
        parts = [path.stem]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts and path.name == "__init__.py":
        parts = [path.parent.name]
    return [".".join(parts[i:]) for i in range(len(parts)) if all(p.isidentifier() for p in parts[i:])]


def imported_names(text: str, package: list[str]) -> set[str]:
    """Every dotted module name an import statement in ``text`` may load (parents included).

    ``package`` is the file's package path, for relative imports.
    """
    found: set[str] = set()
    for match in _IMPORT.finditer(text):
        if match.group("plain") is not None:
            for item in match.group("plain").split(","):
                name = _NAME.match(item.strip())
                if name:
                    found.add(name.group(0))
            continue
        module = match.group("module")
        level = len(module) - len(module.lstrip("."))
        module = module[level:]
        if level:
            base = package[: len(package) - (level - 1)] if level - 1 <= len(package) else []
            module = ".".join([*base, module] if module else base)
        names = match.group("names").strip("() \t")
        for item in names.replace("\\\n", " ").split(","):
            word = item.strip().split(" ")[0]
            if word.isidentifier() and module:
                found.add(f"{module}.{word}")
            elif word.isidentifier():
                found.add(word)
        if module:
            found.add(module)
    parents = {".".join(n.split(".")[:i]) for n in found for i in range(1, n.count(".") + 1)}
    return found | parents


def run_facts(paths: Iterable[Path], items: list[tuple[Path, Path]]) -> dict[Path, dict[str, object]]:
    """The per-file facts for a run over ``items`` (root, file) given as ``paths``."""
    tree = any(p.is_dir() for p in paths)
    owner: dict[str, list[Path]] = {}
    for root, path in items:
        if path.suffix != ".py":
            continue
        for name in module_names(root, path):
            owner.setdefault(name, []).append(path)
    edges: dict[Path, set[Path]] = {}
    for root, path in items:
        if path.suffix != ".py":
            continue
        try:
            text = decode_source(read_bytes(path), str(path)).text
        except (SourceError, ValueError):
            continue
        if "import" not in text:
            continue
        names = module_names(root, path)
        package = names[0].split(".") if names else []
        if path.name != "__init__.py":
            package = package[:-1]
        targets = {t for name in imported_names(text, package) for t in owner.get(name, ())}
        targets.discard(path)
        if targets:
            edges[path] = targets
    importers: dict[Path, list[Path]] = {}
    for source, targets in edges.items():
        for target in targets:
            importers.setdefault(target, []).append(source)
    facts: dict[Path, dict[str, object]] = {}
    for root, path in items:
        facts[path] = {
            "tree": tree,
            "root": str(root),
            "path": str(path),
            "importers": tuple(sorted(str(p) for p in importers.get(path, ()))),
            "imports": tuple(sorted(str(p) for p in _reachable(path, edges))),
        }
    return facts


def _reachable(start: Path, edges: dict[Path, set[Path]]) -> set[Path]:
    seen: set[Path] = set()
    todo = list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node in seen or node == start:
            continue
        seen.add(node)
        todo.extend(edges.get(node, ()))
    return seen
