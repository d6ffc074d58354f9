"""``tf.train.Saver`` -> ``tf.train.Checkpoint`` (and ``CheckpointManager`` for numbered saves).

* ``saver = tf.train.Saver()`` (every variable created before it, keyed by its name),
  ``Saver({"key": var, ...})`` or ``Saver([var, ...])`` -> ``tf.train.Checkpoint(key=var, ...)``
  with the same keys, so a checkpoint keeps one entry per variable under the name TF1 used;
* ``saver.save(sess, prefix, global_step=n)`` -> ``tf.train.CheckpointManager(saver,
  os.path.dirname(prefix), max_to_keep=5, checkpoint_name=os.path.basename(prefix))
  .save(checkpoint_number=n)``: the same ``prefix-n`` path returned, and the directory's
  ``checkpoint`` state file updated, so ``tf.train.latest_checkpoint(dir)`` finds it;
  ``saver.save(sess, prefix)`` -> ``saver.write(prefix)`` (refused when the module looks
  checkpoints up through the state file);
* ``saver.restore(sess, path)`` -> ``saver.restore(path).assert_existing_objects_matched()``:
  every variable must be found, as ``Saver.restore`` required. An old name-based
  checkpoint (written by TF1's ``Saver``) is still restored, matched by the variables'
  names (``tf.Variable(..., name=...)``);
* ``tf.train.NewCheckpointReader(path)`` -> ``tf.train.load_checkpoint(path)``; its
  ``get_variable_to_shape_map()``/``get_variable_to_dtype_map()`` are read through a
  generated ``saver_names`` helper that gives an object-based checkpoint's keys
  (``v1/.ATTRIBUTES/VARIABLE_VALUE``) the Saver's names back (``v1``) and leaves a
  name-based checkpoint's as they are.

A variable created by ``tf.get_variable`` without an initializer, restored by a Saver
before anything reads it, starts at zeros: TF1 never used its initial value.

What changes and the finding (TF4005) says: the files are object-based checkpoints
(another format, the same values), no ``.meta`` graph file is written, and the manager
keeps the five newest checkpoints listed in the directory's state file.
"""
from __future__ import annotations

import ast

from migrate.tf2_eager.facts import names_read

SAVER = "tensorflow.train.Saver"
LATEST = ("tensorflow.train.latest_checkpoint",)
READER = ("tensorflow.train.NewCheckpointReader", "tensorflow.train.load_checkpoint")
READER_MAPS = ("get_variable_to_shape_map", "get_variable_to_dtype_map")
# optimizers without slot variables: a Saver() after them saves the same variables in TF1 and here
SLOTLESS = ("GradientDescentOptimizer",)
RESERVED = frozenset({"save_counter"})


def state(analyzer):
    if not hasattr(analyzer, "_savers"):
        analyzer._savers = {"savers": {}, "readers": set(), "helper": False, "restored": set()}
    return analyzer._savers


def _variable_name(analyzer, variable) -> str | None:
    """The literal TF name of a single-variable definition, or None."""
    module = analyzer.statements[variable.index]
    for node in ast.walk(module):
        if not isinstance(node, ast.Call):
            continue
        qualified = analyzer.q(node.func)
        if qualified == "tensorflow.Variable":
            name = next((k.value for k in node.keywords if k.arg == "name"), None)
        elif qualified == "tensorflow.get_variable":
            name = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
        else:
            continue
        return name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else None
    return None


