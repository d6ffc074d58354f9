"""The convert pipeline: files -> parsed modules -> rule matches -> edits and findings -> outputs.

Every file becomes a ``FileResult`` value; nothing here raises for a bad file,
so one broken file never stops a tree run.
"""
from __future__ import annotations

import difflib
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import libcst as cst

from migrate.engine import transform_source
from migrate.model import FileResult, FileStatus, Finding, Safety
from migrate.notebook import NotebookError, convert_notebook
from migrate.resolve import mentions_framework
from migrate.rules import RuleSet, load_rules, rulesets_for_target
from migrate.sources import SourceError, atomic_write, discover, read_source

# Files smaller than this many in a run are converted in-process: worker start-up costs more.
PARALLEL_THRESHOLD = 8


@dataclass(frozen=True)
class ConvertOptions:
    target: str = "tf2-compat"
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    apply: frozenset[Safety] = frozenset({Safety.SAFE, Safety.REVIEW})
    write: bool = False
    out_dir: Path | None = None

    def load_rules(self) -> RuleSet:
        return load_rules(rulesets_for_target(self.target), self.select, self.ignore)


def convert_text(text: str, ruleset: RuleSet, apply: frozenset[Safety], filename: str) -> tuple[str, tuple[Finding, ...]]:
    result = transform_source(text, ruleset, apply=apply, filename=filename)
    return result.code, result.findings


def _parse_error(path: Path, exc: Exception) -> str:
    if isinstance(exc, SyntaxError):
        where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
        hint = " (Python 2 syntax? convert it to Python 3 first)" if "print" in (exc.text or "") else ""
        return f"{path}: cannot parse: {exc.msg} at {where}{hint}; file left unchanged"
    if isinstance(exc, cst.ParserSyntaxError):
        return f"{path}: cannot parse: {exc.message} at line {exc.raw_line}; file left unchanged"
    return f"{path}: {exc}"


def convert_file(path: Path, ruleset: RuleSet, options: ConvertOptions, root: Path | None = None) -> FileResult:
    shown = str(path)
    try:
        raw, decoded = read_source(path)
    except SourceError as exc:
        return FileResult(shown, FileStatus.FAILED, error=str(exc))
    text = decoded.text
    if not mentions_framework(text):
        return FileResult(shown, FileStatus.SKIPPED, original=text, rewritten=text)
    try:
        if path.suffix == ".ipynb":
            notebook = convert_notebook(text, lambda code: convert_text(code, ruleset, options.apply, shown))
            new_text, findings = notebook.text, notebook.findings
        else:
            new_text, findings = convert_text(text, ruleset, options.apply, shown)
    except NotebookError as exc:
        return FileResult(shown, FileStatus.FAILED, error=f"{path}: {exc}; file left unchanged")
    except (SyntaxError, cst.ParserSyntaxError, ValueError) as exc:
        return FileResult(shown, FileStatus.FAILED, error=_parse_error(path, exc))
    except RecursionError:
        return FileResult(shown, FileStatus.FAILED, error=f"{path}: nesting too deep to convert; file left unchanged")
    status = FileStatus.CHANGED if new_text != text else FileStatus.UNCHANGED
    try:
        destination = _destination(path, options, root)
        if destination is not None and (status is FileStatus.CHANGED or destination != path):
            if destination != path:
                destination.parent.mkdir(parents=True, exist_ok=True)
                if status is FileStatus.UNCHANGED:
                    shutil.copyfile(path, destination)
                else:
                    atomic_write(destination, decoded.encode(new_text))
                    shutil.copymode(path, destination)
            else:
                atomic_write(path, decoded.encode(new_text))
    except (SourceError, OSError) as exc:
        return FileResult(shown, FileStatus.FAILED, findings, error=f"{exc}", original=text, rewritten=new_text)
    return FileResult(shown, status, findings, original=text, rewritten=new_text)


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


def _work(item: tuple[Path, Path]) -> FileResult:
    root, path = item
    return convert_file(path, _WORKER["rules"], _WORKER["options"], root)  # type: ignore[arg-type]


def convert_paths(
    paths: Iterable[Path], options: ConvertOptions, jobs: int | None = None, ruleset: RuleSet | None = None
) -> Iterator[FileResult]:
    """Convert every source file under ``paths``; results come in file order."""
    items = list(discover(paths))
    if options.out_dir is not None:
        items = [(r, p) for r, p in items if not _inside(p, options.out_dir)]
        _copy_other_files(paths, options.out_dir)
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(items) < PARALLEL_THRESHOLD:
        rules = ruleset or options.load_rules()
        for root, path in items:
            yield convert_file(path, rules, options, root)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(options,)) as pool:
        yield from pool.map(_work, items, chunksize=max(1, len(items) // (jobs * 8)))


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
        return True
    except ValueError:
        return False


def _copy_other_files(paths: Iterable[Path], out_dir: Path) -> None:
    """``--out`` makes a full copy of each given tree; sources are written by the converter."""
    for given in paths:
        if not given.is_dir():
            continue
        for file in given.rglob("*"):
            if file.is_file() and file.suffix not in (".py", ".ipynb") and not _inside(file, out_dir):
                if any(part in (".git", "__pycache__", ".venv") for part in file.parts):
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
