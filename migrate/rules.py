"""Rule loading: TOML rule files (one code each) -> validated ``Rule`` records + lookup tables.

Layout of the data (``rules/`` at the repo root, shipped as ``migrate/_rules``
inside the wheel)::

    rules/<ruleset>/ruleset.toml          name, title, targets, description
    rules/<ruleset>/<CODE>_<name>.toml    one rule: metadata, entries, examples
    rules/<ruleset>/generated/*.json      bulk tables written by scripts/ (``entries_files``; a table
                                          that is a list of records is keyed by ``entries_key``)

Entry kinds (what ``entries`` holds for each ``kind``):

    rename          {old qualified name: new qualified name}
    reorder         {function: {"params": [v1 positional order], "keep": n}}
                    positional arguments past the first ``keep`` become keywords
    keyword-rename  {function: {old keyword: new keyword}}
    keyword-remove  {function: [keyword, ...]}
    value           {function: {"keyword": k, "new_keyword": k2, "template": "1 - {value}"}}
    finding         {qualified name: {"severity": s, "message": m}}   (call or reference)
    module          {module prefix: {"severity": s, "message": m}}   (any use below it)
    custom          free-form; read by the transform registered for the code
    call-map        {function: {"new": f2, "params": [...], "keep": n, "keywords": {...}, "values": {...},
                    "add": {...}}}: one call moved to another function (``migrate/kinds/call_map.py``)

Each table kind (``TABLE_KINDS``, bar ``custom``) is one module of ``migrate/kinds/table/`` registered with
``@table_kind("rename")``: its entry shape (``check_table_entries``), how ``RuleSet.add`` indexes an entry
into the lookup table it owns, its match decision and its apply.  Kinds past the table kinds are
plug-ins: a module of ``migrate/kinds/`` registers a transform class for the kind's name
(``@register_kind("call-map")``) that checks the entries when a rule is loaded and is built for each
selected rule of the kind (``known_kinds``: no list to edit).

A custom rule that rewrites a whole node may declare ``supersedes = ["TF2001", ...]``: the findings of
those codes on the node its applied fix rewrites are replaced by its own (``plugin.drop_superseded``,
honoured alike by ``lint`` and the engine).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from migrate import rulecache
from migrate.model import Example, Rule, Safety, Severity

CODE_PATTERN = re.compile(r"^[A-Z]{2,5}\d{3,4}$")
REQUIRED = ("code", "name", "kind", "summary", "explanation", "message")


class RuleError(Exception):
    """A rule file is malformed; the message names the file and the problem."""


def table_kinds() -> dict:
    """The table kinds (``migrate/kinds/table/``: one module each) by name, in their fixed order."""
    from migrate.kinds.table import table_kinds as found

    return found()


def check_table_entries(kind: str, entries: dict) -> None:
    """Raise ValueError naming the first entry of a table kind that its ``index`` could not read."""
    table = table_kinds().get(kind)
    if table is None:
        return
    for name, value in entries.items():
        if not table.check(value):
            raise ValueError(f"entry {name!r} of a {kind!r} rule must be {table.shape}; got {value!r}")


def _table_kinds() -> tuple[str, ...]:
    """The kinds ``RuleSet.add`` indexes through their module (``migrate/kinds/table/``), and ``custom``
    (a class per rule code)."""
    return (*table_kinds(), "custom")


def known_kinds() -> tuple[str, ...]:
    """The table kinds, then the kinds registered by ``migrate/kinds/`` modules (imports them)."""
    from migrate.kinds import kind_registry

    return _table_kinds() + tuple(sorted(kind_registry()))


def __getattr__(name: str):
    if name == "KINDS":  # every kind a rule may have (computed: the registered kinds import their modules)
        return known_kinds()
    if name == "TABLE_KINDS":  # the table kinds' modules register them (``migrate.kinds.table``)
        return _table_kinds()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _read(path: Path) -> str:
    """A rule data file's text; recorded for ``migrate.rulecache``'s fingerprint."""
    rulecache.note(path)
    return path.read_text(encoding="utf-8")


def _toml(text: str) -> dict[str, Any]:
    import tomllib  # ~12 ms to import: only when a rule file is parsed (not on a rule-cache hit)

    return tomllib.loads(text)


def rules_root() -> Path:
    """Rule data: inside the installed package, else the source checkout's ``rules/``."""
    packaged = Path(__file__).parent / "_rules"  # what ``importlib.resources.files`` names, no import
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "rules"
    if checkout.is_dir():
        return checkout
    raise RuleError(f"no rule data found (looked in {packaged} and {checkout})")


@dataclass(frozen=True)
class RuleSetInfo:
    name: str
    title: str
    description: str
    targets: tuple[str, ...]
    frameworks: tuple[str, ...]


