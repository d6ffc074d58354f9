"""Deprecated keywords that TF 2.21 still accepts next to their new name (rule TF2112).

TF2 kept some TF1 keyword names as deprecated aliases in the same signature:
``tf.nn.l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None)``.  A call
with the old name works but warns, and the alias can go in any release.  This
walks the installed TF2 API (``tensorflow``, not ``compat.v1``), and for every
function whose signature has both names of a known alias pair writes
``{function: {old: new}}`` to rules/tf1_to_tf2/generated/deprecated_keywords.json.
Pairs TF2004's table already renames (TF1-only keywords) are left to it.
``--check`` compares.
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
import types
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "rules" / "tf1_to_tf2" / "generated" / "deprecated_keywords.json"
# (deprecated alias, current name): the aliases of TF's deprecated_argument_lookup in the TF2 API
PAIRS = (("dim", "axis"), ("keep_dims", "keepdims"), ("dimension", "axis"), ("reduction_indices", "axis"),
         ("squeeze_dims", "axis"), ("batch_dim", "batch_axis"), ("seq_dim", "seq_axis"))
SKIPPED = ("compat", "keras", "raw_ops")


def walk(tf):
    seen: set[int] = set()
    stack = [("tensorflow", tf)]
    while stack:
        path, module = stack.pop()
        if id(module) in seen:
            continue
        seen.add(id(module))
        for name in sorted(dir(module)):
            if name.startswith("_") or (path == "tensorflow" and name in SKIPPED):
                continue
            try:
                obj = getattr(module, name)
            except Exception:  # noqa: BLE001 - lazy modules that fail to load are not API we can use
                continue
            dotted = f"{path}.{name}"
            if isinstance(obj, types.ModuleType):
                if obj.__name__.startswith("tensorflow._api."):  # public API modules only
                    stack.append((dotted, obj))
            elif callable(obj) and not isinstance(obj, type):
                yield dotted, obj


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    import tensorflow as tf

    existing = json.loads((OUT.parent / "keyword_renames.json").read_text(encoding="utf-8"))
    existing = existing.get("entries", existing)
    table: dict[str, dict[str, str]] = {}
    for dotted, func in walk(tf):
        try:
            params = set(inspect.signature(func).parameters)
        except (TypeError, ValueError):
            continue
        for old, new in PAIRS:
            if old in params and new in params and old not in existing.get(dotted, {}):
                table.setdefault(dotted, {})[old] = new
    data = {"generator": "scripts/gen_deprecated_keywords.py", "tensorflow": tf.__version__,
            "entries": dict(sorted(table.items()))}
    text = json.dumps(data, indent=1) + "\n"
    if args.check:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print(f"stale: {OUT.relative_to(ROOT)}", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {sum(len(v) for v in table.values())} keywords over {len(table)} functions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
