"""Generate the bulk TF1 -> TF2 tables in rules/tf1_to_tf2/generated/ from the installed TensorFlow.

Run with the project's venv (``make tables``).  Nothing here is copied from
tf_upgrade_v2: every entry is derived from TensorFlow's live API namespaces
(``tensorflow.compat.v1`` and ``tensorflow``), object identity, the export
metadata that ``tf_export`` attaches (``_tf_api_names``) and the functions'
signatures.  The only hand-written data are the small curated tables below,
each with the reason it exists.

Decision per TF1 public name ``tensorflow.X`` (all v1 names bound to one
object are decided together, as a group):

* the object is exported in TF2 as ``X``                      -> nothing
* the object is exported in TF2 under other names             -> renames_canonical (TF2001)
* TF2 exports ``X`` (or a group alias) as a different object whose
  signature accepts every TF1 keyword after the curated keyword renames
  and removals                                                -> kept; keyword / reorder tables
* a TF1-only function whose body only forwards to a TF2 function,
  or a TF1 constant whose defining module records a TF2 export -> renames_canonical (TF2001)
* otherwise (TF1-only, or TF2 changed it beyond keywords)     -> renames_compat_v1 (TF2002)

A canonical target that TF1 code also used with another meaning
(tf.where_v2 -> tf.where) is spelled through tf.compat.v2 so a second
conversion cannot mistake it for TF1 code.  ``--check`` compares instead of
writing (the slow test in tests/test_tf_tables.py runs it); ``--explain``
prints why each changed-signature function was kept or moved.

``tf.keras`` is left alone (Keras has its own versioning), ``tf.raw_ops`` is
identical in both APIs, and ``tf.compat`` is the target, not a source.
"""
from __future__ import annotations

import argparse
import ast
import inspect
import json
import os
import sys
import textwrap
import types
from pathlib import Path

# tf.layers and tf.nn.rnn_cell are Keras-backed: with Keras 3 they raise on
# access.  The legacy Keras (tf_keras) backend makes them inspectable; the
# converted code needs the same switch, which rule TF2101 tells the user.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "rules" / "tf1_to_tf2" / "generated"
GENERATOR = "scripts/gen_tf_tables.py"

# Subtrees of the v1 namespace that are not walked, and why.
SKIPPED_SUBTREES = {
    "compat": "the migration target itself",
    "keras": "Keras keeps its own API across TF1/TF2; tf.keras.* names are not renamed",
    "raw_ops": "generated op wrappers, identical in both APIs",
}

# Systematic keyword renames of the TF2 API cleanup.  Applied to a function
# only when TF2 lacks the old keyword and has the new one (a tuple lists
# candidates, the first one TF2 has wins).
KEYWORD_RENAMES = {
    "keep_dims": "keepdims",          # numpy spelling everywhere in TF2
    "reduction_indices": "axis",      # old name of the reduction axis
    "reduction_axes": "axis",         # the sparse reductions' spelling of the same
    "dimension": "axis",              # argmax/argmin
    "dim": "axis",                    # softmax, expand_dims, *_cross_entropy_with_logits
    "squeeze_dims": "axis",           # squeeze
    "concat_dim": "axis",             # sparse.concat
    "split_dim": "axis",              # sparse.split
    "filter": "filters",              # convolutions took `filter` (shadowing the builtin)
    "dilation_rate": "dilations",     # nn.convolution / nn.pool
    "rates": "dilations",             # dilation2d
    "rate": "dilations",              # depthwise/separable conv: `rate` was the dilation
    "value": "input",                 # pooling and conv1d/conv2d_transpose first argument
    "preferred_dtype": "dtype_hint",  # convert_to_tensor
    "seq_dim": "seq_axis",            # reverse_sequence
    "batch_dim": "batch_axis",        # reverse_sequence
    "string_tensor": "input",         # strings.to_number / to_hash_bucket
    "thresh": "threshold",            # sparse.add
    "expand_nonconcat_dim": "expand_nonconcat_dims",  # sparse.concat
    "Targmax": "output_dtype",        # max_pool_with_argmax: attr name leaked into the API
    "box_ind": "box_indices",         # image.crop_and_resize
    "tensor": "input",                # zeros_like/ones_like (not summary.*: `tensor` -> `data` there is not a rename of meaning)
    "input_tensor": "input",          # count_nonzero
    "targets": "labels",              # weighted_cross_entropy_with_logits
    "fn1": "true_fn",                 # cond's pre-1.0 names
    "fn2": "false_fn",
    "device_name_or_function": "device_name",  # tf.device; TF2 refuses functions with a clear error
    "t": ("input", "x"),              # batch_norm_with_global_normalization / assert_all_finite one-letter names
    "msg": "message",                 # assert_all_finite
    "m": "mean",
    "v": "variance",
    "kernel": "filters",              # erosion2d
    "bytes": "input_bytes",           # decode_raw's deprecated alias
}
# Per-function exceptions to the global table: {v1 name: {keyword: None (never rename)}}
KEYWORD_RENAME_EXCEPTIONS = {
    # summary ops changed meaning, not spelling (step, collections): they go to compat.v1
    "summary.audio": {"tensor": None}, "summary.image": {"tensor": None},
    "summary.scalar": {"tensor": None}, "summary.text": {"tensor": None},
}

