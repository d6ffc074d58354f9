"""Shared pieces of the TF1 -> TF2 call rewrites (TF2008-TF2011); registers no rule itself.

A TF1 function that became a differently named TF2 function with another
signature is rewritten in one step: positional arguments past the ones whose
meaning is unchanged become keywords (named by the TF1 signature), keywords
are renamed or dropped, extra keywords are added, and the callee is spelled
through the file's own aliases.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from migrate.cstutil import build_dotted, dotted_name, keyword_arg


@dataclass(frozen=True)
class CallMove:
    new: str                                  # qualified TF2 callee
    params: tuple[str, ...]                   # TF1 positional parameter order
    keep: int                                 # leading positional arguments that stay positional
    keywords: dict[str, str | None] = field(default_factory=dict)  # TF1 keyword -> TF2 keyword (None: drop)
    add: dict[str, str] = field(default_factory=dict)             # keyword -> expression ("tensorflow.x" is spelled)

    @classmethod
    def from_entry(cls, entry: dict) -> "CallMove":
        keywords = {k: (v or None) for k, v in entry.get("keywords", {}).items()}
        return cls(entry["new"], tuple(entry.get("params", ())), int(entry.get("keep", 0)), keywords,
                   dict(entry.get("add", {})))


def _canonical(name: str) -> str:
    if name.startswith("tensorflow.compat.v1."):
        return "tensorflow." + name[len("tensorflow.compat.v1."):]
    return name


def mentioned_lines(scan, names) -> list[int]:
    """The lines where the ``ast`` scan references one of ``names`` (a rule's sites)."""
    return [line for ref in scan.references if _canonical(ref.qualified) in names
            for line in range(ref.line, (ref.end_line or ref.line) + 1)]


def mentions(scan, names) -> bool:
    """Does the ``ast`` scan reference any of ``names`` (also spelled through ``tf.compat.v1``)?"""
    for ref in scan.references:
        name = ref.qualified
        if name.startswith("tensorflow.compat.v1."):
            name = "tensorflow." + name[len("tensorflow.compat.v1."):]
        if name in names:
            return True
    return False


def expression(ctx, text: str) -> cst.BaseExpression:
    """``tensorflow.float32`` spelled through the file's aliases, anything else parsed as code."""
    if text.startswith("tensorflow."):
        return build_dotted(ctx.spell(text))
    return cst.parse_expression(text)


def callee_root(call: cst.Call) -> str | None:
    dotted = dotted_name(call.func)
    return dotted.split(".", 1)[0] if dotted else None


def move_call(ctx, move: CallMove, original: cst.Call, call: cst.Call) -> cst.Call | None:
    """The rewritten call, or None when its shape is not one the move can keep exact (``*args``)."""
    if any(arg.star for arg in call.args):
        return None
    args: list[cst.Arg] = []
    present: set[str] = set()
    for index, arg in enumerate(call.args):
        if arg.keyword is None:
            if index < move.keep:
                args.append(arg)
                continue
            if index >= len(move.params):
                return None
            arg = keyword_arg(move.params[index], arg.value, like=arg)
        name = arg.keyword.value  # type: ignore[union-attr]
        if name in move.keywords:
            new_name = move.keywords[name]
            if new_name is None:
                continue
            arg = arg.with_changes(keyword=cst.Name(new_name))
            name = new_name
        if name in present:
            return None  # TF1 alias and new name both given: let the user pick
        present.add(name)
        args.append(arg)
    insert_at = sum(1 for a in args if a.keyword is None)
    added = [keyword_arg(k, expression(ctx, v)) for k, v in move.add.items() if k not in present]
    if added and insert_at == len(args) and args:
        # the old last argument keeps its own trailing comma (if any) on the new last one
        last = args[-1]
        added[-1] = added[-1].with_changes(comma=last.comma)
        args[-1] = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    args[insert_at:insert_at] = added
    func = build_dotted(ctx.spell(move.new, callee_root(original)))
    return call.with_changes(func=func, args=args)


def supersede_rename(ctx, original: cst.Call) -> None:
    """Drop the symbol-rename finding of this callee: the whole call was rewritten instead."""
    position = ctx._position_of(original.func)
    if position is None:
        return
    rename_codes = {code for code, rule in ctx.ruleset.rules.items() if rule.kind == "rename"}
    ctx.findings[:] = [
        f for f in ctx.findings
        if not (f.code in rename_codes and f.line == position.start.line and f.column == position.start.column + 1)
    ]


def keyword_value(call: cst.Call, name: str, position: int | None = None) -> cst.Arg | None:
    """The argument bound to ``name`` (by keyword, or at ``position`` when passed positionally)."""
    for index, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
        if arg.keyword is None and not arg.star and position is not None and index == position:
            return arg
    return None
