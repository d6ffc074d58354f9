"""Several graph programs in one module, separated by ``tf.reset_default_graph()``.

A TF1 program that saves a checkpoint in one graph, resets the default graph and builds
another to restore it is two graph programs run one after the other. Each is planned on its
own (its variables, functions, Session) and the module is the two rewrites in order; the
``reset_default_graph()`` calls go (eager TF2 has no default graph to reset). A later graph
may read the Python values an earlier one's Session produced (fetched numbers, paths), never
its graph objects (TF1 refuses tensors of another graph), and no graph name may be reused.
"""
from __future__ import annotations

import ast

from migrate.tf2_eager.facts import Blocked, ProgramFacts, canonical, dotted

RESET = "tensorflow.reset_default_graph"


def _is_reset(rewrite, tree: ast.Module) -> bool:
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr) or not isinstance(tree.body[0].value, ast.Call):
        return False
    call = tree.body[0].value
    name = dotted(call.func)
    return not call.args and not call.keywords and name is not None and canonical(rewrite.qualify(name)) == RESET


def segments(rewrite) -> list[range | None]:
    resets = [i for i, tree in enumerate(rewrite.trees) if _is_reset(rewrite, tree)]
    if not resets:
        return [None]
    bounds = [-1, *resets, len(rewrite.trees)]
    return [range(start + 1, end) for start, end in zip(bounds, bounds[1:])]


# facts of scopes.py, layers.py and averages.py that merge_facts does not join across graphs
SCOPED_FACTS = ("averages", "applies", "controls", "builders", "built", "created", "collection_reads",
                "introspections", "session_edits", "batch_norms", "update_collections")


def merge_facts(plans, parts) -> ProgramFacts:
    """One ``ProgramFacts`` for the joined module; a later graph reading an earlier one's objects blocks."""
    merged = ProgramFacts()
    merged.session_index = plans[0].facts.session_index
    for before, after in zip(parts, parts[1:]):
        merged.roles[before.stop] = "drop"  # the reset_default_graph() call between them
    earlier: set[str] = set()
    for plan, part in zip(plans, parts):
        facts = plan.facts
        scoped = next((name for name in SCOPED_FACTS if getattr(facts, name)), None)
        if scoped is not None:
            raise Blocked(part.start, 1, "variable scopes, tf.layers or moving averages in a program split by "
                                         "`reset_default_graph()` are not rewritten")
        names = facts.graph_names()
        reused = sorted(names & earlier)
        if reused:
            raise Blocked(part.start, 1, f"`{reused[0]}` names a graph object in two graphs separated by "
                                         "`reset_default_graph()`")
        for index in part:
            for node in ast.walk(plan.trees[index]):
                if isinstance(node, ast.Name) and node.id in earlier and node.id not in names:
                    raise Blocked(index, node.lineno, f"`{node.id}`, an object of the graph reset before, is "
                                                      "used in the next graph (TF1 refuses it)")
        earlier |= names
        merged.roles.update(facts.roles)
        merged.runs.extend(facts.runs)
        merged.evals.extend(facts.evals)
        merged.placeholders.update(facts.placeholders)
        merged.nodes.update(facts.nodes)
        merged.variables.extend(facts.variables)
        merged.variable_names |= facts.variable_names
        merged.optimizers.update(facts.optimizers)
        merged.train_ops.update(facts.train_ops)
        merged.init_ops |= facts.init_ops
        merged.seeds.update(facts.seeds)
        merged.imports.extend(line for line in facts.imports if line not in merged.imports)
        merged.notes.extend(facts.notes)
    return merged
