"""Generate the tf.contrib tables (rules TF2102 and TF2101) from tf_upgrade_v2's facts, checked on the installed TF.

Source of facts: the mapping tables that ship with the installed TensorFlow
(``tensorflow/tools/compatibility/all_renames_v2.py``: ``manual_symbol_renames``
for ``tf.contrib.X -> tf.Y`` and ``addons_symbol_mappings`` for the TF Addons
successors).  They are read with ``ast`` (no code of tf_upgrade_v2 runs), and
every target is looked up in the installed TensorFlow 2.21:

* target exists, and no reason below says it behaves differently -> TF2102 rename
  (spelled canonically: ``tf.compat.v2.X``/``tf.compat.v1.X`` become ``tf.X`` when
  that is the same object);
* the mapping needs its arguments converted -> TF2103 (a transform) handles it;
* anything else (target gone, or behaviour differs) -> a TF2101 finding for that name
  (more specific than the module's) that names the replacement, with the reason.

Run with the project's venv: ``python scripts/gen_contrib_tables.py`` (``--check``
compares instead of writing).
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.compat.v1.nn.rnn_cell needs tf_keras to be inspectable
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "rules" / "tf1_to_tf2" / "generated"
GENERATOR = "scripts/gen_contrib_tables.py"

# Mappings of tf_upgrade_v2 that are not plain renames here, and why (facts checked on TF 2.21).
CONVERTED_BY_TF2103 = {
    "tf.contrib.framework.load_variable": "keyword checkpoint_dir is ckpt_dir_or_file in tf.train.load_variable",
}
NOT_RENAMED = {
    "tf.contrib.summary": "tf.contrib.summary ops recorded against the global step under a record_summaries_* "
                          "context in graph mode; tf.summary needs an explicit step, a default writer and "
                          "tf.summary.record_if, so a rename changes what is written",
    "tf.contrib.saved_model.load_keras_model": "tf.compat.v1.keras.experimental.load_from_saved_model is gone in "
                                               "TF 2.21; use tf.keras.models.load_model",
    "tf.contrib.saved_model.save_keras_model": "tf.compat.v1.keras.experimental.export_saved_model is gone in "
                                               "TF 2.21; use model.save / model.export",
}
# Replacement facts for tf.contrib names that tf_upgrade_v2 only warns about (not in its tables).
# Written here in our words; the facts were checked against the TF 2.21 API.
SUCCESSORS_EXTRA = {
    "tf.contrib.layers.layer_norm": "tf.keras.layers.LayerNormalization (its epsilon default is 1e-3, "
                                    "contrib's was 1e-12, and begin_norm_axis/begin_params_axis become axis)",
    "tf.contrib.distribute.MirroredStrategy": "tf.distribute.MirroredStrategy (its constructor takes devices and "
                                              "cross_device_ops; num_gpus and auto_shard_dataset are gone)",
    "tf.contrib.distribute.OneDeviceStrategy": "tf.distribute.OneDeviceStrategy",
    "tf.contrib.distribute.TPUStrategy": "tf.distribute.TPUStrategy (takes a TPUClusterResolver; "
                                         "steps_per_run is gone)",
    "tf.contrib.distribute.CollectiveAllReduceStrategy": "tf.distribute.MultiWorkerMirroredStrategy",
    "tf.contrib.distribute.ParameterServerStrategy": "tf.distribute.experimental.ParameterServerStrategy "
                                                     "(takes a cluster resolver)",
}


def _dict_literal(tree: ast.Module, name: str) -> dict[str, str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit(f"{name} not found in all_renames_v2.py")


def upgrade_tables() -> tuple[dict[str, str], dict[str, str], str]:
    import importlib.util

    spec = importlib.util.find_spec("tensorflow")
    path = Path(spec.origin).parent / "tools" / "compatibility" / "all_renames_v2.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    renames = {k: v for k, v in _dict_literal(tree, "manual_symbol_renames").items() if k.startswith("tf.contrib.")}
    addons = _dict_literal(tree, "addons_symbol_mappings")
    return renames, addons, str(path.relative_to(Path(spec.origin).parent.parent))


def _lookup(tf, dotted: str):
    obj = tf
    for part in dotted.split(".")[1:]:
        try:
            obj = getattr(obj, part)
        except AttributeError:
            return None
    return obj


def canonical(tf, target: str) -> str:
    """``tf.compat.v2.X`` / ``tf.compat.v1.X`` as ``tf.X`` where TF2 exports the same object there."""
    for prefix in ("tf.compat.v2.", "tf.compat.v1."):
        if target.startswith(prefix):
            plain = "tf." + target[len(prefix):]
            found, wanted = _lookup(tf, plain), _lookup(tf, target)
            if found is not None and found is wanted:
                return plain
    if _lookup(tf, target) is None and target.startswith("tf.") and not target.startswith("tf.compat."):
        v1 = "tf.compat.v1." + target[3:]
        if _lookup(tf, v1) is not None:
            return v1
    return target


def _qualified(name: str) -> str:
    return "tensorflow" + name[2:] if name.startswith("tf.") else name


def generate() -> tuple[dict, dict]:
    import tensorflow as tf

    renames, addons, source = upgrade_tables()
    moved, findings = {}, {}
    for old, new in sorted(renames.items()):
        reason = CONVERTED_BY_TF2103.get(old)
        if reason:
            continue
        reason = next((why for prefix, why in NOT_RENAMED.items() if old == prefix or old.startswith(prefix + ".")),
                      None)
        new = canonical(tf, new)
        if reason is None and _lookup(tf, new) is None:
            reason = f"tf_upgrade_v2 maps it to {new}, which TF {tf.__version__} does not have"
        if reason is not None:
            findings[_qualified(old)] = {
                "severity": "error",
                "message": f"`{{name}}` was removed with tf.contrib; tf_upgrade_v2 maps it to `{new}`, but not "
                           f"as a rename: {reason}",
            }
            continue
        moved[_qualified(old)] = _qualified(new)
    for old, new in sorted(addons.items()):
        findings[_qualified(old)] = {
            "severity": "error",
            "message": f"`{{name}}` was removed with tf.contrib; its successor is `{new}` in TensorFlow Addons "
                       "(`pip install tensorflow-addons`; Addons is in maintenance mode and needs a matching TF "
                       "version), or a Keras equivalent where one exists",
        }
    for old, text in sorted(SUCCESSORS_EXTRA.items()):
        findings[_qualified(old)] = {"severity": "error",
                                     "message": f"`{{name}}` was removed with tf.contrib; use {text}"}
    meta = {"generator": GENERATOR, "tensorflow": tf.__version__, "source": source}
    return ({**meta, "entries": moved}, {**meta, "entries": findings})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the files instead of writing them")
    args = parser.parse_args(argv)
    moved, findings = generate()
    stale = []
    for name, data in (("contrib_renames.json", moved), ("contrib_successors.json", findings)):
        text = json.dumps(data, indent=1, sort_keys=True) + "\n"
        path = OUT / name
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"{path.relative_to(ROOT)}: {len(data['entries'])} entries")
    if stale:
        print("stale: " + ", ".join(stale) + f" (run {GENERATOR})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
