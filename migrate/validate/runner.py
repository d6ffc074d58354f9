"""Run one side of a validation in its own subprocess, under limits, and read back what it recorded.

Each side gets its own interpreter (so TensorFlow and PyTorch may live in
different environments), a fresh temporary working directory, no standard
input, a wall-clock timeout after which its whole process group is killed (so
forked children die too), and a memory cap (RLIMIT_AS on CPU, RLIMIT_DATA on
CUDA, where the driver reserves large address ranges) applied by the executor
before the program starts.  Standard output and error go to files, so a
program that prints megabytes cannot block on a pipe; only their tails are kept.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from migrate.validate.results import Recording, SideResult

EXECUTOR = Path(__file__).resolve().parent / "executor.py"
TAIL_BYTES = 4000


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 120.0
    memory_bytes: int | None = 8 * 2**30
    max_file_bytes: int = 2 * 2**30


@dataclass(frozen=True)
class SideSpec:
    role: str  # original | rewritten
    program: Path
    python: str = sys.executable
    seed: int = 0
    device: str = "auto"
    tf1_shim: str = "auto"
    entry: str = ""
    inputs: str = ""
    batch_size: int = 4
    init_save: Path | None = None
    init_load: Path | None = None
    random_tool: str = ""
    sys_path: tuple[str, ...] = ()
    program_args: tuple[str, ...] = field(default=())
    # which Keras the program gets (TF_USE_LEGACY_KERAS in its environment), one of KERAS_CHOICES
    keras: str = "inherit"

    def command(self, out_dir: Path, limits: Limits) -> list[str]:
        # the child runs in a fresh temporary directory: every path it gets must be absolute
        command = [self.python, str(EXECUTOR), "--program", str(Path(self.program).resolve()),
                   "--out", str(Path(out_dir).resolve()),
                   "--seed", str(self.seed), "--device", self.device, "--tf1-shim", self.tf1_shim,
                   "--batch-size", str(self.batch_size), "--max-file-bytes", str(limits.max_file_bytes),
                   "--isolate"]
        if limits.memory_bytes:
            command += ["--max-memory", str(limits.memory_bytes)]
        if self.entry:
            command += ["--entry", self.entry]
        if self.inputs:
            command += ["--inputs", self.inputs]
        if self.init_save:
            command += ["--init-save", str(Path(self.init_save).resolve())]
        if self.init_load:
            command += ["--init-load", str(Path(self.init_load).resolve())]
        if self.random_tool:
            command += ["--random-tool", self.random_tool]
        for extra in self.sys_path:
            command += ["--sys-path", str(Path(extra).resolve())]
        if self.program_args:
            command += ["--", *self.program_args]
        return command


# "inherit": the caller's TF_USE_LEGACY_KERAS where set, else the executor's choice per program (tf-keras for
# TF1 code, Keras 3 for an eager ``--to tf2`` rewrite); "per-program": the executor's choice even where the
# caller set one (what a user's machine does); "keras3": Keras 3 (Keras -> torch programs with a weight manifest)
KERAS_CHOICES = ("inherit", "per-program", "keras3")


def child_environment(seed: int, device: str, keras: str = "inherit") -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYTHONHASHSEED=str(seed), PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1",
               TF_CPP_MIN_LOG_LEVEL="3", TF_DETERMINISTIC_OPS="1",
               CUBLAS_WORKSPACE_CONFIG=":4096:8", NVIDIA_TF32_OVERRIDE="0")
    if device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""
    if keras not in KERAS_CHOICES:
        raise ValueError(f"keras must be one of {', '.join(KERAS_CHOICES)}; got {keras!r}")
    if keras == "per-program":
        env.pop("TF_USE_LEGACY_KERAS", None)
    elif keras == "keras3":
        env["TF_USE_LEGACY_KERAS"] = "0"
    return env


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - TAIL_BYTES))
            data = handle.read()
    except OSError:
        return ""
    text = data.decode("utf-8", "replace")
    return ("[...]" + text) if size > TAIL_BYTES else text


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def read_recording(directory: Path) -> Recording:
    """A side's recording; raises ``ValueError`` with a readable message when it is not one."""
    manifest_path = directory / "manifest.json"
    if not manifest_path.is_file() and (directory / "original" / "manifest.json").is_file():
        directory = directory / "original"
        manifest_path = directory / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{directory}: not a dlmigrate recording (manifest.json: {exc})") from exc
    arrays = {}
    npz = directory / "outputs.npz"
    if npz.is_file():
        with np.load(npz, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    return Recording(manifest, arrays)


def side_from_recording(role: str, recording: Recording, status: str, directory: str | None,
                        exit_code: int | None = None, wall_s: float = 0.0, stderr_tail: str = "") -> SideResult:
    manifest = recording.manifest
    error = manifest.get("error") or {}
    return SideResult(
        role=role, program=manifest.get("program", ""), status=status, exit_code=exit_code, wall_s=wall_s,
        framework=manifest.get("framework", ""), versions=tuple(sorted(manifest.get("versions", {}).items())),
        device=manifest.get("device", ""), error_type=error.get("type", ""), error_message=error.get("message", ""),
        traceback_tail=error.get("traceback", ""), stderr_tail=stderr_tail,
        output_count=len(manifest.get("outputs", [])), notes=tuple(manifest.get("notes", [])), recording=directory,
    )


def run_side(spec: SideSpec, limits: Limits, out_dir: Path | None = None) -> tuple[SideResult, Recording]:
    """Run ``spec`` to completion (or its timeout); never raises for anything the program does."""
    work = Path(tempfile.mkdtemp(prefix=f"dlmigrate-{spec.role}-"))
    cwd = work / "cwd"
    cwd.mkdir()
    out = out_dir or (work / "out")
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("manifest.json", "outputs.npz"):
        (out / stale).unlink(missing_ok=True)
    stdout_path, stderr_path = work / "stdout.txt", work / "stderr.txt"
    started = time.perf_counter()
    timed_out = False
    try:
        with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
            process = subprocess.Popen(
                spec.command(out, limits), cwd=cwd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                env=child_environment(spec.seed, spec.device, spec.keras), start_new_session=True,
            )
            try:
                process.wait(timeout=limits.timeout_s)
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill_group(process.pid)
                process.wait()
            _kill_group(process.pid)  # forked children left behind by a finished program
    except OSError as exc:
        result = SideResult(spec.role, str(spec.program), "error", error_type="OSError",
                            error_message=f"cannot start {spec.python}: {exc}")
        return result, Recording({})
    wall = round(time.perf_counter() - started, 3)
    try:
        return _collect(spec, limits, out, out_dir, process.returncode, timed_out, wall, _tail(stderr_path))
    finally:
        shutil.rmtree(work, ignore_errors=True)  # recordings are read into memory; --record dirs live elsewhere


def _collect(spec: SideSpec, limits: Limits, out: Path, out_dir: Path | None, exit_code: int | None,
             timed_out: bool, wall: float, stderr_tail: str) -> tuple[SideResult, Recording]:
    if timed_out:
        result = SideResult(spec.role, str(spec.program), "timeout", exit_code, wall,
                            error_type="Timeout", error_message=f"no result after {limits.timeout_s:g} s; "
                            "its process group was killed", stderr_tail=stderr_tail)
        return result, _partial(out)
    try:
        recording = read_recording(out)
    except ValueError:
        result = SideResult(spec.role, str(spec.program), "crashed", exit_code, wall, error_type="Crash",
                            error_message=_crash_message(exit_code, limits, stderr_tail), stderr_tail=stderr_tail)
        return result, Recording({})
    status = "ok" if recording.manifest.get("status") == "ok" else "error"
    result = side_from_recording(spec.role, recording, status, str(out) if out_dir else None, exit_code, wall,
                                 stderr_tail)
    if status == "error" and result.error_type == "MemoryError" and limits.memory_bytes:
        result = _with(result, error_message=result.error_message
                       + f" (memory cap {limits.memory_bytes / 2**30:g} GiB; raise it with --memory)")
    return result, recording


def _with(result: SideResult, **changes) -> SideResult:
    from dataclasses import replace

    return replace(result, **changes)


def _partial(out: Path) -> Recording:
    try:
        return read_recording(out)
    except ValueError:
        return Recording({})


def _crash_message(exit_code: int | None, limits: Limits, stderr_tail: str) -> str:
    if exit_code is not None and exit_code < 0:
        name = signal.Signals(-exit_code).name if -exit_code in signal.Signals._value2member_map_ else str(-exit_code)
        hint = ""
        if name == "SIGKILL":
            hint = " (out of memory?)"
        elif name == "SIGXFSZ":
            hint = f" (wrote more than {limits.max_file_bytes / 2**30:g} GiB to a file)"
        return f"the process was killed by {name}{hint} before it could report results"
    last = stderr_tail.strip().splitlines()[-1:] or [""]
    return (f"the process exited with code {exit_code} without reporting results "
            f"(os._exit, a crash in native code, or a broken interpreter){': ' + last[0] if last[0] else ''}")
