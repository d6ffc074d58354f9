"""``compile`` / ``fit`` / ``evaluate`` on a converted model -> an explicit torch training loop.

Translated when every argument is understood: the optimizer (``"adam"``,
``"sgd"`` or ``keras.optimizers.Adam/SGD(...)`` with literal arguments, Keras'
defaults made explicit: Adam epsilon 1e-7, SGD learning rate 0.01; Keras applies
Adam's epsilon to the bias-corrected denominator, torch before the correction,
a difference below 1e-4 unless gradients are ~1e-7; RMSprop is reported: Keras
divides by sqrt(v + eps), torch by sqrt(v) + eps), the loss (mse, mae, binary/categorical/
sparse categorical cross-entropy with ``from_logits``; Keras' probability
clipping to [1e-7, 1 - 1e-7] kept; reduction = mean over the batch), metrics
``["accuracy"]`` only, and ``fit(x, y, epochs, batch_size, shuffle, verbose)``.
``fit`` keeps Keras' batch order when ``shuffle=False``; with shuffling the order
comes from torch's generator, so it cannot equal TensorFlow's (a finding says so).
Anything else stays as it was with a TT2004 finding.
"""
from __future__ import annotations

import ast
import re

from migrate.keras_to_torch.layers import Sym, Unsupported

OPTIMIZERS = {
    # Keras name: (torch class, {keras arg: (torch arg, Keras default)}, positional keras arg names)
    "adam": ("torch.optim.Adam", {"learning_rate": ("lr", 0.001), "beta_1": ("beta1", 0.9),
                                  "beta_2": ("beta2", 0.999), "epsilon": ("eps", 1e-7)}, ["learning_rate"]),
    "sgd": ("torch.optim.SGD", {"learning_rate": ("lr", 0.01), "momentum": ("momentum", 0.0)}, ["learning_rate"]),
    "rmsprop": ("torch.optim.RMSprop", {"learning_rate": ("lr", 0.001), "rho": ("alpha", 0.9),
                                        "epsilon": ("eps", 1e-7)}, ["learning_rate"]),
}
LOSS_ALIASES = {"mse": "mse", "mean_squared_error": "mse", "meansquarederror": "mse",
                "mae": "mae", "mean_absolute_error": "mae", "meanabsoluteerror": "mae",
                "binary_crossentropy": "bce", "binarycrossentropy": "bce",
                "categorical_crossentropy": "cce", "categoricalcrossentropy": "cce",
                "sparse_categorical_crossentropy": "scce", "sparsecategoricalcrossentropy": "scce"}