# TF1 keywords TF2 dropped without an equivalent; dropping them keeps the
# call valid.  Each says why the loss is acceptable (these are TF2005, review).
KEYWORD_REMOVALS = {
    "use_cudnn_on_gpu": "cuDNN is always used when available in TF2",
    "validate_indices": "deprecated and ignored since TF 1.x",
    "optimize": "a graph-construction shortcut; TF2 always takes the fast path when it can",
    "verify_shape": "TF1's shape check of tf.constant; TF2 broadcasts or raises",
    "colocate_gradients_with_ops": "TF2 always colocates gradients with their ops",
    "partition_strategy": "only matters for a list of sharded params; TF2 always uses 'div' (TF1's default was 'mod')",
    "keyword_required": "a TF1 sentinel forcing keyword use; its only legal value is the default",
    "_sentinel": "a TF1 sentinel forcing keyword use; its only legal value is the default",
    "strict": "tf.cond's strict mode is the TF2 behaviour",
    "expected_shape": "tf.Variable ignored it already in TF1",
    "use_resource": "TF2 variables are always resource variables",
    "collections": "TF2 has no graph collections; see TF2201 for code that reads them back",
}
# Where a keyword removal applies only to some functions.
KEYWORD_REMOVAL_ONLY = {
    "strict": {"cond"},
    "expected_shape": {"Variable"},
    "use_resource": {"Variable"},
    "collections": {"Variable"},
}

# Keywords another curated rule converts (value templates, custom transforms).
HANDLED_ELSEWHERE = {
    ("nn.dropout", "keep_prob"): "TF2006 rewrites keep_prob to rate = 1 - keep_prob",
}

# Kept at the TF1 name although the signatures alone would send them to
# compat.v1, or sent to compat.v1 although the signatures match.
FORCE_COMPAT = {
    "where": "TF1 tf.where selects rows with a vector condition; TF2's tf.where broadcasts instead",
    "while_loop": "return_same_structure=False unpacks single loop variables in TF1; TF2 never does",
}

# Canonical-name preference when TF2 exports one object under several names
# and the export metadata gives no order (lower index wins).
V2_NAMESPACE_PREFERENCE = ("math", "linalg", "io", "random", "signal", "strings", "sparse", "nn", "image")


def _load_tf():
    import tensorflow as tf  # noqa: F401  (imported for its side effect of building the API)
    from tensorflow.python.util import tf_decorator

    return tf, sys.modules["tensorflow._api.v2.compat.v1"], tf_decorator


def _target(obj, tf_decorator):
    try:
        return tf_decorator.unwrap(obj)[1]
    except Exception:  # objects with odd __getattr__ (lazy loaders)
        return obj


def _members(module):
    try:
        names = sorted(dir(module))
    except Exception:
        return
    for name in names:
        if name.startswith("_"):
            continue
        try:
            yield name, getattr(module, name)
        except Exception:  # a lazily loaded member that cannot load here
            continue


