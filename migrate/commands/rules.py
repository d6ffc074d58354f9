"""``dlmigrate rules list|explain``: what the rule sets contain."""
from __future__ import annotations

import sys
from collections import Counter

from migrate.rules import RuleError, available_rulesets, load_rules


def register(sub) -> None:
    parser = sub.add_parser("rules", help="list and explain the rules")
    actions = parser.add_subparsers(dest="rules_action", metavar="ACTION")
    listing = actions.add_parser("list", help="one line per rule")
    listing.add_argument("--ruleset", action="append", help="only this rule set (repeatable)")
    listing.set_defaults(run=run_list)
    explain = actions.add_parser("explain", help="everything about one rule code")
    explain.add_argument("code")
    explain.set_defaults(run=run_explain)
    parser.set_defaults(run=lambda args: parser.print_help(sys.stderr) or 2)


def run_list(args) -> int:
    try:
        names = args.ruleset or list(available_rulesets())
        ruleset = load_rules(names)
    except RuleError as exc:
        print(f"dlmigrate: {exc}", file=sys.stderr)
        return 2
    kinds: Counter[str] = Counter()
    print(f"{'code':<8} {'kind':<15} {'safety':<7} {'entries':>7}  summary")
    for code, rule in sorted(ruleset.rules.items()):
        kinds[rule.kind] += rule.entry_count or 1
        print(f"{code:<8} {rule.kind:<15} {rule.safety.value:<7} {rule.entry_count:>7}  {rule.summary}")
    print(f"\n{len(ruleset.rules)} rules; entries by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    return 0


def run_explain(args) -> int:
    try:
        ruleset = load_rules(list(available_rulesets()))
    except RuleError as exc:
        print(f"dlmigrate: {exc}", file=sys.stderr)
        return 2
    rule = ruleset.rules.get(args.code.upper())
    if rule is None:
        print(f"dlmigrate: no rule {args.code!r}; see 'dlmigrate rules list'", file=sys.stderr)
        return 2
    print(f"{rule.code} {rule.name}  [{rule.ruleset}, {rule.kind}, fix: {rule.safety.value}, severity: {rule.severity.value}]")
    print(f"\n{rule.summary}\n\n{rule.explanation}\n")
    if rule.fix_title:
        print(f"Fix: {rule.fix_title}\n")
    if rule.entry_count:
        print(f"Entries: {rule.entry_count}\n")
    for number, example in enumerate(rule.examples, 1):
        print(f"Example {number}, before:\n{_indent(example.before)}")
        if example.after is not None and example.after != example.before:
            print(f"after:\n{_indent(example.after)}")
        else:
            print("(reported, not rewritten)\n")
    return 0


def _indent(text: str) -> str:
    return "".join("    " + line + "\n" for line in text.strip("\n").split("\n"))
