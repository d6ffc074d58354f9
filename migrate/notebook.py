"""Jupyter notebooks: convert code cells as one module so imports in cell 1 resolve in cell 9.

IPython syntax (``%magic``, ``!shell``, ``x?``) is masked with a placeholder
statement of the same indentation before parsing and restored afterwards;
cells that start with a cell magic (``%%bash``) are not Python and stay as they
are.  Outputs, metadata and the JSON layout (indent, key order, non-ASCII) are
kept; only the ``source`` of changed cells differs.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable

from migrate.model import Finding

CELL_MARK = "# <dlmigrate-cell {index}>"
MAGIC_PLACEHOLDER = "pass  # <dlmigrate-magic {index}>"
_MAGIC_LINE = re.compile(r"^(\s*)([%!]|\S.*\?\s*$)")
_PLACEHOLDER = re.compile(r"^(\s*)pass  # <dlmigrate-magic (\d+)>$")
_CELL = re.compile(r"^# <dlmigrate-cell (\d+)>$")


class NotebookError(Exception):
    pass


@dataclass(frozen=True)
class NotebookResult:
    text: str
    # ``cell`` is the 1-based code cell (ruff's ``path.ipynb:cell N:line:col``), ``line`` counts within
    # that cell, and ``file_line`` is the line of the .ipynb file that holds that source line
    findings: tuple[Finding, ...]


_DECODER = json.JSONDecoder()
_SOURCE_KEY = re.compile(r'"source"\s*:\s*')


def source_line_numbers(text: str, cells: list) -> dict[int, list[int]]:
    """Cell index -> the 1-based line of the .ipynb text holding each of its source lines.

    Found by decoding each ``"source"`` value where it sits and checking it against
    the parsed cell, so a cell whose layout is not understood maps to nothing
    (its findings then point at the cell's ``source`` key, or at line 1).
    """
    lines: dict[int, list[int]] = {}
    position = 0
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or "source" not in cell:
            continue
        match = _SOURCE_KEY.search(text, position)
        while match is not None:
            try:
                value, end = _DECODER.raw_decode(text, match.end())
            except json.JSONDecodeError:
                value, end = None, match.end()
            if value == cell["source"]:
                break
            match = _SOURCE_KEY.search(text, end)
        if match is None:
            break
        start_line = text.count("\n", 0, match.end()) + 1
        numbers: list[int] = []
        if isinstance(value, list):
            cursor = match.end() + 1  # past "["
            for item in value:
                item_start = text.index('"', cursor)
                _, cursor = _DECODER.raw_decode(text, item_start)
                line = text.count("\n", 0, item_start) + 1
                numbers.extend([line] * max(1, item.count("\n") if item.endswith("\n") else item.count("\n") + 1))
        else:
            numbers = [start_line] * (str(value).count("\n") + 1)
        lines[index] = numbers or [start_line]
        position = end
    return lines


def _detect_indent(text: str) -> int | None:
    match = re.search(r"^\{\s*\n( +)\"", text)
    return len(match.group(1)) if match else None


def _source_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _as_source(text: str, like: object) -> object:
    if isinstance(like, list):
        return text.splitlines(keepends=True)
    return text


def _load(text: str) -> dict:
    """The notebook's JSON, or NotebookError saying why it is not one."""
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"invalid notebook JSON: {exc}") from exc
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotebookError("not a notebook: no 'cells' list at the top level")
    return notebook


