"""Review reports: one document (``document.build_document``) rendered as JSON, Markdown, HTML or SARIF.

The format follows the file extension.  Commands call ``check_report_path``
before doing any work, so a typo in ``--report`` costs nothing.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Mapping


def __getattr__(name: str):
    # The document builder pulls in difflib; `lint` registers --report at every start-up, so load it on use.
    if name in ("SCHEMA", "build_document"):
        from migrate.report import document

        return getattr(document, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "FORMATS", "ReportError", "SCHEMA", "add_report_argument", "build_document", "check_report_path", "render",
    "report_results", "write_report",
]

# extension -> module in this package with a ``render(document) -> str``
FORMATS = {".json": "json", ".md": "markdown", ".html": "html", ".sarif": "sarif"}


class ReportError(Exception):
    """The report cannot be written (unknown format, missing directory); the message says why."""


def check_report_path(path: Path | str) -> Path:
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise ReportError(f"cannot tell the report format of {str(path)!r}: use one of the extensions {known}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise ReportError(f"cannot write report {str(path)!r}: directory {str(parent)!r} does not exist")
    if path.is_dir():
        raise ReportError(f"cannot write report {str(path)!r}: it is a directory")
    return path


def render(document: Mapping[str, Any], fmt: str) -> str:
    """``fmt`` is an extension (".md") or a module name ("markdown")."""
    module = FORMATS.get(fmt.lower(), fmt.lower())
    if module not in FORMATS.values():
        raise ReportError(f"unknown report format {fmt!r}")
    return importlib.import_module(f"migrate.report.{module}").render(document)


def write_report(path: Path | str, document: Mapping[str, Any]) -> Path:
    path = check_report_path(path)
    text = render(document, path.suffix)
    # A report is not a user's source file, but a half-written one is still worse than the old one.
    from migrate.sources import SourceError, atomic_write

    try:
        atomic_write(path, text.encode("utf-8"))
    except SourceError as exc:
        raise ReportError(f"cannot write report: {exc}") from exc
    except OSError as exc:
        raise ReportError(f"cannot write report {str(path)!r}: {exc.strerror or exc}") from exc
    return path


# -- what a command needs: the flag, the early check, and the write


def add_report_argument(parser) -> None:
    parser.add_argument(
        "--report",
        type=Path,
        metavar="FILE",
        help="also write a review report; the extension picks the format: .md (pull-request comment), "
        ".html (self-contained page), .json (machine-readable), .sarif (code scanning)",
    )


def report_results(
    path: Path | str, results, rules, *, command: str, target: str | None = None,
    validation: Mapping[str, Any] | None = None, fix_base: str = "original",
) -> str | None:
    """Build the document from FileResults and write it; the error message, or None when written."""
    from migrate.report.document import build_document

    try:
        write_report(path, build_document(results, rules, command=command, target=target, validation=validation,
                                          fix_base=fix_base))
    except ReportError as exc:
        return str(exc)
    return None
