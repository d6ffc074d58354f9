"""Numeric comparison, input specs and layout transforms: pure functions, no subprocess."""
import json

import numpy as np
import pytest

from migrate.validate.compare import CompareOptions, compare_arrays, compare_recordings
from migrate.validate.executor import convert_layout, make_inputs, parse_input_spec, scan_program
from migrate.validate.results import SCHEMA, Recording, SideResult, Tolerance, Verdict
from migrate.validate.pipeline import judge


def test_equal_arrays_pass_with_zero_error():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    result = compare_arrays("x", a, a.copy())
    assert result.verdict is Verdict.PASS
    assert (result.max_abs_error, result.max_rel_error, result.mismatch_share) == (0.0, 0.0, 0.0)


def test_changed_value_reports_max_errors_and_share():
    a = np.ones((2, 2), dtype=np.float32)
    b = a.copy()
    b[1, 0] = 1.5
    result = compare_arrays("x", a, b)
    assert result.verdict is Verdict.MISMATCH
    assert result.max_abs_error == pytest.approx(0.5)
    assert result.max_rel_error == pytest.approx(0.5)
    assert result.mismatch_share == pytest.approx(0.25)
    assert "1 of 4 elements differ" in result.message and "(1, 0)" in result.message


def test_float32_roundoff_is_within_default_tolerance():
    a = np.linspace(0, 1, 100).astype(np.float32)
    b = (a.astype(np.float64) * (1 + 3e-7)).astype(np.float32)
    assert compare_arrays("x", a, b).verdict is Verdict.PASS


def test_per_output_tolerance_overrides_global():
    options = CompareOptions(tolerance=Tolerance(0, 0), per_output=(("loss*", Tolerance(1e-2, 0)),))
    assert options.tolerance_for("loss/step3") == Tolerance(1e-2, 0)
    assert options.tolerance_for("logits") == Tolerance(0, 0)


def test_nan_equals_nan_only_at_the_same_place():
    a = np.array([1.0, np.nan, np.inf, 4.0])
    assert compare_arrays("x", a, a.copy()).verdict is Verdict.PASS
    b = np.array([1.0, np.nan, np.inf, np.nan])
    result = compare_arrays("x", a, b)
    assert result.verdict is Verdict.MISMATCH and result.mismatch_share == pytest.approx(0.25)
    assert "NaN/Inf on one side only" in result.message
    assert compare_arrays("x", a, np.array([1.0, np.nan, -np.inf, 4.0])).verdict is Verdict.MISMATCH


def test_shape_and_dtype_mismatches():
    a = np.zeros((2, 3), dtype=np.float32)
    assert "shape differs" in compare_arrays("x", a, np.zeros((3, 2), dtype=np.float32)).message
    result = compare_arrays("x", np.arange(3, dtype=np.int32), np.arange(3, dtype=np.int64))
    assert result.verdict is Verdict.MISMATCH and "dtype differs: int32 vs int64" in result.message
    assert compare_arrays("x", np.arange(3, dtype=np.int32), np.arange(3, dtype=np.int64),
                          strict_dtype=False).verdict is Verdict.PASS


def test_integers_compare_exactly():
    result = compare_arrays("x", np.array([1, 2, 3]), np.array([1, 2, 4]), Tolerance(1.0, 1.0))
    assert result.verdict is Verdict.MISMATCH and result.max_abs_error == 1.0


def _recording(outputs, arrays=None, **manifest):
    return Recording(dict(outputs=outputs, **manifest), arrays or {})


def _array_entry(name, key, kind="global", **extra):
    return dict(name=name, kind=kind, structure="array", key=key, dtype="float32", shape=[1], **extra)


def test_pairing_reports_one_sided_outputs_and_structure():
    one = np.ones(1, dtype=np.float32)
    a = _recording([_array_entry("x", "k0"), _array_entry("only_a", "k1"), dict(name="s", kind="global",
                    structure="none")], {"k0": one, "k1": one})
    b = _recording([_array_entry("x", "k0"), _array_entry("s", "k1")], {"k0": one, "k1": one})
    results, how = compare_recordings(a, b, CompareOptions())
    by_name = {r.name: r for r in results}
    assert how == "global; globals on one side only, not compared: only_a"
    assert by_name["x"].verdict is Verdict.PASS and "only_a" not in by_name
    assert "structure differs" in by_name["s"].message
    strict = {r.name: r for r in compare_recordings(a, b, CompareOptions(strict_globals=True))[0]}
    assert strict["only_a"].message == "present only on the original side"


def test_globals_that_are_symbolic_on_the_other_side_are_not_counted():
    one = np.ones(1, dtype=np.float32)
    a = _recording([_array_entry("x", "k0")], {"k0": one}, unobservable=[])
    b = _recording([], {}, unobservable=["x"])
    results, _ = compare_recordings(a, b, CompareOptions())
    assert results == []


