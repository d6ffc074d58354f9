"""PT1021: ``torch.load`` without ``weights_only``: ``True`` where the result is a state dict, else ``False`` + a finding.

Since PyTorch 2.6 ``weights_only`` defaults to True, so 1.x code that loads a
whole pickled model (or numpy arrays, or custom objects) fails.  The result is
known to be a state dict only when it goes straight into ``load_state_dict``:
``m.load_state_dict(torch.load(p))``, or a name assigned once from
``torch.load`` whose every use is ``x.load_state_dict(name)`` or
``x.load_state_dict(name[key])``.  There ``weights_only=True`` is written
(safe loading, same result).  Everywhere else the old behaviour is kept with
an explicit ``weights_only=False`` and a security finding: unpickling runs
code from the file, so it must come from a trusted source.
"""
from __future__ import annotations

import ast
import io
import tokenize

from migrate.callparts import call_parts_ast
from migrate.model import Safety, Severity
from migrate.plugin import register
from migrate.resolve import dotted_name_ast, qualify_in_scopes
from migrate.torch_deprecations.util import CallRewrite, Fix, Unfixable, dry_spell


def _state_dict_arg(node: ast.expr) -> ast.expr:
    """``name`` for ``name[key]``; the node itself otherwise."""
    if isinstance(node, ast.Subscript):
        return node.value
    return node


def _name_counts(source: str) -> dict[str, int]:
    """How often each identifier is written in the code (not in strings or comments)."""
    counts: dict[str, int] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.NAME:
                counts[token.string] = counts.get(token.string, 0) + 1
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return counts


def state_dict_loads(scan) -> set[int]:
    """ids of the ``torch.load`` calls (``ast``) whose result is known to be a state dict.

    Names are resolved with the module's imports, at every depth.
    """

    def is_load(node: ast.AST) -> bool:
        if not isinstance(node, ast.Call):
            return False
        dotted = dotted_name_ast(node.func)
        return dotted is not None and qualify_in_scopes(dotted, [], scan.bindings) == "torch.load"

    into: set[int] = set()
    assigned: dict[str, list[ast.Call | None]] = {}
    targets: dict[str, int] = {}
    state_dict_uses: dict[str, int] = {}
    for node in ast.walk(scan.tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value if is_load(node.value) else None)
                    targets[target.id] = targets.get(target.id, 0) + 1  # the target is not a use
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "load_state_dict" and node.args:
            value = node.args[0]
            if is_load(value):
                into.add(id(value))
            value = _state_dict_arg(value)
            if isinstance(value, ast.Name):
                state_dict_uses[value.id] = state_dict_uses.get(value.id, 0) + 1
    chosen = set(into)
    if assigned:
        counts = _name_counts(scan.source)
        for name, values in assigned.items():
            uses = counts.get(name, 0) - targets.get(name, 0)
            if len(values) == 1 and values[0] is not None and state_dict_uses.get(name, 0) == uses > 0:
                chosen.add(id(values[0]))
    return chosen


@register("PT1021")
class LoadWeightsOnly(CallRewrite):
    def rewrite(self, qualified, parts, spell):
        if "weights_only" in parts.keywords:
            return None
        if parts.double_starred:
            return Unfixable("**kwargs may already pass weights_only")
        if len(parts.positional) > 3:
            return Unfixable("extra positional arguments are passed to the unpickler")
        return Fix("", append=("weights_only", "True"))

    def match_call(self, scan, qualified, node):
        outcome = self.rewrite(qualified, call_parts_ast(node, scan.source), dry_spell)
        if isinstance(outcome, Fix):
            loads = scan.matches.get("<PT1021 state dicts>")
            if loads is None:
                loads = scan.matches["<PT1021 state dicts>"] = state_dict_loads(scan)
            if id(node) not in loads:  # not known to be a state dict: keep the old behaviour, explicitly
                outcome = Fix("", safety=Safety.REVIEW, append=("weights_only", "False"))
                return self.decide(scan, qualified, node, outcome, self.entries["unsafe_message"],
                                   severity=Severity.WARNING)
        return self.decide(scan, qualified, node, outcome)
