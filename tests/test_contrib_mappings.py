"""The tf.contrib mappings (TF2102 renames, TF2103 conversions, TF2101 successor findings) against tf_upgrade_v2.

Fast: every tf.contrib mapping in tf_upgrade_v2's tables (read with ``ast``, no
TensorFlow import) is covered by dlmigrate: renamed, converted, or reported
with the replacement named.  Slow: every renamed or converted mapping is
executed on the installed TF 2.21 (tests/contrib_probes.py) and gives the value
the tf.contrib function gave; the few that cannot run here are checked by name
with the reason; the generated tables are fresh.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from contrib_probes import CONVERSIONS, EXISTS_ONLY, PROBES
from corpus_support import RUN_ENV
from migrate.engine import transform_source
from migrate.rules import load_rules, rulesets_for_target
from migrate.tf1_to_tf2.contrib_calls import _FUNCTIONS, _function

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from gen_contrib_tables import upgrade_tables  # noqa: E402

RULES = load_rules(rulesets_for_target("tf2-compat"))
TABLE = json.loads((ROOT / "rules/tf1_to_tf2/generated/contrib_renames.json").read_text())["entries"]


def _tf(name: str) -> str:
    return "tf" + name[len("tensorflow"):]


def _transformers() -> set[str]:
    """tf.contrib names tf_upgrade_v2 rewrites with a function (its argument conversions)."""
    import importlib.util

    path = Path(importlib.util.find_spec("tensorflow").origin).parent / "tools/compatibility/tf_upgrade_v2.py"
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r'"(tf\.contrib\.[\w.]+)":\s*(?:functools\.partial\(\s*)?_\w+transformer', text))


def test_every_tf_upgrade_v2_contrib_mapping_is_renamed_converted_or_reported():
    renames, addons, _ = upgrade_tables()
    covered = {"renamed": 0, "converted": 0, "reported": 0}
    for old in sorted({*renames, *addons, *_transformers()}):
        qualified = "tensorflow" + old[2:]
        if qualified in RULES.renames:
            covered["renamed"] += 1
        elif _function(qualified):
            covered["converted"] += 1
        else:
            hit = RULES.module_finding_for(qualified)
            assert hit is not None and hit[0] == qualified, f"{old}: no rewrite and no finding of its own"
            covered["reported"] += 1
    print(covered)
    assert covered["renamed"] == len(TABLE)
    assert covered["converted"] >= 5


def test_alias_forms_resolve_like_any_import():
    source = ("import tensorflow as tf\nfrom tensorflow.contrib import framework as contrib_framework\n"
              "import tensorflow.contrib.slim as slim\n"
              "a = contrib_framework.is_tensor(x)\nb = slim.l2_regularizer(0.2)\n")
    result = transform_source(source, RULES)
    assert result.code == ("import tensorflow as tf\na = tf.is_tensor(x)\nb = tf.keras.regularizers.L2(l2=0.5 * 0.2)\n")
    assert not [f for f in result.findings if f.severity.value == "error"]


def test_unconvertible_call_is_an_error_left_as_it_was():
    source = "import tensorflow as tf\ninit = tf.contrib.layers.variance_scaling_initializer(mode=get_mode())\n"
    result = transform_source(source, RULES)
    assert result.code == source
    assert any(f.code == "TF2103" and f.severity.value == "error" for f in result.findings)
    uncalled = "import tensorflow as tf\nmake = tf.contrib.layers.xavier_initializer\n"
    result = transform_source(uncalled, RULES)
    assert result.code == uncalled and any(f.code == "TF2103" and not f.fixed for f in result.findings)


def test_every_mapping_has_a_probe_or_a_reason():
    for old in TABLE:
        name = _tf(old)
        assert name in PROBES or any(name == k or (k.endswith(".") and name.startswith(k)) for k in EXISTS_ONLY), name
    # contrib defined xavier_initializer_conv2d = xavier_initializer: one probe covers both
    assert set(_FUNCTIONS) - {"xavier_initializer_conv2d"} <= {k.split(" ")[0] for k in CONVERSIONS}


@pytest.mark.slow
def test_mappings_compute_what_contrib_computed_on_installed_tf():
    targets = {_tf(old): _tf(new) for old, new in TABLE.items()}
    env = {**os.environ, **RUN_ENV}
    done = subprocess.run([sys.executable, str(ROOT / "tests/contrib_probes.py")], input=json.dumps(targets),
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    failed = [r for r in rows if not r["ok"]]
    assert not failed, failed
    executed = {r["name"] for r in rows if "name" in r}
    exists = {r["exists"] for r in rows if "exists" in r}
    assert exists == set(targets)
    runnable = {n for n, p in PROBES.items() if p is not None}
    assert runnable <= executed and set(CONVERSIONS) <= executed
    print(f"{len(runnable)} renames executed, {len(targets)} targets exist, {len(CONVERSIONS)} conversions executed")


@pytest.mark.slow
def test_generated_contrib_tables_are_fresh():
    done = subprocess.run([sys.executable, str(ROOT / "scripts/gen_contrib_tables.py"), "--check"],
                          capture_output=True, text=True, env={**os.environ, **RUN_ENV}, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
