"""Prove the TF <-> torch table by execution: every entry's examples on both frameworks, same inputs.

One process per framework for the whole table (``verify_exec.py``, stdlib +
numpy + the framework), both running at once.  The torch expression of each
example is produced by the same mapper the rewrite uses (``table.render``), so
what is proven is what ``convert --to torch`` writes.  The reverse direction
(``--to tf``) renders the torch call back to TF with the reverse table and runs
it in the same TF process.  Results are cached by the hash of everything a pair
depends on (codes, inputs, framework versions).

Verdict per example: PASS (same shape, dtype, values within tolerance; for
random ops the same shape, dtype and sample moments/quantiles), MISMATCH, ERROR.
An entry is PASS when every example is.  A curated entry's ``naive`` mapping is
run too: it must fail somewhere, which proves the examples exercise the pitfall.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from migrate.tf_to_torch.table import Unmapped, bind, fill, render, split_call

RTOL, ATOL = 1e-5, 1e-6
COMPARE_VERSION = 3  # part of every cache key: bump when the comparison itself changes
EXECUTOR = Path(__file__).with_name("verify_exec.py")


# -- inputs
def make_array(spec, rng: np.random.Generator) -> np.ndarray:
    dtype, shape, dist = spec
    shape = tuple(shape)
    kind, *bounds = dist.split(":")
    lo, hi = (float(bounds[0]), float(bounds[1])) if len(bounds) == 2 else (None, None)
    if kind == "normal":
        value = rng.standard_normal(shape)
    elif kind == "uniform":
        value = rng.uniform(lo, hi, shape)
    elif kind == "int":
        value = rng.integers(int(lo), int(hi) + 1, shape)
    elif kind == "nonzero":
        if dtype.startswith("int"):
            value = rng.integers(int(lo), int(hi) + 1, shape)
            value[value == 0] = 1
        else:
            value = rng.uniform(0.3, max(abs(lo), abs(hi)), shape) * rng.choice([-1.0, 1.0], shape)
    elif kind == "bool":
        value = rng.random(shape) < 0.5
    elif kind == "labels":
        value = rng.integers(0, int(bounds[0]), shape)
    elif kind == "probs":
        z = rng.standard_normal(shape)
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        value = e / e.sum(axis=-1, keepdims=True)
    elif kind == "onehot":
        value = np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])]
    elif kind == "bernoulli":
        value = (rng.random(shape) < 0.5).astype(np.float64)
    elif kind == "halves":
        value = rng.integers(int(lo * 2), int(hi * 2) + 1, shape) / 2.0
    elif kind == "perm":  # a permutation of range(n) along the last axis
        value = rng.permutation(shape[-1]) if len(shape) == 1 else np.stack([rng.permutation(shape[-1]) for _ in range(int(np.prod(shape[:-1])))]).reshape(shape)
    elif kind == "sorted_labels":
        value = np.sort(rng.integers(0, int(bounds[0]), shape))
    elif kind == "spd":  # symmetric positive definite matrices (batched over leading axes)
        a = rng.standard_normal(shape)
        value = a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])
    elif kind == "complex":
        value = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    else:
        raise ValueError(f"unknown input distribution {dist!r}")
    return np.asarray(value).astype(dtype)


# -- cases
@dataclass
class Pair:
    key: str
    entry: str
    direction: str  # tf_to_torch | torch_to_tf | naive
    example: int
    tf_code: str | None
    torch_code: str | None
    inputs: dict
    random: bool = False
    tolerance: tuple[float, float] = (RTOL, ATOL)
    known: str = ""  # the example demonstrates a documented difference: a mismatch makes the entry REVIEW
    tf_id: str = ""
    torch_id: str = ""
    verdict: str = ""
    max_abs_error: float | None = None
    reason: str = ""


@dataclass
class EntryOutcome:
    name: str
    direction: str
    verdict: str
    examples: list[dict] = field(default_factory=list)
    max_abs_error: float | None = None
    reason: str = ""
    naive_defeated: bool | None = None

    def to_dict(self) -> dict:
        data = {"verdict": self.verdict, "examples": len(self.examples)}
        if self.max_abs_error is not None:
            data["max_abs_error"] = self.max_abs_error
        if self.reason:
            data["reason"] = self.reason
        if self.naive_defeated is not None:
            data["naive_defeated"] = self.naive_defeated
        return data


def _hash(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:20]


def build_pairs(table: dict, reverse: dict, versions: dict, names=None) -> list[Pair]:
    pairs: list[Pair] = []
    reverse_by_tf = {}
    for rentry in reverse.values():
        reverse_by_tf.setdefault(rentry["tf"], []).append(rentry)
    for name, entry in sorted(table.items()):
        if names is not None and name not in names:
            continue
        tolerance = tuple(entry.get("tolerance", (RTOL, ATOL)))
        for index, example in enumerate(entry["examples"]):
            _, positional, keywords = split_call(example["call"])
            # ``apply``: the TF call builds a callable (a Keras loss object) that the example then calls,
            # e.g. call "tf.keras.losses.Huber(delta=0.5)" with apply "(y, p)"; both sides call their object
            apply = example.get("apply", "")
            tf_code = example["call"] + apply
            try:
                torch_code = render(entry, bind(entry, positional, keywords))
            except Unmapped as exc:
                torch_code, why = None, str(exc)
            else:
                why = ""
                if apply:
                    torch_code = f"({torch_code}){apply}"
            random = bool(entry.get("random") or example.get("random"))
            common = dict(inputs=example.get("inputs", {}), random=random,
                          tolerance=tuple(example.get("tolerance", tolerance)), known=example.get("known_difference", ""))
            pair = Pair(_hash(tf_code, torch_code, common, versions, entry["tf"], index), name, "tf_to_torch", index,
                        tf_code, torch_code, **common)
            if torch_code is None:
                pair.verdict, pair.reason = "ERROR", f"no mapping: {why}"
            pairs.append(pair)
            if "naive" in entry:
                try:
                    naive_code = fill(entry["naive"], bind(entry, positional, keywords), entry)
                except Unmapped:
                    naive_code = None
                if naive_code and apply:
                    naive_code = f"({naive_code}){apply}"
                if naive_code:
                    pairs.append(Pair(_hash("naive", tf_code, naive_code, common, versions, entry["tf"], index), name,
                                      "naive", index, tf_code, naive_code, **common))
            for rentry in reverse_by_tf.get(name, ()):
                if torch_code is None or "torch.tensor(" in torch_code or apply:
                    continue  # a wrapped Python number is not code a torch user writes
                try:
                    func, rpos, rkw = split_call(torch_code)
                except (ValueError, SyntaxError):
                    continue
                if func != rentry["torch"] or not all(_plain(a) for a in [*rpos, *rkw.values()]):
                    continue  # only torch calls a user writes: names and literals, no helper expressions
                try:
                    back = render(rentry, bind(rentry, rpos, rkw))
                except Unmapped:
                    continue
                pairs.append(Pair(_hash("reverse", back, torch_code, common, versions, rentry["torch"], index),
                                  rentry["torch"], "torch_to_tf", index, back, torch_code, **common))
    for name, rentry in sorted(reverse.items()):
        if names is not None and rentry.get("tf") not in names:
            continue
        for index, example in enumerate(rentry.get("examples", [])):
            apply = example.get("apply", "")
            _, positional, keywords = split_call(example["call"])
            torch_code = example["call"] + apply
            try:
                back = render(rentry, bind(rentry, positional, keywords))
                back = f"({back}){apply}" if apply else back
            except Unmapped as exc:
                pair = Pair(_hash("rev-curated", torch_code, versions, index), name, "torch_to_tf", index, None,
                            torch_code, example.get("inputs", {}))
                pair.verdict, pair.reason = "ERROR", f"no mapping: {exc}"
                pairs.append(pair)
                continue
            pairs.append(Pair(_hash("rev-curated", back, torch_code, example, versions, index), name, "torch_to_tf",
                              index, back, torch_code, example.get("inputs", {}),
                              tolerance=tuple(example.get("tolerance", (RTOL, ATOL)))))
    return pairs


def _plain(text: str) -> bool:
    import ast

    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return False
    return all(isinstance(n, (ast.Name, ast.Constant, ast.List, ast.Tuple, ast.BinOp, ast.UnaryOp, ast.Load,
                              ast.operator, ast.unaryop)) for n in ast.walk(node))


def _is_literal(node) -> bool:
    import ast

    try:
        ast.literal_eval(node)
        return True
    except ValueError:
        return False


def _seed(pair: Pair) -> int:
    spec = json.dumps(pair.inputs, sort_keys=True)
    return int(hashlib.sha256(f"{pair.entry}|{pair.example}|{spec}".encode()).hexdigest()[:8], 16)


def _framework_versions() -> dict:
    """Installed versions without importing the frameworks (importlib.metadata)."""
    from importlib import metadata

    versions = {}
    for dist, key in (("tensorflow", "tensorflow"), ("tensorflow-cpu", "tensorflow"), ("torch", "torch"),
                      ("keras", "keras")):
        try:
            versions.setdefault(key, metadata.version(dist))
        except metadata.PackageNotFoundError:
            pass
    return versions


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dlmigrate" / "tf_torch_verify.json"


def run_pairs(pairs: list[Pair], *, device: str = "cpu", python: str | None = None, cache: Path | None = None,
              timeout: float = 1800) -> dict:
    """Execute the pairs that are not cached; fills each pair's verdict.  Returns run statistics."""
    cached = {}
    if cache is not None and cache.is_file():
        try:
            cached = json.loads(cache.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            cached = {}
    todo = []
    for pair in pairs:
        if pair.verdict:
            continue
        hit = cached.get(pair.key + ":" + device)
        if hit is not None:
            pair.verdict, pair.max_abs_error, pair.reason = hit["verdict"], hit.get("max_abs_error"), hit.get("reason", "")
        else:
            todo.append(pair)
    stats = {"pairs": len(pairs), "cached": len(pairs) - len(todo), "executed": len(todo), "seconds": {}}
    if not todo:
        return stats
    inputs: dict[str, np.ndarray] = {}
    tf_cases: dict[str, dict] = {}
    torch_cases: dict[str, dict] = {}
    for pair in todo:
        rng = np.random.default_rng(_seed(pair))
        names = {}
        for name, spec in sorted(pair.inputs.items()):
            key = f"{_seed(pair)}/{name}"
            if key not in inputs:
                inputs[key] = make_array(spec, rng)
            names[name] = key
        pair.tf_id = "tf" + _hash(pair.tf_code, names)
        pair.torch_id = "pt" + _hash(pair.torch_code, names)
        tf_cases.setdefault(pair.tf_id, {"id": pair.tf_id, "code": pair.tf_code, "inputs": names})
        torch_cases.setdefault(pair.torch_id, {"id": pair.torch_id, "code": pair.torch_code, "inputs": names})
    python = python or sys.executable
    with tempfile.TemporaryDirectory(prefix="dlmigrate-table-verify-") as scratch:
        np.savez(os.path.join(scratch, "inputs.npz"), **{k.replace("/", "__"): v for k, v in inputs.items()})
        for cases in (tf_cases, torch_cases):
            for case in cases.values():
                case["inputs"] = {n: k.replace("/", "__") for n, k in case["inputs"].items()}
        procs = {}
        started = time.perf_counter()
        for framework, cases in (("tf", tf_cases), ("torch", torch_cases)):
            path = os.path.join(scratch, f"{framework}.json")
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(list(cases.values()), handle)
            # tf.keras entries are proven against Keras 3 (TF >= 2.16's tf.keras); tf_keras (Keras 2) differs,
            # e.g. hard_sigmoid (pitfall 20), so the legacy switch is turned off explicitly
            env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0", TF_USE_LEGACY_KERAS="0")
            procs[framework] = subprocess.Popen(
                [python, str(EXECUTOR), "--framework", framework, "--cases", path, "--inputs",
                 os.path.join(scratch, "inputs.npz"), "--out", os.path.join(scratch, framework), "--device", device],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=scratch)
        outputs, results = {}, {}
        for framework, proc in procs.items():
            try:
                _, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
            folder = Path(scratch) / framework
            if proc.returncode != 0 or not (folder / "results.json").is_file():
                raise RuntimeError(f"{framework} verifier process failed ({proc.returncode}): "
                                   f"{err.decode(errors='replace')[-2000:]}")
            meta = json.loads((folder / "results.json").read_text(encoding="utf-8"))
            results[framework] = meta
            with np.load(folder / "outputs.npz") as data:
                outputs[framework] = {k: data[k] for k in data.files}
            stats["seconds"][framework] = round(meta["seconds"], 2)
        stats["device"] = results["torch"]["device"]
        stats["versions"] = {"tensorflow": results["tf"]["version"], "torch": results["torch"]["version"]}
        stats["wall"] = round(time.perf_counter() - started, 2)
    for pair in todo:
        compare_pair(pair, results, outputs)
        cached[pair.key + ":" + device] = {"verdict": pair.verdict, "max_abs_error": pair.max_abs_error,
                                           "reason": pair.reason}
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(cached), encoding="utf-8")
    return stats


