"""``tf.data`` pipelines consumed through TF1 iterators, for the eager rewrite (TF4001).

TF1 programs build a ``tf.data.Dataset`` at module level, make an iterator from it
(``make_one_shot_iterator`` / ``make_initializable_iterator``, method or function
spelling) and fetch ``iterator.get_next()`` with ``sess.run`` until
``tf.errors.OutOfRangeError``. In eager TF2 the same objects exist without a graph:

* a dataset that reads no placeholder is a Python value built once: its statements
  stay at module level where they were (a name rebound by ``ds = ds.map(...)``
  is plain sequential Python there);
* a one-shot iterator is state created once: ``it = iter(ds)`` at module level
  (``make_one_shot_iterator(ds).get_next()`` written inline gets its own
  ``iter(ds)``, hoisted); ``x = it.get_next()`` stays a graph node, so each run of
  it takes the next element, and the TF2 iterator's ``get_next()`` raises the same
  ``tf.errors.OutOfRangeError`` at the end, so the program's ``try``/``except``
  loops stay as they are;
* an initializable iterator is created by its initializer run:
  ``sess.run(it.initializer, feed_dict={limit: n})`` becomes
  ``it = initialize_it(n)``, a generated function that builds the dataset from the
  fed values and returns a fresh ``iter(...)`` (a fresh iteration, as the TF1
  initializer restarted it). Functions reading such an iterator take it as a
  parameter, so a ``tf.function`` never keeps the iterator it first traced;
* ``tf.data.get_output_types/get_output_shapes(ds)`` read ``ds.element_spec``.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

DATASET_ROOTS = ("tensorflow.data.Dataset.", "tensorflow.data.TFRecordDataset", "tensorflow.data.TextLineDataset",
                 "tensorflow.data.FixedLengthRecordDataset")
ONE_SHOT = "tensorflow.data.make_one_shot_iterator"
INITIALIZABLE = "tensorflow.data.make_initializable_iterator"
GET_NEXT = "tensorflow.data.Iterator.get_next"  # the qualified name get_next nodes are given (structured_ops)
QUERIES = {"tensorflow.data.get_output_types": "dtype", "tensorflow.data.get_output_shapes": "shape"}
# Dataset methods that return a new dataset (no state, no graph values of their own)
DATASET_METHODS = frozenset({
    "map", "batch", "padded_batch", "shuffle", "repeat", "filter", "take", "skip", "prefetch", "cache",
    "flat_map", "interleave", "zip", "concatenate", "unbatch", "enumerate", "window", "apply", "with_options",
    "shard", "rebatch", "take_while", "scan", "unique", "map_with_legacy_function",
})


@dataclass
class IteratorDef:
    index: int
    name: str
    dataset: str  # the dataset expression's source (a module-level dataset name, or a graph node)
    initializable: bool


def dataset_chain(analyzer, value: ast.expr) -> bool:
    """``tf.data.Dataset.<factory>(...)`` followed by dataset methods, or a dataset name followed by them."""
    node = value
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in DATASET_METHODS:
        node = node.func.value
    if isinstance(node, ast.Name):
        return node.id in analyzer.facts.datasets and node is not value
    if isinstance(node, ast.Call):
        qualified = analyzer.q(node.func) or ""
        return qualified.startswith(DATASET_ROOTS)
    return False


def classify(analyzer, index: int, stmt: ast.Assign, targets: tuple[str, ...]) -> bool:
    """Datasets, iterators and ``get_next`` nodes among the module-level assignments; True when handled."""
    from migrate.tf2_eager.facts import GraphNode, names_read

    facts = analyzer.facts
    value = stmt.value
    if len(targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
        return False
    name = targets[0]
    graph = facts.graph_names()
    reads = names_read(value)
    if dataset_chain(analyzer, value):
        if reads & graph:
            return False  # built from placeholders or tensors: a graph node (moves into the functions)
        facts.datasets[name] = facts.datasets.get(name, 0) + 1
        facts.roles[index] = "keep"  # a Python value built once, where it was
        return True
    if isinstance(value, ast.Call):
        qualified = analyzer.q(value.func)
        method = value.func.attr if isinstance(value.func, ast.Attribute) else None
        source = None
        if qualified in (ONE_SHOT, INITIALIZABLE) and len(value.args) == 1 and not value.keywords:
            source = value.args[0]
        elif method in ("make_one_shot_iterator", "make_initializable_iterator") and not value.args \
                and not value.keywords and isinstance(value.func.value, ast.Name):
            source = value.func.value
            qualified = ONE_SHOT if method == "make_one_shot_iterator" else INITIALIZABLE
        if source is not None:
            if not isinstance(source, ast.Name) or not (source.id in facts.datasets or source.id in facts.nodes):
                raise analyzer.block(index, value, "an iterator over something other than a dataset named at "
                                                   "module level")
            if analyzer.stores.get(name, 0) != 1:
                raise analyzer.block(index, stmt, f"the iterator `{name}` is bound more than once")
            initializable = qualified == INITIALIZABLE
            if not initializable and source.id in facts.nodes:
                raise analyzer.block(index, value, "a one-shot iterator over a dataset built from placeholders "
                                                   "(TF1 refuses it too)")
            facts.iterators[name] = IteratorDef(index, name, source.id, initializable)
            facts.roles[index] = "drop" if initializable else "iterator"
            return True
        if method == "get_next" and not value.args and not value.keywords and analyzer.stores.get(name, 0) != 1:
            raise analyzer.block(index, stmt, f"`{name}` is bound more than once; the rewrite needs each graph name "
                                              "defined once")
        if method == "get_next" and not value.args and not value.keywords:
            receiver = value.func.value
            if isinstance(receiver, ast.Name) and receiver.id in facts.iterators:
                analyzer._check_callees(index, value)
                facts.nodes[name] = GraphNode(index, targets, frozenset(reads), GET_NEXT)
                facts.roles[index] = "node"
                return True
            if isinstance(receiver, ast.Call):
                inner = analyzer.q(receiver.func)
                arg = receiver.args[0] if len(receiver.args) == 1 and not receiver.keywords else None
                if isinstance(receiver.func, ast.Attribute) and not receiver.args and not receiver.keywords and \
                        receiver.func.attr in ("make_one_shot_iterator", "make_initializable_iterator"):
                    # the method spelling: ``ds.make_one_shot_iterator().get_next()``
                    inner = ONE_SHOT if receiver.func.attr == "make_one_shot_iterator" else INITIALIZABLE
                    arg = receiver.func.value
                if inner == ONE_SHOT and isinstance(arg, ast.Name) and arg.id in facts.datasets:
                    # ``make_one_shot_iterator(ds).get_next()``: the iterator is hoisted, made once
                    facts.iterator_hoists[index] = (receiver, arg.id)  # (the dataset is read at module level)
                    facts.nodes[name] = GraphNode(index, targets, frozenset(reads - {arg.id}), GET_NEXT)
                    facts.roles[index] = "node"
                    return True
                if inner in (ONE_SHOT, INITIALIZABLE):
                    raise analyzer.block(index, receiver, "an iterator made inline over something other than a "
                                                          "dataset named at module level, or an initializable one "
                                                          "(its initializer cannot be run)")
    used = reads & set(facts.datasets)
    if used:
        raise analyzer.block(index, value, f"the dataset `{sorted(used)[0]}` is used other than as a pipeline step "
                                           "or an iterator's source (TF1 would rerun that op at each run)")
    return False


def check_bindings(analyzer) -> None:
    """A dataset name may be rebound (``ds = ds.map(...)``) only by dataset statements."""
    from migrate.tf2_eager.facts import Blocked

    for name, count in analyzer.facts.datasets.items():
        if analyzer.stores.get(name, 0) != count:
            index = next(i for i, m in enumerate(analyzer.statements) for s in m.body
                         if isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name
                                                              for t in s.targets))
            raise Blocked(index, 1, f"the dataset `{name}` is also bound by a statement that is not a dataset "
                                    "pipeline")


def initializer_fetch(analyzer, fetch: ast.expr) -> str | None:
    """``it.initializer`` of an iterator: the iterator's name."""
    if isinstance(fetch, ast.Attribute) and fetch.attr == "initializer" and isinstance(fetch.value, ast.Name) \
            and fetch.value.id in analyzer.facts.iterators:
        return fetch.value.id
    return None