def _lit(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return Sym(ast.unparse(node))


class TrainingConfig:
    def __init__(self, var: str, optimizer: str, loss: str, logits: bool, metrics: list[str]) -> None:
        self.var, self.optimizer, self.loss, self.logits, self.metrics = var, optimizer, loss, logits, metrics


def parse_compile(conv, var: str, call: ast.Call) -> tuple[TrainingConfig, list[str]]:
    """The compile() call -> (config, the lines that replace it)."""
    kw = {k.arg: k.value for k in call.keywords}
    if call.args:
        names = ["optimizer", "loss", "loss_weights", "metrics"]
        for name, arg in zip(names, call.args):
            kw[name] = arg
    extra = set(kw) - {"optimizer", "loss", "metrics"}
    if extra:
        raise Unsupported(f"compile({', '.join(sorted(extra))}=...) not translated")
    opt_line = optimizer_line(conv, var, kw.get("optimizer", ast.Constant("rmsprop")))
    loss, logits = parse_loss(conv, kw.get("loss"))
    metrics = _lit(kw["metrics"]) if "metrics" in kw else []
    if isinstance(metrics, Sym) or any(m not in ("accuracy", "acc") for m in metrics):
        raise Unsupported("metrics other than ['accuracy'] are not translated")
    cfg = TrainingConfig(var, f"{var}_optimizer", loss, logits, ["accuracy"] if metrics else [])
    lines = [f"{var}_optimizer = {opt_line}"]
    return cfg, lines


def optimizer_line(conv, var: str, node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        name, args, pos = node.value.lower(), {}, []
    elif isinstance(node, ast.Call):
        q = conv.qualify(node.func) or ""
        name = q.rsplit(".", 1)[-1].lower()
        args = {k.arg: _lit(k.value) for k in node.keywords}
        pos = [_lit(a) for a in node.args]
    else:
        raise Unsupported("optimizer is neither a name string nor a keras.optimizers call")
    if name == "rmsprop":
        raise Unsupported("Keras' RMSprop divides by sqrt(v + epsilon), torch's by sqrt(v) + epsilon: no torch "
                          "argument reproduces it")
    if name not in OPTIMIZERS:
        raise Unsupported(f"optimizer {name!r} not translated (adam, sgd and rmsprop are)")
    cls, table, positional = OPTIMIZERS[name]
    for pname, value in zip(positional, pos):
        args[pname] = value
    if set(args) - set(table) - {"name"}:
        raise Unsupported(f"optimizer argument(s) {sorted(set(args) - set(table))} not translated")
    values = {k: args.get(k, default) for k, (_, default) in table.items()}
    parts = [f"{var}.parameters()", f"lr={values['learning_rate']}"]
    if name == "adam":
        parts.append(f"betas=({values['beta_1']}, {values['beta_2']})")
        parts.append(f"eps={values['epsilon']}")  # Keras' default 1e-7, not torch's 1e-8
    elif name == "sgd":
        if values["momentum"]:
            parts.append(f"momentum={values['momentum']}")
    else:
        parts.append(f"alpha={values['rho']}")  # Keras rho 0.9; torch's alpha defaults to 0.99
        parts.append(f"eps={values['epsilon']}")
    return f"{cls}({', '.join(parts)})"


def parse_loss(conv, node) -> tuple[str, bool]:
    if node is None:
        raise Unsupported("compile() without a loss")
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        key = node.value.lower()
        logits = False
    elif isinstance(node, ast.Call):
        q = conv.qualify(node.func) or ""
        key = q.rsplit(".", 1)[-1].lower()
        kw = {k.arg: _lit(k.value) for k in node.keywords}
        if node.args or set(kw) - {"from_logits"}:
            raise Unsupported("loss arguments other than from_logits are not translated")
        logits = bool(kw.get("from_logits", False))
    else:
        raise Unsupported("loss is neither a name string nor a keras.losses call")
    if key not in LOSS_ALIASES:
        raise Unsupported(f"loss {key!r} not translated")
    return LOSS_ALIASES[key], logits


def loss_expr(cfg: TrainingConfig, pred: str, target: str) -> str:
    eps = "1e-7"
    if cfg.loss == "mse":
        return f"F.mse_loss({pred}, {target})"
    if cfg.loss == "mae":
        return f"F.l1_loss({pred}, {target})"
    if cfg.loss == "bce":
        if cfg.logits:
            return f"F.binary_cross_entropy_with_logits({pred}, {target})"
        return f"F.binary_cross_entropy({pred}.clamp({eps}, 1 - {eps}), {target})  # Keras clips probabilities"
    if cfg.loss == "cce":
        if cfg.logits:
            return f"F.cross_entropy({pred}, {target})"
        return f"-({target} * torch.log({pred}.clamp({eps}, 1 - {eps}))).sum(-1).mean()  # Keras clips probabilities"
    if cfg.logits:
        return f"F.cross_entropy({pred}, {target}.long().reshape(-1))"
    return f"F.nll_loss(torch.log({pred}.clamp({eps}, 1 - {eps})), {target}.long().reshape(-1))"


def accuracy_expr(cfg: TrainingConfig, pred: str, target: str) -> str:
    if cfg.loss == "bce":
        threshold = "0.0" if cfg.logits else "0.5"
        return f"(({pred} > {threshold}).float() == {target}).float().mean().item()"
    if cfg.loss == "cce":
        return f"({pred}.argmax(-1) == {target}.argmax(-1)).float().mean().item()"
    return f"({pred}.argmax(-1) == {target}.long().reshape(-1)).float().mean().item()"


def fit_lines(cfg: TrainingConfig, call: ast.Call, src: str) -> tuple[list[str], list[str]]:
    """Lines replacing ``model.fit(...)`` and notes for findings."""
    names = ["x", "y", "batch_size", "epochs", "verbose"]
    args = {n: a for n, a in zip(names, call.args)}
    args.update({k.arg: k.value for k in call.keywords})
    extra = set(args) - {"x", "y", "batch_size", "epochs", "verbose", "shuffle"}
    if extra:
        raise Unsupported(f"fit({', '.join(sorted(extra))}=...) not translated (callbacks, validation are findings)")
    if "x" not in args or "y" not in args:
        raise Unsupported("fit() without x and y arrays (a tf.data pipeline?) is not translated")
    x, y = ast.get_source_segment(src, args["x"]), ast.get_source_segment(src, args["y"])
    batch = ast.get_source_segment(src, args["batch_size"]) if "batch_size" in args else "32"
    epochs = ast.get_source_segment(src, args["epochs"]) if "epochs" in args else "1"
    shuffle = _lit(args["shuffle"]) if "shuffle" in args else True
    v, notes = cfg.var, []
    lines = [f"{v}_x, {v}_y = torch.as_tensor({x}), torch.as_tensor({y})",
             f"for {v}_epoch in range({epochs}):",
             f"    {v}.train()"]
    if shuffle is False:
        lines.append(f"    {v}_order = torch.arange(len({v}_x))  # shuffle=False: Keras' batch order")
    else:
        lines.append(f"    {v}_order = torch.randperm(len({v}_x))  # Keras shuffles with TensorFlow's RNG: "
                     "a different order")
        notes.append("fit() shuffles: the converted loop shuffles with torch's generator, so the batch order "
                     "differs from Keras' (pass shuffle=False to compare runs)")
    lines += [f"    for {v}_start in range(0, len({v}_x), {batch}):",
              f"        {v}_batch = {v}_order[{v}_start:{v}_start + {batch}]",
              f"        {v}_optimizer.zero_grad()",
              f"        {v}_loss = {loss_expr(cfg, f'{v}({v}_x[{v}_batch])', f'{v}_y[{v}_batch]')}",
              f"        {v}_loss.backward()",
              f"        {v}_optimizer.step()"]
    return lines, notes


def evaluate_expr(cfg: TrainingConfig, call: ast.Call, src: str) -> str:
    names = ["x", "y", "batch_size", "verbose"]
    args = {n: a for n, a in zip(names, call.args)}
    args.update({k.arg: k.value for k in call.keywords})
    if set(args) - {"x", "y", "batch_size", "verbose"} or "x" not in args or "y" not in args:
        raise Unsupported("evaluate() arguments not translated")
    x, y = ast.get_source_segment(src, args["x"]), ast.get_source_segment(src, args["y"])
    v = cfg.var
    pred = f"{v}.eval()(torch.as_tensor({x}))"
    loss = loss_expr(cfg, "p", "t").split("  #")[0]
    inner = f"{loss}.item()"
    if cfg.metrics:
        inner = f"[{inner}, {accuracy_expr(cfg, 'p', 't')}]"
    # Keras averages the per-batch means weighted by batch size: the mean over all samples
    return f"(lambda p, t: {inner})({pred}.detach(), torch.as_tensor({y}))"


# -- custom GradientTape loops
TAPE_OPS = {
    # TensorFlow function -> (torch function, {tf keyword: torch keyword})
    "reduce_mean": ("torch.mean", {"axis": "dim", "keepdims": "keepdim", "input_tensor": None}),
    "reduce_sum": ("torch.sum", {"axis": "dim", "keepdims": "keepdim", "input_tensor": None}),
    "reduce_max": ("torch.amax", {"axis": "dim", "keepdims": "keepdim", "input_tensor": None}),
    "square": ("torch.square", {}), "abs": ("torch.abs", {}), "sqrt": ("torch.sqrt", {}), "exp": ("torch.exp", {}),
    "log": ("torch.log", {}), "sigmoid": ("torch.sigmoid", {}), "tanh": ("torch.tanh", {}), "relu": ("torch.relu", {}),
}


class TapeTranslator:
    """Text translation of the loss computation inside ``with tf.GradientTape()``."""

    def __init__(self, conv, model_vars: set[str], arrays: set[str]) -> None:
        self.conv, self.models, self.arrays = conv, model_vars, arrays

    def expr(self, node: ast.AST) -> str:
        src = self.conv.source
        if isinstance(node, ast.Name):
            return f"torch.as_tensor({node.id})" if node.id in self.arrays else node.id
        if isinstance(node, ast.Constant):
            return repr(node.value)
        if isinstance(node, ast.BinOp):
            ops = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.MatMult: "@"}
            if type(node.op) not in ops:
                raise Unsupported("operator in the loss not translated")
            return f"({self.expr(node.left)} {ops[type(node.op)]} {self.expr(node.right)})"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return f"-{self.expr(node.operand)}"
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in self.models:
                training = "True"
                for k in node.keywords:
                    if k.arg != "training":
                        raise Unsupported(f"model call with {k.arg}=")
                    training = ast.get_source_segment(src, k.value)
                args = ", ".join(f"torch.as_tensor({self.expr(a)})" if not (isinstance(a, ast.Name)
                                 and a.id in self.arrays) else self.expr(a) for a in node.args)
                mode = f"{func.id}.train()" if training == "True" else f"{func.id}.train({training})"
                return f"{mode}({args})"
            q = self.conv.imports_qualify(func) or ""
            short = q.rsplit(".", 1)[-1]
            if q.startswith("tensorflow.") and short in TAPE_OPS:
                fn, kwmap = TAPE_OPS[short]
                parts = [self.expr(a) for a in node.args]
                for k in node.keywords:
                    if k.arg not in kwmap:
                        raise Unsupported(f"tf.{short}({k.arg}=...) in the loss not translated")
                    if kwmap[k.arg] is None:
                        parts.insert(0, self.expr(k.value))
                    else:
                        parts.append(f"{kwmap[k.arg]}={ast.get_source_segment(src, k.value)}")
                if short.startswith("reduce_") and len(node.args) > 1:
                    raise Unsupported("positional reduction axis in the loss")
                return f"{fn}({', '.join(parts)})"
        raise Unsupported(f"`{ast.get_source_segment(src, node)}` in the GradientTape block is not translated")


def convert_tape_loops(conv, names: set[str], covered: list) -> None:
    """``with tf.GradientTape() as tape: loss = ...`` + ``tape.gradient`` + ``apply_gradients`` -> backward/step."""
    tree = conv.tree
    arrays: set[str] = set()
    numpy_names = {local for local, target in conv.imports.items() if target.split(".")[0] == "numpy"}
    changed = True
    while changed:  # module-level numpy values (and what is computed from them): torch.as_tensor where read
        changed = False
        for node in tree.body:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
                continue
            used = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
            if node.targets[0].id not in arrays and used & (numpy_names | arrays):
                arrays.add(node.targets[0].id)
                changed = True
    optimizers = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Call) and (conv.qualify(node.value.func) or "").startswith(
                    ("keras.optimizers.",))):
            optimizers[node.targets[0].id] = node
    for block in [n for n in ast.walk(tree) if hasattr(n, "body") and isinstance(getattr(n, "body"), list)]:
        body = block.body
        for i, stmt in enumerate(body):
            if not (isinstance(stmt, ast.With) and len(stmt.items) == 1
                    and isinstance(stmt.items[0].context_expr, ast.Call)
                    and (conv.imports_qualify(stmt.items[0].context_expr.func) or "").endswith("GradientTape")
                    and isinstance(stmt.items[0].optional_vars, ast.Name)):
                continue
            tape = stmt.items[0].optional_vars.id
            try:
                _convert_tape(conv, names, arrays, optimizers, body, i, tape, covered)
            except Unsupported as exc:
                conv.issue("TT2004", stmt, f"GradientTape training step not converted: {exc}")


