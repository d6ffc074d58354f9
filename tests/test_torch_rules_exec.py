"""The torch_deprecations rule set proves its fixes by execution.

Every runnable example's ``before`` and ``after`` run on the installed torch,
each in a fresh namespace with the same seed and default dtype, inside ONE
subprocess (torch's start-up dominates).  Their module-level results (tensors,
numbers, and lists/tuples/dicts of them) must match by name: same structure,
shape and dtype, values within ``torch.allclose``.  A rewritten ``after`` must
also be free of the deprecation warnings that motivated the rule.

The tables that are lists of PyTorch names are checked against the installed
torch, so a torch upgrade that adds or drops a name shows up here.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from migrate.rules import load_rules

RULESET = load_rules(["torch_deprecations"])
RUNNABLE = [
    (rule.code, index, example)
    for rule in RULESET.rules.values()
    for index, example in enumerate(rule.examples)
    if example.run
]
# An example whose old API is gone still shows a replacement that must run.
AFTER_ONLY = [
    (rule.code, index, example)
    for rule in RULESET.rules.values()
    for index, example in enumerate(rule.examples)
    if not example.run and example.after is not None
]
SKIPPED = [
    (rule.code, index, example.why_not_run)
    for rule in RULESET.rules.values()
    for index, example in enumerate(rule.examples)
    if not example.run
]

RUNNER = textwrap.dedent(
    '''
    import json, sys, warnings
    import torch

    def observable(value):
        """Module-level results worth comparing; None for anything else."""
        if isinstance(value, torch.Tensor):
            return value.detach().cpu().clone()
        if isinstance(value, (bool, int, float, complex)):
            return value
        if isinstance(value, (list, tuple)):
            items = [observable(v) for v in value]
            return None if any(i is None for i in items) else tuple(items)
        if isinstance(value, dict):
            items = {k: observable(v) for k, v in value.items()}
            return None if any(i is None for i in items.values()) else items
        return None

    jobs = json.load(open(sys.argv[1]))
    results = {}
    for key, source in jobs.items():
        torch.manual_seed(0)
        torch.set_default_dtype(torch.float32)
        namespace = {"__name__": "__main__"}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                exec(compile(source, key, "exec"), namespace)
                error = None
            except Exception as exc:  # reported per example by the test
                error = f"{type(exc).__name__}: {exc}"
        values = {}
        for name, value in namespace.items():
            if name.startswith("__"):
                continue
            seen = observable(value)
            if seen is not None:
                values[name] = seen
        deprecations = sorted({str(w.message).splitlines()[0] for w in caught if "deprecat" in str(w.message).lower()})
        results[key] = {"error": error, "values": values, "deprecations": deprecations}
    torch.set_default_dtype(torch.float32)
    torch.save(results, sys.argv[2])
    '''
)


def _execute(directory, jobs):
    """Run every snippet in ``jobs`` in one subprocess; results keyed like ``jobs``."""
    import torch

    (directory / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
    (directory / "runner.py").write_text(RUNNER, encoding="utf-8")
    output = directory / "results.pt"
    completed = subprocess.run(
        [sys.executable, str(directory / "runner.py"), str(directory / "jobs.json"), str(output)],
        capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return torch.load(output, weights_only=False)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    pytest.importorskip("torch")
    jobs = {}
    for code, index, example in RUNNABLE:
        jobs[f"{code}-{index}-before"] = example.before
        jobs[f"{code}-{index}-after"] = example.after if example.after is not None else example.before
    for code, index, example in AFTER_ONLY:
        jobs[f"{code}-{index}-after"] = example.after
    return _execute(tmp_path_factory.mktemp("torch_examples"), jobs)


def _compare(name, before, after, problems):
    import torch

    if isinstance(before, torch.Tensor):
        if not isinstance(after, torch.Tensor):
            problems.append(f"{name}: tensor became {type(after).__name__}")
        elif before.shape != after.shape or before.dtype != after.dtype:
            problems.append(f"{name}: {tuple(before.shape)} {before.dtype} became {tuple(after.shape)} {after.dtype}")
        elif before.is_floating_point() or before.is_complex():
            if not torch.allclose(before, after, rtol=1e-5, atol=1e-6, equal_nan=True):
                problems.append(f"{name}: values differ (max abs diff {(before - after).abs().max().item():.3g})")
        elif not torch.equal(before, after):
            problems.append(f"{name}: values differ")
    elif isinstance(before, tuple):
        if not isinstance(after, tuple) or len(before) != len(after):
            problems.append(f"{name}: sequence of {len(before)} became {after!r:.60}")
        else:
            for i, (b, a) in enumerate(zip(before, after)):
                _compare(f"{name}[{i}]", b, a, problems)
    elif isinstance(before, dict):
        if not isinstance(after, dict) or before.keys() != after.keys():
            problems.append(f"{name}: dict keys differ")
        else:
            for key in before:
                _compare(f"{name}[{key!r}]", before[key], after[key], problems)
    elif type(before) is not type(after) or before != after:
        problems.append(f"{name}: {before!r} became {after!r}")


@pytest.mark.slow
@pytest.mark.parametrize(
    "code,index,example", [pytest.param(c, i, e, id=f"{c}-{i}") for c, i, e in RUNNABLE]
)
def test_example_after_computes_what_before_computed(executed, code, index, example):
    before = executed[f"{code}-{index}-before"]
    after = executed[f"{code}-{index}-after"]
    assert before["error"] is None, f"before failed: {before['error']}"
    assert after["error"] is None, f"after failed: {after['error']}"
    assert before["values"], "the example leaves no module-level result to compare"
    problems: list[str] = []
    missing = sorted(set(before["values"]) - set(after["values"]))
    if missing:
        problems.append(f"missing after the rewrite: {', '.join(missing)}")
    for name, value in before["values"].items():
        if name in after["values"]:
            _compare(name, value, after["values"][name], problems)
    assert not problems, "; ".join(problems)
    if example.after is not None and example.after != example.before:
        assert not after["deprecations"], f"the rewritten program still warns: {after['deprecations']}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "code,index,example", [pytest.param(c, i, e, id=f"{c}-{i}") for c, i, e in AFTER_ONLY]
)
def test_replacement_runs_where_the_old_api_cannot(executed, code, index, example):
    after = executed[f"{code}-{index}-after"]
    if after["error"] and after["error"].startswith("ModuleNotFoundError"):
        pytest.skip(after["error"])
    assert after["error"] is None, f"after failed: {after['error']}"
    assert after["values"], "the example leaves no module-level result"
    assert not after["deprecations"], f"the rewritten program still warns: {after['deprecations']}"


def test_examples_run_wherever_the_old_api_still_runs():
    # torch 2.13 still runs every deprecated API in this set except the removed
    # linear algebra functions; the rest say why they are not executed.
    assert len(RUNNABLE) >= 30, len(RUNNABLE)
    for code, index, why in SKIPPED:
        assert why, f"{code} example {index} is not run and does not say why"


def test_loss_table_matches_the_installed_torch():
    torch = pytest.importorskip("torch")
    import inspect

    import torch.nn.functional as F
    from torch import nn

    def has_size_average(obj):
        try:
            return "size_average" in inspect.signature(obj).parameters
        except (TypeError, ValueError):
            return False

    classes = [getattr(nn, n) for n in dir(nn) if isinstance(getattr(nn, n), type)]
    installed = {f"torch.nn.{cls.__name__}" for cls in classes if has_size_average(cls.__init__)}
    installed |= {
        f"torch.nn.functional.{n}" for n in dir(F)
        if not n.startswith("_") and callable(getattr(F, n)) and not isinstance(getattr(F, n), type)
        and has_size_average(getattr(F, n))
    }
    assert set(RULESET.entries["PT1028"]["functions"]) == installed


def _resolve(qualified):
    import importlib

    module, _, name = qualified.rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("code", ["PT1014", "PT1015", "PT1017", "PT1022", "PT1030", "PT1034", "PT1039"])
def test_every_rename_source_is_a_deprecated_wrapper_of_its_target(code):
    pytest.importorskip("torch")
    import warnings

    for old, new in RULESET.entries[code].items():
        target = _resolve(new)
        assert callable(target), new
        source = _resolve(old)
        if code == "PT1017":
            continue  # F.sigmoid/F.tanh no longer warn; equivalence is shown by the executed example
        if code == "PT1022":
            import inspect

            # each wrapper needs different arguments; its source shows it warns and forwards
            assert "warn_deprecated(" in inspect.getsource(source), f"{old} is no longer a deprecation wrapper"
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                source(*_probe_arguments(code))
            except Exception:
                pass  # the probe only needs to reach the wrapper's warning
        announced = [str(w.message).lower() for w in caught]
        assert any("deprecat" in m or "renamed" in m for m in announced), f"{old} did not warn"


def _probe_arguments(code):
    import torch

    if code == "PT1014":
        return (torch.empty(3, 3),)
    if code == "PT1015":
        return (torch.ones(1, 1, 2, 2), None, 2)
    if code == "PT1030":
        return ([], 1.0)
    if code == "PT1034":
        return (torch.nn.Linear(1, 1), {}, (torch.ones(1, 1),))
    return ()


def test_removed_functions_are_really_removed_in_the_installed_torch():
    torch = pytest.importorskip("torch")
    a = torch.eye(2)
    for name, call in {
        "torch.solve": lambda: torch.solve(a, a),
        "torch.symeig": lambda: torch.symeig(a),
        "torch.eig": lambda: torch.eig(a),
        "torch.lstsq": lambda: torch.lstsq(a, a),
        "torch.matrix_rank": lambda: torch.matrix_rank(a),
    }.items():
        with pytest.raises(RuntimeError, match="removed"):
            call()
    with pytest.raises(ModuleNotFoundError):
        import torch._six  # noqa: F401


# The CPU examples above exercise the CUDA spellings only with CUDA disabled;
# on a GPU machine the device-specific AMP APIs are compared where they act.
CUDA_PROGRAMS = {
    "PT1018": """