def query(analyzer, node: ast.AST) -> str | None:
    """``tf.data.get_output_types(ds)`` / ``get_output_shapes(ds)`` on a module-level dataset or iterator
    in the Session block: the attribute of the element spec it reads."""
    facts = analyzer.facts
    if not (isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords):
        return None
    attr = QUERIES.get(analyzer.q(node.func) or "")
    arg = node.args[0]
    if attr and isinstance(arg, ast.Name) and (arg.id in facts.datasets or (
            arg.id in facts.iterators and not facts.iterators[arg.id].initializable)):
        return attr
    return None


# -- the rewrite side


def plan(rewrite) -> None:
    """Module-level text of one-shot iterators, hoisted inline iterators, and the initializer functions."""
    facts = rewrite.facts
    tf = rewrite.tf
    rewrite.iterator_texts = {}
    for iterator in facts.iterators.values():
        if not iterator.initializable:
            rewrite.iterator_texts[iterator.index] = f"{iterator.name} = iter({iterator.dataset})\n"
    for index, (call, dataset) in sorted(facts.iterator_hoists.items()):
        if index in rewrite.hoisted:
            from migrate.tf2_eager.facts import Blocked

            raise Blocked(index, 1, "a graph statement that both makes an iterator inline and hoists another value")
        node = next(n for n in facts.nodes.values() if n.index == index)
        name = rewrite.fresh(f"{node.targets[0]}_iterator")
        rewrite.hoisted[index] = f"{name} = iter({dataset})\n"
        from migrate.tf2_eager.program import _splice

        rewrite.overrides[index] = _splice(rewrite.texts[index], [(call, name)]).lstrip("\n")
        from migrate.tf2_eager.facts import GraphNode

        facts.nodes[node.targets[0]] = GraphNode(index, node.targets, node.deps | {name}, node.call)
    rewrite.initializers = {}
    rewrite.initializer_texts = []
    for iterator in facts.iterators.values():
        if not iterator.initializable:
            continue
        indexes, reads = rewrite.closure({iterator.dataset})
        params = [p for p in facts.placeholders.values() if p.name in reads]
        name = rewrite.fresh(f"initialize_{iterator.name}")
        lines = [f"def {name}({', '.join(p.name for p in params)}):\n"]
        lines += [f"    {p.name} = {tf}.cast({p.name}, {p.dtype})\n" for p in params]
        from migrate.tf2_eager.program import _indent

        for index in indexes:
            lines.extend(_indent(rewrite.statement_code(index), "    "))
        lines.append(f"    return iter({iterator.dataset})\n")
        rewrite.initializer_texts.append("\n\n" + "".join(lines))
        rewrite.initializers[iterator.name] = (name, params)


def reinitialized(facts, reads: set[str]) -> list[str]:
    """Initializable iterators a generated function reads: passed in as parameters."""
    return [n for n, it in facts.iterators.items() if it.initializable and n in reads]


def initializer_call(rewrite, run) -> str:
    name, params = rewrite.initializers[run.iterator]
    feeds = dict(run.feeds)
    text = rewrite.texts[run.top]
    missing = [p.name for p in params if p.name not in feeds and not run.feed_var]
    if missing:
        from migrate.tf2_eager.facts import Blocked

        raise Blocked(run.top, run.line, f"the initializer of `{run.iterator}` needs placeholder(s) "
                                         f"{', '.join(missing)} that its run does not feed")
    if run.feed_var:
        args = [f"{run.feed_var}[{p.name!r}]" for p in params]
    else:
        args = [ast.get_source_segment(text, feeds[p.name]) for p in params]
    return f"{run.iterator} = {name}({', '.join(args)})"


def query_text(rewrite, node: ast.Call, attr: str, text: str) -> str:
    arg = ast.get_source_segment(text, node.args[0])
    return f"{rewrite.tf}.nest.map_structure(lambda spec: spec.{attr}, {arg}.element_spec)"
