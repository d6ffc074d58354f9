"""TF1 summaries -> summaries an eager TF2 program writes with ``tf.summary.create_file_writer``.

``tf.summary.scalar``/``histogram`` (v1) are graph ops producing a serialized ``Summary``
protocol buffer (``simple_value``/``histo`` values), ``merge_all`` merges the ones built so
far, and ``FileWriter.add_summary(serialized, step)`` appends it to an event file. The
rewrite keeps exactly those protocol buffers, so TensorBoard and any program reading the
event file back see the same values and tags:

* ``tf.summary.scalar(name, t)`` -> ``tf.raw_ops.ScalarSummary(tags=<tag>, values=t)`` and
  ``histogram`` -> ``tf.raw_ops.HistogramSummary`` (the ops v1 ran), with the tag v1 gave:
  the name under the enclosing literal ``tf.name_scope``, made unique against the op names
  the module gives explicitly (``tf.Variable(0.0, name="w")`` then ``scalar("w", w)`` logs
  ``w_1``); a name that could collide with an op's default name blocks the rewrite;
* ``merge_all()`` -> ``tf.raw_ops.MergeSummary(inputs=[...])`` of the summaries built
  before it; it is a graph value like any other, computed by the functions that fetch it;
* ``tf.summary.FileWriter(logdir[, graph])`` -> ``tf.summary.create_file_writer(logdir)``
  (eager TF2 has no graph to write), ``writer.add_summary(s, step)`` ->
  ``with writer.as_default(): tf.summary.experimental.write_raw_pb(s, step=step)``;
  ``close``/``flush`` are the same methods;
* ``tf.train.summary_iterator(path)`` -> the event file's records parsed as ``Event``
  protocol buffers (``tf.data.TFRecordDataset`` and ``tensorflow.core.util.event_pb2``).

The TF2 ``tf.summary.scalar(name, data, step)`` API writes the value as a tensor (no
``simple_value``) and needs the ``tensorboard`` package: a program reading its event file
back, as the TF1 one did, would read other fields, so it is not used here.
"""
from __future__ import annotations

import ast
import re

from migrate.tf2_eager.facts import Blocked, GraphNode, dotted, names_read

SUMMARY_OPS = {"tensorflow.summary.scalar": ("ScalarSummary", "tags"),
               "tensorflow.summary.histogram": ("HistogramSummary", "tag")}
MERGE_ALL = "tensorflow.summary.merge_all"
FILE_WRITER = "tensorflow.summary.FileWriter"
ITERATOR = "tensorflow.train.summary_iterator"
NAME_SCOPES = ("tensorflow.name_scope",)
# default op names a summary name could collide with (v1 makes each scope name unique in the graph)
DEFAULT_NAMES = frozenset({"add", "sub", "mul", "truediv", "floordiv", "div", "neg", "pow", "mod", "and", "or",
                           "xor", "invert", "abs", "gradients", "init", "save", "global_step", "report_uninitialized_"
                           "variables", "zeros", "ones", "random_normal", "random_uniform", "truncated_normal",
                           "placeholder", "variable"})
TAG_CHARS = re.compile(r"^[A-Za-z0-9_.\-]+$")


def state(analyzer):
    if not hasattr(analyzer, "_summaries"):
        analyzer._summaries = {"ops": [], "reads": set(), "scopes": {}, "writers": set(), "explicit": None}
    return analyzer._summaries


def _explicit_names(analyzer) -> list[tuple[int, str, bool]]:
    """``(index, name, at module level outside scopes)`` of every literal op name the module gives."""
    s = state(analyzer)
    if s["explicit"] is None:
        found = []
        for index, module in enumerate(analyzer.statements):
            for stmt in module.body:
                nested = {id(n) for sub in ast.walk(stmt) if isinstance(sub, (ast.FunctionDef, ast.With, ast.Lambda))
                          for n in ast.walk(sub)}
                for sub in ast.walk(stmt):
                    if not isinstance(sub, ast.Call):
                        continue
                    qualified = analyzer.q(sub.func) or ""
                    if not qualified.startswith("tensorflow"):
                        continue
                    literal = [k.value.value for k in sub.keywords if k.arg == "name" and isinstance(k.value, ast.Constant)
                               and isinstance(k.value.value, str)]
                    if qualified == "tensorflow.get_variable" and sub.args and isinstance(sub.args[0], ast.Constant):
                        literal.append(sub.args[0].value)
                    for name in literal:
                        found.append((index, name, id(sub) not in nested))
        s["explicit"] = found
    return s["explicit"]


