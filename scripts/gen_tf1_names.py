"""Which TF2001/TF2002 names still exist in the installed TF 2 API (rule set tf1_names excludes them).

lint reports TF1-only names in any file with convert's codes by including the
TF2001/TF2002 rules (rules/tf1_names/ruleset.toml).  Some of their TF1 names
exist in TF2 with another meaning (``tf.where`` is where_v2 in TF2): in a TF1
file convert must move them to tf.compat.v1, but in a TF2 file they are right.
This lists every such key, found by looking each one up in the installed
TensorFlow, into rules/tf1_names/generated/exists_in_tf2.json.  ``--check`` compares.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.pop("TF_USE_LEGACY_KERAS", None)  # the TF 2.21 a user gets by default (Keras 3)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "rules" / "tf1_names" / "generated" / "exists_in_tf2.json"
TABLES = ("renames_canonical.json", "renames_compat_v1.json")


def exists(tf, qualified: str) -> bool:
    obj = tf
    for part in qualified.split(".")[1:]:
        try:
            obj = getattr(obj, part)
        except AttributeError:
            return False
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    import tensorflow as tf

    keys = []
    for name in TABLES:
        data = json.loads((ROOT / "rules" / "tf1_to_tf2" / "generated" / name).read_text(encoding="utf-8"))
        keys += [k for k in data.get("entries", data) if k.startswith("tensorflow.") and exists(tf, k)]
    text = json.dumps({"generator": "scripts/gen_tf1_names.py", "tensorflow": tf.__version__,
                       "names": sorted(keys)}, indent=1) + "\n"
    if args.check:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print(f"stale: {OUT.relative_to(ROOT)}", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(keys)} TF1 names that TF2 still has")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
