"""TF1's op seeds of unseeded random ops, written out so eager TF2 draws the same numbers.

With a graph-level seed set (``tf.set_random_seed(s)``) and no op seed, TF1 gives a random op the seeds
``(s, k)``, ``k`` the number of unseeded random ops built before it in the same graph
(``random_seed.get_seed``: a per-graph counter from 0; ``set_random_seed`` does not reset it).  Eager TF2
derives ``k`` from another counter, so the converted program would draw other numbers.  When every
unseeded random op of the graph is built by a module-level statement (in the order the statements run),
``k`` is known statically: the rewrite gives each such op ``seed=k``.  An eager op with seeds ``(s, k)``
then draws the sequence the TF1 op drew, one ``Session.run`` after the other (eager kernels with the
same seeds keep their state between calls; measured on TF 2.21 for ``nce_loss``: identical losses).

``tf.nn.nce_loss`` has no ``seed`` in TF2: its candidate sampler (what TF1's ``nce_loss`` builds with
``sampled_values=None``) is written out, ``tf.random.log_uniform_candidate_sampler(..., seed=k)``.

Not converted (``Blocked``, the program stays on the tf2-compat output): an unseeded random op inside a
module-level function called while the graph is built (each call makes one more op), in a conditional
expression, comprehension or lambda, an op the table does not know how TF1 seeds, a generated seed equal
to a literal op seed of the program (eager ops sharing seeds share one sequence), and ``nce_loss`` whose
labels are not a plain name (they would be computed twice).
"""
from __future__ import annotations

import ast

from migrate.tf2_eager.facts import SEEDS, SESSIONS, Blocked, canonical, dotted

# random ops that call ``get_seed`` once and take ``seed=`` in TF2 (canonical names after the compat renames)
SEEDED = frozenset("tensorflow." + n for n in (
    "random.normal", "random.uniform", "random.truncated_normal", "random.shuffle", "random.categorical",
    "random_normal", "random_uniform", "truncated_normal", "random_shuffle", "nn.dropout",
    "nn.sampled_softmax_loss", "random.log_uniform_candidate_sampler", "random.uniform_candidate_sampler",
    "nn.log_uniform_candidate_sampler", "nn.uniform_candidate_sampler"))
NCE = frozenset({"tensorflow.nn.nce_loss"})
NCE_PARAMS = ("weights", "biases", "labels", "inputs", "num_sampled", "num_classes", "num_true", "sampled_values",
              "remove_accidental_hits", "partition_strategy", "name")


def _calls_in_order(node: ast.AST, random, where):
    """Calls in the order Python completes them (arguments before the call); random ops under a branch,
    loop or deferred body (IfExp, BoolOp, comprehension, lambda) are refused."""
    if isinstance(node, ast.Call):
        yield from _calls_in_order(node.func, random, where)
        for arg in node.args:
            yield from _calls_in_order(arg, random, where)
        for keyword in node.keywords:
            yield from _calls_in_order(keyword.value, random, where)
        yield node
        return
    if isinstance(node, (ast.IfExp, ast.BoolOp, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
                         ast.Lambda)):
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call) and random(sub):
                yield Blocked(where, sub.lineno, f"unseeded random op `{ast.unparse(sub.func)}` in a conditional "
                                                 "expression, comprehension or lambda: TF1's op seed for it is "
                                                 "not known statically")
        return
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if key is not None:
                yield from _calls_in_order(key, random, where)
            yield from _calls_in_order(value, random, where)
        return
    if isinstance(node, ast.Assign):  # the value is evaluated before the targets
        yield from _calls_in_order(node.value, random, where)
        for target in node.targets:
            yield from _calls_in_order(target, random, where)
        return
    for child in ast.iter_child_nodes(node):
        yield from _calls_in_order(child, random, where)


def _seed_keyword(call: ast.Call):
    return next((k for k in call.keywords if k.arg == "seed"), None)


