"""TF1 initializer classes whose op depends on the variable's shape, for ``tf.get_variable`` (TF4001).

The table initializers (``entries.initializers``: zeros, ones, constant, random
normal/uniform, truncated normal) are templates. The variance-scaling family
(``glorot_uniform``, ``glorot_normal``, ``variance_scaling``) and
``uniform_unit_scaling`` compute their range from the shape's fans in Python before
drawing: the rewrite does the same arithmetic, in the same Python floats, from a
shape it can read statically (a literal, or a module-level name bound once to
one), and writes out the random op TF1 ran with its computed bounds and the same
op seed. ``orthogonal`` draws a normal matrix and orthogonalises it with a QR
decomposition: a small generated function does what the TF1 class does, in the
same ops. ``identity`` is ``gain * tf.eye``. Anything else blocks the rewrite.
"""
from __future__ import annotations

import ast
import math

from migrate.tf2_eager.facts import Blocked

TRUNCATED_STD = 0.87962566103423978  # the std of a standard normal truncated to [-2, 2] (TF1 divides by it)
ORTHOGONAL = "tf1_orthogonal_initial_value"

COMPUTED = {
    "tensorflow.glorot_uniform_initializer": ("seed", "dtype"),
    "tensorflow.initializers.glorot_uniform": ("seed", "dtype"),
    "tensorflow.glorot_normal_initializer": ("seed", "dtype"),
    "tensorflow.initializers.glorot_normal": ("seed", "dtype"),
    "tensorflow.variance_scaling_initializer": ("scale", "mode", "distribution", "seed", "dtype"),
    "tensorflow.initializers.variance_scaling": ("scale", "mode", "distribution", "seed", "dtype"),
    "tensorflow.uniform_unit_scaling_initializer": ("factor", "seed", "dtype"),
    "tensorflow.initializers.uniform_unit_scaling": ("factor", "seed", "dtype"),
    "tensorflow.orthogonal_initializer": ("gain", "seed", "dtype"),
    "tensorflow.initializers.orthogonal": ("gain", "seed", "dtype"),
    "tensorflow.initializers.identity": ("gain", "dtype"),
}


def static_shape(rewrite, index: int, node: ast.expr) -> list[int] | None:
    """A shape known when converting: a literal of ints, or a module-level name bound once to one."""
    if isinstance(node, ast.Name):
        if rewrite.facts_stores(node.id) != 1:
            return None
        for tree in rewrite.trees:
            for statement in tree.body:
                if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and \
                        isinstance(statement.targets[0], ast.Name) and statement.targets[0].id == node.id:
                    return static_shape(rewrite, index, statement.value)
        return None
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return None
    if isinstance(value, (list, tuple)) and all(type(v) is int for v in value):
        return list(value)
    return None