import torch
torch.manual_seed(0)
a = torch.randn(64, 64, device="cuda")
with torch.cuda.amp.autocast():
    half = torch.mm(a, a)
with torch.cuda.amp.autocast(True, torch.bfloat16):
    brain = torch.mm(a, a)
""",
    "PT1019": """
import torch
torch.manual_seed(0)
layer = torch.nn.Linear(8, 1).cuda()
optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
scaler = torch.cuda.amp.GradScaler(init_scale=1024.0)
with torch.autocast("cuda"):
    loss = layer(torch.ones(4, 8, device="cuda")).float().sum()
scaler.scale(loss).backward()
scaler.step(optimizer)
scaler.update()
weight = layer.weight
scale = scaler.get_scale()
""",
    "PT1020": """
import torch


class Scale(torch.autograd.Function):
    @staticmethod
    @torch.cuda.amp.custom_fwd(cast_inputs=torch.float32)
    def forward(ctx, x):
        return x * 3

    @staticmethod
    @torch.cuda.amp.custom_bwd
    def backward(ctx, grad):
        return grad * 3


x = torch.ones(4, device="cuda", dtype=torch.float16, requires_grad=True)
with torch.autocast("cuda"):
    y = Scale.apply(x)
y.sum().backward()
grad = x.grad
""",
}


@pytest.mark.slow
@pytest.mark.cuda
@pytest.mark.parametrize("code", sorted(CUDA_PROGRAMS))
def test_amp_rewrites_agree_on_a_gpu(code, tmp_path):
    from migrate.engine import transform_source
    from migrate.model import Safety

    before = CUDA_PROGRAMS[code]
    after = transform_source(before, load_rules(["torch_deprecations"], select=[code]),
                             apply=frozenset({Safety.SAFE, Safety.REVIEW})).code
    assert after != before
    results = _execute(tmp_path, {"before": before, "after": after})
    assert results["before"]["error"] is None and results["after"]["error"] is None, results
    problems: list[str] = []
    for name, value in results["before"]["values"].items():
        _compare(name, value, results["after"]["values"].get(name), problems)
    assert not problems, "; ".join(problems)
    assert not results["after"]["deprecations"], results["after"]["deprecations"]
