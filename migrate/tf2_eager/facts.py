"""Per-file facts for the eager rewrite, computed once on Python's ``ast`` and typed.

The facts describe one TF1 *graph program* in the tutorial shape: a graph built
by module-level statements (placeholders, variables, tensors, optimizers) and
run by ``sess.run`` calls inside one ``with tf.Session() as sess:`` block (or a
``sess = tf.Session()`` ... ``sess.close()`` pair).  ``analyze`` classifies every
top-level statement, builds the def-use relation of module-level names, and
collects the run sites.  Anything outside what the rewrite understands raises
``Blocked`` with the line and the reason: a graph is converted whole or not at all.

The statements analysed are those of the module *after* the ``--to tf2-compat``
renames, so TF1-only names read ``tensorflow.compat.v1.X`` here; ``canonical``
maps them back to ``tensorflow.X`` for classification.
"""
from __future__ import annotations

import ast
from migrate.facts import count_stores, names_read  # names_read: the family imports it from here
from migrate.resolve import canonical, dotted_name_ast
from migrate.tf2_eager import interactive, iterators, rnn, sparse
from dataclasses import dataclass, field

from migrate.tf2_eager.averages import classify_average, classify_control
from migrate.tf2_eager import layers, scopes


PLACEHOLDER = "tensorflow.placeholder"
VARIABLE = "tensorflow.Variable"
GET_VARIABLE = "tensorflow.get_variable"
UNINITIALIZED = "tensorflow.report_uninitialized_variables"
SESSIONS = ("tensorflow.Session",)
INITIALIZERS = ("tensorflow.global_variables_initializer", "tensorflow.initialize_all_variables",
                "tensorflow.local_variables_initializer", "tensorflow.initialize_local_variables")
SEEDS = ("tensorflow.set_random_seed", "tensorflow.random.set_random_seed", "tensorflow.random.set_seed")
SAFE_BUILTINS = frozenset({"len", "int", "float", "bool", "range", "list", "tuple", "dict", "zip", "min", "max", "abs",
                           "sum", "round", "sorted", "reversed", "enumerate", "str", "isinstance", "slice"})
NAME_LOOKUPS = frozenset({"get_tensor_by_name", "get_operation_by_name", "as_graph_element", "get_collection_ref"})
DECAYS = ("tensorflow.train.exponential_decay",)
KNOWN_PYTHON_MODULES = frozenset({"numpy", "math", "random", "builtins", "os", "sys", "time", "itertools",
                                  "functools", "collections", "json"})
V2_OFF = ("tensorflow.disable_v2_behavior", "tensorflow.disable_eager_execution")
GLOBAL_STEP = ("tensorflow.train.get_or_create_global_step", "tensorflow.train.create_global_step")
# A function that creates state or graph structure runs once per TF1 graph build but once per
# call in TF2 (the guide's first trap): such helpers block the rewrite.
STATEFUL_IN_FUNCTIONS = ("tensorflow.Variable", "tensorflow.get_variable", "tensorflow.placeholder",
                         "tensorflow.variable_scope", "tensorflow.layers", "tensorflow.train", "tensorflow.Session",
                         "tensorflow.get_collection", "tensorflow.trainable_variables", "tensorflow.global_variables",
                         "tensorflow.get_default_graph", "tensorflow.summary", "tensorflow.assign",
                         "tensorflow.assign_add", "tensorflow.assign_sub")


def _factory_params() -> frozenset:
    from migrate.tf2_eager.graph_functions import FACTORY_PARAMS

    return FACTORY_PARAMS.get()


class Blocked(Exception):
    """The program (or a part the rewrite needs) is outside what the rewrite converts faithfully."""

    def __init__(self, index: int, line: int, reason: str) -> None:
        super().__init__(reason)
        self.index = index  # top-level statement index, for the finding's position
        self.line = line  # line inside that statement's text (1-based)
        self.reason = reason


@dataclass
class Placeholder:
    name: str
    dtype: str  # source text of the dtype argument
    order: int
    shape: tuple | None = None  # a literal shape (ints and None), if given
    sparse: bool = False  # ``tf.sparse_placeholder``: fed a SparseTensor(Value)
    default: str | None = None  # ``placeholder_with_default``: a Python bool switch, this value when not fed


@dataclass
class GraphNode:
    """A module-level assignment that builds tensors: it moves into the functions that need it."""

    index: int
    targets: tuple[str, ...]
    deps: frozenset[str]  # module-level names it reads
    call: str | None = None  # qualified name of the function whose result it is, if a call


@dataclass
class VariableDef:
    """A module-level statement creating variables (created once, so it stays at module level)."""

    index: int
    target: str
    members: tuple[tuple[str, bool], ...]  # (expression naming one variable, trainable)
    get_variable: bool = False  # a ``tf.get_variable`` call: rewritten as ``tf.Variable``


@dataclass
class OptimizerDef:
    index: int
    name: str  # the module-level name the Keras optimizer gets
    keras: str  # source of the Keras optimizer construction
    v1_name: str  # e.g. "AdamOptimizer", for messages
    schedule: str | None = None  # graph node holding a tf.train.exponential_decay learning rate
    explicit: str | None = None  # update written out (optimizers.py template); ``keras`` holds its arguments


@dataclass
class TrainOp:
    index: int
    name: str
    optimizer: OptimizerDef
    loss: str  # source of the loss expression
    loss_deps: frozenset[str]
    var_list: tuple[str, ...] | None  # variable expressions, or None: every trainable variable the loss reads
    global_step: str | None


@dataclass
class KeyedLoop:
    """``for key, tensor in D.items():`` in the Session block, ``D`` a module-level literal dict of tensors with
    constant keys, ``tensor`` used only as a fetch: each run fetches ``D[key]``."""

    loop: ast.For
    container: str
    key_var: str
    keys: tuple
    # per-entry mode, ``for k, t in [("a", t1), ("b", t2)]:`` written in the loop header: the graph tensors
    # named in it (each gets its own function; the list holds the functions) and their ``ast.Name`` nodes
    entries: tuple = ()
    entry_nodes: tuple = ()
    tensor_var: str = ""


@dataclass
class RunSite:
    """One ``sess.run(fetches, feed_dict)`` call inside the session body."""

    top: int  # top-level statement whose text holds the call
    node: ast.Call
    shape: str  # "single", "list" or "tuple"
    fetches: tuple[str, ...]
    feeds: tuple[tuple[str, ast.expr], ...]  # (placeholder, value expression) in feed order
    key: tuple = ()
    keyed: KeyedLoop | None = None  # the fetch is the loop's tensor: ``for k, t in D.items(): sess.run(t)``
    feed_var: str | None = None  # ``feed_dict=feed``, ``feed = {placeholder: value}`` bound once in the block
    iterator: str | None = None  # ``sess.run(it.initializer, ...)``: the initializable iterator it (re)starts
    local_init: bool = False  # an initializer run of local variables only

    @property
    def line(self) -> int:
        return self.node.lineno