def _fans(shape: list[int]) -> tuple[int, int]:
    """Fan-in and fan-out as TF1's initializers count them (kernels: receptive field times depths)."""
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def initial_value(rewrite, index: int, qualified: str, init: ast.Call, shape_node: ast.expr, shape_text: str,
                  dtype_text: str, text: str) -> str | None:
    """The op TF1's initializer ran, as TF2 text; None when ``qualified`` is not one of these."""
    params = COMPUTED.get(qualified)
    if params is None:
        return None
    tf = rewrite.tf
    given = dict(zip(params, init.args))
    given.update({k.arg: k.value for k in init.keywords})
    unknown = set(given) - set(params)
    if unknown or len(init.args) > len(params):
        raise Blocked(index, 1, f"initializer arguments {', '.join(sorted(unknown)) or '(too many)'}")
    literal = {}
    for param, node in given.items():
        if param == "dtype":  # the variable's dtype, when given, wins (TF1 passes it to the initializer)
            dtype_text = dtype_text or ast.get_source_segment(text, node)
            continue
        try:
            literal[param] = ast.literal_eval(node)
        except ValueError:
            raise Blocked(index, 1, f"initializer argument `{param}` is not a literal: its op depends on it "
                                    "when the variable is created") from None
    dtype_text = dtype_text or f"{rewrite.tf}.float32"
    seed = literal.get("seed")
    seed_text = f", seed={seed!r}" if seed is not None else ""
    short = qualified.rsplit(".", 1)[1]
    if "identity" in short:
        gain = literal.get("gain", 1.0)
        return f"{gain!r} * {tf}.eye(*{shape_text}, dtype={dtype_text})"
    if "orthogonal" in short:
        gain = literal.get("gain", 1.0)
        rewrite.orthogonal_needed = True
        return f"{ORTHOGONAL}({shape_text}, {gain!r}, {seed!r}, {dtype_text})"
    shape = static_shape(rewrite, index, shape_node)
    if shape is None:
        raise Blocked(index, 1, f"`{short}`'s range is computed from the variable's shape, which is not a "
                                "literal (or a module-level name bound once to one)")
    if "uniform_unit_scaling" in short:
        input_size = max(float(math.prod(float(d) for d in shape[:-1])) if shape[:-1] else 1.0, 1.0)
        limit = math.sqrt(3 / input_size) * literal.get("factor", 1.0)
        return f"{tf}.random.uniform({shape_text}, {-limit!r}, {limit!r}, dtype={dtype_text}{seed_text})"
    if "glorot_uniform" in short:
        scale, mode, distribution = 1.0, "fan_avg", "uniform"
    elif "glorot_normal" in short:
        scale, mode, distribution = 1.0, "fan_avg", "truncated_normal"
    else:
        scale = literal.get("scale", 1.0)
        mode = literal.get("mode", "fan_in")
        distribution = str(literal.get("distribution", "truncated_normal")).lower()
        if not (isinstance(scale, (int, float)) and scale > 0 and mode in ("fan_in", "fan_out", "fan_avg") and
                distribution in ("normal", "uniform", "truncated_normal", "untruncated_normal")):
            raise Blocked(index, 1, "`variance_scaling_initializer` with arguments TF1 rejects")
    fan_in, fan_out = _fans(shape)
    if mode == "fan_in":
        scale /= max(1., fan_in)
    elif mode == "fan_out":
        scale /= max(1., fan_out)
    else:
        scale /= max(1., (fan_in + fan_out) / 2.)
    if distribution in ("normal", "truncated_normal"):
        stddev = math.sqrt(scale) / TRUNCATED_STD
        return f"{tf}.random.truncated_normal({shape_text}, 0.0, {stddev!r}, dtype={dtype_text}{seed_text})"
    if distribution == "untruncated_normal":
        return f"{tf}.random.normal({shape_text}, 0.0, {math.sqrt(scale)!r}, dtype={dtype_text}{seed_text})"
    limit = math.sqrt(3.0 * scale)
    return f"{tf}.random.uniform({shape_text}, {-limit!r}, {limit!r}, dtype={dtype_text}{seed_text})"


def orthogonal_function(tf: str) -> str:
    """The generated function the ``orthogonal`` initial values call (once per variable, at creation)."""
    return f'''

def {ORTHOGONAL}(shape, gain, seed, dtype):
    """TF1's orthogonal_initializer: a normal matrix (rows: every dimension but the last), made orthogonal by
    QR with R's diagonal signs moved into Q, transposed when it is wider than tall, reshaped, times gain."""
    rows, columns = 1, int(shape[-1])
    for dim in shape[:-1]:
        rows *= dim
    flat = {tf}.random.normal((columns, rows) if rows < columns else (rows, columns), dtype=dtype, seed=seed)
    q, r = {tf}.linalg.qr(flat, full_matrices=False)
    q *= {tf}.sign({tf}.linalg.diag_part(r))
    if rows < columns:
        q = {tf}.linalg.matrix_transpose(q)
    return gain * {tf}.reshape(q, shape)

'''
