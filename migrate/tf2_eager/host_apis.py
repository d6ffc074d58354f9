"""Host-side TF1 APIs around a graph program, for the ``--to tf2`` eager rewrite (TF4001).

* ``tf.app.flags`` / ``tf.flags`` -> ``from absl import flags`` (the same module: TF1 re-exported absl's).
  TF1's ``tf.app.flags.FLAGS`` parsed ``sys.argv`` on the first attribute access; absl's raises
  ``UnparsedFlagAccessError`` unless parsed, so the rewrite parses ``sys.argv`` right after the last
  module-level ``DEFINE_*`` (when the program reads FLAGS and does not call ``tf.app.run``).
  ``tf.app.run(main)`` -> ``app.run(main, flags_parser=...)`` with TF1's parser (``known_only=True``).
* ``tf.logging`` -> ``from absl import logging``: the functions whose meaning is the same in both
  (``debug/info/warning/warn/error``, ``set_verbosity`` with a ``tf.logging`` level constant).  Others
  (``fatal`` aborts in absl, ``log/vlog`` and ``get_verbosity`` use other level numbers) are refused.
* ``tf.ConfigProto`` given to the Session -> ``tf.config`` calls placed after the imports, before any op
  runs.  Options without a TF2 equivalent the rewrite knows are refused, naming the option.
* ``x.shape[i].value`` / ``x.get_shape()[i].value`` -> ``x.shape[i]`` (an int, or None, as ``.value``
  was); on a placeholder with a literal shape (gone in the rewrite) the literal itself, and likewise
  ``placeholder.get_shape().as_list()``.

``prepare(rewrite)`` edits the top-level statements before the analysis (so what is left is plain Python
to the Analyzer); ``finish(rewrite, code)`` adds imports, the tf.config calls and the flags parse.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from migrate.resolve import dotted_name_ast as dotted
from migrate.tf2_eager.facts import Blocked, canonical

FLAG_MODULES = ("app.flags", "flags")
LOGGING_FUNCTIONS = frozenset({"debug", "info", "warning", "warn", "error", "set_verbosity", "flush"})
LOGGING_LEVELS = frozenset({"DEBUG", "INFO", "WARN", "ERROR"})
# ConfigProto option -> tf.config call (format with tf and the value)
CONFIG_CALLS = {
    "allow_soft_placement": "{tf}.config.set_soft_device_placement({value})",
    "log_device_placement": "{tf}.debugging.set_log_device_placement({value})",
    "intra_op_parallelism_threads": "{tf}.config.threading.set_intra_op_parallelism_threads({value})",
    "inter_op_parallelism_threads": "{tf}.config.threading.set_inter_op_parallelism_threads({value})",
}
GPU_OPTIONS = frozenset({"allow_growth"})
DROP = "__dlmigrate_drop__"
# compat findings (TF2101 "tf.logging is tf.compat.v1.logging...", TF2201 "ConfigProto configured a Session")
# that a completed eager rewrite made moot: the rewrite leaves none of these names (check_output)
MOOT = re.compile(r"^`(?:tf|tensorflow)(?:\.compat\.v1)?\.(?:app|flags|logging|ConfigProto|GPUOptions)\b")


@dataclass
class HostPlan:
    flags: str | None = None  # the name absl's flags module is spelled with (None: not used)
    logging: str | None = None
    app: str | None = None
    app_run: bool = False
    reads_flags: bool = False
    config: dict[str, object] = field(default_factory=dict)  # option -> literal value


def _short(rewrite, node) -> str | None:
    """``app.flags.DEFINE_integer`` for a dotted name that resolves to ``tensorflow.compat.v1.<that>``."""
    name = dotted(node)
    qualified = rewrite.qualify(name) if name else None
    qualified = canonical(qualified)
    if not qualified or not qualified.startswith("tensorflow."):
        return None
    return qualified[len("tensorflow."):]


def _bound(rewrite) -> set[str]:
    """Names the program binds or reads as plain names (not attributes: `tf.logging` does not take `logging`)."""
    names = set()
    for tree in rewrite.trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.alias):
                names.add((node.asname or node.name).split(".")[0])
            elif isinstance(node, ast.arg):
                names.add(node.arg)
    return names


def _name(rewrite, base: str, alias_targets: set[str]) -> str:
    if base in alias_targets or base not in _bound(rewrite):
        rewrite.used.add(base)
        return base
    return rewrite.fresh(f"absl_{base}")


def _literal(rewrite, index: int, node, option: str):
    if isinstance(node, ast.Constant) and type(node.value) in (bool, int):
        return node.value
    raise Blocked(index, node.lineno, f"`ConfigProto` option `{option}` set to `{ast.unparse(node)}`, not a literal: "
                                      "the tf.config call must run before any op, so only literal values are moved")


def prepare(rewrite) -> HostPlan:
    """Edit the statements (``rewrite.replace_statement``); the plan ``finish`` completes."""
    plan = HostPlan()
    placeholders: dict[str, tuple] = {}
    configs: set[str] = set()
    aliases: dict[str, str] = {}  # module-level `flags = tf.app.flags` -> "flags"
    for index, tree in enumerate(rewrite.trees):
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                value, target = stmt.value, stmt.targets[0].id
                if isinstance(value, ast.Call) and _short(rewrite, value.func) == "placeholder":
                    shape = value.args[1] if len(value.args) > 1 else next(
                        (k.value for k in value.keywords if k.arg == "shape"), None)
                    if isinstance(shape, (ast.List, ast.Tuple)) and all(
                            isinstance(e, ast.Constant) and (e.value is None or type(e.value) is int)
                            for e in shape.elts):
                        placeholders[target] = tuple(e.value for e in shape.elts)
                elif isinstance(value, ast.Call) and _short(rewrite, value.func) == "ConfigProto":
                    configs.add(target)
                elif isinstance(value, ast.Attribute) and _short(rewrite, value) in FLAG_MODULES:
                    aliases[target] = "flags"
    uses = {"flags": set(aliases), "logging": set(), "app": set()}
    for index in range(len(rewrite.trees)):
        edits = []
        tree = rewrite.trees[index]
        text = rewrite.texts[index]
        drop = False
        stmt = tree.body[0] if len(tree.body) == 1 else None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            target = stmt.targets[0].id
            if target in aliases and target == "flags" and isinstance(stmt.value, ast.Attribute):
                plan.flags = "flags"
                drop = True  # `flags = tf.app.flags`: `from absl import flags` binds the same module
            elif target in configs:
                _read_config(rewrite, index, stmt.value, plan)
                drop = True
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute):
            option = dotted(stmt.targets[0])
            parts = option.split(".") if option else []
            if parts and parts[0] in configs:
                _set_option(rewrite, index, ".".join(parts[1:]), stmt.value, plan)
                drop = True
        if drop:
            rewrite.replace_statement(index, rewrite.leading(index) + DROP + "\n")
            continue
        handled: set[int] = set()
        for node in ast.walk(tree):
            if id(node) in handled:
                continue
            if isinstance(node, ast.Call) and any(k.arg == "config" for k in node.keywords) \
                    and _short(rewrite, node.func) in ("Session", "InteractiveSession"):
                keyword = next(k for k in node.keywords if k.arg == "config")
                value = keyword.value
                if isinstance(value, ast.Name) and value.id in configs:
                    handled.add(id(value))
                elif isinstance(value, ast.Call) and _short(rewrite, value.func) == "ConfigProto":
                    _read_config(rewrite, index, value, plan)
                    handled.update(id(n) for n in ast.walk(value))
                    edits.append((value, "None"))  # the Session call goes; its options run as tf.config calls
                else:
                    raise Blocked(index, value.lineno, f"`config={ast.unparse(value)}` given to the Session is not a "
                                                      "`ConfigProto` the rewrite reads; its options would be lost")
                continue
            if isinstance(node, ast.Name) and node.id in configs:
                raise Blocked(index, node.lineno, f"`ConfigProto` `{node.id}` used otherwise than given to the Session "
                                                  "or setting options")
            if isinstance(node, ast.Attribute) and node.attr == "value" and isinstance(node.value, ast.Subscript):
                replacement = _dimension(node.value, placeholders, text)
                if replacement is not None:
                    edits.append((node, replacement))
                    handled.update(id(n) for n in ast.walk(node))
                continue
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "as_list" \
                    and not node.args and not node.keywords:
                base = _shape_of(node.func.value)
                if isinstance(base, ast.Name) and base.id in placeholders:
                    edits.append((node, repr(list(placeholders[base.id]))))
                    handled.update(id(n) for n in ast.walk(node))
                continue
            if not isinstance(node, ast.Attribute):
                continue
            short = _short(rewrite, node)
            if short is None:
                continue
            if short in FLAG_MODULES:
                uses["flags"].add(index)
                edits.append((node, "\0flags"))
                handled.update(id(n) for n in ast.walk(node))
            elif short == "app.run":
                uses["app"].add(index)
                edits.append((node, "\0app.run"))
                handled.update(id(n) for n in ast.walk(node))
            elif short == "logging" or short.startswith("logging."):
                member = short.split(".", 1)[1] if "." in short else None
                if member is None:
                    raise Blocked(index, node.lineno, "`tf.logging` used as a module object: not rewritten to absl")
                if member not in LOGGING_FUNCTIONS | LOGGING_LEVELS:
                    raise Blocked(index, node.lineno, f"`tf.logging.{member}` has no absl counterpart with the same "
                                  "meaning (absl's `fatal` aborts; `log`/`vlog`/`get_verbosity` use absl's level "
                                  "numbers); not rewritten")
                uses["logging"].add(index)
                edits.append((node, f"\0logging.{member}"))
                handled.update(id(n) for n in ast.walk(node))
        for node in ast.walk(tree):  # tf.logging.set_verbosity(...) with a level other than a tf.logging constant
            if isinstance(node, ast.Call) and _short(rewrite, node.func) == "logging.set_verbosity" and (
                    len(node.args) != 1 or node.keywords or _short(rewrite, node.args[0]) not in {
                        f"logging.{level}" for level in LOGGING_LEVELS}):
                raise Blocked(index, node.lineno, "`tf.logging.set_verbosity` with other than a `tf.logging` "
                                  "level constant (absl numbers its levels otherwise); not rewritten")
            if isinstance(node, ast.Call) and _short(rewrite, node.func) == "app.run":
                plan.app_run = True
                _check_run(index, node)
        if edits:
            if uses["flags"] and plan.flags is None:
                plan.flags = _name(rewrite, "flags", set(aliases))
            if uses["logging"] and plan.logging is None:
                plan.logging = _name(rewrite, "logging", set())
            if uses["app"] and plan.app is None:
                plan.app = _name(rewrite, "app", set())
            names = {"flags": plan.flags, "logging": plan.logging, "app": plan.app}
            fixed = []
            for node, replacement in edits:
                if replacement.startswith("\0"):
                    module, _, rest = replacement[1:].partition(".")
                    replacement = names[module] + (f".{rest}" if rest else "")
                    if module == "app":
                        replacement = f"{names['app']}.run"
                fixed.append((node, replacement))
            from migrate.tf2_eager.program import _splice

            new = _splice(text, fixed)
            if plan.app_run and f"{plan.app}.run(" in new:
                new = _app_run(new, plan)
            rewrite.replace_statement(index, new)
    if plan.flags:
        names = {plan.flags} | set(aliases)
        plan.reads_flags = any(_reads_flags(tree, names) for tree in rewrite.trees)
        if plan.reads_flags and not plan.app_run:
            _check_parse_point(rewrite, plan.flags)
    return plan


def _shape_of(node):
    """``x`` for ``x.shape`` / ``x.get_shape()``, else None."""
    if isinstance(node, ast.Attribute) and node.attr == "shape":
        return node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get_shape" \
            and not node.args and not node.keywords:
        return node.func.value
    return None


def _dimension(subscript: ast.Subscript, placeholders: dict, text: str) -> str | None:
    base = _shape_of(subscript.value)
    if base is None:
        return None
    index = subscript.slice
    if isinstance(base, ast.Name) and base.id in placeholders and isinstance(index, ast.Constant) \
            and type(index.value) is int and -len(placeholders[base.id]) <= index.value < len(placeholders[base.id]):
        return repr(placeholders[base.id][index.value])
    return f"{ast.get_source_segment(text, base)}.shape[{ast.get_source_segment(text, index)}]"


def _read_config(rewrite, index: int, call, plan: HostPlan) -> None:
    if not isinstance(call, ast.Call) or call.args or any(k.arg is None for k in call.keywords):
        raise Blocked(index, call.lineno, "a `ConfigProto` built otherwise than with keyword options; not rewritten")
    for keyword in call.keywords:
        if keyword.arg == "gpu_options":
            value = keyword.value
            if not (isinstance(value, ast.Call) and _short(rewrite, value.func) == "GPUOptions" and not value.args):
                raise Blocked(index, value.lineno, "`ConfigProto(gpu_options=...)` not a `GPUOptions(...)` call")
            for option in value.keywords:
                _set_option(rewrite, index, f"gpu_options.{option.arg}", option.value, plan)
        else:
            _set_option(rewrite, index, keyword.arg, keyword.value, plan)


def _set_option(rewrite, index: int, option: str, node: ast.expr, plan: HostPlan) -> None:
    """One ConfigProto option (``gpu_options.x`` for GPUOptions'), its value a literal ``node``."""
    line = node.lineno
    known = option in CONFIG_CALLS or (option.startswith("gpu_options.") and option.split(".", 1)[1] in GPU_OPTIONS)
    if not known:
        raise Blocked(index, line, f"`ConfigProto` option `{option}` has no TF2 `tf.config` equivalent the rewrite "
                                   "knows; remove it or set it by hand in the TF2 program")
    value = _literal(rewrite, index, node, option)
    if option in plan.config and plan.config[option] != value:
        raise Blocked(index, line, f"`ConfigProto` option `{option}` set to different values; one process-wide "
                                   "`tf.config` setting cannot express both")
    plan.config[option] = value


def _check_run(index: int, call: ast.Call) -> None:
    if call.args[1:] or any(k.arg not in ("main",) for k in call.keywords):
        raise Blocked(index, call.lineno, "`tf.app.run` with `argv=`: not rewritten")


def _app_run(text: str, plan: HostPlan) -> str:
    """``app.run(main)`` with TF1's flags parser (unknown flags tolerated, as tf.app.run did)."""
    tree = ast.parse(text)
    edits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and dotted(node.func) == f"{plan.app}.run":
            main = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "main"), None)
            main_text = ast.get_source_segment(text, main) if main is not None else "main"
            run = (f"{plan.app}.run({main_text}, flags_parser=lambda argv: "
                   f"{plan.flags or 'flags'}.FLAGS(argv, known_only=True))")
            edits.append((node, run))
    if plan.flags is None:
        plan.flags = "flags"
    from migrate.tf2_eager.program import _splice

    return _splice(text, edits)