def _unique(analyzer, index: int, stmt, name: str) -> str:
    """The scope name v1 gives ``name`` at the root of the graph, at statement ``index``."""
    if not TAG_CHARS.match(name):
        raise analyzer.block(index, stmt, f"summary or scope name {name!r} has characters v1 replaces")
    s = state(analyzer)
    called = {(analyzer.q(n.func) or "").rsplit(".", 1)[-1].lower() for m in analyzer.statements
              for n in ast.walk(m) if isinstance(n, ast.Call)}
    if name[0].isupper() or name.lower() in DEFAULT_NAMES or name.lower() in called:
        raise analyzer.block(index, stmt, f"summary or scope name {name!r} may collide with a default op name, "
                                          "which changes the tag v1 logs")
    count = 0
    for where, explicit, root in _explicit_names(analyzer):
        if explicit != name:
            continue
        if not root or where >= index:
            raise analyzer.block(index, stmt, f"summary name {name!r} is also an op name given in a scope, a "
                                              "function or later: the tag v1 logs is not known statically")
        count += 1
    count += s["scopes"].get(name, 0)
    s["scopes"][name] = s["scopes"].get(name, 0) + 1
    tag = name if count == 0 else f"{name}_{count}"
    if any(explicit == tag for _, explicit, _ in _explicit_names(analyzer)):
        raise analyzer.block(index, stmt, f"summary tag {tag!r} is also an op name")
    return tag


def _summary_op(analyzer, index: int, call: ast.Call, scope: str | None, seen: dict) -> str | None:
    """The raw-op text of a v1 summary call, or None when ``call`` is not one."""
    qualified = analyzer.q(call.func)
    if qualified not in SUMMARY_OPS:
        if qualified and qualified.startswith("tensorflow.summary."):
            raise analyzer.block(index, call, f"`tf.summary.{qualified.rsplit('.', 1)[1]}` (v1) is not converted "
                                              "(scalar, histogram and merge_all are)")
        return None
    op, tag_param = SUMMARY_OPS[qualified]
    params = ("name", "tensor" if op == "ScalarSummary" else "values")
    if len(call.args) > 2 or any(k.arg not in params for k in call.keywords):
        raise analyzer.block(index, call, "a summary with `collections=` or `family=`: not converted")
    given = dict(zip(params, call.args))
    given.update({k.arg: k.value for k in call.keywords})
    name, value = given.get("name"), given.get(params[1])
    if not (isinstance(name, ast.Constant) and isinstance(name.value, str)) or value is None:
        raise analyzer.block(index, call, "a summary whose name is not a string literal")
    if scope is None:
        tag = _unique(analyzer, index, call, name.value)
    else:
        if not TAG_CHARS.match(name.value):
            raise analyzer.block(index, call, f"summary name {name.value!r} has characters v1 replaces")
        count = seen.get(name.value, 0)
        seen[name.value] = count + 1
        tag = f"{scope}/{name.value}" if count == 0 else f"{scope}/{name.value}_{count}"
    # the value moves into the functions computing ``merge_all``: what it calls is checked as graph code is
    analyzer._check_callees(index, value)
    prefixes = tuple(analyzer.entries.get("random_ops", ()))
    for sub in ast.walk(value):
        qualified = analyzer.q(sub.func) if isinstance(sub, ast.Call) else None
        if qualified and prefixes and qualified.startswith(prefixes):
            raise analyzer.block(index, sub, "a summary of a random op written in the summary call: give the "
                                             "tensor a name first")
        if isinstance(sub, ast.Call) and qualified is None and isinstance(sub.func, ast.Name):
            raise analyzer.block(index, sub, f"a summary of `{sub.func.id}(...)`, a helper called in the summary "
                                             "call: give the tensor a name first")
    state(analyzer)["reads"].update(names_read(value))
    return f"{analyzer.tf}.raw_ops.{op}({tag_param}={tag!r}, values={ast.unparse(value)})"


