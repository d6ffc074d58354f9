"""Subclassed ``keras.Model`` -> ``nn.Module``: ``__init__`` layers get sizes from a shape walk of ``call``.

The input shape comes from the file itself: ``instance.build((None, ...))``, or a
call ``instance(x)`` where ``x`` is built with a literal shape (``np.zeros((4, 8))``,
``rng.standard_normal((4, 8))``, ``tf.random.normal([4, 8])``).  ``call`` is
translated statement by statement with a small table of TensorFlow ops
(TF_OPS); values are kept channels-last between statements (convolutions run
in NCHW inside the statement).  ``training`` becomes ``self.training``.
Anything else makes the class stay Keras, with a TT2002 finding.
"""
from __future__ import annotations

import ast
import re

from migrate.keras_to_torch import shapes as S
from migrate.keras_to_torch.layers import LayerArgs, Unsupported, Val

SHAPE_CALLS = ("zeros", "ones", "standard_normal", "normal", "uniform", "rand", "randn", "random", "randint")


class Py:
    """A non-tensor value: its text, and its literal value when known."""

    def __init__(self, text: str, value=None) -> None:
        self.text = text
        self.value = value


def literal_shape_of(node: ast.AST, source: str) -> tuple | None:
    """The shape a numpy/tf array-creating expression gives, when written as literals."""
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
        if name not in SHAPE_CALLS:
            continue
        cands = list(call.args) + [k.value for k in call.keywords if k.arg in ("size", "shape")]
        for arg in cands:
            try:
                value = ast.literal_eval(arg)
            except (ValueError, SyntaxError):
                continue
            if isinstance(value, (tuple, list)) and value and all(isinstance(v, int) for v in value):
                return tuple(value)
        if name in ("rand", "randn") and call.args and all(isinstance(a, ast.Constant) and isinstance(a.value, int)
                                                          for a in call.args):
            return tuple(a.value for a in call.args)
    return None


