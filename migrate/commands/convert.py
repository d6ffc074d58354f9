"""``dlmigrate convert``: rewrite files, trees and notebooks for a target."""
from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from migrate.cli import EXIT_ERROR_FINDINGS, EXIT_FAILED, EXIT_OK, EXIT_USAGE, usage_error
# migrate.convert imports libcst (~0.3 s): imported where used, so `dlmigrate lint` starts fast
from migrate.model import FileResult, FileStatus, Safety, Severity
from migrate.rules import RuleError, available_rulesets

if TYPE_CHECKING:
    from migrate.convert import ConvertOptions


def _targets() -> list[str]:
    try:
        return sorted({t for info in available_rulesets().values() for t in info.targets})
    except RuleError:
        return []


def register(sub) -> None:
    parser = sub.add_parser(
        "convert",
        help="rewrite code for a target (default: print a diff, write nothing)",
        description="Rewrite Python files, trees and Jupyter notebooks for a target. "
        "Without --write or --out nothing is written: a unified diff goes to stdout, "
        "the change log and summary to stderr. Never imports tensorflow or torch.",
        epilog="exit codes: 0 all files processed; 1 a file failed; 2 usage error; "
        "3 all processed but findings of severity 'error' remain",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument("--to", dest="target", default=None,
                        help=f"target: {', '.join(_targets())} (default: [tool.dlmigrate] target, else tf2-compat)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--write", action="store_true", help="rewrite files in place")
    output.add_argument("--out", type=Path, metavar="DIR", help="write a converted copy of the tree into DIR")
    parser.add_argument("--select", help="comma-separated rule code prefixes to apply (overrides the config; "
                        "the most specific prefix wins)")
    parser.add_argument("--ignore", help="comma-separated rule code prefixes to skip (overrides the config)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="configuration file (default: nearest pyproject.toml)")
    parser.add_argument("--no-config", action="store_true", help="ignore configuration files")
    parser.add_argument("--safe-only", action="store_true", help="apply only fixes marked safe")
    parser.add_argument("--tf-function", dest="tf_function", action=argparse.BooleanOptionalAction, default=True,
                        help="--to tf2: wrap the functions generated from Session.run sites in tf.function "
                        "(default; --no-tf-function keeps them eager, the same as --ignore TF4003)")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--no-diff", action="store_true", help="do not print the diff")
    parser.add_argument("--quiet", "-q", action="count", default=0,
                        help="-q: print only the diagnostics (finding lines, errors; the diff only when nothing is "
                        "written); -qq: print nothing")
    from migrate.report import add_report_argument

    add_report_argument(parser)
    parser.add_argument("--validate", action="store_true",
                        help="then EXECUTE each changed file and its conversion and compare their results "
                        "(see 'dlmigrate validate --help')")
    from migrate.commands.validate import add_execution_arguments

    add_execution_arguments(parser)
    parser.set_defaults(run=run)


def options_from_args(args: argparse.Namespace) -> "ConvertOptions":
    """Flags and ``[tool.dlmigrate]`` -> options; raises ConfigError / SelectionError with a usage message."""
    from migrate.config import Config, load_config
    from migrate.convert import DEFAULT_TARGET, ConvertOptions
    from migrate.selection import ALL, check_selectors, configured_select, make_selection, parse_codes

    config = Config() if getattr(args, "no_config", False) else load_config(args.paths[0], getattr(args, "config", None))
    target = args.target or config.target or DEFAULT_TARGET
    if target == "lint":
        target = DEFAULT_TARGET if not args.target else target  # a lint-only config does not choose a conversion
    select = parse_codes(args.select)
    ignore = parse_codes(args.ignore)
    base = make_selection(target).load(check=False)
    check_selectors((*(select or ()), *(ignore or ())), base.rules, f"--to {target}")
    selection = make_selection(target, select if select is not None else configured_select(config.select, base.rules),
                               ignore if ignore is not None else config.ignore)
    if select is not None or ignore is not None:  # the command line wins over the file's top level
        config = dataclasses.replace(config, select=selection.select, ignore=selection.ignore)
    apply = frozenset({Safety.SAFE}) if args.safe_only else frozenset({Safety.SAFE, Safety.REVIEW})
    return ConvertOptions(
        target=target,
        select=selection.select or (ALL,),
        ignore=selection.ignore + (() if getattr(args, "tf_function", True) else ("TF4003",)),
        apply=apply,
        write=args.write,
        out_dir=args.out,
        config=config,
    )


def run(args: argparse.Namespace) -> int:
    if args.validate:  # before any work: --write --validate must not write the files and then fail
        from migrate.commands.validate import missing_validate_extra

        problem = missing_validate_extra()
        if problem:
            return usage_error(problem)
    missing = [str(p) for p in args.paths if not p.exists() and not p.is_symlink()]
    if missing:
        return usage_error(f"no such file or directory: {', '.join(missing)}")
    if args.jobs is not None and args.jobs < 1:
        return usage_error("--jobs must be at least 1")
    if args.out is not None:
        from migrate.convert import out_dir_problem

        problem = out_dir_problem(args.paths, args.out)
        if problem:
            return usage_error(f"{problem}")
    if args.report is not None:
        from migrate.report import ReportError, check_report_path

        try:
            check_report_path(args.report)
        except ReportError as exc:
            return usage_error(f"{exc}")
    from migrate.console import Console
    from migrate.convert import convert_paths, unified_diff

    from migrate.config import ConfigError

    try:
        options = options_from_args(args)
        ruleset = options.load_rules()
    except (RuleError, ConfigError) as exc:
        return usage_error(f"{exc}")
    console = Console(quiet=args.quiet)
    # the diff is the result of a dry run; once files are written it is commentary, which -q drops
    show_diff = not args.no_diff and (args.quiet == 0 or (args.quiet == 1 and not args.write and args.out is None))
    results = []
    with console.progress(_count_files(args, console)) as progress:
        for result in convert_paths(args.paths, options, args.jobs, ruleset):
            results.append(result)
            console.result(result, show_diff=show_diff, diff_text=unified_diff(result) if result.changed and show_diff else "")
            progress.advance(result.path)
    if not results:
        console.warning("no Python files or notebooks found under " + ", ".join(map(str, args.paths)))
    validation: dict[str, dict] | None = None  # per path, ProgramResult.to_dict(), when --validate ran
    code = exit_code(results)
    if args.validate:
        from migrate.commands.validate import options_from_args as validate_options
        from migrate.validate.conversions import print_validation, validate_conversions

        validated = validate_conversions(results, validate_options(args))
        if args.quiet < 2:
            print_validation(validated, only_problems=args.quiet == 1)
        validation = {path: outcome.to_dict() for path, outcome in validated}
        if code == EXIT_OK and not all(outcome.passed for _, outcome in validated):
            code = EXIT_FAILED
    if args.report is not None:
        from migrate.report import report_results

        problem = report_results(args.report, results, ruleset, command="convert", target=options.target, validation=validation)
        if problem:
            console.error(problem)
            code = code or EXIT_USAGE
    console.summary(results, "convert", ruleset.rules)
    return code


def _count_files(args: argparse.Namespace, console) -> int:
    """How many files the run will see, for the progress bar; only counted when a bar can show."""
    if console.quiet or not console.err.isatty():
        return 0
    from migrate.sources import discover

    out_dir = args.out.resolve() if args.out is not None else None
    return sum(1 for _, path in discover(args.paths) if out_dir is None or out_dir not in path.resolve().parents)


def exit_code(results: list[FileResult]) -> int:
    if any(r.status is FileStatus.FAILED for r in results):
        return EXIT_FAILED
    if any(f.severity is Severity.ERROR and not f.fixed for r in results for f in r.findings):
        return EXIT_ERROR_FINDINGS
    return EXIT_OK