def classify(analyzer, index: int, stmt: ast.stmt) -> bool:
    """Module-level summary statements: recorded (and dropped or turned into graph values). True if handled."""
    facts = analyzer.facts
    s = state(analyzer)
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        text = _summary_op(analyzer, index, stmt.value, None, {})
        if text is None:
            return False
        s["ops"].append(text)
        facts.roles[index] = "drop"
        return True
    if isinstance(stmt, ast.With) and len(stmt.items) == 1 and isinstance(stmt.items[0].context_expr, ast.Call) \
            and analyzer.q(stmt.items[0].context_expr.func) in NAME_SCOPES:
        call = stmt.items[0].context_expr
        calls = [b.value for b in stmt.body if isinstance(b, ast.Expr) and isinstance(b.value, ast.Call)
                 and analyzer.q(b.value.func) in SUMMARY_OPS]
        if len(calls) != len(stmt.body) or stmt.items[0].optional_vars is not None:
            return False  # other statements in a name scope: not converted here
        if len(call.args) != 1 or call.keywords or not isinstance(call.args[0], ast.Constant) \
                or not isinstance(call.args[0].value, str):
            raise analyzer.block(index, call, "a `name_scope` around summaries whose name is not one string literal")
        scope = _unique(analyzer, index, call, call.args[0].value)
        seen: dict = {}
        for summary in calls:
            s["ops"].append(_summary_op(analyzer, index, summary, scope, seen))
        facts.roles[index] = "drop"
        return True
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Call)):
        return False
    target, call = stmt.targets[0].id, stmt.value
    qualified = analyzer.q(call.func)
    if qualified in SUMMARY_OPS:
        text = _summary_op(analyzer, index, call, None, {})
        reads = frozenset(names_read(call))
        facts.text_overrides[index] = f"{target} = {text}\n"
        facts.nodes[target] = GraphNode(index, (target,), reads, qualified)
        facts.roles[index] = "node"
        s["ops"].append(target)
        s["reads"].add(target)
        return True
    if qualified == MERGE_ALL:
        if call.args or call.keywords:
            raise analyzer.block(index, call, "`merge_all` with a key or scope: not converted")
        if not s["ops"]:
            raise analyzer.block(index, call, "`merge_all` with no summary built before it (v1 returns None)")
        items = "".join(f"    {op},\n" for op in s["ops"])
        text = f"{analyzer.tf}.raw_ops.MergeSummary(inputs=[\n{items}])"
        facts.text_overrides[index] = f"{target} = {text}\n"
        facts.nodes[target] = GraphNode(index, (target,), frozenset(s["reads"]), qualified)
        facts.roles[index] = "node"
        return True
    if qualified == FILE_WRITER:
        logdir = _writer_logdir(analyzer, index, call, graph_ok=False)
        s["writers"].add(target)
        _note(analyzer, index, stmt.lineno, target)
        facts.module_texts[index] = f"{target} = {analyzer.tf}.summary.create_file_writer({logdir})\n"
        facts.roles[index] = "host"
        return True
    return False


def _writer_logdir(analyzer, index, call: ast.Call, graph_ok: bool) -> str:
    params = ("logdir", "graph")
    if len(call.args) > 2 or any(k.arg not in params for k in call.keywords):
        raise analyzer.block(index, call, "a `FileWriter` with queue, flush or suffix options: not converted")
    given = dict(zip(params, call.args))
    given.update({k.arg: k.value for k in call.keywords})
    if "logdir" not in given:
        raise analyzer.block(index, call, "a `FileWriter` without a log directory")
    graph = given.get("graph")
    if graph is not None:
        session_graph = graph_ok and isinstance(graph, ast.Attribute) and graph.attr == "graph" and \
            isinstance(graph.value, ast.Name) and graph.value.id == analyzer.facts.session_name
        default_graph = isinstance(graph, ast.Call) and analyzer.q(graph.func) == "tensorflow.get_default_graph"
        if not (session_graph or default_graph):
            raise analyzer.block(index, graph, "a `FileWriter` given a graph other than the Session's")
    if names_read(given["logdir"]) & analyzer.facts.graph_names() or analyzer.tf_refs(given["logdir"]):
        raise analyzer.block(index, call, "a `FileWriter` log directory computed by TensorFlow")
    return ast.unparse(given["logdir"])


def _note(analyzer, index: int, line: int, writer: str) -> None:
    analyzer.facts.notes.append(("TF4006", index, line, (
        f"`{writer}` is a tf.summary.create_file_writer: the TF1 summary protocol buffers are written as they "
        "were (same tags, `simple_value` and `histo` values), each under `with writer.as_default():` with an "
        "explicit step; no graph is written (eager TF2 has none; tf.summary.trace_on/trace_export record a "
        "tf.function's). New code can log with tf.summary.scalar(name, value, step=...), which needs the "
        "tensorboard package and stores values as tensors instead")))


