"""TT1001's decisions, made on the ``ast`` scan (``CallMap.match``); registers nothing, imports no libcst.

For every TensorFlow call the engine's pass offers TT1001 (a dotted call resolving under ``tensorflow``),
every ``tf.function(fn)``, and every ``receiver.method(...)`` call the pass offers its method hook,
this decides once what the libcst pass then only builds:

* a TF call: its table entry, or why it stays TensorFlow (no entry, not proven, a Keras loss given to
  ``compile()``, arguments outside what was proven); the TF parameter each written argument binds; the
  template variant those arguments select; the fix safety (REVIEW variants and verdicts) and the message;
* a tensor method: the template, or why it stays (TF-only method, arguments, a receiver not provably a
  tensor made by a converted call), and which call matches make the receiver provable;
* the file's conversion rate.

The arguments are bound by their source text as the pass will see it when it reaches the call: a
nested call TT1001 rewrites is read as its rewrite (the pass rewrites inside-out), so a variant's
conditions (``name``, literals, displays) hold on the same text in both stages.  Only the rendering
stays in the pass, filled with the rewritten argument texts.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field, replace  # noqa: F401 (replace: the pass re-words a match)

from migrate.model import Safety, Severity
from migrate.plugin import Match, ast_position, match_at_node, source_segment
from migrate.resolve import dotted_name_ast
from migrate.tf_to_torch.table import (
    Unmapped,
    bind,
    choose_variant,
    fill,
    short_tf,
)

# TF names handled by other TT rules of this family (not counted as unconverted ops here)
HANDLED_ELSEWHERE = ("tensorflow.GradientTape", "tensorflow.function", "tensorflow.keras.optimizers.",
                     "tensorflow.Variable")
# method -> what it becomes on a provable receiver r (text templates)
SHAPE_METHODS = {"as_list": "list({r}.shape)", "num_elements": "{r}.numel()"}
TENSOR_METHODS = {"numpy": "{r}.detach().cpu().numpy()", "get_shape": "{r}.shape"}
TF_ONLY = {"set_shape", "ref", "experimental_ref", "eval", "consumers"}
METHODS = (*SHAPE_METHODS, *TENSOR_METHODS, *TF_ONLY)
# what the pass wraps in parentheses when a template renders to it (libcst's BinaryOperation, ...)
_WRAPPED = (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Lambda)
# receivers a method template splices as they are (libcst Name, Call, Attribute, Subscript)
_PLAIN = (ast.Name, ast.Call, ast.Attribute, ast.Subscript)
CONVERT_APPLY = frozenset({Safety.SAFE, Safety.REVIEW})


@dataclass(frozen=True, eq=False)
class CallDecision:
    """A TF call: what the pass renders (``entry``'s ``variant``, its arguments bound to ``params``)."""

    qualified: str
    entry: dict | None = None
    variant: dict | None = None
    params: tuple[str, ...] = ()  # the TF parameter each written argument binds, in written order
    note: str = ""  # appended to the message after the rendering (pitfall, review reason)
    reason: str | None = None  # why the call stays TensorFlow (the match is report-only)
    counted: bool = True  # one of the TF calls the conversion rate counts
    unwrap: bool = False  # ``tf.function(fn)`` -> ``fn`` (not a table rewrite)


@dataclass(frozen=True, eq=False)
class MethodDecision:
    """A tensor method: its template, or the reason it stays (``reason``)."""

    method: str
    label: str
    template: str | None = None
    reason: str | None = None
    receivers: tuple[Match, ...] = ()  # the call matches that make the receiver a converted tensor


@dataclass(frozen=True, eq=False)
class RateDecision:
    """The file's conversion rate (reported at the end of the pass): ``converted`` of the ``seen`` calls."""

    seen: int
    converted: int


def unmapped_message(qualified: str, reason: str) -> str:
    return f"{short_tf(qualified)} left as TensorFlow: {reason}"


def converted_message(qualified: str, text: str, note: str) -> str:
    return f"{short_tf(qualified)} -> {text}{note}"


def method_message(label: str, template: str) -> str:
    return f"tensor method {label} -> {template.format(r='x')} (the receiver is made by a converted call)"


def method_todo_message(reason: str) -> str:
    return f"left as it was: {reason}"


def rate_message(seen: int, converted: int) -> str:
    return f"conversion rate: {converted} of {seen} TensorFlow calls converted ({100.0 * converted / seen:.0f}%)"


def proven(entry: dict) -> bool:
    return entry.get("verified", {}).get("verdict") in ("PASS", "REVIEW")


def not_proven(label: str, entry: dict) -> Unmapped:
    """Why an entry whose verification did not pass is not applied (its verdict and the measured reason)."""
    verdict = entry.get("verified", {})
    reason = f"{verdict.get('verdict', 'not verified')} {verdict.get('reason', '')}".strip()
    return Unmapped(f"{label} is not proven: {reason}")


def decision_note(entry: dict, variant: dict) -> tuple[str, str | None]:
    """(message note, review reason or None) of a rendered entry."""
    review = variant.get("review")
    if entry.get("verified", {}).get("verdict") == "REVIEW":
        review = entry["verified"].get("reason", "a documented difference was measured")
    pitfall = entry.get("pitfall")
    note = f" ({pitfall})" if pitfall else ""
    if review:
        note += f"; review: {review}"
    return note, review


# -- argument texts as libcst reads them --------------------------------------------------------------


class _Text:
    """Offsets into one source (UTF-8 bytes, lines split as Python's tokenizer splits them)."""

    def __init__(self, source: str) -> None:
        self.data = source.encode("utf-8")
        self.starts = [0]
        for line in re.findall(rb"[^\r\n]*(?:\r\n|\r|\n)", self.data):
            self.starts.append(self.starts[-1] + len(line))

    def at(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column

    def start(self, node) -> int:
        return self.at(node.lineno, node.col_offset)

    def end(self, node) -> int:
        return self.at(node.end_lineno, node.end_col_offset)

    def text(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8", errors="replace")


def _argument_values(node: ast.Call) -> list[tuple[ast.AST, str | None, str, ast.AST]]:
    """(written node, keyword, star, value node) of each argument, in written order."""
    out = []
    for item in sorted([*node.args, *node.keywords], key=lambda a: (a.lineno, a.col_offset)):
        if isinstance(item, ast.Starred):
            out.append((item, None, "*", item.value))
        elif isinstance(item, ast.keyword):
            out.append((item, item.arg, "" if item.arg else "**", item.value))
        else:
            out.append((item, None, "", item))
    return out


def argument_texts(text: _Text, source: str, node: ast.Call) -> list[tuple[str | None, str, str, ast.AST]]:
    """(keyword, star, value text, value node) of each argument of a dotted call, the value text with
    the parentheses written around it (libcst's ``code_for_node`` of ``Arg.value``)."""
    arguments = _argument_values(node)
    if not arguments:
        return []
    # the common case: nothing but the call's own parentheses, commas and spaces between the arguments
    bounds = [text.end(node.func)]
    for written, _keyword, _star, value in arguments:
        bounds += [text.start(written), text.start(value), text.start(value), text.end(value)]
    bounds.append(text.end(node))
    # (the gaps: between the arguments, and between a keyword's (or star's) start and its value)
    gaps = "".join(text.text(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2))
    plain = [(keyword, star, source_segment(source, value) or "", value) for _w, keyword, star, value in arguments]
    if gaps.count("(") == 1 and gaps.count(")") == 1 and "#" not in gaps:
        return plain
    return _tokenized_arguments(text, node, arguments) or plain


def _tokenized_arguments(text: _Text, node: ast.Call, arguments):
    segment = text.text(text.start(node), text.end(node))
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(segment).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    line_starts = [0]
    for line in io.StringIO(segment):
        line_starts.append(line_starts[-1] + len(line))

    def offset(position: tuple[int, int]) -> int:
        return line_starts[position[0] - 1] + position[1]

    func_end = len(text.text(text.start(node), text.end(node.func)))
    groups: list[list[tokenize.TokenInfo]] = []
    depth, current, started = 0, [], False
    for token in tokens:
        if not started:
            if token.type == tokenize.OP and token.string == "(" and offset(token.start) >= func_end:
                started = True
            continue
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            if depth == 0:
                groups.append(current)
                break
            depth -= 1
        elif token.type == tokenize.OP and token.string == "," and depth == 0:
            groups.append(current)
            current = []
            continue
        current.append(token)
    groups = [_trim(group) for group in groups]
    groups = [group for group in groups if group]
    if len(groups) != len(arguments):
        return None
    out = []
    for group, (_written, keyword, star, value) in zip(groups, arguments):
        if star:
            group = group[1:]
        elif keyword is not None:
            group = _trim(group[2:])  # ``name =``
        if not group:
            return None
        out.append((keyword, star, segment[offset(group[0].start):offset(group[-1].end)], value))
    return out


def _trim(group):
    edge = (tokenize.NL, tokenize.COMMENT, tokenize.NEWLINE)
    while group and group[0].type in edge:
        group = group[1:]
    while group and group[-1].type in edge:
        group = group[:-1]
    return group


def receiver_text(text: _Text, source: str, call: ast.Call) -> str:
    """The receiver of ``receiver.method(...)`` with the parentheses written around it."""
    attribute, receiver = call.func, call.func.value
    before = text.text(text.start(attribute), text.start(receiver))
    opened = before.count("(")
    inner = source_segment(source, receiver) or ""
    if not opened:
        return inner
    end = text.end(receiver)
    data = text.data
    closed = 0
    while end < len(data) and closed < opened:
        char = data[end:end + 1]
        if char == b")":
            closed += 1
        elif not char.isspace():
            return inner  # (a comment between: read without its parentheses)
        end += 1
    return text.text(text.start(attribute), end)


def inside_out(text: _Text, effective: dict[int, str], value: ast.AST, written: str) -> str:
    """An argument's (or receiver's) text as a pass that rewrites calls inside-out sees it: its rewrite when
    ``effective`` (id of an ``ast`` node -> its text once rewritten) has one, else the ``written`` text with
    the rewrites of the calls inside it spliced in."""
    if id(value) in effective:
        return effective[id(value)]
    inner, stack = [], list(ast.iter_child_nodes(value))
    while stack:
        node = stack.pop()
        if id(node) in effective and hasattr(node, "lineno"):
            inner.append(node)
        else:
            stack.extend(ast.iter_child_nodes(node))
    if not inner:
        return written
    start = text.start(value)
    segment = text.text(start, text.end(value))
    prefix = written.find(segment)
    if prefix < 0:
        return written
    out = segment
    for node in sorted(inner, key=lambda n: (n.lineno, n.col_offset), reverse=True):
        first = len(text.text(start, text.start(node)))
        last = len(text.text(start, text.end(node)))
        out = out[:first] + effective[id(node)] + out[last:]
    return written[:prefix] + out + written[prefix + len(segment):]


def bind_written(text: _Text, source: str, node: ast.Call, entry: dict, effective: dict[int, str]):
    """(variant, the parameter each written argument binds, rendered text) of a table ``entry`` for the call
    ``node``, its arguments read as the pass reads them (``inside_out``); ``Unmapped`` when they fall outside
    what the entry proves.  TT1001 and TT1501 bind through here."""
    arguments = argument_texts(text, source, node)
    positional, keywords = [], {}
    for keyword, star, written, value in arguments:
        if star:
            raise Unmapped("*args/**kwargs: the arguments cannot be matched to parameters")
        if keyword is None:
            positional.append(inside_out(text, effective, value, written))
        else:
            keywords[keyword] = inside_out(text, effective, value, written)
    bound = bind(entry, positional, keywords)
    names = entry["params"]
    params = tuple(keyword if keyword is not None else names[index]
                   for index, (keyword, _star, _written, _value) in enumerate(arguments))
    variant = choose_variant(entry, bound)
    return variant, params, fill(variant["torch"], bound, entry)


def offered_method_calls(scan, lines: list[str], methods=None) -> list[ast.Call]:
    """The ``receiver.method(...)`` calls the libcst pass offers a method hook (``on_method_call``): those whose
    callee resolves through no import; of ``methods`` only (None: every method), in source order."""
    if scan.method_calls is not None:
        names = scan.method_calls if methods is None else methods
        candidates = [node for method in names for node in scan.method_calls.get(method, ())]
    else:
        candidates = [node for node in ast.walk(scan.tree) if isinstance(node, ast.Call)
                      and isinstance(node.func, ast.Attribute) and (methods is None or node.func.attr in methods)]
    resolved = {(ref.line, ref.column) for ref in scan.references if ref.is_call}
    # (a callee that is not a dotted name never resolves; a method call starts where its receiver does)
    offered = [node for node in candidates if dotted_name_ast(node.func) is None
               or (node.lineno, ast_position(lines, node)[1] - 1) not in resolved]
    return sorted(offered, key=lambda n: (n.lineno, n.col_offset))


def module_span(source: str) -> tuple[int, int, int, int]:
    """(line, column, end line, end column) where the pass reports a finding on the whole module."""
    end_line, last = source.count("\n") + 1, source.rsplit("\n", 1)[-1]
    return 1, 1, end_line, len(last) + 1


def inside_out_order(nodes) -> list:
    """``nodes`` (calls) in the order a libcst pass leaves them: an argument before its call."""
    return sorted(nodes, key=lambda n: (n.end_lineno, n.end_col_offset, -n.lineno, -n.col_offset))


def parenthesized(text: str) -> str:
    """``text`` as the pass splices it into an enclosing expression: an operation gets exactly one pair of
    parentheses (libcst's BinaryOperation, UnaryOperation, BooleanOperation, Comparison, IfExp, Lambda)."""
    try:
        body = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return text
    if isinstance(body, _WRAPPED):
        return f"({ast.get_source_segment(text.strip(), body)})"
    return text


# -- the decisions ----------------------------------------------------------------------------------


def compile_loss_calls(scan) -> set[int]:
    """``id`` of every call passed as the loss of a ``.compile(...)`` call (keyword or 2nd positional).

    A Keras loss object there belongs to the training rewrite (keras_to_torch TT2001), which reads the
    ``keras.losses`` call itself; replacing it with a torch lambda first would make that rewrite refuse.
    ``scan``: the file's ``ast`` scan (its ``method_calls`` list every ``x.compile(...)``).
    """
    found = set()
    for node in (scan.method_calls or {}).get("compile", ()):
        losses = [k.value for k in node.keywords if k.arg == "loss"] + node.args[1:2]
        found.update(id(loss) for loss in losses if isinstance(loss, ast.Call))
    return found


def binding_facts(facts) -> tuple[dict[str, list[ast.Call]], set[str]]:
    """(name -> the TF calls assigned to it, names bound some other way somewhere), read off the file's
    shared def-use facts (``migrate.facts``): a TF call is a call of a ``tensorflow*`` attribute
    (``tf.reduce_sum(...)``, resolved in its scope); a name whose object is changed in place (``x[0] = ...``,
    ``x.a = ...``) counts as bound some other way."""
    calls: dict[str, list[ast.Call]] = {}
    other: set[str] = set()
    for binding in facts.bindings:
        value = binding.value
        if binding.kind == "assign" and binding.whole and isinstance(value, ast.Call) and \
                isinstance(value.func, ast.Attribute) and (binding.callee or "").startswith("tensorflow"):
            calls.setdefault(binding.name, []).append(value)
        else:
            other.add(binding.name)
    other.update(use.name for use in facts.mutations)
    return calls, other


@dataclass
class Decider:
    """Every TT1001 match of one scanned module (``decide``)."""

    rule: object
    scan: object
    table: dict
    training: dict | None  # TT1002's facts when that rule is selected (its variables and tapes are its own)
    # the fixes the pass applies (what an enclosing call or a method's receiver reads as rewritten); lint's and
    # convert's default
    apply: frozenset = CONVERT_APPLY
    # the Keras model rules (TT2001-TT2004) are selected: they convert a Keras model whole, so the bodies of
    # Keras model and layer classes and the Keras API calls without a table entry are theirs, not TT1001's
    keras_rules: bool = False
    calls: dict[int, tuple[str, ast.Call]] = field(default_factory=dict)  # id -> (qualified, call): TF calls
    matches: dict[int, Match] = field(default_factory=dict)  # id(ast node) -> its match
    effective: dict[int, str] = field(default_factory=dict)  # id(ast node) -> its text once rewritten

    def __post_init__(self) -> None:
        self.keras_spans = keras_class_spans(self.scan) if self.keras_rules else []
        self.source = self.scan.source
        self.text = _Text(self.source)
        self.lines = self.source.splitlines()
        from migrate.facts import facts_of

        self.losses = compile_loss_calls(self.scan)
        self.bound_by, self.bound_otherwise = binding_facts(facts_of(self.scan))

    # -- the module
    def decide(self) -> list[Match] | None:
        from migrate.arguments import calls_by_position

        by_place = calls_by_position(self.scan)
        for ref in self.scan.references:
            if ref.is_call and ref.qualified.startswith("tensorflow"):
                node = by_place.get((ref.line, ref.column))
                if node is not None:
                    self.calls[id(node)] = (ref.qualified, node)
        if self.keras_rules:  # a Keras call's arguments (``layers.Lambda(lambda t: tf.reduce_mean(t, 1))``) are the
            # model rules' too: they translate the ops of a model they convert
            self.keras_spans += [(node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)
                                 for qualified, node in self.calls.values()
                                 if qualified.startswith("tensorflow.keras.") and qualified not in self.table]
        methods = offered_method_calls(self.scan, self.lines, METHODS)
        # inside-out, as the pass leaves the calls: an argument's rewrite is decided before its call's
        order = inside_out_order([*(node for _q, node in self.calls.values()), *methods])
        method_ids = {id(node) for node in methods}
        for node in order:
            if id(node) in method_ids:
                self._method(node)
            else:
                self._call(*self.calls[id(node)])
        found = list(self.matches.values())
        counted = [m for m in found if isinstance(m.payload, CallDecision) and m.payload.counted]
        if counted:
            converted = sum(1 for m in counted if m.finding(self.apply).fixed)
            line, column, end_line, end_column = module_span(self.source)  # (where the pass reports it)
            found.append(Match(self.rule, line, column, rate_message(len(counted), converted), Safety.NONE,
                               severity=Severity.INFO, end_line=end_line, end_column=end_column,
                               fixable=False, payload=RateDecision(len(counted), converted)))
        return found

    def _at(self, node, message: str, safety: Safety, **fields) -> Match:
        return match_at_node(self.rule, self.scan, node, message, safety, lines=self.lines, **fields)

    def _fixed(self, node) -> bool:
        match = self.matches.get(id(node))
        return match is not None and match.finding(self.apply).fixed

    def value_text(self, value: ast.AST, written: str) -> str:
        """An argument's (or receiver's) text as the pass sees it (``inside_out``)."""
        return inside_out(self.text, self.effective, value, written)

    def spelled(self, text: str) -> str:
        """``torch.nn.functional.x`` as the pass spells it here (``F.x``, as a rule)."""
        if "torch.nn.functional." not in text:
            return text
        alias = next((name for name, target in self.scan.bindings.items() if target == "torch.nn.functional"), None)
        if alias is None and self.scan.bindings.target("F") is None:
            alias = "F"
        return text.replace("torch.nn.functional.", alias + ".") if alias else text

    # -- TF calls
    def _call(self, qualified: str, node: ast.Call) -> None:
        if qualified == "tensorflow.function":
            arguments = argument_texts(self.text, self.source, node)
            if len(arguments) == 1 and arguments[0][0] is None and not arguments[0][1]:
                _keyword, _star, written, value = arguments[0]
                self.effective[id(node)] = self.value_text(value, written)
                self.matches[id(node)] = self._at(node, "tf.function(fn) -> fn (eager PyTorch needs no tracing)",
                                                  self.rule.safety, payload=CallDecision(qualified, counted=False, unwrap=True))
            return
        if not qualified.startswith("tensorflow.") or qualified.startswith(HANDLED_ELSEWHERE):
            return
        entry = self.table.get(qualified)
        if self.keras_rules and (entry is None and qualified.startswith("tensorflow.keras.")
                                 or _inside(self.keras_spans, node)):
            return  # (a subclassed model whose call() TT1001 had rewritten first could no longer be converted)
        params: tuple[str, ...] = ()
        try:
            if entry is None:
                raise Unmapped(f"{short_tf(qualified)} has no entry in the TF->torch table")
            if entry.get("kind") == "object" and id(node) in self.losses:
                raise Unmapped("a Keras loss object passed to compile() is translated with the model's training "
                               "code (TT2001), not as a standalone callable")
            if not proven(entry):
                raise not_proven(short_tf(qualified), entry)
            variant, params, text = bind_written(self.text, self.source, node, entry, self.effective)
        except Unmapped as exc:
            reason = str(exc)
            self.matches[id(node)] = self._at(node, unmapped_message(qualified, reason), Safety.NONE,
                                              severity=Severity.WARNING, fixable=False,
                                              payload=CallDecision(qualified, entry, reason=reason))
            return
        note, review = decision_note(entry, variant)
        safety = Safety.REVIEW if review else self.rule.safety
        self.matches[id(node)] = self._at(node, converted_message(qualified, text, note), safety,
                                          payload=CallDecision(qualified, entry, variant, params, note))
        text = parenthesized(self.spelled(text))  # (as the pass writes it: what an enclosing call's message quotes)
        if self._fixed(node):
            self.effective[id(node)] = text

    # -- tensor methods
    def _method(self, node: ast.Call) -> None:
        if _inside(self.keras_spans, node):
            return
        method = node.func.attr
        receiver = node.func.value
        training = self.training or {}
        if isinstance(receiver, ast.Name) and (receiver.id in training.get("variables", ())
                                               or receiver.id in training.get("tapes", ())):
            return  # tf.Variable and GradientTape methods belong to TT1002
        if method in TENSOR_METHODS or method in TF_ONLY:
            base = receiver
            template = TENSOR_METHODS.get(method)
        else:
            base = _shape_receiver(receiver)
            if base is None:
                return  # not ``x.shape.as_list()`` / ``x.get_shape().as_list()``: some other object's method
            template = SHAPE_METHODS[method]
        label = f".{method}()" if method not in SHAPE_METHODS else f".shape.{method}()"
        if (node.args or node.keywords) and method in (*TENSOR_METHODS, *SHAPE_METHODS):
            self._method_todo(node, method, label, f"{label} with arguments has no torch counterpart")
            return
        if template is None:
            self._method_todo(node, method, label, f"tensor method .{method}() has no torch counterpart")
            return
        unprovable = f"{label} on a value not provably a tensor made by a converted call"
        receivers = self._provable(base, node)
        if receivers is None:
            self._method_todo(node, method, label, unprovable)
            return
        self.matches[id(node)] = self._at(node, method_message(label, template), self.rule.safety,
                                          payload=MethodDecision(method, label, template, receivers=receivers))
        base_text = self.value_text(base, self._written(base, receiver, node))
        try:
            plain = isinstance(ast.parse(base_text.strip(), mode="eval").body, _PLAIN)
        except SyntaxError:
            plain = False
        self.effective[id(node)] = template.format(r=base_text if plain else f"({base_text})")

    def _written(self, base: ast.AST, receiver: ast.AST, node: ast.Call) -> str:
        """The written text (with its parentheses) of the tensor a method template splices."""
        if base is receiver:
            return receiver_text(self.text, self.source, node)
        holder = receiver.func if isinstance(receiver, ast.Call) else receiver  # ``x.get_shape`` / ``x.shape``
        return receiver_text(self.text, self.source, ast.Call(func=holder))

    def _method_todo(self, node, method, label, reason) -> None:
        self.matches[id(node)] = self._at(node, method_todo_message(reason), Safety.NONE, severity=Severity.WARNING,
                                          fixable=False, payload=MethodDecision(method, label, reason=reason))

    def _provable(self, base: ast.AST, method_call: ast.Call) -> tuple[Match, ...] | None:
        """The call matches whose fixes make ``base`` a tensor made by a converted call, or None."""
        if isinstance(base, ast.Call):
            match = self.matches.get(id(base))
            return (match,) if self._fixed(base) and isinstance(match.payload, CallDecision) \
                and not match.payload.unwrap else None
        if isinstance(base, ast.Name):
            sites = self.bound_by.get(base.id)
            if not sites or base.id in self.bound_otherwise:
                return None
            reached = (method_call.end_lineno, method_call.end_col_offset)
            found = []
            for site in sites:
                match = self.matches.get(id(site))
                if (site.end_lineno, site.end_col_offset) >= reached or not self._fixed(site) \
                        or not isinstance(match.payload, CallDecision) or match.payload.unwrap:
                    return None
                found.append(match)
            return tuple(found)
        return None


def keras_class_spans(scan) -> list[tuple[int, int, int, int]]:
    """(line, column, end line, end column) of what the Keras model rules own: the module's classes deriving
    from a Keras model or layer (their ``MODEL_BASES``/``LAYER_BASES``, read through the file's imports) and
    the training code they rewrite whole (``Result.owned``: a tape step of a converted model, its optimizer,
    compile/fit)."""
    from migrate.keras_to_torch.core import LAYER_BASES, MODEL_BASES, keras_name
    from migrate.keras_to_torch.transforms import keras_result

    result = keras_result(scan)
    spans = list(result.owned) if result is not None else []
    for statement in scan.tree.body:
        if isinstance(statement, ast.ClassDef) and any(
                keras_name(scan.bindings.qualify(dotted)) in (*MODEL_BASES, *LAYER_BASES)
                for dotted in map(dotted_name_ast, statement.bases) if dotted):
            spans.append((statement.lineno, statement.col_offset, statement.end_lineno, statement.end_col_offset))
    return spans


def _inside(spans: list[tuple[int, int, int, int]], node: ast.AST) -> bool:
    """Does ``node`` lie within one of ``spans`` (a span is not inside itself)?"""
    start, end = (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)
    return any((line, column) <= start and end <= (end_line, end_column) and (start, end) != (
        (line, column), (end_line, end_column)) for line, column, end_line, end_column in spans)


def _shape_receiver(receiver: ast.AST):
    """``x`` of ``x.shape`` or ``x.get_shape()``, else None."""
    if isinstance(receiver, ast.Attribute) and receiver.attr == "shape":
        return receiver.value
    if isinstance(receiver, ast.Call) and not receiver.args and not receiver.keywords \
            and isinstance(receiver.func, ast.Attribute) and receiver.func.attr == "get_shape":
        return receiver.func.value
    return None