def walk(module, api_prefixes, skip, prefix="", out=None):
    """{relative dotted path: object} for a TF API namespace, recursing into API submodules."""
    out = {} if out is None else out
    for name, obj in _members(module):
        path = prefix + name
        if path in skip:
            continue
        out[path] = obj
        if isinstance(obj, types.ModuleType):
            module_name = getattr(obj, "__name__", "") or ""
            if any(module_name.startswith(p) for p in api_prefixes) and path.count(".") < 6:
                walk(obj, api_prefixes, skip, path + ".", out)
    return out


def _is_api_callable(obj, tf_decorator) -> bool:
    return inspect.isclass(obj) or inspect.isfunction(_target(obj, tf_decorator)) or inspect.isbuiltin(obj)


def signature_params(obj, tf_decorator):
    """(all named parameters, positional parameters) or None when not introspectable."""
    try:
        if inspect.isclass(obj):
            params = list(inspect.signature(obj.__init__).parameters.values())[1:]
        else:
            params = list(inspect.signature(_target(obj, tf_decorator)).parameters.values())
    except (TypeError, ValueError):
        return None
    named = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return named, positional


def keyword_plan(path, v1_params, v2_params):
    """How TF1 keywords map onto TF2: (renames, removals, unresolved)."""
    v1_named, _ = v1_params
    v2_named, _ = v2_params
    renames, removals, unresolved = {}, [], []
    exceptions = KEYWORD_RENAME_EXCEPTIONS.get(path, {})
    for name in v1_named:
        if name in v2_named or (path, name) in HANDLED_ELSEWHERE:
            continue
        candidates = KEYWORD_RENAMES.get(name, ())
        candidates = (candidates,) if isinstance(candidates, str) else candidates
        new = next((c for c in candidates if c in v2_named), None)
        if name not in exceptions and new is not None:
            renames[name] = new
        elif name in KEYWORD_REMOVALS and path.rsplit(".", 1)[-1] in KEYWORD_REMOVAL_ONLY.get(name, {path.rsplit(".", 1)[-1]}):
            removals.append(name)
        else:
            unresolved.append(name)
    return renames, removals, unresolved


# Leading TF1 parameters that only exist to force keyword calls: TF1 rejected
# positional arguments there, so working TF1 code never has any to reorder.
SENTINELS = ("_sentinel", "keyword_required")


def reorder_entry(v1_params, v2_params, renames):
    """TF1 positional order when a positional TF1 call would bind differently in TF2."""
    v1_positional = v1_params[1]
    v2_positional = v2_params[1]
    if v1_positional and v1_positional[0] in SENTINELS:
        return None
    keep = 0
    for old, new in zip(v1_positional, v2_positional):
        if renames.get(old, old) != new:
            break
        keep += 1
    if keep >= len(v1_positional):
        return None
    return {"params": list(v1_positional), "keep": keep}


def _preferred(names, obj, tf_decorator):
    """The canonical TF2 name among ``names``: tf_export's own order first, then namespace preference."""
    exported = list(getattr(_target(obj, tf_decorator), "_tf_api_names", ()) or getattr(obj, "_tf_api_names", ()) or ())
    ordered = [n for n in exported if n in names]
    if ordered:
        return ordered[0]

    def rank(name):
        head = name.split(".", 1)[0] if "." in name else ""
        pref = V2_NAMESPACE_PREFERENCE.index(head) if head in V2_NAMESPACE_PREFERENCE else len(V2_NAMESPACE_PREFERENCE)
        return (pref, name.count("."), name)

    return sorted(names, key=rank)[0]


def constant_exports():
    """{TF1 constant name: TF2 names} from the export metadata tf_export leaves on defining modules.

    Constants (``tf.VERSION``, ``saved_model.tag_constants.SERVING``) are
    plain strings and ints, so identity says nothing about them; the module
    that defines one records its v1 and v2 API names side by side.
    """
    result: dict[str, list[str]] = {}
    for module in list(sys.modules.values()):
        v1_constants = getattr(module, "_tf_api_constants_v1", None) if module is not None else None
        v2_constants = getattr(module, "_tf_api_constants", None) if module is not None else None
        if not v1_constants or not v2_constants:
            continue
        v2_by_name = {name: list(names) for names, name in v2_constants}
        for names, name in v1_constants:
            for v1_name in names:
                if v2_by_name.get(name):
                    result[v1_name] = v2_by_name[name]
    return result