def plan_op_seeds(rewrite) -> int:
    """Give each unseeded random op of the graph its TF1 op seed (edits ``rewrite``'s statements in place).
    Returns how many ops got one."""
    entries_random = tuple(rewrite.entries.get("random_ops", ()))
    trees, texts = rewrite.trees, rewrite.texts

    def q(node) -> str | None:
        name = dotted(node)
        return canonical(rewrite.qualify(name)) if name else None

    def unseeded_random(call: ast.Call) -> bool:
        qualified = q(call.func)
        if not (qualified and qualified.startswith(entries_random)):
            return False
        keyword = _seed_keyword(call)
        return keyword is None or (isinstance(keyword.value, ast.Constant) and keyword.value.value is None)

    graph_seed = False
    session = len(trees)
    for index, tree in enumerate(trees):
        for stmt in tree.body:
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and q(stmt.value.func) in SEEDS:
                graph_seed = True
            value = stmt.items[0].context_expr if isinstance(stmt, ast.With) and stmt.items else \
                stmt.value if isinstance(stmt, ast.Assign) else None
            if isinstance(value, ast.Call) and q(value.func) in SESSIONS:
                session = min(session, index)
    if not graph_seed:
        return 0  # TF1 drew unrepeatable numbers: nothing to reproduce
    # module-level functions that build unseeded random ops (directly or through one another)
    functions = {stmt.name: stmt for tree in trees for stmt in tree.body if isinstance(stmt, ast.FunctionDef)}
    random_functions = {name for name, f in functions.items()
                        if any(isinstance(n, ast.Call) and unseeded_random(n) for n in ast.walk(f))}
    changed = True
    while changed:
        changed = False
        for name, f in functions.items():
            if name not in random_functions and any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                                                    and n.func.id in random_functions for n in ast.walk(f)):
                random_functions.add(name)
                changed = True
    literal_seeds = {k.value.value for tree in trees for n in ast.walk(tree) if isinstance(n, ast.Call)
                     for k in n.keywords if k.arg == "seed" and isinstance(k.value, ast.Constant)}
    counter = 0
    edits: dict[int, list] = {}
    # an op whose TF1 seeding is not known makes the counter unknown from there on: the ops after it cannot be
    # numbered (the op itself, if a run needs it, is refused by the rewrite's random-op check)
    unknown: Blocked | None = None
    for index in range(min(session, len(trees))):
        for stmt in trees[index].body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
                continue
            for call in _calls_in_order(stmt, unseeded_random, index):
                if isinstance(call, Blocked):
                    unknown = unknown or call
                    continue
                if isinstance(call.func, ast.Name) and call.func.id in random_functions:
                    unknown = unknown or Blocked(
                        index, call.lineno, f"`{call.func.id}` builds unseeded random ops at each call while the "
                                            "graph is built: TF1's op seeds for them (and the ops after them) are "
                                            "not known statically; give its random ops `seed=`")
                if not unseeded_random(call):
                    continue
                qualified = q(call.func)
                if qualified not in SEEDED and qualified not in NCE:
                    unknown = unknown or Blocked(
                        index, call.lineno, f"`{ast.unparse(call.func)}` draws random numbers without an op seed, "
                                            "and how TF1 seeds it is not known to the rewrite (nor, so, the seeds "
                                            "of the unseeded ops after it); give it `seed=` first")
                    continue
                if unknown is not None:
                    raise unknown
                if counter in literal_seeds:
                    raise Blocked(index, call.lineno, f"`{ast.unparse(call.func)}` gets TF1's op seed {counter}, "
                                                      "which another op of the program uses literally: eager ops "
                                                      "sharing seeds continue one sequence; give it `seed=` first")
                edits.setdefault(index, []).append((call, counter, qualified in NCE))
                counter += 1
    for index, calls in edits.items():
        text = texts[index]
        replacements = [(call, _with_seed(rewrite, index, text, call, seed, nce)) for call, seed, nce in calls]
        rewrite.replace_statement(index, _splice_nested(index, text, replacements))
    return counter


def _with_seed(rewrite, index: int, text: str, call: ast.Call, seed: int, nce: bool) -> tuple[int, int, str]:
    """(start, end, replacement) of the call's text: ``seed=k`` added (``nce_loss``: its sampler written out)."""
    segment = ast.get_source_segment(text, call)
    keyword = _seed_keyword(call)
    if keyword is not None:  # seed=None
        start, end = _offsets(text, keyword)
        inner = text[start:end]
        new = segment.replace(inner, f"seed={seed}", 1)
    elif nce:
        given = dict(zip(NCE_PARAMS, call.args))
        given.update({k.arg: k.value for k in call.keywords})
        if "sampled_values" in given or not all(p in given for p in ("labels", "num_sampled", "num_classes")):
            raise Blocked(index, call.lineno, "`nce_loss` without labels/num_sampled/num_classes given")
        if not isinstance(given["labels"], (ast.Name, ast.Attribute)):
            raise Blocked(index, call.lineno, "`nce_loss` whose labels are an expression: its sampler, written "
                                              "out with `seed=` (TF2's `nce_loss` takes none), would compute it twice")
        tf = rewrite.tf
        part = lambda p: ast.get_source_segment(text, given[p])
        num_true = part("num_true") if "num_true" in given else "1"
        sampler = (f"sampled_values={tf}.random.log_uniform_candidate_sampler(true_classes={tf}.cast("
                   f"{part('labels')}, {tf}.int64), num_true={num_true}, num_sampled={part('num_sampled')}, "
                   f"unique=True, range_max={part('num_classes')}, seed={seed})")
        new = _append_argument(segment, sampler)
    else:
        new = _append_argument(segment, f"seed={seed}")
    start, end = _offsets(text, call)
    return start, end, new


def _append_argument(segment: str, argument: str) -> str:
    head = segment[:-1].rstrip()
    if head.endswith("("):
        return f"{head}{argument})"
    return f"{head.removesuffix(',')}, {argument})"


def _offsets(text: str, node: ast.AST) -> tuple[int, int]:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    # ast offsets are in UTF-8 bytes; the statements here are ASCII around calls in practice, but be exact
    def offset(lineno, col):
        line = lines[lineno - 1]
        return starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8", "ignore"))
    return offset(node.lineno, node.col_offset), offset(node.end_lineno, node.end_col_offset)


def _splice_nested(index: int, text: str, replacements: list[tuple[ast.Call, tuple[int, int, str]]]) -> str:
    """Apply the calls' replacements; a call inside another's text is applied to the outer replacement."""
    spans = sorted((r for _, r in replacements), key=lambda s: (s[0], -s[1]))
    for i, (start, end, new) in enumerate(spans):
        for other_start, other_end, _ in spans:
            if (other_start, other_end) != (start, end) and start <= other_start and other_end <= end:
                raise Blocked(index, 1, "unseeded random ops nested in one another's arguments")
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text
