"""Files in and out: discovery, decoding exactly as Python would, and atomic writes.

A user's file is never truncated or half-written: new text goes to a temporary
file in the same directory, gets the original's mode bits, and replaces the
original with one ``os.replace``.
"""
from __future__ import annotations

import codecs
import io
import os
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

DEFAULT_EXCLUDES = {".git", ".hg", ".svn", ".venv", "venv", "__pycache__", "node_modules", ".tox", ".mypy_cache",
                    ".ipynb_checkpoints", "build", "dist", "site-packages"}
SOURCE_SUFFIXES = (".py", ".ipynb")


class SourceError(Exception):
    """A file that cannot be read or decoded; the message is shown to the user as is."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    bom: bool

    def encode(self, text: str) -> bytes:
        data = text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data


def decode_source(data: bytes, path: str = "<unknown>") -> DecodedText:
    """Decode with the PEP 263 cookie or BOM, keeping both so the bytes round-trip."""
    if b"\x00" in data:
        raise SourceError(f"{path}: contains NUL bytes, so it is not Python source (a binary file?)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceError(f"{path}: {exc}") from exc
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8):] if bom else data
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"{path}: cannot decode as {encoding}: {exc}") from exc
    return DecodedText(text, encoding, bom)


def read_source(path: Path) -> tuple[bytes, DecodedText]:
    data = read_bytes(path)
    return data, decode_source(data, str(path))


def max_source_bytes() -> int:
    """The largest source file read (``DLMIGRATE_MAX_FILE_MB``, default 10 MiB).  Parsing costs memory in
    proportion to the text (libcst needs ~100x), so a larger file, generated code as a rule, is reported
    and left alone instead of taking the machine's memory."""
    try:
        return int(float(os.environ.get("DLMIGRATE_MAX_FILE_MB", "10")) * 2**20)
    except ValueError:
        return 10 * 2**20


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        limit = max_source_bytes()
        if size > limit:
            raise SourceError(f"{path}: {size / 2**20:.1f} MiB, over the {limit / 2**20:g} MiB limit for one source "
                              "file (generated code?); skipped, set DLMIGRATE_MAX_FILE_MB to raise the limit")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        if path.is_symlink():
            raise SourceError(f"{path}: broken symbolic link (points to {os.readlink(path)})") from exc
        raise SourceError(f"{path}: file vanished before it could be read") from exc
    except IsADirectoryError as exc:
        raise SourceError(f"{path}: is a directory") from exc
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return data


def atomic_write(path: Path, data: bytes, *, replace_only: bool = False) -> None:
    """Replace ``path``'s contents in one step, keeping its permission bits.

    Writes through a symlink to its target, so the link itself is kept.  A file
    without write permission is refused even where the process could write it
    anyway (root): the mode bits say the user wants it left alone.  With
    ``replace_only`` a file that no longer exists is not created again.
    """
    target = Path(os.path.realpath(path))
    try:
        mode: int | None = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    if mode is None:
        if replace_only:
            raise SourceError(f"{path}: file vanished before it could be written; nothing written")
        mode = 0o666 & ~_umask()
    elif not mode & stat.S_IWUSR or not os.access(target, os.W_OK):
        raise SourceError(f"{path}: file is read-only; left unchanged")
    import tempfile  # (with shutil and random, ~3 ms) only when a file is written

    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".dlmigrate-tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def discover(paths: Iterable[Path], excludes: Iterable[str] = (), suffixes=SOURCE_SUFFIXES,
             skipped: list[tuple[Path, str]] | None = None) -> Iterator[tuple[Path, Path]]:
    """Yield (root, file) for every source file under the given paths, sorted, no duplicates.

    Explicitly named files are always yielded (even with another suffix, and through a symlink:
    naming it is the user's choice).  Directories are walked without following symlinked
    directories, and, like black and ruff, a symlinked file whose target lies outside the tree
    being walked is not followed: it is appended to ``skipped`` as (path, reason) instead, so a
    tree run never rewrites a file outside the tree it was given.
    """
    skip = DEFAULT_EXCLUDES | set(excludes)
    seen: set[Path] = set()
    for given in paths:
        if given.is_dir():
            top = os.path.realpath(given)
            for dirpath, dirnames, filenames in os.walk(given):
                kept = []
                for d in sorted(dirnames):
                    if d in skip or d.startswith("."):
                        continue
                    link = Path(dirpath) / d
                    if os.path.islink(link):
                        if skipped is not None and not _within(os.path.realpath(link), top):
                            skipped.append((link, _outside_reason(link)))
                        continue  # never descended (os.walk does not follow links)
                    kept.append(d)
                dirnames[:] = kept
                for name in sorted(filenames):
                    if name.endswith(suffixes) and not name.endswith(".dlmigrate-tmp"):
                        file = Path(dirpath) / name
                        if file in seen:
                            continue
                        seen.add(file)
                        if os.path.islink(file) and not _within(os.path.realpath(file), top):
                            if skipped is not None:
                                skipped.append((file, _outside_reason(file)))
                            continue
                        yield given, file
        else:
            if given not in seen:
                seen.add(given)
                yield given.parent, given


def _within(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def _outside_reason(link: Path) -> str:
    try:
        target = os.readlink(link)
    except OSError:
        target = "?"
    return (f"symbolic link to {target}, outside the tree: not followed, skipped "
            "(name it on the command line to convert its target)")
