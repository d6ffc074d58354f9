"""Per-file analysis facts: computed once per file from the resolver's ``ast`` scan, typed, shared by the rules.

``facts_of(scan)`` builds a ``FileFacts`` the first time a rule asks for it and keeps it on the scan
(``scan.matches["<file facts>"]``, the scan's per-file cache), so every rule of a run reads the same
object and nothing parses or walks the file a second time for it (``facts_for(ctx)`` in an engine pass).
It holds:

* **def-use**: every binding of a name (``Binding``: name, scope, place, kind, the value's ``ast`` node and
  the qualified name of the callee that made it), every read (``Use``) and every in-place change of a
  name's object (``x[i] = ...``, ``x.a = ...``: ``mutations``), for module, class, function, lambda and
  comprehension scopes.  A read records the scope whose binding it sees (innermost function binding the
  name - ``global``/``nonlocal`` followed - else the module).
* **roles**: what a binding holds (``Role``: SESSION, GRAPH, PLACEHOLDER, VARIABLE, ITERATOR, DATASET, LOSS,
  LOSS_FN, OPTIMIZER, MODEL, TRAIN_OP, INIT_OP, TAPE), decided from the qualified callee that made it
  (``ROLE_CALLEES``, data: glob patterns over canonical ``tensorflow.X`` / ``torch.X`` names) and one level
  of flow: a method of a role-holding name (``ds.batch(32)`` is a DATASET, ``opt.minimize(loss)`` a
  TRAIN_OP, ``ds.make_one_shot_iterator()`` an ITERATOR: ``ROLE_METHODS``), a call of a role-holding name
  (``criterion(y, t)`` with ``criterion`` a LOSS_FN is a LOSS; an instance of a class of the file deriving
  from a model base is a MODEL), and a value passed where a loss goes (``opt.minimize(loss)``,
  ``tape.gradient(loss, ...)``, ``tf.gradients(loss, ...)``, ``loss.backward()``: ``LOSS_SINKS``) is a LOSS.
  ``roles`` is the module-level view: a name rebound to different roles has none there (``role_of``,
  ``reaching`` give each binding's).
* **statements**: each top-level statement (``TopStatement``) with the scan's references inside it, whether
  it builds a TensorFlow graph (calls a ``tensorflow`` API, or binds names from values built above, on
  import) and whether it runs one (opens a Session, ``sess.run``/``op.run()``, ``X.eval()`` in a file with
  a Session, a ``with <Session>`` block); the main guard; what runs on import.
* **stores**: how often each module-level name is bound (``count_stores``, the eager rewrite's count).

Readers: TT1001's tensor-method receivers (``tf_to_torch/decide.binding_facts``), TT1002's training
facts (``tf_to_torch/training._facts``); TF2301/TF2302 (``tf1_to_tf2/graph_mode``) read only the top-level
statements (``top_statements``: no def-use walk, which would cost `lint --to tf2-compat` ~15% on a 450-file tree);
the eager rewrite shares ``names_read``/``count_stores`` (it analyses the compat output, not this scan).

Cheap: one walk over the scan's tree, no libcst, no TensorFlow, no torch; nothing is built unless a rule asks.
``python -m migrate.facts FILE`` prints a file's facts.
"""
from __future__ import annotations

import ast
import bisect
import fnmatch
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from migrate.resolve import (
    Reference,
    Scan,
    canonical,
    dotted_name_ast,
    first_line,
    function_scope_ast,
)

MODULE = ""  # the scope name of module level


class Role(Enum):
    SESSION = "session"
    GRAPH = "graph"
    PLACEHOLDER = "placeholder"
    VARIABLE = "variable"
    ITERATOR = "iterator"
    DATASET = "dataset"
    LOSS = "loss"  # a loss value
    LOSS_FN = "loss function"  # an object that computes a loss when called
    OPTIMIZER = "optimizer"
    MODEL = "model"
    TRAIN_OP = "train op"
    INIT_OP = "initializer op"
    TAPE = "gradient tape"


