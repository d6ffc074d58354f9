"""Command line: argument parsing only.  Each subcommand lives in ``migrate/commands/``.

Exit codes (the same for every command):
    0  success: every file processed, nothing left that needs attention
    1  a file could not be processed, or (lint, validate) findings/mismatches remain
    2  usage error: bad flag, unknown target or rule code, unreadable configuration
    3  convert only: every file processed, but findings of severity error remain
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from migrate import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ERROR_FINDINGS = 0, 1, 2, 3
COMMANDS = ("convert", "lint", "rules", "validate", "weights")
ERROR_PREFIX = "dlmigrate: error:"  # the one prefix of every error line, usage or per file


def error_line(message: str) -> str:
    return f"{ERROR_PREFIX} {message}"


def usage_error(message: str) -> int:
    """Print a usage or configuration error in the one form every command uses; returns exit code 2."""
    print(error_line(message), file=sys.stderr)
    return EXIT_USAGE


def _columns() -> int:
    """The terminal width as ``shutil.get_terminal_size`` gives it (``COLUMNS``, the terminal, else 80)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 already; keep the message short and clear
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, error_line(message) + "\n")

    def _get_formatter(self):
        # argparse's formatter imports shutil (with bz2 and lzma, ~2.5 ms) for the width, and every
        # add_argument builds one: the same width, from os
        return self.formatter_class(prog=self.prog, width=_columns() - 2)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or with ``command`` (the first word of the command line) that
    command's alone: the other command modules are then not imported (``lint`` on each commit need not
    import ``convert``'s)."""
    parser = _Parser(prog="dlmigrate", description="Migrate deep-learning code between framework versions and frameworks.")
    parser.add_argument("--version", action="version", version=f"dlmigrate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS if command not in COMMANDS else (command,):
        try:
            module = importlib.import_module(f"migrate.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"migrate.commands.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    _remember_parsers(parser)
    return parser


def _remember_parsers(parser: argparse.ArgumentParser) -> None:
    """Each (sub)command's parser is its own default, so an unknown flag after a subcommand is
    reported with that subcommand's usage, not the top level's (the innermost subcommand wins)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in set(action.choices.values()):
                child.set_defaults(_usage_parser=child)
                _remember_parsers(child)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # a command named first is the only one built; anything else (help, --version, a typo) builds them all
    parser = build_parser(argv[0] if argv else None)
    args, extra = parser.parse_known_args(argv)
    if extra:
        getattr(args, "_usage_parser", parser).error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("dlmigrate: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def run() -> None:
    """The console entry point: ``main``, then leave without tearing the interpreter down.

    A normal exit frees every object (rule tables, parsed trees) one by one and collects garbage:
    about 20 ms of a 0.12 s one-file lint, for memory the operating system takes back anyway (mypy
    leaves the same way).  Every file the commands write is closed by then (``with`` blocks, worker pools
    joined); the standard streams are flushed here.  An exception, ``--help`` or a usage error leaves
    the ordinary way.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (``| head``): nothing more can be shown
        pass
    except OSError:
        sys.exit(code)
    os._exit(code)


if __name__ == "__main__":
    run()
