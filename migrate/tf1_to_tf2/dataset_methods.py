"""TF2013: ``dataset.make_one_shot_iterator()`` -> ``tf.compat.v1.data.make_one_shot_iterator(dataset)``.

TF1's Dataset had iterator-making methods; TF2's DatasetV2 has none, while
``tf.compat.v1.data`` keeps the same operations as functions of the dataset.
The receiver is a local object, not an imported name, so the call is
recognised by its method name (``entries.methods``: method -> TF1 function):
a ``receiver.method(...)`` call whose callee does not resolve through an
import, found on the ``ast`` (``match``) and rewritten by the engine's
method-call hook; a call whose callee resolves (``tf.data.make_one_shot_iterator``)
is left to the symbol rules.
"""
from __future__ import annotations

import ast

from migrate.plugin import CustomTransform, Match, match_at_node, register
from migrate.resolve import dotted_name_ast
from migrate.rules import short_name
from migrate.kinds.calls import place


@register("TF2013")
class DatasetIteratorMethod(CustomTransform):
    def applies(self, scan) -> bool:
        return any(target == "tensorflow" or target.startswith("tensorflow.") for _, target in scan.bindings.items())

    def match(self, scan) -> list[Match]:
        methods = self.entries.get("methods", {})
        if not any(method in scan.source for method in methods):
            return []
        if scan.method_calls is not None:
            calls = [node for method in methods for node in scan.method_calls.get(method, ())]
        else:
            calls = [node for node in ast.walk(scan.tree) if isinstance(node, ast.Call)
                     and isinstance(node.func, ast.Attribute) and node.func.attr in methods]
        resolved = {(ref.line, ref.column) for ref in scan.references if ref.is_call}
        found = []
        for node in calls:
            line, column = place(scan, node)
            # the engine's hook sees the calls whose dotted callee resolves to nothing (``ds.method()``) and
            # those whose receiver is no dotted name (``tf.data.Dataset.range(3).method()``)
            callee_resolves = dotted_name_ast(node.func) is not None and (line, column - 1) in resolved
            if callee_resolves or any(isinstance(a, ast.Starred) for a in node.args) \
                    or any(k.arg is None for k in node.keywords):
                continue  # an imported callee (the symbol rules' business), or ``*args``: left as it is
            method = node.func.attr
            message = self.rule.message.format(method=method, new=short_name(methods[method]))
            found.append(match_at_node(self.rule, scan, node, message, self.rule.safety))
        return found

    def on_method_call(self, ctx, method, original, updated):
        target = self.entries.get("methods", {}).get(method)
        if target is None:
            return None
        match = ctx.match_at(self, original)
        if match is None or not ctx.report_match(match):
            return None
        from migrate.cstutil import build_dotted
        from migrate.lazycst import cst

        receiver = cst.Arg(value=updated.func.value)  # type: ignore[attr-defined]
        return updated.with_changes(func=build_dotted(ctx.spell(target)), args=[receiver, *updated.args])