def test_markers_take_precedence_and_runs_pair_by_order():
    one = np.ones(1, dtype=np.float32)
    marked = _recording([_array_entry("observe:h", "k0", kind="observe"), _array_entry("g", "k1")],
                        {"k0": one, "k1": one})
    results, how = compare_recordings(marked, marked, CompareOptions())
    assert how == "observe" and [r.name for r in results] == ["observe:h"]
    runs_a = _recording([_array_entry("session.run#0", "k0", kind="session.run", line=5)], {"k0": one},
                        session_runs=1)
    runs_b = _recording([_array_entry("session.run#0", "k0", kind="session.run", line=6)], {"k0": one},
                        session_runs=1)
    results, how = compare_recordings(runs_a, runs_b, CompareOptions(site_map=((6, 5),)))
    assert how == "session.run+global"
    assert results[0].verdict is Verdict.PASS and (results[0].original_line, results[0].rewritten_line) == (5, 6)


def test_program_verdict_and_json_schema():
    one = np.ones(1, dtype=np.float32)
    rec = _recording([_array_entry("x", "k0")], {"k0": one})
    ok = SideResult("original", "a.py", "ok")
    result = judge("pair", ok, rec, SideResult("rewritten", "b.py", "ok"), rec, CompareOptions())
    assert result.verdict is Verdict.PASS
    data = json.loads(json.dumps(result.to_dict()))
    assert data["schema"] == SCHEMA and data["verdict"] == "PASS" and data["counts"]["PASS"] == 1
    assert set(data["outputs"][0]) >= {"name", "verdict", "max_abs_error", "max_rel_error", "mismatch_share"}
    assert data["sides"]["original"]["error"] is None
    failed = judge("pair", ok, rec, SideResult("rewritten", "b.py", "timeout", error_message="no result"), rec,
                   CompareOptions())
    assert failed.verdict is Verdict.TIMEOUT
    empty = judge("pair", ok, _recording([]), ok, _recording([]), CompareOptions())
    assert empty.verdict is Verdict.ERROR and "nothing to compare" in empty.message


def test_input_spec_and_seeded_inputs():
    specs = parse_input_spec("x:float32[4,3]; y:int64[4]; flag:bool")
    assert specs == [{"name": "x", "dtype": "float32", "shape": [4, 3]}, {"name": "y", "dtype": "int64", "shape": [4]},
                     {"name": "flag", "dtype": "bool", "shape": []}]
    first, second = make_inputs(specs, 0, 4), make_inputs(specs, 0, 4)
    assert all(np.array_equal(first[k], second[k]) for k in first)
    assert first["x"].dtype == np.float32 and first["y"].dtype == np.int64
    with pytest.raises(ValueError):
        parse_input_spec("x float32")


def test_placeholder_scan_finds_tf1_declarations():
    scan = scan_program("import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 3])\n"
                        "y = tf.placeholder(dtype=tf.int32, shape=(2,))\nwith tf.Session() as s: pass\n")
    assert scan["placeholders"] == [{"name": "x", "dtype": "float32", "shape": [None, 3]},
                                    {"name": "y", "dtype": "int32", "shape": [2]}]
    assert scan["frameworks"] == ["tensorflow"]


def test_layout_transforms_between_frameworks():
    kernel = np.arange(6, dtype=np.float32).reshape(3, 2)  # TF Dense kernel (in=3, out=2)
    assert np.array_equal(convert_layout(kernel, "tensorflow", "torch", (2, 3)), kernel.T)
    square = np.arange(4, dtype=np.float32).reshape(2, 2)
    assert np.array_equal(convert_layout(square, "tensorflow", "torch", (2, 2)), square.T)
    assert np.array_equal(convert_layout(square, "tensorflow", "tensorflow", (2, 2)), square)
    conv = np.zeros((5, 5, 3, 8), dtype=np.float32)  # HWIO
    assert convert_layout(conv, "tensorflow", "torch", (8, 3, 5, 5)).shape == (8, 3, 5, 5)
    assert convert_layout(kernel, "tensorflow", "torch", (4, 4)) is None


def test_line_map_follows_inserted_and_rewritten_lines():
    from migrate.validate.compare import line_map

    original = "import tensorflow as tf\nx = tf.placeholder(tf.float32)\nwith tf.Session() as s:\n    s.run(x)\n"
    rewritten = ("import tensorflow as tf\ntf.compat.v1.disable_v2_behavior()\nx = tf.compat.v1.placeholder(tf.float32)\n"
                 "with tf.compat.v1.Session() as s:\n    s.run(x)\n")
    sites = dict(line_map(original, rewritten))
    assert sites[1] == 1 and sites[5] == 4 and 2 not in sites