@dataclass
class LoadedRule:
    rule: Rule
    entries: dict[str, Any]


def _load_entries(path: Path, raw: dict[str, Any]) -> dict[str, Any]:
    entries: dict[str, Any] = {}
    for name in raw.get("entries_files", []):
        table_path = path.parent / name
        try:
            data = json.loads(_read(table_path))
        except (OSError, json.JSONDecodeError) as exc:
            raise RuleError(f"{path.name}: cannot read entries file {name}: {exc}") from exc
        table = data.get("entries", data)
        if isinstance(table, list):  # a generated table of records, keyed by one of their fields
            key = raw.get("entries_key", "name")
            table = {record[key]: record for record in table}
        entries.update(table)
    entries.update(raw.get("entries", {}))  # hand-curated entries override generated ones
    for name in raw.get("exclude", []):
        entries.pop(name, None)
    return entries


def _entry_examples(entries: dict) -> list[tuple[str, dict]]:
    """(entry, example) for the examples an entry carries itself (``[[entries."name".examples]]`` with
    ``before``/``after``), taken out of the entry: they are the rule's examples too, run by the same tests
    and by ``rules verify``, and say which entry they show.  (Examples of another shape, such as the op
    table's executed ``call``/``inputs`` pairs, stay in their entries.)"""
    found = []
    for name, entry in entries.items():
        items = entry.get("examples") if isinstance(entry, dict) else None
        if not isinstance(items, list) or not items or not all(isinstance(e, dict) and "before" in e for e in items):
            continue
        for example in items:
            unknown = sorted(set(example) - {"before", "after", "also", "run", "why_not_run"})
            if unknown:
                raise ValueError(f"entry {name!r}: example field {', '.join(unknown)} is not one of before, after, "
                                 "also, run, why_not_run")
            found.append((name, example))
        del entry["examples"]
    return found


def load_rule_file(path: Path, ruleset: str) -> LoadedRule:
    import tomllib

    try:
        raw = _toml(_read(path))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"{path}: {exc}") from exc
    missing = [key for key in REQUIRED if key not in raw]
    if missing:
        raise RuleError(f"{path.name}: missing {', '.join(missing)}")
    code = raw["code"]
    if not CODE_PATTERN.match(code) or not path.name.startswith(code + "_"):
        raise RuleError(f"{path.name}: code {code!r} must look like TF2001 and prefix the file name")
    kind_class = None
    if raw["kind"] not in _table_kinds():
        from migrate.kinds import kind_registry

        kind_class = kind_registry().get(raw["kind"])
        if kind_class is None:
            raise RuleError(f"{path.name}: unknown kind {raw['kind']!r} (one of {', '.join(known_kinds())})")
    try:
        safety = Safety(raw.get("safety", "none"))
        severity = Severity(raw.get("severity", "info"))
    except ValueError as exc:
        raise RuleError(f"{path.name}: {exc}") from exc
    if safety is not Safety.SAFE and safety is not Safety.NONE and not raw.get("safety_reason"):
        raise RuleError(f"{path.name}: safety {safety.value!r} needs a safety_reason")
    entries = _load_entries(path, raw)
    try:
        own = _entry_examples(entries)
    except ValueError as exc:
        raise RuleError(f"{path.name}: {exc}") from exc
    # a rule-level example may name the entry it shows (``entry = "tensorflow.log"``: any kind, string-valued
    # entries too); an entry that is a table may carry its examples itself (``own``)
    listed = [(e.get("entry"), e) for e in raw.get("examples", [])]
    for entry, _example in listed:
        if entry is not None and entry not in entries:
            raise RuleError(f"{path.name}: an example names entry {entry!r}, which the rule does not have")
    examples = tuple(
        Example(e["before"], e.get("after"), tuple(e.get("also", ())), bool(e.get("run", True)), e.get("why_not_run", ""),
                entry)
        for entry, e in [*listed, *own]
    )
    if any(not e.run and not e.why_not_run for e in examples):
        raise RuleError(f"{path.name}: an example with run = false needs why_not_run")
    if not examples:
        raise RuleError(f"{path.name}: every rule needs at least one example")
    if safety is Safety.NONE and any(e.after is not None and e.after != e.before for e in examples):
        raise RuleError(f"{path.name}: a rule with safety 'none' cannot have an example that rewrites")
    supersedes = raw.get("supersedes", [])
    if not isinstance(supersedes, list) or not all(isinstance(c, str) and CODE_PATTERN.match(c) for c in supersedes):
        raise RuleError(f"{path.name}: supersedes must be a list of rule codes")
    try:
        if kind_class is not None:
            kind_class.check_entries(entries, raw["message"])
        else:
            check_table_entries(raw["kind"], entries)
    except ValueError as exc:
        raise RuleError(f"{path.name}: {exc}") from exc
    explanation = raw["explanation"].strip()
    if raw.get("safety_reason"):
        explanation += "\n\nFix safety: " + raw["safety_reason"].strip()
    rule = Rule(
        code=code,
        name=raw["name"],
        ruleset=ruleset,
        kind=raw["kind"],
        summary=raw["summary"],
        explanation=explanation,
        message=raw["message"],
        fix_title=raw.get("fix_title", ""),
        safety=safety,
        severity=severity,
        examples=examples,
        valid=tuple(v["code"] for v in raw.get("valid", [])),
        entry_count=len(entries),
        source=str(path),
        supersedes=tuple(supersedes),
    )
    return LoadedRule(rule, entries)


