"""``dlmigrate weights manifest|convert``: the Keras -> torch weight-transfer manifest and its use.

``manifest`` writes the manifest of a Keras source file (no framework import).
``convert`` loads a saved Keras model (``.keras``, full-model ``.h5``, or a SavedModel
directory from ``model.export``) with
TensorFlow/Keras, maps every variable through the manifest, checks the shapes,
and saves a ``state_dict`` that the converted class accepts with
``load_state_dict(strict=True)``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from migrate.cli import ERROR_PREFIX

EPILOG = """examples:
  dlmigrate weights manifest model.py -o model.weights.json
  dlmigrate weights convert model.weights.json trained.keras trained.pt
  then in torch:  net = Net(); net.load_state_dict(torch.load("trained.pt"), strict=True)
"""


def register(sub) -> None:
    parser = sub.add_parser("weights", help="Keras -> torch weight manifests and state_dict conversion",
                            epilog=EPILOG, formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="weights_action", metavar="ACTION")
    man = actions.add_parser("manifest", help="write the weight manifest of a Keras source file")
    man.add_argument("source", type=Path, metavar="SOURCE.py")
    man.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    man.set_defaults(run=run_manifest)
    conv = actions.add_parser("convert", help="saved Keras model -> torch state_dict (.pt)")
    conv.add_argument("manifest", type=Path, metavar="MANIFEST")
    conv.add_argument("src", type=Path, metavar="SRC", help="a .keras file, a full-model .h5, or a SavedModel directory")
    conv.add_argument("out", type=Path, metavar="OUT.pt")
    conv.add_argument("--model", metavar="CLASS", help="the torch class in the manifest (default: the one that fits)")
    conv.set_defaults(run=run_convert)
    parser.set_defaults(run=lambda args: parser.print_help(sys.stderr) or 2)


def run_manifest(args) -> int:
    from migrate.keras_to_torch.core import convert_source

    try:
        text = args.source.read_text(encoding="utf-8")
        result = convert_source(text)
    except (OSError, SyntaxError, UnicodeDecodeError) as exc:
        print(f"{ERROR_PREFIX} weights: {args.source}: {exc}", file=sys.stderr)
        return 1
    for issue in result.issues:
        if not issue.fixed:
            print(f"{args.source}:{issue.line}:{issue.col}: {issue.code} {issue.message}", file=sys.stderr)
    if not result.models:
        print(f"{ERROR_PREFIX} weights: {args.source}: no Keras model converted, no manifest", file=sys.stderr)
        return 1
    data = json.dumps(result.manifest(str(args.source)), indent=1) + "\n"
    if args.output:
        args.output.write_text(data, encoding="utf-8")
    else:
        sys.stdout.write(data)
    return 0


def run_convert(args) -> int:
    from migrate.keras_to_torch.manifest import load, state_from_keras_arrays, keras_layer_arrays, keras_model_layers

    try:
        manifest = load(args.manifest)
    except (OSError, ValueError) as exc:
        print(f"{ERROR_PREFIX} weights: {exc}", file=sys.stderr)
        return 2
    suffix = "".join(args.src.suffixes[-2:]) if args.src.is_file() else ""
    if not args.src.exists():
        print(f"{ERROR_PREFIX} weights: {args.src}: no such file", file=sys.stderr)
        return 2
    saved_model = args.src.is_dir() and (args.src / "saved_model.pb").is_file()
    if suffix.endswith(".weights.h5") or (args.src.is_dir() and not saved_model):
        print(f"{ERROR_PREFIX} weights: {args.src}: weights-only files and TF checkpoints are not supported yet (their "
              "keys do not name the layers): load them into the Keras model and save it with model.save('m.keras')",
              file=sys.stderr)
        return 2
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import numpy as np
    import torch

    if saved_model:
        layers = saved_model_layers(args.src, manifest)
    else:
        import keras

        keras_model = keras.models.load_model(args.src, compile=False)
        layers = keras_model_layers(keras_model)
    problems = []
    for model in manifest["models"]:
        if args.model and model["torch_class"] != args.model:
            continue
        try:
            state = state_from_keras_arrays(model, keras_layer_arrays(model, layers))
        except (ValueError, IndexError) as exc:
            problems.append(f"{model['torch_class']}: {exc}")
            continue
        tensors = {k: torch.as_tensor(np.array(v, order="C")) for k, v in state.items()}
        torch.save(tensors, args.out)
        print(f"{args.out}: {len(tensors)} tensors for {model['torch_class']} "
              f"({sum(int(t.numel()) for t in tensors.values())} values) from {args.src}")
        return 0
    print(f"{ERROR_PREFIX} weights: no model of the manifest fits " + str(args.src) + (": " + "; ".join(problems) if problems else ""),
          file=sys.stderr)
    return 1


def saved_model_layers(path: Path, manifest: dict) -> list:
    """(class, layer name, arrays) from a SavedModel (``model.export``): variables are named ``layer/.../name``.

    The class of an auto-named layer is read off its name (Keras names a Conv2D conv2d, conv2d_1, ...).
    """
    import re

    import tensorflow as tf

    from migrate.keras_to_torch.layers import snake

    loaded = tf.saved_model.load(str(path))
    groups: dict[str, list] = {}
    for variable in loaded.variables:
        name = variable.name[:-2] if variable.name.endswith(":0") else variable.name
        if "/" not in name or name.startswith("seed_generator"):
            continue
        groups.setdefault(name.split("/", 1)[0], []).append(variable.numpy())
    classes = {w["keras"]["class"] for m in manifest["models"] for w in m["weights"] if "keras" in w}
    out = []
    for layer, arrays in groups.items():
        cls = next((c for c in classes if re.fullmatch(re.escape(snake(c)) + r"(_\d+)?", layer)), "")
        out.append((cls, layer, arrays))
    return out
