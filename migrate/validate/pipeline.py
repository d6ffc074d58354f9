"""Validation end to end: run the sides, pair their observations, decide the verdicts."""
from __future__ import annotations

import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from migrate.validate.compare import CompareOptions, compare_recordings, line_map
from migrate.validate.results import OutputResult, ProgramResult, Recording, SideResult, Verdict
from migrate.validate.runner import Limits, SideSpec, read_recording, run_side, side_from_recording


@dataclass(frozen=True)
class ValidateOptions:
    limits: Limits = Limits()
    compare: CompareOptions = CompareOptions()
    seed: int = 0
    device: str = "auto"
    python_original: str | None = None
    python_rewritten: str | None = None
    entry: str = ""
    inputs: str = ""
    batch_size: int = 4
    # record the original's initial variables and load them into the rewritten side; a path: a Keras->torch
    # weight manifest that says which torch parameter each Keras variable becomes
    share_init: bool | str | Path = False
    tf1_shim_original: str = "auto"
    tf1_shim_rewritten: str = "auto"
    random_tool: str = ""
    record_dir: Path | None = None
    sys_path: tuple[str, ...] = field(default=())
    # after a MISMATCH, run the original this many more times: outputs that vary between runs of the
    # original itself make the verdict NONDETERMINISTIC (with the spread), not MISMATCH
    reruns: int = 2
    # which Keras each side runs on (``runner.KERAS_CHOICES``): "per-program" ignores the caller's
    # TF_USE_LEGACY_KERAS, as on a user's machine (tf-keras for the TF1 original, Keras 3 for an eager rewrite)
    keras: str = "inherit"

    def spec(self, role: str, program: Path, **extra) -> SideSpec:
        import sys

        python = (self.python_original if role == "original" else self.python_rewritten) or sys.executable
        shim = self.tf1_shim_original if role == "original" else self.tf1_shim_rewritten
        return SideSpec(role, Path(program), python=python, seed=self.seed, device=self.device, tf1_shim=shim,
                        entry=self.entry, inputs=self.inputs, batch_size=self.batch_size,
                        random_tool=self.random_tool, sys_path=self.sys_path, keras=self.keras, **extra)


def placeholder_inputs(program: Path, batch_size: int) -> str:
    """An input spec from the program's ``tf.placeholder`` declarations (None dimensions -> ``batch_size``)."""
    from migrate.validate.executor import scan_program

    try:
        source = program.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    parts = []
    for spec in scan_program(source)["placeholders"]:
        shape = ",".join(str(batch_size if d is None else d) for d in (spec["shape"] or []))
        parts.append(f"{spec['name']}:{spec['dtype']}[{shape}]")
    return ";".join(parts)


def _with_entry_inputs(program: Path, options: ValidateOptions) -> ValidateOptions:
    # both sides must get the same inputs, so the spec comes from the ORIGINAL's declarations
    if options.entry and not options.inputs and program.is_file():
        spec = placeholder_inputs(program, options.batch_size)
        if spec:
            return replace(options, inputs=spec)
    return options


def validate_pair(original: Path, rewritten: Path, options: ValidateOptions, label: str | None = None) -> ProgramResult:
    """Run both programs (concurrently unless initial values are shared) and compare them.

    A Jupyter notebook (``.ipynb``) runs as its code cells in order; IPython magics and shell lines
    are set aside and named in the side's notes."""
    label = label or f"{original} -> {rewritten}"
    if Path(original).suffix == ".ipynb" or Path(rewritten).suffix == ".ipynb":
        with tempfile.TemporaryDirectory(prefix="dlmigrate-notebook-") as scratch:
            script_a, aside_a = _as_script(Path(original), Path(scratch) / "original")
            script_b, aside_b = _as_script(Path(rewritten), Path(scratch) / "rewritten")
            result = validate_pair(script_a, script_b, options, label)
        return replace(result, original=_with_notes(result.original, aside_a),
                       rewritten=_with_notes(result.rewritten, aside_b))
    return _validate_scripts(original, rewritten, options, label)


def _as_script(program: Path, folder: Path) -> tuple[Path, list[str]]:
    """``program`` itself, or for a notebook a script of its code cells written into ``folder``."""
    if program.suffix != ".ipynb":
        return program, []
    from migrate.notebook import NotebookError, notebook_script

    folder.mkdir(parents=True, exist_ok=True)
    script = folder / (program.stem + ".py")
    try:
        text, aside = notebook_script(program.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, NotebookError) as exc:
        text, aside = f"raise SystemExit({f'cannot read notebook {program}: {exc}'!r})\n", []
    script.write_text(text, encoding="utf-8")
    return script, aside


