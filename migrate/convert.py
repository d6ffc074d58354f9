"""The convert pipeline: files -> parsed modules -> rule matches -> edits and findings -> outputs.

Every file becomes a ``FileResult`` value; nothing here raises for a bad file,
so one broken file never stops a tree run.
"""
from __future__ import annotations

import difflib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import libcst as cst

from migrate.config import Config
from migrate.model import FileResult, FileStatus, Finding, Safety
from migrate.notebook import NotebookError, convert_notebook
from migrate.parallel import interrupted, jobs_for, map_in_workers
from migrate.resolve import mentions_framework
from migrate.rules import RuleSet
from migrate.runfacts import run_facts
from migrate.selection import ALL, Selection, configured_select, filter_ruleset, make_selection
from migrate.sitemap import relocate, site_pairs
from migrate.sources import SourceError, atomic_write, decode_source, discover, read_bytes
from migrate.suppressions import transform_honouring_suppressions


DEFAULT_TARGET = "tf2-compat"


@dataclass(frozen=True)
class ConvertOptions:
    target: str = DEFAULT_TARGET
    select: tuple[str, ...] = (ALL,)
    ignore: tuple[str, ...] = ()
    apply: frozenset[Safety] = frozenset({Safety.SAFE, Safety.REVIEW})
    write: bool = False
    out_dir: Path | None = None
    config: Config = Config()  # [tool.dlmigrate]: exclude, per-path overrides (select/ignore above are final)

    def selection(self) -> Selection:
        return make_selection(self.target, self.select, self.ignore)

    def load_rules(self) -> RuleSet:
        return self.selection().load(check=False)

    def rules_for(self, base: RuleSet, path: Path, cache: dict) -> RuleSet:
        """``base`` narrowed by the configuration's per-path overrides that match ``path``."""
        if not self.config.overrides:
            return base
        select, ignore = self.config.codes_for(path)
        if select == self.config.select and ignore == self.config.ignore:
            return base
        if "full" not in cache:  # an override may select a code the top level leaves out
            cache["full"] = make_selection(self.target).load(check=False)
        full = cache["full"]
        key = (configured_select(select, full.rules), ignore)
        if key not in cache:
            cache[key] = filter_ruleset(full, *key)
        return cache[key]


def convert_text(
    text: str, ruleset: RuleSet, apply: frozenset[Safety], filename: str, facts: dict | None = None
) -> tuple[str, tuple[Finding, ...]]:
    if not mentions_framework(text) and not (facts and facts.get("imports")):
        return text, ()
    return transform_honouring_suppressions(text, ruleset, apply, filename, facts)


def _parse_error(path: Path, exc: Exception) -> str:
    if isinstance(exc, SyntaxError):
        where = (f" at line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")) if exc.lineno else ""
        hint = " (Python 2 syntax? convert it to Python 3 first)" if "print" in (exc.text or "") else ""
        return f"{path}: cannot parse: {exc.msg}{where}{hint}; file left unchanged"
    if isinstance(exc, cst.ParserSyntaxError):
        return f"{path}: cannot parse: {exc.message} at line {exc.raw_line}; file left unchanged"
    return f"{path}: {exc}"


def convert_file(
    path: Path, ruleset: RuleSet, options: ConvertOptions, root: Path | None = None, facts: dict | None = None
) -> FileResult:
    """``facts``: what the run knows about this file among the others (``migrate.runfacts``)."""
    shown = str(path)
    try:
        raw = read_bytes(path)
    except SourceError as exc:
        return FileResult(shown, FileStatus.FAILED, error=str(exc))
    destination = _destination(path, options, root)
    try:
        decoded = decode_source(raw, shown)
        text = decoded.text
        if path.suffix == ".ipynb":  # read even without a framework mention: broken JSON is reported
            notebook = convert_notebook(text, lambda code: convert_text(code, ruleset, options.apply, shown))
            new_text, findings = notebook.text, notebook.findings
        elif not mentions_framework(text) and not (facts and facts.get("imports")):
            new_text, findings = text, ()  # a file that imports none of the run's files either
        else:
            new_text, findings = convert_text(text, ruleset, options.apply, shown, facts)
    except (SourceError, NotebookError, SyntaxError, cst.ParserSyntaxError, ValueError, RecursionError) as exc:
        return _failed(path, raw, exc, destination)
    status = FileStatus.CHANGED if new_text != text else FileStatus.UNCHANGED
    if not findings and not mentions_framework(text):
        status = FileStatus.SKIPPED
    site_map: tuple[tuple[int, int], ...] = ()
    if status is FileStatus.CHANGED and path.suffix != ".ipynb":
        site_map = site_pairs(text, new_text)
        if destination is not None:  # open findings point into the file the user now reads
            findings = _locate_open(findings, text, new_text)
    try:
        if destination == path:
            if status is FileStatus.CHANGED:
                atomic_write(path, decoded.encode(new_text), replace_only=True)
        elif destination is not None:
            destination.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(destination, raw if status is not FileStatus.CHANGED else decoded.encode(new_text))
            shutil.copymode(path, destination)
    except (SourceError, OSError) as exc:
        return FileResult(shown, FileStatus.FAILED, findings, error=_write_error(path, exc), original=text,
                          rewritten=new_text)
    if destination is not None and status is FileStatus.CHANGED and "TT2001" in ruleset.rules:
        from migrate.keras_to_torch.manifest import write_for_conversion  # a Keras model's weight manifest

        write_for_conversion(text, destination)
    return FileResult(shown, status, findings, original=text, rewritten=new_text, site_map=site_map)