class SubclassConverter:
    """Translate one ClassDef; ``conv`` is the ModuleConverter (names, layer args, builder)."""

    def __init__(self, conv, cls: ast.ClassDef, input_shape: tuple) -> None:
        from migrate.keras_to_torch.core import Builder

        self.conv = conv
        self.cls = cls
        self.src = conv.source
        self.input_shape = input_shape
        self.b = Builder(set())
        self.env: dict[str, Val | Py] = {}
        self.layers: dict[str, LayerArgs] = {}
        self.created: dict[str, tuple] = {}  # attr -> (module text, input shape) once first called
        self.init_order: list[str] = []
        self.todo = 0

    @classmethod
    def for_expression(cls, conv, builder, env: dict) -> "SubclassConverter":
        """A translator for one expression (a Lambda body) that emits into ``builder``."""
        sc = cls.__new__(cls)
        sc.conv, sc.src, sc.b, sc.env = conv, conv.source, builder, dict(env)
        sc.layers, sc.created, sc.init_order, sc.todo = {}, {}, [], 0
        builder.taken.update(env)
        return sc

    # -- entry
    def run(self) -> tuple[str, list[str]]:
        methods = {n.name: n for n in self.cls.body if isinstance(n, ast.FunctionDef)}
        extra = [n for n in self.cls.body if not (isinstance(n, ast.FunctionDef) and n.name in ("__init__", "call"))
                 and not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
        if "__init__" not in methods or "call" not in methods or extra:
            raise Unsupported(f"subclassed model `{self.cls.name}`: only __init__ and call are translated")
        init_lines = self.translate_init(methods["__init__"])
        forward = self.translate_call(methods["call"])
        missing = [a for a in self.layers if a not in self.created]
        if missing:
            raise Unsupported(f"layer attribute(s) {', '.join(missing)} never called in call(), so their sizes "
                              "are unknown")
        return self.render(methods["__init__"], init_lines, forward), self.init_order

    def translate_init(self, init: ast.FunctionDef) -> list[str]:
        out = []
        for stmt in init.body:
            if (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                    and isinstance(stmt.value.func, ast.Attribute) and stmt.value.func.attr == "__init__"):
                out.append("super().__init__()")
                continue
            if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute)
                    and isinstance(stmt.targets[0].value, ast.Name) and stmt.targets[0].value.id == "self"
                    and isinstance(stmt.value, ast.Call)):
                la = self.conv.layer_args(stmt.value)
                if la is not None:
                    attr = stmt.targets[0].attr
                    self.layers[attr] = la
                    self.init_order.append(attr)
                    out.append(("LAYER", attr))
                    continue
            text = ast.get_source_segment(self.src, stmt)
            if re.search(r"\b(keras|layers|tf)\.", text or ""):
                raise Unsupported(f"__init__ statement `{text}` is not translated")
            out.append(text)
        return out

    # -- call()
    def translate_call(self, call: ast.FunctionDef) -> list[str]:
        args = [a.arg for a in call.args.args[1:]]
        tensors = [a for a in args if a not in ("training", "mask")]
        if len(tensors) != 1:
            raise Unsupported("call() with more than one input tensor")
        self.inputs = tensors
        self.env[tensors[0]] = Val(tensors[0], self.input_shape[1:], "keras")
        self.b.taken.update(args)
        if "training" in args:
            self.env["training"] = Py("self.training")
        self.block(call.body)
        return self.b.lines

    def block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.statement(stmt)

    def statement(self, stmt: ast.stmt) -> None:
        b = self.b
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            return
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name):
                b.taken.add(target.id)
                value = self.expr(stmt.value, target.id)
                if isinstance(value, Val):
                    if value.name != target.id:
                        b.emit(f"{target.id} = {value.name}")
                    self.env[target.id] = Val(target.id, value.shape, value.layout)
                    b.to_keras(self.env[target.id])
                else:
                    b.emit(f"{target.id} = {value.text}")
                    self.env[target.id] = Py(target.id, value.value)
                return
            if isinstance(target, ast.Tuple) and all(isinstance(e, ast.Name) for e in target.elts):
                value = self.expr(stmt.value, None)
                if not isinstance(value, tuple) or len(value) != len(target.elts):
                    raise Unsupported(f"line {stmt.lineno}: tuple assignment from a value that is not a tuple")
                names = [e.id for e in target.elts]
                b.taken.update(names)
                b.emit(f"{', '.join(names)} = {', '.join(v.name for v in value)}")
                for n, v in zip(names, value):
                    self.env[n] = Val(n, v.shape, "keras")
                return
        if isinstance(stmt, ast.Return) and stmt.value is not None:
            value = self.expr(stmt.value, None)
            items = value if isinstance(value, tuple) else (value,)
            texts = []
            for v in items:
                if isinstance(v, Val):
                    b.to_keras(v)
                    texts.append(v.name)
                else:
                    texts.append(v.text)
            b.emit(f"return {', '.join(texts)}")
            return
        if isinstance(stmt, ast.If):
            test = self.py_expr(stmt.test)
            b.emit(f"if {test}:")
            self.indented(stmt.body)
            if stmt.orelse:
                b.emit("else:")
                self.indented(stmt.orelse)
            return
        raise Unsupported(f"line {stmt.lineno}: statement `{ast.get_source_segment(self.src, stmt)}` in call() "
                          "is not translated")

    def indented(self, body) -> None:
        start = len(self.b.lines)
        saved = dict(self.env)
        self.block(body)
        self.b.lines[start:] = ["    " + line for line in self.b.lines[start:]]
        for name, value in saved.items():  # shapes must agree after the branch; keep the branch's if they do
            now = self.env.get(name)
            if isinstance(now, Val) and isinstance(value, Val) and now.shape != value.shape:
                raise Unsupported(f"`{name}` changes shape inside an if branch")

    def py_expr(self, node: ast.AST) -> str:
        value = self.expr(node, None)
        if isinstance(value, Val):
            return value.name
        if isinstance(value, tuple):
            raise Unsupported("tuple used as a condition")
        return value.text

    def tmp(self, hint: str | None) -> str:
        # the statement's own target (its right-hand side is read before it is rebound), else a fresh name
        return hint if hint else self.b.fresh("t")

    def val(self, node: ast.AST) -> Val:
        value = self.expr(node, None)
        if not isinstance(value, Val):
            raise Unsupported(f"`{ast.get_source_segment(self.src, node)}` is not a tensor")
        return value

    def expr(self, node: ast.AST, hint: str | None):
        b = self.b
        if isinstance(node, ast.Name):
            if node.id not in self.env:
                return Py(node.id)
            return self.env[node.id]
        if isinstance(node, ast.Constant):
            return Py(repr(node.value), node.value)
        if isinstance(node, (ast.Tuple, ast.List)) and not any(isinstance(self.expr(e, None), Val) for e in node.elts):
            return Py(ast.get_source_segment(self.src, node), _lit(node))
        if isinstance(node, ast.BinOp):
            return self.binop(node, hint)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.expr(node.operand, None)
            if isinstance(inner, Val):
                return b.out(self.tmp(hint), f"-{inner.name}", inner.shape, inner.layout)
            return Py(f"-{inner.text}", -inner.value if isinstance(inner.value, (int, float)) else None)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            ops = {ast.Gt: ">", ast.Lt: "<", ast.GtE: ">=", ast.LtE: "<=", ast.Eq: "==", ast.NotEq: "!="}
            left, right = self.expr(node.left, None), self.expr(node.comparators[0], None)
            vals = [v for v in (left, right) if isinstance(v, Val)]
            if vals and type(node.ops[0]) in ops:
                for v in vals:
                    b.to_keras(v)
                return b.out(self.tmp(hint), f"{_t(left)} {ops[type(node.ops[0])]} {_t(right)}",
                             broadcast(v.shape for v in vals), "keras")
        if isinstance(node, ast.BoolOp) or isinstance(node, ast.Compare) or isinstance(node, ast.UnaryOp):
            text = ast.get_source_segment(self.src, node)
            if re.search(r"\b(tf|keras)\.", text):
                raise Unsupported(f"condition `{text}` uses TensorFlow")
            return Py(re.sub(r"\btraining\b", "self.training", text) if "training" in self.env else text)
        if isinstance(node, ast.Attribute) and node.attr in ("values", "indices"):
            inner = self.expr(node.value, None)
            if isinstance(inner, tuple) and len(inner) == 2 and getattr(self, "_topk", None) is inner:
                return inner[0] if node.attr == "values" else inner[1]
        if isinstance(node, ast.Subscript):
            return self.subscript(node, hint)
        if isinstance(node, ast.Call):
            return self.call(node, hint)
        raise Unsupported(f"expression `{ast.get_source_segment(self.src, node)}` in call() is not translated")

    def binop(self, node: ast.BinOp, hint):
        ops = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.MatMult: "@", ast.Pow: "**"}
        op = ops.get(type(node.op))
        if op is None:
            raise Unsupported("operator not translated")
        left, right = self.expr(node.left, None), self.expr(node.right, None)
        if isinstance(left, Py) and isinstance(right, Py):
            return Py(f"{left.text} {op} {right.text}")
        vals = [v for v in (left, right) if isinstance(v, Val)]
        for v in vals:
            self.b.to_keras(v)
        if op == "@":
            shape = left.shape[:-1] + right.shape[-1:]
        else:
            shape = broadcast(v.shape for v in vals)
        text = f"{_t(left)} {op} {_t(right)}"
        return self.b.out(self.tmp(hint), text, shape, "keras")

    def subscript(self, node: ast.Subscript, hint):
        base = self.expr(node.value, None)
        if isinstance(base, tuple):
            index = _lit(node.slice)
            if isinstance(index, int):
                return base[index]
            raise Unsupported("non-literal index into a tuple of tensors")
        if not isinstance(base, Val):
            return Py(ast.get_source_segment(self.src, node))
        self.b.to_keras(base)
        text = ast.get_source_segment(self.src, node.slice)
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        shape = [None] + list(base.shape)
        out = []
        for i, part in enumerate(parts):
            if i >= len(shape):
                raise Unsupported("index with more axes than the tensor")
            if isinstance(part, ast.Slice):
                if part.lower is None and part.upper is None and part.step is None:
                    out.append(shape[i])
                    continue
                lo, hi = _lit(part.lower) if part.lower else 0, _lit(part.upper) if part.upper else shape[i]
                if part.step is None and isinstance(lo, int) and isinstance(hi, int):
                    n = shape[i]
                    lo2 = lo + n if lo < 0 and isinstance(n, int) else lo
                    hi2 = hi + n if isinstance(hi, int) and hi < 0 and isinstance(n, int) else hi
                    out.append(hi2 - lo2 if isinstance(lo2, int) and isinstance(hi2, int) and lo2 >= 0 else None)
                else:
                    out.append(None)
            elif isinstance(_lit(part), int):
                continue  # an integer index drops the axis
            else:
                raise Unsupported(f"index `{text}` is not translated")
        out += shape[len(parts):]
        if out and len(parts) > 0 and not isinstance(parts[0], ast.Slice):
            raise Unsupported("indexing the batch axis")
        return self.b.out(self.tmp(hint), f"{base.name}[{text}]", tuple(out[1:]), "keras")

    # -- calls: layers and TensorFlow ops
    def call(self, node: ast.Call, hint):
        func = node.func
        if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self"
                and func.attr in self.layers):
            return self.layer_call(func.attr, node, hint)
        q = self.conv.imports_qualify(func)
        if q is None:
            raise Unsupported(f"call `{ast.get_source_segment(self.src, node)}` in call() is not translated")
        return TF_OPS.apply(self, q, node, hint)

    def layer_call(self, attr: str, node: ast.Call, hint):
        la = self.layers[attr]
        if any(k.arg not in ("training",) for k in node.keywords) or len(node.args) != 1:
            raise Unsupported(f"self.{attr}(...) called with arguments other than one tensor (and training)")
        arg = node.args[0]
        items = arg.elts if isinstance(arg, (ast.List, ast.Tuple)) else [arg]
        ins = [self.val(i) for i in items]
        shapes = tuple(v.shape for v in ins)
        target = self.tmp(hint)
        self.b.taken.add(target)
        if attr in self.created:
            if self.created[attr][1] != shapes:
                raise Unsupported(f"self.{attr} is called on inputs of different shapes")
            module_attr, ctor, out_shape, layout = self.created[attr][0]
            # re-use the module: translate again into a scratch builder and keep only the forward lines
            return self._reuse(attr, la, ins, target)
        before = len(self.b.modules)
        out = self.b.translate(la, ins, target, attr=attr)
        if len(self.b.modules) - before > 1:
            pass
        self.created[attr] = ((attr, None, out.shape, out.layout), shapes)
        return out

    def _reuse(self, attr, la, ins, target):
        from migrate.keras_to_torch.core import Builder

        scratch = Builder(set())
        scratch.taken = set(self.b.taken)
        out = scratch.translate(la, [Val(v.name, v.shape, v.layout) for v in ins], target, attr=attr)
        for line in scratch.lines:
            self.b.emit(line)
        self.b.uses_f |= scratch.uses_f
        return out

    def render(self, init: ast.FunctionDef, init_lines: list, forward: list[str]) -> str:
        b = self.b
        params = ast.unparse(init.args) or "self"
        params = re.sub(r",?\s*\*\*\w+", "", params)
        layout = ("channels-last between statements, NCHW inside convolutions"
                  if any(".permute(" in line for line in forward) else "same tensor layout as Keras")
        lines = [f"class {self.cls.name}(nn.Module):",
                 f'    """Subclassed Keras model `{self.cls.name}`, converted by dlmigrate ({layout})."""', "",
                 f"    def __init__({params}):"]
        for item in init_lines:
            if isinstance(item, tuple):
                attr = item[1]
                for name, ctor in b.modules:
                    if name == attr or name.startswith(attr + "_"):
                        lines.append(f"        self.{name} = {ctor}")
            else:
                lines += ["        " + l for l in item.splitlines()]
        from migrate.keras_to_torch.layers import keras_init_method

        init_method = keras_init_method(b.modules)
        if init_method:
            lines.append("        self._init_like_keras()")
        lines += ["        " + line for line in b.init_lines]
        call_args = ", ".join(["self"] + self.inputs)
        lines += ["", f"    def forward({call_args}):"]
        lines += ["        " + line for line in forward]
        if init_method:
            lines += [""] + ["    " + line for line in init_method]
        return "\n".join(lines) + "\n"


