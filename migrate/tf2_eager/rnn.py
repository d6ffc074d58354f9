"""TF1 ``LSTMCell`` + ``dynamic_rnn`` as a Keras ``LSTM`` layer with the same weights (TF4001).

What TF1 computes (``tf.nn.rnn_cell.LSTMCell``, no peepholes/projection/clipping):
one kernel ``[input + units, 4 * units]`` over ``concat([x, h])``, columns in gate
order i, j (the candidate), f, o; a bias of zeros; ``c = sigmoid(f + forget_bias) *
c + sigmoid(i) * tanh(j)``, ``h = sigmoid(o) * tanh(c)``; ``dynamic_rnn`` with
``sequence_length`` gives zero outputs past each length and carries the state.

What a Keras ``LSTM`` computes: ``x @ kernel + h @ recurrent_kernel + bias`` with
the gates in order i, f, c, o (recurrent activation sigmoid, activation tanh). So the
rewrite creates the layer once, at module level, and sets its weights from the
kernel TF1 would have drawn (same initializer op, same seed): the first ``input``
rows are the input kernel, the rest the recurrent kernel, each with its column
blocks reordered i, j, f, o -> i, f, j, o; the bias gets ``forget_bias`` added to
its forget block (``unit_forget_bias`` is off: Keras would only *initialise* it at
1, here the constant is folded into the trained bias, which gives the same sums
and, the optimizers being element-wise, the same updates). ``sequence_length``
becomes a mask with ``zero_output_for_mask=True`` (Keras repeats the last output
otherwise). The state ``(c, h)`` is returned as a namedtuple with TF1's field names
and order, as ``sess.run`` returned ``LSTMStateTuple``.

Refused (TF4002 with the reason): other cells (``BasicLSTMCell``'s kernel has no
initializer argument, so TF1 drew it unseeded; GRU and basic RNN cells are laid out
differently), peepholes, projections, clipping, a custom activation, ``initial_state``,
``time_major``, a non-float32 dtype, a cell used by more than one ``dynamic_rnn``.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from migrate.tf2_eager.facts import Blocked

LSTM_CELL = "tensorflow.nn.rnn_cell.LSTMCell"
DYNAMIC_RNN = "tensorflow.nn.dynamic_rnn"
CELL_PARAMS = ("num_units", "use_peepholes", "cell_clip", "initializer", "num_proj", "proj_clip", "num_unit_shards",
               "num_proj_shards", "forget_bias", "state_is_tuple", "activation", "reuse", "name", "dtype")
RNN_PARAMS = ("cell", "inputs", "sequence_length", "initial_state", "dtype", "parallel_iterations", "swap_memory",
              "time_major", "scope")
HELPER = "tf1_lstm_cell_as_keras"
STATE_CLASS = "LSTMStateTuple"


@dataclass
class CellDef:
    index: int
    name: str
    call: ast.Call
    given: dict
    rnn_index: int = -1
    rnn: ast.Call | None = None
    rnn_given: dict | None = None


def _bind(call: ast.Call, params: tuple[str, ...]) -> dict | None:
    if len(call.args) > len(params) or any(k.arg is None for k in call.keywords) or \
            any(isinstance(a, ast.Starred) for a in call.args):
        return None
    given = dict(zip(params, call.args))
    for keyword in call.keywords:
        if keyword.arg not in params or keyword.arg in given:
            return None
        given[keyword.arg] = keyword.value
    return given


def _is_const(node, *values) -> bool:
    return isinstance(node, ast.Constant) and any(node.value is v or node.value == v and type(node.value) is type(v)
                                                  for v in values)


def classify(analyzer, index: int, stmt: ast.Assign, targets: tuple[str, ...]) -> bool:
    """``cell = LSTMCell(...)`` (state: created once) and ``outputs, state = dynamic_rnn(cell, ...)`` (a node)."""
    from migrate.tf2_eager.facts import GraphNode, VariableDef, names_read

    facts = analyzer.facts
    value = stmt.value
    if not isinstance(value, ast.Call):
        return False
    qualified = analyzer.q(value.func)
    if qualified in (LSTM_CELL, DYNAMIC_RNN):
        for name in targets:
            if analyzer.stores.get(name, 0) != 1:
                raise analyzer.block(index, stmt, f"`{name}` is bound more than once; the rewrite needs each graph "
                                                  "name defined once")
    if qualified == LSTM_CELL:
        if len(targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            raise analyzer.block(index, stmt, "an `LSTMCell` not assigned to one name")
        given = _bind(value, CELL_PARAMS)
        if given is None:
            raise analyzer.block(index, value, "`LSTMCell` with arguments the rewrite does not read")
        defaults = {"use_peepholes": (False,), "cell_clip": (None,), "num_proj": (None,), "proj_clip": (None,),
                    "num_unit_shards": (None,), "num_proj_shards": (None,), "state_is_tuple": (True,),
                    "activation": (None,), "reuse": (None,)}
        for param, allowed in defaults.items():
            if param in given and not _is_const(given[param], *allowed):
                raise analyzer.block(index, given[param], f"`LSTMCell({param}=...)`: only the plain cell (no "
                                                          "peepholes, projection, clipping or custom activation) "
                                                          "is converted to a Keras LSTM")
        if "dtype" in given and analyzer.q(given["dtype"]) != "tensorflow.float32":
            raise analyzer.block(index, given["dtype"], "`LSTMCell` of a dtype other than float32")
        if "forget_bias" in given and not (isinstance(given["forget_bias"], ast.Constant) and
                                           type(given["forget_bias"].value) in (int, float)):
            raise analyzer.block(index, given["forget_bias"], "`forget_bias` that is not a number literal")
        if "initializer" not in given:
            raise analyzer.block(index, value, "`LSTMCell` without `initializer=`: TF1 drew its kernel from the "
                                               "variable scope's default glorot initializer, unseeded, so the "
                                               "converted program could not start from the same weights")
        if names_read(value) & facts.graph_names():
            raise analyzer.block(index, value, "`LSTMCell` built from graph values")
        facts.cells[targets[0]] = CellDef(index, targets[0], value, given)
        name = targets[0]
        facts.variables.append(VariableDef(index, name, ((f"{name}.cell.kernel", True),
                                                         (f"{name}.cell.recurrent_kernel", True),
                                                         (f"{name}.cell.bias", True))))
        facts.variable_names.add(name)
        facts.roles[index] = "rnn-cell"
        return True
    if qualified == DYNAMIC_RNN:
        given = _bind(value, RNN_PARAMS)
        if given is None or "cell" not in given or "inputs" not in given:
            raise analyzer.block(index, value, "`dynamic_rnn` with arguments the rewrite does not read")
        cell = given["cell"]
        if not (isinstance(cell, ast.Name) and cell.id in facts.cells):
            raise analyzer.block(index, value, "`dynamic_rnn` over a cell that is not an `LSTMCell` built at module "
                                               "level (other cells are not converted)")
        definition = facts.cells[cell.id]
        if definition.rnn is not None:
            raise analyzer.block(index, value, f"the cell `{cell.id}` runs in two `dynamic_rnn` calls (TF1 makes "
                                               "two sets of weights or reuses them by scope)")
        for param in ("initial_state", "scope"):
            if param in given and not _is_const(given[param], None):
                raise analyzer.block(index, given[param], f"`dynamic_rnn({param}=...)` is not converted")
        if "time_major" in given and not _is_const(given["time_major"], False):
            raise analyzer.block(index, given["time_major"], "`dynamic_rnn(time_major=True)` is not converted")
        if "dtype" in given and analyzer.q(given["dtype"]) != "tensorflow.float32":
            raise analyzer.block(index, given["dtype"], "`dynamic_rnn` of a dtype other than float32")
        inputs = given["inputs"]
        if not (isinstance(inputs, ast.Name) and inputs.id in facts.placeholders
                and facts.placeholders[inputs.id].dtype.endswith("float32")):
            raise analyzer.block(index, inputs, "`dynamic_rnn` inputs that are not a float32 placeholder (the "
                                                "input size must be known to lay out the kernel)")
        if not (isinstance(stmt.targets[0], ast.Tuple) and len(targets) == 2):
            raise analyzer.block(index, stmt, "`dynamic_rnn` results not unpacked into `outputs, state`")
        definition.rnn_index, definition.rnn, definition.rnn_given = index, value, given
        analyzer._check_callees(index, value)
        facts.nodes.update({t: GraphNode(index, targets, frozenset(names_read(value)), DYNAMIC_RNN) for t in targets})
        facts.rnn_states.add(targets[1])
        facts.roles[index] = "node"
        return True
    return False


def check(analyzer) -> None:
    for cell in analyzer.facts.cells.values():
        if cell.rnn is None:
            raise Blocked(cell.index, 1, f"the cell `{cell.name}` is not run by a `dynamic_rnn` call")


# -- the rewrite side


def _static_int(rewrite, node: ast.expr, depth: int = 0) -> int | None:
    if depth > 10:
        return None
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv)):
        left, right = _static_int(rewrite, node.left, depth + 1), _static_int(rewrite, node.right, depth + 1)
        if left is None or right is None or (isinstance(node.op, ast.FloorDiv) and right == 0):
            return None
        return {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right,
                ast.FloorDiv: left // right if right else 0}[type(node.op)]
    if isinstance(node, ast.Name) and rewrite.facts_stores(node.id) == 1:
        for tree in rewrite.trees:
            for statement in tree.body:
                if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
                    continue
                target, value = statement.targets[0], statement.value
                if isinstance(target, ast.Name) and target.id == node.id:
                    return _static_int(rewrite, value, depth + 1)
                if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and \
                        len(target.elts) == len(value.elts):
                    for t, v in zip(target.elts, value.elts):
                        if isinstance(t, ast.Name) and t.id == node.id:
                            return _static_int(rewrite, v, depth + 1)
    return None


def _placeholder_last_dim(rewrite, name: str) -> ast.expr | None:
    for index, tree in enumerate(rewrite.trees):
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and \
                    isinstance(statement.targets[0], ast.Name) and statement.targets[0].id == name:
                call = statement.value
                shape = call.args[1] if len(call.args) > 1 else next(
                    (k.value for k in call.keywords if k.arg == "shape"), None)
                if isinstance(shape, (ast.List, ast.Tuple)) and len(shape.elts) == 3:
                    return shape.elts[2]
    return None


def plan(rewrite) -> None:
    """Module-level text for each cell (the Keras layer with TF1's weights) and the override of each
    ``dynamic_rnn`` statement (the layer's call, the state as TF1's namedtuple)."""
    facts = rewrite.facts
    rewrite.cell_texts = {}
    rewrite.rnn_state_class = None
    if not facts.cells:
        return
    tf = rewrite.tf
    from migrate.tf2_eager import initializers

    helper_written = False
    rewrite.rnn_state_class = rewrite.fresh_name(STATE_CLASS)
    for cell in facts.cells.values():
        index = cell.index
        text = rewrite.texts[index]
        units_node = cell.given.get("num_units")
        units = _static_int(rewrite, units_node) if units_node is not None else None
        inputs = cell.rnn_given["inputs"].id
        size_node = _placeholder_last_dim(rewrite, inputs)
        size = _static_int(rewrite, size_node) if size_node is not None else None
        if units is None or size is None:
            raise Blocked(index, 1, "the LSTM's units or input size is not known statically (a literal, or a "
                                    "module-level name bound once to one): the kernel's initial values depend on "
                                    "its shape")
        init = cell.given["initializer"]
        qualified = rewrite.canonical_call(init)
        shape = [size + units, 4 * units]
        op = rewrite.initializer_op(index, init, qualified, ast.parse(repr(shape), mode="eval").body, repr(shape),
                                    f"{tf}.float32", text)
        forget = cell.given.get("forget_bias")
        forget_text = ast.get_source_segment(text, forget) if forget is not None else "1.0"
        masked = cell.rnn_given.get("sequence_length") is not None and not _is_const(
            cell.rnn_given["sequence_length"], None)
        line = (f"{cell.name} = {HELPER}({ast.get_source_segment(text, units_node)}, {size}, {op}, "
                f"{tf}.zeros([4 * {ast.get_source_segment(text, units_node)}]), {forget_text}, masked={masked})\n")
        if not helper_written:
            line = "\n\n" + helper_text(tf) + "\n\n" + line
            helper_written = True
        rewrite.cell_texts[index] = line
        # the dynamic_rnn statement, inside the generated functions
        rnn_text = rewrite.texts[cell.rnn_index]
        statement = rewrite.trees[cell.rnn_index].body[0]
        outputs, state = (t.id for t in statement.targets[0].elts)
        h, c = rewrite.local_name(f"{state}_h"), rewrite.local_name(f"{state}_c")
        inputs_text = ast.get_source_segment(rnn_text, cell.rnn_given["inputs"])
        mask = ""
        if masked:
            lengths = ast.get_source_segment(rnn_text, cell.rnn_given["sequence_length"])
            mask = f", mask={tf}.sequence_mask({lengths}, maxlen={tf}.shape({inputs_text})[1])"
        rewrite.overrides[cell.rnn_index] = (
            f"{outputs}, {h}, {c} = {cell.name}({inputs_text}{mask})\n"
            f"{state} = {rewrite.rnn_state_class}({c}, {h})\n")


def _index_of(rewrite, name: str) -> int:
    for index, tree in enumerate(rewrite.trees):
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name
                                                         for t in statement.targets):
                return index
    return 0


def helper_text(tf: str) -> str:
    return f'''def {HELPER}(units, input_size, kernel, bias, forget_bias, masked):
    """A Keras LSTM computing what TF1's LSTMCell computed with this kernel ([input_size + units, 4 * units],
    gate columns i, j, f, o) and bias: input and recurrent rows split, gate columns reordered to Keras' i, f, c,
    o, and forget_bias (which TF1 adds at every step) added once to the forget gate's bias."""
    layer = {tf}.keras.layers.LSTM(units, return_sequences=True, return_state=True, unit_forget_bias=False,
                                   kernel_initializer="zeros", recurrent_initializer="zeros",
                                   zero_output_for_mask=masked, use_cudnn=False)
    layer.build((None, None, input_size))

    def keras_order(weights):
        i, j, f, o = {tf}.split(weights, 4, axis=-1)
        return {tf}.concat([i, f, j, o], axis=-1)

    layer.cell.kernel.assign(keras_order(kernel[:input_size]))
    layer.cell.recurrent_kernel.assign(keras_order(kernel[input_size:]))
    i, j, f, o = {tf}.split(bias, 4)
    layer.cell.bias.assign({tf}.concat([i, f + forget_bias, j, o], axis=0))
    return layer
'''


def class_text(name: str, sentinel: str) -> str:
    return (f"\n\n{name} = {sentinel}(\"{name}\", [\"c\", \"h\"])  # what sess.run returned for an LSTM "
            "state\n")
