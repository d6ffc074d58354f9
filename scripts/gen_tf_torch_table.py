"""Build rules/tf_to_torch/generated/table.json (and reverse.json) from the installed TensorFlow and PyTorch.

    python scripts/gen_tf_torch_table.py

Bulk: every public function of tf, tf.math, tf.nn, tf.linalg, tf.signal,
tf.image, tf.random, tf.keras.losses, tf.keras.activations, tf.bitwise,
tf.dtypes, tf.experimental.numpy and tf.keras.ops is read with
``inspect.signature``; functions whose signature is an element-wise unary
(``x, name``), binary (``x, y, name``) or reduction (``input_tensor, axis,
keepdims, name``) shape - for tf.experimental.numpy and tf.keras.ops the NumPy
shapes ``x`` and ``x1, x2`` - are matched by name (plus synonym lists) against
``torch``, ``torch.special``, ``torch.linalg`` and ``torch.nn.functional``.
Curated: ``rules/tf_to_torch/curated/*.toml`` (hand-written data: argument maps,
preconditions, pitfalls, examples, and the naive mapping each pitfall defeats)
override or add entries; a curated entry keyed by a canonical name applies to
every TF alias of the same function object.

Nothing here is trusted: ``dlmigrate rules verify --ruleset tf_to_torch`` runs
every entry's examples on both frameworks and only PASS entries ship as safe.
"""
from __future__ import annotations

import inspect
import json
import os
import re
import sys
import tomllib
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "rules" / "tf_to_torch" / "generated"
CURATED = ROOT / "rules" / "tf_to_torch" / "curated"

MODULES = ["", "math", "nn", "linalg", "signal", "image", "random", "keras.losses", "keras.activations", "bitwise",
           "dtypes", "experimental.numpy", "keras.ops"]
# tf.experimental.numpy names -> torch names where they differ
TNP_SYNONYMS = {"absolute": "abs", "fabs": "abs", "conjugate": "conj_physical", "cbrt": None, "around": None,
                "round": None, "fix": "fix", "mod": "remainder", "remainder": "remainder", "power": "pow",
                "float_power": None, "divide": "true_divide", "true_divide": "true_divide", "arctan2": "atan2",
                "heaviside": "heaviside", "matmul": None, "logaddexp2": "logaddexp2", "angle": "angle", "sinc": "sinc"}

# TF name -> torch name where the names differ (element-wise / reductions)
SYNONYMS = {
    "negative": "neg", "multiply": "mul", "subtract": "sub", "divide": "true_divide", "truediv": "true_divide",
    "equal": "eq", "not_equal": "ne", "greater": "gt", "greater_equal": "ge", "less": "lt", "less_equal": "le",
    "is_nan": "isnan", "is_inf": "isinf", "is_finite": "isfinite", "floormod": "remainder", "mod": "remainder",
    "truncatemod": "fmod", "reduce_sum": "sum", "reduce_mean": "mean", "reduce_prod": "prod", "reduce_max": "amax",
    "reduce_min": "amin", "reduce_any": "any", "reduce_all": "all", "reduce_logsumexp": "logsumexp",
    "log_sigmoid": "logsigmoid", "reciprocal": "reciprocal", "rint": "round", "conj": "conj_physical",
    "bessel_i0": "i0", "bessel_i0e": "i0e", "bessel_i1": "i1", "bessel_i1e": "i1e", "ndtri": "ndtri",
    "igamma": "gammainc", "igammac": "gammaincc", "zeta": "zeta", "polygamma": "polygamma",
    "logical_and": "logical_and", "logical_or": "logical_or", "logical_xor": "logical_xor",
    "bitwise_and": "bitwise_and", "erfcinv": None, "add": "add", "add_n": None, "sigmoid": "sigmoid",
    "selu": "selu", "elu": "elu", "relu": "relu", "relu6": "relu6", "softsign": "softsign", "tanh": "tanh",
    "softplus": "softplus", "silu": "silu", "swish": "silu", "mish": "mish", "gelu": None,
    "l2_normalize": None, "squared_difference": None, "divide_no_nan": None, "multiply_no_nan": None,
    "reduce_euclidean_norm": None, "reduce_variance": None, "reduce_std": None, "cumulative_logsumexp": None,
    "log_softmax": None, "softmax": None, "nextafter": "nextafter", "xdivy": None, "real": "real", "imag": "imag",
    "angle": "angle", "bitwise_or": "bitwise_or", "bitwise_xor": "bitwise_xor", "invert": "bitwise_not",
    "left_shift": "bitwise_left_shift", "right_shift": "bitwise_right_shift", "pow": "pow", "maximum": "maximum",
    "minimum": "minimum", "atan2": "atan2", "xlogy": "xlogy", "xlog1py": "xlog1py", "hard_sigmoid": None,
}
SKIP_TORCH = {"round"}
# tf.keras.ops functions whose (x) / (x1, x2) signature is not element-wise (matrices, shape-specific, or with
# a different result convention); the bulk would only produce failing entries for them.
KERAS_OPS_NOT_ELEMENTWISE = {"corrcoef", "det", "dot", "eig", "eigh", "fliplr", "flipud", "inv", "ldexp", "logdet",
                             "lu_factor", "slogdet", "vdot", "view_as_complex", "view_as_real", "outer", "inner",
                             "nonzero", "angle", "fabs", "matmul", "cross", "kron", "qr", "svd", "cholesky"}  # kept only through curated entries (checked explicitly)