@dataclass
class ProgramFacts:
    placeholders: dict[str, Placeholder] = field(default_factory=dict)
    nodes: dict[str, GraphNode] = field(default_factory=dict)  # target name -> node
    variables: list[VariableDef] = field(default_factory=list)
    variable_names: set[str] = field(default_factory=set)  # module names holding variables (or containers)
    optimizers: dict[str, OptimizerDef] = field(default_factory=dict)  # v1 optimizer object name -> def
    train_ops: dict[str, TrainOp] = field(default_factory=dict)
    init_ops: set[str] = field(default_factory=set)
    global_steps: set[str] = field(default_factory=set)
    roles: dict[int, str] = field(default_factory=dict)  # top-level index -> role
    session_index: int = -1
    session_name: str = ""
    session_close: int = -1
    session_body: list[tuple[int, ast.stmt]] = field(default_factory=list)  # (top-level index, statement)
    session_closed: bool = False
    runs: list[RunSite] = field(default_factory=list)
    feed_dicts: dict[str, tuple[int, ast.Dict]] = field(default_factory=dict)  # feed name -> (top, its dict)
    evals: list[tuple[int, ast.Call, bool]] = field(default_factory=list)  # (top, `X.eval()` call, in a loop)
    helpers: dict[str, frozenset[str]] = field(default_factory=dict)  # tensor-building function -> names it reads
    seeds: dict[int, str] = field(default_factory=dict)  # index -> seed argument source
    factories: dict[str, frozenset[str]] = field(default_factory=dict)  # variable factory function -> reads
    hoists: dict[int, list[ast.Call]] = field(default_factory=dict)  # node index -> factory calls to hoist
    python_hoists: dict[int, list[ast.Call]] = field(default_factory=dict)  # node index -> Python RNG calls
    opaque: dict[str, str] = field(default_factory=dict)  # module name -> the imported function that made it
    datasets: dict[str, int] = field(default_factory=dict)  # module-level tf.data pipeline name -> its bindings
    iterators: dict = field(default_factory=dict)  # iterator name -> iterators.IteratorDef
    iterator_hoists: dict[int, tuple] = field(default_factory=dict)  # node index -> (inline iterator call, dataset)
    queries: list = field(default_factory=list)  # (top, `get_output_types(ds)` call, spec attribute)
    cells: dict = field(default_factory=dict)  # LSTM cell name -> rnn.CellDef
    rnn_states: set[str] = field(default_factory=set)  # names holding a dynamic_rnn state (c, h)
    global_inits: set[str] = field(default_factory=set)  # init op names made by global_variables_initializer
    eval_exprs: dict = field(default_factory=dict)  # id(`sess.run(<expression>)` call) -> the expression
    sparse_values: list = field(default_factory=list)  # (top, `tf.SparseTensorValue(...)` call in the Session)
    # averages.py: ExponentialMovingAverage objects, their apply/average sites, control_dependencies blocks
    averages: dict = field(default_factory=dict)
    applies: dict = field(default_factory=dict)
    average_reads: dict = field(default_factory=dict)
    controls: dict = field(default_factory=dict)
    ops: set[str] = field(default_factory=set)  # graph names that are ops: fetching one gives None
    # scopes.py: helpers creating variables (resolved per call), what each call built, collections
    builders: dict = field(default_factory=dict)
    built: dict = field(default_factory=dict)
    builder_names: set[str] = field(default_factory=set)
    created: list = field(default_factory=list)
    scope_stack: list = field(default_factory=list)
    collection_reads: dict = field(default_factory=dict)
    introspections: dict = field(default_factory=dict)
    untracked_variables: bool = False
    session_edits: dict = field(default_factory=dict)  # top -> edits of collection reads in the Session block
    aliases: dict = field(default_factory=dict)  # module name -> the variable it also names (scope reuse)
    # layers.py: tf.layers as Keras layers, batch norms and their UPDATE_OPS
    batch_norms: dict = field(default_factory=dict)
    update_collections: dict = field(default_factory=dict)
    updating_trains: dict = field(default_factory=dict)
    initializer_nodes: dict = field(default_factory=dict)
    layer_counts: dict = field(default_factory=dict)
    glorot_helper: str = ""
    glorot_emitted: bool = False
    created_seeds: set = field(default_factory=set)  # op seeds of the initializers created so far
    last_dims: dict = field(default_factory=dict)  # graph name -> its static last dimension (dense inputs)
    variable_lists: set[str] = field(default_factory=set)  # module-level Python lists of variables
    constants: set[str] = field(default_factory=set)  # graph constants kept at module level (static shapes)
    # host-side TensorFlow the extensions (savers.py, summaries.py) convert: statement texts that replace
    # module-level statements, splice edits of kept/session statements, session-body nodes they handle
    # (the Session-block checks skip them), code overrides of graph statements, imports the output needs
    module_texts: dict[int, str] = field(default_factory=dict)
    host_edits: dict[int, list] = field(default_factory=dict)
    host_nodes: set[int] = field(default_factory=set)
    text_overrides: dict[int, str] = field(default_factory=dict)
    imports: list[str] = field(default_factory=list)
    notes: list = field(default_factory=list)  # (rule code, top-level index, line in it, message) to report
    gradients: dict[str, tuple] = field(default_factory=dict)  # compute_gradients result -> (index, call)

    def dependencies(self, names, *, helpers: bool = True,
                     constants_computed: bool = True) -> tuple[list[int], set[str]]:
        """What computing ``names`` needs: the statement indexes of the graph nodes it runs (module order) and
        every name read on the way.  ``helpers``: follow what tensor-building functions read too;
        ``constants_computed=False``: a graph constant kept at module level is read, its node not run."""
        seen_nodes: set[int] = set()
        reads: set[str] = set()
        stack = list(names)
        while stack:
            name = stack.pop()
            if name in reads:
                continue
            reads.add(name)
            node = self.nodes.get(name)
            if node is not None and node.index not in seen_nodes and (constants_computed or name not in self.constants):
                seen_nodes.add(node.index)
                stack.extend(node.deps)
            helper = self.helpers.get(name) if helpers else None
            if helper is not None:
                stack.extend(helper)
        return sorted(seen_nodes), reads

    def graph_names(self) -> set[str]:
        return (set(self.placeholders) | set(self.nodes) | self.variable_names | set(self.optimizers)
                | set(self.train_ops) | self.init_ops | set(self.update_collections) | set(self.initializer_nodes)
                | set(self.iterators))


dotted = dotted_name_ast  # ``a.b.c`` of a Name/Attribute chain, else None (the resolver's)


