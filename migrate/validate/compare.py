"""Pair the two sides' observations and compare each pair numerically (numpy only).

Pairing (``mode="auto"``):
  * if either side used ``dlmigrate_observe`` markers, only marked values are compared, by name;
  * function mode: the generated inputs and the entry's return values;
  * if both sides called ``Session.run``: the fetched values in call order
    (the i-th call of one side against the i-th of the other), plus module globals;
  * otherwise module-level variables, by name.
A Session.run value, marker or entry result present on one side only is a
MISMATCH.  A module global on one side only is named in the note and not
compared (rewrites rename and drop intermediates) unless ``strict_globals``.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

import numpy as np

from migrate.validate.results import OutputResult, Recording, Tolerance, Verdict

MODES = ("auto", "runs", "globals", "observe", "entry", "all")


@dataclass(frozen=True)
class CompareOptions:
    tolerance: Tolerance = Tolerance()
    per_output: tuple[tuple[str, Tolerance], ...] = ()  # (fnmatch pattern on output name, tolerance)
    ignore: tuple[str, ...] = ()  # fnmatch patterns of output names not compared
    mode: str = "auto"
    strict_dtype: bool = True
    strict_globals: bool = False  # a module global present on one side only is a MISMATCH (else a note)
    site_map: tuple[tuple[int, int], ...] = field(default=())  # rewritten line -> original line

    def tolerance_for(self, name: str) -> Tolerance:
        for pattern, tolerance in self.per_output:
            if fnmatch.fnmatchcase(name, pattern):
                return tolerance
        return self.tolerance


def line_map(original: str, rewritten: str) -> tuple[tuple[int, int], ...]:
    """Rewritten line -> original line (1-based): the converter's site map, rebuilt from the two texts.

    The converter's own ``FileResult.site_map`` is used when it has one; this serves ``validate`` on
    two files, so a Session.run paired by call order can be checked to sit at the corresponding site."""
    from migrate.sitemap import site_pairs

    return site_pairs(original, rewritten)


def choose_kinds(original: Recording, rewritten: Recording, mode: str) -> tuple[str, ...]:
    kinds_a = {o["kind"] for o in original.outputs}
    kinds_b = {o["kind"] for o in rewritten.outputs}
    both, either = kinds_a & kinds_b, kinds_a | kinds_b
    if mode == "runs":
        return ("session.run",)
    if mode == "globals":
        return ("global",)
    if mode == "observe":
        return ("observe",)
    if mode == "entry":
        return ("entry", "input")
    if mode == "all":
        return ("session.run", "global", "observe", "entry", "input")
    if "observe" in either:
        return ("observe",)
    if "entry" in either:
        return ("entry", "input")
    if "session.run" in both:
        return ("session.run", "global")
    return ("global",)


def compare_recordings(original: Recording, rewritten: Recording, options: CompareOptions) -> tuple[list[OutputResult], str]:
    """Per-output results and a one-line note on how outputs were paired."""
    kinds = choose_kinds(original, rewritten, options.mode)
    note = "+".join(kinds)
    side_a = _select(original, kinds, options.ignore)
    side_b = _select(rewritten, kinds, options.ignore)
    eager = original.manifest.get("run_functions") or rewritten.manifest.get("run_functions")
    if eager and "session.run" in kinds:
        side_a, side_b = _value_runs(side_a), _value_runs(side_b)
        note += " (eager rewrite: Session.run results paired with the generated functions' results, runs " \
                "that fetch no value left out)"
    if "session.run" in kinds:
        runs_a, runs_b = original.manifest.get("session_runs", 0), rewritten.manifest.get("session_runs", 0)
        if runs_a != runs_b:
            note += f" (Session.run calls: {runs_a} original vs {runs_b} rewritten)"
    symbolic_a = set(original.manifest.get("unobservable", []))
    symbolic_b = set(rewritten.manifest.get("unobservable", []))
    site_map = dict(options.site_map)
    results: list[OutputResult] = []
    one_sided: list[str] = []
    for name in _ordered_names(side_a, side_b):
        entry_a, entry_b = side_a.get(name), side_b.get(name)
        tolerance = options.tolerance_for(name)
        if entry_a is None or entry_b is None:
            present = entry_a or entry_b
            other_symbolic = symbolic_b if entry_a is not None else symbolic_a
            where = "original" if entry_a is not None else "rewritten"
            if present["kind"] == "global" and name in other_symbolic:
                continue  # a graph tensor on the other side: no value to compare
            if present["kind"] == "global" and not options.strict_globals:
                one_sided.append(f"{name} ({where})")
                continue  # a rewrite may rename or drop intermediates; named in the note instead
            results.append(OutputResult(
                name, Verdict.MISMATCH, f"present only on the {where} side", present["kind"],
                original_line=(entry_a or {}).get("line"), rewritten_line=(entry_b or {}).get("line"),
                tolerance=tolerance))
            continue
        result = compare_entries(name, entry_a, original.value(entry_a), entry_b, rewritten.value(entry_b),
                                 tolerance, options.strict_dtype)
        line_a, line_b = entry_a.get("line"), entry_b.get("line")
        if site_map and line_b in site_map and line_a is not None and site_map[line_b] != line_a:
            result = _with_message(result, result.message + f"; note: rewritten line {line_b} maps to original "
                                   f"line {site_map[line_b]}, paired with line {line_a} by call order")
        results.append(result)
    if one_sided:
        roots = sorted({item.split("[")[0].split(".")[0].split(" ")[0] for item in one_sided})
        shown = ", ".join(roots[:8]) + (f", ... ({len(roots)} in all)" if len(roots) > 8 else "")
        note += f"; globals on one side only, not compared: {shown}"
    return results, note


def _select(recording: Recording, kinds: tuple[str, ...], ignore: tuple[str, ...]) -> dict[str, dict]:
    selected = {}
    for entry in recording.outputs:
        if entry["kind"] in kinds and not any(fnmatch.fnmatchcase(entry["name"], p) for p in ignore):
            selected.setdefault(entry["name"], entry)
    return selected


_RUN_NAME = re.compile(r"^session\.run#(\d+)(.*)$")


def _value_runs(side: dict[str, dict]) -> dict[str, dict]:
    """Session.run results renumbered over the runs that return a value, leaves by position among values.

    An eager rewrite (``--to tf2``) drops initializer runs, returns nothing for a
    training-op-only run and returns the values of ``[train_op, loss]`` without the
    op's None; what both sides computed is the sequence of fetched values.  Globals
    that the executor evaluated in a fresh graph session (initial values, not the
    program's state) are left out too."""
    runs: dict[int, list[dict]] = {}
    out: dict[str, dict] = {}
    for name, entry in side.items():
        match = _RUN_NAME.match(name) if entry["kind"] == "session.run" else None
        if match is None:
            if not entry.get("graph_initial"):
                out[name] = entry
            continue
        if entry["structure"] != "none":
            runs.setdefault(int(match.group(1)), []).append(entry)
    for number, index in enumerate(sorted(runs)):
        for position, entry in enumerate(runs[index]):
            out[f"session.run#{number}/{position}"] = entry
    return out


def _ordered_names(side_a: dict, side_b: dict) -> list[str]:
    names = list(side_a)
    names += [n for n in side_b if n not in side_a]
    return names


def _with_message(result: OutputResult, message: str) -> OutputResult:
    from dataclasses import replace

    return replace(result, message=message)


def compare_entries(name: str, entry_a: dict, value_a, entry_b: dict, value_b, tolerance: Tolerance,
                    strict_dtype: bool = True) -> OutputResult:
    base = dict(kind=entry_a["kind"], original_line=entry_a.get("line"), rewritten_line=entry_b.get("line"),
                tolerance=tolerance)
    struct_a, struct_b = entry_a["structure"], entry_b["structure"]
    if struct_a != struct_b:
        return OutputResult(name, Verdict.MISMATCH, f"structure differs: {_describe(entry_a)} vs {_describe(entry_b)}",
                            **base)
    if struct_a == "none":
        return OutputResult(name, Verdict.PASS, "None on both sides", **base)
    if struct_a == "text":
        same = entry_a.get("text") == entry_b.get("text")
        return OutputResult(name, Verdict.PASS if same else Verdict.MISMATCH,
                            "same text" if same else f"text differs: {entry_a.get('text')!r:.60} vs "
                            f"{entry_b.get('text')!r:.60}", **base)
    if struct_a == "opaque":
        return OutputResult(name, Verdict.PASS, f"not numeric ({entry_a.get('type')}); not compared", **base)
    if value_a is None or value_b is None:
        return OutputResult(name, Verdict.ERROR, "recorded value missing from outputs.npz", **base)
    base.pop("tolerance")
    return compare_arrays(name, np.asarray(value_a), np.asarray(value_b), tolerance, strict_dtype, **base)


def _describe(entry: dict) -> str:
    if entry["structure"] == "array":
        return f"array {entry.get('dtype')}{entry.get('shape')}"
    return entry["structure"]


def compare_arrays(name: str, a: np.ndarray, b: np.ndarray, tolerance: Tolerance = Tolerance(),
                   strict_dtype: bool = True, **base) -> OutputResult:
    """Shape, dtype and values of ``b`` (rewritten) against ``a`` (original, the reference)."""
    shapes = dict(original_shape=tuple(a.shape), rewritten_shape=tuple(b.shape),
                  original_dtype=str(a.dtype), rewritten_dtype=str(b.dtype))
    base["tolerance"] = tolerance
    if a.shape != b.shape:
        return OutputResult(name, Verdict.MISMATCH, f"shape differs: {a.shape} vs {b.shape}", **shapes, **base)
    numeric = a.dtype.kind in "biufc" and b.dtype.kind in "biufc"
    if not numeric:
        same = a.dtype == b.dtype and bool(np.array_equal(a, b))
        return OutputResult(name, Verdict.PASS if same else Verdict.MISMATCH,
                            "equal" if same else f"values differ ({a.dtype} vs {b.dtype})", **shapes, **base)
    exact = a.dtype.kind in "biu" and b.dtype.kind in "biu"
    if a.size == 0:
        stats = dict(max_abs_error=0.0, max_rel_error=0.0, mismatch_share=0.0)
        mismatched = 0
    elif exact:
        diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
        bad = diff != 0
        mismatched = int(bad.sum())
        stats = _stats(diff, np.abs(a.astype(np.float64)), mismatched, a.size)
    else:
        wide = np.complex128 if "c" in (a.dtype.kind, b.dtype.kind) else np.float64
        a64, b64 = a.astype(wide), b.astype(wide)
        close = np.isclose(b64, a64, rtol=tolerance.rtol, atol=tolerance.atol, equal_nan=True)
        bad = ~close
        mismatched = int(bad.sum())
        finite = np.isfinite(a64) & np.isfinite(b64)
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.where(finite, np.abs(a64 - b64), 0.0)
        stats = _stats(diff, np.abs(np.where(finite, a64, 0.0)), mismatched, a.size)
        nonfinite_bad = int((bad & ~finite).sum())
        if nonfinite_bad:
            stats["nonfinite_note"] = (f"{nonfinite_bad} element(s) NaN/Inf on one side only or with a "
                                       f"different sign")
    note = stats.pop("nonfinite_note", "")
    dtype_problem = strict_dtype and a.dtype != b.dtype
    if mismatched == 0 and not dtype_problem:
        return OutputResult(name, Verdict.PASS, "equal" if stats["max_abs_error"] == 0 else "within tolerance",
                            **shapes, **stats, **base)
    parts = []
    if dtype_problem:
        parts.append(f"dtype differs: {a.dtype} vs {b.dtype}")
    if mismatched:
        index = np.unravel_index(int(np.argmax(np.where(bad, diff, -1.0))), a.shape) if a.ndim else ()
        parts.append(f"{mismatched} of {a.size} elements differ (max abs error {stats['max_abs_error']:.3g}"
                     + (f" at {tuple(int(i) for i in index)}" if a.ndim else "") + ")")
    if note:
        parts.append(note)
    return OutputResult(name, Verdict.MISMATCH, "; ".join(parts), **shapes, **stats, **base)


def _stats(diff: np.ndarray, magnitude: np.ndarray, mismatched: int, size: int) -> dict:
    max_abs = float(diff.max()) if diff.size else 0.0
    nonzero = magnitude > 0
    # relative error is taken where the original is non-zero; atol covers the zeros
    max_rel = float((diff[nonzero] / magnitude[nonzero]).max()) if nonzero.any() else 0.0
    return dict(max_abs_error=max_abs, max_rel_error=max_rel, mismatch_share=mismatched / size if size else 0.0)
