"""Run one program and record what it computed: the half of ``dlmigrate validate`` inside the user's process.

This file is deliberately standalone: it imports only the standard library,
numpy and the framework the program itself imports, so it can be copied to a
bare machine (a GPU box without TensorFlow, say) and run as::

    python executor.py --program model.py --out DIR [--device cuda] [--seed 0]

It writes ``DIR/outputs.npz`` (one array per observed value) and
``DIR/manifest.json`` (framework and versions, device, seed, dtypes, sites,
and the error if the program failed).  What it observes:

* every ``Session.run`` (TF1 graph programs), in call order, with its call line;
* every ``dlmigrate_observe(name, value)`` call (a builtin the executor installs;
  also ``from dlmigrate_observe import observe``);
* the module-level variables holding numbers/arrays/tensors when the program ends;
* in function mode (``--entry``), the values the entry function returns.
"""
from __future__ import annotations

import argparse
import ast
import builtins
import json
import os
import platform
import random
import re
import sys
import time
import traceback
import types
from pathlib import Path

import numpy as np

FORMAT = 1
MAX_OUTPUTS = 10_000  # past this a program's further values are counted, not stored
MAX_BYTES = 256 * 2**20
MAX_TEXT = 2000  # longer strings are kept as a prefix plus length and digest, which still compare
TRACEBACK_TAIL = 25  # lines kept from a failing program's traceback

# Names whose presence on ``tf.`` (and absence from TF2's top level) mark a TF1 program.
_TF1_MARKERS = frozenset(
    {"placeholder", "Session", "InteractiveSession", "get_variable", "variable_scope", "global_variables_initializer",
     "initialize_all_variables", "layers", "train", "GraphKeys", "get_collection", "ConfigProto", "random_normal",
     "truncated_normal", "random_uniform", "set_random_seed", "trainable_variables", "placeholder_with_default"}
)

# ``tf.train`` names TF2 keeps (checkpoints, Example protos): using only these is not a TF1 marker
_TF2_TRAIN = frozenset(
    {"Checkpoint", "CheckpointManager", "CheckpointOptions", "CheckpointView", "latest_checkpoint", "load_checkpoint",
     "load_variable", "list_variables", "checkpoints_iterator", "get_checkpoint_state", "ExponentialMovingAverage",
     "Example", "SequenceExample", "Feature", "Features", "FeatureList", "FeatureLists", "BytesList", "FloatList",
     "Int64List", "ClusterSpec", "Coordinator", "ServerDef", "JobDef", "ClusterDef", "TrackableView"})


class Recorder:
    """Collects observed values in the order the program produced them."""

    def __init__(self) -> None:
        self.outputs: list[dict] = []
        self.arrays: dict[str, np.ndarray] = {}
        self.unobservable: list[str] = []
        self.dropped = 0
        self.bytes = 0
        self.run_count = 0
        self.busy = False  # our own Session.run calls (variable capture) must not be recorded
        self.workdir = ""
        self.run_functions: list[str] = []  # functions recorded as Session.run sites (eager rewrites)

    def add(self, kind: str, name: str, value, line: int | None = None) -> None:
        for path, leaf in _flatten(value):
            self._add_leaf(kind, name + path, leaf, line)

    def _add_leaf(self, kind: str, name: str, leaf, line: int | None) -> None:
        if len(self.outputs) >= MAX_OUTPUTS or self.bytes >= MAX_BYTES:
            self.dropped += 1
            return
        entry = {"name": name, "kind": kind, "line": line}
        if leaf is None:
            entry.update(structure="none")
        elif isinstance(leaf, bytes) and _summary_values(leaf) is not None:
            # a serialized Summary (a fetched summary op): compared value by value, within tolerance
            for path, value in _flatten(_summary_values(leaf)):
                self._add_leaf(kind, name + path, value, line)
            return
        elif isinstance(leaf, (str, bytes)):
            text = leaf if isinstance(leaf, str) else leaf.decode("utf-8", "replace")
            if self.workdir:  # each side runs in its own directory: paths under it compare equal
                text = text.replace(self.workdir, "<cwd>")
            if len(text) > MAX_TEXT:
                import hashlib

                digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]
                text = f"{text[:MAX_TEXT]}... [{len(text)} characters, sha256 {digest}]"
            entry.update(structure="text", text=text)
        else:
            text = _scalar_bytes(leaf)
            if text is not None:
                # a scalar string tensor (an eager rewrite's result) is the bytes Session.run returned
                self._add_leaf(kind, name, text, line)
                return
            array = _to_numpy(leaf)
            if array is None:
                entry.update(structure="opaque", type=type(leaf).__name__)
            else:
                key = f"o{len(self.outputs):05d}"
                if array.dtype == object:
                    entry.update(structure="opaque", type="object array")
                else:
                    self.arrays[key] = array
                    self.bytes += array.nbytes
                    entry.update(structure="array", key=key, dtype=str(array.dtype), shape=list(array.shape))
                    if array.dtype.kind in "fc":
                        entry["nonfinite"] = int(array.size - np.isfinite(array).sum())
        self.outputs.append(entry)


def _scalar_bytes(value) -> bytes | None:
    """The bytes of a scalar string tensor (``numpy()`` gives them whole; a numpy ``S`` array would drop trailing
    NUL bytes), else None."""
    if not (type(value).__module__ or "").startswith("tensorflow") or getattr(value, "shape", None) != ():
        return None
    try:
        data = value.numpy()
    except Exception:
        return None
    return data if isinstance(data, bytes) else None


