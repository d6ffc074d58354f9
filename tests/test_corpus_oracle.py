"""tf_upgrade_v2 as an oracle: on every corpus program its output and dlmigrate's are the same syntax tree,
except for differences this file names one by one with the reason.

Procedure, once per session:
1. tf_upgrade_v2 only recognises TensorFlow spelled ``tf.``: a program that says
   ``import tensorflow as foo``, ``import tensorflow`` or ``from tensorflow import nn``
   is left almost untouched by it. So the oracle gets each original *qualified*:
   every name imported from TensorFlow is spelled out from ``tf`` (``foo.X`` ->
   ``tf.X``, ``nn.relu`` -> ``tf.nn.relu``; ``tensorflow.compat.v1`` is the TF1 API,
   so ``v1.X`` -> ``tf.X``). dlmigrate converts the original as the user wrote it.
2. Both outputs are qualified the same way (now ``tensorflow.compat.v1`` stays
   ``tf.compat.v1``: it is TF2 code), so imports and aliases drop out of the comparison.
3. dlmigrate's inserted ``tf.compat.v1.disable_v2_behavior()`` is removed (TF2301).
4. The trees are walked in parallel; every smallest differing pair (a dotted name
   or a call) must match one entry of ALLOWED, or the test fails and prints it.

Each entry of ALLOWED is either ``better`` (dlmigrate's output is the right one, and
the reason says why) or ``gap`` (tf_upgrade_v2 goes further; dlmigrate's output is
still correct but less migrated: reported work, not hidden).
"""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from conftest import dlmigrate_exe
from corpus_support import CORPUS, RUN_ENV, corpus_programs

TF_UPGRADE_V2 = Path(sys.executable).parent / "tf_upgrade_v2"
PROGRAMS = [p.name for p in corpus_programs()]


# -- qualification -------------------------------------------------------------------------


def _tf_import_bindings(tree: ast.Module) -> dict[str, str]:
    """Local name -> qualified TensorFlow name, for the module-level imports of tensorflow."""
    bound: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "tensorflow" or alias.name.startswith("tensorflow."):
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        bound["tensorflow"] = "tensorflow"
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == "tensorflow" or node.module.startswith("tensorflow."):
                for alias in node.names:
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def _is_tf_import(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import):
        return any(a.name == "tensorflow" or a.name.startswith("tensorflow.") for a in node.names)
    if isinstance(node, ast.ImportFrom) and node.module:
        return node.module == "tensorflow" or node.module.startswith("tensorflow.")
    return False


def _shadowed_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.Lambda)):
            names.update(a.arg for a in (*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs))
            if isinstance(node, ast.FunctionDef):
                names.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return names