def classify(analyzer, index: int, stmt: ast.stmt) -> bool:
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Call) and analyzer.q(stmt.value.func) == SAVER):
        return False
    facts = analyzer.facts
    target, call = stmt.targets[0].id, stmt.value
    if len(call.args) > 1 or any(k.arg not in ("var_list", "max_to_keep") for k in call.keywords):
        raise analyzer.block(index, call, "a `Saver` with options other than `var_list`/`max_to_keep` (sharding, "
                                          "keep-every-n-hours, ...) is not converted")
    given = {k.arg: k.value for k in call.keywords}
    if call.args:
        given["var_list"] = call.args[0]
    keep = given.get("max_to_keep")
    if keep is not None and not (isinstance(keep, ast.Constant) and type(keep.value) is int):
        raise analyzer.block(index, keep, "`max_to_keep` that is not an integer literal")
    var_list = given.get("var_list")
    pairs: list[tuple[str, str]] = []
    singles = {v.target: v for v in facts.variables if v.members == ((v.target, v.members[0][1]),)}
    if var_list is None:
        slotted = sorted({o.v1_name for o in facts.optimizers.values() if o.index < index} |
                         {t.optimizer.v1_name for t in facts.train_ops.values() if t.index < index} - set(SLOTLESS))
        if slotted:
            raise analyzer.block(index, call, f"`Saver()` after `{slotted[0]}`: TF1 saves its slot variables too, "
                                              "which the Keras optimizer keeps differently; give `var_list`")
        for variable in facts.variables:
            if variable.index > index:
                continue
            if variable.target not in singles:
                raise analyzer.block(index, call, f"`Saver()` over `{variable.target}`, a container of variables: "
                                                  "give `var_list` as a dict of names")
            name = _variable_name(analyzer, variable)
            if name is None:
                raise analyzer.block(index, call, f"`Saver()` over `{variable.target}`, a variable without a "
                                                  "literal `name=` (TF1 keys the checkpoint by it)")
            pairs.append((name, variable.target))
    elif isinstance(var_list, ast.Dict) and all(isinstance(k, ast.Constant) and isinstance(k.value, str)
                                                for k in var_list.keys):
        for key, value in zip(var_list.keys, var_list.values):
            if not (isinstance(value, ast.Name) and value.id in singles):
                raise analyzer.block(index, value, "a Saver `var_list` entry that is not a variable created above")
            pairs.append((key.value, value.id))
    elif isinstance(var_list, (ast.List, ast.Tuple)):
        for value in var_list.elts:
            if not (isinstance(value, ast.Name) and value.id in singles):
                raise analyzer.block(index, value, "a Saver `var_list` entry that is not a variable created above")
            name = _variable_name(analyzer, singles[value.id])
            if name is None:
                raise analyzer.block(index, value, f"`{value.id}` has no literal `name=` (TF1 keys the "
                                                   "checkpoint by it)")
            pairs.append((name, value.id))
    else:
        raise analyzer.block(index, var_list, "a Saver `var_list` that is not a literal dict or list of variables")
    if not pairs:
        raise analyzer.block(index, call, "a `Saver` with no variables")
    keys = [k for k, _ in pairs]
    for key in keys:
        if not key.isidentifier() or key in RESERVED or key.startswith("_"):
            raise analyzer.block(index, call, f"checkpoint key {key!r} is not a plain identifier (scoped names "
                                              "are not converted)")
    if len(set(keys)) != len(keys):
        raise analyzer.block(index, call, "two variables under one checkpoint key")
    if analyzer.stores.get(target, 0) != 1:
        raise analyzer.block(index, stmt, f"`{target}` is bound more than once")
    arguments = ", ".join(f"{k}={v}" for k, v in pairs)
    facts.module_texts[index] = f"{target} = {analyzer.tf}.train.Checkpoint({arguments})\n"
    facts.roles[index] = "host"
    state(analyzer)["savers"][target] = {"pairs": pairs, "keep": keep.value if keep is not None else 5}
    first = pairs[0][0]
    facts.notes.append(("TF4005", index, stmt.lineno, (
        f"`{target}` saves {', '.join(k for k, _ in pairs)} with tf.train.Checkpoint: its files are object-based "
        f"checkpoints (`{first}` is stored as `{first}/.ATTRIBUTES/VARIABLE_VALUE`) and no `.meta` graph is "
        "written. `restore` still reads old name-based checkpoints of tf.train.Saver, matching the variables by "
        "their `name=`; where a name changed, copy the value by hand: "
        f"`var.assign(tf.train.load_checkpoint(path).get_tensor(\"{first}\"))`")))
    return True


