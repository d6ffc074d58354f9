"""``dlmigrate lint``: output format, exit codes, selection, suppression, config, --fix/--diff, speed gates."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from migrate.cli import main
from migrate.engine import transform_source
from migrate.lint import check_module, code_enabled, lint_source, suppressions
from migrate.model import Safety
from migrate.rules import available_rulesets, load_rules

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<message>.+)$")

LEGACY = textwrap.dedent(
    """\
    import tensorflow as tf

    x = tf.compat.v1.placeholder(tf.float32, shape=[None, 3])
    y = tf.compat.v1.nn.relu(x)
    opt = tf.compat.v1.train.AdamOptimizer(0.01)
    """
)
ONLY_SAFE = "import tensorflow as tf\ny = tf.compat.v1.nn.relu(tf.constant([1.0]))\n"
CLEAN_TF = "import tensorflow as tf\ny = tf.nn.relu(tf.constant([1.0]))\n"


def lint(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["lint", "--no-config", *args])
    out, err = capsys.readouterr()
    return code, out, err


def finding_lines(out: str) -> list[re.Match]:
    return [m for m in (LINE.match(line) for line in out.splitlines()) if m]


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    path = tmp_path / "model.py"
    path.write_text(LEGACY)
    return path


# -- output and exit codes


def test_findings_are_printed_as_path_line_col_code_message(capsys, legacy):
    code, out, _ = lint(capsys, str(legacy))
    assert code == 1
    found = {(m["line"], m["col"], m["code"]) for m in finding_lines(out)}
    # columns are 1-based: the reference starts right after "x = "
    assert ("3", "5", "TF3102") in found
    assert ("4", "5", "TF3002") in found
    assert ("5", "7", "TF3106") in found
    assert all(m["path"] == str(legacy) for m in finding_lines(out))
    assert "fixable with `dlmigrate lint --fix`" in out


def test_clean_file_exits_zero_and_prints_nothing(capsys, tmp_path):
    path = tmp_path / "clean.py"
    path.write_text(CLEAN_TF)
    code, out, err = lint(capsys, str(path))
    assert (code, out, err) == (0, "", "")


@pytest.mark.parametrize(
    "args,message",
    [
        (["--select", "XX9"], "unknown rule code or prefix XX9"),
        (["--rulesets", "no_such_set"], "unknown rule set"),
        (["--target", "no-such-target"], "unknown target"),
        (["--jobs", "0"], "--jobs must be at least 1"),
    ],
)
def test_usage_errors_exit_two_with_a_message(capsys, legacy, args, message):
    code, _, err = lint(capsys, *args, str(legacy))
    assert code == 2
    assert message in err


def test_workers_give_the_same_output_and_fixes_as_one_process(capsys, tmp_path):
    # 12 files (workers start at 8), one per-path override, one unparsable file: the same lines in the same
    # order, the same exit code and the same files written by --fix
    trees = {}
    for jobs in ("1", "2"):
        tree = trees[jobs] = tmp_path / f"jobs{jobs}"
        (tree / "sub").mkdir(parents=True)
        for index in range(11):
            (tree / ("sub" if index % 3 else ".") / f"m{index:02}.py").write_text(LEGACY + f"z{index} = 1\n")
        (tree / "broken.py").write_text("import tensorflow as tf\nx = (\n")
        (tree / "pyproject.toml").write_text('[tool.dlmigrate.per-path-ignores]\n"sub/**" = ["TF3001"]\n')
    outputs = []
    for jobs, tree in trees.items():
        code = main(["lint", "--jobs", jobs, str(tree)])
        out, err = capsys.readouterr()
        outputs.append((code, out.replace(str(tree), "T"), err.replace(str(tree), "T")))
    assert outputs[0] == outputs[1] and outputs[0][0] == 1 and "broken.py" in outputs[0][2]
    found = finding_lines(outputs[0][1])
    assert len(found) >= 11
    codes_in_sub = {m["code"] for m in found if "sub" in m["path"]}
    assert "TF3001" not in codes_in_sub and "TF3001" in {m["code"] for m in found}  # the override held
    for jobs, tree in trees.items():
        main(["lint", "--jobs", jobs, "--fix", str(tree)])
        capsys.readouterr()
    assert [p.read_text() for p in sorted(trees["1"].rglob("*.py"))] == \
        [p.read_text() for p in sorted(trees["2"].rglob("*.py"))]
    assert (trees["2"] / "m00.py").read_text() != LEGACY + "z0 = 1\n"  # something was fixed


def test_missing_path_and_no_path_are_usage_errors(capsys, tmp_path):
    assert lint(capsys, str(tmp_path / "nope.py"))[0] == 2
    assert lint(capsys)[0] == 2


def test_unparsable_framework_file_fails_with_position_and_exit_one(capsys, tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("import torch\ndef f(:\n")
    code, out, err = lint(capsys, str(path))
    assert code == 1
    assert f"{path}:2:" in err and "cannot parse" in err
    assert path.read_text() == "import torch\ndef f(:\n"


def test_exit_zero_flag_keeps_the_output(capsys, legacy):
    code, out, _ = lint(capsys, "--exit-zero", str(legacy))
    assert code == 0 and finding_lines(out)


# -- output formats


def test_json_output_lists_every_finding(capsys, legacy):
    _, text_out, _ = lint(capsys, str(legacy))
    code, out, _ = lint(capsys, "--output-format", "json", str(legacy))
    data = json.loads(out)
    assert code == 1
    assert {(d["line"], d["column"], d["code"]) for d in data} == {
        (int(m["line"]), int(m["col"]), m["code"]) for m in finding_lines(text_out)
    }
    relu = next(d for d in data if d["code"] == "TF3002")
    assert relu["fixable"] is True and relu["safety"] == "safe" and relu["severity"] == "warning"
    assert relu["fix"]["applicability"] == "safe" and relu["fix"]["edits"]


def test_github_output_is_workflow_commands(capsys, legacy):
    code, out, _ = lint(capsys, "--output-format", "github", str(legacy))
    lines = out.splitlines()
    assert code == 1 and lines
    assert all(re.match(r"^::(error|warning|notice) file=.+,line=\d+,col=\d+,endLine=\d+,title=[A-Z]+\d+::", l)
               for l in lines)


def test_sarif_output_carries_the_same_findings(capsys, legacy):
    _, text_out, _ = lint(capsys, str(legacy))
    code, out, _ = lint(capsys, "--output-format", "sarif", str(legacy))
    sarif = json.loads(out)
    assert code == 1 and sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    located = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results}
    assert located == {(m["code"], int(m["line"])) for m in finding_lines(text_out)}


# -- selection


def test_select_and_ignore_by_code_prefix(capsys, legacy):
    _, out, _ = lint(capsys, "--select", "TF3102", str(legacy))
    assert {m["code"] for m in finding_lines(out)} == {"TF3102"}
    _, out, _ = lint(capsys, "--select", "TF31", str(legacy))
    assert {m["code"] for m in finding_lines(out)} == {"TF3102", "TF3106"}
    code, out, _ = lint(capsys, "--ignore", "TF3", str(legacy))
    assert code == 0 and not finding_lines(out)


def test_most_specific_selector_wins():
    assert code_enabled("TF3001", ["ALL"], [])
    assert not code_enabled("TF3001", ["ALL"], ["TF3"])
    assert code_enabled("TF3001", ["TF3001"], ["TF3"])
    assert not code_enabled("TF3001", ["TF3"], ["TF300"])
    assert not code_enabled("TF3001", ["TF3"], ["TF3"])
    assert not code_enabled("PT1001", ["TF"], [])


# -- suppression


def test_suppression_comment_silences_only_its_line_and_codes(capsys, tmp_path):
    path = tmp_path / "s.py"
    path.write_text(
        "import tensorflow as tf\n"
        "a = tf.compat.v1.placeholder(tf.float32)  # dlmigrate: ignore[TF3102]\n"
        "b = tf.compat.v1.placeholder(tf.float32)  # dlmigrate: ignore[TF3001]\n"
        "c = tf.compat.v1.placeholder(tf.float32)  # dlmigrate: ignore\n"
        "d = tf.compat.v1.placeholder(tf.float32)\n"
    )
    _, out, _ = lint(capsys, str(path))
    assert sorted((m["line"], m["code"]) for m in finding_lines(out)) == [("3", "TF3102"), ("5", "TF3102")]


def test_suppression_on_the_last_line_of_a_multiline_call():
    source = "import tensorflow as tf\nx = tf.compat.v1.placeholder(\n    tf.float32)  # dlmigrate: ignore[TF31]\n"
    result = lint_source(source, load_rules(["tf2_hygiene"]), "m.py")
    assert result.result.findings == ()
    assert [f.code for f in result.suppressed] == ["TF3102"]


def test_suppression_text_inside_a_string_is_not_a_comment():
    assert suppressions('s = "# dlmigrate: ignore"\n') == {}
    assert suppressions("x = 1  # dlmigrate: ignore[tf3001, TF31]\n") == {1: frozenset({"TF3001", "TF31"})}


# -- configuration


def write_project(tmp_path: Path, config: str) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n\n" + textwrap.dedent(config))
    (tmp_path / "pkg").mkdir()
    (tmp_path / "legacy").mkdir()
    for folder in ("pkg", "legacy"):
        (tmp_path / folder / "model.py").write_text(LEGACY)
    return tmp_path


def test_config_is_found_upwards_and_applied(capsys, tmp_path, monkeypatch):
    project = write_project(tmp_path, """
        [tool.dlmigrate]
        ignore = ["TF3001", "TF3002"]
        exclude = ["legacy/"]

        [[tool.dlmigrate.overrides]]
        paths = ["pkg/*.py"]
        ignore = ["TF3106"]
    """)
    monkeypatch.chdir(project / "pkg")
    code = main(["lint", "model.py", "../legacy/model.py"])
    out = capsys.readouterr().out
    assert code == 1
    assert {(m["path"], m["code"]) for m in finding_lines(out)} == {("model.py", "TF3102")}


def test_command_line_select_overrides_the_config(capsys, tmp_path, monkeypatch):
    project = write_project(tmp_path, '[tool.dlmigrate]\nignore = ["TF3"]\n')
    monkeypatch.chdir(project)
    assert main(["lint", "pkg/model.py"]) == 0
    capsys.readouterr()
    assert main(["lint", "--select", "TF3106", "pkg/model.py"]) == 1
    assert {m["code"] for m in finding_lines(capsys.readouterr().out)} == {"TF3106"}


@pytest.mark.parametrize(
    "config,message",
    [
        ("[tool.dlmigrate]\nselect = 3\n", "select must be a list"),
        ("[tool.dlmigrate]\nslect = ['TF3']\n", "unknown key(s) slect"),
        ("[tool.dlmigrate]\nrulesets = ['nope']\n", "unknown rule set 'nope'"),
        ("[tool.dlmigrate\n", "invalid TOML"),
        ("[tool.dlmigrate]\nignore = ['TF3O01']\n", "unknown rule code or prefix TF3O01"),
        ("[[tool.dlmigrate.overrides]]\npaths = ['a']\nselect = ['XX']\n", "unknown rule code or prefix XX"),
    ],
)
def test_bad_configuration_exits_two_with_a_clear_message(capsys, tmp_path, monkeypatch, config, message):
    (tmp_path / "pyproject.toml").write_text(config.replace("[tool.dlmigrate\n", "[tool.dlmigrate\nx=1\n"))
    (tmp_path / "m.py").write_text(LEGACY)
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "m.py"]) == 2
    assert message in capsys.readouterr().err


def test_config_may_name_codes_of_rule_sets_this_run_does_not_load(capsys, tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.dlmigrate]\nignore = ["TF2001"]\n')
    (tmp_path / "m.py").write_text(CLEAN_TF)
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "m.py"]) == 0


def test_config_target_selects_the_rule_sets(capsys, tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.dlmigrate]\ntarget = "tf2-compat"\n')
    (tmp_path / "m.py").write_text("import tensorflow as tf\nx = tf.placeholder(tf.float32)\n")
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "m.py"]) == 1
    assert {m["code"][:3] for m in finding_lines(capsys.readouterr().out)} == {"TF2"}


# -- fixing


def test_fix_applies_only_safe_fixes_and_reports_the_rest(capsys, legacy):
    code, out, _ = lint(capsys, "--fix", str(legacy))
    text = legacy.read_text()
    assert "y = tf.nn.relu(x)" in text  # TF3002 is safe
    assert "tf.compat.v1.train.AdamOptimizer(0.01)" in text  # TF3106 needs review: left alone
    assert code == 1
    remaining = {m["code"] for m in finding_lines(out)}
    assert "TF3002" not in remaining and {"TF3102", "TF3106"} <= remaining
    assert "fixed 2 in 1 file" in out  # the TF3002 rename and the TF3001 use it removes


def test_fix_of_everything_exits_zero(capsys, tmp_path):
    path = tmp_path / "m.py"
    path.write_text(ONLY_SAFE)
    code, _, _ = lint(capsys, "--fix", str(path))
    assert code == 0
    assert path.read_text() == CLEAN_TF


def test_fix_leaves_a_code_suppressed_anywhere_in_the_file_alone(capsys, tmp_path):
    path = tmp_path / "m.py"
    source = ONLY_SAFE + "z = tf.compat.v1.nn.relu(y)  # dlmigrate: ignore[TF3002]\n"
    path.write_text(source)
    lint(capsys, "--fix", str(path))
    assert path.read_text() == source


def test_diff_shows_the_fix_and_writes_nothing(capsys, legacy):
    code, out, _ = lint(capsys, "--diff", str(legacy))
    assert code == 1
    assert legacy.read_text() == LEGACY
    assert "-y = tf.compat.v1.nn.relu(x)\n+y = tf.nn.relu(x)\n" in out
    # findings describe the file as it is on disk
    assert ("4", "TF3002") in {(m["line"], m["code"]) for m in finding_lines(out)}


def test_stdin_is_linted_under_the_given_name(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "migrate", "lint", "--no-config", "--stdin-filename", "nb/model.py", "-"],
        input=LEGACY, capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 1
    assert any(line.startswith("nb/model.py:3:5: TF3102") for line in result.stdout.splitlines())


def test_notebook_cells_are_linted(capsys, tmp_path):
    notebook = {
        "cells": [
            {"cell_type": "code", "source": ["import tensorflow as tf\n", "%matplotlib inline\n"], "metadata": {},
             "outputs": [], "execution_count": None},
            {"cell_type": "code", "source": ["s = tf.compat.v1.Session()\n"], "metadata": {}, "outputs": [],
             "execution_count": None},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(notebook, indent=1))
    code, out, _ = lint(capsys, str(path))
    assert code == 1
    assert "nb.ipynb:cell 2:" in out and "TF3101 `tf.compat.v1.Session`" in out


# -- speed gates


def test_files_without_a_framework_are_not_parsed(capsys, tmp_path):
    # a syntax error proves the file never reached the parser
    (tmp_path / "plain.py").write_text("def broken(:\n    return 'no framework named here'\n")
    (tmp_path / "mentions.py").write_text("# torch is mentioned but never imported\ndef f(x):\n    return x\n")
    code, out, err = lint(capsys, str(tmp_path))
    assert (code, out, err) == (0, "", "")


def _modules_after_lint(path: Path, *flags: str) -> str:
    probe = (
        "import sys\n"
        "from migrate.cli import main\n"
        f"code = main(['lint', '--no-config', *{list(flags)!r}, {str(path)!r}])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'torch', 'libcst', 'rich', 'numpy'})\n"
        "print('HEAVY', heavy, code)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    return result.stdout + result.stderr


def test_lint_never_imports_frameworks_and_uses_no_libcst_on_table_rules(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(LEGACY)
    assert "HEAVY [] 1" in _modules_after_lint(path)


def test_a_clean_torch_module_is_linted_without_libcst(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(
        "import torch\nimport torch.nn.functional as F\n\n"
        "def loss(logits, labels):\n    return F.cross_entropy(torch.softmax(logits, dim=-1), labels)\n"
    )
    assert "HEAVY [] 0" in _modules_after_lint(path)


def test_custom_rules_match_on_ast_without_libcst(tmp_path):
    # the torch rule set's custom transforms decide on the ast scan (``CustomTransform.match``)
    path = tmp_path / "model.py"
    path.write_text("import torch\nl = torch.cholesky(torch.eye(2))\n")
    assert "HEAVY [] 1" in _modules_after_lint(path)


def test_tf2_compat_lint_decides_every_rule_without_libcst(tmp_path):
    # the 15 structural tf1_to_tf2 rules match on the ast: a compat import (TF2007), a cast shorthand
    # (TF2008), a contrib call (TF2103) and a graph program (TF2301) are reported without libcst
    path = tmp_path / "model.py"
    path.write_text("import tensorflow.compat.v1 as tf\nfrom tensorflow.contrib import layers as contrib_layers\n"
                    "x = tf.to_float(tf.ones([2]))\ninit = contrib_layers.xavier_initializer()\n"
                    "with tf.Session() as sess:\n    print(sess.run(x))\n")
    out = _modules_after_lint(path, "--to", "tf2-compat")
    assert "HEAVY [] 1" in out, out
    assert {"TF2007", "TF2008", "TF2103", "TF2301"} <= {m["code"] for m in finding_lines(out)}


def test_a_rule_deciding_on_the_libcst_tree_may_need_libcst_but_never_the_framework(tmp_path):
    # the whole-program eager rewrite (TF4001, --to tf2) still decides on the libcst tree
    path = tmp_path / "model.py"
    path.write_text("import tensorflow as tf\nx = tf.placeholder(tf.float32)\ny = x * 2.0\n"
                    "with tf.Session() as sess:\n    print(sess.run(y, feed_dict={x: 1.0}))\n")
    assert "HEAVY ['libcst'] 1" in _modules_after_lint(path, "--to", "tf2")


def test_fix_imports_libcst_but_never_the_frameworks(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(ONLY_SAFE)
    probe = (
        "import sys\n"
        "from migrate.cli import main\n"
        f"code = main(['lint', '--no-config', '--fix', {str(path)!r}])\n"
        "print('MODULES', 'libcst' in sys.modules, 'tensorflow' in sys.modules, 'torch' in sys.modules, code)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert "MODULES True False False 0" in result.stdout, result.stdout + result.stderr


# -- lint and convert agree
#
# For every sample, the (code, line) pairs lint reports equal the findings the
# libcst engine reports under convert's default settings (safe and review fixes
# applied).  Columns agree too, except for findings about one argument of a
# call (keyword renames/removals, value rewrites): lint points at the keyword,
# while the engine reports them at the call, because libcst hands its
# transformer rebuilt argument nodes that carry no position of their own.
# (A finding on a parenthesized expression could differ as well: libcst's
# position includes the parentheses, ast's does not.)

ARGUMENT_KINDS = ("keyword-rename", "keyword-remove", "value")

SAMPLES = {
    "aliases_and_scopes": """
        import tensorflow as tf
        import tensorflow.compat.v1 as v1
        from tensorflow.compat.v1 import placeholder, Session as S
        from tensorflow.compat.v1.train import AdamOptimizer

        x = placeholder(tf.float32)
        def body(tf):
            return tf.compat.v1.Session()   # a parameter shadows the module
        with S() as sess, v1.InteractiveSession():
            v1.get_variable("w", [2])
        opt = AdamOptimizer(0.1, 0.9, 0.99, use_locking=True, beta1=0.8)
        m = tf.compat.v1.train.MomentumOptimizer(0.1, 0.9, False, "m", True)
        r = tf.compat.v1.RMSPropOptimizer if False else tf.compat.v1.train.RMSPropOptimizer(0.1, decay=0.9)
        y = tf.compat.v1.math.log(tf.compat.v1.nn.relu(x)).shape
        f = tf.contrib.layers.flatten(x)(1)[0].y
    """,
    "tf1_program": """
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [None, 2])
        y = tf.reduce_sum(x, 1, True)
        d = tf.nn.dropout(x, keep_prob=0.5)
        with tf.Session() as sess:
            print(sess.run(y, feed_dict={x: [[1, 2]]}))
    """,
    "imports_and_scopes_tf2": """
        from tensorflow.compat.v1.nn import relu
        from tensorflow.compat.v1 import random_crop, Graph, placeholder
        import tensorflow as tf

        def load():
            global tf1
            import tensorflow.compat.v1 as tf1

        ys = [tf.compat.v1.nn.relu(tf) for tf in range(3)]   # the loop variable shadows the module
        zs = [tf.compat.v1.nn.relu(v) for v in range(3)]
        g = lambda tf=tf.compat.v1.Session: tf()
        s = tf1.Session()
    """,
    "torch_program": """
        import torch
        import torch.nn.functional as F
        from torchvision import models

        def step(a, b, x):
            l = torch.cholesky(a)
            q, r = torch.qr(a)
            s = torch.range(0, 3)
            y = F.softmax(x)
            net = models.resnet18(pretrained=True)
            return torch.solve(b, a), l, q, r, s, y, x.data[0], net
    """,
    "compat_import": """
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        x = tf.placeholder(tf.float32)
        s = tf.Session()
    """,
}


def _sample_sources():
    for name, source in SAMPLES.items():
        yield pytest.param(textwrap.dedent(source), id=name)
    for path in sorted((ROOT / "corpus").rglob("*.py"))[:40]:
        yield pytest.param(path.read_text(encoding="utf-8"), id=f"corpus-{path.stem}")


RULESET_CHOICES = {
    "lint-default": [n for n, i in available_rulesets().items() if "lint" in i.targets],
    "tf2-compat": [n for n, i in available_rulesets().items() if "tf2-compat" in i.targets],
}


@pytest.mark.parametrize("rulesets", list(RULESET_CHOICES.values()), ids=list(RULESET_CHOICES))
@pytest.mark.parametrize("source", list(_sample_sources()))
def test_lint_and_convert_report_the_same_findings(source, rulesets):
    ruleset = load_rules(rulesets)
    try:
        linted = check_module(source, ruleset)
    except SyntaxError:  # e.g. ``async=`` without the rule that repairs it: both refuse the file
        with pytest.raises(SyntaxError):
            transform_source(source, ruleset)
        return
    converted = transform_source(source, ruleset).findings
    assert {(f.code, f.line) for f in linted} == {(f.code, f.line) for f in converted}
    whole = {code for code, rule in ruleset.rules.items() if rule.kind not in ARGUMENT_KINDS}
    assert ({(f.code, f.line, f.column) for f in linted if f.code in whole}
            == {(f.code, f.line, f.column) for f in converted if f.code in whole})


def test_lint_reports_findings_on_the_samples():
    ruleset = load_rules(RULESET_CHOICES["lint-default"])
    codes = {f.code for f in check_module(textwrap.dedent(SAMPLES["aliases_and_scopes"]), ruleset)}
    assert {"TF3001", "TF3002", "TF3101", "TF3102", "TF3103", "TF3105", "TF3106", "TF3107", "TF3108", "TF3109"} <= codes


def test_fixable_mark_follows_rule_safety():
    ruleset = load_rules(["tf2_hygiene"])
    findings = check_module(LEGACY, ruleset)
    safety = {f.code: f.safety for f in findings}
    assert safety["TF3002"] is Safety.SAFE
    assert safety["TF3106"] is Safety.REVIEW
    assert safety["TF3102"] is Safety.NONE