def _arrays(framework_outputs: dict, case_id: str, n: int) -> list[np.ndarray]:
    return [framework_outputs[f"{case_id}/{k}"] for k in range(n)]


def compare_pair(pair: Pair, results: dict, outputs: dict) -> None:
    tf_res = results["tf"]["results"][pair.tf_id]
    pt_res = results["torch"]["results"][pair.torch_id]
    if "error" in tf_res:
        pair.verdict, pair.reason = "ERROR", f"TF side raised {tf_res['error']}"
        return
    if "error" in pt_res:
        pair.verdict, pair.reason = "ERROR", f"torch side raised {pt_res['error']}"
        return
    left = _arrays(outputs["tf"], pair.tf_id, tf_res["n"])
    right = _arrays(outputs["torch"], pair.torch_id, pt_res["n"])
    verdict, error, reason = compare_outputs(left, right, pair.tolerance, pair.random)
    pair.verdict, pair.max_abs_error, pair.reason = verdict, error, reason


def compare_outputs(left, right, tolerance, random=False):
    rtol, atol = tolerance
    if len(left) != len(right):
        return "MISMATCH", None, f"{len(left)} outputs vs {len(right)}"
    worst = 0.0
    for index, (a, b) in enumerate(zip(left, right)):
        if a.shape != b.shape:
            return "MISMATCH", None, f"output {index}: shape {list(a.shape)} vs {list(b.shape)}"
        if a.dtype != b.dtype:
            return "MISMATCH", None, f"output {index}: dtype {a.dtype} vs {b.dtype}"
        if a.size == 0:
            continue
        if random:
            ok, error, why = _same_distribution(a, b)
            worst = max(worst, error)
            if not ok:
                return "MISMATCH", worst, f"output {index}: {why}"
            continue
        if a.dtype.kind in "fc":
            finite = np.isfinite(a) & np.isfinite(b)
            if not np.array_equal(np.isfinite(a), np.isfinite(b)) or not np.array_equal(a[~finite], b[~finite]) \
                    and not np.all(np.isnan(a[~finite]) & np.isnan(b[~finite])):
                return "MISMATCH", None, f"output {index}: non-finite values differ"
            diff = np.abs(a[finite].astype(np.complex128 if a.dtype.kind == "c" else np.float64) - b[finite])
            error = float(diff.max()) if diff.size else 0.0
            worst = max(worst, error)
            if not np.allclose(a[finite], b[finite], rtol=rtol, atol=atol):
                return "MISMATCH", worst, f"output {index}: max abs error {error:.3g} beyond rtol {rtol:g} / atol {atol:g}"
        else:
            if not np.array_equal(a, b):
                count = int(np.sum(a != b))
                return "MISMATCH", None, f"output {index}: {count} of {a.size} values differ"
    return "PASS", worst, ""


