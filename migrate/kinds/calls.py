"""The call-move mechanics of the ``call-map`` kind (``migrate.kinds.call_map``) and of the structural
call rewrites (TF2010, TF2011, the contrib calls); registers nothing itself.

A function that became a differently named function with another signature
is rewritten in one step: positional arguments past the ones whose meaning is
unchanged become keywords (named by the old signature), keywords are renamed
or dropped, values are rewritten through a template (``1 - {value}``), extra
keywords are added, and the callee is spelled through the file's own aliases.
The decision is made on the ``ast`` call (``plan_move``); libcst only builds
it (``apply_move``).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from migrate.lazycst import cst
from migrate.model import Safety
from migrate.arguments import call_at, plan_arguments, written_arguments
from migrate.plugin import ast_position, rebind_dotted, rebound_targets
from migrate.resolve import canonical, dotted_name_ast


@dataclass(frozen=True)
class CallMove:
    new: str                                  # qualified TF2 callee
    params: tuple[str, ...]                   # TF1 positional parameter order
    keep: int                                 # leading positional arguments that stay positional
    keywords: dict[str, str | None] = field(default_factory=dict)  # TF1 keyword -> TF2 keyword (None: drop)
    add: dict[str, str] = field(default_factory=dict)             # keyword -> expression ("tensorflow.x" is spelled)
    values: dict[str, str] = field(default_factory=dict)  # old keyword -> template of the new value ("1 - {value}")

    @classmethod
    def from_entry(cls, entry: dict) -> "CallMove":
        keywords = {k: (v or None) for k, v in entry.get("keywords", {}).items()}
        return cls(entry["new"], tuple(entry.get("params", ())), int(entry.get("keep", 0)), keywords,
                   dict(entry.get("add", {})), dict(entry.get("values", {})))


def mentioned_lines(scan, names) -> list[int]:
    """The lines where the ``ast`` scan references one of ``names`` (a rule's sites)."""
    return [line for ref in scan.references if canonical(ref.qualified) in names
            for line in range(ref.line, (ref.end_line or ref.line) + 1)]


def mentions(scan, names) -> bool:
    """Does the ``ast`` scan reference any of ``names`` (also spelled through the TF1 API module)?"""
    return any(canonical(ref.qualified) in names for ref in scan.references)


def spelled_name(text: str, roots) -> bool:
    """Is ``text`` a qualified name under one of the modules ``roots`` (``tensorflow.float32``), which
    ``expression`` spells through the file's imports, rather than code?"""
    parts = text.split(".")
    return len(parts) > 1 and parts[0] in roots and all(part.isidentifier() for part in parts)


def expression(ctx, text: str, roots=("tensorflow",)) -> cst.BaseExpression:
    """``tensorflow.float32`` (a name under one of ``roots``) spelled through the file's aliases (imported
    when the file has none), anything else parsed as code."""
    from migrate.cstutil import build_dotted

    if spelled_name(text, roots):
        return build_dotted(ctx.spell(text))
    return cst.parse_expression(text)


def callee_root(call: cst.Call) -> str | None:
    from migrate.cstutil import dotted_name

    dotted = dotted_name(call.func)
    return dotted.split(".", 1)[0] if dotted else None


@dataclass(frozen=True)
class MovePlan:
    """How ``move_call`` rewrites one call, decided on its argument list (``plan_move``): per argument,
    None to drop it, "" to keep it as it is, else its keyword; then the keywords to add; per argument,
    the template its value is rewritten through (None: kept; empty when no argument's value changes)."""

    args: tuple[str | None, ...]
    added: tuple[str, ...]
    values: tuple[str | None, ...] = ()


def plan_move(move: CallMove, args: list[tuple[str | None, str]]) -> MovePlan | None:
    """The plan for a call whose arguments are ``args`` ((keyword or None, star)), in written order; None
    when its shape is not one the move can keep exact (``*args``, more positional arguments than the TF1
    signature, a TF1 alias and its new name both given)."""
    if any(star for _keyword, star in args):
        return None
    planned: list[str | None] = []
    templates: list[str | None] = []
    present: set[str] = set()
    for index, (keyword, _star) in enumerate(args):
        old = keyword if keyword is not None else move.params[index] if index < len(move.params) else None
        templates.append(move.values.get(old) if old is not None else None)
        if keyword is None:
            if index < move.keep:
                planned.append("")
                continue
            if index >= len(move.params):
                return None
            keyword = move.params[index]
        if keyword in move.keywords:
            keyword = move.keywords[keyword]
            if keyword is None:
                planned.append(None)
                continue
        if keyword in present:
            return None  # TF1 alias and new name both given: let the user pick
        present.add(keyword)
        planned.append(keyword)
    values = tuple(templates) if any(t is not None for t in templates) else ()
    return MovePlan(tuple(planned), tuple(k for k in move.add if k not in present), values)


def apply_move(ctx, move: CallMove, plan: MovePlan, original: cst.Call, call: cst.Call,
               roots=("tensorflow",)) -> cst.Call:
    """``call`` rewritten by a plan decided on the same argument list (``plan_move``); names under the
    modules ``roots`` in ``add`` are spelled through the file's imports."""
    from migrate.arguments import fill_template
    from migrate.cstutil import build_dotted, keyword_arg, remove_args

    assert len(call.args) == len(plan.args), (move.new, len(call.args), plan)
    args: list[cst.Arg] = []
    for index, (arg, keyword) in enumerate(zip(call.args, plan.args)):
        if keyword is None:
            args.append(arg)  # dropped below (its trailing comma, if last, goes to the new last argument)
            continue
        template = plan.values[index] if plan.values else None
        if template is not None:
            arg = arg.with_changes(value=fill_template(template, arg.value))
        if keyword and arg.keyword is None:
            arg = keyword_arg(keyword, arg.value, like=arg)
        elif keyword and arg.keyword.value != keyword:
            arg = arg.with_changes(keyword=cst.Name(keyword))
        args.append(arg)
    args = remove_args(args, {index for index, keyword in enumerate(plan.args) if keyword is None})
    insert_at = sum(1 for a in args if a.keyword is None)
    added = [keyword_arg(k, expression(ctx, move.add[k], roots)) for k in plan.added]
    if added and insert_at == len(args) and args:
        # the old last argument keeps its own trailing comma (if any) on the new last one
        last = args[-1]
        added[-1] = added[-1].with_changes(comma=last.comma)
        args[-1] = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    args[insert_at:insert_at] = added
    func = build_dotted(ctx.spell(move.new, callee_root(original)))
    return call.with_changes(func=func, args=args)


def move_call(ctx, move: CallMove, original: cst.Call, call: cst.Call) -> cst.Call | None:
    """The rewritten call, or None when its shape is not one the move can keep exact (``*args``)."""
    plan = plan_move(move, [(a.keyword.value if a.keyword is not None else None, a.star) for a in call.args])
    return None if plan is None else apply_move(ctx, move, plan, original, call)


# -- the ast side: what the engine's pass sees at a call, decided without libcst -----------------------


@dataclass(frozen=True)
class Argument:
    """One argument of an ``ast`` call as the engine's custom hooks receive it (after the table rules)."""

    keyword: str | None
    star: str  # "", "*" or "**"
    value: ast.expr
    value_rewritten: bool = False  # a value rewrite (TF2006) replaced it


# The argument tables the engine applies to a call before its custom hooks see it, applied as ``convert``
# and ``lint`` apply them (every reachable fix selection includes safe fixes; the tables acting on the
# custom rules' names are all safe).
_TABLES_APPLY = frozenset({Safety.SAFE, Safety.REVIEW})


def _table_fixes(rule) -> bool:
    return rule.safety is not Safety.NONE and rule.safety in _TABLES_APPLY


def _arguments(node: ast.Call) -> list[Argument]:
    """``node``'s arguments in written order (libcst's order; ast keeps positional and keyword apart)."""
    out = []
    for item in written_arguments(node):
        if isinstance(item, ast.Starred):
            out.append(Argument(None, "*", item.value))
        elif isinstance(item, ast.keyword):
            out.append(Argument(item.arg, "" if item.arg else "**", item.value))
        else:
            out.append(Argument(None, "", item))
    return out


def arguments_after_tables(ruleset, qualified: str, node: ast.Call) -> list[Argument]:
    """The call's arguments once the argument tables' plan (``arguments.plan_arguments``, the one decision
    lint, convert's matcher and the libcst pass apply) is applied: the list a custom ``on_call`` gets as
    ``updated.args``, so a rule decides on the ``ast`` what it decides there."""
    args = _arguments(node)
    plan = plan_arguments(ruleset, qualified, node, _table_fixes) if ruleset is not None else None
    if plan is None:
        return args
    for index, kind, keyword, _template in plan.steps:
        arg = args[index]
        args[index] = Argument(keyword, "", arg.value, arg.value_rewritten or kind == "value")
    return [arg for index, arg in enumerate(args) if index not in plan.drops]


def _references(scan) -> dict:
    """The scan's references by (line, 0-based character column, is a call)."""
    held = scan.matches.get("<references>")
    if held is None:
        held = scan.matches["<references>"] = {(ref.line, ref.column, ref.is_call): ref for ref in scan.references}
    return held


def _lines(scan) -> list[str]:
    held = scan.matches.get("<lines>")
    if held is None:
        held = scan.matches["<lines>"] = scan.source.splitlines()
    return held


def place(scan, node: ast.AST) -> tuple[int, int]:
    """(line, 1-based character column) where ``node`` starts, as findings count."""
    return ast_position(_lines(scan), node)[:2]


def engine_name(scan, node: ast.expr, rebound: dict[str, str], *, call: bool = False) -> str | None:
    """What the engine's pass resolves the dotted ``node`` (with ``call``, the callee of the call ``node``)
    to: the scan's resolution, read through the import targets a rule re-points (``rebound``)."""
    dotted = dotted_name_ast(node.func if call else node)
    if dotted is None:
        return None
    column = ast_position(_lines(scan), node)[1] - 1
    ref = _references(scan).get((node.lineno, column, call))
    if ref is None:
        return None
    return rebind_dotted(ref.qualified, dotted, rebound)


def _call_at(scan, ref) -> ast.Call | None:
    """The ``ast`` call a call ``Reference`` was made for: among the scan's ``receiver.name(...)`` calls
    (the callee's last name is the reference's), else (a bare-name callee) among the statements of its line."""
    name = ref.qualified.rsplit(".", 1)[-1]
    for node in (scan.method_calls or {}).get(name, ()):
        if node.lineno == ref.line and place(scan, node)[1] - 1 == ref.column:
            return node
    return call_at(scan, ref.line, ref.column)


def calls_of(custom, scan, names) -> list[tuple[str, ast.Call, dict[str, str]]]:
    """(qualified name, call, rebound) of each call of one of ``names`` as the engine's pass qualifies it."""
    candidates = [ref for ref in scan.references if ref.is_call and canonical(ref.qualified) in names]
    if not candidates:
        return []
    rebound = rebound_targets(scan, custom.siblings)
    found = []
    for ref in candidates:
        node = _call_at(scan, ref)
        if node is None:
            continue
        qualified = engine_name(scan, node, rebound, call=True)
        if qualified in names:
            found.append((qualified, node, rebound))
    return found


def short(qualified: str) -> str:
    """``tensorflow.x`` as ``tf.x`` (any other name as it is)."""
    return "tf" + qualified[len("tensorflow"):] if qualified.startswith("tensorflow") else qualified


def keyword_value(call: cst.Call, name: str, position: int | None = None) -> cst.Arg | None:
    """The argument bound to ``name`` (by keyword, or at ``position`` when passed positionally)."""
    for index, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
        if arg.keyword is None and not arg.star and position is not None and index == position:
            return arg
    return None
