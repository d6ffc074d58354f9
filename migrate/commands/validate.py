"""``dlmigrate validate``: run the original and the rewritten program and compare their results."""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from migrate.cli import EXIT_FAILED, EXIT_OK, usage_error

DESCRIPTION = """\
Run ORIGINAL and REWRITTEN, each in its own subprocess (optionally with its own
Python, so TensorFlow and PyTorch may live in different environments), and
compare what they computed, output by output: the values of every Session.run
(paired in call order), numeric module-level variables, the values named with
dlmigrate_observe(name, value), or an entry function's results (--entry).

WARNING: this is the only dlmigrate command that EXECUTES the code it is given.
Each side runs in a fresh temporary directory with no standard input, a
wall-clock timeout (its whole process group is killed) and a memory cap, but
it is not a sandbox: run only code you trust."""

EPILOG = """\
verdicts: PASS, MISMATCH (values, shape, dtype or structure differ), ERROR (a side
failed; the tail of its traceback is shown), TIMEOUT, NONDETERMINISTIC (the outputs
that differ also differ between runs of the original itself; --reruns sets how often
it is run again).
exit codes: 0 every output passed; 1 a mismatch, error or timeout; 2 usage error.
examples:
  dlmigrate validate model_tf1.py model_tf2.py
  dlmigrate validate lib_tf1.py lib_tf2.py --entry build:forward --inputs "x:float32[4,3]"
  dlmigrate validate model_tf.py --record rec/                  (on the machine with TensorFlow)
  dlmigrate validate model_torch.py --against rec/ --device cuda   (on the GPU machine)"""

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int | None:
    if text.strip().lower() in ("0", "none", "off"):
        return None
    match = _SIZE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"bad size {text!r}; use e.g. 8G or 512M")
    number, unit = match.groups()
    return int(float(number) * 1024 ** "BKMGT".index(unit.upper() or "B"))


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad number of seconds {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text}")
    return value


VALIDATE_EXTRA = "pip install 'dlmigrate[validate]'"


def missing_validate_extra() -> str | None:
    """Why this Python cannot validate (numpy, which the comparison needs, is missing), or None.

    Checked before any work, so ``convert --write --validate`` never writes files and then fails.
    The frameworks themselves are checked per program by the executor, which names the missing one."""
    import importlib.util

    if importlib.util.find_spec("numpy") is None:
        return (f"validation EXECUTES programs and compares their outputs with numpy, which is not installed "
                f"in this Python ({sys.executable}); install the validate extra: {VALIDATE_EXTRA}")
    return None


