"""The cache of parsed rules (migrate.rulecache): same rules as parsing, never stale, never in the way."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from migrate import rulecache

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("DLMIGRATE_CACHE_DIR", str(directory))
    monkeypatch.delenv("DLMIGRATE_NO_CACHE", raising=False)
    monkeypatch.setattr(rulecache, "_memory", {})
    return directory


def _old(path: Path, seconds_ago: float) -> None:
    stamp = time.time() - seconds_ago
    os.utime(path, (stamp, stamp))


def _counting(data: Path):
    calls = []

    def compute():
        calls.append(1)
        rulecache.note(data)
        return {"text": data.read_text()}

    return compute, calls


def test_a_stored_result_is_used_until_a_file_it_read_changes(cache, tmp_path):
    data = tmp_path / "rule.toml"
    data.write_text("one")
    _old(data, 60)
    compute, calls = _counting(data)
    assert rulecache.cached(("t", 1), compute) == {"text": "one"}
    assert len(calls) == 1 and len(list(cache.glob("rules-*.pickle"))) == 1
    rulecache._memory.clear()  # as a fresh process: read back from the file
    assert rulecache.cached(("t", 1), compute) == {"text": "one"}
    assert len(calls) == 1
    data.write_text("two")  # same size, other text: the mtime tells
    _old(data, 30)
    assert rulecache.cached(("t", 1), compute) == {"text": "two"}  # in this process too
    assert len(calls) == 2
    rulecache._memory.clear()
    assert rulecache.cached(("t", 1), compute) == {"text": "two"}
    assert len(calls) == 2
    data.unlink()
    with pytest.raises(FileNotFoundError):  # a file gone is a change too: computed again (and fails here)
        rulecache.cached(("t", 1), compute)


def test_the_cache_keeps_a_bounded_number_of_entries(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(rulecache, "KEEP_ENTRIES", 3)
    data = tmp_path / "rule.toml"
    data.write_text("one")
    _old(data, 60)
    for key in range(5):  # five rule-set lists (or checkouts): the two written first go
        compute, _ = _counting(data)
        rulecache.cached(("t", key), compute)
        for entry in cache.glob("rules-*.pickle"):  # written in order: give each its own mtime
            if entry.stat().st_mtime > time.time() - 5:
                _old(entry, 50 - key)
    assert len(list(cache.glob("rules-*.pickle"))) == 3
    rulecache._memory.clear()
    compute, calls = _counting(data)
    rulecache.cached(("t", 4), compute)
    assert not calls  # the newest is kept


def test_a_file_changed_just_now_is_not_trusted(cache, tmp_path):
    data = tmp_path / "rule.toml"
    data.write_text("fresh")  # its mtime may not move on a second write within the clock's granularity
    compute, calls = _counting(data)
    rulecache.cached(("t", 2), compute)
    rulecache.cached(("t", 2), compute)
    assert len(calls) == 2 and not list(cache.glob("rules-*.pickle"))


def test_an_unwritable_or_corrupt_cache_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setattr(rulecache, "_memory", {})
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("DLMIGRATE_CACHE_DIR", str(blocker / "cache"))
    data = tmp_path / "rule.toml"
    data.write_text("x")
    _old(data, 60)
    compute, calls = _counting(data)
    assert rulecache.cached(("t", 3), compute) == {"text": "x"}
    directory = tmp_path / "cache"
    monkeypatch.setenv("DLMIGRATE_CACHE_DIR", str(directory))
    monkeypatch.setattr(rulecache, "_memory", {})
    rulecache.cached(("t", 3), compute)
    (stored,) = directory.glob("rules-*.pickle")
    stored.write_bytes(b"not a pickle")
    monkeypatch.setattr(rulecache, "_memory", {})
    assert rulecache.cached(("t", 3), compute) == {"text": "x"}
    assert len(calls) == 3


def test_nested_computations_fingerprint_what_the_inner_one_read(cache, tmp_path):
    inner_file, outer_file = tmp_path / "inner.toml", tmp_path / "outer.toml"
    for path in (inner_file, outer_file):
        path.write_text("v1")
        _old(path, 60)
    inner, inner_calls = _counting(inner_file)

    def outer():
        rulecache.note(outer_file)
        return {"inner": rulecache.cached(("inner",), inner)["text"], "outer": outer_file.read_text()}

    assert rulecache.cached(("outer",), outer) == {"inner": "v1", "outer": "v1"}
    inner_file.write_text("v2")
    _old(inner_file, 30)
    rulecache._memory.clear()
    assert rulecache.cached(("outer",), outer) == {"inner": "v2", "outer": "v1"}


def _python(code: str, env: dict) -> str:
    """What ``code`` prints in a fresh interpreter (a fresh process: only the cache file is shared)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=str(ROOT),
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def _probe(env: dict) -> str:
    return _python("import sys, migrate.rules as r\n"
                   "rs = r.load_rules(['tf2_hygiene', 'tf1_names', 'torch_deprecations'])\n"
                   "print(len(rs.rules), sum(len(e) for e in rs.entries.values()), len(rs.renames), len(rs.findings), "
                   "len(rs.custom), sorted(rs.infos), 'tomllib' in sys.modules)\n", env)


def test_the_lint_rules_from_the_cache_are_the_parsed_ones_without_importing_tomllib(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DLMIGRATE_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("DLMIGRATE_NO_CACHE", None)
    parsed = _probe({**env, "DLMIGRATE_NO_CACHE": "1"})
    assert parsed.endswith("True")
    first = _probe(env)
    if not list((tmp_path / "cache").glob("rules-*.pickle")):
        pytest.skip("a rule file of this checkout changed in the last seconds: nothing cached yet")
    cached = _probe(env)
    assert cached.endswith("False")  # nothing was parsed
    assert first.rsplit(" ", 1)[0] == cached.rsplit(" ", 1)[0] == parsed.rsplit(" ", 1)[0]


def _kind_probe(env: dict) -> list:
    # rules of a plug-in kind (call-map: TF2008, TF2009) keep converting when the rule set comes from the cache
    code = ("import json, sys, migrate.rules as r\n"
            "from migrate.engine import transform_source\n"
            "rs = r.load_rules(['tf1_to_tf2'], select=['TF2008', 'TF2009'])\n"
            "out = transform_source('import tensorflow as tf\\ny = tf.to_float(x)\\nz = tf.arg_max(x, 1)\\n', rs)\n"
            "print(json.dumps([out.code, sorted(f.code for f in out.findings),"
            " sorted(type(t).__module__ + ':' + t.code for t in rs.transforms()), 'tomllib' in sys.modules]))\n")
    import json

    return json.loads(_python(code, env))


def test_a_kind_registered_transform_works_after_a_cache_hit_in_a_fresh_process(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DLMIGRATE_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("DLMIGRATE_NO_CACHE", None)
    first = _kind_probe(env)
    if not list((tmp_path / "cache").glob("rules-*.pickle")):
        pytest.skip("a rule file of this checkout changed in the last seconds: nothing cached yet")
    cached = _kind_probe(env)
    assert cached[3] is False  # the rules came from the cache: nothing was parsed
    assert first[:3] == cached[:3]
    assert cached[0] == "import tensorflow as tf\ny = tf.cast(x, dtype=tf.float32)\nz = tf.math.argmax(x, 1)\n"
    assert cached[1] == ["TF2008", "TF2009"]
    assert cached[2] == ["migrate.kinds.call_map:TF2008", "migrate.kinds.call_map:TF2009"]
