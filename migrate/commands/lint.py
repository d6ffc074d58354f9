"""``dlmigrate lint``: report findings, write nothing (unless ``--fix``).

Start-up is kept lean on purpose: this runs on every commit through pre-commit,
so libcst and rich are imported only when a file needs a fix or a rich report.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from migrate.cli import EXIT_FAILED, EXIT_OK, error_line, usage_error

FORMATS = ("text", "json", "sarif", "github")
GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def register(sub) -> None:
    parser = sub.add_parser(
        "lint",
        help="report legacy and deprecated framework usage (writes nothing without --fix)",
        description="Report legacy TensorFlow 1.x usage in TF2 code and deprecated PyTorch APIs "
        "(configurable in [tool.dlmigrate] of pyproject.toml). Output: path:line:col: CODE message. "
        "Never imports tensorflow or torch. Suppress one line with '# dlmigrate: ignore[CODE]'.",
        epilog="exit codes: 0 no findings; 1 findings remain or a file could not be linted; 2 usage or "
        "configuration error",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories ('-' reads stdin)")
    parser.add_argument("--output-format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--select", help="comma-separated rule code prefixes to report (overrides the config)")
    parser.add_argument("--ignore", help="comma-separated rule code prefixes to skip (overrides the config)")
    parser.add_argument("--extend-ignore", default="", help="comma-separated prefixes to skip on top of the config")
    parser.add_argument("--to", "--target", dest="target", metavar="TARGET",
                        help="lint with the rule sets of this target (default: the 'lint' rule sets)")
    parser.add_argument("--rulesets", help="comma-separated rule set names (overrides target and config)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="configuration file (default: nearest pyproject.toml)")
    parser.add_argument("--no-config", action="store_true", help="ignore configuration files")
    fixing = parser.add_mutually_exclusive_group()
    fixing.add_argument("--fix", action="store_true", help="apply the fixes marked safe, in place")
    fixing.add_argument("--diff", action="store_true", help="print the diff --fix would apply; write nothing")
    parser.add_argument("--unsafe-fixes", action="store_true",
                        help="with --fix/--diff, also apply the fixes marked review (check them before committing)")
    parser.add_argument("--jobs", "-j", type=int, default=None,
                        help="worker processes for 8 files or more (default: all cores)")
    parser.add_argument("--stdin-filename", help="the name to report for '-' (and to match config globs)")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")
    parser.add_argument("--quiet", "-q", action="count", default=0,
                        help="-q: print only the diagnostics (no summary line); -qq: print nothing")
    from migrate.report import add_report_argument

    add_report_argument(parser)
    parser.set_defaults(run=run)


def _codes(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(part.strip().upper() for part in text.split(",") if part.strip())


def _usage(message: str) -> int:
    return usage_error(message)


def run(args: argparse.Namespace) -> int:
    from migrate.config import Config, ConfigError, load_config
    from migrate.rules import RuleError, available_rulesets, load_rules, rulesets_for_target
    from migrate.selection import check_selectors, configured_select, unknown_selectors

    if not args.paths:
        return _usage("no paths given (pass files or directories, or '-' for stdin)")
    if args.jobs is not None and args.jobs < 1:
        return _usage("--jobs must be at least 1")
    stdin = [p for p in args.paths if p == "-"]
    paths = [Path(p) for p in args.paths if p != "-"]
    if stdin and (len(stdin) > 1 or args.fix):
        return _usage("'-' can be given once, and not with --fix (use --diff to see the fix)")
    if args.report is not None:  # a bad --report fails before any file is read
        from migrate.report import ReportError, check_report_path

        try:
            check_report_path(args.report)
        except ReportError as exc:
            return _usage(str(exc))
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        return _usage(f"no such file or directory: {', '.join(missing)}")

    try:
        if args.no_config:
            config = Config()
        else:
            start = paths[0] if paths else Path(args.stdin_filename or ".")
            config = load_config(start, args.config)
        if args.rulesets:
            names = [n.strip() for n in args.rulesets.split(",") if n.strip()]
        elif args.target:
            names = rulesets_for_target(args.target)
        elif config.rulesets is not None:
            names = list(config.rulesets)
        elif config.target:
            names = rulesets_for_target(config.target)
        else:
            names = [name for name, info in available_rulesets().items() if "lint" in info.targets]
        base = load_rules(names)
    except (ConfigError, RuleError) as exc:
        return _usage(str(exc))

    select = _codes(args.select) if args.select is not None else configured_select(config.select, base.rules)
    ignore = (_codes(args.ignore) if args.ignore is not None else config.ignore) + (_codes(args.extend_ignore) or ())
    described = (f"--to {args.target}" if args.target else
                 f"the rule sets {', '.join(names)} (choose others with --to)")
    try:
        check_selectors((*(_codes(args.select) or ()), *(_codes(args.ignore) or ())), base.rules, described)
    except RuleError as exc:
        return _usage(str(exc))
    configured = (*config.select, *config.ignore, *(c for o in config.overrides for c in (*(o.select or ()), *o.ignore)))
    if unknown_selectors(configured, base.rules):
        # a code of a rule set this run does not load is fine (one config serves several targets); a typo is not
        from migrate.rules import all_rules

        try:
            typos = unknown_selectors(unknown_selectors(configured, base.rules), {r.code for r in all_rules()})
        except RuleError as exc:
            return _usage(str(exc))
        if typos:
            return _usage(f"{config.path}: [tool.dlmigrate] names unknown rule code or prefix {', '.join(typos)} "
                          "(see 'dlmigrate rules list')")
    if args.select is not None or args.ignore is not None:
        # the command line wins over the file's top level; path overrides still refine it
        config = Config(config.path, config.target, config.rulesets, select, ignore, config.exclude, config.overrides)
    elif args.extend_ignore:
        config = Config(config.path, config.target, config.rulesets, config.select, ignore, config.exclude,
                        config.overrides)

    def narrowed(key):
        select_, ignore_ = key
        return (configured_select(select_, base.rules), ignore_)

    from migrate.lint import lint_paths, lint_source, selected_ruleset

    cache: dict[tuple, object] = {}

    def rules_for(file: Path):
        return selected_ruleset(base, narrowed(config.codes_for(file)), cache)
    from migrate.sources import SourceError, decode_source, discover

    skipped: list[tuple[Path, str]] = []
    items = [(file, narrowed(config.codes_for(file))) for _root, file in discover(paths, skipped=skipped)
             if not config.is_excluded(file)]
    outcomes = list(lint_paths(items, base, jobs=args.jobs, fix=args.fix, diff=args.diff,
                               unsafe_fixes=args.unsafe_fixes))
    for link, reason in skipped:
        if not config.is_excluded(link) and args.quiet < 2:
            print(f"dlmigrate: warning: {link}: {reason}", file=sys.stderr)
    if not outcomes and not stdin and args.quiet < 2:
        print("dlmigrate: warning: no Python files found under " + ", ".join(map(str, paths)), file=sys.stderr)
    if stdin:
        shown = args.stdin_filename or "-"
        try:
            text = decode_source(sys.stdin.buffer.read(), shown).text
        except SourceError as exc:
            return _usage(str(exc))
        if not (args.stdin_filename and config.is_excluded(Path(shown))):
            outcomes.append(lint_source(text, rules_for(Path(shown)), shown, notebook=shown.endswith(".ipynb"),
                                        diff=args.diff, unsafe_fixes=args.unsafe_fixes))
    return report(outcomes, base, args, lambda shown: rules_for(Path(shown)))


def report(outcomes, ruleset, args, rules_for=None) -> int:
    from migrate.model import FileStatus, Safety

    results = [o.result for o in outcomes]
    if args.output_format in ("json", "sarif") or (args.report is not None
                                                   and args.report.suffix.lower() in (".json", ".sarif")):
        # machine formats carry each finding's fix edits: from the very run `lint --fix` makes (libcst only here)
        from migrate.fixedits import attach_fixes

        results = attach_fixes(results, rules_for or (lambda _shown: ruleset), fixed=args.fix)
    failed = [r for r in results if r.status is FileStatus.FAILED]
    findings = [(r, f) for r in results for f in r.findings]
    fmt = args.output_format
    if args.quiet >= 2:  # -qq: nothing printed at all (a --report is still written); the exit code tells
        fmt = "silent"
    for result in failed if fmt != "silent" else ():
        print(error_line(result.error or f"{result.path}: failed"), file=sys.stderr)
    if args.diff and fmt != "silent":
        from migrate.convert import unified_diff

        for outcome in outcomes:
            if outcome.new_text is not None and outcome.new_text != outcome.result.original:
                sys.stdout.write(unified_diff(outcome.result))
    if fmt == "text":
        # the colour policy of every command (migrate.console): on a terminal, never with NO_COLOR or TERM=dumb
        from migrate.console import color_enabled

        bold, cyan, reset = ("\x1b[1m", "\x1b[36m", "\x1b[0m") if color_enabled(sys.stdout) else ("", "", "")
        for result, finding in findings:
            print(f"{bold}{result.path}:{finding.where()}:{reset} {cyan}{finding.code}{reset} {finding.message}")
    elif fmt == "json":
        from migrate.fixedits import Positions

        positions: dict[str, Positions] = {}

        def located(result):
            if result.path not in positions:
                positions[result.path] = Positions(_fix_base(result, args) or "")
            return positions[result.path]

        entries = [_json_failure(r) for r in failed] + [_json_finding(r, f, _fix_base(r, args), located(r))
                                                         for r, f in findings]
        print(json.dumps(entries, indent=2, ensure_ascii=False))
    elif fmt == "github":
        for result in failed:  # a file that cannot be linted is an annotation too, not only a log line
            line, column = _error_position(result.error or "")
            print(f"::error file={_gh(result.path, True)},line={line},col={column},"
                  f"title=dlmigrate could not lint this file::{_gh(result.error or 'failed', False)}")
        for result, finding in findings:
            level = GITHUB_LEVEL[finding.severity.value]
            if finding.cell is not None:  # the .ipynb line holding that cell's line; the message names the cell
                where = f"line={finding.file_line or 1}"
                message = f"cell {finding.cell}, line {finding.line}: {finding.message}"
            else:
                where = (f"line={finding.line},col={finding.column},"
                         f"endLine={finding.end_line or finding.line}")
                message = finding.message
            print(f"::{level} file={_gh(result.path, True)},{where},title={finding.code}::{_gh(message, False)}")
    elif fmt == "sarif":
        try:
            from migrate.report.sarif import render_sarif
        except ImportError:
            return _usage("--output-format sarif needs migrate.report.sarif, which this build lacks")
        sys.stdout.write(render_sarif(results, list(ruleset.rules.values()),
                                      fix_base="rewritten" if args.fix else "original"))

    if args.report is not None:
        from migrate.report import report_results

        problem = report_results(args.report, results, ruleset, command="lint", target=args.target,
                                 fix_base="rewritten" if args.fix else "original")
        if problem:
            return _usage(problem)

    fixes = sum(o.fixes for o in outcomes)
    if fmt == "text" and not args.quiet:
        fixable = sum(1 for _, f in findings if f.safety is Safety.SAFE)
        review = sum(1 for _, f in findings if f.safety is Safety.REVIEW)
        parts = []
        if findings:
            files = len({r.path for r, _ in findings})
            parts.append(f"Found {len(findings)} finding{'s' * (len(findings) != 1)} in {files} "
                         f"file{'s' * (files != 1)}")
            if os.environ.get("PRE_COMMIT") == "1":
                # pre-commit splits a large commit into batches, one dlmigrate run each: say that this
                # total is the batch's, so two "Found" lines read as parts, not as contradicting totals
                parts[-1] += f" of this batch of {len(results)} file{'s' * (len(results) != 1)}"
            if fixable and not args.fix:
                parts.append(f"{fixable} fixable with `dlmigrate lint --fix`")
            if review and not (args.fix and args.unsafe_fixes):
                parts.append(f"{review} more with `--fix --unsafe-fixes` (review fixes: check them)")
        if fixes:
            changed = sum(1 for r in results if r.status is FileStatus.CHANGED)
            parts.append(f"{'would fix' if args.diff else 'fixed'} {fixes} in {changed} file{'s' * (changed != 1)}"
                         + (" (review the changes, then stage them)" if args.fix else ""))
        if failed:
            parts.append(f"{len(failed)} file{'s' * (len(failed) != 1)} could not be linted")
        if parts:
            print("; ".join(parts) + ".")
    return _exit_code(failed, findings, args)


def _exit_code(failed, findings, args) -> int:
    if failed:
        return EXIT_FAILED
    if findings and not args.exit_zero:
        return EXIT_FAILED
    return EXIT_OK


def _gh(text: str, is_property: bool) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if is_property:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


_POSITION = r"^.*?:(\d+):(\d+): |line (\d+)(?:, column (\d+))?"  # compiled (by re) only for a file error


def _error_position(error: str) -> tuple[int, int]:
    """Line and column named in a parse error message (1, 1 when it names none)."""
    match = re.search(_POSITION, error)
    if match and match.group(1):
        return int(match.group(1)), int(match.group(2))
    if not match:
        return 1, 1
    return int(match.group(3)), int(match.group(4) or 1)


def _json_failure(result) -> dict:
    """A file that could not be linted, in the shape of a finding: ``code`` is null, ``kind`` says why."""
    line, column = _error_position(result.error or "")
    return {
        "path": result.path,
        "line": line,
        "column": column,
        "end_line": None,
        "end_column": None,
        "code": None,
        "kind": "file-error",
        "message": result.error,
        "severity": "error",
        "safety": "none",
        "fix": None,
        "fixable": False,
    }


def _fix_base(result, args) -> str | None:
    """The text a finding's fix edits apply to: the file as it is on disk after this run."""
    return result.rewritten if args.fix and result.rewritten is not None else result.original


def _json_finding(result, finding, text=None, positions=None) -> dict:
    from migrate.fixedits import fix_entry

    return {
        "path": result.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "code": finding.code,
        "message": finding.message,
        "severity": finding.severity.value,
        "safety": finding.safety.value,
        "fix": fix_entry(finding, text, result.path.endswith(".ipynb"), positions),
        "fixable": finding.safety.value == "safe",
        "cell": finding.cell,
        "file_line": finding.file_line,
    }