def _summary_values(data: bytes) -> dict | None:
    """The values of a serialized ``Summary`` protocol buffer (what a TF1 summary op returns), by tag: scalars
    and histograms. None unless the bytes are exactly such a buffer (and TensorFlow is loaded)."""
    if "tensorflow" not in sys.modules or not data:
        return None
    try:
        from tensorflow.core.framework import summary_pb2

        summary = summary_pb2.Summary.FromString(data)
    except Exception:
        return None
    if not summary.value or summary.SerializeToString(deterministic=True) != data:
        return None
    values: dict = {}
    for value in summary.value:
        kind = value.WhichOneof("value")
        if kind == "simple_value":
            values[value.tag] = np.float32(value.simple_value)
        elif kind == "histo":
            h = value.histo
            values[value.tag] = {"min": h.min, "max": h.max, "num": h.num, "sum": h.sum,
                                 "sum_squares": h.sum_squares, "bucket_limit": np.array(h.bucket_limit),
                                 "bucket": np.array(h.bucket)}
        else:
            return None
    return values


def _flatten(value, path: str = ""):
    """(path suffix, leaf) pairs: lists/tuples by index, dicts by key, namedtuples by field."""
    if isinstance(value, dict):
        for key in value:
            yield from _flatten(value[key], f"{path}[{key!r}]")
    elif isinstance(value, tuple) and hasattr(value, "_fields"):
        for field in value._fields:
            yield from _flatten(getattr(value, field), f"{path}.{field}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{path}[{index}]")
    else:
        yield path, value


def _to_numpy(value):
    """A numpy copy of a number/array/tensor, or None when the value is not numeric data."""
    if isinstance(value, (bool, int, float, complex, np.generic)):
        return np.asarray(value)
    if isinstance(value, np.ndarray):
        return value.copy()
    module = type(value).__module__ or ""
    if module.startswith("torch"):
        try:
            return value.detach().cpu().resolve_conj().numpy().copy()
        except Exception:
            return None
    if module.startswith(("tensorflow", "tf_keras", "keras")):
        numpy = getattr(value, "numpy", None)
        if numpy is None:
            return None
        try:
            return np.asarray(numpy())
        except Exception:  # a symbolic graph tensor has no value
            return None
    return None


