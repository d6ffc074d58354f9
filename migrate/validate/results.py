"""Validation results as values: one ``OutputResult`` per compared value, one ``ProgramResult`` per pair.

``ProgramResult.to_dict()`` is the stable JSON form (schema ``dlmigrate.validation/1``)
that reports render; the keys are documented on ``to_dict``.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

SCHEMA = "dlmigrate.validation/1"


class Verdict(str, enum.Enum):
    PASS = "PASS"
    MISMATCH = "MISMATCH"
    ERROR = "ERROR"
    TIMEOUT = "TIMEOUT"
    # outputs differ, but the ORIGINAL gives different values from run to run in exactly those outputs:
    # neither a pass nor evidence of a wrong conversion (ProgramResult.nondeterminism has the spread)
    NONDETERMINISTIC = "NONDETERMINISTIC"


@dataclass(frozen=True)
class Tolerance:
    rtol: float = 1e-5
    atol: float = 1e-5


@dataclass(frozen=True)
class OutputResult:
    """One observed value compared across the two sides."""

    name: str
    verdict: Verdict
    message: str = ""
    kind: str = ""  # session.run | global | observe | entry | input
    original_line: int | None = None
    rewritten_line: int | None = None
    original_shape: tuple[int, ...] | None = None
    rewritten_shape: tuple[int, ...] | None = None
    original_dtype: str | None = None
    rewritten_dtype: str | None = None
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    mismatch_share: float | None = None  # fraction of elements outside tolerance
    tolerance: Tolerance = Tolerance()

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "verdict": self.verdict.value,
            "message": self.message,
            "kind": self.kind,
            "original_line": self.original_line,
            "rewritten_line": self.rewritten_line,
            "shape": [_list(self.original_shape), _list(self.rewritten_shape)],
            "dtype": [self.original_dtype, self.rewritten_dtype],
            "max_abs_error": self.max_abs_error,
            "max_rel_error": self.max_rel_error,
            "mismatch_share": self.mismatch_share,
            "rtol": self.tolerance.rtol,
            "atol": self.tolerance.atol,
        }


def _list(shape):
    return None if shape is None else list(shape)


@dataclass(frozen=True)
class SideResult:
    """How one side's run went: ``status`` is ok | error | timeout | crashed | recorded."""

    role: str  # original | rewritten
    program: str
    status: str
    exit_code: int | None = None
    wall_s: float = 0.0
    framework: str = ""
    versions: tuple[tuple[str, str], ...] = ()
    device: str = ""
    error_type: str = ""
    error_message: str = ""
    traceback_tail: str = ""
    stderr_tail: str = ""
    output_count: int = 0
    notes: tuple[str, ...] = ()
    recording: str | None = None  # directory the side's outputs were written to, or read from (--against)

    def to_dict(self) -> dict:
        return {
            "role": self.role,
            "program": self.program,
            "status": self.status,
            "exit_code": self.exit_code,
            "wall_s": self.wall_s,
            "framework": self.framework,
            "versions": dict(self.versions),
            "device": self.device,
            "error": {"type": self.error_type, "message": self.error_message, "traceback_tail": self.traceback_tail}
            if self.status != "ok" and self.status != "recorded" else None,
            "stderr_tail": self.stderr_tail,
            "output_count": self.output_count,
            "notes": list(self.notes),
            "recording": self.recording,
        }


@dataclass(frozen=True)
class ProgramResult:
    """The verdict for one original/rewritten pair (or one rule example)."""

    label: str
    verdict: Verdict
    message: str
    original: SideResult
    rewritten: SideResult
    outputs: tuple[OutputResult, ...] = ()
    tolerance: Tolerance = Tolerance()
    compared: str = ""  # which observations were paired: runs, globals, observe, entry
    wall_s: float = 0.0
    # after a mismatch the original is run again: {"reruns", "varying": {output: spread}, "stable_mismatches"}
    nondeterminism: dict | None = None

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASS

    def counts(self) -> dict[str, int]:
        counts = {v.value: 0 for v in Verdict}
        for output in self.outputs:
            counts[output.verdict.value] += 1
        return counts

    def worst_output(self) -> OutputResult | None:
        order = {Verdict.ERROR: 0, Verdict.TIMEOUT: 0, Verdict.MISMATCH: 1, Verdict.NONDETERMINISTIC: 1,
                 Verdict.PASS: 2}
        return min(self.outputs, key=lambda o: (order[o.verdict], -(o.max_abs_error or 0.0)), default=None)

    def max_abs_error(self) -> float | None:
        errors = [o.max_abs_error for o in self.outputs if o.max_abs_error is not None]
        return max(errors) if errors else None

    def to_dict(self) -> dict:
        """Keys: schema, label, verdict (PASS|MISMATCH|ERROR|TIMEOUT|NONDETERMINISTIC), message, nondeterminism, compared, wall_s,
        tolerance {rtol, atol}, counts {verdict: n}, max_abs_error, sides {original, rewritten}
        (see ``SideResult.to_dict``), outputs [``OutputResult.to_dict``]."""
        return {
            "schema": SCHEMA,
            "label": self.label,
            "verdict": self.verdict.value,
            "message": self.message,
            "compared": self.compared,
            "wall_s": self.wall_s,
            "tolerance": {"rtol": self.tolerance.rtol, "atol": self.tolerance.atol},
            "counts": self.counts(),
            "max_abs_error": self.max_abs_error(),
            "sides": {"original": self.original.to_dict(), "rewritten": self.rewritten.to_dict()},
            "outputs": [o.to_dict() for o in self.outputs],
            "nondeterminism": self.nondeterminism,
        }


@dataclass(frozen=True)
class Recording:
    """One side's observations as read back from ``manifest.json`` + ``outputs.npz``."""

    manifest: dict
    arrays: dict = field(default_factory=dict)

    @property
    def outputs(self) -> list[dict]:
        return list(self.manifest.get("outputs", []))

    def value(self, entry: dict):
        return self.arrays.get(entry.get("key", ""))