def convert_notebook(text: str, convert_module: Callable[[str], tuple[str, tuple[Finding, ...]]]) -> NotebookResult:
    notebook = _load(text)
    language = (notebook.get("metadata", {}).get("kernelspec", {}) or {}).get("language", "python")
    if language not in ("python", None, ""):
        return NotebookResult(text, ())

    magics: list[str] = []
    chunks: list[str] = []
    cell_of_chunk: list[int] = []
    ordinal: dict[int, int] = {}  # cell index -> 1-based number among code cells
    for index, cell in enumerate(notebook["cells"]):
        if cell.get("cell_type") != "code":
            continue
        ordinal[index] = len(ordinal) + 1
        source = _source_text(cell)
        if source.lstrip().startswith("%%"):
            continue
        lines = []
        for line in source.split("\n"):
            match = _MAGIC_LINE.match(line)
            if match and not line.lstrip().startswith("#"):
                lines.append(match.group(1) + MAGIC_PLACEHOLDER.format(index=len(magics)))
                magics.append(line[len(match.group(1)):])
            else:
                lines.append(line)
        chunks.append(CELL_MARK.format(index=index) + "\n" + "\n".join(lines))
        cell_of_chunk.append(index)
    if not chunks:
        return NotebookResult(text, ())
    combined = "\n".join(chunks) + "\n"
    new_combined, findings = convert_module(combined)

    # Findings point into the module as it was before conversion: map those
    # lines back to (cell, line-in-cell).
    line_to_cell: dict[int, tuple[int, int]] = {}
    current, offset = -1, 0
    for number, line in enumerate(combined.split("\n"), start=1):
        mark = _CELL.match(line)
        if mark:
            current, offset = int(mark.group(1)), number
        else:
            line_to_cell[number] = (current, number - offset)
    file_lines = source_line_numbers(text, notebook["cells"]) if findings else {}
    cell_findings = []
    for finding in findings:
        cell, line = line_to_cell.get(finding.line, (-1, finding.line))
        end_line = finding.end_line
        if end_line is not None:
            end_cell, end_in_cell = line_to_cell.get(end_line, (-1, end_line))
            end_line = end_in_cell if end_cell == cell else None
        numbers = file_lines.get(cell) or [1]
        cell_findings.append(
            Finding(finding.code, finding.message, finding.severity, finding.safety,
                    line, finding.column, finding.fixed, end_line,
                    finding.end_column if end_line is not None else None,
                    cell=ordinal.get(cell), file_line=numbers[min(max(line, 1), len(numbers)) - 1])
        )
    if new_combined == combined:
        return NotebookResult(text, tuple(cell_findings))

    # split back into cells; lines before the first mark (added imports) join the first cell
    new_sources: dict[int, list[str]] = {}
    preamble: list[str] = []
    current = -1
    for line in new_combined.rstrip("\n").split("\n"):
        mark = _CELL.match(line)
        if mark:
            current = int(mark.group(1))
            new_sources[current] = []
            continue
        placeholder = _PLACEHOLDER.match(line)
        if placeholder:
            line = placeholder.group(1) + magics[int(placeholder.group(2))]
        (new_sources[current] if current >= 0 else preamble).append(line)
    if preamble:
        first = cell_of_chunk[0]
        new_sources[first] = preamble + new_sources.get(first, [])
    for index, lines in new_sources.items():
        cell = notebook["cells"][index]
        old = _source_text(cell)
        new = "\n".join(lines)
        if old.endswith("\n") and not new.endswith("\n"):
            new += "\n"
        if new != old:
            cell["source"] = _as_source(new, cell.get("source"))
    indent = _detect_indent(text)
    out = json.dumps(notebook, indent=indent, ensure_ascii=False)
    if text.endswith("\n"):
        out += "\n"
    return NotebookResult(out, tuple(cell_findings))


def notebook_script(text: str) -> tuple[str, list[str]]:
    """A notebook's code cells as one Python program, in cell order, for validation to run.

    IPython lines (``%magic``, ``!shell``, ``x?``) become ``pass`` statements of the same indentation and
    cells that start with a cell magic (``%%bash``) are left out; each is listed in the returned
    ``set_aside`` ("cell 3: %matplotlib inline") so the validator can say what it did not run."""
    notebook = _load(text)
    parts: list[str] = []
    set_aside: list[str] = []
    code_cells = [c for c in notebook["cells"] if isinstance(c, dict) and c.get("cell_type") == "code"]
    for index, cell in enumerate(code_cells, start=1):  # "cell N" counts code cells from 1, as findings do
        source = _source_text(cell)
        if source.lstrip().startswith("%%"):
            set_aside.append(f"cell {index}: {source.lstrip().splitlines()[0]} (cell magic, whole cell)")
            continue
        lines = []
        for line in source.split("\n"):
            match = _MAGIC_LINE.match(line)
            if match and not line.lstrip().startswith("#"):
                lines.append(match.group(1) + "pass  # set aside by dlmigrate validate: " + line.strip())
                set_aside.append(f"cell {index}: {line.strip()}")
            else:
                lines.append(line)
        parts.append(f"# cell {index}\n" + "\n".join(lines).rstrip("\n") + "\n")
    return "".join(parts), set_aside
