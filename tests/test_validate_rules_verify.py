"""``rules verify``: rule examples run through the executor; examples that cannot run say why."""
import json
import subprocess

import pytest

from conftest import dlmigrate_exe
from migrate.model import Example, Rule, Safety, Severity
from migrate.validate.pipeline import ValidateOptions
from migrate.validate.rules_verify import verify_exit_code, verify_rules, verify_table


def _rule(code, *examples):
    return Rule(code=code, name="example", ruleset="synthetic", kind="rename", summary="s", explanation="e",
                message="m", fix_title="f", safety=Safety.SAFE, severity=Severity.INFO, examples=examples)


def test_examples_are_executed_compared_or_explained():
    rules = [
        _rule("XX001", Example("import numpy as np\ny = np.ones(3) * 2\n", "import numpy as np\ny = np.full(3, 2.0)\n")),
        _rule("XX002", Example("import numpy as np\ny = np.ones(3)\n", "import numpy as np\ny = np.zeros(3)\n")),
        _rule("XX003", Example("y = undefined_name\n", "y = 1\n")),
        _rule("XX004", Example("y = 1\n", "y = 2\n", run=False, why_not_run="the API was removed"),
              Example("y = 1\n", None)),
    ]
    outcomes = verify_rules(rules, ValidateOptions(), jobs=2)
    verdicts = [(o.code, o.example, o.verdict) for o in outcomes]
    assert verdicts == [("XX001", 1, "PASS"), ("XX002", 1, "MISMATCH"), ("XX003", 1, "ERROR"),
                        ("XX004", 1, "NOT RUN"), ("XX004", 2, "NOT RUN")]
    assert outcomes[1].max_abs_error == 1.0
    assert outcomes[2].reason.startswith("before cannot run: NameError")
    assert outcomes[3].reason == "the API was removed"
    assert "report-only" in outcomes[4].reason
    assert verify_exit_code(outcomes) == 1  # a MISMATCH or ERROR of a runnable example fails the run
    assert verify_exit_code([o for o in outcomes if o.verdict in ("PASS", "NOT RUN")]) == 0
    table = verify_table(outcomes)
    assert "XX002     1  MISMATCH" in table and table.splitlines()[-1].startswith("5 examples:")
    assert json.loads(json.dumps([o.to_dict() for o in outcomes]))[0]["result"]["verdict"] == "PASS"


@pytest.mark.slow
def test_cli_verifies_a_real_rule(tmp_path):
    report = tmp_path / "verify.json"
    # the rules whose examples are whole TF programs: every runnable example must PASS, and the run exits 0
    done = subprocess.run([dlmigrate_exe(), "rules", "verify", "TF2001", "TF2006", "--device", "cpu", "-j", "2",
                           "--json", str(report)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verdict" in done.stdout.splitlines()[0]
    rows = json.loads(report.read_text())
    assert {row["code"] for row in rows} == {"TF2001", "TF2006"}
    assert len(rows) >= 4
    assert all(row["verdict"] == "PASS" for row in rows), [(r["code"], r["verdict"], r["reason"]) for r in rows]
    assert all(row["device"] == "cpu" for row in rows)
