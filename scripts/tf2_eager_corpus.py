"""Measure ``--to tf2`` on a corpus: share converted fully, and validation of every converted program.

    python scripts/tf2_eager_corpus.py [corpus/tf1] [--out DIR] [--json FILE] [--no-run]

For each program: convert with ``--to tf2`` twice (generated functions under
``tf.function``, and eager with TF4003 deselected). A program is *fully*
converted when TF4001 rewrote it and the output has no ``tf.compat.v1``, no
Session and no placeholder. Then, unless ``--no-run``:

* each output (full or partial) is validated against the original with
  ``dlmigrate validate``'s pipeline (fully converted ones in both modes);
* each full conversion is run plainly with Keras 3: ``TF_USE_LEGACY_KERAS``
  unset and ``tf_keras`` made unimportable.

Prints one line per program and a summary; ``--json`` writes the records.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from migrate.convert import convert_text  # noqa: E402
from migrate.model import Safety  # noqa: E402
from migrate.rules import load_rules, rulesets_for_target  # noqa: E402

APPLY = frozenset({Safety.SAFE, Safety.REVIEW})
KERAS3_RUN = (
    "import os, runpy, sys\n"
    "os.environ.pop('TF_USE_LEGACY_KERAS', None)\n"
    "sys.modules['tf_keras'] = None  # importing tf_keras now fails\n"
    "runpy.run_path(sys.argv[1], run_name='__main__')\n"
    "import keras\n"
    "assert keras.__version__.startswith('3'), keras.__version__\n"
)


def is_full(code: str, codes: set[str]) -> bool:
    """TF4001 rewrote it, and no identifier in the code (strings and comments aside) is TF1 graph API."""
    import ast

    names = set()
    tree = ast.parse(code)
    assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id not in assigned:  # the program's own variable (say `v1`) is not TF1 API
                names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(a.name for a in node.names)
            names.update((getattr(node, "module", None) or "").split("."))
            names.update(part for a in node.names for part in a.name.split("."))
    return "TF4001" in codes and not names & {"v1", "Session", "InteractiveSession", "placeholder"}


def convert_all(corpus: Path, out: Path) -> list[dict]:
    rules = {"tf_function": load_rules(rulesets_for_target("tf2")),
             "eager": load_rules(rulesets_for_target("tf2"), ignore=["TF4003"])}
    records = []
    for path in sorted(corpus.rglob("*.py")):
        relative = path.relative_to(corpus)
        text = path.read_text(encoding="utf-8")
        record = {"program": str(relative), "modes": {}}
        for mode, ruleset in rules.items():
            started = time.perf_counter()
            code, findings = convert_text(text, ruleset, APPLY, str(path))
            target = out / mode / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(code, encoding="utf-8")
            codes = {f.code for f in findings}
            record["modes"][mode] = {"path": str(target), "full": is_full(code, codes),
                                     "convert_s": round(time.perf_counter() - started, 3)}
            blocked = [f for f in findings if f.code == "TF4002"]
            if blocked:
                record["blocked"] = f"line {blocked[0].line}: {blocked[0].message}"
        record["full"] = record["modes"]["tf_function"]["full"]
        records.append(record)
    return records


def validate(original: Path, rewritten: Path) -> dict:
    """``dlmigrate validate`` with its defaults; each side's executor picks tf-keras (TF1 code) or Keras 3 (an
    eager rewrite carries the ``# dlmigrate: session.run`` marker), whatever TF_USE_LEGACY_KERAS is here."""
    from migrate.validate.pipeline import ValidateOptions, validate_pair

    result = validate_pair(original, rewritten, ValidateOptions(keras="per-program"))
    errors = [o.max_abs_error for o in result.outputs if o.max_abs_error is not None]
    return {"verdict": result.verdict.value, "message": result.message, "outputs": len(result.outputs),
            "max_abs_error": max(errors) if errors else None, "wall_s": result.wall_s}


def run_keras3(program: Path) -> dict:
    env = dict(os.environ)
    env.pop("TF_USE_LEGACY_KERAS", None)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", KERAS3_RUN, str(program)], capture_output=True, text=True,
                          env=env, cwd=program.parent, timeout=600)
    return {"ok": done.returncode == 0, "wall_s": round(time.perf_counter() - started, 1),
            "error": done.stderr.strip().splitlines()[-1] if done.returncode and done.stderr.strip() else ""}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT / "corpus" / "tf1"))
    parser.add_argument("--out", default="/tmp/dlmigrate-tf2-eager")
    parser.add_argument("--json", default="")
    parser.add_argument("--no-run", action="store_true", help="convert and classify only")
    parser.add_argument("--only", default="", help="regex on program paths")
    args = parser.parse_args(argv)
    corpus, out = Path(args.corpus), Path(args.out)
    records = convert_all(corpus, out)
    if args.only:
        records = [r for r in records if re.search(args.only, r["program"])]
    for record in records:
        original = corpus / record["program"]
        library = not re.search(r"\bSession\b|\bprint\(", original.read_text(encoding="utf-8"))
        if library:
            record["library"] = True  # nothing observable on its own: validated through the script importing it
        if not args.no_run and not library:
            if record["full"]:
                for mode in ("tf_function", "eager"):
                    record["modes"][mode]["validate"] = validate(original, Path(record["modes"][mode]["path"]))
                record["keras3_run"] = run_keras3(Path(record["modes"]["tf_function"]["path"]))
            else:
                record["modes"]["tf_function"]["validate"] = validate(
                    original, Path(record["modes"]["tf_function"]["path"]))
        verdicts = " ".join(f"{mode}={m['validate']['verdict']}(max err {m['validate']['max_abs_error']})"
                            for mode, m in record["modes"].items() if "validate" in m)
        keras3 = record.get("keras3_run")
        print(f"{'FULL ' if record['full'] else 'compat'} {record['program']:40s} {verdicts}"
              + (f" keras3-run={'ok' if keras3['ok'] else 'FAIL ' + keras3['error']}" if keras3 else "")
              + ("" if record["full"] else f"  [{record.get('blocked', '')[:150]}]"), flush=True)
    full = sum(r["full"] for r in records)
    print(f"\nfully converted: {full} of {len(records)} ({100 * full / max(1, len(records)):.0f}%)")
    if not args.no_run:
        validated = [m["validate"] for r in records for m in r["modes"].values() if "validate" in m]
        libraries = [r["program"] for r in records if r.get("library")]
        if libraries:
            print(f"library modules, validated through their importers: {', '.join(libraries)}")
        passed = sum(v["verdict"] == "PASS" for v in validated)
        print(f"validations passed: {passed} of {len(validated)}")
        runs = [r["keras3_run"] for r in records if "keras3_run" in r]
        print(f"full conversions running on Keras 3 without tf_keras: {sum(r['ok'] for r in runs)} of {len(runs)}")
    if args.json:
        Path(args.json).write_text(json.dumps(records, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