def _convert_tape(conv, names, arrays, optimizers, body, i, tape, covered) -> None:
    src = conv.source
    if i + 2 >= len(body):
        raise Unsupported("expected tape.gradient(...) and optimizer.apply_gradients(...) after the with block")
    grad_stmt, apply_stmt = body[i + 1], body[i + 2]
    pattern = re.compile(r"^(\w+) = " + re.escape(tape) + r"\.gradient\((\w+), (\w+)\.trainable_(?:variables|weights)\)$")
    m = pattern.match(ast.get_source_segment(src, grad_stmt) or "")
    if not m or m.group(3) not in names:
        raise Unsupported("the statement after the tape is not `grads = tape.gradient(loss, model.trainable_variables)`")
    grads, loss, model = m.groups()
    m2 = re.match(r"^(\w+)\.apply_gradients\(zip\(" + re.escape(grads) + r", " + re.escape(model)
                  + r"\.trainable_(?:variables|weights)\)\)$", ast.get_source_segment(src, apply_stmt) or "")
    if not m2 or m2.group(1) not in optimizers:
        raise Unsupported("the gradients are not applied with `optimizer.apply_gradients(zip(grads, ...))` "
                          "of a keras.optimizers object created at module level")
    opt = m2.group(1)
    uses = [n for n in ast.walk(conv.tree) if isinstance(n, ast.Name) and n.id == grads]
    if len(uses) != 2:
        raise Unsupported(f"`{grads}` is used beyond apply_gradients")
    translator = TapeTranslator(conv, names, arrays)
    with_stmt = body[i]
    lines = [f"{opt}.zero_grad()"]
    for s in with_stmt.body:
        if not (isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)):
            raise Unsupported("a statement in the tape block is not `name = expression`")
        lines.append(f"{s.targets[0].id} = {translator.expr(s.value)}")
    lines += [f"{loss}.backward()", f"{opt}.step()"]
    indent = re.match(r"[ \t]*", conv.lines[with_stmt.lineno - 1]).group(0)
    start = conv.span(with_stmt)[0]
    end = conv.span(apply_stmt)[1]
    conv.edits.append((start, end, ("\n" + indent).join(lines)))
    covered.append((start, end))
    opt_stmt = optimizers[opt]
    s, e = conv.span(opt_stmt)
    if (s, e) not in covered:
        conv.edits.append((s, e, f"{opt} = {optimizer_line(conv, model, opt_stmt.value)}"))
        covered.append((s, e))
    conv.issue("TT2001", with_stmt, f"GradientTape step -> {opt}.zero_grad(), {loss}.backward(), {opt}.step()",
               fixed=True)


