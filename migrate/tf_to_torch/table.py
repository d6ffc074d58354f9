"""The TensorFlow <-> PyTorch op table as plain data, and the pure-text argument mapper.

No libcst, no framework import: ``load_table()`` is what other families (the
Keras -> ``nn.Module`` rewrite uses it for ``Lambda`` ops) and the verifier read.

An entry (``rules/tf_to_torch/generated/table.json``, built by
``scripts/gen_tf_torch_table.py``)::

    {"tf": "tensorflow.math.reduce_std",            qualified TF name (aliases are separate entries)
     "params": ["input_tensor", "axis", "keepdims", "name"],   TF signature order
     "defaults": {"axis": "None", ...},              TF defaults as source text
     "ignore": ["name"],                             TF parameters with no effect on values
     "variants": [{"when": {"axis": "absent"}, "torch": "torch.std({input_tensor}, correction=0)"},
                  {"torch": "torch.std({input_tensor}, dim={axis}, ?keepdim={keepdims}, correction=0)"}],
     "preconditions": ["float input"],               what the proof covered (dtype, rank, static values)
     "pitfall": "...",                               the semantic difference the template encodes
     "examples": [{"call": "tf.math.reduce_std(x, axis=1)", "inputs": {"x": ["float32", [3, 4], "normal"]}}],
     "origin": "name-match" | "curated"}

A TF class whose instance is called (a Keras loss object, ``tf.keras.losses.Huber(delta=0.5)``) is an
entry with ``"kind": "object"``: its template is a callable expression (``lambda y_true, y_pred: ...``)
and its examples carry ``"apply": "(y, p)"``, the call made on the built object on both sides.

Template syntax: ``{p}`` is the source text of TF parameter ``p`` (its TF default
when the call omits it); ``?kw={p}`` is written only when the call passes ``p``;
``{p:dtype}`` converts a dtype (``tf.float32`` -> ``torch.float32``); ``{p:pads}`` a literal
TF ``paddings`` list into ``F.pad`` order.
Conditions in ``when``: ``absent`` / ``present`` / ``int`` (an int literal) /
``list`` (a list/tuple literal of int literals, none negative) / ``intlit`` / ``floatlit`` (a
number or nested list literal of ints / with a float) / ``display`` (a list or tuple
display, any items) / ``name`` (a plain name, safe to repeat) / ``value:TEXT`` (passed and spelled exactly TEXT, or absent
and the default is TEXT).
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

TORCH_DTYPES = {
    "float16": "float16", "half": "float16", "bfloat16": "bfloat16", "float32": "float32", "float64": "float64",
    "double": "float64", "int8": "int8", "int16": "int16", "int32": "int32", "int64": "int64", "uint8": "uint8",
    "bool": "bool", "complex64": "complex64", "complex128": "complex128", "uint16": "uint16", "uint32": "uint32",
    "uint64": "uint64",
}
_DTYPE_TEXT = re.compile(r"^(?:tf|tensorflow|torch|np|numpy)\.(\w+)$|^['\"](\w+)['\"]$")
_OPTIONAL = re.compile(r",\s*\?([A-Za-z_]\w*)=\{(\w+)(?::\w+)?\}")
_PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}")


def table_dir() -> Path:
    from migrate.rules import rules_root

    return rules_root() / "tf_to_torch" / "generated"


@lru_cache(maxsize=4)
def load_table(path: str | None = None) -> dict[str, dict[str, Any]]:
    """Qualified TF name -> entry (with its verification verdict merged in under ``"verified"``)."""
    folder = Path(path) if path else table_dir()
    data = json.loads((folder / "table.json").read_text(encoding="utf-8"))
    entries = {e["tf"]: e for e in data["entries"]}
    verified_path = folder / "verified.json"
    if verified_path.is_file():
        verified = json.loads(verified_path.read_text(encoding="utf-8"))
        for name, verdict in verified.get("tf_to_torch", {}).items():
            if name in entries:
                entries[name]["verified"] = verdict
    return entries


@lru_cache(maxsize=4)
def load_reverse_table(path: str | None = None) -> dict[str, dict[str, Any]]:
    """Qualified torch name -> reverse entry (``rules/torch_to_tf`` direction), with its verdict."""
    folder = Path(path) if path else table_dir()
    reverse_path = folder / "reverse.json"
    if not reverse_path.is_file():
        return {}
    data = json.loads(reverse_path.read_text(encoding="utf-8"))
    entries = {e["torch"]: e for e in data["entries"]}
    verified_path = folder / "verified.json"
    if verified_path.is_file():
        verified = json.loads(verified_path.read_text(encoding="utf-8"))
        for name, verdict in verified.get("torch_to_tf", {}).items():
            if name in entries:
                entries[name]["verified"] = verdict
    return entries


class Unmapped(Exception):
    """The call cannot be rewritten exactly; the message says why (it becomes the TODO reason)."""


@dataclass
class Bound:
    """Argument source text by TF parameter name."""

    given: dict[str, str]
    variant: dict | None = None  # the variant ``render`` chose (its ``review`` note, if any)


def bind(entry: dict, positional: list[str], keywords: dict[str, str]) -> Bound:
    params = entry["params"]
    given: dict[str, str] = {}
    if len(positional) > len(params):
        raise Unmapped(f"more positional arguments than {entry['tf']} takes")
    for name, text in zip(params, positional):
        given[name] = text
    for name, text in keywords.items():
        if name not in params:
            raise Unmapped(f"keyword {name!r} is not a parameter of {short_tf(entry['tf'])} in the table")
        if name in given:
            raise Unmapped(f"{name!r} passed twice")
        given[name] = text
    return Bound(given)


def _literal(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return _NOT_LITERAL


_NOT_LITERAL = object()


def _holds(condition: str, name: str, bound: Bound, entry: dict) -> bool:
    text = bound.given.get(name)
    if condition == "absent":
        return text is None
    if condition == "present":
        return text is not None
    if condition.startswith("value:"):
        want = condition[len("value:"):]
        if text is None:
            return entry.get("defaults", {}).get(name) == want
        return _norm(text) == _norm(want)
    if text is None:
        return False
    value = _literal(text)
    if condition == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if condition == "list":
        return isinstance(value, (list, tuple)) and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                                                       for v in value)
    if condition in ("intlit", "floatlit"):
        leaves = list(_leaves(value))
        if not leaves or value is _NOT_LITERAL:
            return False
        if condition == "intlit":
            return all(isinstance(v, int) and not isinstance(v, bool) for v in leaves)
        return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in leaves) and \
            any(isinstance(v, float) for v in leaves)
    if condition == "nonliteral":
        return value is _NOT_LITERAL
    if condition == "display":  # a list or tuple display (its items may be any expressions)
        try:
            node = ast.parse(text.strip(), mode="eval").body
        except SyntaxError:
            return False
        return isinstance(node, (ast.List, ast.Tuple))
    if condition == "name":
        return re.fullmatch(r"[A-Za-z_]\w*(\.\w+)*", text) is not None
    raise ValueError(f"unknown condition {condition!r}")


def _leaves(value):
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _norm(text: str) -> str:
    return text.replace(" ", "").replace('"', "'")


def convert_dtype(text: str) -> str:
    match = _DTYPE_TEXT.match(text.strip())
    name = match and (match.group(1) or match.group(2))
    if not name or name not in TORCH_DTYPES:
        raise Unmapped(f"dtype {text} is not a literal dtype with a torch twin")
    return "torch." + TORCH_DTYPES[name]


def _wrap_scalar_input(entry: dict, bound: Bound) -> None:
    """TF ops take Python numbers where torch functions need tensors: ``tf.sqrt(8.0)`` -> ``torch.sqrt(torch.tensor(8.0))``.

    Only the first parameter of a call-shaped template is wrapped; an int literal is int32 as in TF.
    """
    first = entry["params"][0] if entry["params"] else None
    text = bound.given.get(first) if first else None
    if text is None:
        return
    value = _literal(text)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    bound.given[first] = f"torch.tensor({text}, dtype=torch.int32)" if isinstance(value, int) else f"torch.tensor({text})"


def render(entry: dict, bound: Bound) -> str:
    """The torch expression for one bound call, or ``Unmapped`` with the reason.

    The first variant whose conditions hold and which accounts for every argument
    passed (a placeholder, a ``value:`` condition, an ignored parameter, or the
    argument spelled exactly as its TF default) is used (``choose_variant``).
    """
    return fill(choose_variant(entry, bound)["torch"], bound, entry)


def prepare_bound(entry: dict, bound: Bound) -> Bound:
    """The argument texts as the templates read them (a Python number as the first argument of a
    name-matched op becomes a tensor); ``choose_variant`` does this, and a caller that fills a
    variant chosen earlier on other texts of the same call does it again on its own texts."""
    if entry.get("origin") == "name-match":
        _wrap_scalar_input(entry, bound)
    return bound


def choose_variant(entry: dict, bound: Bound) -> dict:
    """The variant of ``entry`` that renders ``bound`` (set as ``bound.variant``), or ``Unmapped``."""
    defaults = entry.get("defaults", {})
    prepare_bound(entry, bound)
    uncovered = None
    for variant in entry["variants"]:
        when = variant.get("when", {})
        if not all(_holds(cond, name, bound, entry) for name, conds in when.items()
                   for cond in (conds if isinstance(conds, list) else [conds])):
            continue
        mentioned = set(_PLACEHOLDER_NAMES.findall(variant["torch"])) | set(when)
        missing = [name for name, text in bound.given.items()
                   if name not in mentioned and name not in entry.get("ignore", ())
                   and _norm(text) != _norm(defaults.get(name, "\0"))]
        if missing:
            uncovered = uncovered or missing
            continue
        bound.variant = variant
        return variant
    if uncovered:
        raise Unmapped(f"argument {uncovered[0]!r} of {short_tf(entry['tf'])} has no proven mapping")
    raise Unmapped(entry.get("unmapped_reason") or f"no proven form of {short_tf(entry['tf'])} for these arguments")


_PLACEHOLDER_NAMES = re.compile(r"\{(\w+)(?::\w+)?\}")


def fill(template: str, bound: Bound, entry: dict) -> str:
    def drop_or_keep(match: re.Match) -> str:
        keyword, name = match.group(1), match.group(2)
        if name not in bound.given:
            return ""
        return match.group(0).replace("?" + keyword, keyword, 1)

    text = _OPTIONAL.sub(drop_or_keep, template)

    def value(match: re.Match) -> str:
        name, converter = match.group(1), match.group(2)
        if name in bound.given:
            raw = bound.given[name]
        elif name in entry.get("defaults", {}):
            raw = entry["defaults"][name]
        else:
            raise Unmapped(f"required argument {name!r} of {short_tf(entry['tf'])} is missing")
        if converter == "dtype":
            return convert_dtype(raw)
        if converter == "tfdtype":
            return convert_dtype(raw).replace("torch.", "tf.")
        if converter == "pads":
            return convert_paddings(raw)
        if converter is None:
            if _CAST_AFTER.match(text, match.end()) and _is_python_value(raw):
                # ``{indices}.long()`` on ``[0, 1]``: a Python list or number has no tensor methods (TF takes it
                # as a tensor); the cast after it fixes the dtype, so the values and dtype are the tensor's
                return f"torch.as_tensor({raw})"
            before, after = text[:match.start()].rstrip()[-1:], text[match.end():].lstrip()[:1]
            if before in ("(", ",", "[") and after in (")", ",", "]"):
                return raw  # a whole argument or list item needs no parentheses
            return raw if _is_atom(raw) else f"({raw})"
        raise ValueError(f"unknown converter {converter!r}")

    return _PLACEHOLDER.sub(value, text)


def convert_paddings(text: str) -> str:
    """TF ``[[before0, after0], [before1, after1], ...]`` -> torch ``F.pad`` order (last axis first)."""
    value = _literal(text)
    if not (isinstance(value, (list, tuple)) and all(isinstance(p, (list, tuple)) and len(p) == 2 and
                                                     all(isinstance(v, int) and v >= 0 for v in p) for p in value)):
        raise Unmapped("paddings must be a literal list of [before, after] non-negative ints")
    flat = [v for pair in reversed(value) for v in pair]
    return "(" + ", ".join(str(v) for v in flat) + ("," if len(flat) == 1 else "") + ")"


_CAST_AFTER = re.compile(r"\.(?:long|int|float|double|bool|half)\(\)")


def _expression(text: str) -> ast.expr | None:
    """The expression ``text`` parses to (None when it does not)."""
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return None


def _is_python_value(text: str) -> bool:
    """A list or tuple display or a number literal: what TF turns into a tensor and torch methods cannot take."""
    node = _expression(text)
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        node = node.operand
    return isinstance(node, (ast.List, ast.Tuple)) or (
        isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool))


def _is_atom(text: str) -> bool:
    """Safe to splice anywhere (``x``, ``a.b``, ``f(x)``, ``[1, 2]``, ``-1``)."""
    node = _expression(text)
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        return True
    return isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant, ast.List, ast.Tuple,
                             ast.Dict, ast.Set, ast.ListComp))


def short_tf(qualified: str) -> str:
    return "tf" + qualified[len("tensorflow"):] if qualified.startswith("tensorflow.") else qualified


def rewrite_text(entry: dict, positional: list[str], keywords: dict[str, str]) -> str:
    return render(entry, bind(entry, positional, keywords))


def split_call(text: str) -> tuple[str, list[str], dict[str, str]]:
    """``tf.f(a, b=c)`` -> ("tf.f", ["a"], {"b": "c"}) using ``ast`` (for examples and tests)."""
    node = ast.parse(text.strip(), mode="eval").body
    if not isinstance(node, ast.Call):
        raise ValueError(f"not a call: {text}")
    func = ast.unparse(node.func)
    positional = [ast.get_source_segment(text.strip(), a) or ast.unparse(a) for a in node.args]
    keywords = {k.arg: ast.get_source_segment(text.strip(), k.value) or ast.unparse(k.value) for k in node.keywords}
    return func, positional, keywords