def _is_numeric_tree(value, depth: int = 0) -> bool:
    if depth > 6:
        return False
    if isinstance(value, dict):
        return bool(value) and all(_is_numeric_tree(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return bool(value) and len(value) <= 1000 and all(_is_numeric_tree(v, depth + 1) for v in value)
    if isinstance(value, (bool, int, float, complex, np.generic, np.ndarray)):
        return True
    module = type(value).__module__ or ""
    return module.startswith(("torch", "tensorflow", "tf_keras", "keras")) and hasattr(value, "shape")


# -- static look at the program (no import of it)

def scan_program(source: str) -> dict:
    """Which frameworks the program imports, whether it is TF1 code, and its placeholder declarations."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {"frameworks": [], "tf_aliases": [], "tf_attributes": [], "placeholders": []}
    frameworks, tf_aliases, attributes, placeholders = set(), set(), set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in ("tensorflow", "torch"):
                    frameworks.add(top)
                if alias.name == "tensorflow":
                    tf_aliases.add(alias.asname or "tensorflow")
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            if top in ("tensorflow", "torch"):
                frameworks.add(top)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in tf_aliases:
            attributes.add(node.attr)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and len(node.targets) == 1:
            target, call = node.targets[0], node.value
            callee = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            if isinstance(target, ast.Name) and callee == "placeholder":
                placeholders.append(_placeholder_spec(target.id, call))
    train = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
             and isinstance(node.value, ast.Attribute) and node.value.attr == "train"
             and isinstance(node.value.value, ast.Name) and node.value.value.id in tf_aliases}
    if "train" in attributes and train and train <= _TF2_TRAIN:
        attributes.discard("train")  # tf.train.Checkpoint & co.: TF2 names, not a TF1 marker
    return {"frameworks": sorted(frameworks), "tf_aliases": sorted(tf_aliases), "tf_attributes": sorted(attributes),
            "placeholders": [p for p in placeholders if p]}


def _placeholder_spec(name: str, call: ast.Call) -> dict | None:
    args = {kw.arg: kw.value for kw in call.keywords if kw.arg}
    dtype_node = call.args[0] if call.args else args.get("dtype")
    shape_node = call.args[1] if len(call.args) > 1 else args.get("shape")
    dtype = dtype_node.attr if isinstance(dtype_node, ast.Attribute) else getattr(dtype_node, "value", None)
    if not isinstance(dtype, str):
        return None
    shape = None
    if isinstance(shape_node, (ast.List, ast.Tuple)):
        shape = []
        for item in shape_node.elts:
            value = item.value if isinstance(item, ast.Constant) else "?"
            shape.append(None if value is None or value == "?" else value)
    return {"name": name, "dtype": dtype, "shape": shape}


def is_tf1_program(scan: dict) -> bool:
    """TF1 code: it uses ``tf.<name>`` names that only TF1's top level had, and does not set up compat itself."""
    return "tensorflow" in scan["frameworks"] and bool(_TF1_MARKERS & set(scan["tf_attributes"])) and \
        "compat" not in scan["tf_attributes"]


_COMPAT_V1 = re.compile(r"\bcompat\.v1\b")


def uses_tf1_api(source: str) -> bool:
    """TF1 code: TF1-only top-level names, or anything through ``compat.v1`` (a directory runs as TF1 code)."""
    if not source:
        return True
    return is_tf1_program(scan_program(source)) or bool(_COMPAT_V1.search(source))


# -- input specs for function mode

_SPEC_ITEM = re.compile(r"^\s*(\w+)\s*:\s*(\w+)\s*(?:\[([^\]]*)\])?\s*$")


def parse_input_spec(spec: str) -> list[dict]:
    """``"x:float32[4,3];y:int64[4]"`` -> [{"name": "x", "dtype": "float32", "shape": [4, 3]}, ...]."""
    items = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        match = _SPEC_ITEM.match(part)
        if not match:
            raise ValueError(f"bad input spec {part!r}; expected NAME:DTYPE[d0,d1,...]")
        name, dtype, dims = match.groups()
        np.dtype(dtype)  # raises TypeError for an unknown dtype
        shape = [int(d) for d in dims.split(",") if d.strip()] if dims else []
        items.append({"name": name, "dtype": dtype, "shape": shape})
    return items


def make_inputs(specs: list[dict], seed: int, batch: int) -> dict[str, np.ndarray]:
    """Seeded inputs, identical for both sides of a comparison: normal floats, small non-negative ints."""
    rng = np.random.default_rng(seed)
    inputs = {}
    for spec in specs:
        shape = [batch if d is None else int(d) for d in (spec["shape"] or [])]
        dtype = np.dtype(spec["dtype"])
        if dtype.kind == "f":
            value = rng.standard_normal(shape).astype(dtype)
        elif dtype.kind in "iu":
            value = rng.integers(0, 10, size=shape).astype(dtype)
        elif dtype.kind == "b":
            value = rng.integers(0, 2, size=shape).astype(bool)
        else:
            raise ValueError(f"cannot generate inputs of dtype {dtype} for {spec['name']}")
        inputs[spec["name"]] = value
    return inputs


# -- framework set-up: determinism, device, TF1 shim, hooks

class FrameworkMissing(ImportError):
    """The program uses a framework this Python does not have: said in one line, with no executor traceback."""


def _import_framework(name: str, pip_name: str):
    import importlib

    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] != name:
            raise  # the framework is there but one of ITS dependencies is not: the real traceback helps
        raise FrameworkMissing(
            f"the program uses {name}, which is not installed in this Python ({sys.executable}): "
            f"pip install 'dlmigrate[validate]' (or pip install {pip_name}), or point "
            f"--python-original/--python-rewritten at a Python that has it") from None


class Frameworks:
    def __init__(self, recorder: Recorder, options) -> None:
        self.recorder = recorder
        self.options = options
        self.tf = None
        self.torch = None
        self.device = "cpu"
        self.notes: list[str] = []
        self.variables: VariableSharing | None = None

    def setup(self, names: list[str], shim: bool) -> None:
        seed = self.options.seed
        random.seed(seed)
        np.random.seed(seed)
        if "tensorflow" in names:
            self._setup_tensorflow(seed, shim)
        if "torch" in names:
            self._setup_torch(seed)

    def _setup_tensorflow(self, seed: int, shim: bool) -> None:
        tf = _import_framework("tensorflow", "tensorflow-cpu")

        self.tf = tf
        gpus = tf.config.list_physical_devices("GPU")
        if self.options.device == "cpu" and gpus:
            tf.config.set_visible_devices([], "GPU")
            gpus = []
        if self.options.device == "cuda" and not gpus:
            raise RuntimeError("--device cuda: TensorFlow sees no GPU")
        if gpus:
            self.device = "cuda"
            # TF32 would make matmuls differ from the other side by ~1e-3
            tf.config.experimental.enable_tensor_float_32_execution(False)
        tf.random.set_seed(seed)
        try:
            tf.config.experimental.enable_op_determinism()
        except Exception as exc:  # older TF: TF_DETERMINISTIC_OPS in the environment does it
            self.notes.append(f"op determinism not enabled: {exc}")
        self._hook_session(tf)
        self._seed_new_graphs(tf, seed)
        if shim:
            # No graph may exist before the program's first line: a program that starts with
            # tf.enable_eager_execution() fails if one does ("must be called at program startup").
            # tf.compat.v1.set_random_seed() would create the default graph, so the seed reaches it
            # through the Graph constructor hook above instead, when the program first builds a graph.
            tf.compat.v1.disable_v2_behavior()
        if shim is True:
            sys.modules["tensorflow"] = tf.compat.v1  # the program's ``import tensorflow as tf`` gets TF1's API
            self.notes.append("ran under the TF1 shim (tensorflow -> tensorflow.compat.v1, v2 behaviour off)")
        elif shim == "graph":
            self.notes.append("ran in graph mode (tf.compat.v1.disable_v2_behavior() before the program)")

    def _seed_new_graphs(self, tf, seed: int) -> None:
        """``tf.Graph()`` made by the program gets the same graph-level seed on both sides."""
        graph_class = tf.Graph
        original_init = graph_class.__init__

        frameworks = self

        def init(graph, *args, **kwargs):
            original_init(graph, *args, **kwargs)
            graph.seed = seed
            if frameworks.variables is not None:
                _add_creator(graph, frameworks.variables.tf_creator)

        graph_class.__init__ = init

    def _hook_session(self, tf) -> None:
        from tensorflow.python.client import session as session_module

        recorder, frameworks = self.recorder, self
        original_run = session_module.BaseSession.run

        def run(sess, fetches, *args, **kwargs):
            if recorder.busy or sys._getframe(1).f_code.co_filename.endswith(_SAVER_MODULE):
                # ours, or a Saver's (Saver.save/restore run their own ops): not a run of the program
                return original_run(sess, fetches, *args, **kwargs)
            recorder.busy = True
            try:
                result = original_run(sess, fetches, *args, **kwargs)
                if frameworks.variables is not None:
                    frameworks.variables.after_session_run(sess, original_run)
            finally:
                recorder.busy = False
            index = recorder.run_count
            recorder.run_count += 1
            recorder.add("session.run", f"session.run#{index}", result, _caller_line())
            return result

        session_module.BaseSession.run = run

    def _setup_torch(self, seed: int) -> None:
        torch = _import_framework("torch", "torch")

        self.torch = torch
        torch.manual_seed(seed)
        torch.use_deterministic_algorithms(True, warn_only=True)
        cuda = torch.cuda.is_available()
        if self.options.device == "cuda" and not cuda:
            raise RuntimeError("--device cuda: PyTorch sees no GPU")
        if cuda and self.options.device != "cpu":
            # placement stays the program's own (it picks "cuda" when available, as GPU code does);
            # forcing a default device would break its from_numpy()/.numpy() round trips
            torch.cuda.manual_seed_all(seed)
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False


_SAVER_MODULE = os.path.join("tensorflow", "python", "training", "saver.py")


def _caller_line() -> int | None:
    """Line in the user's program of the innermost frame that belongs to it."""
    program = _PROGRAM_PATH[0]
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename == program:
            return frame.f_lineno
        frame = frame.f_back
    return None


_PROGRAM_PATH = [""]


# -- initial variable values: record on one side, load on the other

class VariableSharing:
    """Record every variable's initial value in creation order, or overwrite them from such a recording.

    Matching: by name when every recorded name exists on this side (same framework),
    else by creation order, with a layout transform where the frameworks differ
    (TF Dense kernel (in, out) <-> torch Linear weight (out, in); TF conv HWIO <-> torch OIHW).
    """

    def __init__(self, mode: str, path: Path, framework_of: callable) -> None:
        self.mode = mode  # "save" or "load"
        self.path = path
        self.framework_of = framework_of
        self.saved: list[dict] = []
        self.saved_arrays: list[np.ndarray] = []
        self.pending_tf_graph: list = []
        self.torch_params: list = []
        self.torch_done = 0  # parameters before this index have been saved or loaded
        self.loaded_count = 0
        self.log: list[str] = []
        self.recording: list[dict] = []
        self.recorded_arrays: list[np.ndarray] = []
        self.source_framework = ""
        if mode == "load":
            with open(path / "variables.json", encoding="utf-8") as handle:
                meta = json.load(handle)
            self.source_framework = meta["framework"]
            self.recording = meta["variables"]
            with np.load(path / "variables.npz") as data:
                self.recorded_arrays = [data[f"v{i:05d}"] for i in range(len(self.recording))]
        self.next_index = 0
        self.names = {item["name"]: i for i, item in enumerate(self.recording)}
        self.weight_manifest = None  # Keras -> torch: which parameter each recorded Keras variable becomes
        self.claimed: set[int] = set()
        self.manifest_done: set[int] = set()
        if mode == "load" and (path / "weights_manifest.json").is_file():
            with open(path / "weights_manifest.json", encoding="utf-8") as handle:
                self.weight_manifest = {m["torch_class"]: m for m in json.load(handle)["models"]}

    def _value_for(self, name: str, shape: tuple, framework: str) -> np.ndarray | None:
        """The recorded value for the next variable created here, transformed to this side's layout."""
        index = self.names.get(name)
        if index is None or self.source_framework != framework:
            index = self.next_index
        self.next_index = index + 1
        if index >= len(self.recording):
            self.log.append(f"{name}: no recorded value left (recording has {len(self.recording)})")
            return None
        value = self.recorded_arrays[index]
        transformed = convert_layout(value, self.source_framework, framework, tuple(shape))
        if transformed is None:
            self.log.append(f"{name}{list(shape)}: recorded {self.recording[index]['name']}{list(value.shape)} does not fit")
            return None
        self.loaded_count += 1
        return transformed

    # TensorFlow: a variable creator sees every tf.Variable, eager or graph
    def tf_creator(self, next_creator, **kwargs):
        if self.mode == "load":
            tf = sys.modules.get("tensorflow.compat.v1") or sys.modules["tensorflow"]
            variable = next_creator(**kwargs)
            value = self._value_for(_tf_name(variable), tuple(variable.shape.as_list()), "tensorflow")
            if value is not None:
                if tf.executing_eagerly() or not hasattr(variable, "initializer"):
                    variable.assign(value.astype(variable.dtype.as_numpy_dtype))
                else:  # graph mode: replace the initializer's value so the program's init op loads ours
                    variable._initializer_op = variable.assign(value.astype(variable.dtype.as_numpy_dtype)).op
            return variable
        variable = next_creator(**kwargs)
        try:
            self._save(_tf_name(variable), np.asarray(variable.numpy()))
        except Exception:  # graph mode: the value exists only once the program runs its initializer
            self.pending_tf_graph.append(variable)
        return variable

    def after_session_run(self, sess, original_run) -> None:
        if self.mode != "save" or not self.pending_tf_graph:
            return
        try:
            values = original_run(sess, self.pending_tf_graph)
        except Exception:  # not initialized yet
            return
        for variable, value in zip(self.pending_tf_graph, values):
            self._save(_tf_name(variable), np.asarray(value))
        self.pending_tf_graph = []

    # torch: parameters are registered uninitialized and filled by reset_parameters(),
    # so values are taken (or replaced) when the owning module first runs
    def torch_registered(self, module, name, param) -> None:
        if param is not None:
            self.torch_params.append((module, name, param, f"{type(module).__name__}.{name}"))

    def _manifest_load(self, module) -> None:
        """Load a converted Keras model's recorded variables into ``module`` through the weight manifest."""
        import torch

        from migrate.keras_to_torch.manifest import transform

        self.manifest_done.add(id(module))
        model = self.weight_manifest[type(module).__name__]
        wanted: dict[int, tuple] = {}
        for w in model["weights"]:
            if "keras" in w:
                wanted[w["keras"]["index"]] = (w["keras"]["name"].rsplit("/", 1)[-1], tuple(w["keras"]["shape"]))
        wanted_list = [wanted[i] for i in range(len(wanted))]
        candidates = [i for i, item in enumerate(self.recording)
                      if i not in self.claimed and "seed_generator" not in item["name"]]

        def fits(item, want) -> bool:
            name, shape = want
            return (item["name"].rsplit("/", 1)[-1] == name and len(item["shape"]) == len(shape)
                    and all(not isinstance(b, int) or a == b for a, b in zip(item["shape"], shape)))

        for start in range(len(candidates) - len(wanted_list) + 1):
            chosen = candidates[start:start + len(wanted_list)]
            if all(fits(self.recording[i], want) for i, want in zip(chosen, wanted_list)):
                break
        else:
            self.log.append(f"{type(module).__name__}: no run of recorded Keras variables fits the manifest")
            return
        self.claimed.update(chosen)
        for w in model["weights"]:
            value = self.recorded_arrays[chosen[w["keras"]["index"]]] if "keras" in w else None
            target = module.get_parameter(w["torch"]) if w["kind"] == "parameter" else module.get_buffer(w["torch"])
            moved = transform(w["transform"], value, tuple(target.shape))
            with torch.no_grad():
                target.copy_(torch.as_tensor(np.array(moved), dtype=target.dtype, device=target.device))
            self.loaded_count += 1

    def torch_pre_forward(self, module, args) -> None:
        import torch

        if self.weight_manifest is not None:
            if type(module).__name__ in self.weight_manifest and id(module) not in self.manifest_done:
                self._manifest_load(module)
            return
        pending = self.torch_params[self.torch_done:]
        if not pending:
            return
        self.torch_done = len(self.torch_params)
        for owner, _, param, label in pending:
            if self.mode == "save":
                self._save(label, param.detach().cpu().numpy().copy())
            else:
                value = self._value_for(label, tuple(param.shape), "torch")
                if value is not None:
                    with torch.no_grad():
                        param.copy_(torch.as_tensor(value, dtype=param.dtype, device=param.device))

    def _save(self, name: str, value: np.ndarray) -> None:
        self.saved.append({"name": name, "shape": list(value.shape), "dtype": str(value.dtype)})
        self.saved_arrays.append(value)

    def finish(self, framework: str) -> None:
        if self.mode == "save":
            if self.torch_params:
                self.torch_pre_forward(None, ())
            self.path.mkdir(parents=True, exist_ok=True)
            np.savez(self.path / "variables.npz", **{f"v{i:05d}": a for i, a in enumerate(self.saved_arrays)})
            with open(self.path / "variables.json", "w", encoding="utf-8") as handle:
                json.dump({"framework": framework, "variables": self.saved}, handle, indent=1)


def _add_creator(graph, creator) -> None:
    """Put ``creator`` on ``graph``'s variable-creator stack for the whole run (a scope would end too early)."""
    stack = list(graph._variable_creator_stack)
    if all(item[1] != creator for item in stack):  # bound methods: equal, never identical
        graph._thread_local._variable_creator_stack = [(0, creator)] + stack


def _tf_name(variable) -> str:
    name = getattr(variable, "name", "") or ""
    return name[:-2] if name.endswith(":0") else name


def convert_layout(value: np.ndarray, source: str, target: str, shape: tuple) -> np.ndarray | None:
    """``value`` recorded in ``source``'s layout, reshaped for a ``target`` variable of ``shape``, or None."""
    if source != target and value.ndim in (2, 4) and source in ("tensorflow", "torch") and target in ("tensorflow", "torch"):
        if value.ndim == 2:  # Dense kernel (in, out) <-> Linear weight (out, in)
            moved = value.T
        elif source == "tensorflow":  # conv kernel HWIO -> OIHW
            moved = value.transpose(3, 2, 0, 1)
        else:  # OIHW -> HWIO
            moved = value.transpose(2, 3, 1, 0)
        if moved.shape == shape:
            return np.ascontiguousarray(moved)
    if value.shape == shape:
        return value
    return None


# -- the observation marker

def isolate_temp_files(seed: int) -> str:
    """Temporary files go under the (fresh) working directory, with seeded names, so two sides that
    save checkpoints to ``tempfile.mkdtemp()`` report the same relative paths.  Returns the directory."""
    import tempfile

    workdir = os.path.realpath(os.getcwd())
    scratch = os.path.join(workdir, "tmp")
    os.makedirs(scratch, exist_ok=True)
    tempfile.tempdir = scratch
    names = tempfile._RandomNameSequence()
    names._rng = random.Random(seed)
    names._rng_pid = os.getpid()
    tempfile._name_sequence = names
    return workdir


def install_marker(recorder: Recorder) -> None:
    def observe(name, value):
        """Record ``value`` under ``name`` for ``dlmigrate validate``; returns ``value`` unchanged."""
        recorder.add("observe", f"observe:{name}", value, _caller_line_direct())
        return value

    builtins.dlmigrate_observe = observe
    module = types.ModuleType("dlmigrate_observe")
    module.observe = observe
    module.dlmigrate_observe = observe
    sys.modules["dlmigrate_observe"] = module


def _caller_line_direct() -> int | None:
    frame = sys._getframe(2)
    return frame.f_lineno if frame.f_code.co_filename == _PROGRAM_PATH[0] else None


def record_globals(recorder: Recorder, namespace: dict, tf=None, notes: list[str] | None = None) -> None:
    symbolic: list[str] = []
    for name, value in namespace.items():
        if name.startswith("_") or isinstance(value, (types.ModuleType, types.FunctionType, type)):
            continue
        if _is_numeric_tree(value):
            before = len(recorder.outputs)
            recorder.add("global", name, value)
            if all(o["structure"] == "opaque" for o in recorder.outputs[before:]):
                del recorder.outputs[before:]
                symbolic.append(name)
    if symbolic and tf is not None:
        symbolic = _evaluate_graph_globals(recorder, namespace, symbolic, tf, notes)
    recorder.unobservable.extend(symbolic)


# Ops that wait for another thread (queue runners, readers, barriers): evaluating a tensor that
# depends on one, with no queue runner started, blocks forever.
_WAITING_OPS = ("Queue", "Reader", "Barrier", "Stage", "Unstage", "ConditionalAccumulator", "Accumulator")
GLOBALS_RUN_TIMEOUT_MS = 10_000  # every evaluation the validator starts on its own is bounded


def _needs_feed(value, limit: int = 20000) -> bool:
    """Whether a graph tensor depends on a placeholder (or is too large a graph to check)."""
    return _blocker(value, limit) is not None


def _blocker(value, limit: int = 20000) -> str | None:
    """Why a graph tensor cannot be evaluated with nothing fed: "feed" (a placeholder, or too large a graph
    to check), "queue" (an op that waits on a queue or reader no runner fills), or None."""
    op = getattr(value, "op", None)
    if op is None:
        return None
    seen, stack = set(), [op]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.type.startswith("Placeholder") and op.type != "PlaceholderWithDefault":
            return "feed"
        if any(word in op.type for word in _WAITING_OPS):
            return "queue"
        if len(seen) > limit:
            return "feed"
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return None


def _evaluate_graph_globals(recorder: Recorder, namespace: dict, names: list[str], tf,
                            notes: list[str] | None = None) -> list[str]:
    """Give graph tensors left in module globals a value: a fresh Session per graph, variables at their
    initial values, nothing fed.  Returns the names that still have no value (they need a feed).

    Nothing here may block: tensors fed by queues are skipped (and named in ``notes``), and every
    ``Session.run`` the validator starts itself has a deadline."""
    tf1 = tf.compat.v1
    notes = notes if notes is not None else []
    by_graph: dict = {}
    for name in names:
        value = namespace[name]
        graph = getattr(value, "graph", None)
        if graph is not None and isinstance(value, (tf.Tensor, tf.Variable)):
            by_graph.setdefault(graph, []).append(name)
    left = [n for n in names if not any(n in group for group in by_graph.values())]
    queued: list[str] = []
    timed_out: list[str] = []
    recorder.busy = True
    try:
        for graph, group in by_graph.items():
            try:
                bounded = tf1.RunOptions(timeout_in_ms=GLOBALS_RUN_TIMEOUT_MS)
                with graph.as_default(), tf1.Session(graph=graph) as sess:
                    sess.run([tf1.global_variables_initializer(), tf1.local_variables_initializer(),
                              tf1.tables_initializer()], options=bounded)
                    for name in group:
                        blocker = _blocker(namespace[name])
                        if blocker is not None:
                            left.append(name)  # TF 2.21 can crash formatting the missing-feed error
                            if blocker == "queue":
                                queued.append(name)
                            continue
                        try:
                            result = sess.run(namespace[name], options=bounded)
                        except Exception as exc:
                            left.append(name)
                            if type(exc).__name__ == "DeadlineExceededError":
                                timed_out.append(name)
                            continue
                        before = len(recorder.outputs)
                        recorder.add("global", name, result)
                        for entry in recorder.outputs[before:]:  # a fresh session's value, not the program's state
                            entry["graph_initial"] = True
            except Exception:
                left.extend(group)
    finally:
        recorder.busy = False
    if queued:
        notes.append("graph globals fed by a queue or reader not evaluated (no queue runner would fill it; "
                     "evaluating them would block): " + ", ".join(sorted(queued)))
    if timed_out:
        notes.append(f"graph globals not evaluated within {GLOBALS_RUN_TIMEOUT_MS // 1000} s: "
                     + ", ".join(sorted(timed_out)))
    return left


# -- running the program

def _versions(frameworks: Frameworks) -> dict:
    versions = {"python": platform.python_version(), "numpy": np.__version__}
    for name in ("tensorflow", "torch"):
        module = sys.modules.get(name) if name != "tensorflow" else (frameworks.tf or sys.modules.get(name))
        if module is not None:
            versions[name] = getattr(module, "__version__", "?")
    return versions


def _error_record(exc: BaseException, program: str) -> dict:
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next  # the executor's own frames say nothing about the program
    lines = traceback.format_exception(type(exc), exc, tb or exc.__traceback__)
    text = "".join(lines)
    tail = "\n".join(text.rstrip().splitlines()[-TRACEBACK_TAIL:])
    message = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, FrameworkMissing):
        return {"type": "FrameworkMissing", "message": f"framework missing: {exc}", "traceback": ""}
    if isinstance(exc, EOFError):
        message += " (the program reads standard input; validation runs it with no input)"
    return {"type": type(exc).__name__, "message": message, "traceback": tail}