def qualify(source: str, *, tf1_program: bool) -> tuple[ast.Module, bool]:
    """The module with every TensorFlow reference spelled from ``tf``; True when that changed anything."""
    tree = ast.parse(source)
    bound = _tf_import_bindings(tree)
    if bound == {"tf": "tensorflow"}:
        return tree, False
    clash = set(bound) & _shadowed_names(tree)
    assert not clash, f"the qualifier handles module-level names only; {sorted(clash)} are rebound in a function"

    def spelled(qualified: str) -> str:
        if tf1_program and (qualified == "tensorflow.compat.v1" or qualified.startswith("tensorflow.compat.v1.")):
            qualified = "tensorflow" + qualified[len("tensorflow.compat.v1"):]
        return "tf" + qualified[len("tensorflow"):]

    class Qualify(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            if isinstance(node.ctx, ast.Load) and node.id in bound:
                return ast.copy_location(ast.parse(spelled(bound[node.id]), mode="eval").body, node)
            return node

    body: list[ast.stmt] = []
    imported = False
    for statement in tree.body:
        if _is_tf_import(statement):
            if not imported:
                body.append(ast.copy_location(ast.Import(names=[ast.alias("tensorflow", "tf")]), statement))
                imported = True
            continue
        body.append(Qualify().visit(statement))
    tree.body = body
    return ast.fix_missing_locations(tree), True


# -- walking two trees ---------------------------------------------------------------------


def _dotted(node: ast.AST) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def differing_pairs(ours: ast.AST, theirs: ast.AST) -> list[tuple[ast.AST, ast.AST]]:
    """Smallest differing (ours, theirs) pairs: dotted names and calls are compared as units."""
    if ast.dump(ours) == ast.dump(theirs):
        return []
    if type(ours) is not type(theirs):
        return [(ours, theirs)]
    if isinstance(ours, ast.Attribute) and _dotted(ours) and _dotted(theirs):
        return [(ours, theirs)]
    if isinstance(ours, ast.Call):
        same_shape = len(ours.args) == len(theirs.args) and [k.arg for k in ours.keywords] == [
            k.arg for k in theirs.keywords
        ]
        same_callee = ast.dump(ours.func) == ast.dump(theirs.func)
        same_arguments = ast.dump(ast.Tuple(ours.args + [k.value for k in ours.keywords])) == ast.dump(
            ast.Tuple(theirs.args + [k.value for k in theirs.keywords])
        )
        # Another callee with other arguments is one rewrite (tf.to_float(x) -> tf.cast(x, ...)), not two.
        if not same_shape or not (same_callee or same_arguments):
            return [(ours, theirs)]
    pairs: list[tuple[ast.AST, ast.AST]] = []
    for name, ours_value in ast.iter_fields(ours):
        theirs_value = getattr(theirs, name)
        if isinstance(ours_value, list):
            if len(ours_value) != len(theirs_value):
                return [(ours, theirs)]
            for a, b in zip(ours_value, theirs_value):
                if isinstance(a, ast.AST) and isinstance(b, ast.AST):
                    pairs += differing_pairs(a, b)
                elif a != b:
                    return [(ours, theirs)]
        elif isinstance(ours_value, ast.AST) and isinstance(theirs_value, ast.AST):
            pairs += differing_pairs(ours_value, theirs_value)
        elif ours_value != theirs_value:
            return [(ours, theirs)]
    return pairs


# -- the allow-list ------------------------------------------------------------------------


@dataclass(frozen=True)
class Allowed:
    reason: str
    kind: str  # "better": dlmigrate's is right; "equal": both are; "gap": tf_upgrade_v2 migrates further
    why: str
    matches: Callable[[ast.AST, ast.AST], bool] = field(compare=False)
    # True: the claim is checked by running tf_upgrade_v2's output (test_better_claims_hold_when_run).
    proven_by_run: bool = False


def _renamed(ours_pattern: str, theirs_pattern: str) -> Callable[[ast.AST, ast.AST], bool]:
    """Dotted names: ours fully matches ``ours_pattern`` and theirs the pattern with the same groups."""

    def matches(ours: ast.AST, theirs: ast.AST) -> bool:
        if not (_dotted(ours) and _dotted(theirs)):
            return False
        hit = re.fullmatch(ours_pattern, ast.unparse(ours))
        return bool(hit) and re.fullmatch(theirs_pattern.format(*hit.groups()), ast.unparse(theirs)) is not None

    return matches


def _bind(call: ast.Call, params: tuple[str, ...]) -> dict[str, str] | None:
    if any(isinstance(a, ast.Starred) for a in call.args) or len(call.args) > len(params):
        return None
    bound = {params[i]: ast.unparse(a) for i, a in enumerate(call.args)}
    for keyword in call.keywords:
        if keyword.arg is None or keyword.arg in bound:
            return None
        bound[keyword.arg] = ast.unparse(keyword.value)
    return bound


def _same_call(
    ours_callee: str, ours_params: tuple[str, ...], theirs_callee: str, theirs_params: tuple[str, ...],
    theirs_adds: dict[str, str] | None = None, renamed_keywords: dict[str, str] | None = None,
) -> Callable[[ast.AST, ast.AST], bool]:
    """Calls that pass the same arguments once bound to each callee's parameters.

    ``theirs_adds``: arguments only tf_upgrade_v2 writes (``dtype=tf.float32`` for
    ``to_float``). ``renamed_keywords``: ours' keyword -> theirs' keyword.
    """

    def matches(ours: ast.AST, theirs: ast.AST) -> bool:
        if not (isinstance(ours, ast.Call) and isinstance(theirs, ast.Call)):
            return False
        if ast.unparse(ours.func) != ours_callee or ast.unparse(theirs.func) != theirs_callee:
            return False
        mine, other = _bind(ours, ours_params), _bind(theirs, theirs_params)
        if mine is None or other is None:
            return False
        for key, value in (theirs_adds or {}).items():
            if other.pop(key, None) != value:
                return False
        mine = {(renamed_keywords or {}).get(k, k): v for k, v in mine.items()}
        return mine == other

    return matches


CONV2D = ("input", "filters", "strides", "padding", "data_format", "dilations", "name")
MAX_POOL = ("input", "ksize", "strides", "padding", "data_format", "name")
WHILE_V1 = ("cond", "body", "loop_vars", "shape_invariants", "parallel_iterations", "back_prop",
            "swap_memory", "name", "maximum_iterations", "return_same_structure")

# Filled once per session: (dlmigrate name, tf_upgrade_v2 name) pairs that are one object in TF 2.21.
SAME_TF2_OBJECT: set[tuple[str, str]] = set()

_RESOLVE_SCRIPT = """
import json, sys
import tensorflow as tf
def resolve(dotted):
    obj = tf
    for part in dotted.split(".")[1:]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj
pairs = json.loads(sys.stdin.read())
print(json.dumps([[a, b] for a, b in pairs if resolve(a) is not None and resolve(a) is resolve(b)]))
"""


def same_tf2_objects(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The pairs of ``tf.``-spelled names that the installed TensorFlow resolves to one object."""
    if not pairs:
        return set()
    done = subprocess.run(
        [sys.executable, "-c", _RESOLVE_SCRIPT], input=json.dumps(sorted(pairs)),
        capture_output=True, text=True, timeout=300, env={**os.environ, **RUN_ENV},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {tuple(pair) for pair in json.loads(done.stdout.strip().splitlines()[-1])}

ALLOWED = [
    Allowed(
        "tf.layers kept as tf.compat.v1.layers", "better",
        "tf.layers does not exist in TF2; tf_upgrade_v2 2.21 no longer has a table for it and leaves "
        "`tf.layers.dense`, which raises AttributeError. tf.compat.v1.layers runs (with tf-keras).",
        _renamed(r"tf\.compat\.v1\.layers\.(\w+)", r"tf\.layers\.{0}"),
        proven_by_run=True,
    ),
    Allowed(
        "TF1 summaries kept as tf.compat.v1.summary", "better",
        "tf_upgrade_v2 leaves tf.summary.scalar/histogram, which in TF2 is the new summary API: inside a "
        "TF1 graph it needs a default writer and a step, never reaches merge_all, and logs nothing.",
        _renamed(r"tf\.compat\.v1\.summary\.(scalar|histogram|image|audio|text)", r"tf\.summary\.{0}"),
        proven_by_run=True,
    ),
    Allowed(
        "TF1-grid image resizes kept as tf.compat.v1.image", "better",
        "tf_upgrade_v2 rewrites resize_images/resize_nearest_neighbor to tf.image.resize, which samples on the "
        "half-pixel grid: the program's resized values change (bilinear 8x8->4x4 sum 54.899 -> 50.238). "
        "tf.compat.v1.image keeps TF1's values; TF2011 rewrites only the calls where tf.image.resize is exact.",
        lambda o, t: ast.unparse(o).startswith("tf.compat.v1.image.resize")
        and ast.unparse(t).startswith("tf.image.resize"),
        proven_by_run=True,
    ),
    Allowed(
        "tf.while_loop kept as tf.compat.v1.while_loop", "equal",
        "TF2's tf.while_loop is while_loop_v2 (return_same_structure always on, back_prop deprecated); "
        "tf.compat.v1.while_loop keeps TF1 semantics with the positional call unchanged. Both print the "
        "same in the corpus.",
        _same_call("tf.compat.v1.while_loop", WHILE_V1, "tf.while_loop", WHILE_V1),
    ),
    Allowed(
        "positional argument left positional", "equal",
        "tf_upgrade_v2 names tf.nn.conv2d's second argument (filter -> filters) although its position is the "
        "same in TF1 and TF2; the positional call is already correct.",
        _same_call("tf.nn.conv2d", CONV2D, "tf.nn.conv2d", CONV2D),
    ),
    Allowed(
        "tf.nn.max_pool kept (TF2 has it)", "gap",
        "tf_upgrade_v2 rewrites tf.nn.max_pool(value, ...) to tf.nn.max_pool2d(input=value, ...); TF2's "
        "tf.nn.max_pool takes the same 4-D arguments, so both are right; max_pool2d is the more specific name.",
        _same_call("tf.nn.max_pool", MAX_POOL, "tf.nn.max_pool2d", MAX_POOL),
    ),
    Allowed(
        "same TF2 object under another exported name", "equal",
        "TF2 exports some functions under several names (tf.argmin and tf.math.argmin are one object); "
        "each such pair is checked by resolving both names in the installed TensorFlow.",
        lambda o, t: (ast.unparse(o), ast.unparse(t)) in SAME_TF2_OBJECT,
    ),
    Allowed(
        "uniform_unit_scaling_initializer kept under compat.v1", "gap",
        "tf_upgrade_v2 rewrites it to tf.compat.v1.keras.initializers.VarianceScaling(distribution='uniform'); "
        "dlmigrate keeps the TF1 initializer under tf.compat.v1, which still exists in TF 2.21.",
        _same_call("tf.compat.v1.uniform_unit_scaling_initializer", ("scale", "seed", "dtype"),
                   "tf.compat.v1.keras.initializers.VarianceScaling", ("scale", "mode", "distribution", "seed", "dtype"),
                   theirs_adds={"distribution": "'uniform'"}),
    ),
    Allowed(
        "contrib xavier_initializer as the TF1-style Glorot initializer", "equal",
        "tf_upgrade_v2 writes tf.compat.v1.keras.initializers.VarianceScaling(scale=1.0, mode='fan_avg', "
        "distribution='uniform'); dlmigrate writes tf.compat.v1.glorot_uniform_initializer, which is that "
        "distribution with the same random op and seed, and needs no Keras (tests/test_contrib_mappings.py "
        "compares the values with contrib's formula).",
        _same_call("tf.compat.v1.glorot_uniform_initializer", ("seed", "dtype"),
                   "tf.compat.v1.keras.initializers.VarianceScaling", ("scale", "mode", "distribution", "seed", "dtype"),
                   theirs_adds={"scale": "1.0", "mode": "'fan_avg'", "distribution": "'uniform'"}),
    ),
    Allowed(
        "contrib l2_regularizer as keras L2(l2=0.5 * scale)", "equal",
        "Both halve the scale (contrib's L2 was scale * sum(w**2) / 2); dlmigrate names the keyword and uses the "
        "class name L2, tf_upgrade_v2 passes it positionally to the alias l2.",
        _same_call("tf.keras.regularizers.L2", ("l2",), "tf.keras.regularizers.l2", ("l2",)),
    ),
]

INSERTED_DISABLE = "dlmigrate inserts tf.compat.v1.disable_v2_behavior() (TF2301)"
ALIAS_RESOLVED = "program names TensorFlow through an alias or from-import that tf_upgrade_v2 ignores"


def _strip_inserted_disable(ours: ast.Module, theirs: ast.Module) -> bool:
    def is_disable(statement: ast.stmt) -> bool:
        return isinstance(statement, ast.Expr) and ast.unparse(statement) == "tf.compat.v1.disable_v2_behavior()"

    if sum(map(is_disable, ours.body)) == sum(map(is_disable, theirs.body)) + 1:
        index = next(i for i, s in enumerate(ours.body) if is_disable(s))
        del ours.body[index]
        return True
    return False


# -- running both tools once -----------------------------------------------------------------


# tf_upgrade_v2's outputs (of the qualified originals), kept for the run proofs.
UPGRADED_DIR: list[Path] = []


@dataclass
class Comparison:
    name: str
    raw_equal: bool
    alias_resolved: bool
    stripped_disable: bool
    allowed: list[tuple[Allowed, str, str]]
    unexplained: list[tuple[int, str, str]]


@pytest.fixture(scope="session")
def comparisons(tmp_path_factory) -> dict[str, Comparison]:
    if not TF_UPGRADE_V2.exists():
        pytest.skip(f"{TF_UPGRADE_V2} not installed (it ships with tensorflow-cpu: pip install -e '.[validate]')")
    base = tmp_path_factory.mktemp("oracle")
    qualified_in, upgraded, ours_dir = base / "qualified", base / "tf_upgrade_v2", base / "dlmigrate"
    qualified_in.mkdir()
    resolved: dict[str, bool] = {}
    for path in corpus_programs():
        tree, changed = qualify(path.read_text(), tf1_program=True)
        resolved[path.name] = changed
        (qualified_in / path.name).write_text(ast.unparse(tree) + "\n" if changed else path.read_text())
    env = {**RUN_ENV, "PATH": str(TF_UPGRADE_V2.parent)}
    done = subprocess.run(
        [str(TF_UPGRADE_V2), "--intree", str(qualified_in), "--outtree", str(upgraded),
         "--reportfile", str(base / "report.txt")],
        capture_output=True, text=True, timeout=300, env=env, cwd=base,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run(
        [dlmigrate_exe(), "convert", str(CORPUS), "--to", "tf2-compat", "--out", str(ours_dir), "--no-diff", "-q"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode in (0, 3), done.stderr

    prepared = {}
    dotted_pairs: set[tuple[str, str]] = set()
    for name in PROGRAMS:
        ours_text, theirs_text = (ours_dir / name).read_text(), (upgraded / name).read_text()
        raw_equal = ast.dump(ast.parse(ours_text)) == ast.dump(ast.parse(theirs_text))
        ours, _ = qualify(ours_text, tf1_program=False)
        theirs, _ = qualify(theirs_text, tf1_program=False)
        stripped = _strip_inserted_disable(ours, theirs)
        pairs = differing_pairs(ours, theirs)
        prepared[name] = (raw_equal, stripped, pairs)
        dotted_pairs |= {(ast.unparse(a), ast.unparse(b)) for a, b in pairs
                         if _dotted(a) and _dotted(b) and ast.unparse(a).startswith("tf.")}
    SAME_TF2_OBJECT.clear()
    SAME_TF2_OBJECT.update(same_tf2_objects(dotted_pairs))

    results = {}
    for name, (raw_equal, stripped, pairs) in prepared.items():
        allowed, unexplained = [], []
        for mine, other in pairs:
            hit = next((a for a in ALLOWED if a.matches(mine, other)), None)
            pair = (ast.unparse(mine), ast.unparse(other))
            if hit is None:
                unexplained.append((getattr(mine, "lineno", 0), *pair))
            else:
                allowed.append((hit, *pair))
        results[name] = Comparison(name, raw_equal, resolved[name], stripped, allowed, unexplained)
    _print_summary(results)
    UPGRADED_DIR.append(upgraded)
    return results


def _print_summary(results: dict[str, Comparison]) -> None:
    equal_after_disable = [c for c in results.values() if not c.allowed and not c.unexplained]
    per_reason: Counter[str] = Counter()
    programs_per_reason: Counter[str] = Counter()
    for c in results.values():
        reasons = Counter(a.reason for a, *_ in c.allowed)
        per_reason.update(reasons)
        programs_per_reason.update(reasons.keys())
    print(f"\noracle: {len(results)} programs; raw AST-equal {sum(c.raw_equal for c in results.values())}; "
          f"equal once aliases are resolved and the inserted disable_v2_behavior is removed "
          f"{len(equal_after_disable)}; unexplained {sum(bool(c.unexplained) for c in results.values())}")
    print(f"  {INSERTED_DISABLE}: {sum(c.stripped_disable for c in results.values())} programs")
    print(f"  {ALIAS_RESOLVED}: {sum(c.alias_resolved for c in results.values())} programs")
    for allowed in ALLOWED:
        print(f"  [{allowed.kind}] {allowed.reason}: {per_reason[allowed.reason]} sites in "
              f"{programs_per_reason[allowed.reason]} programs")


@pytest.mark.slow
@pytest.mark.parametrize("name", PROGRAMS, ids=lambda n: n[:-3])
def test_dlmigrate_matches_tf_upgrade_v2_except_for_listed_reasons(comparisons, name):
    comparison = comparisons[name]
    assert not comparison.unexplained, "differences from tf_upgrade_v2 that no ALLOWED entry explains:\n" + "\n".join(
        f"  line {line}: dlmigrate `{ours}`  vs  tf_upgrade_v2 `{theirs}`" for line, ours, theirs in comparison.unexplained
    )


@pytest.mark.slow
def test_every_allowed_difference_still_occurs(comparisons):
    """An entry no program needs any more is stale: remove it so the allow-list stays exact."""
    used = {a.reason for c in comparisons.values() for a, *_ in c.allowed}
    stale = [a.reason for a in ALLOWED if a.reason not in used]
    assert stale == [], f"dlmigrate now matches tf_upgrade_v2 there: delete these ALLOWED entries: {stale}"


@pytest.mark.slow
def test_graph_programs_get_disable_v2_behavior_that_tf_upgrade_v2_leaves_out(comparisons):
    stripped = {name for name, c in comparisons.items() if c.stripped_disable}
    explicit = {"compat_v1_import.py", "compat_v1_from_import.py"}  # they disable v2 behaviour themselves
    assert stripped == set(PROGRAMS) - explicit


def test_qualify_spells_every_alias_from_tf():
    source = (
        "import tensorflow as foo\nfrom tensorflow import nn\nfrom tensorflow.compat import v1\n"
        "y = nn.relu(foo.constant(1.0))\nz = v1.placeholder(foo.float32)\n"
    )
    tf1, changed = qualify(source, tf1_program=True)
    assert changed
    assert ast.unparse(tf1) == "import tensorflow as tf\ny = tf.nn.relu(tf.constant(1.0))\nz = tf.placeholder(tf.float32)"
    tf2, _ = qualify(source, tf1_program=False)
    assert "tf.compat.v1.placeholder(tf.float32)" in ast.unparse(tf2)


def test_differing_pairs_are_the_smallest_units():
    ours = ast.parse("y = tf.reduce_mean(tf.compat.v1.to_float(h), axis=tf.compat.v1.arg_max(a, 1))")
    theirs = ast.parse("y = tf.reduce_mean(tf.cast(h, dtype=tf.float32), axis=tf.argmax(a, 1))")
    pairs = [(ast.unparse(a), ast.unparse(b)) for a, b in differing_pairs(ours, theirs)]
    assert pairs == [
        ("tf.compat.v1.to_float(h)", "tf.cast(h, dtype=tf.float32)"),
        ("tf.compat.v1.arg_max", "tf.argmax"),
    ]


def test_allowed_entries_match_only_their_own_rewrite():
    def explained(ours: str, theirs: str) -> set[str]:
        pairs = differing_pairs(ast.parse(ours), ast.parse(theirs))
        return {a.reason for m, t in pairs for a in ALLOWED if a.matches(m, t)}

    assert explained("y = tf.compat.v1.layers.dense(x, 2)", "y = tf.layers.dense(x, 2)") == {
        "tf.layers kept as tf.compat.v1.layers"
    }
    assert explained("tf.compat.v1.summary.scalar('a', b)", "tf.summary.scalar('a', b)") == {
        "TF1 summaries kept as tf.compat.v1.summary"
    }
    assert explained("tf.nn.conv2d(x, w, padding='SAME')", "tf.nn.conv2d(x, filters=w, padding='SAME')") == {
        "positional argument left positional"
    }
    assert explained("tf.compat.v1.summary.scalar('a', b)", "tf.summary.text('a', b)") == set()
    assert explained("tf.compat.v1.layers.dense(x, 2)", "tf.layers.dense(x, 3)") == set()
    assert explained("tf.nn.conv2d(x, w, padding='SAME')", "tf.nn.conv2d(x, filters=v, padding='SAME')") == set()


def _with_graph_mode(source: str) -> str:
    """tf_upgrade_v2's output plus the disable_v2_behavior() call it never writes, so the run shows the rest."""
    tree = ast.parse(source)
    index = next(i for i, s in enumerate(tree.body) if ast.unparse(s) == "import tensorflow as tf") + 1
    tree.body.insert(index, ast.parse("tf.compat.v1.disable_v2_behavior()").body[0])
    return ast.unparse(tree) + "\n"


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("DLMIGRATE_VERIFY") != "1",
                    reason="runs tf_upgrade_v2's outputs with TensorFlow (about a minute): `make verify`")
def test_better_claims_hold_when_run(comparisons, tmp_path):
    """Where a reason says tf_upgrade_v2's output breaks, running it (with graph mode switched on) must show it."""
    from concurrent.futures import ThreadPoolExecutor

    from corpus_support import outputs_match, run_tf1, run_tf2

    proven = {a.reason for a in ALLOWED if a.proven_by_run}
    programs = sorted(name for name, c in comparisons.items() if any(a.reason in proven for a, *_ in c.allowed))
    assert programs, "no program exercises a run-proven reason any more"
    for name in programs:
        (tmp_path / name).write_text(_with_graph_mode((UPGRADED_DIR[0] / name).read_text()))

    def both(name):
        return name, run_tf1(CORPUS / name, tmp_path), run_tf2(tmp_path / name, tmp_path)

    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, original, upgraded in pool.map(both, programs):
            assert original.ok, original.describe()
            same = upgraded.ok and outputs_match(original.stdout, upgraded.stdout)[0]
            assert not same, f"{name}: tf_upgrade_v2's output runs and matches; the 'better' reason no longer holds"
