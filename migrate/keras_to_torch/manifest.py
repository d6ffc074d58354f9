"""The weight-transfer manifest: Keras variables -> torch ``state_dict`` entries.

Stdlib + numpy only, so the validation executor can use it without libcst or
rich.  A manifest (JSON, written beside a converted file) lists, per converted
model, every torch parameter and buffer with the Keras variable it comes from
(``keras.index`` is the variable's position in ``model.weights``, which is also
the order Keras creates them in) and the layout transform between them.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np


def _gru_gates(a: np.ndarray, axis: int) -> np.ndarray:
    """Keras GRU gate blocks (z, r, h) -> torch's (r, z, n) along ``axis``."""
    z, r, h = np.split(a, 3, axis=axis)
    return np.concatenate([r, z, h], axis=axis)


def transform(name: str, value: np.ndarray | None, torch_shape) -> np.ndarray:
    if name == "identity":
        return value
    if name in ("transpose", "lstm_kernel"):  # LSTM gates i, f, c, o are in the same order on both sides
        return value.T
    if name == "gru_kernel":
        return _gru_gates(value, 1).T
    if name == "gru_bias_input":
        return _gru_gates(value[0], 0)
    if name == "gru_bias_recurrent":
        return _gru_gates(value[1], 0)
    if name == "hwio_to_oihw":
        return value.transpose(3, 2, 0, 1)
    if name == "wio_to_oiw":
        return value.transpose(2, 1, 0)
    if name == "hwoi_to_iohw":
        return value.transpose(3, 2, 0, 1)
    if name == "depthwise":  # (kh, kw, C, m) -> (C*m, 1, kh, kw); output channel c*m + j on both sides
        kh, kw = value.shape[:2]
        return value.reshape(kh, kw, -1).transpose(2, 0, 1)[:, None]
    if name == "mha_in_kernel":  # (in, heads, head_dim) -> Linear (heads * head_dim, in)
        return value.reshape(value.shape[0], -1).T
    if name == "mha_out_kernel":  # (heads, head_dim, out) -> Linear (out, heads * head_dim)
        return value.reshape(-1, value.shape[-1]).T
    if name == "flatten":
        return value.reshape(-1)
    if name == "zeros":
        return np.zeros(tuple(torch_shape), dtype=np.float32)
    if name == "zeros_int64":
        return np.zeros(tuple(torch_shape), dtype=np.int64)
    raise ValueError(f"unknown weight transform {name!r}")


def load(path) -> dict:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not str(data.get("format", "")).startswith("dlmigrate.keras-to-torch/"):
        raise ValueError(f"{path}: not a dlmigrate keras-to-torch weight manifest")
    return data


def keras_count(model: dict) -> int:
    return len({w["keras"]["index"] for w in model["weights"] if "keras" in w})


def state_from_keras_arrays(model: dict, arrays: list[np.ndarray]) -> dict[str, np.ndarray]:
    """torch state_dict (numpy values) from the Keras variables of one model, in ``model.weights`` order."""
    if len(arrays) != keras_count(model):
        raise ValueError(f"{model['torch_class']}: the Keras model has {len(arrays)} variables, "
                         f"the manifest expects {keras_count(model)}")
    state = {}
    for w in model["weights"]:
        value = None
        if "keras" in w:
            value = np.asarray(arrays[w["keras"]["index"]])
            want = tuple(w["keras"]["shape"])
            if all(isinstance(d, int) for d in want) and tuple(value.shape) != want:
                raise ValueError(f"{w['torch']}: Keras variable {w['keras']['layer']}/{w['keras']['name']} has shape "
                                 f"{tuple(value.shape)}, the manifest expects {want}")
        out = transform(w["transform"], value, w["torch_shape"])
        if all(isinstance(d, int) for d in w["torch_shape"]) and tuple(out.shape) != tuple(w["torch_shape"]):
            raise ValueError(f"{w['torch']}: transformed shape {out.shape} != {tuple(w['torch_shape'])}")
        state[w["torch"]] = np.array(out, order="C")
    return state


def _suffix(name: str) -> int:
    match = re.search(r"_(\d+)$", name)
    return int(match.group(1)) if match else 0


def keras_layer_arrays(model: dict, layers) -> list[np.ndarray]:
    """The Keras variables of one manifest model, in creation order, taken from a Keras model's layers.

    ``layers`` are (class name, layer name, [arrays]) for every layer of the Keras model.  Named layers
    are found by name; unnamed ones by class and creation order (Keras numbers auto-names dense, dense_1,
    ...), because a functional model's ``weights`` list follows its graph order, not creation order.
    """
    by_name = {name: arrays for _, name, arrays in layers}
    by_class: dict[str, list] = {}
    for cls, name, arrays in layers:
        if arrays:
            by_class.setdefault(cls, []).append((name, arrays))
    for group in by_class.values():
        group.sort(key=lambda item: _suffix(item[0]))
    out: dict[int, np.ndarray] = {}
    for w in model["weights"]:
        k = w.get("keras")
        if k is None:
            continue
        if k.get("layer_name"):
            arrays = by_name.get(k["layer_name"])
        else:
            group = by_class.get(k["class"], [])
            named = {e["keras"]["layer_name"] for e in model["weights"] if e.get("keras") and e["keras"].get("layer_name")}
            group = [g for g in group if g[0] not in named]
            arrays = group[k["ordinal"]][1] if k["ordinal"] < len(group) else None
        if arrays is None or k["weight_index"] >= len(arrays):
            raise ValueError(f"{w['torch']}: Keras layer {k.get('layer_name') or k['class']} "
                             f"#{k.get('ordinal', '')} not found in the Keras model")
        out[k["index"]] = np.asarray(arrays[k["weight_index"]])
    return [out[i] for i in range(len(out))]


def keras_model_layers(keras_model) -> list:
    return [(type(layer).__name__, layer.name, [w.numpy() for w in layer.weights]) for layer in keras_model.layers]


def find_model(manifest: dict, arrays_shapes: list[tuple], torch_class: str | None = None) -> dict:
    """The manifest model whose Keras variable shapes are ``arrays_shapes`` (or named ``torch_class``)."""
    for model in manifest["models"]:
        if torch_class and model["torch_class"] != torch_class:
            continue
        shapes = {}
        for w in model["weights"]:
            if "keras" in w:
                shapes[w["keras"]["index"]] = tuple(w["keras"]["shape"])
        expected = [shapes[i] for i in range(len(shapes))]
        if len(expected) == len(arrays_shapes) and all(
                all(not isinstance(a, int) or a == b for a, b in zip(e, got)) and len(e) == len(got)
                for e, got in zip(expected, arrays_shapes)):
            return model
    raise ValueError("no model in the manifest has these Keras variables "
                     f"({len(arrays_shapes)} variables; models: {[m['torch_class'] for m in manifest['models']]})")


def write_beside(converted: Path, manifest: dict) -> Path | None:
    if not manifest.get("models"):
        return None
    path = converted.with_suffix(".weights.json")
    path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return path


def write_for_conversion(original_text: str, destination: Path) -> Path | None:
    """After ``convert --write/--out``: the manifest of the models converted in ``destination``, beside it."""
    from migrate.keras_to_torch.core import convert_source  # libcst-free, but not needed by the executor

    try:
        result = convert_source(original_text)
    except SyntaxError:
        return None
    return write_beside(Path(destination), result.manifest(Path(destination).name))