def thin_wrapper(obj, tf_decorator, v2_names_by_id):
    """(TF2 names, {v1 param: v2 param}) when a TF1-only function only forwards to a TF2 function.

    ``tf.gfile.Exists(filename)`` is ``return file_exists_v2(filename)``: the
    function body itself says which TF2 function it is and how its parameters
    map, so the rename and keyword table are exact.
    """
    target = _target(obj, tf_decorator)
    if not inspect.isfunction(target):
        return None
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(target)))
    except (OSError, TypeError, SyntaxError):
        return None
    function = tree.body[0] if tree.body and isinstance(tree.body[0], ast.FunctionDef) else None
    if function is None:
        return None
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], ast.Return) or not isinstance(body[0].value, ast.Call):
        return None
    call = body[0].value
    callee = _resolve(call.func, target.__globals__)
    if callee is None:
        return None
    names = v2_names_by_id.get(id(callee)) or v2_names_by_id.get(id(_target(callee, tf_decorator)))
    if not names:
        return None
    v1_named = [a.arg for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)]
    v2_params = signature_params(callee, tf_decorator)
    if v2_params is None:
        return None
    mapping: dict[str, str] = {}
    for index, arg in enumerate(call.args):
        if not isinstance(arg, ast.Name) or index >= len(v2_params[1]):
            return None
        mapping[arg.id] = v2_params[1][index]
    for keyword in call.keywords:
        if keyword.arg is None or not isinstance(keyword.value, ast.Name):
            return None
        mapping[keyword.value.id] = keyword.arg
    if sorted(mapping) != sorted(v1_named) or len(set(mapping.values())) != len(mapping):
        return None
    return names, mapping


