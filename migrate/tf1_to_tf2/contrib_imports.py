"""TF2105: a ``tensorflow.contrib`` import that nothing uses once its names were converted is removed.

TF2102/TF2103 rewrite ``contrib_layers.xavier_initializer()`` and friends, but
``from tensorflow.contrib import layers as contrib_layers`` would still raise
ImportError on TF2.  After the pass, every module-level import of a
``tensorflow.contrib`` module whose bound name is no longer used anywhere in the
rewritten file loses that name (the statement goes when none is left), and the
TF2101 error reported on it is withdrawn.  A contrib name still in use keeps its
import and its error.

Whether a name is still used depends on what the other rules rewrite, so the
pass decides on its own result (``finish``, ``unit_finish_text``).  ``match``
tells ``lint`` the same without the pass: it reads the uses of each bound name
off the ``ast`` and removes those the other rules' matches replace (the fixable
renames of the rule set's tables, TF2102 among them, and TF2103's conversions),
adding the names their replacements bring in.
"""
from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass

from migrate.lazycst import cst
from migrate.model import Safety
from migrate.plugin import CustomTransform, Match, register
from migrate.resolve import dotted_name_ast, first_line, line_groups

_CONVERT_APPLY = frozenset({Safety.SAFE, Safety.REVIEW})  # what convert applies by default (lint reports that)


def _is_contrib(module: str) -> bool:
    return module == "tensorflow.contrib" or module.startswith("tensorflow.contrib.")


def _bound_contrib(small: cst.BaseSmallStatement) -> list[tuple[cst.ImportAlias, str]] | None:
    """(alias, local name) for each contrib name an import binds; None when it is not such an import."""
    from migrate.cstutil import dotted_name

    if isinstance(small, cst.Import):
        found = []
        for alias in small.names:
            name = dotted_name(alias.name) or ""
            if _is_contrib(name):
                if alias.asname is None:
                    return None  # ``import tensorflow.contrib.x`` binds ``tensorflow``: still used by other code
                found.append((alias, alias.asname.name.value))
        return found or None
    if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
        module = dotted_name(small.module) or ""
        if not (_is_contrib(module) or module == "tensorflow") or isinstance(small.names, cst.ImportStar):
            return None
        found = []
        for alias in small.names:
            name = dotted_name(alias.name) or ""
            if _is_contrib(f"{module}.{name}"):
                found.append((alias, alias.asname.name.value if alias.asname else name))
        return found or None
    return None


