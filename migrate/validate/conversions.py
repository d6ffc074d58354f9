"""``dlmigrate convert --validate``: validate each converted file against its original text."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Iterable

from migrate.model import FileResult, FileStatus
from migrate.validate.pipeline import ValidateOptions, validate_pair
from migrate.validate.results import ProgramResult


def validate_conversions(results: Iterable[FileResult], options: ValidateOptions) -> list[tuple[str, ProgramResult]]:
    """(path, result) for every changed Python file and notebook (its code cells run in order).  Both
    texts are run from copies, so a file already rewritten in place (--write) is validated against the
    text it had before; the file's own folder stays importable so sibling modules resolve."""
    validated = []
    for result in results:
        if result.status is not FileStatus.CHANGED or not result.path.endswith((".py", ".ipynb")):
            continue
        if result.original is None or result.rewritten is None:
            continue
        folder = str(Path(result.path).resolve().parent)
        with tempfile.TemporaryDirectory(prefix="dlmigrate-convert-validate-") as scratch:
            name = Path(result.path).name
            original, rewritten = Path(scratch) / "original" / name, Path(scratch) / "rewritten" / name
            for path, text in ((original, result.original), (rewritten, result.rewritten)):
                path.parent.mkdir()
                path.write_text(text, encoding="utf-8")
            from dataclasses import replace

            side_options = replace(options, sys_path=(folder,) + tuple(options.sys_path),
                                   compare=replace(options.compare, site_map=result.site_map))
            if any(f.code == "TT2001" and f.fixed for f in result.findings):
                # Keras -> torch: both sides get the same weights through the conversion's weight manifest
                from migrate.keras_to_torch.manifest import write_for_conversion

                manifest = write_for_conversion(result.original, rewritten)
                if manifest is not None:
                    side_options = replace(side_options, share_init=str(manifest))
            outcome = validate_pair(original, rewritten, side_options, label=result.path)
        validated.append((result.path, outcome))
    return validated


def print_validation(validated: list[tuple[str, ProgramResult]], stream=None, only_problems: bool = False) -> None:
    from migrate.validate.report import program_report, verdict_table

    stream = stream or sys.stderr
    if not validated:
        print("validate: no changed Python file to validate", file=stream)
        return
    for _, result in validated:
        if not result.passed:
            print(program_report(result), file=stream)
    if only_problems:
        return
    print(verdict_table([result for _, result in validated]), file=stream)
