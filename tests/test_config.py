"""``[tool.dlmigrate]``: discovery, validation, globs and per-path overrides."""
from __future__ import annotations

from pathlib import Path

import pytest

from migrate.config import Config, ConfigError, Override, _glob_match, find_pyproject, load_config, parse_config


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_nearest_pyproject_with_a_dlmigrate_table_wins(tmp_path):
    outer = write(tmp_path / "pyproject.toml", '[tool.dlmigrate]\nselect = ["TF3"]\n')
    write(tmp_path / "pkg" / "pyproject.toml", "[project]\nname = 'dlmigrate-user'\n")  # no table: skipped
    inner_file = write(tmp_path / "pkg" / "sub" / "model.py", "")
    assert find_pyproject(inner_file) == outer
    assert load_config(inner_file).select == ("TF3",)


def test_search_stops_at_the_repository_root(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.dlmigrate]\nselect = ["TF3"]\n')
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    model = write(tmp_path / "repo" / "model.py", "")
    assert find_pyproject(model) is None
    assert load_config(model) == Config()


def test_full_table_is_parsed(tmp_path):
    path = write(tmp_path / "pyproject.toml", """
[tool.dlmigrate]
target = "tf2-compat"
select = ["tf3", "PT1"]
ignore = "TF3001"
exclude = ["third_party/**"]

[tool.dlmigrate.per-path-ignores]
"tests/**" = ["PT1012"]

[[tool.dlmigrate.overrides]]
paths = ["legacy/*.py"]
select = ["TF31"]
ignore = ["TF3106"]
""")
    config = load_config(tmp_path)
    assert config.path == path
    assert config.target == "tf2-compat"
    assert config.select == ("TF3", "PT1")
    assert config.ignore == ("TF3001",)
    assert config.overrides == (
        Override(("tests/**",), None, ("PT1012",)),
        Override(("legacy/*.py",), ("TF31",), ("TF3106",)),
    )
    assert config.codes_for(tmp_path / "legacy" / "old.py") == (("TF31",), ("TF3001", "TF3106"))
    assert config.codes_for(tmp_path / "tests" / "deep" / "t.py") == (("TF3", "PT1"), ("TF3001", "PT1012"))
    assert config.codes_for(tmp_path / "src" / "m.py") == (("TF3", "PT1"), ("TF3001",))
    assert config.is_excluded(tmp_path / "third_party" / "x" / "y.py")
    assert not config.is_excluded(tmp_path / "src" / "third_party.py")


@pytest.mark.parametrize(
    "table,message",
    [
        ({"select": 3}, "select must be a list"),
        ({"select": ["TF3", 4]}, "select must be a list"),
        ({"target": ["tf2"]}, "target must be a string"),
        ({"bogus": 1}, "unknown key(s) bogus"),
        ({"overrides": {"paths": ["a"]}}, "overrides must be an array of tables"),
        ({"overrides": [{"select": ["TF3"]}]}, "overrides[1] needs 'paths'"),
        ({"overrides": [{"paths": ["a"], "ignroe": ["TF3"]}]}, "unknown key(s) ignroe"),
        ({"per-path-ignores": ["a"]}, "per-path-ignores must be a table"),
    ],
)
def test_bad_values_are_errors_that_name_the_key(table, message):
    with pytest.raises(ConfigError, match=None) as info:
        parse_config(table, Path("pyproject.toml"))
    assert message in str(info.value)
    assert "pyproject.toml" in str(info.value)


def test_invalid_toml_is_an_error_not_a_silent_default(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.dlmigrate]\nselect = [\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(tmp_path)


def test_an_explicit_file_may_hold_the_keys_at_top_level(tmp_path):
    path = write(tmp_path / "dlmigrate.toml", 'ignore = ["TF3001"]\n')
    assert load_config(tmp_path, explicit=path).ignore == ("TF3001",)
    with pytest.raises(ConfigError, match="no \\[tool.dlmigrate\\] table"):
        load_config(tmp_path, explicit=write(tmp_path / "pyproject.toml", "[project]\nname='x'\n"))


@pytest.mark.parametrize(
    "path,pattern,expected",
    [
        ("legacy/model.py", "legacy/", True),
        ("legacy/deep/model.py", "legacy/**", True),
        ("src/legacy/model.py", "legacy/**", False),
        ("src/legacy/model.py", "**/legacy/**", True),
        ("model_pb2.py", "*_pb2.py", True),
        ("proto/gen/model_pb2.py", "*_pb2.py", True),  # a bare name matches at any depth
        ("src/model.py", "tests/*.py", False),
        ("tests/test_x.py", "./tests/*.py", True),
    ],
)
def test_glob_matching(path, pattern, expected):
    assert _glob_match(path, pattern) is expected
