"""Module-level ``try: <graph program> finally: <cleanup>`` around a TF1 graph program.

Tutorial programs often wrap the whole graph program in ``try``/``finally`` to remove a
temporary directory (``checkpoint_dir = tempfile.mkdtemp()`` ... ``shutil.rmtree``). The
rewrite analyses the statements of the ``try`` body as if they were module-level (they
run once, in order, as module-level statements do) and puts the ``try``/``finally`` back
around what they became; the generated functions are defined before the ``try``: they
read module-level names only when called, so defining them earlier changes nothing.

Only a ``try`` with a ``finally`` and no ``except``/``else`` is unwrapped (an ``except``
would also catch the errors the rewrite's code raises differently), and only when the
``finally`` block itself uses no TensorFlow.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst


@dataclass
class TryWrap:
    start: int  # first flattened index that came from the try body
    end: int  # one past the last
    head: str  # comment/blank lines above the ``try``
    final: str  # the ``finally:`` block, as written


def _uses_tensorflow(code: str, qualify) -> bool:
    from migrate.tf2_eager.facts import dotted

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return True
    for node in ast.walk(tree):
        if isinstance(node, (ast.Name, ast.Attribute)):
            name = dotted(node)
            if name and (qualify(name) or "").startswith("tensorflow"):
                return True
    return False


def flatten(module: cst.Module, original: cst.Module, qualify):
    """``(flat module, flat original, TryWrap)`` when one top-level ``try``/``finally`` holds the graph program
    (its body uses TensorFlow), else None. The flat modules reuse the statement nodes (positions still known)."""
    def tries(mod):
        found = []
        for index, statement in enumerate(mod.body):
            if isinstance(statement, cst.Try) and _uses_tensorflow(cst.Module(body=list(statement.body.body)).code,
                                                                   qualify):
                found.append((index, statement))
        return found

    rewritten, sources = tries(module), tries(original)
    if len(rewritten) != 1 or len(sources) != 1:
        return None
    (index, statement), (source_index, source) = rewritten[0], sources[0]
    if statement.handlers or statement.orelse or statement.finalbody is None or source.handlers or source.orelse \
            or len(statement.body.body) != len(source.body.body):
        return None
    if _uses_tensorflow(cst.Module(body=list(statement.finalbody.body.body)).code, qualify):
        return None
    final = module.code_for_node(statement.finalbody)
    inner = list(statement.body.body)
    flat = module.with_changes(body=[*module.body[:index], *inner, *module.body[index + 1:]])
    flat_original = original.with_changes(body=[*original.body[:source_index], *source.body.body,
                                                *original.body[source_index + 1:]])
    head = "".join(module.code_for_node(line) for line in statement.leading_lines)
    # indexes of the statements the rewrite sees: the original's (a statement the compat rules inserted is removed)
    return flat, flat_original, TryWrap(source_index, source_index + len(inner), head, final)


def wrap(chunks: list[tuple[int | None, str]], wrap: TryWrap, indent: str = "    ") -> str:
    """Join the rewritten statements (``(flattened index, text)``; None for generated functions), the ones from
    the ``try`` body indented under ``try:`` again and followed by the ``finally`` block."""
    before, inside, after, functions = [], [], [], []
    for index, text in chunks:
        if index is None:
            functions.append(text)
        elif index < wrap.start:
            before.append(text)
        elif index < wrap.end:
            inside.append(text)
        else:
            after.append(text)
    body = "".join(inside).strip("\n")
    try:
        tree = ast.parse(body)
    except SyntaxError:
        tree = None
    if tree is not None and any(isinstance(n, ast.Constant) and isinstance(n.value, (str, bytes))
                                and n.end_lineno > n.lineno for n in ast.walk(tree)):
        raise ValueError("a string spanning lines in the try body (indenting would change it)")
    lines = [(indent + line if line.strip() else line) for line in (body + "\n").splitlines(keepends=True)]
    if not body.strip():
        lines = [indent + "pass\n"]
    code = "".join(before)
    if functions:
        code += "".join(functions) + "\n\n"
    code += wrap.head + "try:\n" + "".join(lines) + wrap.final
    if not code.endswith("\n"):
        code += "\n"
    return code + "".join(after)