# Role <- the canonical qualified name of the callee that made the value (glob patterns; first match wins,
# in this order).  TF1 names are spelled ``tensorflow.X`` (``tensorflow.compat.v1.X`` is read as that).
ROLE_CALLEES: tuple[tuple[Role, tuple[str, ...]], ...] = (
    (Role.SESSION, ("tensorflow.Session", "tensorflow.InteractiveSession", "tensorflow.train.MonitoredSession",
                    "tensorflow.train.MonitoredTrainingSession", "tensorflow.train.SingularMonitoredSession")),
    (Role.GRAPH, ("tensorflow.Graph", "tensorflow.get_default_graph")),
    (Role.PLACEHOLDER, ("tensorflow.placeholder", "tensorflow.placeholder_with_default",
                        "tensorflow.sparse_placeholder", "tensorflow.sparse.placeholder")),
    (Role.VARIABLE, ("tensorflow.Variable", "tensorflow.get_variable", "tensorflow.get_local_variable",
                     "torch.nn.Parameter", "torch.nn.parameter.Parameter")),
    (Role.ITERATOR, ("tensorflow.data.make_one_shot_iterator", "tensorflow.data.make_initializable_iterator",
                     "tensorflow.data.Iterator.from_structure", "tensorflow.data.Iterator.from_string_handle")),
    (Role.DATASET, ("tensorflow.data.Dataset.*", "tensorflow.data.TFRecordDataset", "tensorflow.data.TextLineDataset",
                    "tensorflow.data.FixedLengthRecordDataset", "tensorflow.data.experimental.make_csv_dataset",
                    "torch.utils.data.DataLoader", "torch.utils.data.TensorDataset")),
    (Role.INIT_OP, ("tensorflow.global_variables_initializer", "tensorflow.initialize_all_variables",
                    "tensorflow.local_variables_initializer", "tensorflow.initialize_local_variables",
                    "tensorflow.variables_initializer", "tensorflow.tables_initializer")),
    (Role.TAPE, ("tensorflow.GradientTape",)),
    (Role.OPTIMIZER, ("tensorflow.train.*Optimizer", "tensorflow.keras.optimizers.[A-Z]*",
                      "tensorflow.optimizers.[A-Z]*", "keras.optimizers.[A-Z]*", "tf_keras.optimizers.[A-Z]*",
                      "torch.optim.[A-Z]*")),
    (Role.LOSS_FN, ("tensorflow.keras.losses.[A-Z]*", "keras.losses.[A-Z]*", "tf_keras.losses.[A-Z]*",
                    "torch.nn.*Loss")),
    (Role.LOSS, ("tensorflow.losses.*", "tensorflow.nn.*cross_entropy*", "tensorflow.nn.l2_loss",
                 "tensorflow.nn.nce_loss", "tensorflow.nn.sampled_softmax_loss", "tensorflow.keras.losses.[a-z]*",
                 "torch.nn.functional.*_loss", "torch.nn.functional.*cross_entropy", "torch.nn.functional.nll_loss")),
    (Role.MODEL, ("tensorflow.keras.Sequential", "tensorflow.keras.Model", "tensorflow.keras.models.Sequential",
                  "tensorflow.keras.models.Model", "tensorflow.keras.models.load_model", "keras.Sequential",
                  "keras.Model", "keras.models.Sequential", "keras.models.Model", "keras.models.load_model",
                  "tf_keras.Sequential", "tf_keras.Model", "torch.nn.Sequential")),
)
# a class of the file deriving from one of these makes MODEL instances
MODEL_BASES = ("tensorflow.keras.Model", "tensorflow.keras.models.Model", "keras.Model", "keras.models.Model",
               "tf_keras.Model", "torch.nn.Module")
# receiver role -> method -> role of its result (one level of flow)
ROLE_METHODS: dict[Role, dict[str, Role]] = {
    Role.DATASET: {**{m: Role.DATASET for m in (
        "batch", "shuffle", "map", "repeat", "prefetch", "filter", "take", "skip", "cache", "padded_batch",
        "flat_map", "interleave", "unbatch", "apply", "concatenate", "zip", "enumerate", "with_options")},
        "make_one_shot_iterator": Role.ITERATOR, "make_initializable_iterator": Role.ITERATOR},
    Role.OPTIMIZER: {"minimize": Role.TRAIN_OP, "apply_gradients": Role.TRAIN_OP},
    Role.GRAPH: {"as_default": Role.GRAPH},
}
# calls whose argument is a loss: (receiver role or None for a function, method/function, argument index)
LOSS_SINKS: tuple[tuple[Role | None, str, int], ...] = (
    (Role.OPTIMIZER, "minimize", 0), (Role.OPTIMIZER, "compute_gradients", 0), (Role.TAPE, "gradient", 0),
    (None, "tensorflow.gradients", 0),
)
# method calls that run a graph: ``sess.run(...)`` on a Session; ``X.eval()``/``op.run()`` in a Session
RUN_METHODS = ("run", "eval")
_SINK_NAMES = frozenset({name.rsplit(".", 1)[-1] for _, name, _ in LOSS_SINKS} | {"backward"})


@functools.lru_cache(maxsize=8192)
def role_of_callee(qualified: str | None) -> Role | None:
    """The role of what a call of ``qualified`` returns, from ``ROLE_CALLEES``."""
    name = canonical(qualified)
    if not name:
        return None
    for role, patterns in ROLE_CALLEES:
        for pattern in patterns:
            if name == pattern or (("*" in pattern or "[" in pattern) and fnmatch.fnmatchcase(name, pattern)):
                return role
    return None


# ---------------------------------------------------------------------------
# the records


@dataclass(frozen=True, slots=True)
class Binding:
    """One place a name is bound.

    ``kind``: assign, augassign, annassign, for, comprehension, with, walrus, param, def, class, import,
    except, match, del.  ``whole``: the name is the whole target of its statement (``x = v``, ``with v as x``,
    ``x := v``), so ``value`` is what it holds; ``callee``: the qualified name of ``value``'s callee when
    ``value`` is a call of a resolved name (the import's qualified module for an import).
    """

    name: str
    scope: str  # MODULE, or the dotted path of the function/class/lambda/comprehension (``f``, ``C.m``)
    line: int
    column: int  # 0-based, as ``ast`` counts (UTF-8 bytes)
    kind: str
    statement: int  # index of the top-level statement holding it
    node: ast.AST = field(repr=False, compare=False)  # the binding statement / argument / handler
    value: ast.expr | None = field(default=None, repr=False, compare=False)
    whole: bool = False
    callee: str | None = None
    role: Role | None = None


