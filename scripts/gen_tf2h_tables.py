"""Generate the tf2_hygiene tables from the installed TensorFlow (``make tables`` runs the TF1 ones).

compat_v1_identical.json: every ``tf.compat.v1.X`` whose object *is* (``is``) an
object of the TF2 API, mapped to its TF2 name.  Identity is what makes the
rename safe: the new name evaluates to the very same function or class.

v1_optimizer_params.json: positional parameter order of the ``tf.compat.v1.train``
optimizers, so positional arguments can become keywords before the Keras rename.
"""
from __future__ import annotations

import inspect
import json
import os
import sys
import types
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "rules" / "tf2_hygiene" / "generated"
V1_OPTIMIZERS = ("GradientDescentOptimizer", "MomentumOptimizer", "AdamOptimizer", "AdagradOptimizer",
                 "RMSPropOptimizer", "AdadeltaOptimizer")


def _api_modules(root: types.ModuleType, prefix: str, skip: tuple[str, ...] = ()):
    """(dotted path, object) for every public name under an API module tree."""
    seen: set[int] = set()
    stack = [(prefix, root)]
    while stack:
        path, module = stack.pop()
        if id(module) in seen:
            continue
        seen.add(id(module))
        for name in sorted(dir(module)):
            if name.startswith("_"):
                continue
            dotted = f"{path}.{name}"
            if dotted in skip:
                continue
            try:
                value = getattr(module, name)
            except Exception:  # noqa: BLE001 - lazy loaders may fail; such names cannot be compared
                continue
            if isinstance(value, types.ModuleType):
                # only the public API tree (tensorflow._api.v2.*); keras, estimator and friends are other packages
                if getattr(value, "__name__", "").startswith("tensorflow._api.v2") and not dotted.endswith(".compat"):
                    stack.append((dotted, value))
                continue
            yield dotted, value


def _comparable(value: object) -> bool:
    return inspect.isclass(value) or inspect.isroutine(value) or isinstance(value, tf.dtypes.DType)


def identical_names() -> dict[str, str]:
    v2: dict[int, list[str]] = {}
    for dotted, value in _api_modules(tf, "tensorflow", skip=("tensorflow.compat",)):
        if _comparable(value):
            v2.setdefault(id(value), []).append(dotted)
    table: dict[str, str] = {}
    for dotted, value in _api_modules(tf.compat.v1, "tensorflow.compat.v1"):
        if not _comparable(value) or id(value) not in v2:
            continue
        relative = "tensorflow." + dotted[len("tensorflow.compat.v1."):]
        candidates = v2[id(value)]
        # the same relative path when TF2 has it, else the shortest TF2 spelling
        table[dotted] = relative if relative in candidates else min(candidates, key=lambda c: (c.count("."), len(c), c))
    return dict(sorted(table.items()))


def optimizer_params() -> dict[str, dict]:
    entries = {}
    for name in V1_OPTIMIZERS:
        cls = getattr(tf.compat.v1.train, name)
        params = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
        entries[f"tensorflow.compat.v1.train.{name}"] = {"params": params, "keep": 1}
    return entries


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    header = {"generated_by": "scripts/gen_tf2h_tables.py", "tensorflow": tf.__version__}
    identical = identical_names()
    (OUT / "compat_v1_identical.json").write_text(json.dumps({**header, "entries": identical}, indent=1) + "\n")
    params = optimizer_params()
    (OUT / "v1_optimizer_params.json").write_text(json.dumps({**header, "entries": params}, indent=1) + "\n")
    print(f"compat_v1_identical: {len(identical)} names; v1 optimizers: {len(params)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