# Input domains (low, high) where the op is defined only on part of the line.
DOMAINS = {
    "log": (0.1, 4), "sqrt": (0.1, 4), "rsqrt": (0.1, 4), "lgamma": (0.1, 4), "digamma": (0.2, 4),
    "log1p": (-0.5, 3), "acos": (-0.9, 0.9), "asin": (-0.9, 0.9), "atanh": (-0.9, 0.9), "acosh": (1.1, 4),
    "erfinv": (-0.9, 0.9), "ndtri": (0.05, 0.95), "reciprocal": (0.5, 3), "i0e": (-3, 3), "igamma": (0.5, 3),
    "igammac": (0.5, 3), "polygamma": (0.5, 3), "zeta": (1.5, 4), "pow": (0.2, 2), "logsumexp": (-3, 3),
    "gammainc": (0.5, 3), "gammaincc": (0.5, 3), "xlog1py": (0.1, 3), "xlogy": (0.1, 3),
    "arccos": (-0.9, 0.9), "arcsin": (-0.9, 0.9), "arctanh": (-0.9, 0.9), "arccosh": (1.1, 4), "log2": (0.1, 4),
    "log10": (0.1, 4), "power": (0.2, 2), "float_power": (0.2, 2),
}
INT_OK_UNARY = {"abs", "negative", "sign", "square", "bitwise_not", "invert"}
INT_OK_BINARY = {"add", "subtract", "multiply", "maximum", "minimum", "floormod", "mod", "truncatemod", "equal",
                 "not_equal", "greater", "greater_equal", "less", "less_equal", "bitwise_and", "bitwise_or",
                 "bitwise_xor"}
INT_ONLY = {"bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift"}
BOOL_OPS = {"logical_and", "logical_or", "logical_xor", "logical_not"}
INT_REDUCTIONS = {"reduce_sum", "reduce_prod", "reduce_max", "reduce_min"}
BOOL_REDUCTIONS = {"reduce_any", "reduce_all"}


def public_functions(tf):
    """(qualified name, function) for every public function of the listed modules, aliases included."""
    for module_name in MODULES:
        module = tf
        for part in filter(None, module_name.split(".")):
            module = getattr(module, part)
        prefix = "tensorflow." + (module_name + "." if module_name else "")
        for name in sorted(dir(module)):
            if name.startswith("_"):
                continue
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.ismodule(obj) or not callable(obj):
                continue
            yield prefix + name, name, obj


def signature_of(fn):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    params, defaults = [], {}
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            return None
        params.append(p.name)
        if p.default is not p.empty:
            defaults[p.name] = _default_text(p.default)
    return params, defaults


