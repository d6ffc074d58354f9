"""The one rule selector: which rule sets a run loads, and which of their codes are on.

``convert``, ``lint``, ``rules list`` and ``rules verify`` all choose rules
here, with one meaning (ruff's):

* ``--to TARGET`` names the rule sets (those whose ``targets`` include it);
  ``lint`` defaults to the rule sets marked ``lint``, ``convert`` to
  ``tf2-compat``, the ``rules`` commands to every rule set.
* ``--select``/``--ignore`` take code prefixes; ``ALL`` is every code.  For one
  code the most specific matching prefix decides (``--select TF2002 --ignore
  TF2`` keeps TF2002); on a tie, ignore wins.
* A selector that matches no loaded code is a usage error.  When it matches
  codes of rule sets the target does not load, the message names the target
  flag and the target that has them (a typo is told apart from a code of
  another target).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from migrate.rules import LoadedRule, RuleError, RuleSet, available_rulesets, load_rules, rulesets_for_target

ALL = "ALL"
TARGET_FLAG = "--to"


class SelectionError(RuleError):
    """A selection cannot be used; the message says which flag to change and how."""


def parse_codes(text: str | None) -> tuple[str, ...] | None:
    """``"TF2, pt1001"`` -> ``("TF2", "PT1001")``; None stays None (flag not given)."""
    if text is None:
        return None
    return tuple(part.strip().upper() for part in text.split(",") if part.strip())


def _specificity(code: str, prefixes: Iterable[str]) -> int:
    return max((0 if p == ALL else len(p) for p in prefixes if p == ALL or code.startswith(p)), default=-1)


def code_enabled(code: str, select: Iterable[str], ignore: Iterable[str]) -> bool:
    """The most specific matching prefix decides (``--select TF3001`` beats ``ignore = ["TF3"]``).

    ``ALL`` is the least specific selector; on a tie, ignore wins.
    """
    best_select = _specificity(code, tuple(select))
    return best_select >= 0 and best_select > _specificity(code, tuple(ignore))


def unknown_selectors(selectors: Iterable[str], codes: Iterable[str]) -> list[str]:
    """The selectors that match none of ``codes``."""
    codes = list(codes)
    return [s for s in selectors if s != ALL and not any(c.startswith(s) for c in codes)]


def configured_select(select: Sequence[str], codes: Iterable[str]) -> tuple[str, ...]:
    """A configuration's ``select`` as it applies to the loaded codes.

    One ``[tool.dlmigrate]`` serves several targets: ``select = ["TF3"]`` chooses
    among the lint rules and must not switch a ``--to tf2-compat`` run off.  The
    prefixes that match no loaded code are dropped; when none is left, every code
    of the target is selected.
    """
    codes = list(codes)
    kept = tuple(s for s in select if s == ALL or any(c.startswith(s) for c in codes))
    return kept or (ALL,)


def filter_ruleset(base: RuleSet, select: Iterable[str], ignore: Iterable[str]) -> RuleSet:
    """A ``RuleSet`` holding only the enabled codes of ``base`` (tables rebuilt, so fallbacks stay right)."""
    select, ignore = tuple(select), tuple(ignore)
    subset = RuleSet()
    subset.infos = dict(base.infos)
    for code, rule in base.rules.items():
        if code_enabled(code, select, ignore):
            subset.add(LoadedRule(rule, base.entries.get(code, {})))
    return subset


def target_rulesets(target: str | None, default: str | None = None) -> list[str]:
    """Rule set names for ``target``; ``None`` means ``default``, and no default means every rule set."""
    chosen = target or default
    if chosen is None:
        return list(available_rulesets())
    try:
        return rulesets_for_target(chosen)
    except RuleError as exc:
        raise SelectionError(f"{TARGET_FLAG}: {exc}") from exc


def _targets_having(prefix: str) -> list[str]:
    """The targets whose rule sets contain a code starting with ``prefix``."""
    found = set()
    every = load_rules(available_rulesets())
    for rule in every.rules.values():
        if rule.code.startswith(prefix):
            found.update(every.infos[rule.ruleset].targets)
    return sorted(found)


def check_selectors(selectors: Sequence[str], loaded: Iterable[str], target_text: str, source: str = "") -> None:
    """Raise ``SelectionError`` for a selector that matches no loaded code, saying why.

    ``target_text`` describes what was loaded (``--to lint``); ``source`` names
    where the selectors came from when it is not the command line (a config file).
    """
    bad = unknown_selectors(selectors, loaded)
    if not bad:
        return
    where = f"{source}: " if source else ""
    problems = []
    for selector in bad:
        elsewhere = _targets_having(selector)
        if elsewhere:
            problems.append(f"{selector} is not a rule of {target_text}; it belongs to "
                            + " or ".join(f"{TARGET_FLAG} {t}" for t in elsewhere))
        else:
            problems.append(f"unknown rule code or prefix {selector} (see 'dlmigrate rules list')")
    raise SelectionError(where + "; ".join(problems))


@dataclass(frozen=True)
class Selection:
    """What a run loads: the rule sets and the codes switched on in them."""

    rulesets: tuple[str, ...]
    select: tuple[str, ...] = (ALL,)
    ignore: tuple[str, ...] = ()
    target: str | None = None

    def describe(self) -> str:
        if self.target:
            return f"{TARGET_FLAG} {self.target}"
        return "rule sets " + ", ".join(self.rulesets)

    def load(self, *, check: bool = True) -> RuleSet:
        """The selected rules; ``check`` makes a selector that matches nothing an error."""
        base = load_rules(self.rulesets)
        if check:
            check_selectors((*self.select, *self.ignore), base.rules, self.describe())
        return filter_ruleset(base, self.select, self.ignore) if (self.select != (ALL,) or self.ignore) else base


def make_selection(
    target: str | None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    *,
    default_target: str | None = None,
    rulesets: Sequence[str] | None = None,
) -> Selection:
    """Build a selection from flags; ``rulesets`` (names) wins over the target."""
    names = tuple(rulesets) if rulesets else tuple(target_rulesets(target, default_target))
    known = available_rulesets()
    missing = [n for n in names if n not in known]
    if missing:
        raise SelectionError(f"unknown rule set {', '.join(missing)}; available: {', '.join(sorted(known))}")
    return Selection(names, tuple(select) if select else (ALL,), tuple(ignore or ()),
                     None if rulesets else (target or default_target))