def execute(options) -> int:
    started = time.perf_counter()
    main_pid = os.getpid()
    program = Path(options.program).resolve()
    _PROGRAM_PATH[0] = str(program)
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    recorder = Recorder()
    _RECORDER[0] = recorder
    frameworks = Frameworks(recorder, options)
    manifest: dict = {"format": FORMAT, "program": str(program), "seed": options.seed, "entry": options.entry,
                      "inputs": options.inputs,
                      "status": "ok", "error": None, "exit_code": None}
    status_code = 0
    namespace: dict = {}
    try:
        source = program.read_text(encoding="utf-8") if program.is_file() else ""
        if options.entry and program.is_dir():
            source = ""
            module_name = options.entry.split(":")[0]
            candidate = program / (module_name.replace(".", "/") + ".py")
            if candidate.is_file():
                source = candidate.read_text(encoding="utf-8")
        scan = scan_program(source)
        names = scan["frameworks"] if options.framework == "auto" else [n for n in options.framework.split(",") if n]
        shim = {"on": True, "off": False, "graph": "graph"}.get(options.tf1_shim, is_tf1_program(scan))
        manifest["framework"] = "+".join(names) or "none"
        manifest["tf1_shim"] = shim
        frameworks.setup(names, shim)
        if options.init_save or options.init_load:
            frameworks.variables = VariableSharing("save" if options.init_save else "load",
                                                   Path(options.init_save or options.init_load), None)
        install_marker(recorder)
        if options.isolate:
            recorder.workdir = isolate_temp_files(options.seed)
        sys.stdin = open(os.devnull, encoding="utf-8")
        sys.argv = [str(program)] + list(options.program_args)
        with _variable_hooks(frameworks):
            if options.entry:
                _run_entry(options, program, scan, frameworks, recorder)
            else:
                namespace = _run_script(program, options)
    except SystemExit as exc:
        code = exc.code
        manifest["exit_code"] = code if isinstance(code, int) else (0 if code is None else 1)
        if manifest["exit_code"] != 0:
            manifest["status"] = "error"
            manifest["error"] = {"type": "SystemExit", "message": f"the program called sys.exit({code!r})",
                                 "traceback": ""}
        namespace = _LAST_NAMESPACE[0]
    except BaseException as exc:  # the program's failure is a result, not our crash
        manifest["status"] = "error"
        manifest["error"] = _error_record(exc, str(program))
        namespace = _LAST_NAMESPACE[0]
    if os.getpid() != main_pid:  # a forked child finishing the program must not overwrite the parent's results
        os._exit(0)
    try:
        if namespace and not options.entry:
            record_globals(recorder, namespace, frameworks.tf, frameworks.notes)
        if frameworks.variables is not None:
            frameworks.variables.finish(manifest.get("framework", ""))
            manifest["variables"] = {"mode": frameworks.variables.mode,
                                     "count": len(frameworks.variables.saved) or frameworks.variables.loaded_count,
                                     "problems": frameworks.variables.log}
    except BaseException as exc:
        if manifest["status"] == "ok":
            manifest["status"] = "error"
            manifest["error"] = _error_record(exc, str(program))
    torch = frameworks.torch
    if torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized():
        frameworks.device = "cuda"  # the program (or its inputs) actually used the GPU
    manifest.update(
        device=frameworks.device,
        versions=_versions(frameworks),
        platform=platform.platform(),
        notes=frameworks.notes,
        outputs=recorder.outputs,
        unobservable=recorder.unobservable,
        dropped_outputs=recorder.dropped,
        session_runs=recorder.run_count,
        run_functions=recorder.run_functions,
        wall_s=round(time.perf_counter() - started, 3),
    )
    np.savez(out / "outputs.npz", **recorder.arrays)
    with open(out / "manifest.json.tmp", "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=1, default=str)
    os.replace(out / "manifest.json.tmp", out / "manifest.json")
    return status_code


_LAST_NAMESPACE: list[dict] = [{}]


class _variable_hooks:
    """Install variable capture/load hooks for the frameworks in use, for the duration of the program."""

    def __init__(self, frameworks: Frameworks) -> None:
        self.frameworks = frameworks
        self.exits: list = []

    def __enter__(self):
        sharing = self.frameworks.variables
        tf, torch = self.frameworks.tf, self.frameworks.torch
        if sharing is not None and tf is not None:
            _add_creator(tf.compat.v1.get_default_graph(), sharing.tf_creator)
        if sharing is not None and torch is not None:
            from torch.nn.modules import module as module_module

            self.exits.append(module_module.register_module_parameter_registration_hook(sharing.torch_registered))
            self.exits.append(module_module.register_module_forward_pre_hook(sharing.torch_pre_forward))
        if self.frameworks.options.random_tool and tf is not None:
            tool = tf.compat.v1.keras.utils.DeterministicRandomTestTool(mode=self.frameworks.options.random_tool)
            scope = tool.scope()
            scope.__enter__()
            self.exits.append(scope)
        return self

    def __exit__(self, *exc_info):
        for item in reversed(self.exits):
            try:
                if hasattr(item, "__exit__"):
                    item.__exit__(None, None, None)
                else:
                    item.remove()
            except Exception:
                pass
        return False


def _run_script(program: Path, options) -> dict:
    # a plain dict (not runpy) so the program's globals stay readable after it raises
    namespace: dict = {"__name__": "__main__", "__file__": str(program), "__builtins__": builtins}
    _LAST_NAMESPACE[0] = namespace
    source = program.read_text(encoding="utf-8")
    tree = _mark_run_functions(source, _RECORDER[0])
    code = compile(tree if tree is not None else source, str(program), "exec")
    exec(code, namespace)
    return namespace


RUN_FUNCTION_MARKER = re.compile(r"#\s*dlmigrate:\s*session\.run\b")
_RECORDER: list = [None]


def _mark_run_functions(source: str, recorder) -> "ast.Module | None":
    """Functions (module-level or nested) whose ``def`` line carries ``# dlmigrate: session.run`` (the eager rewrite
    of a ``Session.run`` site) get an outermost decorator recording each call's result as a Session.run
    result, so the two sides pair call by call.  None when the program has no such function."""
    if recorder is None or not RUN_FUNCTION_MARKER.search(source):
        return None
    tree = ast.parse(source)
    lines = source.splitlines()
    marked = []
    for node in ast.walk(tree):  # nested too: a function that builds and runs its graph per call has them inside
        if isinstance(node, ast.FunctionDef) and node.lineno <= len(lines) and \
                RUN_FUNCTION_MARKER.search(lines[node.lineno - 1]):
            decorator = ast.Name(id="__dlmigrate_session_run__", ctx=ast.Load())
            ast.copy_location(decorator, node)
            node.decorator_list.insert(0, decorator)
            marked.append(node.name)
    if not marked:
        return None
    recorder.run_functions = marked

    def session_run(function):
        import functools

        @functools.wraps(function)
        def call(*args, **kwargs):
            result = function(*args, **kwargs)
            if not recorder.busy:
                index = recorder.run_count
                recorder.run_count += 1
                recorder.add("session.run", f"session.run#{index}", result, _caller_line_direct())
            return result

        return call

    builtins.__dlmigrate_session_run__ = session_run
    return ast.fix_missing_locations(tree)


def _load_entry(options, program: Path):
    module_name, _, function_name = options.entry.rpartition(":")
    if program.is_dir():
        import importlib

        module = importlib.import_module(module_name)
    else:
        import importlib.util

        spec = importlib.util.spec_from_file_location(program.stem, program)
        module = importlib.util.module_from_spec(spec)
        sys.modules[program.stem] = module
        spec.loader.exec_module(module)
    function = getattr(module, function_name, None)
    if function is None:
        raise LookupError(f"entry function {function_name!r} not found in {module_name or program.name}")
    return function


def _run_entry(options, program: Path, scan: dict, frameworks: Frameworks, recorder: Recorder) -> None:
    if options.inputs:
        specs = parse_input_spec(options.inputs)
    else:
        specs = scan["placeholders"]
    function = _load_entry(options, program)
    try:
        import inspect

        parameters = [p.name for p in inspect.signature(function).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        parameters = []
    by_name = {s["name"]: s for s in specs}
    if not options.inputs and parameters and all(p in by_name for p in parameters):
        specs = [by_name[p] for p in parameters]  # placeholders feed the parameters of the same name
    arrays = make_inputs(specs, options.seed, options.batch_size)
    for name, value in arrays.items():
        recorder.add("input", f"input:{name}", value)
    args = [_as_framework_tensor(arrays[s["name"]], frameworks) for s in specs]
    result = function(*args)
    tf = frameworks.tf
    if tf is not None and not tf.executing_eagerly():
        tf1 = tf.compat.v1
        with tf1.Session() as sess:
            recorder.busy = True
            try:
                sess.run(tf1.global_variables_initializer())
                result = sess.run(result)
            finally:
                recorder.busy = False
    recorder.add("entry", "return", result)


def _as_framework_tensor(value: np.ndarray, frameworks: Frameworks):
    if frameworks.torch is not None and frameworks.tf is None:
        torch = frameworks.torch
        on_gpu = frameworks.options.device == "cuda" or (frameworks.options.device == "auto" and torch.cuda.is_available())
        return torch.as_tensor(value, device="cuda" if on_gpu else "cpu")
    if frameworks.tf is not None:
        return frameworks.tf.constant(value)
    return value


def apply_limits(options) -> None:
    import resource

    if options.max_memory:
        # CUDA reserves huge address ranges, so a GPU run caps the data segment instead
        gpu = options.device == "cuda" or (options.device == "auto" and os.path.exists("/dev/nvidiactl"))
        kind = resource.RLIMIT_DATA if gpu else resource.RLIMIT_AS
        resource.setrlimit(kind, (options.max_memory, options.max_memory))
    if options.max_file_bytes:
        resource.setrlimit(resource.RLIMIT_FSIZE, (options.max_file_bytes, options.max_file_bytes))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run a program and record its observable results (dlmigrate).")
    parser.add_argument("--program", required=True, help="the Python file (or, with --entry, a directory) to run")
    parser.add_argument("--out", required=True, help="directory for outputs.npz and manifest.json")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--framework", default="auto", help="auto (from the imports) or tensorflow,torch")
    parser.add_argument("--tf1-shim", choices=("auto", "on", "off", "graph"), default="auto",
                        help="on: tensorflow aliased to tensorflow.compat.v1, v2 behaviour off; graph: only v2 "
                        "behaviour off; auto: on for code using TF1-only names")
    parser.add_argument("--entry", default="", help="module:function to call instead of running the file")
    parser.add_argument("--inputs", default="", help='input spec, e.g. "x:float32[4,3];y:int64[4]"')
    parser.add_argument("--batch-size", type=int, default=4, help="size of None dimensions in placeholder shapes")
    parser.add_argument("--init-save", default="", help="record initial variable values into this directory")
    parser.add_argument("--init-load", default="", help="load initial variable values from this directory")
    parser.add_argument("--random-tool", choices=("", "constant", "num_random_ops"), default="",
                        help="run under TF's DeterministicRandomTestTool in this mode")
    parser.add_argument("--sys-path", action="append", default=[], help="extra import directory (repeatable)")
    parser.add_argument("--isolate", action="store_true",
                        help="the working directory is a fresh one: put temporary files in it, seeded names")
    parser.add_argument("--max-memory", type=int, default=0, help="address-space cap in bytes (0: none)")
    parser.add_argument("--max-file-bytes", type=int, default=0, help="largest file the program may write (0: none)")
    parser.add_argument("program_args", nargs="*", help="arguments passed to the program (after --)")
    options = parser.parse_args(argv)
    if "TF_USE_LEGACY_KERAS" not in os.environ:
        # TF1 code (tf.layers through compat.v1) needs tf-keras; TF2 code (an eager ``--to tf2`` rewrite, op-level
        # TF2 programs, ``--to tf`` output) is checked on the Keras 3 that TF 2.16+ ships, which is what its
        # users run and what the TF <-> torch table was proven on
        program_file = Path(options.program)
        text = program_file.read_text(encoding="utf-8", errors="replace") if program_file.is_file() else ""
        legacy = uses_tf1_api(text) and not RUN_FUNCTION_MARKER.search(text)
        os.environ["TF_USE_LEGACY_KERAS"] = "1" if legacy else "0"
    apply_limits(options)
    program = Path(options.program).resolve()
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    sys.path.insert(0, str(program if program.is_dir() else program.parent))
    for extra in reversed(options.sys_path):
        sys.path.insert(1, extra)
    return execute(options)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    os.environ.setdefault("NVIDIA_TF32_OVERRIDE", "0")
    code = main()
    # the results are on disk: leave now, so non-daemon threads or atexit handlers the program left
    # behind cannot hang the run (and framework teardown costs nothing)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