@register("TF2105")
class UnusedContribImport(CustomTransform):
    def applies(self, scan) -> bool:
        return any(_is_contrib(q) for q, *_ in scan.imports)

    def finish(self, ctx, module: cst.Module) -> cst.Module:
        if not ctx.may_fix(self.rule):
            return module
        used = _used_names(module.code)  # (the units pass reads the names off its rewritten text the same way)
        if used is None:
            return module
        body = list(module.body)
        changed = False
        for index, statement in enumerate(body):
            if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
                continue
            small = statement.body[0]
            bound = _bound_contrib(small)
            if not bound:
                continue
            unused = [alias for alias, local in bound if local not in used]
            if not unused:
                continue
            original = self._original_line(ctx, module, statement)
            keep = [a for a in small.names if all(a is not u for u in unused)]
            if keep:
                keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                new_small = small.with_changes(names=keep)
                body[index] = statement.with_changes(body=[new_small])
            else:
                body[index] = None  # type: ignore[call-overload]
            changed = True
            removed = ", ".join(sorted(local for alias, local in bound if alias in unused))
            if original is not None:
                line = ctx._position_of(original).start.line
                ctx.findings[:] = [f for f in ctx.findings if not (f.code.startswith("TF2101") and f.line == line)]
                ctx.report(self.rule, original, self.rule.message.format(names=removed), fixed=True)
        if not changed:
            return module
        kept = [s for s in body if s is not None]
        if not kept:
            kept = [cst.SimpleStatementLine(body=[cst.Pass()])]
        return module.with_changes(body=kept)

    @staticmethod
    def _original_line(ctx, module: cst.Module, statement: cst.SimpleStatementLine):
        code = module.code_for_node(statement)
        for candidate in ctx.original_module.body:
            if isinstance(candidate, cst.SimpleStatementLine) and ctx.original_module.code_for_node(candidate) == code:
                return candidate
        return None

    # -- the units pass (engine._transform_units): no libcst; the same decisions on the ``ast``
    def sites(self, scan):
        return ()  # nothing to parse: the imports are removed as text once the rest is rewritten

    def unit_finish(self, ctx, tree):
        return []

    def unit_finish_text(self, ctx, tree, rewritten: str):
        """Module-level contrib imports, each alone on its lines, whose every bound name is unused in the
        rewritten text: deleted with the blank and comment lines above them (libcst's ``leading_lines``).
        None (the whole-module pass) where the text way could differ: a statement that keeps some of its
        names, one that comes first in the file or after a compound statement, one without a newline."""
        if not ctx.may_fix(self.rule):
            return []
        groups: list[list[ast.stmt]] = []  # statements sharing a line (``a; b``) are one libcst line
        for statement in tree.body:
            if groups and statement.lineno <= groups[-1][-1].end_lineno:
                groups[-1].append(statement)
            else:
                groups.append([statement])
        candidates = []
        for index, group in enumerate(groups):
            bound = _bound_contrib_ast(group[0]) if len(group) == 1 else None
            if bound:
                candidates.append((group[0], bound, groups[index - 1][-1] if index else None))
        if not candidates:
            return []
        used = _used_names(rewritten)
        if used is None:
            return None
        lines = ctx.source.splitlines(keepends=True)
        ranges = []
        for statement, bound, before in candidates:
            unused = [local for local in bound if local not in used]
            if not unused:
                continue
            if len(unused) != len(bound) or before is None or isinstance(before, _COMPOUND) \
                    or not lines[statement.end_lineno - 1].endswith("\n"):
                return None
            first = before.end_lineno + 1
            if any(line.strip() and not line.lstrip().startswith("#") for line in lines[first - 1:statement.lineno - 1]):
                return None
            line = statement.lineno
            ctx.findings[:] = [f for f in ctx.findings if not (f.code.startswith("TF2101") and f.line == line)]
            ctx.report_at(self.rule, line, statement.col_offset, self.rule.message.format(names=", ".join(sorted(unused))),
                          fixed=True)
            ranges.append((first, statement.end_lineno))
        return ranges


    # -- lint: the same decision read off the ast and the other rules' matches
    def match(self, scan) -> "list[Match] | None":
        """TF2105 where the pass would remove an import (convert's default fixes applied); None: lint asks the pass.

        A statement the pass rewrites itself (a ``from`` import of which a fixable rename moves a name) is
        never reported by the pass (``_original_line`` finds no such line), so it is not matched either.
        """
        ruleset = getattr(self, "ruleset", None)
        if ruleset is None or scan.tree is None:
            return None
        candidates = []
        for group in line_groups(scan.tree.body):
            statement = group[0]
            bound = _bound_contrib_ast(statement) if len(group) == 1 else None
            if not bound:
                continue
            if isinstance(statement, ast.ImportFrom) and any(
                    _fixable(ruleset.renames.get(f"{statement.module}.{alias.name}")) for alias in statement.names):
                continue
            candidates.append((statement, bound))
        if not candidates:
            return []
        from migrate.plugin import ast_position

        lines = scan.source.splitlines()
        wanted = {local for _statement, bound in candidates for local in bound}
        survivors, introduced = _after_rewrite(scan, ruleset, self.siblings, wanted)
        found = []
        for statement, bound in candidates:
            unused = [local for local in bound if local not in survivors and local not in introduced]
            if not unused:
                continue
            # the TF2101 errors on the statement's first line go with it (its names' places, as lint reports them)
            withdrawn = tuple(("TF2101", alias.lineno, ast_position(lines, alias)[1]) for alias in statement.names
                              if alias.lineno == statement.lineno) if isinstance(statement, ast.ImportFrom) else ()
            found.append(ImportMatch(self.rule, statement.lineno, statement.col_offset + 1,
                                     self.rule.message.format(names=", ".join(sorted(unused))), self.rule.safety,
                                     end_line=statement.end_lineno, withdraws=withdrawn))
        return found