def _uses_state_file(analyzer) -> bool:
    return any(analyzer.q(n.func) in LATEST + ("tensorflow.train.get_checkpoint_state",)
               for m in analyzer.statements for n in ast.walk(m) if isinstance(n, ast.Call))


def session_statement(analyzer, top: int, stmt: ast.stmt) -> None:
    facts = analyzer.facts
    s = state(analyzer)
    session = facts.session_name
    edits = facts.host_edits.setdefault(top, [])
    for sub in ast.walk(stmt):
        if isinstance(sub, ast.Call) and analyzer.q(sub.func) in LATEST:
            if names_read(sub) & facts.graph_names() or len(sub.args) != 1 or sub.keywords:
                raise analyzer.block(top, sub, "`latest_checkpoint` with graph values or options")
            facts.host_nodes.update(id(n) for n in ast.walk(sub))
        if not (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
                and isinstance(sub.func.value, ast.Name) and sub.func.value.id in s["savers"]):
            continue
        saver, method = sub.func.value.id, sub.func.attr
        if method not in ("save", "restore") or not sub.args or not (
                isinstance(sub.args[0], ast.Name) and sub.args[0].id == session):
            raise analyzer.block(top, sub, f"`{saver}.{method}(...)`: of a Saver, `save(sess, ...)` and "
                                           "`restore(sess, ...)` are converted")
        rest = sub.args[1:]
        if names_read(ast.Tuple(elts=list(rest) + [k.value for k in sub.keywords], ctx=ast.Load())) & \
                (facts.graph_names() | {session}):
            raise analyzer.block(top, sub, f"`{saver}.{method}` given graph values")
        if method == "restore":
            if len(rest) != 1 or sub.keywords:
                raise analyzer.block(top, sub, "`restore` with other than `(sess, path)`")
            edits.append((sub, f"{saver}.restore({ast.unparse(rest[0])}).assert_existing_objects_matched()"))
        else:
            params = ("save_path", "global_step")
            if len(rest) > 2 or any(k.arg not in params for k in sub.keywords):
                raise analyzer.block(top, sub, "`save` with `latest_filename`, `meta_graph_suffix`, "
                                               "`write_meta_graph` or `write_state`: not converted")
            given = dict(zip(params, rest))
            given.update({k.arg: k.value for k in sub.keywords})
            if "save_path" not in given:
                raise analyzer.block(top, sub, "`save` without a path")
            path = ast.unparse(given["save_path"])
            step = given.get("global_step")
            if step is None:
                if _uses_state_file(analyzer):
                    raise analyzer.block(top, sub, "`save` without `global_step` in a module that finds checkpoints "
                                                   "through the state file (`latest_checkpoint`)")
                edits.append((sub, f"{saver}.write({path})"))
            else:
                if isinstance(step, ast.Name) and step.id in facts.variable_names:
                    raise analyzer.block(top, step, "`global_step=` a variable: not converted")
                keep = s["savers"][saver]["keep"]
                where = given["save_path"]
                if isinstance(where, ast.Call) and analyzer.q(where.func) == "os.path.join" and len(where.args) == 2 \
                        and not where.keywords and isinstance(where.args[1], ast.Constant) and \
                        isinstance(where.args[1].value, str) and where.args[1].value and "/" not in where.args[1].value:
                    directory, name = ast.unparse(where.args[0]), repr(where.args[1].value)  # os.path.join(dir, "name")
                else:
                    directory, name = f"os.path.dirname({path})", f"os.path.basename({path})"
                    _need_os(analyzer, top, sub)
                edits.append((sub, f"{analyzer.tf}.train.CheckpointManager({saver}, {directory}, max_to_keep={keep}, "
                                   f"checkpoint_name={name}).save(checkpoint_number={ast.unparse(step)})"))
        facts.host_nodes.update(id(n) for n in ast.walk(sub))
        if method == "restore":
            s["restored"].update(v for _, v in s["savers"][saver]["pairs"])