def _lit(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return None


def broadcast(shapes) -> tuple:
    """NumPy broadcasting of static shapes (batch excluded); a dimension of 1 yields to the other."""
    shapes = [tuple(sh) for sh in shapes]
    rank = max(len(sh) for sh in shapes)
    out = []
    for i in range(rank):
        dims = [sh[len(sh) - rank + i] for sh in shapes if len(sh) - rank + i >= 0]
        known = [d for d in dims if d != 1]
        out.append(known[0] if known else 1)
    return tuple(out)


def _t(value) -> str:
    return value.name if isinstance(value, Val) else value.text


class _Ops:
    """TensorFlow ops inside call() -> torch, keeping the Keras (channels-last) layout and the static shape."""

    def apply(self, sc: SubclassConverter, q: str, node: ast.Call, hint):
        short = q.replace("tensorflow.", "").replace("math.", "").replace("nn.", "")
        short = short.replace("keras.ops.", "")
        method = getattr(self, "op_" + short.replace(".", "_"), None)
        if method is None:
            raise Unsupported(f"`{q}` inside call() is not in the translated op table")
        args = {i: a for i, a in enumerate(node.args)}
        kw = {k.arg: k.value for k in node.keywords}
        return method(sc, args, kw, hint)

    @staticmethod
    def _get(args, kw, i, name, default=None):
        return kw.get(name, args.get(i, default))

    def _unary(self, sc, args, kw, hint, fn):
        x = sc.val(self._get(args, kw, 0, "x"))
        sc.b.to_keras(x)
        return sc.b.out(sc.tmp(hint), fn.format(x=x.name), x.shape, "keras")

    def op_relu(self, sc, a, k, h):
        return self._unary(sc, a, k, h, "torch.relu({x})")

    def op_sigmoid(self, sc, a, k, h):
        return self._unary(sc, a, k, h, "torch.sigmoid({x})")

    def op_tanh(self, sc, a, k, h):
        return self._unary(sc, a, k, h, "torch.tanh({x})")

    def op_exp(self, sc, a, k, h):
        return self._unary(sc, a, k, h, "torch.exp({x})")

    def op_log(self, sc, a, k, h):
        return self._unary(sc, a, k, h, "torch.log({x})")

    def op_sqrt(self, sc, a, k, h):
        return self._unary(sc, a, k, h, "torch.sqrt({x})")

    def op_abs(self, sc, a, k, h):
        return self._unary(sc, a, k, h, "torch.abs({x})")

    def op_square(self, sc, a, k, h):
        return self._unary(sc, a, k, h, "torch.square({x})")

    def op_softmax(self, sc, a, k, h):
        axis = _lit(self._get(a, k, 1, "axis")) if self._get(a, k, 1, "axis") is not None else -1
        return self._unary(sc, a, k, h, "torch.softmax({x}, dim=" + str(axis) + ")")

    def _reduce(self, sc, a, k, h, fn, extra=""):
        x = sc.val(self._get(a, k, 0, "input_tensor", k.get("x")))
        sc.b.to_keras(x)
        axis_node = self._get(a, k, 1, "axis")
        keep = _lit(self._get(a, k, 2, "keepdims")) if self._get(a, k, 2, "keepdims") is not None else False
        if axis_node is None:
            if keep:
                raise Unsupported("full reduction with keepdims")
            return sc.b.out(sc.tmp(h), f"torch.{fn}({x.name}{extra.replace(', ', ', ', 1) if False else ''})"
                            if not extra else f"torch.{fn}({x.name}{extra})", (), "keras")
        axis = _lit(axis_node)
        axes = axis if isinstance(axis, (tuple, list)) else (axis,)
        if not all(isinstance(v, int) for v in axes):
            raise Unsupported("reduction axis is not a literal")
        rank = len(x.shape) + 1
        norm = {v % rank for v in axes}
        if 0 in norm:
            raise Unsupported("reduction over the batch axis")
        shape = tuple(1 if i + 1 in norm else d for i, d in enumerate(x.shape) if keep or i + 1 not in norm)
        dim = axes[0] if len(axes) == 1 else tuple(axes)
        text = f"torch.{fn}({x.name}, dim={dim}{', keepdim=True' if keep else ''}{extra})"
        return sc.b.out(sc.tmp(h), text, shape, "keras")

    def op_reduce_mean(self, sc, a, k, h):
        return self._reduce(sc, a, k, h, "mean")

    def op_reduce_sum(self, sc, a, k, h):
        return self._reduce(sc, a, k, h, "sum")

    def op_reduce_max(self, sc, a, k, h):
        return self._reduce(sc, a, k, h, "amax")

    def op_reduce_min(self, sc, a, k, h):
        return self._reduce(sc, a, k, h, "amin")

    def op_reduce_std(self, sc, a, k, h):  # TF's std is the population (biased) one
        return self._reduce(sc, a, k, h, "std", ", correction=0")

    def op_reduce_variance(self, sc, a, k, h):
        return self._reduce(sc, a, k, h, "var", ", correction=0")

    def op_concat(self, sc, a, k, h):
        items = self._get(a, k, 0, "values")
        axis = _lit(self._get(a, k, 1, "axis"))
        if not isinstance(items, (ast.List, ast.Tuple)) or not isinstance(axis, int):
            raise Unsupported("tf.concat with a non-literal list or axis")
        vals = [sc.val(e) for e in items.elts]
        for v in vals:
            sc.b.to_keras(v)
        rank = len(vals[0].shape) + 1
        ax = axis % rank
        if ax == 0:
            raise Unsupported("concat over the batch axis")
        shape = list(vals[0].shape)
        total = 0
        for v in vals:
            total = S.add(total, v.shape[ax - 1])
        shape[ax - 1] = total
        return sc.b.out(sc.tmp(h), f"torch.cat([{', '.join(v.name for v in vals)}], dim={axis})", tuple(shape), "keras")

    def op_split(self, sc, a, k, h):
        x = sc.val(self._get(a, k, 0, "value"))
        sc.b.to_keras(x)
        n = _lit(self._get(a, k, 1, "num_or_size_splits"))
        axis = _lit(self._get(a, k, 2, "axis", ast.Constant(0)))
        rank = len(x.shape) + 1
        if not isinstance(axis, int) or axis % rank == 0:
            raise Unsupported("tf.split over the batch axis or a non-literal axis")
        ax = axis % rank
        if isinstance(n, int):  # a count of pieces: torch.chunk (torch.split takes a piece size)
            size = S.floordiv(x.shape[ax - 1], n)
            sizes = [size] * n
            expr = f"torch.chunk({x.name}, {n}, dim={axis})"
        elif isinstance(n, (list, tuple)) and all(isinstance(v, int) for v in n):
            sizes = list(n)
            expr = f"torch.split({x.name}, {list(n)}, dim={axis})"
        else:
            raise Unsupported("tf.split sizes are not literals")
        names = [sc.b.fresh("part") for _ in sizes]
        sc.b.emit(f"{', '.join(names)} = {expr}")
        out = []
        for name, size in zip(names, sizes):
            shape = list(x.shape)
            shape[ax - 1] = size
            out.append(Val(name, tuple(shape), "keras"))
        return tuple(out)

    def op_top_k(self, sc, a, k, h):
        x = sc.val(self._get(a, k, 0, "input"))
        sc.b.to_keras(x)
        kk = self._get(a, k, 1, "k")
        kv = _lit(kk) if kk is not None else 1
        if not isinstance(kv, int):
            raise Unsupported("top_k with a non-literal k")
        values, indices = sc.b.fresh("top_values"), sc.b.fresh("top_indices")
        sc.b.emit(f"{values}, {indices} = torch.topk({x.name}, {kv}, dim=-1)  # tf.math.top_k: last axis, sorted")
        shape = x.shape[:-1] + (kv,)
        pair = (Val(values, shape, "keras"), Val(indices, shape, "keras"))
        sc._topk = pair
        return pair

    def op_gather(self, sc, a, k, h):
        x = sc.val(self._get(a, k, 0, "params"))
        sc.b.to_keras(x)
        idx = self._get(a, k, 1, "indices")
        axis = _lit(self._get(a, k, 2, "axis", ast.Constant(0)))
        if "batch_dims" in k or not isinstance(axis, int) or axis % (len(x.shape) + 1) == 0:
            raise Unsupported("tf.gather over the batch axis or with batch_dims")
        values = _lit(idx)
        if not (isinstance(values, (list, tuple)) and all(isinstance(v, int) for v in values)):
            raise Unsupported("tf.gather indices are not a literal list")
        ax = axis % (len(x.shape) + 1)
        shape = list(x.shape)
        shape[ax - 1] = len(values)
        text = f"torch.index_select({x.name}, {axis}, torch.tensor({list(values)}))"
        return sc.b.out(sc.tmp(h), text, tuple(shape), "keras")

    def op_matmul(self, sc, a, k, h):
        if any(n in k for n in ("transpose_a", "transpose_b", "adjoint_a", "adjoint_b")):
            raise Unsupported("tf.matmul with transpose flags")
        x, y = sc.val(a[0]), sc.val(a[1])
        sc.b.to_keras(x)
        sc.b.to_keras(y)
        return sc.b.out(sc.tmp(h), f"torch.matmul({x.name}, {y.name})", x.shape[:-1] + y.shape[-1:], "keras")

    def op_maximum(self, sc, a, k, h):
        return self._binary(sc, a, h, "torch.maximum")

    def op_minimum(self, sc, a, k, h):
        return self._binary(sc, a, h, "torch.minimum")

    def _binary(self, sc, a, h, fn):
        x, y = sc.expr(a[0], None), sc.expr(a[1], None)
        vals = [v for v in (x, y) if isinstance(v, Val)]
        for v in vals:
            sc.b.to_keras(v)
        yt = _t(y) if isinstance(y, Val) else f"torch.tensor({_t(y)})"
        return sc.b.out(sc.tmp(h), f"{fn}({_t(x)}, {yt})", broadcast(v.shape for v in vals), "keras")

    def op_expand_dims(self, sc, a, k, h):
        x = sc.val(self._get(a, k, 0, "input"))
        sc.b.to_keras(x)
        axis = _lit(self._get(a, k, 1, "axis"))
        rank = len(x.shape) + 1
        if not isinstance(axis, int):
            raise Unsupported("expand_dims axis is not a literal")
        pos = axis if axis >= 0 else rank + 1 + axis
        shape = list((None,) + x.shape)
        shape.insert(pos, 1)
        return sc.b.out(sc.tmp(h), f"{x.name}.unsqueeze({axis})", tuple(shape[1:]), "keras")

    def op_reshape(self, sc, a, k, h):
        x = sc.val(self._get(a, k, 0, "tensor"))
        sc.b.to_keras(x)
        shape = _lit(self._get(a, k, 1, "shape"))
        if not (isinstance(shape, (list, tuple)) and shape and shape[0] == -1 and all(isinstance(v, int) for v in shape)):
            raise Unsupported("tf.reshape needs a literal shape starting with -1 (the batch)")
        rest = tuple(shape[1:])
        known = S.prod([d for d in rest if d != -1])
        out = tuple(S.floordiv(S.prod(x.shape), known) if d == -1 else d for d in rest)
        return sc.b.out(sc.tmp(h), f"{x.name}.reshape({', '.join(map(str, shape))})", out, "keras")

    def op_where(self, sc, a, k, h):
        if len(a) != 3:
            raise Unsupported("one-argument tf.where (coordinates) is not translated")
        c, x, y = (sc.expr(a[i], None) for i in range(3))
        vals = [v for v in (c, x, y) if isinstance(v, Val)]
        for v in vals:
            sc.b.to_keras(v)
        texts = [(_t(v) if isinstance(v, Val) else f"torch.tensor({_t(v)})") for v in (c, x, y)]
        return sc.b.out(sc.tmp(h), f"torch.where({', '.join(texts)})", broadcast(v.shape for v in vals), "keras")

    def op_cast(self, sc, a, k, h):
        x = sc.val(self._get(a, k, 0, "x"))
        dtype = ast.get_source_segment(sc.src, self._get(a, k, 1, "dtype")) or ""
        name = dtype.rsplit(".", 1)[-1].strip("'\"")
        if name not in ("float32", "float64", "int32", "int64", "bool", "float16"):
            raise Unsupported(f"tf.cast to {dtype}")
        return sc.b.out(sc.tmp(h), f"{x.name}.to(torch.{name})", x.shape, x.layout)

    def op_sequence_mask(self, sc, a, k, h):
        lengths = sc.val(self._get(a, k, 0, "lengths"))
        maxlen = _lit(self._get(a, k, 1, "maxlen"))
        if not isinstance(maxlen, int):
            raise Unsupported("tf.sequence_mask without a literal maxlen")
        text = f"torch.arange({maxlen}) < {lengths.name}.unsqueeze(-1)"
        return sc.b.out(sc.tmp(h), text, lengths.shape + (maxlen,), "keras")

    def op_zeros_like(self, sc, a, k, h):
        return self._unary(sc, a, k, h, "torch.zeros_like({x})")

    def op_ones_like(self, sc, a, k, h):
        return self._unary(sc, a, k, h, "torch.ones_like({x})")

    def op_clip_by_value(self, sc, a, k, h):
        x = sc.val(self._get(a, k, 0, "t"))
        lo = sc.py_expr(self._get(a, k, 1, "clip_value_min"))
        hi = sc.py_expr(self._get(a, k, 2, "clip_value_max"))
        return sc.b.out(sc.tmp(h), f"torch.clamp({x.name}, {lo}, {hi})", x.shape, x.layout)


TF_OPS = _Ops()