class _Span:
    """A zero-width position for ``_splice`` (an insertion)."""

    def __init__(self, line: int, col: int) -> None:
        self.lineno = self.end_lineno = line
        self.col_offset = self.end_col_offset = col


def session_statement(analyzer, top: int, stmt: ast.stmt) -> None:
    """Writers made and used in the Session block: edits of statement ``top``, nodes the checks skip."""
    facts = analyzer.facts
    s = state(analyzer)
    edits = facts.host_edits.setdefault(top, [])
    for sub in ast.walk(stmt):
        if isinstance(sub, ast.Assign) and isinstance(sub.value, ast.Call) and analyzer.q(sub.value.func) == FILE_WRITER:
            if len(sub.targets) != 1 or not isinstance(sub.targets[0], ast.Name):
                raise analyzer.block(top, sub, "a `FileWriter` not assigned to one name")
            logdir = _writer_logdir(analyzer, top, sub.value, graph_ok=True)
            s["writers"].add(sub.targets[0].id)
            _note(analyzer, top, sub.lineno, sub.targets[0].id)
            edits.append((sub.value, f"{analyzer.tf}.summary.create_file_writer({logdir})"))
            facts.host_nodes.update(id(n) for n in ast.walk(sub.value))
    for sub in ast.walk(stmt):
        if not (isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and sub.value.id in s["writers"]):
            continue
        writer = sub.value.id
        if sub.attr in ("close", "flush"):
            continue
        expr = next((e for e in ast.walk(stmt) if isinstance(e, ast.Expr) and isinstance(e.value, ast.Call)
                     and e.value.func is sub), None)
        if sub.attr != "add_summary" or expr is None:
            raise analyzer.block(top, sub, f"`{writer}.{sub.attr}`: of a `FileWriter`, `add_summary` (as a "
                                           "statement), `flush` and `close` are converted")
        call = expr.value
        params = ("summary", "global_step")
        if len(call.args) > 2 or any(k.arg not in params for k in call.keywords):
            raise analyzer.block(top, call, "`add_summary` with unknown arguments")
        given = dict(zip(params, call.args))
        given.update({k.arg: k.value for k in call.keywords})
        if "global_step" not in given or "summary" not in given:
            raise analyzer.block(top, call, "`add_summary` without a step: TF2 summaries need an explicit step")
        step = given["global_step"]
        indent = " " * expr.col_offset
        edits.append((_Span(expr.lineno, expr.col_offset), f"with {writer}.as_default():\n{indent}    "))
        edits.append((call.func, f"{analyzer.tf}.summary.experimental.write_raw_pb"))
        edits.append((step, f"step={ast.unparse(step)}"))
        if any(k.arg == "global_step" for k in call.keywords):
            raise analyzer.block(top, call, "`add_summary(global_step=...)` by keyword: not converted")
        if expr.end_lineno != expr.lineno:
            raise analyzer.block(top, call, "`add_summary` spanning lines: not converted")
        facts.host_nodes.update({id(expr), id(call), id(call.func), id(sub.value)})
        facts.host_nodes.update(id(n) for n in ast.walk(step))


def after_session(analyzer, index: int, stmt: ast.stmt) -> bool:
    """``tf.train.summary_iterator(path)`` after the Session block: True when it was the only TensorFlow there."""
    calls = [n for n in ast.walk(stmt) if isinstance(n, ast.Call) and analyzer.q(n.func) == ITERATOR]
    if not calls:
        return False
    inside = {id(n) for call in calls for n in ast.walk(call.func)}
    refs = [r for r, node in analyzer.tf_refs(stmt) if id(node) not in inside]
    if refs or names_read(stmt) & analyzer.facts.graph_names():
        return False
    edits = analyzer.facts.host_edits.setdefault(index, [])
    for call in calls:
        if len(call.args) != 1 or call.keywords:
            raise analyzer.block(index, call, "`summary_iterator` with other than one path")
        path = ast.unparse(call.args[0])
        if analyzer.tf_refs(call.args[0]):
            return False
        edits.append((call, f"(event_pb2.Event.FromString(record.numpy()) for record in "
                            f"{analyzer.tf}.data.TFRecordDataset({path}))"))
    line = "from tensorflow.core.util import event_pb2\n"
    if line not in analyzer.facts.imports:
        analyzer.facts.imports.append(line)
    analyzer.facts.roles[index] = "keep"
    return True
