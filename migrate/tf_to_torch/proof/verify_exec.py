"""Run a batch of table cases on ONE framework in this process: stdlib + numpy + that framework only.

    python verify_exec.py --framework tf|torch --cases CASES.json --inputs INPUTS.npz --out DIR [--device cuda]

Each case is ``{"id", "code", "inputs": {name: npz key}}``; ``code`` is one
expression evaluated with the inputs bound as framework tensors.  Whatever it
returns (tensor, tuple, list, namedtuple) is flattened to arrays and written to
``DIR/outputs.npz`` as ``<id>/<k>``; ``DIR/results.json`` has per case the
error (if any) and the number of outputs.  Torch runs on CUDA when asked and
available, with TF32 off for matmul and cuDNN.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import traceback

import numpy as np


def _flatten(value):
    if isinstance(value, dict):
        for key in sorted(value):
            yield from _flatten(value[key])
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _flatten(item)
    elif value is None:  # an absent optional output (e.g. shift=None); a None on one side only shows as a count mismatch
        return
    else:
        yield value


def _numpy(value):
    if hasattr(value, "detach"):  # torch
        return value.detach().cpu().numpy()
    if hasattr(value, "numpy"):  # tf eager tensor
        return np.asarray(value.numpy())
    return np.asarray(value)


def _namespace(framework: str, device: str):
    if framework == "tf":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf

        tf.random.set_seed(0)  # reproducible runs (values still differ from torch's: random ops compare as distributions)
        try:
            tf.config.experimental.enable_tensor_float_32_execution(False)
        except Exception:  # noqa: BLE001 - older TF
            pass
        keras = getattr(tf.keras, "__version__", "?")
        return {"tf": tf, "np": np, "math": math}, (lambda a: tf.constant(a)), f"{tf.__version__} (keras {keras})", "cpu"
    import torch
    import torch.nn.functional as F

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    use = "cuda" if device in ("cuda", "auto") and torch.cuda.is_available() else "cpu"
    torch.manual_seed(0)
    return ({"torch": torch, "F": F, "np": np, "math": math},
            (lambda a: torch.from_numpy(np.ascontiguousarray(a)).to(use)), torch.__version__, use)


def run(framework: str, cases: list[dict], inputs, out_dir: str, device: str = "cpu") -> dict:
    namespace, to_tensor, version, used = _namespace(framework, device)
    arrays: dict[str, np.ndarray] = {}
    results: dict[str, dict] = {}
    started = time.perf_counter()
    for case in cases:
        scope = dict(namespace)
        try:
            for name, key in case.get("inputs", {}).items():
                scope[name] = to_tensor(inputs[key])
            value = eval(compile(case["code"], f"<{case['id']}>", "eval"), scope)  # noqa: S307 - the verifier's job
            outs = [_numpy(v) for v in _flatten(value)]
            for k, array in enumerate(outs):
                arrays[f"{case['id']}/{k}"] = array
            results[case["id"]] = {"n": len(outs)}
        except Exception as exc:  # noqa: BLE001 - every failure is a verdict
            results[case["id"]] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}",
                                   "trace": traceback.format_exc(limit=2)[-600:]}
    os.makedirs(out_dir, exist_ok=True)
    np.savez(os.path.join(out_dir, "outputs.npz"), **arrays)
    meta = {"framework": framework, "version": version, "device": used, "seconds": time.perf_counter() - started,
            "results": results}
    with open(os.path.join(out_dir, "results.json"), "w", encoding="utf-8") as handle:
        json.dump(meta, handle)
    return meta


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--framework", choices=("tf", "torch"), required=True)
    parser.add_argument("--cases", required=True)
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    with open(args.cases, encoding="utf-8") as handle:
        cases = json.load(handle)
    inputs = np.load(args.inputs)
    run(args.framework, cases, inputs, args.out, args.device)
    return 0


if __name__ == "__main__":
    sys.exit(main())
