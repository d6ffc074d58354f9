"""The table kinds as one module each (migrate/kinds/table/): the registry finds every module, each
checks its entries (a malformed one is a RuleError naming it), fills the RuleSet table it owns, and
its match decision is the one both lint's checker and the libcst engine report (no mirrored copy)."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from migrate import rules
from migrate.engine import transform_source
from migrate.kinds.table import TableHit, TableKind, argument_kinds, table_kinds
from migrate.kinds.table import finding as finding_kind, module as module_kind
from migrate.lint import check_module
from migrate.model import Safety, Severity
from migrate.rules import RuleError, RuleSet, load_rule_file, load_rules

NAMES = ("rename", "reorder", "keyword-rename", "keyword-remove", "value", "finding", "module")

RULE = '''
code = "{code}"
name = "{name}"
kind = "{kind}"
summary = "a {kind} rule"
explanation = "A test family's {kind} table."
message = "{message}"
safety = "{safety}"
{reason}
{entries}

[[examples]]
before = "import torch"
after = "import torch"
'''

# one rule per table kind: (code, kind, message, safety, entries)
FAMILY = [
    ("MK1001", "rename", "`{old}` is `{new}`", "safe", '[entries]\n"torch.oldlib.scale" = "torch.newlib.scale"\n'),
    ("MK1002", "reorder", "`{name}`: pass {keywords} by keyword", "safe",
     '[entries."torch.newlib.mix"]\nparams = ["input", "weight", "bias"]\nkeep = 1\n'),
    ("MK1003", "keyword-rename", "`{name}`: `{old}` is `{new}`", "safe",
     '[entries."torch.newlib.mix"]\nweight = "w"\n'),
    ("MK1004", "keyword-remove", "`{name}`: `{old}` is gone", "review",
     '[entries]\n"torch.newlib.mix" = ["verbose"]\n'),
    ("MK1005", "value", "`{name}`: `{old}` is `{new}`", "review",
     '[entries."torch.newlib.mix"]\nkeyword = "keep"\nnew_keyword = "drop"\ntemplate = "1 - {value}"\n'),
    ("MK1006", "finding", "`{name}` is slow", "none", '[entries."torch.newlib.slow"]\nmessage = "`{name}` is slow"\n'),
    ("MK1007", "module", "`{name}` is gone with `{module}`", "none",
     '[entries."torch.oldlib"]\nmessage = "`{name}` is gone with `{module}`"\nseverity = "warning"\n'
     '[entries."torch.oldlib.deep"]\nmessage = "`{name}` is below `{module}`"\n'),
]


def _write(folder: Path, code: str, kind: str, message: str, safety: str, entries: str) -> Path:
    path = folder / f"{code}_{kind}-rule.toml"
    reason = 'safety_reason = "the test says so"' if safety == "review" else ""
    path.write_text(RULE.format(code=code, name=f"{kind}-rule", kind=kind, message=message.replace('"', '\\"'),
                                safety=safety, reason=reason, entries=entries))
    return path


def _family(root: Path, rules_=FAMILY) -> Path:
    folder = root / "mini_tables"
    folder.mkdir(parents=True)
    (folder / "ruleset.toml").write_text('title = "test family"\ntargets = ["mini"]\nframeworks = ["torch"]\n')
    for rule in rules_:
        _write(folder, *rule)
    return folder


def test_every_table_kind_is_a_module_found_by_the_registry():
    kinds = table_kinds()
    assert tuple(kinds) == NAMES  # in their fixed order
    for name, kind in kinds.items():
        assert issubclass(kind, TableKind) and kind.name == name
        assert kind.__module__ == "migrate.kinds.table." + name.replace("-", "_")
        assert kind.table in {f.name for f in dataclasses.fields(RuleSet)}
        assert kind.shape and kind.check is not TableKind.check and kind.index is not TableKind.index
    assert rules.TABLE_KINDS == (*NAMES, "custom")
    assert rules.known_kinds()[:len(NAMES) + 1] == rules.TABLE_KINDS
    # the argument steps run in this order (positional meaning before names, names before values)
    assert [k.name for k in argument_kinds()] == ["reorder", "keyword-rename", "keyword-remove", "value"]


@pytest.mark.parametrize("kind, entries", [
    ("rename", '[entries]\n"torch.a" = ""\n'),
    ("rename", '[entries]\n"torch.a" = 3\n'),
    ("reorder", '[entries."torch.a"]\nparams = ["x"]\nkeep = 2\n'),
    ("reorder", '[entries."torch.a"]\nparams = "x"\nkeep = 0\n'),
    ("reorder", '[entries."torch.a"]\nparams = ["x"]\nkeep = true\n'),
    ("keyword-rename", '[entries."torch.a"]\nx = 1\n'),
    ("keyword-rename", '[entries."torch.a"]\nx = ""\n'),
    ("keyword-remove", '[entries]\n"torch.a" = "x"\n'),
    ("keyword-remove", '[entries]\n"torch.a" = ["x", ""]\n'),
    ("value", '[entries."torch.a"]\nkeyword = "k"\ntemplate = "1 - k"\n'),
    ("value", '[entries."torch.a"]\ntemplate = "1 - {value}"\n'),
    ("finding", '[entries."torch.a"]\nseverity = "warning"\n'),
    ("finding", '[entries."torch.a"]\nmessage = "m"\nseverity = "fatal"\n'),
    ("module", '[entries."torch.a"]\nmessage = ""\n'),
])
def test_a_malformed_table_entry_is_a_rule_error_naming_file_entry_and_shape(tmp_path, kind, entries):
    folder = tmp_path / "mini_tables"
    folder.mkdir()
    path = _write(folder, "MK2001", kind, "m", "none", entries)
    with pytest.raises(RuleError) as error:
        load_rule_file(path, "mini_tables")
    text = str(error.value)
    shape = table_kinds()[kind].shape
    assert text.startswith(f"{path.name}: entry 'torch.a' of a '{kind}' rule must be {shape}; got "), text


def test_each_kind_fills_the_ruleset_table_it_owns(tmp_path):
    _family(tmp_path)
    rs = load_rules(["mini_tables"], root=tmp_path)
    assert set(rs.rules) == {code for code, *_ in FAMILY}
    assert rs.renames == {"torch.oldlib.scale": ("torch.newlib.scale", rs.rules["MK1001"])}
    assert rs.reorders == {"torch.newlib.mix": (("input", "weight", "bias"), 1, rs.rules["MK1002"])}
    assert rs.keyword_renames == {"torch.newlib.mix": [("weight", "w", rs.rules["MK1003"])]}
    assert rs.keyword_removals == {"torch.newlib.mix": [("verbose", rs.rules["MK1004"])]}
    assert rs.value_rewrites == {"torch.newlib.mix": [("keep", "drop", "1 - {value}", rs.rules["MK1005"])]}
    assert rs.findings == {"torch.newlib.slow": [(Severity.INFO, "`{name}` is slow", rs.rules["MK1006"])]}
    # most specific prefix first; an entry's own severity, else the rule's
    assert [(p, s) for p, s, _m, _r in rs.module_findings] == [("torch.oldlib.deep", Severity.INFO),
                                                                ("torch.oldlib", Severity.WARNING)]
    assert rs.keys() == {"torch.oldlib.scale", "torch.newlib.mix", "torch.newlib.slow"}
    assert rs.custom == {}  # no table rule is backed by a transform


SOURCE = '''import torch

y = torch.oldlib.scale(x)
z = torch.newlib.mix(a, b, c, verbose=True, keep=p + q)
torch.newlib.slow(z)
torch.oldlib.other(y)
w = torch.oldlib.deep.thing
'''


def _codes(findings):
    return sorted((f.code, f.line, f.message) for f in findings)


def test_lint_and_convert_report_the_kind_modules_decisions(tmp_path, monkeypatch):
    _family(tmp_path)
    rs = load_rules(["mini_tables"], root=tmp_path)
    result = transform_source(SOURCE, rs, filename="m.py")
    assert result.code == SOURCE.replace("torch.oldlib.scale(x)", "torch.newlib.scale(x)").replace(
        "mix(a, b, c, verbose=True, keep=p + q)", "mix(a, w=b, bias=c, drop=1 - (p + q))")
    linted = _codes(check_module(SOURCE, rs, "m.py"))
    assert linted == _codes(result.findings)
    assert linted == [
        ("MK1001", 3, "`torch.oldlib.scale` is `torch.newlib.scale`"),
        ("MK1002", 4, "`torch.newlib.mix`: pass weight, bias by keyword"),
        ("MK1003", 4, "`torch.newlib.mix`: `weight` is `w`"),
        ("MK1004", 4, "`torch.newlib.mix`: `verbose` is gone"),
        ("MK1005", 4, "`torch.newlib.mix`: `keep` is `drop`"),
        ("MK1006", 5, "`torch.newlib.slow` is slow"),
        ("MK1007", 3, "`torch.oldlib.scale` is gone with `torch.oldlib`"),
        ("MK1007", 6, "`torch.oldlib.other` is gone with `torch.oldlib`"),
        ("MK1007", 7, "`torch.oldlib.deep.thing` is below `torch.oldlib.deep`"),
    ]  # (a warning entry is reported under a rename too; an error entry gives way: the test below)

    # one decision: changing a kind module's match changes what both lint and convert report
    def louder(ruleset, qualified):
        return [dataclasses.replace(hit, severity=Severity.ERROR, message=hit.message + "!")
                for hit in original(ruleset, qualified)]

    original = finding_kind.match
    monkeypatch.setattr(finding_kind, "match", louder)
    monkeypatch.setattr(module_kind, "match", lambda *args, **kwargs: None)
    for findings in (check_module(SOURCE, rs, "m.py"), transform_source(SOURCE, rs, filename="m.py").findings):
        assert not any(f.code == "MK1007" for f in findings)
        slow = [f for f in findings if f.code == "MK1006"]
        assert [(f.message, f.severity, f.safety) for f in slow] == [("`torch.newlib.slow` is slow!", Severity.ERROR,
                                                                      Safety.NONE)]


def test_an_error_module_finding_gives_way_to_a_fixable_rename(tmp_path):
    family = [rule for rule in FAMILY if rule[1] in ("rename", "module")]
    family[1] = (*family[1][:4], '[entries."torch.oldlib"]\nmessage = "`{name}` is gone"\nseverity = "error"\n')
    _family(tmp_path, family)
    rs = load_rules(["mini_tables"], root=tmp_path)
    hit = module_kind.match(rs, "torch.oldlib.scale", lambda rule: True, lambda: ())
    assert hit is None  # the rename moves it out of the removed module
    hit = module_kind.match(rs, "torch.oldlib.scale", lambda rule: False, lambda: ())
    assert hit == TableHit(rs.rules["MK1007"], "`torch.oldlib.scale` is gone", Severity.ERROR, Safety.NONE)
    source = "import torch\ntorch.oldlib.scale(1)\ntorch.oldlib.other(2)\n"
    converted = transform_source(source, rs, filename="m.py")
    assert _codes(check_module(source, rs, "m.py")) == _codes(converted.findings) == [
        ("MK1001", 2, "`torch.oldlib.scale` is `torch.newlib.scale`"), ("MK1007", 3, "`torch.oldlib.other` is gone")]