@dataclass(frozen=True)
class ImportMatch(Match):
    """TF2105's match: removing the import withdraws the TF2101 errors reported on its first line."""

    withdraws: tuple[tuple[str, int, int], ...] = ()

    def superseded(self, apply: frozenset) -> set[tuple[str, int, int]]:
        """(code, line, column) of the findings that go when this match's fix is applied."""
        return set(self.withdraws) if self.finding(apply).fixed else set()


def _fixable(entry) -> bool:
    return entry is not None and entry[1].safety is not Safety.NONE and entry[1].safety in _CONVERT_APPLY


def _walk(tree: ast.AST, wanted: set[str], hot: list[int]) -> tuple[list[tuple[str, int | None, int | None]],
                                                                     list[ast.Attribute]]:
    """One walk outside import statements: (name, line, byte column) of every identifier in ``wanted``, as
    ``_used_names`` reads them (the column where the identifier itself starts), and the outermost dotted
    names (``Attribute`` chains on a ``Name``), which a rename may replace.  Only statements holding one of
    the ``hot`` lines (sorted) are walked."""
    found: list[tuple[str, int | None, int | None]] = []
    chains: list[ast.Attribute] = []
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, inner = stack.pop()
        if isinstance(node, ast.stmt):
            index = bisect.bisect_left(hot, first_line(node))
            if index == len(hot) or hot[index] > node.end_lineno:
                continue
        if isinstance(node, ast.Attribute):
            if node.attr in wanted:
                found.append((node.attr, node.end_lineno, node.end_col_offset - len(node.attr.encode("utf-8"))))
            if not inner:
                root = node.value
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name):
                    chains.append(node)
            stack.append((node.value, True))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        stack.extend((child, False) for child in ast.iter_child_nodes(node))
        if isinstance(node, ast.Name):
            if node.id in wanted:
                found.append((node.id, node.lineno, node.col_offset))
        elif isinstance(node, (ast.arg, ast.keyword)):
            if node.arg in wanted:
                found.append((node.arg, node.lineno, node.col_offset))
        else:
            names = []
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                names = node.names
            elif isinstance(node, ast.ExceptHandler) and node.name:
                names = [node.name]
            elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
                names = [node.name]
            elif isinstance(node, ast.MatchMapping) and node.rest:
                names = [node.rest]
            elif isinstance(node, ast.MatchClass):
                names = node.kwd_attrs
            found.extend((name, None, None) for name in names if name in wanted)  # never inside a replaced expression
    return found, chains


def _span(node: ast.AST) -> tuple[tuple[int, int], tuple[int, int]]:
    return (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)