def _need_os(analyzer, index, node) -> None:
    qualified = analyzer.qualify("os")
    if qualified not in (None, "os"):
        raise analyzer.block(index, node, "`os` names something else in this module")
    if qualified is None and "import os\n" not in analyzer.facts.imports:
        analyzer.facts.imports.append("import os\n")


def restored_first(analyzer) -> set[str]:
    """Variables a Saver restores in the Session block before any statement of it runs the graph (an
    initializer run aside): their initial values are never read."""
    facts = analyzer.facts
    s = state(analyzer)
    restored: set[str] = set()
    for top, stmt in facts.session_body:
        runs = [r for r in facts.runs if any(n is r.node for n in ast.walk(stmt)) and r.shape != "init"]
        evals = [e for e in facts.evals if any(n is e[1] for n in ast.walk(stmt))]
        restores = [n for n in ast.walk(stmt) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                    and n.func.attr == "restore" and isinstance(n.func.value, ast.Name)
                    and n.func.value.id in s["savers"]]
        if runs or evals:
            break
        if restores and isinstance(stmt, ast.Expr) and stmt.value is restores[0]:
            restored.update(v for _, v in s["savers"][restores[0].func.value.id]["pairs"])
    return restored


def after_session(analyzer, index: int, stmt: ast.stmt) -> bool:
    """``reader = tf.train.NewCheckpointReader(path)`` and reads of its name maps after the Session block."""
    facts = analyzer.facts
    s = state(analyzer)
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
            and isinstance(stmt.value, ast.Call) and analyzer.q(stmt.value.func) in READER:
        call = stmt.value
        if len(call.args) != 1 or call.keywords or analyzer.tf_refs(call.args[0]) or \
                names_read(call.args[0]) & facts.graph_names():
            return False
        s["readers"].add(stmt.targets[0].id)
        helper = ""
        if not s["helper"]:
            s["helper"] = True
            helper = SAVER_NAMES
        facts.module_texts[index] = helper + f"{stmt.targets[0].id} = {analyzer.tf}.train.load_checkpoint(" \
                                             f"{ast.unparse(call.args[0])})\n"
        facts.roles[index] = "host"
        return True
    uses = [n for n in ast.walk(stmt) if isinstance(n, ast.Name) and n.id in s["readers"]]
    if not uses or analyzer.tf_refs(stmt) or names_read(stmt) & facts.graph_names():
        return False
    parents = {id(c): p for p in ast.walk(stmt) for c in ast.iter_child_nodes(p)}
    edits = facts.host_edits.setdefault(index, [])
    for use in uses:
        attribute = parents.get(id(use))
        call = parents.get(id(attribute)) if attribute is not None else None
        if not (isinstance(attribute, ast.Attribute) and isinstance(call, ast.Call) and call.func is attribute):
            raise analyzer.block(index, use, f"the checkpoint reader `{use.id}` used other than by a method call")
        if attribute.attr in READER_MAPS and not call.args and not call.keywords:
            edits.append((call, f"saver_names({ast.unparse(call)})"))
        else:
            raise analyzer.block(index, call, f"`{use.id}.{attribute.attr}(...)`: the converted Saver writes "
                                              "object-based checkpoints, whose keys are not the TF1 names "
                                              "(`v1/.ATTRIBUTES/VARIABLE_VALUE` for `v1`); the name maps are "
                                              "converted, read tensors with those keys by hand")
    facts.roles[index] = "keep"
    return True


SAVER_NAMES = '''

def saver_names(mapping):
    # a checkpoint's name map with tf.train.Saver's names: an object-based checkpoint (tf.train.Checkpoint)
    # keys the variable saved as `v1` by `v1/.ATTRIBUTES/VARIABLE_VALUE`
    if "_CHECKPOINTABLE_OBJECT_GRAPH" not in mapping:
        return mapping  # name-based (TF1 Saver): already by name
    suffix = "/.ATTRIBUTES/VARIABLE_VALUE"
    return {key[:-len(suffix)]: value for key, value in mapping.items()
            if key.endswith(suffix) and key.count("/") == 2 and not key.startswith("save_counter/")}


'''
