"""In-process equivalence check of a converted model (used by tests and ``scripts/keras_corpus_check.py``).

Runs the original Keras file and the converted torch file as modules, takes
each model the manifest lists, copies the Keras variables into the torch
module through the manifest (``load_state_dict(strict=True)``), and compares:
inference outputs on seeded inputs, and one SGD training step (loss and
updated weights; dropout layers are run in eval mode on both sides so the
step is deterministic).  Imports TensorFlow and torch; never used by convert.
"""
from __future__ import annotations

import runpy
from dataclasses import dataclass

import numpy as np

from migrate.keras_to_torch.manifest import keras_layer_arrays, keras_model_layers, state_from_keras_arrays


@dataclass
class ModelCheck:
    torch_class: str
    forward_max_abs: float
    forward_ok: bool
    step_loss: tuple[float, float] | None = None
    step_max_abs: float | None = None
    step_ok: bool | None = None
    error: str = ""


def _inputs(model: dict, batch: int, seed: int):
    rng = np.random.RandomState(seed)
    out = []
    for spec in model["inputs"]:
        shape = (batch,) + tuple(4 if d is None else d for d in spec["shape"])
        if "int" in str(spec["dtype"]):
            out.append(rng.randint(0, 5, size=shape).astype(spec["dtype"]))
        else:
            out.append(rng.standard_normal(shape).astype("float32"))
    return out


def _flat(value):
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in _flat(v)]
    if hasattr(value, "detach"):
        return [value.detach().cpu().numpy()]
    return [np.asarray(value)]


def check_models(original: str, converted: str, manifest: dict, *, batch: int = 4, seed: int = 0,
                 rtol: float = 1e-5, atol: float = 1e-6, step_tol: float = 1e-4, train_step: bool = True):
    import tensorflow as tf
    import torch

    results = []
    try:
        keras_ns = runpy.run_path(original, run_name="dlmigrate_keras_original")
        torch_ns = runpy.run_path(converted, run_name="dlmigrate_keras_converted")
    except Exception as exc:  # the converted program does not run (e.g. Keras-only training calls left)
        return [ModelCheck(m["torch_class"], float("nan"), False, error=f"program failed: {type(exc).__name__}: {exc}")
                for m in manifest["models"]]
    for model in manifest["models"]:
        try:
            keras_model, tmodel = _instances(model, keras_ns, torch_ns)
            state = state_from_keras_arrays(model, keras_layer_arrays(model, keras_model_layers(keras_model)))
            tmodel.load_state_dict({k: torch.as_tensor(v) for k, v in state.items()}, strict=True)
            try:
                specs = [{"shape": list(t.shape)[1:], "dtype": str(t.dtype)} for t in keras_model.inputs]
            except AttributeError:  # a subclassed model: the shape the converter found in the file
                specs = model["inputs"]
            xs = _inputs({"inputs": specs}, batch, seed)
            ref = _flat(keras_model([tf.constant(x) for x in xs] if len(xs) > 1 else tf.constant(xs[0]),
                                    training=False))
            tmodel.eval()
            got = _flat(tmodel(*[torch.as_tensor(x) for x in xs]))
            err = max(float(np.max(np.abs(a - b))) if a.shape == b.shape else float("inf") for a, b in zip(ref, got))
            ok = len(ref) == len(got) and all(a.shape == b.shape and np.allclose(b, a, rtol=rtol, atol=atol)
                                              for a, b in zip(ref, got))
            check = ModelCheck(model["torch_class"], err, ok)
            if train_step:
                _train_step(check, keras_model, tmodel, model, xs, step_tol)
        except Exception as exc:  # reported per model
            check = ModelCheck(model["torch_class"], float("nan"), False, error=f"{type(exc).__name__}: {exc}")
        results.append(check)
    return results


def _instances(model: dict, keras_ns: dict, torch_ns: dict):
    """The Keras model object and the torch module of ``model`` that the two programs left in their globals."""
    import keras
    import torch


    keras_model = tmodel = None
    for value in keras_ns.values():
        if isinstance(value, keras.Model):
            try:
                state_from_keras_arrays(model, keras_layer_arrays(model, keras_model_layers(value)))
            except (ValueError, LookupError, IndexError):
                continue
            keras_model = value
            break
    for value in torch_ns.values():
        if isinstance(value, torch.nn.Module) and type(value).__name__ == model["torch_class"]:
            tmodel = value
            break
    if keras_model is None or tmodel is None:
        raise LookupError(f"no global holds the {'Keras' if keras_model is None else 'torch'} model "
                          f"for {model['torch_class']}")
    return keras_model, tmodel


def _train_step(check: ModelCheck, keras_model, tmodel, model: dict, xs, tol: float) -> None:
    """One plain-SGD step on the mean square of all outputs, BatchNorm in training mode, dropout off."""
    import tensorflow as tf
    import torch

    lr = 0.1
    dropouts = [l for l in keras_model.layers if "dropout" in type(l).__name__.lower()]
    saved = [l.rate for l in dropouts]
    for l in dropouts:
        l.rate = 0.0
    try:
        with tf.GradientTape() as tape:
            out = keras_model([tf.constant(x) for x in xs] if len(xs) > 1 else tf.constant(xs[0]), training=True)
            outs = out if isinstance(out, (list, tuple)) else [out]
            loss = tf.add_n([tf.reduce_mean(tf.square(o)) for o in outs])
        grads = tape.gradient(loss, keras_model.trainable_variables)
        for v, g in zip(keras_model.trainable_variables, grads):
            if g is not None:
                v.assign_sub(lr * tf.convert_to_tensor(g))
    finally:
        for l, r in zip(dropouts, saved):
            l.rate = r
    tmodel.train()
    for m in tmodel.modules():
        if isinstance(m, torch.nn.Dropout):
            m.eval()
    opt = torch.optim.SGD(tmodel.parameters(), lr=lr)
    opt.zero_grad()
    out = tmodel(*[torch.as_tensor(x) for x in xs])
    outs = out if isinstance(out, (list, tuple)) else [out]
    tloss = sum(torch.mean(o ** 2) for o in outs)
    tloss.backward()
    opt.step()
    after = state_from_keras_arrays(model, keras_layer_arrays(model, keras_model_layers(keras_model)))
    tstate = tmodel.state_dict()
    worst = 0.0
    for w in model["weights"]:
        if w["kind"] != "parameter":
            continue  # running statistics: torch stores the unbiased variance (see the manifest note)
        worst = max(worst, float(np.max(np.abs(after[w["torch"]] - tstate[w["torch"]].detach().numpy()))))
    check.step_loss = (float(loss.numpy()), float(tloss.detach()))
    check.step_max_abs = worst
    check.step_ok = abs(check.step_loss[0] - check.step_loss[1]) <= tol * max(1.0, abs(check.step_loss[0])) and worst <= tol