def _after_rewrite(scan, ruleset, siblings, wanted: set[str]) -> tuple[set[str], set[str]]:
    """(names of ``wanted`` some use of which the rewrite keeps, every name the rewrite brings in).

    Replaced: the part of a dotted name a fixable rename replaces (the longest renamed prefix, as
    ``lint._Checker`` and the pass find it), and what TF2103 replaces of a call it converts (the callee,
    the arguments the conversion does not use, the keywords it renames).  Other rules' edits never
    touch a name bound to a contrib module.
    """
    from migrate.plugin import ast_position, may_rebind, rebind_dotted, rebound_targets
    from migrate.tf1_to_tf2.contrib_calls import Conversion, _arguments, _bind, _Param

    lines = scan.source.splitlines()
    rebound = rebound_targets(scan, siblings)  # (TF2007 re-points the compat.v1 alias to tensorflow)

    # only statements that may matter are walked: those where a wanted name is written, and those where a
    # rename may bring one in
    text = scan.source.replace("\r\n", "\n").replace("\r", "\n")  # (the line breaks ast counts)
    breaks = [m.start() for m in re.finditer("\n", text)]
    hot = {bisect.bisect_left(breaks, m.start()) + 1
           for m in re.finditer(r"\b(?:%s)\b" % "|".join(map(re.escape, sorted(wanted))), text)}
    for ref in scan.references:
        parts = may_rebind(ref.qualified, rebound).split(".")  # (where to look: a superset is fine)
        for end in range(len(parts), 1, -1):
            renamed = ruleset.renames.get(".".join(parts[:end]))
            if renamed is not None and wanted & set(renamed[0].split(".")):
                hot.update(range(ref.line, (ref.end_line or ref.line) + 1))
    occurrences, outermost = _walk(scan.tree, wanted, sorted(hot))
    chains = {(node.lineno, ast_position(lines, node)[1] - 1): node for node in outermost}
    replaced: list[tuple[tuple[int, int], tuple[int, int]]] = []
    introduced: set[str] = set()
    for ref in scan.references:
        node = chains.get((ref.line, ref.column))
        if node is None:
            continue
        parts = rebind_dotted(ref.qualified, dotted_name_ast(node), rebound).split(".")
        current, depth = node, 0
        while isinstance(current, ast.Attribute) and depth < len(parts) - 1:
            renamed = ruleset.renames.get(".".join(parts[:len(parts) - depth]))
            if renamed is not None:
                if _fixable(renamed):
                    replaced.append(((node.lineno, node.col_offset), (current.end_lineno, current.end_col_offset)))
                    introduced.update(renamed[0].split("."))
                break
            current, depth = current.value, depth + 1
    conversions = next((s for s in siblings if s.code == "TF2103"), None)
    if conversions is not None and conversions.applies(scan):
        from migrate.arguments import calls_by_position

        calls = calls_by_position(scan)
        for match in conversions.matches(scan) or ():
            conversion = match.payload
            if not isinstance(conversion, Conversion) or not match.finding(_CONVERT_APPLY).fixed:
                continue
            call = calls[(match.line, match.column - 1)]
            replaced.append(_span(call.func))
            introduced.update(conversion.target.split("."))
            arguments = _arguments(call)
            keywords = {id(k.value): k for k in call.keywords}

            def keyword_name(value: ast.AST) -> tuple[tuple[int, int], tuple[int, int]]:
                node = keywords[id(value)]
                return (node.lineno, node.col_offset), (value.lineno, value.col_offset)

            if conversion.name == "load_variable":  # (``calls.move_call``: checkpoint_dir= is renamed)
                replaced.extend(keyword_name(value) for _star, keyword, value in arguments if keyword == "checkpoint_dir")
                introduced.add("ckpt_dir_or_file")
                continue
            bound = _bind(conversion.name, [(star, keyword) for star, keyword, _ in arguments])
            used = {piece.name for _keyword, pieces in conversion.keywords for piece in pieces
                    if isinstance(piece, _Param)}
            for param, index in bound.items():
                _star, keyword, value = arguments[index]
                if param not in used:  # dropped, keyword and all
                    replaced.append(_span(keywords[id(value)]) if keyword else _span(value))
                elif keyword:  # the value stays under the conversion's keyword
                    replaced.append(keyword_name(value))
            for keyword, pieces in conversion.keywords:
                introduced.add(keyword)
                text = "".join("None" if isinstance(piece, _Param) else piece for piece in pieces)
                introduced.update(n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(ast.parse(text))
                                  if isinstance(n, (ast.Name, ast.Attribute)))
    survivors = set()
    for name, line, column in occurrences:
        if line is None or not any(start <= (line, column) < end for start, end in replaced):
            survivors.add(name)
    return survivors, introduced


_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While, ast.With,
             ast.AsyncWith, ast.Try, ast.Match) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


def _bound_contrib_ast(statement) -> list[str] | None:
    """The ``ast`` reading of ``_bound_contrib``: local names a contrib import binds, or None."""
    if isinstance(statement, ast.Import):
        found = []
        for alias in statement.names:
            if _is_contrib(alias.name):
                if alias.asname is None:
                    return None
                found.append(alias.asname)
        return found or None
    if isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
        module = statement.module
        if not (_is_contrib(module) or module == "tensorflow") or any(a.name == "*" for a in statement.names):
            return None
        found = [alias.asname or alias.name for alias in statement.names if _is_contrib(f"{module}.{alias.name}")]
        return found or None
    return None


def _used_names(text: str) -> set[str] | None:
    """Every identifier libcst holds as a ``Name`` outside import statements, read off the ``ast`` of ``text``."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.keyword) and node.arg:
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        elif isinstance(node, ast.MatchClass):
            names.update(node.kwd_attrs)
    return names