def _locate_open(findings: tuple[Finding, ...], text: str, new_text: str) -> tuple[Finding, ...]:
    """Open findings moved into the written text; fixed ones stay where the edit was made (a change log)."""
    open_ = [f for f in findings if not f.fixed]
    if not open_:
        return findings
    fixed = [f for f in findings if f.fixed]
    return tuple(sorted((*fixed, *relocate(open_, text, new_text)), key=Finding.sort_key))


def _write_error(path: Path, exc: Exception) -> str:
    if isinstance(exc, SourceError):
        return str(exc)
    return f"{path}: cannot write: {getattr(exc, 'strerror', None) or exc}; file left unchanged"


def _failed(path: Path, raw: bytes, exc: Exception, destination: Path | None) -> FileResult:
    """A file that cannot be converted; ``--out`` still gets a verbatim copy so the tree is complete."""
    if isinstance(exc, SourceError):
        error = f"{exc}; file left unchanged"
    elif isinstance(exc, NotebookError):
        error = f"{path}: {exc}; file left unchanged"
    elif isinstance(exc, RecursionError):
        error = f"{path}: nesting too deep to convert; file left unchanged"
    else:
        error = _parse_error(path, exc)
    if destination is not None and destination != path:
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(destination, raw)
            shutil.copymode(path, destination)
            error += f" (copied as is to {destination})"
        except (SourceError, OSError) as copy_exc:
            error += f"; copying it to {destination} failed too: {copy_exc}"
    return FileResult(str(path), FileStatus.FAILED, error=error)


def _destination(path: Path, options: ConvertOptions, root: Path | None) -> Path | None:
    if options.out_dir is not None:
        base = root if root is not None else path.parent
        try:
            relative = path.relative_to(base)
        except ValueError:
            relative = Path(path.name)
        return options.out_dir / relative
    return path if options.write else None


# -- running over many files

_WORKER: dict[str, object] = {}


def _init_worker(options: ConvertOptions) -> None:
    _WORKER["options"] = options
    _WORKER["rules"] = options.load_rules()
    _WORKER["cache"] = {}


def _work(item: tuple[Path, Path, dict]) -> FileResult:
    root, path, facts = item
    if interrupted():  # the run was interrupted: touch nothing more
        return FileResult(str(path), FileStatus.SKIPPED, error=f"{path}: not converted (interrupted)")
    options: ConvertOptions = _WORKER["options"]  # type: ignore[assignment]
    rules = options.rules_for(_WORKER["rules"], path, _WORKER["cache"])  # type: ignore[arg-type]
    return convert_file(path, rules, options, root, facts)


def out_dir_problem(paths: Iterable[Path], out_dir: Path) -> str | None:
    """Why ``--out DIR`` cannot be used with these inputs, or None.

    DIR may sit inside an input tree (it is skipped when walking) but may not
    be an input, nor contain one: converted copies would land on the inputs.
    """
    for given in paths:
        if given.resolve() == out_dir.resolve() or _inside(given, out_dir):
            return f"--out {out_dir} would write over the input {given}; choose a directory outside it"
    if out_dir.exists() and not out_dir.is_dir():
        return f"--out {out_dir} exists and is not a directory"
    return None


def convert_paths(
    paths: Iterable[Path], options: ConvertOptions, jobs: int | None = None, ruleset: RuleSet | None = None
) -> Iterator[FileResult]:
    """Convert every source file under ``paths``; results come in file order."""
    paths = list(paths)
    skipped: list[tuple[Path, str]] = []
    items = [(r, p) for r, p in discover(paths, skipped=skipped) if not options.config.is_excluded(p)]
    for link, reason in skipped:
        if not options.config.is_excluded(link):
            yield FileResult(str(link), FileStatus.SKIPPED, error=f"{link}: {reason}")
    if options.out_dir is not None:
        items = [(r, p) for r, p in items if not _inside(p, options.out_dir)]
        _copy_other_files(paths, options.out_dir, {p for _, p in items})
    facts = run_facts(paths, items)
    workers = jobs_for(jobs, len(items))
    if workers <= 1:  # here, with the rule set the caller loaded (run_all's in-process path would load it again)
        rules = ruleset or options.load_rules()
        cache: dict = {}
        for root, path in items:
            yield convert_file(path, options.rules_for(rules, path, cache), options, root, facts.get(path))
        return
    work = [(root, path, facts.get(path)) for root, path in items]
    yield from map_in_workers(_work, work, workers, _init_worker, (options,))


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
        return True
    except ValueError:
        return False


# Not copied by ``--out``: version control, caches and environments.
_NOT_COPIED = {".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache", "node_modules",
               ".ipynb_checkpoints"}


def _copy_other_files(paths: Iterable[Path], out_dir: Path, converted: set[Path]) -> None:
    """``--out`` makes a full copy of each given tree; the files being converted are written by the converter."""
    out_resolved = out_dir.resolve()
    for given in paths:
        if not given.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(given):
            dirnames[:] = sorted(d for d in dirnames if d not in _NOT_COPIED
                                 and (Path(dirpath) / d).resolve() != out_resolved)
            for name in filenames:
                file = Path(dirpath) / name
                if file in converted or not file.is_file():
                    continue
                target = out_dir / file.relative_to(given)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, target)


def unified_diff(result: FileResult) -> str:
    if result.original is None or result.rewritten is None or result.original == result.rewritten:
        return ""
    return "".join(
        difflib.unified_diff(
            result.original.splitlines(keepends=True),
            result.rewritten.splitlines(keepends=True),
            fromfile=f"a/{result.path}",
            tofile=f"b/{result.path}",
        )
    )