def _default_text(value) -> str:
    if hasattr(value, "name") and type(value).__name__ == "DType":
        return f"tf.{value.name}"
    if inspect.isfunction(value):  # a TF function as default (window_fn=hann_window): its public name, not a
        from tensorflow.python.util import tf_export  # repr with a memory address that changes every run

        public = tf_export.get_canonical_name_for_symbol(value)
        if public:
            return f"tf.{public}"
    text = repr(value)
    return text if len(text) < 80 else "<default>"


def torch_candidate(torch, name, linalg_first=False, tnp=False):
    """Qualified torch callable for a TF base name, or None."""
    import torch.nn.functional as F  # noqa: F401

    target = TNP_SYNONYMS.get(name, SYNONYMS.get(name, name)) if tnp else SYNONYMS.get(name, name)
    if target is None:
        return None
    order = [("torch", torch), ("torch.special", torch.special), ("torch.nn.functional", F),
             ("torch.linalg", torch.linalg)]
    if linalg_first:  # tf.linalg.X -> torch.linalg.X (torch.cholesky and friends are deprecated)
        order.insert(0, order.pop())
    for module_name, module in order:
        fn = getattr(module, target, None)
        if callable(fn) and not inspect.isclass(fn):
            return f"{module_name}.{target}"
    return None


def _range(name: str, torch_name: str):
    base = torch_name.rsplit(".", 1)[-1]
    return DOMAINS.get(name) or DOMAINS.get(base) or (-3, 3)


def bulk_entry(qualified, name, params, defaults, torch, tf_call_prefix):
    torch_name = torch_candidate(torch, name, qualified.startswith("tensorflow.linalg."),
                                 qualified.startswith(("tensorflow.experimental.numpy.", "tensorflow.keras.ops.")))
    if torch_name is None or name in SKIP_TORCH:
        return None
    low, high = _range(name, torch_name)
    dist = f"uniform:{low}:{high}"
    call = tf_call_prefix
    tnp = qualified.startswith(("tensorflow.experimental.numpy.", "tensorflow.keras.ops."))
    if qualified.startswith("tensorflow.keras.ops.") and name in KERAS_OPS_NOT_ELEMENTWISE:
        return None
    if tnp and params in (["x"], ["x1", "x2"]):
        return tnp_entry(qualified, name, params, torch_name, dist, call)
    if params == ["x", "name"] or params == ["features", "name"] or params == ["input", "name"]:
        x = params[0]
        if qualified.startswith("tensorflow.linalg."):
            inputs = [{x: ["float32", [3, 3], "spd"]}, {x: ["float64", [2, 4, 4], "spd"]}]
        elif name in ("real", "imag", "angle", "conj"):
            inputs = [{x: ["complex64", [3, 4], "complex"]}, {x: ["complex128", [5], "complex"]}]
        elif name in BOOL_OPS:
            inputs = [{x: ["bool", [3, 4], "bool"]}]
        elif name in INT_ONLY:
            inputs = [{x: ["int32", [3, 4], "int:-20:20"]}, {x: ["int64", [5], "int:-20:20"]}]
        else:
            inputs = [{x: ["float32", [6], dist]}, {x: ["float32", [3, 4], dist]}, {x: ["float64", [2, 3, 4], dist]}]
            if name in INT_OK_UNARY:
                inputs.append({x: ["int32", [3, 4], "int:-9:9"]})
        examples = [{"call": f"{call}({x})", "inputs": inp} for inp in inputs]
        if inputs[0][x][0].startswith("float") and not qualified.startswith("tensorflow.linalg."):  # a Python number
            examples.append({"call": f"{call}({(low + high) / 2!r})", "inputs": {}})
        return dict(tf=qualified, params=params, defaults=defaults, ignore=["name"], origin="name-match",
                    variants=[{"torch": f"{torch_name}({{{x}}})"}], examples=examples)
    if params == ["x", "y", "name"]:
        if name in BOOL_OPS:
            inputs = [{"x": ["bool", [3, 4], "bool"], "y": ["bool", [3, 4], "bool"]}]
        elif name in INT_ONLY:
            inputs = [{"x": ["int32", [3, 4], "int:0:50"], "y": ["int32", [3, 4], "int:0:5"]}]
        else:
            inputs = [{"x": ["float32", [3, 4], dist], "y": ["float32", [3, 4], dist]},
                      {"x": ["float32", [3, 4], dist], "y": ["float32", [4], dist]},
                      {"x": ["float64", [2, 5], dist], "y": ["float64", [2, 5], dist]}]
            if name in INT_OK_BINARY:
                inputs.append({"x": ["int32", [3, 4], "int:-20:20"], "y": ["int32", [3, 4], "nonzero:-6:6"]})
        return dict(tf=qualified, params=params, defaults=defaults, ignore=["name"], origin="name-match",
                    variants=[{"torch": f"{torch_name}({{x}}, {{y}})"}],
                    examples=[{"call": f"{call}(x, y)", "inputs": inp} for inp in inputs])
    if params == ["input_tensor", "axis", "keepdims", "name"]:
        x = "input_tensor"
        if name in BOOL_REDUCTIONS:
            kinds = [["bool", [3, 4], "bool"], ["bool", [2, 3, 4], "bool"]]
        else:
            kinds = [["float32", [3, 4], dist], ["float64", [2, 3, 4], dist]]
            if name in INT_REDUCTIONS:
                kinds.append(["int32", [3, 4], "int:-5:5"])
        calls = [f"{call}(x)", f"{call}(x, axis=1)", f"{call}(x, axis=-1, keepdims=True)", f"{call}(x, 0, True)",
                 f"{call}(x, axis=[0, 1])"]
        torch_short = torch_name
        return dict(tf=qualified, params=params, defaults=defaults, ignore=["name"], origin="name-match",
                    variants=[{"when": {"axis": "absent"}, "torch": f"{torch_short}({{{x}}})"},
                              {"when": {"axis": "value:None"}, "torch": f"{torch_short}({{{x}}})"},
                              {"torch": f"{torch_short}({{{x}}}, dim={{axis}}, ?keepdim={{keepdims}})"}],
                    examples=[{"call": c, "inputs": {"x": k}} for c in calls for k in kinds])
    return None