def parse_tolerance(text: str):
    from migrate.validate.results import Tolerance

    pattern, _, values = text.rpartition("=")
    try:
        rtol, atol = (float(v) for v in values.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad --tol {text!r}; use NAME_PATTERN=RTOL,ATOL") from None
    if not pattern:
        raise argparse.ArgumentTypeError(f"bad --tol {text!r}; use NAME_PATTERN=RTOL,ATOL")
    return pattern, Tolerance(rtol, atol)


def add_execution_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``validate``, ``convert --validate`` and ``rules verify``."""
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                        help="where frameworks run; cuda turns TF32 off and deterministic algorithms on (default auto)")
    parser.add_argument("--timeout", type=positive_seconds, default=120.0, metavar="SECONDS", help="per side (default 120)")
    parser.add_argument("--memory", type=parse_size, default=8 * 2**30, metavar="SIZE",
                        help="memory cap per side, e.g. 8G (default 8G; 0 for none)")
    parser.add_argument("--reruns", type=int, default=2, metavar="N",
                        help="after a MISMATCH, run the original N more times; outputs that vary between its own "
                        "runs give the verdict NONDETERMINISTIC with their spread (default 2; 0 to skip)")
    parser.add_argument("--rtol", type=float, default=1e-5, help="relative tolerance (default 1e-5, for float32)")
    parser.add_argument("--atol", type=float, default=1e-5, help="absolute tolerance (default 1e-5)")


def register(sub) -> None:
    parser = sub.add_parser(
        "validate", help="run original and rewritten programs and compare their results (EXECUTES the code)",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("original", type=Path, metavar="ORIGINAL",
                        help="the original program (or, with --against, the program to check)")
    parser.add_argument("rewritten", type=Path, nargs="?", metavar="REWRITTEN", help="the rewritten program")
    add_execution_arguments(parser)
    parser.add_argument("--python-original", metavar="PYTHON", help="interpreter for ORIGINAL (default: this one)")
    parser.add_argument("--python-rewritten", metavar="PYTHON", help="interpreter for REWRITTEN (default: this one)")
    parser.add_argument("--record", type=Path, metavar="DIR",
                        help="write outputs (.npz + manifest.json) to DIR (DIR/original, DIR/rewritten for a pair)")
    parser.add_argument("--against", type=Path, metavar="DIR", help="compare ORIGINAL's run with a recording in DIR")
    parser.add_argument("--entry", default="", metavar="MODULE:FUNCTION",
                        help="call this function instead of running the file (library code)")
    parser.add_argument("--inputs", default="", metavar="SPEC",
                        help='inputs for --entry, e.g. "x:float32[4,3];y:int64[4]" (default: from tf.placeholder '
                        "declarations); seeded, identical on both sides")
    parser.add_argument("--batch-size", type=int, default=4, help="size of None dimensions in placeholders (default 4)")
    parser.add_argument("--seed", type=int, default=0, help="seed for Python, numpy, TensorFlow, torch (default 0)")
    parser.add_argument("--share-init", nargs="?", const=True, default=False, metavar="MANIFEST",
                        help="record ORIGINAL's initial variable values and load them into REWRITTEN "
                        "(by name, else by creation order and shape; Dense kernels transposed into Linear weights); "
                        "with a Keras->torch weight MANIFEST (written by convert --to torch), every Keras variable "
                        "goes to the torch parameter/buffer it names, through its layout transform")
    parser.add_argument("--tf1-shim", choices=("auto", "on", "off"), default="auto",
                        help="run ORIGINAL with tensorflow aliased to tensorflow.compat.v1 (default: auto-detect TF1)")
    parser.add_argument("--random-tool", choices=("constant", "num_random_ops"), default="",
                        help="run both sides under TF's DeterministicRandomTestTool")
    parser.add_argument("--compare", choices=("auto", "runs", "globals", "observe", "entry", "all"), default="auto",
                        help="which observations to pair (default auto)")
    parser.add_argument("--tol", type=parse_tolerance, action="append", default=[], metavar="PATTERN=RTOL,ATOL",
                        help="tolerance for outputs whose name matches PATTERN (repeatable)")
    parser.add_argument("--ignore-output", action="append", default=[], metavar="PATTERN",
                        help="do not compare outputs whose name matches PATTERN (repeatable)")
    parser.add_argument("--strict-globals", action="store_true",
                        help="a module-level variable present on one side only is a MISMATCH (default: noted)")
    parser.add_argument("--ignore-dtype", action="store_true", help="compare values even when dtypes differ")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the result (schema dlmigrate.validation/1)")
    parser.add_argument("--all", action="store_true", help="list passing outputs too")
    parser.set_defaults(run=run)


def options_from_args(args: argparse.Namespace, **overrides):
    from migrate.validate.compare import CompareOptions
    from migrate.validate.pipeline import ValidateOptions
    from migrate.validate.results import Tolerance
    from migrate.validate.runner import Limits

    compare = CompareOptions(
        tolerance=Tolerance(args.rtol, args.atol),
        per_output=tuple(getattr(args, "tol", ()) or ()),
        ignore=tuple(getattr(args, "ignore_output", ()) or ()),
        mode=getattr(args, "compare", "auto"),
        strict_dtype=not getattr(args, "ignore_dtype", False),
        strict_globals=getattr(args, "strict_globals", False),
    )
    values = dict(
        limits=Limits(timeout_s=args.timeout, memory_bytes=args.memory),
        compare=compare,
        seed=getattr(args, "seed", 0),
        device=args.device,
        python_original=getattr(args, "python_original", None),
        python_rewritten=getattr(args, "python_rewritten", None),
        entry=getattr(args, "entry", ""),
        inputs=getattr(args, "inputs", ""),
        batch_size=getattr(args, "batch_size", 4),
        share_init=getattr(args, "share_init", False),
        tf1_shim_original=getattr(args, "tf1_shim", "auto"),
        random_tool=getattr(args, "random_tool", ""),
        record_dir=getattr(args, "record", None),
        reruns=max(0, getattr(args, "reruns", 2)),
    )
    values.update(overrides)
    return ValidateOptions(**values)


def run(args: argparse.Namespace) -> int:
    problem = missing_validate_extra()
    if problem:
        return usage_error(problem)
    from migrate.validate.pipeline import record_only, validate_against, validate_pair
    from migrate.validate.report import program_report, verdict_table
    from migrate.validate.runner import read_recording

    programs = [args.original] + ([args.rewritten] if args.rewritten else [])
    missing = [str(p) for p in programs if not p.exists()]
    if missing:
        return usage_error(f"no such file or directory: {', '.join(missing)}")
    if args.against and args.rewritten:
        return usage_error("--against compares ONE program with a recording; give only that program")
    if not args.rewritten and not args.against and not args.record:
        return usage_error("give ORIGINAL and REWRITTEN, or one program with --record DIR or --against DIR")
    options = options_from_args(args)
    if args.against:
        try:
            read_recording(args.against)
        except ValueError as exc:
            return usage_error(f"{exc}")
        result = validate_against(args.original, args.against, options)
    elif not args.rewritten:
        side = record_only(args.original, options)
        print(f"recorded {side.output_count} outputs of {args.original} into {args.record} "
              f"({side.framework or 'no framework'}, {side.device or '-'}): {side.status}")
        if side.status != "ok":
            print(f"  {side.error_message}", file=sys.stderr)
            if side.traceback_tail:
                print("  " + "\n  ".join(side.traceback_tail.splitlines()[-8:]), file=sys.stderr)
        return EXIT_OK if side.status == "ok" else EXIT_FAILED
    else:
        result = validate_pair(args.original, args.rewritten, options)
    print(program_report(result, show_all=args.all))
    print()
    print(verdict_table([result]))
    if args.json:
        args.json.write_text(json.dumps(result.to_dict(), indent=1, default=str) + "\n", encoding="utf-8")
    return EXIT_OK if result.passed else EXIT_FAILED
