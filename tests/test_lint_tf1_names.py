"""lint reports TF1-only names in any file with convert's codes (rule set tf1_names includes TF2001/TF2002)."""
from __future__ import annotations

from migrate.engine import transform_source
from migrate.lint import check_module
from migrate.rules import all_rules, available_rulesets, load_rules, rulesets_for_target

TF2_FILE = """import tensorflow as tf

x = tf.random_normal([2])
tf.set_random_seed(1)
tf.logging.info("start")
init = tf.global_variables_initializer()
y = tf.random.normal([2])
"""


def _lint_rules():
    return load_rules([n for n, info in available_rulesets().items() if "lint" in info.targets])


def test_lint_flags_tf1_only_names_with_convert_codes():
    linted = {(f.code, f.line) for f in check_module(TF2_FILE, _lint_rules())}
    assert {("TF2001", 3), ("TF2002", 4), ("TF2002", 5), ("TF2002", 6)} <= linted
    assert not [code for code, line in linted if line == 7]  # TF2 names are not flagged
    converted = {(f.code, f.line) for f in transform_source(TF2_FILE, load_rules(rulesets_for_target("tf2-compat"))).findings}
    assert {c for c in linted if c[0] in ("TF2001", "TF2002")} <= converted


def test_tf1_names_that_tf2_still_has_are_not_flagged_by_lint():
    source = "import tensorflow as tf\ny = tf.where(c, a, b)\nz = tf.image.resize(img, [2, 2])\n"
    assert not [f for f in check_module(source, _lint_rules()) if f.code in ("TF2001", "TF2002")]
    # convert still moves TF1's tf.where to tf.compat.v1 (a TF1 file means TF1's where)
    assert "tf.compat.v1.where" in transform_source(source, load_rules(rulesets_for_target("tf2-compat"))).code


def test_included_rules_load_once():
    codes = [r.code for r in all_rules()]
    assert codes.count("TF2001") == 1 and codes.count("TF2002") == 1
    assert load_rules(["tf1_names"]).rules["TF2001"].ruleset == "tf1_to_tf2"