class Analyzer:
    """Classifies the top-level statements of one module (given as ``ast`` trees, one per statement)."""

    tf = "tf"  # how the output spells the tensorflow module (the Rewrite sets it)
    segment = None  # the statement indexes of one graph (between ``tf.reset_default_graph()`` calls), or all
    # modules converting host-side TensorFlow (summaries, checkpoints): hooks ``classify``,
    # ``session_statement`` and ``after_session`` (see migrate/tf2_eager/summaries.py)
    EXTENSIONS = ("migrate.tf2_eager.summaries", "migrate.tf2_eager.savers")

    def extensions(self):
        import importlib

        return [importlib.import_module(name) for name in self.EXTENSIONS]

    def __init__(self, statements: list[ast.Module], qualify, entries: dict) -> None:
        self.statements = statements
        self.qualify = qualify  # dotted local name -> qualified name or None
        self.entries = entries
        self.facts = ProgramFacts()
        self.stores: dict[str, int] = {}  # module-level name -> how many times it is bound

    # -- helpers
    def q(self, node: ast.AST) -> str | None:
        name = dotted(node)
        return canonical(self.qualify(name)) if name else None

    def block(self, index: int, node: ast.AST | None, reason: str) -> Blocked:
        return Blocked(index, getattr(node, "lineno", 1) if node is not None else 1, reason)

    def tf_calls(self, node: ast.AST) -> list[tuple[str, ast.Call]]:
        found = []
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                qualified = self.q(sub.func)
                if qualified and qualified.startswith("tensorflow"):
                    found.append((qualified, sub))
        return found

    def tf_refs(self, node: ast.AST) -> list[tuple[str, ast.AST]]:
        found = []
        for sub in ast.walk(node):
            if isinstance(sub, (ast.Attribute, ast.Name)):
                qualified = self.q(sub)
                if qualified and qualified.startswith("tensorflow"):
                    found.append((qualified, sub))
        return found

    # -- the pass
    def run(self) -> ProgramFacts:
        for index, module in enumerate(self.statements):
            for sub in ast.walk(module):
                if isinstance(sub, ast.Attribute) and sub.attr in NAME_LOOKUPS:
                    raise Blocked(index, sub.lineno, f"a tensor or op looked up by name (`{sub.attr}`): graph names "
                                                     "do not exist in eager TF2; pass the Python object instead")
        refusals = self.entries.get("api_refusals", {})
        for index, module in enumerate(self.statements):
            for qualified, node in self.tf_refs(module):
                reason = refusals.get(qualified)
                if reason is not None:
                    raise Blocked(index, node.lineno, f"`{_short(qualified)}` is not converted: {reason}")
        self._count_stores()
        for index, module in enumerate(self.statements):
            if self.segment is not None and index not in self.segment:
                continue
            for stmt in module.body:
                self._classify(index, stmt)
        iterators.check_bindings(self)
        rnn.check(self)
        if self.facts.session_index < 0:
            raise Blocked(0, 1, "no `with tf.Session() as sess:` block (or `sess = tf.Session()`) at module level "
                                "runs this graph")
        scopes.check_builder_uses(self)
        self._check_python_inputs()
        self._collect_runs()
        sparse.check_feeds(self)
        layers.check_batch_norm_updates(self)
        self.facts.runs.sort(key=lambda r: (r.top, r.node.lineno, r.node.col_offset))  # source order
        self.facts.evals.sort(key=lambda e: (e[0], e[1].lineno, e[1].col_offset))
        return self.facts

    def _count_stores(self) -> None:
        # the statements here are the compat output's, re-parsed one by one (not the scan's tree): the count is
        # the shared one (``migrate.facts.count_stores``) run on them
        for name, count in count_stores(stmt for module in self.statements for stmt in module.body).items():
            self.stores[name] = self.stores.get(name, 0) + count

    def _classify(self, index: int, stmt: ast.stmt) -> None:
        facts = self.facts
        if facts.session_index >= 0 and index > facts.session_index:
            if not (facts.roles.get(facts.session_index) == "interactive" and not facts.session_closed
                    and interactive.graph_statement(self, stmt)):
                self._after_session(index, stmt)
                return
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            facts.roles[index] = "keep"
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            facts.roles[index] = "keep"
            return
        if any(extension.classify(self, index, stmt) for extension in self.extensions()):
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and self.q(stmt.value.func) in V2_OFF \
                and not stmt.value.args:
            facts.roles[index] = "drop"  # TF2 behaviour is what the rewrite produces
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and self.q(stmt.value.func) in SEEDS:
            call = stmt.value
            if len(call.args) != 1 or call.keywords:
                raise self.block(index, stmt, "`set_random_seed` with other than one positional argument")
            facts.roles[index] = "seed"
            facts.seeds[index] = ast.unparse(call.args[0])
            return
        if isinstance(stmt, ast.With):
            self._session_with(index, stmt)
            return
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._function(index, stmt)
            return
        if isinstance(stmt, ast.Assign) and scopes.classify_builder_call(self, index, stmt):
            return
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            self._assign(index, stmt)
            return
        if scopes.classify_module_expr(self, index, stmt):
            return
        graph = facts.graph_names()
        if names_read(stmt) & graph or self.tf_refs(stmt):
            raise self.block(index, stmt, f"a module-level `{type(stmt).__name__}` statement uses TensorFlow "
                                          "outside a Session; the rewrite handles assignments that build the graph")
        facts.roles[index] = "keep"

    def _function(self, index: int, stmt: ast.FunctionDef) -> None:
        refs = self.tf_refs(stmt)
        graph = self.facts.graph_names()
        if not refs and not (names_read(stmt) & graph):
            self.facts.roles[index] = "keep"
            return
        if scopes.classify_builder(self, index, stmt):
            return
        if self._factory(stmt, refs, graph):
            self.facts.factories[stmt.name] = frozenset(names_read(stmt))
            self.facts.roles[index] = "keep"
            return
        for qualified, node in refs:
            if qualified in SESSIONS:
                raise self.block(index, node, f"function `{stmt.name}` builds and runs a graph of its own at each "
                                              "call (a Session inside it): the rewrite converts one module-level "
                                              "graph; a per-call graph (whose variables TF2 would also create at "
                                              "each call) is not converted yet; move the graph to module level or "
                                              "convert the function by hand")
        for qualified, node in refs:
            if any(qualified == p or qualified.startswith(p + ".") for p in STATEFUL_IN_FUNCTIONS):
                raise self.block(index, node, f"function `{stmt.name}` uses `{_short(qualified)}`: it would create "
                                              "state or graph structure at every call in TF2 (variables, layers, "
                                              "scopes), which the rewrite does not move out of functions yet")
        if stmt.decorator_list:
            raise self.block(index, stmt, f"decorated function `{stmt.name}` builds tensors")
        for sub in ast.walk(stmt):
            if isinstance(sub, (ast.Global, ast.Nonlocal, ast.Yield, ast.YieldFrom)):
                raise self.block(index, sub, f"function `{stmt.name}` builds tensors and uses "
                                             f"`{type(sub).__name__.lower()}`")
        for sub in ast.walk(stmt):
            qualified = self.q(sub.func) if isinstance(sub, ast.Call) else None
            if qualified and qualified.startswith(("numpy.random.", "random.")):
                raise self.block(index, sub, f"function `{stmt.name}` builds tensors and draws Python random "
                                             "numbers: drawn once per graph build in TF1, at every call in TF2")
        self.facts.helpers[stmt.name] = frozenset(names_read(stmt))
        self.facts.roles[index] = "keep"

    def _factory(self, stmt: ast.FunctionDef, refs, graph) -> bool:
        """``def weight(shape): return tf.Variable(...)``: a variable factory. Its calls at graph-building
        time run once per call site in TF1; the rewrite hoists each call to module level (created once)."""
        body = [s for s in stmt.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        if len(body) != 1 or not isinstance(body[0], ast.Return) or not isinstance(body[0].value, ast.Call):
            return False
        call = body[0].value
        if self.q(call.func) != VARIABLE or stmt.decorator_list or names_read(stmt) & graph:
            return False
        if any(k.arg == "trainable" for k in call.keywords):
            return False
        stateful = [q for q, _ in refs if any(q == p or q.startswith(p + ".") for p in STATEFUL_IN_FUNCTIONS)]
        return stateful == [VARIABLE]

    def _session_with(self, index: int, stmt: ast.With) -> None:
        facts = self.facts
        item = stmt.items[0] if len(stmt.items) == 1 else None
        if item is not None and isinstance(item.context_expr, ast.Call) and self.q(item.context_expr.func) in SESSIONS:
            call = item.context_expr
            if call.args or any(k.arg != "config" for k in call.keywords):
                raise self.block(index, call, "a Session on a given graph or target: the rewrite converts "
                                              "the default-graph `tf.Session()`")
            if not isinstance(item.optional_vars, ast.Name):
                raise self.block(index, stmt, "`with tf.Session():` without `as sess` (default-session `.eval()` "
                                              "code) is not converted")
            if facts.session_index >= 0:
                raise self.block(index, stmt, "a second Session on the same graph")
            facts.session_index = index
            facts.session_name = item.optional_vars.id
            facts.session_body = [(index, s) for s in stmt.body]
            facts.roles[index] = "session"
            return
        if (len(stmt.items) == 1 and isinstance(stmt.items[0].context_expr, ast.Call) and stmt.items[0].context_expr.args
                and self.q(stmt.items[0].context_expr.func) == "tensorflow.control_dependencies"
                and layers.classify_update_control(self, index, stmt)):
            return
        if classify_control(self, index, stmt) or scopes.classify_builder_call(self, index, stmt):
            return
        if names_read(stmt) & facts.graph_names() or self.tf_refs(stmt):
            raise self.block(index, stmt, "a `with` block over TensorFlow objects (variable or name scopes, "
                                          "devices, graphs) outside the Session")
        facts.roles[index] = "keep"

    def _after_session(self, index: int, stmt: ast.stmt) -> None:
        facts = self.facts
        name = facts.session_name
        open_session = facts.roles.get(facts.session_index) in ("session-assign", "interactive") \
            and not facts.session_closed
        if (open_session and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                and dotted(stmt.value.func) == f"{name}.close"):
            facts.roles[index] = "drop"
            facts.session_closed = True
            return
        if open_session:
            facts.session_body.append((index, stmt))
            facts.roles[index] = "session-body"
            return
        if any(extension.after_session(self, index, stmt) for extension in self.extensions()):
            return
        if names_read(stmt) & facts.graph_names() or self.tf_refs(stmt):
            raise self.block(index, stmt, "TensorFlow code after the Session block (a graph built or run later)")
        facts.roles[index] = "keep"

    def _assign(self, index: int, stmt: ast.Assign) -> None:
        facts = self.facts
        target, value = stmt.targets[0], stmt.value
        graph = facts.graph_names()
        reads = names_read(value)
        call_name = self.q(value.func) if isinstance(value, ast.Call) else None
        interactive_session = call_name == interactive.INTERACTIVE
        if (interactive_session or call_name in SESSIONS) and isinstance(target, ast.Name):
            if value.args or any(k.arg != "config" for k in value.keywords):
                kind = "an InteractiveSession" if interactive_session else "a Session"
                raise self.block(index, value, f"{kind} on a given graph or target")
            if facts.session_index >= 0:
                raise self.block(index, stmt, "a second Session on the same graph")
            facts.session_index, facts.session_name = index, target.id
            facts.roles[index] = "interactive" if interactive_session else "session-assign"
            return
        if not isinstance(target, (ast.Name, ast.Tuple)):
            if reads & graph or self.tf_refs(stmt):
                raise self.block(index, stmt, "assignment of a graph value to an attribute or item")
            facts.roles[index] = "keep"
            return
        targets = tuple(t.id for t in ([target] if isinstance(target, ast.Name) else target.elts)
                        if isinstance(t, ast.Name))
        if isinstance(target, ast.Tuple) and len(targets) != len(target.elts):
            raise self.block(index, stmt, "starred or nested assignment targets")
        if iterators.classify(self, index, stmt, targets) or rnn.classify(self, index, stmt, targets):
            return
        for name in targets:
            if name != "_" and self.stores.get(name, 0) > 1 and (reads & graph or self.tf_calls(value)):
                raise self.block(index, stmt, f"`{name}` is bound more than once; the rewrite needs each graph "
                                              "name defined once")
        name = targets[0]
        if call_name in (PLACEHOLDER, sparse.SPARSE_PLACEHOLDER) and len(targets) == 1:
            dtype = value.args[0] if value.args else next((k.value for k in value.keywords if k.arg == "dtype"), None)
            if dtype is None:
                raise self.block(index, value, "placeholder without a dtype")
            shape_node = value.args[1] if len(value.args) > 1 else next(
                (k.value for k in value.keywords if k.arg == "shape"), None)
            shape = None
            if isinstance(shape_node, (ast.List, ast.Tuple)) and all(
                    isinstance(e, ast.Constant) and (e.value is None or type(e.value) is int) for e in shape_node.elts):
                shape = tuple(e.value for e in shape_node.elts)
            facts.placeholders[name] = Placeholder(name, ast.unparse(dtype), len(facts.placeholders), shape,
                                                   sparse=call_name == sparse.SPARSE_PLACEHOLDER)
            if shape and isinstance(shape[-1], int):
                facts.last_dims[name] = shape[-1]
            facts.roles[index] = "placeholder"
            return
        if call_name in INITIALIZERS and len(targets) == 1:
            if call_name in INITIALIZERS[:2]:
                facts.global_inits.add(name)
            facts.init_ops.add(name)
            facts.roles[index] = "drop"
            return
        if call_name in GLOBAL_STEP and len(targets) == 1:
            facts.global_steps.add(name)
            facts.variable_names.add(name)
            facts.variables.append(VariableDef(index, name, ((name, False),)))
            facts.roles[index] = "global-step"
            return
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in _factory_params():
            # ``optimizer = make_optimizer(step)``: a parameter of a graph function (graph_functions.py) whose
            # arguments are module-level factories, rewritten there to build the Keras optimizers
            if len(targets) != 1 or value.keywords or len(value.args) > 1 or (
                    value.args and not (isinstance(value.args[0], ast.Name)
                                        and value.args[0].id in facts.global_steps)):
                raise self.block(index, value, f"optimizer factory `{value.func.id}` called with other than the "
                                               "global step, or assigned to several names")
            text = ast.unparse(value).replace("{", "{{").replace("}", "}}")
            facts.optimizers[name] = OptimizerDef(index, name, text, f"{value.func.id}(...)")
            facts.roles[index] = "optimizer"
            return
        if call_name and call_name.startswith("tensorflow.train.") and call_name.endswith("Optimizer"):
            if len(targets) != 1:
                raise self.block(index, stmt, "optimizer assigned to several names")
            facts.optimizers[name] = self._optimizer(index, value, call_name, name)
            facts.roles[index] = "optimizer"
            return
        if self._module_feed(index, stmt, targets):
            return
        if classify_average(self, index, stmt, name, call_name):
            return
        if layers.classify_placeholder_with_default(self, index, stmt, name, call_name) or \
                layers.classify_initializer(self, index, stmt, name, call_name) or \
                layers.classify_update_ops(self, index, stmt, name) or layers.classify_layer(self, index, stmt, name):
            return
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "minimize":
            self._minimize(index, name, value, len(targets))
            return
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and \
                value.func.attr in ("compute_gradients", "apply_gradients"):
            from migrate.tf2_eager.optimizers import gradient_pair

            call = gradient_pair(self, index, name, value, len(targets))
            if call is not None:  # ``apply_gradients(compute_gradients(loss))``: a ``minimize``
                self._minimize(index, name, call, 1)
            return
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in facts.factories \
                and isinstance(target, ast.Name):
            if reads & graph:
                raise self.block(index, value, f"variable factory `{value.func.id}` called with graph values")
            facts.variables.append(VariableDef(index, name, ((name, True),)))
            facts.variable_names.add(name)
            facts.roles[index] = "variable"
            return
        if call_name == "tensorflow.get_variable" and isinstance(target, ast.Name):
            if reads & graph:
                raise self.block(index, value, "`get_variable` with graph values as arguments")
            trainable = True
            for keyword in value.keywords:
                if keyword.arg == "trainable":
                    if not (isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, bool)):
                        raise self.block(index, keyword.value, "`trainable=` that is not a literal")
                    trainable = keyword.value.value
            facts.variables.append(VariableDef(index, name, ((name, trainable),), get_variable=True))
            facts.variable_names.add(name)
            facts.roles[index] = "variable"
            return
        variables = [(q, c) for q, c in self.tf_calls(value) if q in (VARIABLE, GET_VARIABLE)]
        if variables:
            self._variables(index, stmt, name, len(targets), variables, reads & graph)
            return
        if reads & graph or self.tf_calls(value) or reads & set(facts.helpers):
            edits = scopes.collection_edits(self, index, value)
            if edits and scopes.classify_variable_list(self, index, stmt, targets, edits):
                return
            if edits:
                facts.collection_reads[index] = edits
                reads = reads | {n for _, text in edits for n in names_read(ast.parse(text, mode="eval"))}
            self._check_callees(index, value)
            facts.nodes.update({t: GraphNode(index, targets, frozenset(reads), call_name) for t in targets})
            facts.roles[index] = "node"
            return
        for sub in ast.walk(value):
            qualified = self.q(sub.func) if isinstance(sub, ast.Call) else None
            if qualified and qualified.split(".")[0] not in KNOWN_PYTHON_MODULES:
                facts.opaque.update({t: qualified for t in targets})  # may hold variables we cannot see
        facts.roles[index] = "keep"

    def _module_feed(self, index: int, stmt: ast.Assign, targets: tuple[str, ...]) -> bool:
        """``feed = {placeholder: value, ...}`` at module level, bound once, its values plain Python (no graph
        value): a feed dict built before the Session. Recorded like one bound in the Session block."""
        facts = self.facts
        value = stmt.value
        if not (len(targets) == 1 and isinstance(stmt.targets[0], ast.Name) and isinstance(value, ast.Dict)
                and value.keys and all(isinstance(k, ast.Name) and k.id in facts.placeholders for k in value.keys)):
            return False
        name = targets[0]
        if self.stores.get(name, 0) != 1:
            raise self.block(index, stmt, f"the feed dict `{name}` is bound more than once")
        for item in value.values:
            if names_read(item) & facts.graph_names() or self.tf_calls(item):
                raise self.block(index, item, f"the feed dict `{name}` feeds a graph value (a tensor fed into "
                                              "the graph): not converted")
        facts.feed_dicts[name] = (index, value)
        facts.roles[index] = "feed"
        return True

    def _check_callees(self, index: int, value: ast.expr) -> None:
        """A graph statement moves into functions that run at every call: what it calls must be known not to
        create variables or graph state (TensorFlow ops, helpers checked here, builtins, numpy, methods)."""
        for sub in ast.walk(value):
            if not isinstance(sub, ast.Call):
                continue
            name = dotted(sub.func)
            if name is None or (isinstance(sub.func, ast.Attribute) and self.qualify(name) is None):
                continue  # a method of a value (tensor.get_shape(), array.astype())
            qualified = self.q(sub.func)
            if qualified and qualified.startswith(("numpy.random.", "random.")):
                # TF1 drew these numbers once, when the graph was built; inside a generated function they
                # would be drawn again at every call (and move the generator's state): the Python value is
                # computed once at module level instead, where the statement was (see Rewrite.hoist_python)
                self.facts.python_hoists.setdefault(index, []).append(sub)
                continue
            if qualified and qualified.split(".")[0] in ("tensorflow", "numpy", "math"):
                continue
            if name in self.facts.helpers or (qualified is None and name in SAFE_BUILTINS):
                continue
            if name in self.facts.factories:
                if names_read(sub) & self.facts.graph_names():
                    raise self.block(index, sub, f"variable factory `{name}` called with graph values")
                self.facts.hoists.setdefault(index, []).append(sub)
                continue
            raise self.block(index, sub, f"the graph calls `{name}`, defined elsewhere (another module or an "
                                         "unchecked object): it may create variables, which would happen at every "
                                         "call in TF2")

    def _variables(self, index, stmt, name, count, calls, graph_reads) -> None:
        facts = self.facts
        if count != 1:
            raise self.block(index, stmt, "variables created in a tuple assignment")
        if graph_reads:
            raise self.block(index, stmt, f"the initial value of `{name}` reads graph values "
                                          f"({', '.join(sorted(graph_reads))}); the rewrite converts variables "
                                          "initialised from constants and random ops")
        value = stmt.value
        members: list[tuple[str, bool]] = []

        def trainable(call: ast.Call) -> bool:
            for keyword in call.keywords:
                if keyword.arg == "trainable":
                    if isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, bool):
                        return keyword.value.value
                    raise self.block(index, keyword.value, "`trainable=` that is not a literal")
            return True

        if isinstance(value, ast.Call) and self.q(value.func) == VARIABLE:
            members.append((name, trainable(value)))
        elif isinstance(value, ast.Dict) and all(isinstance(k, ast.Constant) for k in value.keys) and all(
                isinstance(v, ast.Call) and self.q(v.func) in (VARIABLE, GET_VARIABLE) for v in value.values):
            members.extend((f"{name}[{k.value!r}]", trainable(v)) for k, v in zip(value.keys, value.values))
        elif isinstance(value, (ast.List, ast.Tuple)) and all(
                isinstance(v, ast.Call) and self.q(v.func) in (VARIABLE, GET_VARIABLE) for v in value.elts):
            members.extend((f"{name}[{i}]", trainable(v)) for i, v in enumerate(value.elts))
        else:
            raise self.block(index, stmt, f"`{name}` holds variables in a form the rewrite does not track "
                                          "(a variable is expected alone, or in a literal dict or list)")
        getters = [c for q, c in calls if q == GET_VARIABLE]
        if any(c not in (value.values if isinstance(value, ast.Dict) else getattr(value, "elts", ())) for c in getters):
            raise self.block(index, stmt, "`get_variable` inside another expression")
        facts.variables.append(VariableDef(index, name, tuple(members), get_variable=bool(getters)))
        facts.variable_names.add(name)
        facts.roles[index] = "variable"

    def _optimizer(self, index: int, call: ast.Call, qualified: str, name: str) -> OptimizerDef:
        short = qualified.rsplit(".", 1)[1]
        table = self.entries.get("optimizers", {})
        spec = table.get(short) or self.entries.get("explicit_optimizers", {}).get(short)
        if spec is None:
            reason = self.entries.get("optimizer_refusals", {}).get(short, "it has no Keras optimizer with the "
                                                                           "same update rule")
            raise self.block(index, call, f"`tf.train.{short}` is not converted: {reason}")
        params = spec["params"]
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            raise self.block(index, call, f"`{short}` called with *args or **kwargs")
        if len(call.args) > len(params):
            raise self.block(index, call, f"`{short}` called with more positional arguments than it takes")
        given: dict[str, ast.expr] = dict(zip(params, call.args))
        for keyword in call.keywords:
            given[keyword.arg] = keyword.value
        unknown = set(given) - set(params)
        if unknown:
            raise self.block(index, call, f"`{short}` called with unknown argument(s) {', '.join(sorted(unknown))}")
        graph = self.facts.graph_names()
        schedule = None
        for param, expr in given.items():
            node = self.facts.nodes.get(expr.id) if isinstance(expr, ast.Name) else None
            if param == "learning_rate" and node is not None and node.call in DECAYS:
                schedule = expr.id
                continue
            if names_read(expr) & graph or self.tf_calls(expr):
                raise self.block(index, expr, f"`{short}` argument `{param}` is a tensor (a decay schedule or a "
                                              "fed value); the rewrite converts constant hyper-parameters")
        for required in spec.get("required", ()):
            if required not in given:
                raise self.block(index, call, f"`{short}` without `{required}`")
        arguments = []
        for param in params:
            keras_name = spec["rename"].get(param, param)
            if keras_name == "":  # dropped: use_locking, name
                if param == "use_locking" and param in given and not (
                        isinstance(given[param], ast.Constant) and given[param].value is False):
                    raise self.block(index, given[param], f"`{short}(use_locking=...)` has no Keras equivalent")
                continue
            if param in given:
                arguments.append(f"{keras_name}={ast.unparse(given[param])}")
            elif param in spec.get("defaults", {}):
                arguments.append(f"{keras_name}={spec['defaults'][param]}")  # the TF1 default, written out
        for extra, value in spec.get("fixed", {}).items():
            arguments.append(f"{extra}={value}")
        if spec.get("explicit"):  # no Keras optimizer takes TF1's steps: written out (optimizers.py)
            return OptimizerDef(index, name, ", ".join(arguments), short, schedule, explicit=spec["explicit"])
        return OptimizerDef(index, name, f"{{tf}}.keras.optimizers.{spec['keras']}({', '.join(arguments)})", short,
                            schedule)

    def _minimize(self, index: int, name: str, call: ast.Call, count: int) -> None:
        facts = self.facts
        if count != 1:
            raise self.block(index, call, "`minimize` result assigned to several names")
        receiver = call.func.value
        if isinstance(receiver, ast.Call):
            qualified = self.q(receiver.func)
            if not (qualified and qualified.startswith("tensorflow.train.") and qualified.endswith("Optimizer")):
                raise self.block(index, receiver, "`minimize` on an object the rewrite does not know")
            opt_name = name + "_optimizer" if name != "optimizer" else "optimizer"
            optimizer = self._optimizer(index, receiver, qualified, opt_name)
            optimizer.name = opt_name
            facts.roles[index] = "train-op-inline"
        elif isinstance(receiver, ast.Name) and receiver.id in facts.optimizers:
            optimizer = facts.optimizers[receiver.id]
            facts.roles[index] = "drop"
        else:
            raise self.block(index, call, "`minimize` on an object that is not a `tf.train` optimizer built above")
        if not call.args and not any(k.arg == "loss" for k in call.keywords):
            raise self.block(index, call, "`minimize` without a loss")
        loss = call.args[0] if call.args else next(k.value for k in call.keywords if k.arg == "loss")
        keywords = {k.arg: k.value for k in call.keywords if k.arg != "loss"}
        if len(call.args) > 1:
            positional = ("global_step", "var_list")
            for param, value in zip(positional, call.args[1:]):
                keywords[param] = value
        unknown = set(keywords) - {"global_step", "var_list", "name"}
        if unknown:
            raise self.block(index, call, f"`minimize` with {', '.join(sorted(unknown))}: not converted")
        var_list = None
        if "var_list" in keywords:
            var_list = self._var_list(index, keywords["var_list"])
        step = None
        if "global_step" in keywords:
            node = keywords["global_step"]
            if not (isinstance(node, ast.Name) and node.id in facts.variable_names):
                raise self.block(index, node, "`global_step=` that is not a variable defined above")
            step = node.id
        graph = facts.graph_names()
        loss_deps = names_read(loss)
        if not loss_deps & graph:
            raise self.block(index, loss, "a loss that reads no graph tensor")
        facts.train_ops[name] = TrainOp(index, name, optimizer, ast.unparse(loss), frozenset(loss_deps),
                                        var_list, step)

    def _var_list(self, index: int, node: ast.expr) -> tuple[str, ...]:
        facts = self.facts
        members = {expr for v in facts.variables for expr, _ in v.members}
        if isinstance(node, (ast.List, ast.Tuple)):
            items = tuple(ast.unparse(e) for e in node.elts)
            if all(item in members for item in items):
                return items
        if isinstance(node, ast.Name) and node.id in facts.variable_lists:
            return (f"*{node.id}",)  # a module-level list of variables (a scope's, a filtered collection)
        raise self.block(index, node, "`var_list` that is not a literal list of variables created above "
                                      "(collections and scope lookups are not resolved)")

    def _check_python_inputs(self) -> None:
        """Module-level Python values the graph reads must not change later: the graph froze them."""
        facts = self.facts
        graph = facts.graph_names()
        for node in {id(n): n for n in facts.nodes.values()}.values():
            for name in node.deps & set(facts.opaque):
                raise Blocked(node.index, 1, f"the graph reads `{name}`, made by `{facts.opaque[name]}` from another "
                                             "module: it may hold variables the rewrite cannot see (and the "
                                             "optimizer would not update)")
            for name in node.deps - graph:
                if self.stores.get(name, 0) > 1:
                    raise Blocked(node.index, 1, f"the graph reads `{name}`, which is bound more than once at "
                                                 "module level; a function would see its later value")

    # -- the session body
    def _collect_runs(self) -> None:
        facts = self.facts
        name = facts.session_name
        graph = facts.graph_names()
        self._feed_dicts()
        feed_keys = {id(k) for _, d in facts.feed_dicts.values() for k in d.keys}
        for top, stmt in facts.session_body:
            for extension in self.extensions():
                extension.session_statement(self, top, stmt)
        for top, stmt in facts.session_body:
            run_nodes: set[int] = set(feed_keys) | facts.host_nodes
            loops = self._keyed_loops(top, stmt)
            for loop in loops.values():  # the loop header reads the container: rewritten with the runs
                for inner in ast.walk(loop.loop.iter):
                    run_nodes.add(id(inner))
            looped_ids = {id(sub) for sub, looped in _with_loop_flag(stmt) if looped}
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and \
                        isinstance(sub.func.value, ast.Name) and sub.func.value.id == name and sub.func.attr == "run":
                    fetch = sub.args[0] if len(sub.args) == 1 and not sub.keywords else None
                    special = isinstance(fetch, ast.Call) and self.q(fetch.func) in (*INITIALIZERS, UNINITIALIZED)
                    if fetch is not None and not special and \
                            self._eager_expression(fetch, self._not_in_eval() | {name}):
                        # ``sess.run(<expression>)``: computed like ``<expression>.eval()``
                        facts.evals.append((top, sub, id(sub) in looped_ids))
                        facts.eval_exprs[id(sub)] = sub.args[0]
                    else:
                        facts.runs.append(self._run_site(top, sub, loops))
                    run_nodes.add(id(sub))
                    for inner in ast.walk(sub):
                        run_nodes.add(id(inner))
                elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "run" \
                        and not sub.args and not sub.keywords and isinstance(sub.func.value, ast.Call) \
                        and self.q(sub.func.value.func) in INITIALIZERS:
                    facts.runs.append(RunSite(top, sub, "init", (), ()))  # ``initializer.run()``: variables are ready
                    run_nodes.update(id(inner) for inner in ast.walk(sub))
            for sub in ast.walk(stmt):
                attr = iterators.query(self, sub) if id(sub) not in run_nodes else None
                if attr:
                    facts.queries.append((top, sub, attr))
                    run_nodes.update(id(inner) for inner in ast.walk(sub))
                elif id(sub) not in run_nodes and sparse.value_constructor(self, sub, graph | {name}):
                    facts.sparse_values.append((top, sub))
                    run_nodes.update(id(inner) for inner in ast.walk(sub))
                elif isinstance(sub, ast.Attribute) and (self.q(sub) or "").startswith("tensorflow.errors."):
                    run_nodes.update(id(inner) for inner in ast.walk(sub))  # an exception class: plain Python
            for sub in ast.walk(stmt):
                site = interactive.run_site(self, top, sub) if id(sub) not in run_nodes else None
                if site is not None:
                    if site.shape == "init":
                        self._init_statement(top, stmt, sub)
                    facts.runs.append(site)
                    run_nodes.update(id(inner) for inner in ast.walk(sub))
            edits, allowed = scopes.session_introspection(self, top, stmt, run_nodes)
            if edits:
                facts.session_edits.setdefault(top, []).extend(edits)
            run_nodes |= allowed
            for sub, looped in _with_loop_flag(stmt):
                if id(sub) not in run_nodes and self._eager_eval(sub, self._not_in_eval() | {name}):
                    facts.evals.append((top, sub, looped))
                    for inner in ast.walk(sub):
                        run_nodes.add(id(inner))
            for sub in ast.walk(stmt):
                if id(sub) in run_nodes:
                    continue
                if isinstance(sub, ast.Name) and sub.id == name:
                    raise Blocked(top, sub.lineno, f"`{name}` is used other than by `{name}.run(...)`")
                if isinstance(sub, ast.Name) and sub.id in graph and sub.id != "_":
                    raise Blocked(top, sub.lineno, f"the graph object `{sub.id}` is used directly "
                                                                   "in the Session block, outside `sess.run`")
                if isinstance(sub, ast.Attribute) and sub.attr == "eval":
                    raise Blocked(top, sub.lineno, "`.eval()` on a tensor: not converted")
                if isinstance(sub, (ast.Attribute, ast.Name)) and (self.q(sub) or "").startswith("tensorflow"):
                    # each node is checked on its own (the walk visits the ones inside): an eager `.eval()`'s are skipped
                    raise Blocked(top, sub.lineno, "TensorFlow API used inside the Session block "
                                                                   "outside `sess.run`: the ops it makes would join "
                                                                   "the graph at run time")
                if isinstance(sub, (ast.FunctionDef, ast.Lambda, ast.ClassDef)) and name in names_read(sub):
                    raise Blocked(top, sub.lineno, "the Session is used inside a nested function")

    def _not_in_eval(self) -> set[str]:
        """Graph names an ``<expression>.eval()`` may not read: what needs a feed or is not a value. (Tensors
        and variables it reads are computed in, or read by, the generated function, as the run computed them.)"""
        facts = self.facts
        return set(facts.placeholders) | set(facts.train_ops) | facts.init_ops | set(facts.optimizers) | \
            set(facts.iterators) | facts.rnn_states | {n for n in facts.nodes if any(
                p in facts.dependencies({n}, helpers=False)[1] for p in facts.placeholders)}

    def _eager_eval(self, node: ast.AST, off_limits: set[str]) -> bool:
        """``<expression of TF ops on Python values>.eval()`` in the Session block: the ops join the graph and
        run at once, which is what they do eagerly (``.numpy()``). Not when the expression reads a graph
        tensor, the Session or anything but TensorFlow, Python values and literals (or ``eval`` has arguments)."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "eval"
                and not node.args and not node.keywords):
            return False
        return self._eager_expression(node.func.value, off_limits)

    def _eager_expression(self, value: ast.expr, off_limits: set[str]) -> bool:
        """An expression of TF ops and operators (``tf.subtract(a, b)``, ``w * scale``) on graph tensors,
        variables, Python values and literals: what ``.eval()`` or ``sess.run(<expression>)`` computes."""
        if not isinstance(value, (ast.Call, ast.BinOp, ast.UnaryOp)) or names_read(value) & off_limits:
            return False
        if isinstance(value, (ast.BinOp, ast.UnaryOp)) and not (names_read(value) & self.facts.graph_names()
                                                                 or self.tf_calls(value)):
            return False
        for sub in ast.walk(value):
            if isinstance(sub, ast.Call):
                qualified = self.q(sub.func)
                if not (qualified and qualified.startswith("tensorflow.")):
                    return False
            elif isinstance(sub, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
                return False
        return True

    def _keyed_loops(self, top: int, stmt: ast.stmt) -> dict[int, KeyedLoop]:
        """``for k, t in D.items():`` loops over a literal dict node of tensors, by id of the run fetching ``t``."""
        facts = self.facts
        found: dict[int, KeyedLoop] = {}
        for loop in ast.walk(stmt):
            entry = self._entry_loop(top, loop)
            if entry is not None:
                found.update(entry)
                continue
            if not (isinstance(loop, ast.For) and isinstance(loop.target, ast.Tuple) and len(loop.target.elts) == 2
                    and all(isinstance(e, ast.Name) for e in loop.target.elts) and not loop.orelse
                    and isinstance(loop.iter, ast.Call) and not loop.iter.args and not loop.iter.keywords
                    and isinstance(loop.iter.func, ast.Attribute) and loop.iter.func.attr == "items"
                    and isinstance(loop.iter.func.value, ast.Name)):
                continue
            container = loop.iter.func.value.id
            node = facts.nodes.get(container)
            held = next((v for v in facts.variables if v.target == container), None)
            if held is not None and container not in facts.nodes:
                # a literal dict of variables: each run reads one of them (keys from the members)
                value = self.statements[held.index].body[0].value
            elif node is None or node.targets != (container,):
                continue
            else:
                value = self.statements[node.index].body[0].value
            if not (isinstance(value, ast.Dict) and all(isinstance(k, ast.Constant) and isinstance(k.value, str)
                                                        for k in value.keys)):
                continue
            keys = tuple(k.value for k in value.keys)
            if len(set(keys)) != len(keys):
                continue
            key_var, tensor_var = (e.id for e in loop.target.elts)
            uses = [n for b in loop.body for n in ast.walk(b) if isinstance(n, ast.Name) and n.id == tensor_var]
            runs = [n for b in loop.body for n in ast.walk(b) if isinstance(n, ast.Call) and
                    isinstance(n.func, ast.Attribute) and n.func.attr == "run" and n.args and
                    isinstance(n.args[0], ast.Name) and n.args[0].id == tensor_var]
            rebound = [n for b in loop.body for n in ast.walk(b) if isinstance(n, ast.Name)
                       and n.id in (key_var, tensor_var) and not isinstance(n.ctx, ast.Load)]
            if rebound or len(uses) != len(runs):
                raise Blocked(top, loop.lineno, f"`{tensor_var}` from `{container}.items()` is used other than as "
                                                "the fetch of `sess.run`, or rebound in the loop")
            for run in runs:
                found[id(run)] = KeyedLoop(loop, container, key_var, keys)
        return found

    def _entry_loop(self, top: int, loop: ast.AST) -> dict[int, KeyedLoop] | None:
        """``for k, t in [("a", t1), ("b", t2)]: ... sess.run(t, ...)``, each ``t`` a module-level graph tensor."""
        facts = self.facts
        if not (isinstance(loop, ast.For) and isinstance(loop.target, ast.Tuple) and len(loop.target.elts) == 2
                and all(isinstance(e, ast.Name) for e in loop.target.elts) and not loop.orelse
                and isinstance(loop.iter, (ast.List, ast.Tuple)) and loop.iter.elts):
            return None
        pairs = loop.iter.elts
        if not all(isinstance(p, ast.Tuple) and len(p.elts) == 2 and isinstance(p.elts[1], ast.Name)
                   and p.elts[1].id in facts.nodes for p in pairs):
            return None
        key_var, tensor_var = (e.id for e in loop.target.elts)
        uses = [n for b in loop.body for n in ast.walk(b) if isinstance(n, ast.Name) and n.id == tensor_var]
        runs = [n for b in loop.body for n in ast.walk(b) if isinstance(n, ast.Call) and
                isinstance(n.func, ast.Attribute) and n.func.attr == "run" and n.args and
                isinstance(n.args[0], ast.Name) and n.args[0].id == tensor_var]
        rebound = [n for b in loop.body for n in ast.walk(b) if isinstance(n, ast.Name)
                   and n.id in (key_var, tensor_var) and not isinstance(n.ctx, ast.Load)]
        if rebound or len(uses) != len(runs) or not runs:
            raise Blocked(top, loop.lineno, f"`{tensor_var}`, a graph tensor from the loop's list, is used other "
                                            "than as the fetch of `sess.run`, or rebound in the loop")
        for pair in pairs:
            for sub in ast.walk(pair.elts[0]):
                if isinstance(sub, ast.Name) and sub.id in facts.graph_names():
                    raise Blocked(top, sub.lineno, f"the graph object `{sub.id}` in a loop's list")
        keyed = KeyedLoop(loop, "", key_var, (), tuple(p.elts[1].id for p in pairs),
                          tuple(p.elts[1] for p in pairs), tensor_var)
        return {id(run): keyed for run in runs}

    def _feed_dicts(self) -> None:
        """``feed = {placeholder: value, ...}`` as a statement of the Session block, bound once there and used only
        as ``feed_dict``: its keys become the placeholder names (strings), the runs' calls read its values."""
        facts = self.facts
        body = [stmt for _, stmt in facts.session_body]
        stores: dict[str, int] = {}
        for stmt in body:
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Name) and not isinstance(sub.ctx, ast.Load):
                    stores[sub.id] = stores.get(sub.id, 0) + 1
        for top, stmt in facts.session_body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                    and isinstance(stmt.value, ast.Dict) and stmt.value.keys and all(
                        isinstance(k, ast.Name) and k.id in facts.placeholders for k in stmt.value.keys) \
                    and stores.get(stmt.targets[0].id) == 1 and self.stores.get(stmt.targets[0].id, 0) == 1:
                facts.feed_dicts[stmt.targets[0].id] = (top, stmt.value)

    def _init_statement(self, top: int, stmt: ast.stmt, call: ast.Call) -> None:
        """An initializer run is dropped with its statement: it must be one on its own."""
        if not any(isinstance(s, ast.Expr) and s.value is call for s in ast.walk(stmt)):
            raise Blocked(top, call.lineno, "the result of an initializer run is used")

    def _after_global_init(self, top: int, call: ast.Call) -> None:
        """``sess.run(tf.report_uninitialized_variables())`` is empty in the rewrite (an eager variable is
        initialized when it is created): converted only where TF1's was empty too, after a run of the global
        initializer written directly in the Session block (not in a loop or a branch) and before this run."""
        facts = self.facts
        direct = {id(s.value) for _, s in facts.session_body if isinstance(s, ast.Expr)}
        for run in facts.runs:
            if run.shape == "init" and not run.iterator and not run.local_init and id(run.node) in direct and \
                    (run.top, run.node.lineno) < (top, call.lineno):
                return
        raise Blocked(top, call.lineno, "`report_uninitialized_variables()` not preceded by a run of the global "
                                        "variables initializer in the Session block: in eager TF2 every variable is "
                                        "initialized, so the result could differ")

    def _run_site(self, top: int, call: ast.Call, loops: dict | None = None) -> RunSite:
        facts = self.facts
        where = top

        def fail(node, reason):
            return Blocked(where, node.lineno, reason)

        if not call.args or len(call.args) > 2 or any(k.arg not in ("feed_dict", "fetches") for k in call.keywords):
            raise fail(call, "`sess.run` with options, run metadata or no fetches")
        fetch_node = call.args[0] if call.args else next(k.value for k in call.keywords if k.arg == "fetches")
        feed_node = call.args[1] if len(call.args) > 1 else next(
            (k.value for k in call.keywords if k.arg == "feed_dict"), None)
        if isinstance(fetch_node, ast.Call) and self.q(fetch_node.func) in INITIALIZERS:
            return RunSite(top, call, "init", (), (), local_init=self.q(fetch_node.func) not in INITIALIZERS[:2])
        if isinstance(fetch_node, ast.Call) and self.q(fetch_node.func) == UNINITIALIZED and not fetch_node.args \
                and not fetch_node.keywords and feed_node is None:
            self._after_global_init(top, call)
            return RunSite(top, call, "uninitialized", (), ())
        iterator = iterators.initializer_fetch(self, fetch_node)
        if iterator is not None:
            if not facts.iterators[iterator].initializable:
                raise fail(fetch_node, f"`{iterator}.initializer` of a one-shot iterator")
            items = []
        if iterator is not None:
            shape = "init"
        elif isinstance(fetch_node, (ast.List, ast.Tuple)):
            shape = "list" if isinstance(fetch_node, ast.List) else "tuple"
            items = fetch_node.elts
        else:
            shape, items = "single", [fetch_node]
        fetches = []
        keyed = (loops or {}).get(id(call))
        if keyed is not None and not keyed.entries:
            items = [ast.Name(id=keyed.container, ctx=ast.Load())]
        elif keyed is not None:
            items = [ast.Name(id=keyed.entries[0], ctx=ast.Load())]  # checked here; each entry gets a function
        fetchable = set(facts.nodes) | facts.variable_names | set(facts.train_ops) | facts.init_ops
        for item in items:
            text = ast.unparse(item)
            members = {expr for v in facts.variables for expr, _ in v.members}
            if isinstance(item, ast.Name) and item.id in fetchable or text in members:
                if isinstance(item, ast.Name) and item.id in facts.variable_names and text not in members \
                        and keyed is None and item.id not in facts.aliases:
                    raise fail(item, f"fetch of `{text}`, a container of variables")
                fetches.append(text)
            elif isinstance(item, ast.Name) and item.id in facts.placeholders:
                raise fail(item, f"fetch of the placeholder `{item.id}`")
            else:
                raise fail(item, f"fetch `{text}` is not a graph tensor named at module level (tensors looked up "
                                 "by name, built in the Session or held in containers are not converted)")
        if shape == "single" and fetches and fetches[0] in facts.init_ops:
            return RunSite(top, call, "init", (), (), local_init=fetches[0] not in facts.global_inits)
        if any(f in facts.init_ops for f in fetches):
            raise fail(call, "an initializer fetched together with other values")
        feeds: list[tuple[str, ast.expr]] = []
        feed_var = None
        if isinstance(feed_node, ast.Name) and feed_node.id in facts.feed_dicts:
            feed_var = feed_node.id
            feed_node = facts.feed_dicts[feed_var][1]
        if feed_node is not None:
            if not isinstance(feed_node, ast.Dict) or any(k is None for k in feed_node.keys):
                raise fail(feed_node, "a `feed_dict` that is not a literal dict")
            for key, value in zip(feed_node.keys, feed_node.values):
                if not (isinstance(key, ast.Name) and key.id in facts.placeholders):
                    raise fail(key, f"feeding `{ast.unparse(key)}`, which is not a placeholder (feeding an "
                                    "intermediate tensor replaces part of the graph: not converted)")
                feeds.append((key.id, value))
        return RunSite(top, call, shape, tuple(fetches), tuple(feeds), keyed=keyed, feed_var=feed_var,
                       iterator=iterator)


def _short(qualified: str) -> str:
    return "tf" + qualified[len("tensorflow"):] if qualified.startswith("tensorflow") else qualified


def _with_loop_flag(stmt: ast.AST):
    """Every node under ``stmt`` with whether a loop (or a function, run any number of times) encloses it."""
    stack = [(stmt, False)]
    while stack:
        node, looped = stack.pop()
        yield node, looped
        inner = looped or isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.AsyncFunctionDef,
                                            ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp))
        for child in ast.iter_child_nodes(node):
            stack.append((child, inner))