def _same_distribution(a: np.ndarray, b: np.ndarray):
    x, y = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    scale = max(float(x.std()), 1e-12)
    checks = {"mean": (x.mean(), y.mean(), 0.05), "std": (x.std(), y.std(), 0.05)}
    # a discrete sample's quantiles move in whole steps: one step of slack
    step = 1.0 / scale if np.all(x == np.round(x)) and np.all(y == np.round(y)) else 0.0
    for q in (0.01, 0.5, 0.99):  # ~200 samples beyond the outer quantiles at n = 20000: stable to ~0.05 sd
        checks[f"q{q}"] = (np.quantile(x, q), np.quantile(y, q), 0.12 + step)
    worst = 0.0
    for name, (u, v, tol) in checks.items():
        delta = abs(u - v) / scale
        worst = max(worst, delta)
        if delta > tol:
            return False, worst, f"sample {name} differs by {delta:.3g} standard deviations ({u:.4g} vs {v:.4g})"
    return True, worst, ""


def summarize(pairs: list[Pair]) -> dict[str, dict[str, EntryOutcome]]:
    """direction -> entry name -> outcome (naive results folded into the forward outcome)."""
    out: dict[str, dict[str, EntryOutcome]] = {"tf_to_torch": {}, "torch_to_tf": {}}
    naive: dict[str, list[Pair]] = {}
    for pair in pairs:
        if pair.direction == "naive":
            naive.setdefault(pair.entry, []).append(pair)
            continue
        book = out[pair.direction]
        outcome = book.get(pair.entry)
        if outcome is None:
            outcome = book[pair.entry] = EntryOutcome(pair.entry, pair.direction, "PASS")
        outcome.examples.append({"example": pair.example, "verdict": pair.verdict, "reason": pair.reason,
                                 "max_abs_error": pair.max_abs_error, "tf": pair.tf_code, "torch": pair.torch_code})
        if pair.max_abs_error is not None:
            outcome.max_abs_error = max(outcome.max_abs_error or 0.0, pair.max_abs_error)
        if pair.verdict != "PASS" and pair.known and pair.direction == "tf_to_torch":
            if outcome.verdict == "PASS":
                outcome.verdict = "REVIEW"
                outcome.reason = f"{pair.known} (measured on example {pair.example + 1}: {pair.reason})"
        elif pair.verdict != "PASS" and outcome.verdict in ("PASS", "REVIEW"):
            outcome.verdict = pair.verdict
            outcome.reason = f"example {pair.example + 1}: {pair.reason}"
    for name, items in naive.items():
        outcome = out["tf_to_torch"].get(name)
        if outcome is not None:
            outcome.naive_defeated = any(p.verdict != "PASS" for p in items)
    return out