def tnp_entry(qualified, name, params, torch_name, dist, call):
    """tf.experimental.numpy / tf.keras.ops element-wise functions (``x`` or ``x1, x2``), tensor inputs only.

    NumPy type promotion differs from torch for integer inputs to float functions, so
    integer examples are added only for the integer-preserving functions (as in the
    TF bulk); a Python number argument is not exampled (tnp makes it float64).
    """
    torch_base = torch_name.rsplit(".", 1)[-1]
    if params == ["x"]:
        if name in ("real", "imag", "angle", "conj", "conjugate"):
            kinds = [["complex64", [3, 4], "complex"], ["complex128", [5], "complex"]]
        elif name in BOOL_OPS:
            kinds = [["bool", [3, 4], "bool"]]
        elif name in INT_ONLY or torch_base in ("bitwise_not", "gcd", "lcm"):
            kinds = [["int32", [3, 4], "int:-20:20"], ["int64", [5], "int:-20:20"]]
        else:
            kinds = [["float32", [6], dist], ["float32", [3, 4], dist], ["float64", [2, 3, 4], dist]]
            if name in INT_OK_UNARY or torch_base in ("abs", "neg", "sign", "square"):
                kinds.append(["int32", [3, 4], "int:-9:9"])
        return dict(tf=qualified, params=params, defaults={}, ignore=[], origin="name-match",
                    variants=[{"torch": f"{torch_name}({{x}})"}],
                    examples=[{"call": f"{call}(x)", "inputs": {"x": k}} for k in kinds])
    if name in BOOL_OPS:
        kinds = [(["bool", [3, 4], "bool"], ["bool", [3, 4], "bool"])]
    elif name in INT_ONLY or torch_base.startswith("bitwise_") or torch_base in ("gcd", "lcm"):
        kinds = [(["int32", [3, 4], "int:0:50"], ["int32", [3, 4], "int:0:5"])]
    else:
        kinds = [(["float32", [3, 4], dist], ["float32", [3, 4], dist]), (["float32", [3, 4], dist], ["float32", [4], dist]),
                 (["float64", [2, 5], dist], ["float64", [2, 5], dist])]
        if name in INT_OK_BINARY or torch_base in ("add", "sub", "mul", "maximum", "minimum", "remainder", "fmod", "eq",
                                                   "ne", "gt", "ge", "lt", "le", "greater", "less", "equal"):
            kinds.append((["int32", [3, 4], "int:-20:20"], ["int32", [3, 4], "nonzero:-6:6"]))
    return dict(tf=qualified, params=params, defaults={}, ignore=[], origin="name-match",
                variants=[{"torch": f"{torch_name}({{x1}}, {{x2}})"}],
                examples=[{"call": f"{call}(a, b)", "inputs": {"a": x1, "b": x2}} for x1, x2 in kinds])