@dataclass(frozen=True, slots=True)
class Use:
    """A read of a name (``Load``), or an in-place change of its object (``mutations``: ``x[i] = v``)."""

    name: str
    scope: str  # the scope whose binding it reads: innermost function binding the name, else MODULE
    where: str  # the scope the read is written in
    line: int
    column: int
    statement: int


@dataclass(frozen=True, slots=True)
class TopStatement:
    """One module-level statement and what it does with a graph."""

    index: int
    node: ast.stmt = field(repr=False, compare=False)
    first_line: int  # decorators included
    last_line: int
    references: tuple[Reference, ...] = field(repr=False, compare=False)  # the scan's references inside it
    is_definition: bool = False  # def / class: its body runs later, not on import
    is_main_guard: bool = False  # ``if __name__ == "__main__":``
    builds: bool = False  # calls a tensorflow API on import (not in a def/class/main guard)
    runs: bool = False  # runs a graph: ``sess.run``, ``X.eval()``, opens a Session, ``with <Session>``


@dataclass(slots=True)
class FileFacts:
    bindings: tuple[Binding, ...]
    uses: tuple[Use, ...]
    mutations: tuple[Use, ...]
    statements: tuple[TopStatement, ...]
    module: ast.Module = field(repr=False)
    scope_parents: dict[str, str | None] = field(repr=False)  # scope -> enclosing scope (MODULE -> None)
    _by_name: dict[str, list[Binding]] = field(default_factory=dict, repr=False)
    _stores: dict[str, int] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for binding in self.bindings:
            self._by_name.setdefault(binding.name, []).append(binding)

    @property
    def stores(self) -> dict[str, int]:
        """Module-level name -> times the top-level statements bind it (``count_stores``; computed when asked)."""
        if self._stores is None:
            self._stores = count_stores(self.module.body)
        return self._stores

    # -- def-use
    def bindings_of(self, name: str, scope: str | None = None) -> list[Binding]:
        """The bindings of ``name`` (in ``scope`` only, when given), in source order."""
        found = self._by_name.get(name, [])
        return [b for b in found if scope is None or b.scope == scope]

    def uses_of(self, name: str, scope: str | None = None) -> list[Use]:
        return [u for u in self.uses if u.name == name and (scope is None or u.scope == scope)]

    def reaching(self, name: str, line: int, scope: str = MODULE) -> Binding | None:
        """The binding of ``name`` in ``scope`` a straight-line reading sees at ``line`` (the last one written
        above it; for a function reading a module name, the module's last binding)."""
        found = self.bindings_of(name, scope)
        before = [b for b in found if b.line <= line and b.kind != "del"]
        if before:
            return before[-1]
        return found[-1] if found and scope == MODULE and found[-1].kind != "del" else None

    # -- roles
    def role_of(self, name: str, scope: str = MODULE) -> Role | None:
        """The role of ``name`` in ``scope`` when every binding of it there holds that role, else None."""
        roles = {b.role for b in self.bindings_of(name, scope) if b.kind != "del"}
        return roles.pop() if len(roles) == 1 else None

    @property
    def roles(self) -> dict[str, Role]:
        """Module-level names -> the role all their module-level bindings hold."""
        names = {b.name for b in self.bindings if b.scope == MODULE}
        return {name: role for name in sorted(names) if (role := self.role_of(name)) is not None}

    def names_with_role(self, role: Role, scope: str | None = MODULE) -> set[str]:
        """Names some binding of which (in ``scope``; any scope when None) holds ``role``."""
        return {b.name for b in self.bindings if b.role is role and (scope is None or b.scope == scope)}

    # -- statements
    def statement_at(self, line: int) -> TopStatement | None:
        starts = [s.first_line for s in self.statements]
        index = bisect.bisect_right(starts, line) - 1
        if index >= 0 and self.statements[index].first_line <= line <= self.statements[index].last_line:
            return self.statements[index]
        return None

    @property
    def main_guard(self) -> TopStatement | None:
        return main_guard(self.statements)

    def on_import(self) -> list[TopStatement]:
        """The statements whose code runs when the module is imported (not defs/classes, not the main guard)."""
        return on_import(self.statements)

    @property
    def builds(self) -> tuple[int, ...]:
        return tuple(s.index for s in self.statements if s.builds)

    @property
    def runs(self) -> tuple[int, ...]:
        return tuple(s.index for s in self.statements if s.runs)


# ---------------------------------------------------------------------------
# shared helpers (the eager rewrite reads them on its own statement trees)


def names_read(node: ast.AST) -> set[str]:
    """Free names a piece of code reads (names bound inside comprehensions/lambdas are left out)."""
    bound: set[str] = set()
    read: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            if isinstance(sub.ctx, ast.Load):
                read.add(sub.id)
            else:
                bound.add(sub.id)
        elif isinstance(sub, ast.arg):
            bound.add(sub.arg)
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        return read
    return read - bound


def count_stores(statements: Iterable[ast.stmt]) -> dict[str, int]:
    """Module-level name -> how many times the top-level ``statements`` bind it (a def/class once; a name
    stored into - ``x[0] = ...``, ``x.a = ...`` - counts twice: its object changes; nothing inside a nested
    function or lambda counts, nor what follows one in the same statement's walk)."""
    stores: dict[str, int] = {}
    for stmt in statements:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stores[stmt.name] = stores.get(stmt.name, 0) + 1
            continue
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Name) and not isinstance(sub.ctx, ast.Load):
                stores[sub.id] = stores.get(sub.id, 0) + 1
            elif isinstance(sub, (ast.Subscript, ast.Attribute)) and isinstance(sub.ctx, ast.Store):
                root = sub.value
                while isinstance(root, (ast.Subscript, ast.Attribute)):
                    root = root.value
                if isinstance(root, ast.Name):  # x[0] = ..., x.attr = ...: the object changes
                    stores[root.id] = stores.get(root.id, 0) + 2
            elif isinstance(sub, (ast.FunctionDef, ast.Lambda, ast.AsyncFunctionDef)):
                break
    return stores


