"""Plain-text rendering of validation results (the command prints these; other reports use ``to_dict``)."""
from __future__ import annotations

from migrate.validate.results import OutputResult, ProgramResult, Verdict


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _site(output: OutputResult) -> str:
    if output.original_line is None and output.rewritten_line is None:
        return ""
    if output.original_line == output.rewritten_line:
        return f"L{output.original_line}"
    return f"L{output.original_line or '?'}->L{output.rewritten_line or '?'}"


def output_table(result: ProgramResult, show_all: bool = False, limit: int = 40) -> str:
    rows = [o for o in result.outputs if show_all or o.verdict is not Verdict.PASS]
    header = f"{'output':<28} {'site':<10} {'verdict':<9} {'max abs':>9} {'max rel':>9} {'differ':>7}  detail"
    lines = [header, "-" * len(header)]
    for output in rows[:limit]:
        lines.append(f"{output.name[:28]:<28} {_site(output):<10} {output.verdict.value:<9} "
                     f"{_number(output.max_abs_error):>9} {_number(output.max_rel_error):>9} "
                     f"{_share(output.mismatch_share):>7}  {output.message}")
    if len(rows) > limit:
        lines.append(f"... {len(rows) - limit} more")
    return "\n".join(lines) if rows else ""


def side_problem(result: ProgramResult) -> str:
    parts = []
    for side in (result.original, result.rewritten):
        if side.status in ("ok", "recorded"):
            continue
        parts.append(f"[{side.role}: {side.status}] {side.error_message}")
        if side.traceback_tail:
            parts.append("  " + "\n  ".join(side.traceback_tail.splitlines()[-8:]))
        elif side.stderr_tail.strip():
            parts.append("  stderr: " + "\n  ".join(side.stderr_tail.strip().splitlines()[-8:]))
    return "\n".join(parts)


def verdict_table(results: list[ProgramResult]) -> str:
    """One row per program pair: the summary ``make demo`` and ``convert --validate`` end with."""
    width = max([9] + [len(r.verdict.value) for r in results])  # NONDETERMINISTIC is wider than the rest
    header = f"{'program':<48} {'verdict':<{width}} {'outputs':>7} {'passed':>6} {'max abs err':>11} {'device':<6}"
    lines = [header, "-" * len(header)]
    for result in results:
        counts = result.counts()
        device = result.rewritten.device or result.original.device or "-"
        lines.append(f"{_clip(result.label, 48):<48} {result.verdict.value:<{width}} {len(result.outputs):>7} "
                     f"{counts['PASS']:>6} {_number(result.max_abs_error()):>11} {device:<6}")
    passed = sum(r.passed for r in results)
    line = f"{passed} of {len(results)} program{'s' * (len(results) != 1)} passed"
    unsure = sum(r.verdict.value == "NONDETERMINISTIC" for r in results)
    if unsure:
        line += f"; {unsure} with a nondeterministic original (not a mismatch: its own runs differ)"
    lines.append(line)
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else "..." + text[-(width - 3):]


def program_report(result: ProgramResult, show_all: bool = False) -> str:
    lines = [f"{result.verdict.value}: {result.label}", f"  {result.message}"]
    if result.compared:
        lines.append(f"  compared: {result.compared}; rtol={result.tolerance.rtol:g} atol={result.tolerance.atol:g}")
    problem = side_problem(result)
    if problem:
        lines.append(problem)
    table = output_table(result, show_all)
    if table:
        lines.append(table)
    return "\n".join(lines)