def tf_spelling(qualified: str) -> str:
    return "tf" + qualified[len("tensorflow"):]


def load_curated():
    curated = {}
    for path in sorted(CURATED.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for key, entry in data.get("ops", {}).items():
            if key in curated:
                raise SystemExit(f"{path.name}: {key} curated twice")
            entry["_file"] = path.name
            curated[key] = entry
    return curated


def curated_entry(qualified, params, defaults, spec):
    tf_call = tf_spelling(qualified)
    examples = []
    for example in spec["examples"]:
        call = example["call"].replace("TF(", tf_call + "(")
        for inputs in example.get("inputs_list", [example.get("inputs", {})]):
            item = {"call": call, "inputs": inputs}
            for key in ("tolerance", "random", "setup", "known_difference", "apply"):
                if key in example:
                    item[key] = example[key]
            examples.append(item)
    entry = dict(tf=qualified, params=spec.get("params", params), defaults={**defaults, **spec.get("defaults", {})},
                 ignore=spec.get("ignore", ["name"]), origin="curated", variants=spec["variants"], examples=examples)
    for key in ("preconditions", "pitfall", "naive", "random", "unmapped_reason", "tolerance", "safety_note"):
        if key in spec:
            entry[key] = spec[key]
    return entry


def main() -> int:
    import tensorflow as tf
    import torch

    curated = load_curated()
    entries, seen_curated = [], set()
    canonical_of = {}  # id(function) -> first qualified name
    functions = list(public_functions(tf))
    for qualified, name, fn in functions:
        canonical_of.setdefault(id(fn), qualified)
    by_name = {q[len("tensorflow."):]: f for q, _, f in functions}
    curated_by_id = {id(by_name[k]): k for k in curated if k in by_name}
    for qualified, name, fn in functions:
        sig = signature_of(fn)
        short = qualified[len("tensorflow."):]
        canonical = canonical_of[id(fn)][len("tensorflow."):]
        key = short if short in curated else canonical if canonical in curated else curated_by_id.get(id(fn))
        spec = curated.get(key) if key else None
        if spec is not None:
            seen_curated.add(key)
            if spec.get("skip"):
                continue
            params, defaults = sig if sig else (spec.get("params", []), {})
            entries.append(curated_entry(qualified, params, defaults, spec))
            continue
        if sig is None:
            continue
        params, defaults = sig
        entry = bulk_entry(qualified, name, params, defaults, torch, tf_spelling(qualified))
        if entry is not None:
            entries.append(entry)
    for key in sorted(set(curated) - seen_curated):  # classes (Keras loss objects) exist only as curated entries
        obj = tf
        for part in key.split("."):
            obj = getattr(obj, part, None)
        if obj is None or not inspect.isclass(obj) or curated[key].get("skip"):
            continue
        seen_curated.add(key)
        params, defaults = signature_of(obj) or (curated[key].get("params", []), {})
        entry = curated_entry("tensorflow." + key, params, defaults, curated[key])
        entry["kind"] = "object"  # the TF call builds a callable; its torch template is a callable expression
        entries.append(entry)
    missing = sorted(set(curated) - seen_curated)
    if missing:
        print(f"warning: curated entries name no installed TF function: {', '.join(missing)}", file=sys.stderr)
    entries.sort(key=lambda e: e["tf"])
    OUT.mkdir(parents=True, exist_ok=True)
    versions = {"tensorflow": tf.__version__, "torch": torch.__version__}
    (OUT / "table.json").write_text(json.dumps({"versions": versions, "generator": "scripts/gen_tf_torch_table.py",
                                                "entries": entries}, indent=1, sort_keys=True) + "\n")
    reverse = build_reverse(entries, torch)
    (OUT / "reverse.json").write_text(json.dumps({"versions": versions, "generator": "scripts/gen_tf_torch_table.py",
                                                  "entries": reverse}, indent=1, sort_keys=True) + "\n")
    origins = {}
    for e in entries:
        origins[e["origin"]] = origins.get(e["origin"], 0) + 1
    print(f"{len(entries)} entries ({origins}), {len(reverse)} reverse entries; TF {tf.__version__}, torch {torch.__version__}")
    return 0


# -- reverse direction: torch -> tf, from the same entries
_SIMPLE = re.compile(r"^(torch(?:\.\w+)*)\((.*)\)$")


def torch_signature(torch, qualified):
    """Parameter names of a torch callable: inspect, else the first ``name(...)`` line of its docstring."""
    module_name, _, name = qualified.rpartition(".")
    module = torch
    for part in module_name.split(".")[1:]:
        module = getattr(module, part)
    fn = getattr(module, name)
    try:
        return [p.name for p in inspect.signature(fn).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        pass
    for line in (fn.__doc__ or "").splitlines():
        match = re.match(rf"\s*(?:[\w.]*\.)?{name}\((.*?)\)\s*(->|$)", line)
        if match:
            names = []
            for part in match.group(1).split(","):
                part = part.strip()
                if part in ("*", "") or part.startswith("*"):
                    break
                names.append(part.split("=")[0].split(":")[0].strip())
            return names
    return None


def build_reverse(entries, torch):
    """torch name -> TF call (the ``--to tf`` direction), derived from the forward entries.

    A forward variant qualifies when its torch side is one call ``torch.X(...)`` whose arguments
    are placeholders (``{p}``, ``k={p}``, ``?k={p}``) or literal keywords (``correction=0``, which
    the torch call must then spell).  Its conditions on TF parameters must be expressible on the
    torch side (a condition on an unmapped TF parameter must hold for the TF default).  The most
    specific TF spelling is kept per torch name.  Examples: the forward examples' rendered torch
    calls, run back through this entry (``rules verify``).
    """
    by_torch = {}
    for entry in entries:
        if entry.get("random"):
            continue
        merged_by_torch = {}
        for variant in entry["variants"]:  # forward order: specific conditions first
            candidate = _reverse_of(entry, variant, torch)
            if candidate is None:
                continue
            merged = merged_by_torch.get(candidate["torch"])
            if merged is None:
                merged_by_torch[candidate["torch"]] = candidate
            else:
                merged["variants"].extend(candidate["variants"])
                merged["ignore"] = sorted(set(merged["ignore"]) | set(candidate["ignore"]))
                merged["params"] += [p for p in candidate["params"] if p not in merged["params"]]
        for merged in merged_by_torch.values():
            previous = by_torch.get(merged["torch"])
            if previous is None or _rank(merged["tf"]) < _rank(previous["tf"]):
                by_torch[merged["torch"]] = merged
    for spec in load_curated_reverse():
        by_torch[spec["torch"]] = spec
    return sorted(by_torch.values(), key=lambda e: e["torch"])


def load_curated_reverse():
    """Hand-written torch -> TF entries (``[reverse."torch.X"]`` tables): creation ops, default reductions."""
    specs = []
    for path in sorted(CURATED.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for name, spec in data.get("reverse", {}).items():
            examples = []
            for example in spec.get("examples", []):
                for inputs in example.get("inputs_list", [example.get("inputs", {})]):
                    item = {"call": example["call"].replace("PT(", name + "("), "inputs": inputs}
                    if "apply" in example:  # a torch loss module: built, then called on the inputs
                        item["apply"] = example["apply"]
                    examples.append(item)
            specs.append(dict(torch=name, tf=spec["tf"], params=spec["params"], defaults=spec.get("defaults", {}),
                              ignore=spec.get("ignore", []), origin="curated-reverse", variants=spec["variants"],
                              examples=examples, pitfall=spec.get("pitfall", "")))
    return specs


def _split_args(text):
    parts, depth, current = [], 0, ""
    for char in text:
        if char in "([{" and not (char == "{" and depth == 0 and current.strip().endswith(("=", "")) and False):
            depth += char in "(["
        if char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def _reverse_of(entry, variant, torch):
    match = _SIMPLE.match(variant["torch"])
    if not match:
        return None
    torch_name, args_text = match.groups()
    if "(" in args_text or "[" in args_text or "." in args_text.replace("{", "").split("}")[0][:0]:
        return None
    positional, required, optional, literals, dtype_params = [], {}, {}, {}, set()
    for arg in _split_args(args_text):
        m_pos = re.fullmatch(r"\{(\w+)\}", arg)
        m_kw = re.fullmatch(r"(\??)(\w+)=\{(\w+)(:dtype)?\}", arg)
        m_lit = re.fullmatch(r"(\w+)=([^{}]+)", arg)
        if m_pos:
            positional.append(m_pos.group(1))
        elif m_kw:
            (optional if m_kw.group(1) else required)[m_kw.group(2)] = m_kw.group(3)
            if m_kw.group(4):
                dtype_params.add(m_kw.group(2))
        elif m_lit and "." not in m_lit.group(2).replace("torch.", ""):
            literals[m_lit.group(1)] = m_lit.group(2).strip()
        else:
            return None
    torch_params = torch_signature(torch, torch_name)
    if torch_params is None or len(positional) > len(torch_params):
        return None
    mapping = {torch_params[i]: tf_param for i, tf_param in enumerate(positional)}
    mapping.update(required)
    mapping.update(optional)
    tf_to_torch = {v: k for k, v in mapping.items()}
    when = {torch_params[i]: ["present"] for i in range(len(positional))}
    for k in required:
        when[k] = ["present"]
    for k, value in literals.items():
        when[k] = [f"value:{value}"]
    defaults = entry.get("defaults", {})
    for tf_param, conds in variant.get("when", {}).items():
        conds = conds if isinstance(conds, list) else [conds]
        if tf_param in tf_to_torch:
            when.setdefault(tf_to_torch[tf_param], []).extend(c for c in conds if c != "absent")
            if "absent" in conds:
                return None
        else:
            for cond in conds:
                if cond == "absent" or (cond.startswith("value:") and defaults.get(tf_param) == cond[6:]):
                    continue
                return None
    first_tf = entry["params"][0] if entry["params"] else None
    args = []
    for torch_param, tf_param in mapping.items():
        if tf_param == first_tf:
            args.insert(0, f"{{{torch_param}}}")
        elif torch_param in optional:
            args.append(f"?{tf_param}={{{torch_param}{':tfdtype' if torch_param in dtype_params else ''}}}")
        else:
            args.append(f"{tf_param}={{{torch_param}{':tfdtype' if torch_param in dtype_params else ''}}}")
    if first_tf not in tf_to_torch:
        return None
    order = torch_params + [k for k in [*required, *optional, *literals] if k not in torch_params]
    return dict(torch=torch_name, tf=entry["tf"], params=order, defaults={}, ignore=list(literals),
                origin="reverse", variants=[{"when": when, "torch": f"{tf_spelling(entry['tf'])}({', '.join(args)})"}])


def _rank(tf_name):
    """Prefer the most specific module (tf.math.abs over tf.abs); tf.experimental.numpy only as a last resort."""
    return (5 if ".keras.ops." in tf_name else 4 if ".experimental.numpy." in tf_name else 3 if ".keras." in tf_name else 0 if tf_name.startswith("tensorflow.nn.") else
            1 if tf_name.count(".") >= 2 else 2, tf_name)


if __name__ == "__main__":
    sys.exit(main())
