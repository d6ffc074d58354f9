"""The ``call-map`` rule kind: a function replaced by another with other argument names, order or values.

Entries are keyed by the qualified old callee (any framework; a TF1 name also
matches when written through ``tf.compat.v1``).  Each entry::

    new       qualified new callee (spelled through the file's imports, imported when needed)   required
    params    the old positional parameter order (names positional arguments past ``keep``)
    keep      how many leading positional arguments keep their meaning (stay positional)
    keywords  old keyword -> new keyword ("" drops the argument)
    values    old keyword -> template of the new value, ``{value}`` the old one ("1 - {value}");
              the old value is parenthesized unless atomic, as the ``value`` table kind does
    add       keyword -> expression added when the call lacks it; a dotted name under one of the rule
              set's ``frameworks`` (``tensorflow.float32``) is spelled through the file's imports
    safety    this entry's fix safety when it differs from the rule's (``review``), with ``why``
    why       appended to the message: what differs (a precondition the user must check)
    message_fields  extra fields for the rule's message template (``{dtype}``); ``{old}`` and ``{new}``
              are always the short old and new callee

Preconditions are stated per entry (``safety`` + ``why``); a call whose shape
cannot be moved exactly (``*args``, more positional arguments than ``params``,
an old keyword and its new name both given) is reported, not rewritten.
The decision is made once on the ``ast`` call (``match``, ``calls.plan_move``);
the libcst pass builds it from the match's payload (``calls.apply_move``), and
the rule's ``supersedes`` (data) drops the findings of the callee's rename.
"""
from __future__ import annotations

import string

from migrate.kinds import register_kind
from migrate.kinds.calls import (CallMove, apply_move, arguments_after_tables, calls_of, mentions, place, plan_move,
                                 short)
from migrate.model import Safety
from migrate.plugin import CustomTransform, Match, match_at_node

FIELDS = ("new", "params", "keep", "keywords", "values", "add", "safety", "why", "message_fields")


def _string_table(name: str, field: str, value, *, empty_ok: bool = True) -> None:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError(f"entry {name!r}: {field} must be a table of strings")
    if not empty_ok and any(not v for v in value.values()):
        raise ValueError(f"entry {name!r}: {field} cannot map to an empty string")


@register_kind("call-map")
class CallMap(CustomTransform):
    @classmethod
    def check_entries(cls, entries: dict, message: str = "") -> None:
        """Raise ValueError naming the first malformed entry (called when a rule of this kind is loaded);
        every field the rule's ``message`` names must be ``old``, ``new`` or one of the entry's
        ``message_fields``."""
        named = {field for _text, field, _spec, _conv in string.Formatter().parse(message) if field}
        for name, entry in entries.items():
            if not isinstance(entry, dict):
                raise ValueError(f"entry {name!r} must be a table with at least `new`")
            unknown = sorted(set(entry) - set(FIELDS))
            if unknown:
                raise ValueError(f"entry {name!r}: unknown field {', '.join(unknown)} (known: {', '.join(FIELDS)})")
            if not isinstance(entry.get("new"), str) or not entry["new"]:
                raise ValueError(f"entry {name!r}: missing `new` (the qualified new callee)")
            params = entry.get("params", [])
            if not isinstance(params, list) or not all(isinstance(p, str) and p.isidentifier() for p in params):
                raise ValueError(f"entry {name!r}: params must be a list of parameter names")
            keep = entry.get("keep", 0)
            if not isinstance(keep, int) or isinstance(keep, bool) or keep < 0 or (params and keep > len(params)):
                raise ValueError(f"entry {name!r}: keep must be a whole number from 0 to len(params)")
            _string_table(name, "keywords", entry.get("keywords", {}))
            _string_table(name, "add", entry.get("add", {}), empty_ok=False)
            _string_table(name, "message_fields", entry.get("message_fields", {}))
            values = entry.get("values", {})
            _string_table(name, "values", values, empty_ok=False)
            for keyword, template in values.items():
                if "{value}" not in template:
                    raise ValueError(f"entry {name!r}: values.{keyword} must use {{value}} (the old value)")
            if "safety" in entry:
                try:
                    safety = Safety(entry["safety"])
                except ValueError:
                    raise ValueError(f"entry {name!r}: safety must be one of "
                                     f"{', '.join(s.value for s in Safety)}") from None
                if safety is not Safety.SAFE and not entry.get("why"):
                    raise ValueError(f"entry {name!r}: safety {safety.value!r} needs a `why`")
            if not isinstance(entry.get("why", ""), str):
                raise ValueError(f"entry {name!r}: why must be a string")
            lacking = sorted(named - {"old", "new"} - set(entry.get("message_fields", {})))
            if lacking:
                raise ValueError(f"entry {name!r}: the message names {', '.join(lacking)}, "
                                 f"which its message_fields lack")

    def __init__(self, rule, entries) -> None:
        super().__init__(rule, entries)
        self.code = rule.code  # one class serves every rule of the kind
        self.moves = {name: CallMove.from_entry(entry) for name, entry in entries.items()}

    def _roots(self) -> tuple[str, ...]:
        """Modules whose dotted names in ``add`` are spelled through the file's imports: the rule set's
        frameworks (TensorFlow and PyTorch when it names none)."""
        info = self.ruleset.infos.get(self.rule.ruleset) if self.ruleset is not None else None
        return tuple(info.frameworks) if info is not None and info.frameworks else ("tensorflow", "torch")

    def applies(self, scan) -> bool:
        return mentions(scan, self.moves)

    def match(self, scan) -> list[Match]:
        from migrate.rules import format_message

        found = []
        for qualified, node, _rebound in calls_of(self, scan, self.moves):
            move, entry = self.moves[qualified], self.entries[qualified]
            args = arguments_after_tables(self.ruleset, qualified, node)
            plan = plan_move(move, [(a.keyword, a.star) for a in args])
            if plan is not None and plan.values and any(a.value_rewritten for a, t in zip(args, plan.values) if t):
                plan = None  # a table already rewrote that value: a second template would compose them
            fields = {**entry.get("message_fields", {}), "old": short(qualified), "new": short(move.new)}
            message = format_message(self.rule.message, **fields)
            if entry.get("why"):
                message += f" ({entry['why']})"
            found.append(match_at_node(self.rule, scan, node, message, Safety(entry.get("safety", self.rule.safety.value)),
                                       fixable=plan is not None, payload=plan, supersedes_at=place(scan, node.func)))
        return found

    def on_call(self, ctx, qualified, original, updated):
        move = self.moves.get(qualified)
        if move is None:
            return None
        match = ctx.match_at(self, original)
        if match is None or not ctx.report_match(match):
            return None
        return apply_move(ctx, move, match.payload, original, updated, self._roots())
