"""Plain result types shared by every stage: rules, findings and per-file outcomes.

Everything here is a frozen dataclass or an enum so results can cross process
boundaries (``--jobs``) and be rendered by any report without re-computation.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return ("info", "warning", "error").index(self.value)


class Safety(str, enum.Enum):
    """How far an automatic fix can be trusted.

    SAFE: behaviour is kept; applied by ``lint --fix`` and ``convert``.
    REVIEW: the rewrite is the documented replacement but behaviour may differ
    (defaults, numerics); applied by ``convert`` and marked for review.
    NONE: the rule only reports.
    """

    SAFE = "safe"
    REVIEW = "review"
    NONE = "none"


@dataclass(frozen=True)
class Example:
    before: str
    after: str | None = None  # None: the rule reports but leaves the code as it is
    also: tuple[str, ...] = ()  # other rule codes this example needs to show a working result
    # ``rules verify`` executes before and after; an example that cannot run says why
    run: bool = True
    why_not_run: str = ""
    entry: str | None = None  # the rule entry this example shows (carried by the entry itself), or None


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    ruleset: str
    kind: str
    summary: str
    explanation: str
    message: str
    fix_title: str
    safety: Safety
    severity: Severity
    examples: tuple[Example, ...] = ()
    valid: tuple[str, ...] = ()
    entry_count: int = 0
    source: str = ""  # the data file the rule came from
    # codes whose findings on the node this rule's applied fix rewrites are replaced by it (``supersedes``
    # in the rule's data: TF2008 rewrites the whole ``tf.to_float(x)``, so the rename of its callee goes)
    supersedes: tuple[str, ...] = ()

    @property
    def fixable(self) -> bool:
        return self.safety is not Safety.NONE


@dataclass(frozen=True)
class Edit:
    """Replace ``source[start:end]`` (character offsets) with ``text``; an insertion when start == end."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fix:
    """How a finding is fixed: text ``edits`` the ``ast`` matcher made exactly, or (``needs_cst``)
    a rewrite only the libcst pass can make, on the lines of the statement holding it."""

    applicability: Safety
    edits: tuple[Edit, ...] = ()
    needs_cst: bool = False


@dataclass(frozen=True)
class Finding:
    """One thing a rule saw at one place; ``fixed`` says whether the engine rewrote it."""

    code: str
    message: str
    severity: Severity
    safety: Safety
    line: int  # 1-based
    column: int  # 1-based
    fixed: bool = False
    end_line: int | None = None
    end_column: int | None = None
    # set when the finding was moved into a written file (convert --write/--out, lint --fix):
    # line/column are then in the file as written, these in the file as it was
    original_line: int | None = None
    original_column: int | None = None
    cell: int | None = None  # notebooks: 1-based code cell; line/column are then within the cell
    file_line: int | None = None  # notebooks: the line of the .ipynb file that holds ``line`` of that cell
    # the matcher's fix (``migrate.textfix``); not part of what the finding is (equality, hashing)
    fix: Fix | None = field(default=None, compare=False, repr=False)

    def where(self) -> str:
        """``line:col``, or ``cell N:line:col`` in a notebook (ruff's convention)."""
        prefix = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{prefix}{self.line}:{self.column}"

    def sort_key(self) -> tuple:
        return (self.cell or 0, self.line, self.column, self.code, self.message)


class FileStatus(str, enum.Enum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class FileResult:
    path: str
    status: FileStatus
    findings: tuple[Finding, ...] = ()
    error: str | None = None
    original: str | None = None
    rewritten: str | None = None
    # rewritten line -> original line (1-based) for lines kept or rewritten in place, filled by the
    # converter (migrate.sitemap); validation pairs outputs through it
    site_map: tuple[tuple[int, int], ...] = field(default=())

    @property
    def changed(self) -> bool:
        return self.status is FileStatus.CHANGED