def format_message(template: str, **values: str) -> str:
    """Fill a rule's message template; a template naming a value the site lacks is shown as written."""
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def short_name(qualified: str) -> str:
    """``tensorflow.compat.v1.placeholder`` -> ``tf.compat.v1.placeholder``, as users write it."""
    return "tf" + qualified[len("tensorflow"):] if qualified.startswith("tensorflow.") else qualified


@dataclass
class RuleSet:
    """The selected rules and the lookup tables the engine and the scanner use."""

    infos: dict[str, RuleSetInfo] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    renames: dict[str, tuple[str, Rule]] = field(default_factory=dict)
    reorders: dict[str, tuple[tuple[str, ...], int, Rule]] = field(default_factory=dict)
    keyword_renames: dict[str, list[tuple[str, str, Rule]]] = field(default_factory=dict)
    keyword_removals: dict[str, list[tuple[str, Rule]]] = field(default_factory=dict)
    value_rewrites: dict[str, list[tuple[str, str, str, Rule]]] = field(default_factory=dict)
    findings: dict[str, list[tuple[Severity, str, Rule]]] = field(default_factory=dict)
    module_findings: list[tuple[str, Severity, str, Rule]] = field(default_factory=list)
    custom: dict[str, Rule] = field(default_factory=dict)
    _transforms: list | None = field(default=None, repr=False, compare=False)
    _keys: frozenset[str] | None = field(default=None, repr=False, compare=False)
    _module_prefixes: dict | None = field(default=None, repr=False, compare=False)

    def add(self, loaded: LoadedRule) -> None:
        rule, entries = loaded.rule, loaded.entries
        self._keys = self._module_prefixes = None
        if rule.code in self.rules:
            raise RuleError(f"duplicate rule code {rule.code} ({rule.source} and {self.rules[rule.code].source})")
        self.rules[rule.code] = rule
        self.entries[rule.code] = entries
        table = table_kinds().get(rule.kind)
        if table is not None:  # filled by the kind's module (``migrate/kinds/table/``)
            for key, value in entries.items():
                table.index(self, key, value, rule)
            table.indexed(self)
        else:  # ``custom`` or a plug-in kind: backed by a transform, its code's or its kind's
            self.custom[rule.code] = rule

    def transforms(self) -> list:
        """The transforms of the selected rules that have one, built once per rule set: a ``custom`` rule's
        class is registered for its code, a plug-in kind's (``migrate/kinds/``) for its kind.

        Imports libcst (through the registry), so only callers that may rewrite ask.
        """
        if self._transforms is None:
            from migrate.plugin import registry

            custom = {code: rule for code, rule in self.custom.items() if rule.kind == "custom"}
            known = registry({rule.ruleset for rule in custom.values()})
            missing = sorted(code for code in custom if code not in known)
            if missing:
                raise RuleError(f"rules {', '.join(missing)} are kind 'custom' but no transform is registered for them")
            if len(custom) < len(self.custom):
                from migrate.kinds import kind_registry

                known = {**known, **{code: kind_registry()[rule.kind] for code, rule in self.custom.items()
                                     if rule.kind != "custom"}}
            self._transforms = [known[code](rule, self.entries.get(code, {})) for code, rule in sorted(self.custom.items())]
            for transform in self._transforms:
                transform.siblings = tuple(self._transforms)  # the rules it may depend on (PT1047)
                transform.ruleset = self
        return self._transforms

    def module_finding_for(self, qualified: str):
        """The module finding of the longest prefix of ``qualified`` (a whole dotted part) that has one."""
        if not self.module_findings:
            return None
        prefixes = self._module_prefixes
        if prefixes is None:
            prefixes = {}
            for item in self.module_findings:  # most specific first; the first of equal prefixes wins
                prefixes.setdefault(item[0], item)
            self._module_prefixes = prefixes
        found = prefixes.get(qualified)
        while found is None and "." in qualified:
            qualified = qualified.rpartition(".")[0]
            found = prefixes.get(qualified)
        return found

    def keys(self) -> frozenset[str]:
        """Every qualified name some table reacts to (for cheap pre-filtering); built once per rule set."""
        if self._keys is None:
            from migrate.kinds.table import keyed_tables

            self._keys = frozenset().union(*keyed_tables(self))
        return self._keys