def _check_parse_point(rewrite, name: str) -> None:
    """absl's FLAGS are parsed once, right after the last module-level DEFINE: TF1 parsed at the first read.
    Both agree when every DEFINE is a module-level statement and no flag value is read before the last one."""
    last = None
    for index, tree in enumerate(rewrite.trees):
        stmt = tree.body[0] if len(tree.body) == 1 else None
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr.startswith("DEFINE") and dotted(node.func.value) == name:
                if not (isinstance(stmt, ast.Expr) and stmt.value is node):
                    raise Blocked(index, node.lineno, f"`{node.func.attr}` inside another statement: the converted "
                                  "program parses absl's FLAGS once after the module-level DEFINEs (TF1 parsed "
                                  "them at the first read); not rewritten")
                last = index
    for index, tree in enumerate(rewrite.trees[:last or 0]):
        stmt = tree.body[0] if len(tree.body) == 1 else None
        is_alias = isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Attribute) \
            and stmt.value.attr == "FLAGS"
        if not is_alias and _reads_flags(tree, {name}) or any(
                isinstance(n, ast.Name) and n.id == "FLAGS" and isinstance(n.ctx, ast.Load) for n in ast.walk(tree)):
            raise Blocked(index, 1, "a flag value read before the last `DEFINE_*`: TF1 parsed argv at that read, "
                                    "absl's FLAGS are parsed after the DEFINEs; not rewritten")
    if last is None:
        raise Blocked(0, 1, "FLAGS read but no module-level `DEFINE_*`: where TF1 parsed argv cannot be placed "
                            "for absl; not rewritten")