# -- tf.data pipelines of the common shape
def parse_dataset(conv, node: ast.AST):
    """``tf.data.Dataset.from_tensor_slices((x, y))[.shuffle(n)][.batch(b)][.prefetch(..)|.cache()]``.

    Returns (tensor texts, batch size text, shuffled) or raises Unsupported.
    """
    chain = []
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        q = conv.imports_qualify(node.func) or ""
        if q.endswith("data.Dataset.from_tensor_slices"):
            break
        chain.append((node.func.attr, node))
        node = node.func.value
    else:
        raise Unsupported("not a tf.data.Dataset.from_tensor_slices(...) pipeline")
    if len(node.args) != 1 or node.keywords:
        raise Unsupported("from_tensor_slices with more than one argument")
    src = conv.source
    arg = node.args[0]
    tensors = [ast.get_source_segment(src, e) for e in arg.elts] if isinstance(arg, ast.Tuple) else \
        [ast.get_source_segment(src, arg)]
    batch, shuffled, drop_last = "1", False, False
    seen_batch = False
    for name, call in reversed(chain):
        if name == "shuffle":
            if seen_batch:
                raise Unsupported("shuffle after batch (shuffles whole batches)")
            shuffled = True
        elif name == "batch":
            if len(call.args) != 1 or any(k.arg != "drop_remainder" for k in call.keywords):
                raise Unsupported("batch() arguments not translated")
            batch = ast.get_source_segment(src, call.args[0])
            drop_last = any(k.arg == "drop_remainder" and _lit(k.value) is True for k in call.keywords)
            seen_batch = True
        elif name in ("prefetch", "cache"):
            continue
        else:
            raise Unsupported(f"Dataset.{name}() is not translated")
    if not seen_batch:
        raise Unsupported("a Dataset without batch() (fit would see single examples)")
    return tensors, batch, shuffled, drop_last