def available_rulesets(root: Path | None = None) -> dict[str, RuleSetInfo]:
    if root is None:  # the shipped rule data: through the cache of parsed rules
        root = rules_root()
        return rulecache.cached(("available_rulesets", str(root)), lambda: _available_rulesets(root))
    return _available_rulesets(root)


def _available_rulesets(root: Path) -> dict[str, RuleSetInfo]:
    infos = {}
    rulecache.note(root)
    for meta in sorted(root.glob("*/ruleset.toml")):
        rulecache.note(meta.parent)
        raw = _toml(_read(meta))
        infos[meta.parent.name] = RuleSetInfo(
            name=meta.parent.name,
            title=raw.get("title", meta.parent.name),
            description=raw.get("description", ""),
            targets=tuple(raw.get("targets", [])),
            frameworks=tuple(raw.get("frameworks", [])),
        )
    return infos


def rulesets_for_target(target: str, root: Path | None = None) -> list[str]:
    names = [name for name, info in available_rulesets(root).items() if target in info.targets]
    if not names:
        known = sorted({t for info in available_rulesets(root).values() for t in info.targets})
        raise RuleError(f"unknown target {target!r}; known targets: {', '.join(known)}")
    return names


def load_rules(
    rulesets: Iterable[str],
    select: Iterable[str] = ("ALL",),
    ignore: Iterable[str] = (),
    root: Path | None = None,
) -> RuleSet:
    rulesets, select, ignore = tuple(rulesets), tuple(select), tuple(ignore)
    if root is None:  # the shipped rule data: through the cache of parsed rules (``migrate.rulecache``)
        root = rules_root()
        every = rulecache.cached(("load_rules", str(root), rulesets), lambda: _load_rules(rulesets, ("ALL",), (), root))
        if (select, ignore) == (("ALL",), ()):
            return every
        from migrate.selection import filter_ruleset  # one cache entry per rule-set list, not per selection

        return filter_ruleset(every, select, ignore)
    return _load_rules(rulesets, select, ignore, root)


def _load_rules(rulesets: tuple[str, ...], select: tuple[str, ...], ignore: tuple[str, ...], root: Path) -> RuleSet:
    from migrate.selection import code_enabled  # the one selector's semantics (most specific prefix wins)

    infos = available_rulesets(None if root == rules_root() else root)
    ruleset = RuleSet()
    for name in rulesets:
        if name not in infos:
            raise RuleError(f"unknown rule set {name!r}; available: {', '.join(sorted(infos))}")
        ruleset.infos[name] = infos[name]
        for path in _rule_files(root, name):
            owner = path.parent.name
            if owner != name and owner in rulesets:
                continue  # included by this rule set, loaded whole by its own
            loaded = load_rule_file(path, owner)
            if owner != name:
                loaded = _without(loaded, _excluded_entries(root, name))
            code = loaded.rule.code
            if code_enabled(code, select, ignore):
                ruleset.add(loaded)
    return ruleset


def _excluded_entries(root: Path, name: str) -> set[str]:
    """Entries an including rule set leaves out of the rules it borrows (``exclude_files`` of its ruleset.toml)."""
    meta = _toml(_read(root / name / "ruleset.toml"))
    names: set[str] = set()
    for relative in meta.get("exclude_files", []):
        names.update(json.loads(_read(root / name / relative))["names"])
    return names


def _without(loaded: LoadedRule, names: set[str]) -> LoadedRule:
    if not names:
        return loaded
    entries = {k: v for k, v in loaded.entries.items() if k not in names}
    return LoadedRule(replace(loaded.rule, entry_count=len(entries)), entries)


def _rule_files(root: Path, name: str) -> list[Path]:
    """The rule set's own rule files, then the ones its ``include`` list borrows from another rule set.

    ``include = ["tf1_to_tf2/TF2001_renamed-symbol.toml"]`` lets a rule set reuse a
    rule under its own code: ``lint`` reports TF1-only names with convert's codes.
    When the owning rule set is loaded too, the rule comes from it, whole.
    """
    rulecache.note(root / name)  # a rule file added or removed changes the directory's mtime
    own = [p for p in sorted((root / name).glob("*.toml")) if p.name != "ruleset.toml"]
    meta = root / name / "ruleset.toml"
    rulecache.note(meta)
    borrowed = _toml(_read(meta)).get("include", []) if meta.is_file() else []
    return own + [root / relative for relative in borrowed]


def all_rules(root: Path | None = None) -> list[Rule]:
    root = root or rules_root()
    return list(load_rules(available_rulesets(root), root=root).rules.values())