def is_main_guard(node: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` (either side)."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare) or len(node.test.comparators) != 1:
        return False
    sides = [node.test.left, node.test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    consts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return isinstance(node.test.ops[0], ast.Eq) and len(names) == 1 and len(consts) == 1


# ---------------------------------------------------------------------------
# building


BUILD_COUNT = 0  # FileFacts built in this process (tests check that a run builds one per file)
_KEY = "<file facts>"


_STATEMENTS_KEY = "<top statements>"


def top_statements(scan: Scan) -> tuple[TopStatement, ...]:
    """The file's top-level statements, each with the scan's references inside it, the main guard marked:
    what a rule that only places code needs (TF2301/TF2302), without the def-use walk of ``facts_of``, whose
    ``statements`` are these with ``builds``/``runs`` decided.  Kept on the scan."""
    found = scan.matches.get(_STATEMENTS_KEY)
    if found is None:
        if scan.tree is None:
            raise ValueError("top_statements needs a scan made with its tree (resolve.scan_source)")
        statements = []
        guard_seen = False
        references = sorted(scan.references, key=lambda r: r.line)
        ref_lines = [r.line for r in references]
        for index, stmt in enumerate(scan.tree.body):
            first, last = first_line(stmt), stmt.end_lineno or stmt.lineno
            refs = tuple(references[bisect.bisect_left(ref_lines, first):bisect.bisect_right(ref_lines, last)])
            guard = not guard_seen and is_main_guard(stmt)
            guard_seen = guard_seen or guard
            statements.append(TopStatement(index, stmt, first, last, refs,
                                           isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)),
                                           guard))
        found = scan.matches[_STATEMENTS_KEY] = tuple(statements)
    return found  # type: ignore[return-value]


def main_guard(statements: Iterable[TopStatement]) -> TopStatement | None:
    """The first ``if __name__ == "__main__":`` among the top-level statements."""
    return next((s for s in statements if s.is_main_guard), None)


def on_import(statements: Iterable[TopStatement]) -> list[TopStatement]:
    """The statements whose code runs when the module is imported (not defs/classes, not the main guard)."""
    return [s for s in statements if not s.is_definition and not s.is_main_guard]


def facts_of(scan: Scan) -> FileFacts:
    """The file's facts, built on the first call and kept on the scan."""
    facts = scan.matches.get(_KEY)
    if facts is None:
        if scan.tree is None:
            raise ValueError("facts_of needs a scan made with its tree (resolve.scan_source)")
        facts = scan.matches[_KEY] = _Builder(scan).build()
    return facts  # type: ignore[return-value]


def scan_for(ctx) -> Scan:
    """The ``ast`` scan of the text an engine pass rewrites: the pass's own, else one made once for it."""
    scan = ctx.scan
    if scan is not None and scan.tree is not None and scan.source == ctx.source:
        return scan
    made = ctx.facts.get("<facts scan>")
    if made is None or made.source != ctx.source:
        from migrate.resolve import scan_source

        made = ctx.facts["<facts scan>"] = scan_source(ctx.source)
    return made


def facts_for(ctx) -> FileFacts:
    """The facts of the file an engine pass rewrites (``facts_of`` its scan)."""
    return facts_of(scan_for(ctx))


class _Scope:
    __slots__ = ("globals", "kind", "locals", "name", "parent")

    def __init__(self, name: str, kind: str, local: set[str] | None, parent: _Scope | None,
                 declared_global: frozenset[str] = frozenset()) -> None:
        self.name, self.kind, self.locals, self.parent = name, kind, local, parent
        self.globals = declared_global  # names a ``global``/``nonlocal`` statement hands outwards

    def child(self, part: str) -> str:
        return part if self.name == MODULE else f"{self.name}.{part}"


class _Builder:
    def __init__(self, scan: Scan) -> None:
        global BUILD_COUNT
        BUILD_COUNT += 1
        self.scan = scan
        self.tree = scan.tree
        self.walrus = ":=" in (scan.source or "")
        self.bindings: list[Binding] = []
        self.uses: list[Use] = []
        self.mutations: list[Use] = []
        self.parents: dict[str, str | None] = {MODULE: None}
        self.module = _Scope(MODULE, "module", None, None)
        self.statement = 0
        self.class_bases: dict[str, list[str]] = {}  # module-level class -> qualified bases
        self.sink_calls: list[tuple[ast.Call, _Scope]] = []  # calls that may take a loss (``LOSS_SINKS``)
        self.run_calls: dict[int, list[ast.Call]] = {}  # top-level statement -> its ``x.run()``/``x.eval()`` calls

    # -- resolution
    def qualify(self, node: ast.AST, scope: _Scope) -> str | None:
        dotted = dotted_name_ast(node)
        if dotted is None:
            return None
        root, _, rest = dotted.partition(".")
        current: _Scope | None = scope
        while current is not None and current.kind != "module":
            if current.kind in ("function", "lambda", "comprehension") and current.locals and root in current.locals \
                    and root not in current.globals:
                target = self.local_imports.get((current.name, root))
                if target is None:
                    return None
                return f"{target}.{rest}" if rest else target
            current = current.parent
        return self.scan.bindings.qualify(dotted)

    def resolve_scope(self, name: str, scope: _Scope) -> str:
        """The scope whose binding of ``name`` a read in ``scope`` sees."""
        current: _Scope | None = scope
        first = True
        while current is not None and current.kind != "module":
            if name in current.globals:
                if name not in self.nonlocals.get(current.name, ()):
                    return MODULE  # ``global name``
                first = False  # ``nonlocal name``: an enclosing function's
                current = current.parent
                continue
            if (first or current.kind != "class") and current.locals is not None and name in current.locals:
                return current.name
            first = False
            current = current.parent
        return MODULE

    def binding_scope(self, name: str, scope: _Scope) -> str:
        """The scope a store of ``name`` written in ``scope`` binds in (``global x`` hands it to the module)."""
        if name in scope.globals:
            declared = scope
            current = scope.parent
            if name in self.nonlocals.get(declared.name, ()):  # nonlocal: the nearest enclosing function
                while current is not None and current.kind != "module":
                    if current.kind == "function" and current.locals and name in current.locals:
                        return current.name
                    current = current.parent
            return MODULE
        return scope.name

    # -- the walk
    def build(self) -> FileFacts:
        self.local_imports: dict[tuple[str, str], str] = {}
        self.nonlocals: dict[str, set[str]] = {}
        statements = top_statements(self.scan)
        for index, stmt in enumerate(self.tree.body):
            self.statement = index
            self.visit_statement(stmt, self.module)
        self.assign_roles()
        sessions = {b.name for b in self.bindings if b.role is Role.SESSION}
        holders = {b.name for b in self.bindings if b.role in (Role.TRAIN_OP, Role.INIT_OP)}  # ``op.run()``
        has_session = any(role_of_callee(r.qualified) is Role.SESSION for r in self.scan.references)
        self.bound_in: dict[int, set[str]] = {}  # top-level statement -> module names it binds / reads
        self.read_in: dict[int, set[str]] = {}
        for binding in self.bindings:
            if binding.scope == MODULE:
                self.bound_in.setdefault(binding.statement, set()).add(binding.name)
        for use in self.uses:
            if use.scope == MODULE:
                self.read_in.setdefault(use.statement, set()).add(use.name)
        graph: set[str] = set()
        statements = [self.graph_work(s, sessions, holders, has_session, graph) for s in statements]
        return FileFacts(tuple(self.bindings), tuple(self.uses), tuple(self.mutations), tuple(statements),
                         self.tree, self.parents)

    def bind(self, name: str, scope: _Scope, node: ast.AST, kind: str, value: ast.expr | None = None,
             whole: bool = False, callee: str | None = None, where: ast.AST | None = None) -> None:
        where = where if where is not None else node
        if callee is None and value is not None and isinstance(value, ast.Call):
            callee = self.qualify(value.func, scope)
        self.bindings.append(Binding(name, self.binding_scope(name, scope), getattr(where, "lineno", 0),
                                     getattr(where, "col_offset", 0), kind, self.statement, node, value, whole,
                                     callee))

    def use(self, node: ast.Name, scope: _Scope, into: list[Use] | None = None) -> None:
        (self.uses if into is None else into).append(
            Use(node.id, self.resolve_scope(node.id, scope), scope.name, node.lineno, node.col_offset, self.statement))

    def store_target(self, target: ast.expr, scope: _Scope, node: ast.AST, kind: str,
                     value: ast.expr | None = None, whole: bool = False) -> None:
        """Bind every name a target stores; ``x[i]``/``x.a`` targets change ``x``'s object (a mutation)."""
        if isinstance(target, ast.Name):
            self.bind(target.id, scope, node, kind, value, whole, where=target)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.store_target(element, scope, node, kind)
        elif isinstance(target, ast.Starred):
            self.store_target(target.value, scope, node, kind)
        elif isinstance(target, (ast.Subscript, ast.Attribute)):
            root = target.value
            while isinstance(root, (ast.Subscript, ast.Attribute)):
                root = root.value
            if isinstance(root, ast.Name):
                self.use(root, scope, self.mutations)
            self.expression(target, scope)  # ``x[i] = v`` reads x and i
        else:
            self.expression(target, scope)

    def visit_statement(self, stmt: ast.stmt, scope: _Scope) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in stmt.decorator_list:
                self.expression(decorator, scope)
            self.arguments_outside(stmt.args, scope)
            if stmt.returns is not None:
                self.expression(stmt.returns, scope)
            self.bind(stmt.name, scope, stmt, "def")
            self.function(stmt, scope, scope.child(stmt.name), "function")
        elif isinstance(stmt, ast.ClassDef):
            for expr in (*stmt.decorator_list, *stmt.bases, *(k.value for k in stmt.keywords)):
                self.expression(expr, scope)
            self.bind(stmt.name, scope, stmt, "class")
            if scope.kind == "module":
                self.class_bases[stmt.name] = [q for q in (self.qualify(b, scope) for b in stmt.bases) if q]
            inner = _Scope(scope.child(stmt.name), "class", self.class_locals(stmt), scope)
            self.parents[inner.name] = scope.name
            for child in stmt.body:
                self.visit_statement(child, inner)
        elif isinstance(stmt, ast.Assign):
            self.expression(stmt.value, scope)
            single = len(stmt.targets) == 1
            for target in stmt.targets:
                whole = single and isinstance(target, ast.Name)
                self.store_target(target, scope, stmt, "assign", stmt.value if whole else None, whole)
        elif isinstance(stmt, ast.AugAssign):
            self.expression(stmt.value, scope)
            if isinstance(stmt.target, ast.Name):
                self.use(stmt.target, scope)
            self.store_target(stmt.target, scope, stmt, "augassign")
        elif isinstance(stmt, ast.AnnAssign):
            self.expression(stmt.annotation, scope)
            if stmt.value is not None:
                self.expression(stmt.value, scope)
            whole = isinstance(stmt.target, ast.Name) and stmt.value is not None
            self.store_target(stmt.target, scope, stmt, "annassign", stmt.value if whole else None, whole)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            self.expression(stmt.iter, scope)
            self.store_target(stmt.target, scope, stmt, "for")
            self.block(stmt.body, scope)
            self.block(stmt.orelse, scope)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                self.expression(item.context_expr, scope)
                if item.optional_vars is not None:
                    whole = isinstance(item.optional_vars, ast.Name)
                    self.store_target(item.optional_vars, scope, stmt, "with",
                                      item.context_expr if whole else None, whole)
            self.block(stmt.body, scope)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                if alias.name == "*":
                    continue
                local = alias.asname or alias.name.split(".")[0]
                if isinstance(stmt, ast.Import):
                    qualified = alias.name if alias.asname else local
                else:
                    qualified = f"{stmt.module}.{alias.name}" if stmt.module and not stmt.level else None
                self.bind(local, scope, stmt, "import", callee=qualified)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            self.block(stmt.body, scope)
            for handler in stmt.handlers:
                if handler.type is not None:
                    self.expression(handler.type, scope)
                if handler.name:
                    self.bind(handler.name, scope, handler, "except")
                self.block(handler.body, scope)
            self.block(stmt.orelse, scope)
            self.block(stmt.finalbody, scope)
        elif isinstance(stmt, (ast.If, ast.While)):
            self.expression(stmt.test, scope)
            self.block(stmt.body, scope)
            self.block(stmt.orelse, scope)
        elif isinstance(stmt, ast.Match):
            self.expression(stmt.subject, scope)
            for case in stmt.cases:
                for sub in ast.walk(case.pattern):
                    name = getattr(sub, "name", None) if isinstance(sub, (ast.MatchAs, ast.MatchStar)) else \
                        getattr(sub, "rest", None) if isinstance(sub, ast.MatchMapping) else None
                    if name:
                        self.bind(name, scope, sub, "match")
                    elif isinstance(sub, ast.MatchValue):
                        self.expression(sub.value, scope)
                if case.guard is not None:
                    self.expression(case.guard, scope)
                self.block(case.body, scope)
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    self.bind(target.id, scope, stmt, "del", where=target)
                else:
                    self.store_target(target, scope, stmt, "del")
        elif isinstance(stmt, (ast.Global, ast.Nonlocal)):
            pass  # handed to the scope when it was made
        else:  # Expr, Return, Raise, Assert, Pass, Break, Continue
            for child in ast.iter_child_nodes(stmt):
                if isinstance(child, ast.expr):
                    self.expression(child, scope)

    def block(self, body: list[ast.stmt], scope: _Scope) -> None:
        for child in body:
            self.visit_statement(child, scope)

    def arguments_outside(self, args: ast.arguments, scope: _Scope) -> None:
        """Defaults and annotations are evaluated in the enclosing scope."""
        for default in (*args.defaults, *args.kw_defaults):
            if default is not None:
                self.expression(default, scope)
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None and arg.annotation is not None:
                self.expression(arg.annotation, scope)

    def function(self, node, outer: _Scope, name: str, kind: str) -> None:
        local = self.function_locals(node)
        declared = set()
        if kind == "function":
            for sub in _own_statements(node.body):
                if isinstance(sub, (ast.Global, ast.Nonlocal)):
                    declared.update(sub.names)
                    if isinstance(sub, ast.Nonlocal):
                        self.nonlocals.setdefault(name, set()).update(sub.names)
        inner = _Scope(name, kind, set(local) | declared, outer, frozenset(declared))
        self.parents[name] = outer.name
        for local_name, target in local.items():
            if target is not None:
                self.local_imports[(name, local_name)] = target
        args = node.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                self.bind(arg.arg, inner, arg, "param")
        if isinstance(node, ast.Lambda):
            self.expression(node.body, inner)
        else:
            self.block(node.body, inner)

    def function_locals(self, node) -> dict[str, str | None]:
        key = (node.lineno, _chars(self.scan, node.lineno, node.col_offset))
        local = self.scan.function_scopes.get(key)
        return local if local is not None else function_scope_ast(node, self.walrus)

    @staticmethod
    def class_locals(node: ast.ClassDef) -> set[str]:
        names: set[str] = set()
        for sub in _own_statements(node.body):
            if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(sub.name)
            elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                names.update((a.asname or a.name.split(".")[0]) for a in sub.names)
            for target in _targets(sub):
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load))
        return names

    def expression(self, node: ast.expr, scope: _Scope) -> None:
        stack: list[ast.AST] = [node]
        while stack:
            sub = stack.pop()
            if isinstance(sub, ast.Name):
                if isinstance(sub.ctx, ast.Load):
                    self.use(sub, scope)
                else:  # a store inside an expression: only ``:=`` targets reach here
                    pass
            elif isinstance(sub, ast.NamedExpr):
                target_scope = scope
                while target_scope.kind == "comprehension" and target_scope.parent is not None:
                    target_scope = target_scope.parent
                self.bind(sub.target.id, target_scope, sub, "walrus", sub.value, True, where=sub.target)
                stack.append(sub.value)
            elif isinstance(sub, ast.Lambda):
                self.arguments_outside(sub.args, scope)
                self.function(sub, scope, scope.child(f"<lambda:{sub.lineno}:{sub.col_offset}>"), "lambda")
            elif isinstance(sub, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                self.comprehension(sub, scope)
            else:
                if sub.__class__ is ast.Call:
                    func = sub.func
                    name = func.attr if func.__class__ is ast.Attribute else getattr(func, "id", None)
                    if name in _SINK_NAMES:
                        self.sink_calls.append((sub, scope))
                    if name in RUN_METHODS:
                        self.run_calls.setdefault(self.statement, []).append(sub)
                stack.extend(_children(sub))

    def comprehension(self, node, outer: _Scope) -> None:
        name = outer.child(f"<comprehension:{node.lineno}:{node.col_offset}>")
        local = {n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
        inner = _Scope(name, "comprehension", local, outer)
        self.parents[name] = outer.name
        for index, generator in enumerate(node.generators):
            self.expression(generator.iter, outer if index == 0 else inner)
            self.store_target(generator.target, inner, generator, "comprehension")
            for condition in generator.ifs:
                self.expression(condition, inner)
        if isinstance(node, ast.DictComp):
            self.expression(node.key, inner)
            self.expression(node.value, inner)
        else:
            self.expression(node.elt, inner)

    # -- roles: the callee's table role, then one level of flow, in source order
    def assign_roles(self) -> None:
        self.bindings.sort(key=lambda b: (b.line, b.column))
        self.uses.sort(key=lambda u: (u.line, u.column))
        self.mutations.sort(key=lambda u: (u.line, u.column))
        roles: list[Role | None] = []
        self.last: dict[tuple[str, str], int] = {}  # (scope, name) -> index of its latest binding so far
        for index, binding in enumerate(self.bindings):
            roles.append(self.value_role(binding, index, roles))
            self.last[(binding.scope, binding.name)] = index
        self.bindings = [_with_role(b, r) for b, r in zip(self.bindings, roles)]
        self.loss_flow()

    def value_role(self, binding: Binding, index: int, roles: list[Role | None]) -> Role | None:
        if not binding.whole or binding.value is None:
            return None
        value = binding.value
        if isinstance(value, ast.Name):
            return self.role_before(value.id, binding, index, roles)  # ``b = a``: what a holds
        if not isinstance(value, ast.Call):
            return None
        role = role_of_callee(binding.callee)
        if role is not None:
            return role
        func = value.func
        if isinstance(func, ast.Name) and binding.callee is None:
            if func.id == "iter" and len(value.args) == 1:
                held = self.expression_role(value.args[0], binding, index, roles)
                return Role.ITERATOR if held is Role.DATASET else None
            if any(canonical(base) in MODEL_BASES for base in self.class_bases.get(func.id, ())):
                return Role.MODEL  # an instance of a model class of this file
            if self.role_before(func.id, binding, index, roles) is Role.LOSS_FN:
                return Role.LOSS  # ``criterion(output, target)``
            return None
        if isinstance(func, ast.Attribute):
            held = self.expression_role(func.value, binding, index, roles)
            if held is not None:
                return ROLE_METHODS.get(held, {}).get(func.attr)
        return None

    def expression_role(self, node: ast.expr, binding: Binding, index: int, roles) -> Role | None:
        if isinstance(node, ast.Name):
            return self.role_before(node.id, binding, index, roles)
        if isinstance(node, ast.Call):
            role = role_of_callee(self.qualify(node.func, self.module)) if dotted_name_ast(node.func) else None
            if role is None and isinstance(node.func, ast.Attribute):
                held = self.expression_role(node.func.value, binding, index, roles)
                role = ROLE_METHODS.get(held, {}).get(node.func.attr) if held is not None else None
            return role
        return None

    def role_before(self, name: str, binding: Binding, index: int, roles) -> Role | None:
        """The role of the binding of ``name`` a read at ``binding``'s place sees: the last one above it in
        ``binding``'s scope, else in the module."""
        for scope in dict.fromkeys((binding.scope, MODULE)):
            found = self.last.get((scope, name))
            if found is not None:
                return roles[found]
        return None

    def loss_flow(self) -> None:
        """A name passed where a loss goes holds a LOSS (when its own callee said nothing)."""
        fact = FileFacts(tuple(self.bindings), (), (), (), self.tree, self.parents)
        promote: set[int] = set()
        positions = {id(b): i for i, b in enumerate(self.bindings)}
        for call, scope in self.sink_calls:
            func = call.func
            target = None
            if isinstance(func, ast.Attribute):
                if func.attr == "backward" and isinstance(func.value, ast.Name):
                    target = func.value
                else:
                    receiver = self.receiver_role(func.value, call.lineno, scope, fact)
                    for role, method, position in LOSS_SINKS:
                        if role is not None and role is receiver and method == func.attr and len(call.args) > position:
                            target = call.args[position]
            if target is None and dotted_name_ast(func):
                qualified = canonical(self.qualify(func, scope))
                for role, name, position in LOSS_SINKS:
                    if role is None and name == qualified and len(call.args) > position:
                        target = call.args[position]
            if isinstance(target, ast.Name):
                reached = fact.reaching(target.id, call.lineno, self.resolve_scope(target.id, scope))
                if reached is not None and reached.role is None and reached.whole:
                    promote.add(positions[id(reached)])
        self.bindings = [_with_role(b, Role.LOSS) if i in promote else b for i, b in enumerate(self.bindings)]

    def receiver_role(self, node: ast.expr, line: int, scope: _Scope, fact: FileFacts) -> Role | None:
        if isinstance(node, ast.Name):
            reached = fact.reaching(node.id, line, self.resolve_scope(node.id, scope))
            return reached.role if reached is not None else None
        if isinstance(node, ast.Call) and dotted_name_ast(node.func):
            return role_of_callee(self.qualify(node.func, scope))
        return None

    # -- graph work of a top-level statement
    def graph_work(self, statement: TopStatement, sessions: set[str], holders: set[str],
                   has_session: bool, graph: set[str]) -> TopStatement:
        """``builds``: calls a tensorflow API (a Session aside), or binds names from values the graph built
        above (``train = opt.minimize(cost)``, ``y = x * 2``: graph ops too); ``graph`` collects those names.
        ``runs``: opens a Session, or calls ``run`` on a Session / train or init op, or ``eval`` in a file
        that has a Session."""
        if statement.is_definition or statement.is_main_guard:
            return statement
        node = statement.node
        builds = runs = False
        for ref in statement.references:
            name = canonical(ref.qualified) or ""
            if not name.startswith("tensorflow."):
                continue
            if role_of_callee(name) is Role.SESSION:
                runs = True  # opens a Session
            elif ref.is_call:
                builds = True
        if not runs:
            for sub in self.run_calls.get(statement.index, ()):
                if isinstance(sub.func, ast.Attribute):
                    receiver = sub.func.value
                    if isinstance(receiver, ast.Name) and (receiver.id in sessions or receiver.id in holders) or (
                            sub.func.attr == "eval" and has_session):
                        runs = True
                        break
        bound = self.bound_in.get(statement.index, set())
        if not builds and not runs and bound:
            builds = bool(self.read_in.get(statement.index, set()) & graph)
        if builds and not runs:
            graph.update(bound)
        return TopStatement(statement.index, node, statement.first_line, statement.last_line, statement.references,
                            statement.is_definition, statement.is_main_guard, builds, runs)


_LEAVES = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop, ast.Constant)


def _children(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes`` without the leaves that hold no name (contexts, operators, constants)."""
    found = []
    for name in node._fields:
        value = getattr(node, name, None)
        if value.__class__ is list:
            found.extend(item for item in value if isinstance(item, ast.AST) and not isinstance(item, _LEAVES))
        elif isinstance(value, ast.AST) and not isinstance(value, _LEAVES):
            found.append(value)
    return found


def _with_role(binding: Binding, role: Role | None) -> Binding:
    if binding.role is role:
        return binding
    return Binding(binding.name, binding.scope, binding.line, binding.column, binding.kind, binding.statement,
                   binding.node, binding.value, binding.whole, binding.callee, role)


def _own_statements(body: list[ast.stmt]) -> Iterable[ast.stmt]:
    """The statements of a body and of its nested blocks, not those of nested functions or classes."""
    stack = list(body)
    while stack:
        stmt = stack.pop()
        yield stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            stack.extend(getattr(stmt, name, None) or ())


def _targets(stmt: ast.AST) -> list[ast.expr]:
    if isinstance(stmt, ast.Assign):
        return list(stmt.targets)
    if isinstance(stmt, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
        return [stmt.target]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [i.optional_vars for i in stmt.items if i.optional_vars is not None]
    return []


def _chars(scan: Scan, line: int, byte_col: int) -> int:
    """A column in characters (the scan keys function scopes so)."""
    lines = scan.matches.get("<lines>")
    if lines is None:
        lines = scan.matches["<lines>"] = (scan.source or "").splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if text.isascii():
        return byte_col
    return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def describe(facts: FileFacts) -> str:
    """A plain-text summary of a file's facts (``python -m migrate.facts FILE``)."""
    out = ["roles (module level):"]
    out += [f"  {name}: {role.value}" for name, role in facts.roles.items()]
    out.append("top-level statements:")
    for statement in facts.statements:
        what = [w for w, flag in (("builds", statement.builds), ("runs", statement.runs),
                                  ("main guard", statement.is_main_guard)) if flag]
        if what:
            out.append(f"  line {statement.first_line}-{statement.last_line}: {', '.join(what)}")
    scopes = sorted({b.scope for b in facts.bindings} - {MODULE})
    out.append(f"def-use: {len(facts.bindings)} bindings, {len(facts.uses)} reads, {len(facts.mutations)} in-place "
               f"changes, {len(scopes) + 1} scopes")
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    from migrate.resolve import scan_source

    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as handle:
            print(f"{path}:\n{describe(facts_of(scan_source(handle.read(), path)))}")
