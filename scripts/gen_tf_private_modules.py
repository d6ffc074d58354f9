"""List the private ``tensorflow.python`` modules of the installed TensorFlow (rule TF2108).

TF1 code often imports private modules (``from tensorflow.python.ops import
rnn_cell_impl``); they move or vanish between releases.  This walks the
installed package's files (no import of TensorFlow) and writes every module and
package name under ``tensorflow.python`` to
``rules/tf1_to_tf2/generated/tf_python_modules.json``.  ``--check`` compares.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "rules" / "tf1_to_tf2" / "generated" / "tf_python_modules.json"


def modules() -> list[str]:
    package = Path(importlib.util.find_spec("tensorflow").origin).parent
    base = package / "python"
    names = {"tensorflow.python"}
    for path in base.rglob("*"):
        if path.suffix not in (".py", ".so", ".pyd") or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(package.parent)
        parts = list(relative.parent.parts) + [path.name.split(".")[0]]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if all(p.isidentifier() for p in parts):
            names.add(".".join(parts))
            for i in range(2, len(parts)):
                names.add(".".join(parts[:i]))
    return sorted(names)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    data = {"generator": "scripts/gen_tf_private_modules.py", "tensorflow": metadata.version("tensorflow-cpu")
            if _installed("tensorflow-cpu") else metadata.version("tensorflow"),
            "entries": {"modules": modules()}}
    text = json.dumps(data, indent=0) + "\n"
    if args.check:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print(f"stale: {OUT.relative_to(ROOT)}", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(data['entries']['modules'])} modules")
    return 0


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
        return True
    except metadata.PackageNotFoundError:
        return False


if __name__ == "__main__":
    raise SystemExit(main())