def _reads_flags(tree, names: set[str]) -> bool:
    """The program reads FLAGS (``flags.FLAGS.x``, or ``FLAGS = flags.FLAGS``)."""
    return any(isinstance(node, ast.Attribute) and node.attr == "FLAGS" and dotted(node.value) in names
               for node in ast.walk(tree))


def finish(rewrite, code: str, plan: HostPlan | None) -> str:
    """Imports, the tf.config calls after them, and the flags parse after the last module-level DEFINE."""
    if plan is None:
        return code
    from migrate.tf2_eager.program import _add_imports

    imports = []
    for module, name in (("app", plan.app), ("flags", plan.flags), ("logging", plan.logging)):
        if name:
            imports.append(f"from absl import {module}\n" if name == module else
                           f"from absl import {module} as {name}\n")
    parse = plan.flags and plan.reads_flags and not plan.app_run
    if parse and not _imports_sys(code):
        imports.insert(0, "import sys\n")
    if imports:
        code = _add_imports(code, imports)
    tree = ast.parse(code)
    rows = code.splitlines(keepends=True)
    inserts: list[tuple[int, str]] = []
    if plan.config:
        tf = rewrite.tf
        lines = [CONFIG_CALLS[o].format(tf=tf, value=v) + "\n" for o, v in plan.config.items() if o in CONFIG_CALLS]
        if "gpu_options.allow_growth" in plan.config:
            gpu = rewrite.fresh("gpu")
            lines.append(f"for {gpu} in {tf}.config.list_physical_devices(\"GPU\"):\n"
                         f"    {tf}.config.experimental.set_memory_growth({gpu}, "
                         f"{plan.config['gpu_options.allow_growth']})\n")
        top_imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        at = top_imports[-1].end_lineno if top_imports else 0
        inserts.append((at, "# ConfigProto options: process-wide, set before any op runs\n" + "".join(lines)))
    if parse:
        defines = [n for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)
                   and (dotted(n.value.func) or "").startswith(f"{plan.flags}.DEFINE")]
        if defines:
            line = f"{plan.flags}.FLAGS(sys.argv)  # TF1's FLAGS parsed argv on first use; absl's must be parsed\n"
            inserts.append((defines[-1].end_lineno, line))
    for at, text in sorted(inserts, reverse=True):
        rows[at:at] = [text]
    out, dropped = [], False
    for row in rows:  # statements prepare() dropped (their comments stay), without piling up blank lines
        if row.strip() == DROP or (dropped and not row.strip() and out and not out[-1].strip()):
            dropped = row.strip() == DROP or dropped
            continue
        dropped = False
        out.append(row)
    return "".join(out)


def _imports_sys(code: str) -> bool:
    tree = ast.parse(code)
    return any(isinstance(n, ast.Import) and any(a.name == "sys" and a.asname is None for a in n.names)
               for n in tree.body)


def drop_moot_findings(findings: list) -> None:
    """After TF4001 rewrote the module: the compat advice about flags/logging/ConfigProto was carried out."""
    findings[:] = [f for f in findings if not (f.code in ("TF2101", "TF2201") and MOOT.match(f.message or ""))]
