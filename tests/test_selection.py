"""One selector for every command; config, suppressions and positions honoured by convert as by lint."""
from __future__ import annotations

import json

import pytest

from migrate.cli import main
from migrate.selection import SelectionError, check_selectors, code_enabled, configured_select, make_selection

GRAPH = "import tensorflow as tf\nx = tf.placeholder(tf.float32)\ny = tf.random_normal([2])\n"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_most_specific_prefix_wins_in_every_command(tmp_path, capsys):
    (tmp_path / "a.py").write_text(GRAPH)
    code, _, err = run(capsys, "convert", str(tmp_path / "a.py"), "--no-config", "--select", "TF2002", "--ignore", "TF2",
                       "--no-diff")
    assert code == 0
    assert "TF2002 [fixed]" in err and "TF2001" not in err and "TF2301" not in err
    selection = make_selection("tf2-compat", ("TF2002",), ("TF2",))
    assert set(selection.load().rules) == {"TF2002"}
    assert code_enabled("TF2002", ("TF2002",), ("TF2",)) and not code_enabled("TF2001", ("TF2002",), ("TF2",))


def test_a_code_of_another_target_names_the_target_flag(tmp_path, capsys):
    (tmp_path / "a.py").write_text(GRAPH)
    # TF2001/TF2002/TF2112 are lint rules too (rule set tf1_names); TF2003 is convert's only
    code, _, err = run(capsys, "lint", "--no-config", "--select", "TF2003", str(tmp_path / "a.py"))
    assert code == 2 and "--to tf2-compat" in err
    code, _, err = run(capsys, "convert", str(tmp_path / "a.py"), "--no-config", "--select", "TF3101")
    assert code == 2 and "TF3101 is not a rule of --to tf2-compat" in err and "--to lint" in err
    code, _, err = run(capsys, "rules", "list", "--to", "lint", "--select", "XX9")
    assert code == 2 and "unknown rule code or prefix XX9" in err
    with pytest.raises(SelectionError, match="--to"):
        check_selectors(("TF2001",), ("TF3101",), "--to lint")


def test_lint_takes_to_like_convert(tmp_path, capsys):
    (tmp_path / "a.py").write_text(GRAPH)
    code, out, _ = run(capsys, "lint", "--no-config", "--to", "tf2-compat", str(tmp_path / "a.py"))
    assert code == 1 and "TF2002" in out


def test_rules_list_uses_the_selector(capsys):
    code, out, _ = run(capsys, "rules", "list", "--to", "torch-latest", "--select", "PT1001,PT1002")
    assert code == 0
    codes = [line.split()[0] for line in out.splitlines()[1:] if line[:2] == "PT"]
    assert codes == ["PT1001", "PT1002"]


def test_a_config_select_for_lint_does_not_switch_a_conversion_off():
    assert configured_select(("TF3",), ["TF2001", "TF2002"]) == ("ALL",)
    assert configured_select(("TF3", "TF2002"), ["TF2001", "TF2002"]) == ("TF2002",)


def test_convert_honours_config_exclude_overrides_and_suppressions(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.dlmigrate]\nselect = ["TF3"]\nexclude = ["vendored/**"]\n'
        '[[tool.dlmigrate.overrides]]\npaths = ["legacy.py"]\nignore = ["TF2001"]\n')
    (tmp_path / "vendored").mkdir()
    (tmp_path / "vendored" / "v.py").write_text(GRAPH)
    (tmp_path / "legacy.py").write_text(GRAPH)
    (tmp_path / "quiet.py").write_text(
        "import tensorflow as tf\nx = tf.placeholder(tf.float32)  # dlmigrate: ignore[TF2002]\n"
        "y = tf.random_normal([2])\n")
    code, _, _ = run(capsys, "convert", str(tmp_path), "--write", "-j", "1")
    assert code == 0
    assert (tmp_path / "vendored" / "v.py").read_text() == GRAPH  # excluded
    legacy = (tmp_path / "legacy.py").read_text()
    assert "tf.compat.v1.placeholder" in legacy and "tf.random_normal" in legacy  # TF2001 ignored there only
    quiet = (tmp_path / "quiet.py").read_text()
    assert "x = tf.placeholder(tf.float32)  # dlmigrate: ignore[TF2002]" in quiet and "tf.random.normal" in quiet


def test_open_findings_point_into_the_written_file(tmp_path, capsys):
    source = ("import tensorflow as tf\n"
              "x = tf.placeholder(tf.float32)\n"
              "y = tf.contrib.layers.flatten(x)\n")
    path = tmp_path / "m.py"
    path.write_text(source)
    report = tmp_path / "r.json"
    code, _, err = run(capsys, "convert", str(path), "--no-config", "--write", "--report", str(report))
    assert code == 3
    written = path.read_text().splitlines()
    (contrib,) = [f for f in json.loads(report.read_text())["files"][0]["findings"] if f["code"] == "TF2101"]
    # disable_v2_behavior() was inserted above: the open finding moved with its line
    assert contrib["original_line"] == 3 and contrib["line"] == 4
    assert written[contrib["line"] - 1][contrib["column"] - 1:].startswith("tf.contrib")
    assert f"m.py:4:{contrib['column']}: TF2101" in err


def test_without_writing_findings_stay_in_the_original_file(tmp_path, capsys):
    path = tmp_path / "m.py"
    path.write_text("import tensorflow as tf\nx = tf.placeholder(tf.float32)\ny = tf.contrib.layers.flatten(x)\n")
    code, _, err = run(capsys, "convert", str(path), "--no-config", "--no-diff")
    assert code == 3 and "m.py:3:5: TF2101" in err


def test_site_map_pairs_rewritten_lines_with_originals(tmp_path):
    from migrate.convert import ConvertOptions, convert_file

    path = tmp_path / "m.py"
    path.write_text("import tensorflow as tf\nx = tf.placeholder(tf.float32)\nprint(1)\n")
    options = ConvertOptions()
    result = convert_file(path, options.load_rules(), options)
    pairs = dict(result.site_map)
    lines = result.rewritten.splitlines()
    assert lines[pairs and max(pairs) - 1] == "print(1)" and pairs[max(pairs)] == 3
    assert all(b >= 1 for b in pairs.values())