def dataset_line(name: str, tensors, batch: str, shuffled: bool, drop_last: bool) -> str:
    inner = ", ".join(f"torch.as_tensor({t})" for t in tensors)
    extra = ", shuffle=True" if shuffled else ""
    extra += ", drop_last=True" if drop_last else ""
    return (f"{name} = torch.utils.data.DataLoader(torch.utils.data.TensorDataset({inner}), "
            f"batch_size={batch}{extra})")


def fit_dataset_lines(cfg: TrainingConfig, loader: str, epochs: str) -> list[str]:
    v = cfg.var
    return [f"for {v}_epoch in range({epochs}):",
            f"    {v}.train()",
            f"    for {v}_xb, {v}_yb in {loader}:",
            f"        {v}_optimizer.zero_grad()",
            f"        {v}_loss = {loss_expr(cfg, f'{v}({v}_xb)', f'{v}_yb')}",
            f"        {v}_loss.backward()",
            f"        {v}_optimizer.step()"]


def evaluate_dataset_expr(cfg: TrainingConfig, loader: str) -> str:
    v = cfg.var
    loss = loss_expr(cfg, "p", "t").split("  #")[0]
    inner = f"{loss}.item()"
    if cfg.metrics:
        inner = f"[{inner}, {accuracy_expr(cfg, 'p', 't')}]"
    return (f"(lambda p, t: {inner})(torch.cat([{v}.eval()(xb).detach() for xb, _ in {loader}]), "
            f"torch.cat([yb for _, yb in {loader}]))")
