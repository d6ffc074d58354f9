"""``dlmigrate rules list|explain|verify``: what the rule sets contain, and proof by execution."""
from __future__ import annotations

import sys
from collections import Counter

from migrate.cli import usage_error
from migrate.rules import RuleError, short_name


def register(sub) -> None:
    parser = sub.add_parser("rules", help="list and explain the rules")
    actions = parser.add_subparsers(dest="rules_action", metavar="ACTION")
    listing = actions.add_parser("list", help="one line per rule")
    _selection_arguments(listing)
    listing.set_defaults(run=run_list)
    explain = actions.add_parser("explain", help="everything about one rule code")
    explain.add_argument("code")
    explain.set_defaults(run=run_explain)
    verify = actions.add_parser(
        "verify", help="EXECUTE every rule example's before and after and compare their results",
        description="Run each rule example's before and after as stand-alone programs (through the same "
        "executor as 'dlmigrate validate', which EXECUTES code) and compare what they compute. "
        "Examples that cannot run say why.",
    )
    verify.add_argument("codes", nargs="*", metavar="CODE", help="only rules whose code starts with these "
                        "(the same as --select)")
    _selection_arguments(verify)
    verify.add_argument("--jobs", "-j", type=int, default=1, help="example pairs run at once (each pair is 2 processes)")
    verify.add_argument("--json", help="write every outcome as JSON to this file")
    from migrate.commands.validate import add_execution_arguments

    add_execution_arguments(verify)
    verify.set_defaults(run=run_verify)
    parser.set_defaults(run=lambda args: parser.print_help(sys.stderr) or 2)


def _selection_arguments(parser) -> None:
    parser.add_argument("--to", dest="target", metavar="TARGET", help="only the rule sets of this target")
    parser.add_argument("--ruleset", action="append", help="only this rule set (repeatable; wins over --to)")
    parser.add_argument("--select", help="comma-separated rule code prefixes (the most specific prefix wins)")
    parser.add_argument("--ignore", help="comma-separated rule code prefixes to leave out")


def _load(args, extra_select: tuple[str, ...] = ()):
    """The selected rules (every rule set when no target or rule set is named), or None after printing why."""
    from migrate.selection import make_selection, parse_codes

    select = (*(parse_codes(getattr(args, "select", None)) or ()), *extra_select)
    try:
        selection = make_selection(getattr(args, "target", None), select or None,
                                   parse_codes(getattr(args, "ignore", None)),
                                   rulesets=getattr(args, "ruleset", None))
        return selection.load()
    except RuleError as exc:
        usage_error(str(exc))
        return None


def run_list(args) -> int:
    ruleset = _load(args)
    if ruleset is None:
        return 2
    kinds: Counter[str] = Counter()
    print(f"{'code':<8} {'kind':<15} {'safety':<7} {'entries':>7}  summary")
    for code, rule in sorted(ruleset.rules.items()):
        kinds[rule.kind] += rule.entry_count or 1
        print(f"{code:<8} {rule.kind:<15} {rule.safety.value:<7} {rule.entry_count:>7}  {rule.summary}")
    print(f"\n{len(ruleset.rules)} rules; entries by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    return 0


def run_explain(args) -> int:
    ruleset = _load(args)
    if ruleset is None:
        return 2
    rule = ruleset.rules.get(args.code.upper())
    if rule is None:
        return usage_error(f"no rule {args.code!r}; see 'dlmigrate rules list'")
    print(f"{rule.code} {rule.name}  [{rule.ruleset}, {rule.kind}, fix: {rule.safety.value}, severity: {rule.severity.value}]")
    print(f"\n{rule.summary}\n\n{rule.explanation}\n")
    if rule.fix_title:
        print(f"Fix: {rule.fix_title}\n")
    if rule.entry_count:
        print(f"Entries: {rule.entry_count}\n")
    for number, example in enumerate(rule.examples, 1):
        shows = f" (entry {short_name(example.entry)})" if example.entry else ""
        print(f"Example {number}{shows}, before:\n{_indent(example.before)}")
        if example.after is not None and example.after != example.before:
            print(f"after:\n{_indent(example.after)}")
        else:
            print("(reported, not rewritten)\n")
    return 0


def _indent(text: str) -> str:
    return "".join("    " + line + "\n" for line in text.strip("\n").split("\n"))


def run_verify(args) -> int:
    import json

    from migrate.commands.validate import missing_validate_extra

    problem = missing_validate_extra()
    if problem:
        return usage_error(problem)
    from migrate.commands.validate import options_from_args
    from migrate.validate.rules_verify import verify_exit_code, verify_rules, verify_table

    ruleset = _load(args, tuple(code.upper() for code in args.codes))
    if ruleset is None:
        return 2
    if set(getattr(args, "ruleset", None) or ()) & {"tf_to_torch", "torch_to_tf"}:
        # the op tables: every entry run in one process per framework, cached by entry hash
        from migrate.tf_to_torch.proof.verify import run_table_verify

        return run_table_verify(args)
    rules = [rule for _code, rule in sorted(ruleset.rules.items())]
    if not rules:
        return usage_error("no rule selected")
    outcomes = verify_rules(rules, options_from_args(args), jobs=args.jobs)
    print(verify_table(outcomes))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump([o.to_dict() for o in outcomes], handle, indent=1, default=str)
    return verify_exit_code(outcomes)
