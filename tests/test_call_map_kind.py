"""Rule kinds as plug-ins (migrate/kinds/): the registry, entry checks, and the call-map kind used by a
family of its own (a rules folder made here, not tf1_to_tf2)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from migrate import rules
from migrate.engine import transform_source
from migrate.kinds import kind_registry
from migrate.kinds.call_map import CallMap
from migrate.lint import check_module
from migrate.model import Safety
from migrate.rules import RuleError, load_rule_file, load_rules

RULE = '''
code = "MT1001"
name = "moved-scale"
kind = "{kind}"
summary = "oldlib.scale is newlib.scale"
explanation = "A test family's call-map."
message = "`{{old}}` is `{{new}}` now ({{unit}})"
fix_title = "Call `{{new}}`"
safety = "safe"
supersedes = ["MT1002"]
{entries}

[[examples]]
before = "import torch"
after = "import torch"
'''

ENTRIES = '''
[entries."torch.oldlib.scale"]
new = "torch.newlib.scale"
params = ["input", "factor", "keep_prob", "name"]
keep = 1
keywords = { factor = "alpha", keep_prob = "rate", name = "" }
values = { keep_prob = "1 - {value}" }
add = { dtype = "torch.float32" }
message_fields = { unit = "per element" }

[entries."torch.oldlib.shift"]
new = "torch.newlib.shift"
params = ["input", "by"]
keep = 2
message_fields = { unit = "by position" }
safety = "review"
why = "shift wraps around in newlib"
'''

RENAME = '''
code = "MT1002"
name = "renamed-scale"
kind = "rename"
summary = "a rename the call-map supersedes"
explanation = "The callee's rename, replaced by the whole-call rewrite."
message = "`{old}` is `{new}`"
safety = "safe"

[entries]
"torch.oldlib.scale" = "torch.compat.scale"

[[examples]]
before = "import torch"
after = "import torch"
'''


def _family(root: Path, kind: str = "call-map", entries: str = ENTRIES) -> Path:
    folder = root / "mini_torch"
    folder.mkdir(parents=True)
    (folder / "ruleset.toml").write_text('title = "test family"\ntargets = ["mini"]\nframeworks = ["torch"]\n')
    (folder / "MT1001_moved-scale.toml").write_text(RULE.format(kind=kind, entries=entries))
    (folder / "MT1002_renamed-scale.toml").write_text(RENAME)
    return folder


def test_the_kinds_are_the_table_kinds_and_the_registered_ones():
    assert kind_registry()["call-map"] is CallMap
    assert rules.KINDS == rules.TABLE_KINDS + ("call-map",) or set(rules.KINDS) >= {*rules.TABLE_KINDS, "call-map"}
    assert "call-map" not in rules.TABLE_KINDS


def test_a_kind_nobody_registered_is_an_error_naming_the_known_kinds(tmp_path):
    folder = _family(tmp_path, kind="call-mapping")
    with pytest.raises(RuleError) as error:
        load_rule_file(folder / "MT1001_moved-scale.toml", "mini_torch")
    text = str(error.value)
    assert "MT1001_moved-scale.toml" in text and "'call-mapping'" in text
    assert "call-map" in text.split("one of", 1)[1] and "rename" in text


@pytest.mark.parametrize("entry, problem", [
    ('[entries."torch.a"]\nparams = ["x"]\n', "missing `new`"),
    ('[entries."torch.a"]\nnew = "torch.b"\nparams = "x, y"\n', "params must be a list"),
    ('[entries."torch.a"]\nnew = "torch.b"\nrename = { x = "y" }\n', "unknown field rename"),
    ('[entries."torch.a"]\nnew = "torch.b"\nparams = ["x"]\nkeep = 2\n', "keep must be"),
    ('[entries."torch.a"]\nnew = "torch.b"\nvalues = { p = "1 - p" }\n', "values.p must use {value}"),
    ('[entries."torch.a"]\nnew = "torch.b"\nsafety = "review"\n', "needs a `why`"),
    ('[entries."torch.a"]\nnew = "torch.b"\nkeywords = { x = 1 }\n', "keywords must be a table of strings"),
    ('[entries]\n"torch.a" = "torch.b"\n', "must be a table"),
    ('[entries."torch.a"]\nnew = "torch.b"\n', "the message names unit, which its message_fields lack"),
])
def test_a_malformed_call_map_entry_is_an_error_naming_file_and_entry(tmp_path, entry, problem):
    folder = _family(tmp_path, entries=entry)
    with pytest.raises(RuleError) as error:
        load_rule_file(folder / "MT1001_moved-scale.toml", "mini_torch")
    text = str(error.value)
    assert text.startswith("MT1001_moved-scale.toml: entry 'torch.a'"), text
    assert problem in text, text


def _ruleset(tmp_path):
    _family(tmp_path)
    return load_rules(["mini_torch"], root=tmp_path)


SOURCE = textwrap.dedent('''
    import torch as T
    y = T.oldlib.scale(x, 2, a + b, name="n")
    z = T.oldlib.scale(x, factor=3)
    s = T.oldlib.shift(x, 1)
    w = T.oldlib.scale(*parts)
''')


def test_a_call_map_rule_of_another_family_converts(tmp_path):
    ruleset = _ruleset(tmp_path)
    assert ruleset.rules["MT1001"].kind == "call-map" and "MT1001" in ruleset.custom
    [transform] = ruleset.transforms()
    assert isinstance(transform, CallMap) and transform.code == "MT1001"
    result = transform_source(SOURCE, ruleset)
    assert result.code == textwrap.dedent('''
        import torch as T
        y = T.newlib.scale(x, dtype=T.float32, alpha=2, rate=1 - (a + b))
        z = T.newlib.scale(x, dtype=T.float32, alpha=3)
        s = T.newlib.shift(x, 1)
        w = T.compat.scale(*parts)
    ''')
    found = sorted((f.line, f.code, f.fixed, f.safety, f.message) for f in result.findings)
    assert found == [
        (3, "MT1001", True, Safety.SAFE, "`torch.oldlib.scale` is `torch.newlib.scale` now (per element)"),
        (4, "MT1001", True, Safety.SAFE, "`torch.oldlib.scale` is `torch.newlib.scale` now (per element)"),
        (5, "MT1001", True, Safety.REVIEW,
         "`torch.oldlib.shift` is `torch.newlib.shift` now (by position) (shift wraps around in newlib)"),
        # ``*parts`` cannot be moved exactly: reported, not rewritten; the rename it would supersede stays
        (6, "MT1001", False, Safety.SAFE, "`torch.oldlib.scale` is `torch.newlib.scale` now (per element)"),
        (6, "MT1002", True, Safety.SAFE, "`torch.oldlib.scale` is `torch.compat.scale`"),
    ]
    assert transform_source(result.code, ruleset).code == result.code  # idempotent


def test_a_call_map_rule_of_another_family_lints_as_it_converts(tmp_path):
    ruleset = _ruleset(tmp_path)
    converted = transform_source(SOURCE, ruleset)
    linted = check_module(SOURCE, ruleset)
    assert sorted((f.line, f.column, f.code, f.message) for f in linted) == \
        sorted((f.line, f.column, f.code, f.message) for f in converted.findings)


def test_an_added_name_is_imported_when_the_file_lacks_the_module(tmp_path):
    _family(tmp_path)
    ruleset = load_rules(["mini_torch"], ignore=["MT1002"], root=tmp_path)  # (MT1002 would rename the import)
    source = "from torch.oldlib import scale\ny = scale(x)\n"
    assert transform_source(source, ruleset).code == (
        "from torch.oldlib import scale\nimport torch\ny = torch.newlib.scale(x, dtype=torch.float32)\n")


def test_an_entry_carries_its_own_examples_which_run_as_the_rules():
    # TF2009's `tf.arg_max` entry holds an example: lifted into the rule's examples (so tests/test_rule_examples.py
    # rewrites it and `rules verify` executes it), marked with its entry, and gone from the entry's data
    from migrate.engine import transform_source
    from migrate.lint import CONVERT_APPLY

    rules = load_rules(["tf1_to_tf2"], select=["TF2009"])
    shown = [e for e in rules.rules["TF2009"].examples if e.entry == "tensorflow.arg_max"]
    assert len(shown) == 1 and "examples" not in rules.entries["TF2009"]["tensorflow.arg_max"]
    assert transform_source(shown[0].before, rules, apply=CONVERT_APPLY).code == shown[0].after


def _one_rule_family(root: Path, kind: str, rest: str) -> None:
    """A TF family "fam" holding one rule FM1001 of ``kind``; ``rest``: its TOML after the common fields."""
    family = root / "fam"
    family.mkdir()
    (family / "ruleset.toml").write_text('title = "t"\ntargets = ["t"]\nframeworks = ["tensorflow"]\n')
    (family / "FM1001_one.toml").write_text(
        f'code = "FM1001"\nname = "one"\nkind = "{kind}"\nsummary = "s"\nexplanation = "e"\n'
        'message = "`{old}` is `{new}`"\nsafety = "safe"\n' + rest)


def test_an_entry_example_with_an_unknown_field_is_a_rule_error(tmp_path):
    _one_rule_family(tmp_path, "call-map", '[entries."tensorflow.arg_max"]\nnew = "tensorflow.math.argmax"\n'
                     '[[entries."tensorflow.arg_max".examples]]\nbefore = "x"\nexpected = "y"\n')
    with pytest.raises(RuleError, match="entry 'tensorflow.arg_max': example field expected"):
        load_rules(["fam"], root=tmp_path)


@pytest.mark.parametrize("kind,entry,says", [
    ("reorder", '"tensorflow.nn.conv2d" = { keep = 1 }', "params (a list of names) and keep"),
    ("rename", '"tensorflow.log" = 3', "the new qualified name"),
    ("keyword-remove", '"tensorflow.reduce_sum" = "keep_dims"', "a list of keywords"),
    ("value", '"tensorflow.nn.dropout" = { keyword = "keep_prob", template = "1 - p" }', "template using {value}"),
    ("finding", '"tensorflow.Session" = { severity = "loud", message = "m" }', "optional severity"),
])
def test_a_malformed_table_entry_is_a_rule_error_naming_file_and_entry(tmp_path, kind, entry, says):
    # RuleSet.add would otherwise fail with a bare KeyError (or misread the entry) far from the file
    family = tmp_path / "fam"
    family.mkdir()
    (family / "ruleset.toml").write_text('title = "t"\ntargets = ["t"]\nframeworks = ["tensorflow"]\n')
    (family / "FM1001_table.toml").write_text(
        f'code = "FM1001"\nname = "table"\nkind = "{kind}"\nsummary = "s"\nexplanation = "e"\nmessage = "m"\n'
        f'safety = "none"\n[entries]\n{entry}\n[[examples]]\nbefore = "x = 1"\n')
    with pytest.raises(RuleError, match=r"FM1001_table\.toml: entry '[\w.]+' of a '" + kind + "' rule must be") as err:
        load_rules(["fam"], root=tmp_path)
    assert says in str(err.value)


def test_a_rule_level_example_may_name_its_entry_of_any_kind(tmp_path):
    # a rename entry is a string (it cannot hold examples itself): the rule's example says which entry it shows
    rules = load_rules(["tf1_to_tf2"], select=["TF2111"])
    shown = [e for e in rules.rules["TF2111"].examples if e.entry == "tensorflow.keras.initializers.uniform"]
    assert len(shown) == 1 and "initializers.uniform(" in shown[0].before
    _one_rule_family(tmp_path, "rename", '[entries]\n"tensorflow.a" = "tensorflow.b"\n[[examples]]\n'
                     'entry = "tensorflow.c"\nbefore = "import tensorflow as tf\\ntf.a\\n"\n'
                     'after = "import tensorflow as tf\\ntf.b\\n"\n')
    with pytest.raises(RuleError, match="names entry 'tensorflow.c', which the rule does not have"):
        load_rules(["fam"], root=tmp_path)
