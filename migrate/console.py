"""Terminal output for tree runs: coloured finding lines, a progress bar, a summary table.

Colour only when the stream is a terminal, never with ``NO_COLOR`` set (any
non-empty value, https://no-color.org) or ``TERM=dumb``.  The progress bar shows
only on a terminal, for more than a few files, and not with ``--quiet``.

``--quiet`` has ruff's meaning in every command: ``-q`` prints the diagnostics (finding lines,
per-file errors and warnings) and nothing else; ``-qq`` prints nothing (the exit code tells).
``rich`` is imported only when a bar or a table is drawn: lint's start-up time
matters, and most lint runs print neither.
"""
from __future__ import annotations

import os
import sys
from collections import Counter
from contextlib import contextmanager
from typing import IO, Iterable, Iterator, Mapping

from migrate.model import FileResult, FileStatus, Finding, Safety, Severity

PROGRESS_MIN_FILES = 4
SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)
_ANSI = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34", "cyan": "36", "bold red": "1;31"}
_MARK_STYLE = {"fixed": "green", "fixed, review": "bold yellow", "error": "bold red", "warning": "yellow",
               "info": "blue"}


def fix_mark(finding: Finding) -> str:
    """The change log's mark: ``fixed`` (a safe fix), ``fixed, review`` (a fix whose behaviour may differ:
    read it), or the open finding's severity."""
    if finding.fixed:
        return "fixed, review" if finding.safety is Safety.REVIEW else "fixed"
    return finding.severity.value


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 file``, ``2 files``, ``0 errors``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def color_enabled(stream: IO[str], environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR"):
        return False
    if environ.get("TERM") == "dumb":
        return False
    return is_tty(stream)


def is_tty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Console:
    """Where the log, the summary and the diff go; streams default to sys's at the moment of writing
    (so a live progress bar that redirects them sees every line)."""

    def __init__(self, *, quiet: int = 0, out: IO[str] | None = None, err: IO[str] | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        self.level = int(quiet)  # 0: everything; 1 (-q): diagnostics only; 2 (-qq): nothing
        self.quiet = self.level >= 1
        self._out, self._err = out, err
        self.environ = os.environ if environ is None else environ
        self.color = color_enabled(self.err, self.environ)

    @property
    def out(self) -> IO[str]:
        return self._out or sys.stdout

    @property
    def err(self) -> IO[str]:
        return self._err or sys.stderr

    def paint(self, text: str, style: str) -> str:
        if not self.color or style not in _ANSI:
            return text
        return f"\x1b[{_ANSI[style]}m{text}\x1b[0m"

    # -- lines

    def diff(self, text: str) -> None:
        if not text:
            return
        if color_enabled(self.out, self.environ):  # like git: coloured on a terminal, plain when piped
            text = "".join(_diff_line(line) for line in text.splitlines(keepends=True))
        self.out.write(text)
        self.out.flush()

    def error(self, message: str) -> None:
        if self.level >= 2:
            return
        self.err.write(f"{self.paint('dlmigrate: error:', 'bold red')} {message}\n")

    def warning(self, message: str) -> None:
        if self.level >= 2:
            return
        self.err.write(f"{self.paint('dlmigrate: warning:', 'yellow')} {message}\n")

    def finding(self, path: str, finding: Finding) -> None:
        if self.level >= 2:
            return
        mark = fix_mark(finding)
        self.err.write(
            f"{self.paint(f'{path}:{finding.where()}:', 'bold')} {self.paint(finding.code, 'cyan')} "
            f"{self.paint(f'[{mark}]', _MARK_STYLE[mark])} {finding.message}\n"
        )

    def result(self, result: FileResult, *, show_diff: bool, diff_text: str = "") -> None:
        """One file's outcome: its diff to stdout, its findings (or its error) to stderr."""
        if result.status is FileStatus.FAILED:
            self.error(result.error or f"{result.path}: failed")
            return
        if result.status is FileStatus.SKIPPED and result.error:  # e.g. a symlink out of the tree
            self.warning(result.error)
            return
        if show_diff and result.changed:
            self.diff(diff_text)
        for finding in result.findings:
            self.finding(result.path, finding)

    # -- progress

    @contextmanager
    def progress(self, total: int, label: str = "converting") -> Iterator["_Progress"]:
        if self.quiet or total < PROGRESS_MIN_FILES or not is_tty(self.err) or self.environ.get("TERM") == "dumb":
            yield _Progress(None, None)
            return
        from rich.console import Console as RichConsole
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        console = RichConsole(file=self.err, no_color=not self.color, highlight=False)
        bar = Progress(
            SpinnerColumn(),
            TextColumn(label),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files"),
            _rate_column(),
            TimeElapsedColumn(),
            TextColumn("[dim]{task.fields[current]}", justify="left"),
            console=console,
            transient=True,
            # A diff piped to a file must stay out of the terminal; on the same terminal it prints above the bar.
            redirect_stdout=is_tty(self.out),
            redirect_stderr=True,
        )
        task = bar.add_task(label, total=total, current="")
        with bar:
            yield _Progress(bar, task)

    # -- summary

    def summary(self, results: list[FileResult], command: str = "convert", rules: Mapping[str, object] | None = None) -> None:
        """The per-rule table (unless quiet) and the one-line totals; ``rules`` (code -> Rule) names the rules."""
        if self.quiet:
            return
        by_rule = _by_rule(results)
        if by_rule:
            self._table(by_rule, results, command, rules or {})
        self.err.write(self.paint(summary_line(results), "bold") + "\n")
        self.err.flush()

    def _table(self, by_rule: dict[str, "_RuleCounts"], results: list[FileResult], command: str, rules: Mapping[str, object]) -> None:
        from rich import box
        from rich.console import Console as RichConsole
        from rich.table import Table

        console = RichConsole(
            file=self.err,
            no_color=not self.color,
            color_system="auto" if self.color else None,
            force_terminal=self.color,
            highlight=False,
        )
        table = Table(title=f"dlmigrate {command}: findings by rule",
                      caption="fixed: safe rewrite; review: rewritten, behaviour may differ (read it); "
                      "error, warning, info: left open", caption_justify="left",
                      box=box.SIMPLE_HEAD, show_footer=True, title_justify="left",
                      )
        total = _RuleCounts()
        for counts in by_rule.values():
            total.add(counts)
        if console.width < 56:  # too narrow for the table's columns: one line per rule, nothing cut
            self._narrow_table(by_rule, total, command)
            return
        # a narrow terminal drops the name column rather than cutting a rule code or a count
        with_name = console.width >= 72
        table.add_column("rule", "total", style="cyan", no_wrap=True, min_width=6)
        if with_name:
            table.add_column("name", overflow="ellipsis", no_wrap=True, max_width=32)
        numbers = [("fixed", total.fixed - total.review, "green"), ("review", total.review, "yellow")]
        numbers += [(severity.value, total.open[severity], style)
                    for severity, style in zip(SEVERITY_ORDER, ("red", "yellow", "blue"))]
        for header, footer, style in numbers:
            table.add_column(header, str(footer), justify="right", style=style, no_wrap=True, min_width=len(header))
        for code, counts in by_rule.items():
            name = getattr(rules.get(code), "name", "") or counts.example
            cells = [_blank(counts.fixed - counts.review), _blank(counts.review),
                     *(_blank(counts.open[s]) for s in SEVERITY_ORDER)]
            table.add_row(code, *([name] if with_name else []), *cells)
        console.print(table)


    def _narrow_table(self, by_rule: dict[str, "_RuleCounts"], total: "_RuleCounts", command: str) -> None:
        def parts(counts: "_RuleCounts", every: bool = False) -> str:
            values = [("fixed", counts.fixed - counts.review), ("review", counts.review)]
            values += [(s.value, counts.open[s]) for s in SEVERITY_ORDER]
            return ", ".join(f"{name} {value}" for name, value in values if value or every)

        self.err.write(self.paint(f"dlmigrate {command}: findings by rule", "bold") + "\n")
        for code, counts in by_rule.items():
            self.err.write(f"  {self.paint(code, 'cyan')}  {parts(counts)}\n")
        self.err.write(f"  total   {parts(total, every=True)}\n")


def _diff_line(line: str) -> str:
    body = line.rstrip("\n")
    ending = line[len(body):]
    if line.startswith(("+++", "---")):
        return f"\x1b[1m{body}\x1b[0m{ending}"
    if line.startswith("@@"):
        return f"\x1b[36m{body}\x1b[0m{ending}"
    if line.startswith("+"):
        return f"\x1b[32m{body}\x1b[0m{ending}"
    if line.startswith("-"):
        return f"\x1b[31m{body}\x1b[0m{ending}"
    return line


class _Progress:
    def __init__(self, bar, task) -> None:
        self._bar, self._task = bar, task

    def advance(self, current: str = "") -> None:
        if self._bar is not None:
            self._bar.update(self._task, advance=1, current=_shorten(current, 40))


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1):]