def _resolve(node, namespace):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in namespace:
        return None
    obj = namespace[node.id]
    for part in reversed(parts):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def generate():
    tf, v1_root, tf_decorator = _load_tf()
    v1 = walk(v1_root, ("tensorflow._api.v2.compat.v1", "tf_keras.api._v1.keras.__internal__.legacy"),
              set(SKIPPED_SUBTREES))
    v2 = walk(tf, ("tensorflow._api.v2",), set(SKIPPED_SUBTREES))

    # Every TF2 name an object is exported under, by identity of the object and of its undecorated target.
    v2_names_by_id: dict[int, list[str]] = {}
    for path, obj in v2.items():
        if isinstance(obj, types.ModuleType) or not _is_api_callable(obj, tf_decorator):
            continue
        for key in {id(obj), id(_target(obj, tf_decorator))}:
            v2_names_by_id.setdefault(key, []).append(path)

    # TF1 names grouped by the object they name.
    groups: dict[int, list[str]] = {}
    for path, obj in v1.items():
        if isinstance(obj, types.ModuleType) or not _is_api_callable(obj, tf_decorator):
            continue
        groups.setdefault(id(_target(obj, tf_decorator)), []).append(path)

    constants = constant_exports()
    canonical, compat, reorders, kw_renames, kw_removals = {}, {}, {}, {}, {}
    unresolved_report: dict[str, list[str]] = {}
    kept_changed: list[str] = []
    forwarders: list[str] = []

    def full(path):
        return "tensorflow." + path

    for path, obj in sorted(v1.items()):
        is_module = isinstance(obj, types.ModuleType)
        api_module = is_module and (getattr(obj, "__name__", "") or "").startswith(
            ("tensorflow._api.v2", "tf_keras.api._v1.keras.__internal__.legacy"))
        if api_module:
            if path not in v2:
                compat[full(path)] = full("compat.v1." + path)
            continue
        if not _is_api_callable(obj, tf_decorator) or is_module:
            # constants, dtypes, enums' values, plain modules (tf.flags)
            if path in v2:
                continue
            v2_names = [n for n in constants.get(path, ()) if n in v2]
            if v2_names:
                canonical[full(path)] = full(v2_names[0])
            else:
                compat[full(path)] = full("compat.v1." + path)
            continue
        target = _target(obj, tf_decorator)
        v2_obj = v2.get(path)
        if v2_obj is not None and (v2_obj is obj or _target(v2_obj, tf_decorator) is target):
            continue
        exported = sorted(set(v2_names_by_id.get(id(obj), []) + v2_names_by_id.get(id(target), [])))
        if exported and v2_obj is None:
            canonical[full(path)] = full(_preferred(exported, obj, tf_decorator))
            continue
        # Same TF2 name, different object; or a TF1-only alias of such an object.
        group = groups.get(id(target), [path])
        candidates = [p for p in group if p in v2] if v2_obj is None else [path]
        decided = None
        for candidate in candidates:
            if candidate in FORCE_COMPAT:
                continue
            v1_params = signature_params(obj, tf_decorator)
            v2_params = signature_params(v2[candidate], tf_decorator)
            if v1_params is None or v2_params is None:
                continue
            renames, removals, unresolved = keyword_plan(candidate, v1_params, v2_params)
            if unresolved:
                unresolved_report[path] = unresolved
                continue
            decided = (candidate, renames, removals, reorder_entry(v1_params, v2_params, renames))
            break
        if decided is None and v2_obj is None:
            forwarded = thin_wrapper(obj, tf_decorator, v2_names_by_id)
            if forwarded is not None:
                names, mapping = forwarded
                new = _preferred(names, v2[names[0]], tf_decorator)
                canonical[full(path)] = full(new)
                renames = {old: new_kw for old, new_kw in mapping.items() if old != new_kw}
                if renames:
                    kw_renames[full(path)] = dict(sorted(renames.items()))
                v1_params = signature_params(obj, tf_decorator)
                reorder = reorder_entry(v1_params, signature_params(v2[new], tf_decorator), renames)
                if reorder:
                    reorders[full(path)] = reorder
                forwarders.append(path)
                continue
        if decided is None:
            compat[full(path)] = full("compat.v1." + path)
            continue
        candidate, renames, removals, reorder = decided
        if candidate != path:
            canonical[full(path)] = full(candidate)
        kept_changed.append(path)
        if renames:
            kw_renames[full(path)] = dict(sorted(renames.items()))
        if removals:
            kw_removals[full(path)] = sorted(removals)
        if reorder:
            reorders[full(path)] = reorder

    # A TF2 name that is also a TF1 name with TF1-only meaning (tf.where_v2 -> tf.where) would be read
    # as TF1 code by a second conversion and sent to compat.v1 with the other semantics: spell the
    # target through tf.compat.v2, which names the same TF2 object and no TF1 rule matches.
    for old, new in sorted(canonical.items()):
        if new in compat:
            canonical[old] = "tensorflow.compat.v2." + new[len("tensorflow."):]
    overlap = set(canonical) & set(compat)
    if overlap:
        raise SystemExit(f"a name cannot be both renamed and moved to compat.v1: {sorted(overlap)}")
    tables = {
        "renames_canonical.json": canonical,
        "renames_compat_v1.json": compat,
        "reorders.json": reorders,
        "keyword_renames.json": kw_renames,
        "keyword_removals.json": kw_removals,
    }
    return tf.__version__, tables, {"kept_changed": kept_changed, "unresolved": unresolved_report,
                                          "forwarders": forwarders}


def render(version: str, entries: dict) -> str:
    payload = {"tensorflow_version": version, "generator": GENERATOR, "entries": entries}
    return json.dumps(payload, sort_keys=True, indent=1) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="directory for the JSON tables")
    parser.add_argument("--check", action="store_true", help="compare with the files instead of writing them")
    parser.add_argument("--explain", action="store_true", help="print the kept-changed and compat decisions")
    args = parser.parse_args(argv)
    version, tables, notes = generate()
    stale = []
    for name, entries in sorted(tables.items()):
        text = render(version, entries)
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            args.out.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        print(f"{name}: {len(entries)} entries")
    print(f"keyword renames: {sum(len(v) for v in tables['keyword_renames.json'].values())} over "
          f"{len(tables['keyword_renames.json'])} functions; keyword removals: "
          f"{sum(len(v) for v in tables['keyword_removals.json'].values())} over {len(tables['keyword_removals.json'])} functions")
    if args.explain:
        for path in notes["kept_changed"]:
            print("kept (changed signature):", path)
        for path in notes["forwarders"]:
            print("forwards to a TF2 function:", path)
        for path, names in sorted(notes["unresolved"].items()):
            print("compat.v1 (TF2 lacks keywords):", path, names)
    if stale:
        print("stale tables (run `make tables`):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
