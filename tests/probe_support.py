"""The start of every probe script that runs lint in a fresh interpreter where libcst cannot be imported.

A probe is ``NO_LIBCST + body``, run with ``python -c``: the body's ``import libcst`` (or any module's)
raises ImportError, so a probe that finishes proves the path it ran decides on the ``ast`` alone.
"""

NO_LIBCST = r'''
import sys as _sys


class _NoLibcst:
    def find_spec(self, name, path=None, target=None):
        if name == "libcst" or name.startswith("libcst."):
            raise ImportError("libcst is blocked: this path must decide on the ast")


_sys.meta_path.insert(0, _NoLibcst())
'''


def lint_probe(target: str) -> str:
    """A probe that runs ``dlmigrate lint --to TARGET --output-format json`` on the paths given as a JSON list on
    stdin, libcst blocked, and prints its exit code, output and whichever libcst modules got imported (as JSON)."""
    return NO_LIBCST + r'''
import contextlib, io, json, sys

from migrate.cli import main

out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    code = main(["lint", "--no-config", "--to", "%s", "--jobs", "1", "--output-format", "json",
                 *json.load(sys.stdin)])
print(json.dumps({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue(),
                  "libcst": sorted(m for m in sys.modules if m == "libcst" or m.startswith("libcst."))}))
''' % target


def told(findings, spans: bool = False) -> list[tuple]:
    """What a user is told, sorted, to compare lint with convert: code, place, message, safety, severity (and,
    with ``spans``, where each finding ends)."""
    return sorted((f.code, f.line, f.column, f.message, f.safety.value, f.severity.value,
                   *((f.end_line, f.end_column) if spans else ())) for f in findings)