def _rate_column():
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:.1f} files/s" if speed else "– files/s", style="dim")

    return RateColumn()


class _RuleCounts:
    def __init__(self) -> None:
        self.fixed = 0
        self.review = 0  # of the fixed, those marked review
        self.open: Counter[Severity] = Counter()
        self.example = ""

    def add(self, other: "_RuleCounts") -> None:
        self.fixed += other.fixed
        self.review += other.review
        self.open.update(other.open)


def _by_rule(results: Iterable[FileResult]) -> dict[str, _RuleCounts]:
    counts: dict[str, _RuleCounts] = {}
    for result in results:
        for finding in result.findings:
            entry = counts.setdefault(finding.code, _RuleCounts())
            if finding.fixed:
                entry.fixed += 1
                entry.review += finding.safety is Safety.REVIEW
            else:
                entry.open[finding.severity] += 1
            if not entry.example:
                entry.example = finding.message
    return dict(sorted(counts.items()))


def _blank(number: int) -> str:
    return str(number) if number else ""


def summary_line(results: list[FileResult]) -> str:
    """``3 files: 2 changed, 1 unchanged, 0 failed; 5 edits (4 safe, 1 to review); findings: 0 errors, 2 warnings, 1 info``."""
    statuses = Counter(r.status for r in results)
    open_findings = Counter(f.severity for r in results for f in r.findings if not f.fixed)
    fixed = [f for r in results for f in r.findings if f.fixed]
    review = sum(1 for f in fixed if f.safety is Safety.REVIEW)
    links = sum(1 for r in results if r.status is FileStatus.SKIPPED and r.error)
    edits = plural(len(fixed), "edit")
    if fixed:
        edits += f" ({len(fixed) - review} safe, {review} to review)"
    return (
        f"{plural(len(results) - links, 'file')}: {statuses[FileStatus.CHANGED]} changed, "
        f"{statuses[FileStatus.UNCHANGED] + statuses[FileStatus.SKIPPED] - links} unchanged, "
        f"{statuses[FileStatus.FAILED]} failed" + (f", {links} skipped" if links else "") + f"; {edits}; findings: "
        + ", ".join(plural(open_findings[s], s.value) if s is not Severity.INFO else f"{open_findings[s]} info"
                    for s in SEVERITY_ORDER)
    )