def verify_table(table: dict, reverse: dict, *, names=None, device: str = "cpu", cache: Path | None = None,
                 python: str | None = None):
    versions = {**_framework_versions(), "compare": COMPARE_VERSION}
    pairs = build_pairs(table, reverse, versions, names)
    stats = run_pairs(pairs, device=device, cache=cache, python=python)
    return summarize(pairs), stats, pairs


def counts(summary) -> dict[str, dict[str, int]]:
    result = {}
    for direction, book in summary.items():
        tally: dict[str, int] = {}
        for outcome in book.values():
            tally[outcome.verdict] = tally.get(outcome.verdict, 0) + 1
        result[direction] = tally
    return result


def verified_document(summary, stats) -> dict:
    return {
        "versions": stats.get("versions") or _framework_versions(),
        "device": stats.get("device", "cpu"),
        "tolerance": {"rtol": RTOL, "atol": ATOL},
        "tf_to_torch": {name: o.to_dict() for name, o in sorted(summary["tf_to_torch"].items())},
        "torch_to_tf": {name: o.to_dict() for name, o in sorted(summary["torch_to_tf"].items())},
    }


def run_table_verify(args) -> int:
    """``dlmigrate rules verify --ruleset tf_to_torch``: prove every table entry, print counts per direction.

    Exit 1 when an entry recorded as PASS in ``verified.json`` no longer passes here.
    """
    from migrate.tf_to_torch.table import load_reverse_table, load_table, table_dir

    started = time.perf_counter()
    device = getattr(args, "device", None) or "cpu"
    table, reverse = load_table(), load_reverse_table()
    summary, stats, _ = verify_table(table, reverse, device=device, cache=default_cache())
    sizes = {"tf_to_torch": len(table), "torch_to_tf": len(reverse)}
    recorded = json.loads((table_dir() / "verified.json").read_text(encoding="utf-8"))
    regressions = []
    for direction, book in summary.items():
        for name, outcome in sorted(book.items()):
            if outcome.verdict != "PASS":
                print(f"{direction:<12} {outcome.verdict:<8} {name}: {outcome.reason[:160]}")
                if outcome.verdict == "REVIEW":
                    continue
                if recorded.get(direction, {}).get(name, {}).get("verdict") == "PASS":
                    regressions.append(name)
    tally = counts(summary)
    for direction, book in summary.items():
        total = sizes[direction]
        proven = tally[direction].get("PASS", 0)
        review = tally[direction].get("REVIEW", 0)
        print(f"{direction}: {proven} of {total} entries proven (PASS), {review} shipped for review with a measured "
              f"difference, {total - len(book)} without an example that reaches them (not applied), "
              f"on {stats.get('device', 'cpu (cached)')}")
    defeated = sum(1 for o in summary["tf_to_torch"].values() if o.naive_defeated)
    naive = sum(1 for o in summary["tf_to_torch"].values() if o.naive_defeated is not None)
    print(f"pitfall entries whose naive mapping the examples defeat: {defeated} of {naive}")
    print(f"{stats['pairs']} example pairs ({stats['cached']} cached, {stats['executed']} executed) in "
          f"{time.perf_counter() - started:.1f} s")
    if regressions:
        print(f"{len(regressions)} entries recorded as PASS no longer pass: {', '.join(regressions[:10])}")
        return 1
    return 0
