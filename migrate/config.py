"""``[tool.dlmigrate]`` in the nearest ``pyproject.toml``: what to lint and with which rules.

Keys (all optional)::

    [tool.dlmigrate]
    target = "tf2-compat"          # rule sets whose ``targets`` include this
    rulesets = ["tf2_hygiene"]     # or name them (wins over target)
    select = ["TF3", "PT1"]        # rule code prefixes; "ALL" is every code
    ignore = ["TF3005"]
    exclude = ["third_party/**", "*_pb2.py"]   # globs, relative to the config's directory

    [tool.dlmigrate.per-path-ignores]
    "tests/**" = ["TF3002"]

    [[tool.dlmigrate.overrides]]
    paths = ["legacy/**"]
    select = ["TF3101"]            # replaces select for these files
    ignore = ["TF3001"]            # adds to ignore for these files

Command-line flags override the file.  A malformed file is a usage error
(``ConfigError``), never silently ignored.
"""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

KNOWN_KEYS = {"target", "rulesets", "select", "ignore", "exclude", "per-path-ignores", "overrides"}
OVERRIDE_KEYS = {"paths", "select", "ignore"}


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Override:
    paths: tuple[str, ...]
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # the pyproject.toml it came from
    target: str | None = None
    rulesets: tuple[str, ...] | None = None
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    overrides: tuple[Override, ...] = field(default=())

    @property
    def root(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    def relative(self, file: Path) -> str | None:
        """``file`` as a POSIX path relative to the config's directory, or None if outside it."""
        try:
            return PurePosixPath(Path(file).resolve().relative_to(self.root.resolve())).as_posix()
        except ValueError:
            return None
        except (OSError, RuntimeError):  # a link that cannot be resolved (a loop): judge it by where it sits
            try:
                return PurePosixPath(Path(os.path.abspath(file)).relative_to(self.root.resolve())).as_posix()
            except ValueError:
                return None

    def is_excluded(self, file: Path) -> bool:
        relative = self.relative(file)
        candidates = [relative] if relative is not None else []
        candidates.append(Path(file).as_posix())
        return any(_glob_match(c, pattern) for c in candidates for pattern in self.exclude)

    def codes_for(self, file: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(select, ignore) for one file after the overrides that match it."""
        select, ignore = self.select, list(self.ignore)
        relative = self.relative(file)
        candidates = [relative] if relative is not None else []
        candidates.append(Path(file).as_posix())
        for override in self.overrides:
            if any(_glob_match(c, pattern) for c in candidates for pattern in override.paths):
                if override.select is not None:
                    select = override.select
                ignore.extend(override.ignore)
        return select, tuple(ignore)


def _glob_match(path: str, pattern: str) -> bool:
    """Glob on POSIX paths; ``**/`` also matches zero directories, a bare name matches at any depth."""
    pattern = pattern.strip().removeprefix("./")
    if pattern.endswith("/"):
        pattern += "**"
    if fnmatch.fnmatchcase(path, pattern):
        return True
    if pattern.startswith("**/") and fnmatch.fnmatchcase(path, pattern[3:]):
        return True
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(part, pattern) for part in PurePosixPath(path).parts)
    if pattern.endswith("/**"):
        return path.startswith(pattern[:-3] + "/") or path == pattern[:-3]
    return False


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.dlmigrate]`` table, from ``start`` upwards."""
    try:
        start = Path(start).resolve()
    except (OSError, RuntimeError):  # a symlink loop: look from where the link itself sits
        start = Path(os.path.abspath(start)).parent
    directory = start if start.is_dir() else start.parent
    for candidate in (directory, *directory.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                text = pyproject.read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigError(f"{pyproject}: cannot read: {exc.strerror or exc}") from exc
            if "dlmigrate" in text:  # cheap test before parsing every pyproject on the way up
                import tomllib  # imported only here and below: most runs read no configuration

                try:
                    data = tomllib.loads(text)
                except tomllib.TOMLDecodeError as exc:
                    raise ConfigError(f"{pyproject}: invalid TOML: {exc}") from exc
                if "dlmigrate" in data.get("tool", {}):
                    return pyproject
        if (candidate / ".git").exists():
            break  # a repository's configuration never comes from outside it
    return None


def _codes(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of rule code prefixes (strings)")
    return tuple(v.strip().upper() for v in value if v.strip())


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(value)


def parse_config(table: dict[str, Any], path: Path | None = None) -> Config:
    where = f"{path}: [tool.dlmigrate]" if path else "[tool.dlmigrate]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(KNOWN_KEYS))}")
    target = table.get("target")
    if target is not None and not isinstance(target, str):
        raise ConfigError(f"{where}.target must be a string")
    rulesets = _strings(table["rulesets"], f"{where}.rulesets") if "rulesets" in table else None
    overrides: list[Override] = []
    per_path = table.get("per-path-ignores", {})
    if not isinstance(per_path, dict):
        raise ConfigError(f"{where}.per-path-ignores must be a table of glob = [codes]")
    for pattern, codes in per_path.items():
        overrides.append(Override((pattern,), None, _codes(codes, f"{where}.per-path-ignores.{pattern!r}")))
    raw_overrides = table.get("overrides", [])
    if not isinstance(raw_overrides, list):
        raise ConfigError(f"{where}.overrides must be an array of tables ([[tool.dlmigrate.overrides]])")
    for number, raw in enumerate(raw_overrides, 1):
        here = f"{where}.overrides[{number}]"
        if not isinstance(raw, dict):
            raise ConfigError(f"{here} must be a table")
        unknown = sorted(set(raw) - OVERRIDE_KEYS)
        if unknown:
            raise ConfigError(f"{here}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(OVERRIDE_KEYS))}")
        if "paths" not in raw:
            raise ConfigError(f"{here} needs 'paths' (a list of globs)")
        overrides.append(
            Override(
                _strings(raw["paths"], f"{here}.paths"),
                _codes(raw["select"], f"{here}.select") if "select" in raw else None,
                _codes(raw.get("ignore", []), f"{here}.ignore"),
            )
        )
    return Config(
        path=path,
        target=target,
        rulesets=rulesets,
        select=_codes(table["select"], f"{where}.select") if "select" in table else ("ALL",),
        ignore=_codes(table.get("ignore", []), f"{where}.ignore"),
        exclude=_strings(table.get("exclude", []), f"{where}.exclude"),
        overrides=tuple(overrides),
    )


def load_config(start: Path | None = None, explicit: Path | None = None) -> Config:
    """The configuration for a run: ``explicit`` file, else the nearest one above ``start``."""
    path = explicit if explicit is not None else find_pyproject(start or Path.cwd())
    if path is None:
        return Config()
    import tomllib

    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    table = data.get("tool", {}).get("dlmigrate")
    if table is None:
        if explicit is not None and Path(path).name != "pyproject.toml":
            table = data  # a dedicated file (dlmigrate.toml) holds the keys at the top level
        else:
            raise ConfigError(f"{path}: no [tool.dlmigrate] table")
    return parse_config(table, Path(path))
