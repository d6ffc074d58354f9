"""A cache of parsed rule data, so a one-file ``lint`` does not parse 60-odd TOML files on every run.

Parsing the rule TOML files (and importing ``tomllib``) was about a third of a one-file
``dlmigrate lint``.  ``migrate.rules`` computes ``load_rules``/``available_rulesets`` through
``cached``: the result is pickled under the user cache directory
(``$DLMIGRATE_CACHE_DIR``, else ``$XDG_CACHE_HOME/dlmigrate``, else ``~/.cache/dlmigrate``) with a
fingerprint of every file and directory the computation read (path, mtime in ns, size, inode),
plus the modules that build the result (``rules.py``, ``model.py``, ``selection.py``, the table kinds'
``migrate/kinds/table/*.py``), the
package version and the Python version.  A hit re-stats every fingerprinted path and is used
only if all are unchanged; anything else recomputes.  The pickle is the user's own, in a 0700
directory, like the ``.pyc`` files Python writes.

Never stale: a file changed within ``RACY_SECONDS`` of the computation is not trusted to have a
distinct mtime afterwards (file times are coarse, a few ms), so such a result is not stored
(git's "racy" rule).  Only the packaged/checkout rule data is cached (``root`` the default);
``DLMIGRATE_NO_CACHE=1`` turns the cache off; an unwritable or corrupt cache is ignored silently.
"""
from __future__ import annotations

import os
import pickle
import sys
import time
import zlib
from pathlib import Path
from typing import Any, Callable

RACY_SECONDS = 2.0
_FORMAT = 3
_memory: dict[str, tuple] = {}  # this process's entries: (fingerprint, pickled value); each caller gets a copy


def cache_dir() -> Path | None:
    if os.environ.get("DLMIGRATE_NO_CACHE"):
        return None
    explicit = os.environ.get("DLMIGRATE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dlmigrate"


def _stamp(path: str) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _code_files() -> tuple[str, ...]:
    here = os.path.dirname(os.path.abspath(__file__))
    tables = os.path.join(here, "kinds", "table")  # each table kind's module indexes its entries
    kinds = sorted(os.path.join(tables, name) for name in os.listdir(tables) if name.endswith(".py"))
    return (*(os.path.join(here, name) for name in ("rules.py", "model.py", "selection.py", "rulecache.py")), *kinds)


_recording: list[set[str]] = []  # the paths read by each computation in progress (nested calls)


def note(path) -> None:
    """Record that the computation in progress read this file or listed this directory."""
    if _recording:
        _recording[-1].add(str(path))


def _fresh(fingerprint) -> bool:
    return all(_stamp(name) == stamp for name, stamp in fingerprint)


def _hit(fingerprint, blob: bytes) -> Any:
    for name, _stamp_ in fingerprint:
        note(name)  # an enclosing computation depends on these too
    return pickle.loads(blob)


KEEP_ENTRIES = 32  # rule-set lists x checkouts x versions; beyond this the oldest written go


def _prune(directory: Path) -> None:
    """Keep the cache bounded: every checkout, rule-set list and version writes its own entry."""
    entries = sorted(directory.glob("rules-*.pickle"), key=lambda p: _stamp(str(p)) or (0,))
    for stale in entries[:-KEEP_ENTRIES]:
        try:
            stale.unlink()
        except OSError:
            pass


def cached(key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its stored result when nothing it read (``note``) has changed since."""
    directory = cache_dir()
    if directory is None:
        return compute()
    from migrate import __version__

    full_key = repr((_FORMAT, __version__, sys.version_info[:2], key))
    digest = f"{zlib.crc32(full_key.encode()):08x}"  # the file's name; the key stored inside is compared whole
    stored = _memory.get(full_key)
    if stored is not None and _fresh(stored[0]):
        return _hit(*stored)
    path = directory / f"rules-{digest}.pickle"
    try:
        with open(path, "rb") as handle:
            stored_key, fingerprint, blob = pickle.load(handle)
        if stored_key == full_key and _fresh(fingerprint):
            _memory[full_key] = (fingerprint, blob)
            return _hit(fingerprint, blob)
    except Exception:  # noqa: BLE001 - missing, unreadable, corrupt or from another layout: recompute
        pass
    started = time.time()
    _recording.append(set())
    try:
        value = compute()
    finally:
        reads = _recording.pop()
    for name in reads:
        note(name)
    names = sorted(reads | set(_code_files()))
    fingerprint = [(name, _stamp(name)) for name in names]
    newest = max((stamp[0] for _name, stamp in fingerprint if stamp is not None), default=0) / 1e9
    if newest > started - RACY_SECONDS:
        return value  # a file this new may change again within its mtime's granularity: do not store
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        _memory[full_key] = (fingerprint, blob)
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(temporary, "wb") as handle:
            pickle.dump((full_key, fingerprint, blob), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
        _prune(directory)
    except Exception:  # noqa: BLE001 - a read-only home, a full disk: the run goes on uncached
        try:
            temporary.unlink()
        except OSError:
            pass
    return value
