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