def _with_notes(side: SideResult, set_aside: list[str]) -> SideResult:
    if not set_aside:
        return side
    note = f"notebook: {len(set_aside)} IPython line{'s' * (len(set_aside) != 1)} set aside, not run: " \
           + "; ".join(set_aside)
    return replace(side, notes=tuple(side.notes) + (note,))


def _validate_scripts(original: Path, rewritten: Path, options: ValidateOptions, label: str) -> ProgramResult:
    started = time.perf_counter()
    options = _with_entry_inputs(Path(original), options)
    if not options.compare.site_map and Path(original).is_file() and Path(rewritten).is_file():
        try:
            sites = line_map(Path(original).read_text(encoding="utf-8"), Path(rewritten).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            sites = ()
        options = replace(options, compare=replace(options.compare, site_map=sites))
    record = options.record_dir
    out_a = record / "original" if record else None
    out_b = record / "rewritten" if record else None
    scratch = Path(tempfile.mkdtemp(prefix="dlmigrate-init-")) if options.share_init else None
    if scratch is not None and not isinstance(options.share_init, bool):
        shutil.copyfile(options.share_init, scratch / "weights_manifest.json")
    try:
        spec_a = options.spec("original", original, init_save=scratch)
        spec_b = options.spec("rewritten", rewritten, init_load=scratch)
        if scratch is not None and not isinstance(options.share_init, bool):  # a Keras 3 -> torch conversion
            spec_a, spec_b = replace(spec_a, keras="keras3"), replace(spec_b, keras="keras3")
        if options.share_init:
            side_a, rec_a = run_side(spec_a, options.limits, out_a)
            if side_a.status != "ok":
                spec_b = replace(spec_b, init_load=None)
            side_b, rec_b = run_side(spec_b, options.limits, out_b)
        else:
            with ThreadPoolExecutor(max_workers=2) as pool:
                future_a = pool.submit(run_side, spec_a, options.limits, out_a)
                future_b = pool.submit(run_side, spec_b, options.limits, out_b)
                (side_a, rec_a), (side_b, rec_b) = future_a.result(), future_b.result()
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    result = judge(label, side_a, rec_a, side_b, rec_b, options.compare)
    if result.verdict is Verdict.MISMATCH and options.reruns > 0:
        result = check_original_determinism(result, rec_a, replace(spec_a, init_save=None), options)
    return replace(result, wall_s=round(time.perf_counter() - started, 3))


def check_original_determinism(result: ProgramResult, rec_a: Recording, spec_a: SideSpec,
                               options: ValidateOptions) -> ProgramResult:
    """Run the original ``options.reruns`` more times and compare each run with the first.

    When every output that differs between original and rewritten also varies between runs of the
    original, the verdict is NONDETERMINISTIC: the program cannot be validated by comparing one run of
    each side, and the message gives the original's own spread.  A mismatch in an output that the
    original reproduces exactly stays a MISMATCH."""
    same_program = replace(options.compare, site_map=())
    varying: dict[str, float] = {}
    runs = 0
    for _ in range(options.reruns):
        side, rec = run_side(spec_a, options.limits, None)
        if side.status != "ok" or not rec.manifest:
            break  # a rerun that fails says nothing about the values
        runs += 1
        outputs, _how = compare_recordings(rec_a, rec, same_program)
        for output in outputs:
            if output.verdict is not Verdict.PASS:
                spread = output.max_abs_error if output.max_abs_error is not None else float("inf")
                varying[output.name] = max(varying.get(output.name, 0.0), spread)
    if not runs:
        return result
    mismatched = [o for o in result.outputs if o.verdict is not Verdict.PASS]
    stable = [o.name for o in mismatched if o.name not in varying]
    info = {"reruns": runs, "varying": dict(sorted(varying.items())), "stable_mismatches": stable}
    if not varying:
        return replace(result, nondeterminism=info,
                       message=result.message + f"; the original gave the same values in {runs} more runs")
    name, spread = max(varying.items(), key=lambda item: item[1])
    spread_text = f"{len(varying)} output{'s' * (len(varying) != 1)} vary between {runs + 1} runs of the original " \
                  f"(largest spread {spread:.3g} in {name})"
    if stable:
        return replace(result, nondeterminism=info, message=result.message + f"; note: {spread_text}, but "
                       f"{len(stable)} differing output{'s' * (len(stable) != 1)} do not vary "
                       f"(first: {stable[0]})")
    worst = result.max_abs_error()
    message = (f"original is nondeterministic: {spread_text}; all {len(mismatched)} differing outputs are among "
               f"them" + (f" (rewritten differs by up to {worst:.3g})" if worst is not None else ""))
    return replace(result, verdict=Verdict.NONDETERMINISTIC, message=message, nondeterminism=info)


def validate_against(program: Path, recording_dir: Path, options: ValidateOptions, label: str | None = None) -> ProgramResult:
    """Run ``program`` and compare it with a recording made earlier (possibly on another machine)."""
    started = time.perf_counter()
    reference = read_recording(recording_dir)
    side_a = side_from_recording("original", reference,
                                 "recorded" if reference.manifest.get("status") == "ok" else "error", str(recording_dir))
    if not options.entry and reference.manifest.get("entry"):
        options = replace(options, entry=reference.manifest["entry"])
    if not options.inputs and reference.manifest.get("inputs"):
        options = replace(options, inputs=reference.manifest["inputs"])
    init = recording_dir if options.share_init and (recording_dir / "variables.json").is_file() else None
    # the recording's seed, so generated inputs and seeded randomness match the recorded run
    spec_b = replace(options.spec("rewritten", program, init_load=init),
                     seed=reference.manifest.get("seed", options.seed))
    side_b, rec_b = run_side(spec_b, options.limits, options.record_dir)
    result = judge(label or f"{recording_dir} (recorded) -> {program}", side_a, reference, side_b, rec_b,
                   options.compare)
    return replace(result, wall_s=round(time.perf_counter() - started, 3))


def record_only(program: Path, options: ValidateOptions) -> SideResult:
    """Run one program and keep its outputs (and, with ``share_init``, its initial variables) in ``record_dir``."""
    options = _with_entry_inputs(Path(program), options)
    spec = options.spec("original", program, init_save=options.record_dir if options.share_init else None)
    side, _ = run_side(spec, options.limits, options.record_dir)
    return side


def judge(label: str, side_a: SideResult, rec_a: Recording, side_b: SideResult, rec_b: Recording,
          compare: CompareOptions) -> ProgramResult:
    outputs: list[OutputResult] = []
    how = ""
    if rec_a.manifest and rec_b.manifest:
        outputs, how = compare_recordings(rec_a, rec_b, compare)
    verdict, message = _program_verdict(side_a, side_b, outputs, rec_a, rec_b)
    if "not compared" in how and verdict is not Verdict.PASS:
        message += "; " + how.split("; ", 1)[1]
    return ProgramResult(label, verdict, message, side_a, side_b, tuple(outputs), compare.tolerance, how)


def _side_ok(side: SideResult) -> bool:
    return side.status in ("ok", "recorded")


def _program_verdict(side_a: SideResult, side_b: SideResult, outputs: list[OutputResult],
                     rec_a: Recording, rec_b: Recording) -> tuple[Verdict, str]:
    for side in (side_a, side_b):
        if side.status == "timeout":
            return Verdict.TIMEOUT, f"{side.role} side: {side.error_message}"
    failed = [s for s in (side_a, side_b) if not _side_ok(s)]
    if failed:
        return Verdict.ERROR, "; ".join(f"{s.role} side failed: {s.error_message}" for s in failed)
    dropped = [f"{r} side stored only the first values ({n} more not kept)"
               for r, n in (("original", rec_a.manifest.get("dropped_outputs", 0)),
                            ("rewritten", rec_b.manifest.get("dropped_outputs", 0))) if n]
    if not outputs:
        return Verdict.ERROR, ("nothing to compare: the two sides share no observable value (no Session.run, "
                               "no numeric module global of the same name, no dlmigrate_observe marker)")
    bad = [o for o in outputs if o.verdict is not Verdict.PASS]
    if bad:
        worst = max(bad, key=lambda o: o.max_abs_error or 0.0)
        message = f"{len(bad)} of {len(outputs)} outputs differ; first: {bad[0].name}: {bad[0].message}"
        if worst is not bad[0] and worst.max_abs_error:
            message += f"; largest error {worst.max_abs_error:.3g} in {worst.name}"
        return Verdict.MISMATCH, "; ".join([message] + dropped)
    return Verdict.PASS, "; ".join([f"{len(outputs)} outputs agree"] + dropped)
