"""PyTorch 1.x/2.x deprecations and removals, checked against the installed torch.

Each entry names an API, the release that deprecated it and (where it happened)
the release that removed it, its replacement, and a small probe.  The versions
come from PyTorch's release notes and documentation; the probe runs the API on
the installed torch and records what it does *here*:

- ``absent``   the name no longer exists;
- ``raises``   it exists but raises (a removed API kept as a stub that explains);
- ``warns``    it runs and emits a deprecation/future/user warning;
- ``silent``   it runs without a warning (deprecated in the docs only).

The last column is the dlmigrate rule that handles the API, read from
``rules/torch_deprecations`` (any TOML that names the qualified name), or ``-``.

    python scripts/torch_2x_deprecations.py            # table on stdout
    python scripts/torch_2x_deprecations.py --json F   # the same as JSON, with the torch version
    python scripts/torch_2x_deprecations.py --check    # exit 1 if an entry's observed status contradicts its record

``--check`` is what the slow test runs: an entry recorded as removed must not
run silently, and one recorded as deprecated must still exist.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules" / "torch_deprecations"


@dataclass(frozen=True)
class Entry:
    name: str
    deprecated: str  # release that deprecated it
    removed: str | None  # release that removed it (or made it raise), None if still there
    replacement: str
    probe: Callable[[], object] | None = None  # None: only look the name up


def _t():
    import torch

    return torch


def _sq():
    return _t().eye(2) * 2


ENTRIES: list[Entry] = [
    Entry("torch.symeig", "1.9", "2.0", "torch.linalg.eigh", lambda: _t().symeig(_sq())),
    Entry("torch.eig", "1.9", "2.0", "torch.linalg.eig", lambda: _t().eig(_sq())),
    Entry("torch.lstsq", "1.9", "2.0", "torch.linalg.lstsq", lambda: _t().lstsq(_sq(), _sq())),
    Entry("torch.solve", "1.9", "2.0", "torch.linalg.solve", lambda: _t().solve(_sq(), _sq())),
    Entry("torch.matrix_rank", "1.9", "2.0", "torch.linalg.matrix_rank", lambda: _t().matrix_rank(_sq())),
    Entry("torch._six", "1.13", "2.0", "Python 3 builtins (string_classes -> str, ...)",
          lambda: importlib.import_module("torch._six")),
    Entry("torch.qr", "1.9", None, "torch.linalg.qr", lambda: _t().qr(_sq())),
    Entry("torch.cholesky", "1.9", None, "torch.linalg.cholesky", lambda: _t().cholesky(_sq())),
    Entry("torch.lu", "1.13", None, "torch.linalg.lu_factor", lambda: _t().lu(_sq())),
    Entry("torch.lu_solve", "1.13", None, "torch.linalg.lu_solve",
          lambda: _t().lu_solve(_sq(), *_t().linalg.lu_factor(_sq()))),
    Entry("torch.chain_matmul", "1.9", None, "torch.linalg.multi_dot", lambda: _t().chain_matmul(_sq(), _sq())),
    Entry("torch.range", "0.4", None, "torch.arange (end exclusive)", lambda: _t().range(0, 2)),
    Entry("torch.ger", "1.8", None, "torch.outer", lambda: _t().ger(_t().ones(2), _t().ones(2))),
    Entry("torch.cuda.memory_cached", "1.4", None, "torch.cuda.memory_reserved", None),
    Entry("torch.testing.assert_allclose", "1.12", None, "torch.testing.assert_close",
          lambda: _t().testing.assert_allclose(_sq(), _sq())),
    Entry("torch.nn.utils.stateless.functional_call", "2.0", None, "torch.func.functional_call",
          lambda: _t().nn.utils.stateless.functional_call(_t().nn.Linear(2, 2), {}, (_t().ones(1, 2),))),
    Entry("functorch.vmap", "2.0", None, "torch.func.vmap", lambda: importlib.import_module("functorch").vmap(_t().sin)),
    Entry("torch.set_default_tensor_type", "2.1", None, "torch.set_default_dtype / torch.set_default_device",
          lambda: _t().set_default_tensor_type(_t().FloatTensor)),
    Entry("torch.nn.utils.weight_norm", "2.1", None, "torch.nn.utils.parametrizations.weight_norm",
          lambda: _t().nn.utils.weight_norm(_t().nn.Linear(2, 2))),
    Entry("torch.utils.checkpoint.checkpoint (use_reentrant unset)", "2.1", None, "pass use_reentrant=False",
          lambda: _t().utils.checkpoint.checkpoint(_t().sin, _t().ones(2, requires_grad=True))),
    Entry("torch.backends.cuda.sdp_kernel", "2.3", None, "torch.nn.attention.sdpa_kernel",
          lambda: _t().backends.cuda.sdp_kernel().__enter__()),
    Entry("torch.cuda.amp.autocast", "2.4", None, 'torch.amp.autocast("cuda")',
          lambda: _t().cuda.amp.autocast(enabled=False)),
    Entry("torch.cpu.amp.autocast", "2.4", None, 'torch.amp.autocast("cpu")', lambda: _t().cpu.amp.autocast()),
    Entry("torch.cuda.amp.GradScaler", "2.4", None, 'torch.amp.GradScaler("cuda")',
          lambda: _t().cuda.amp.GradScaler(enabled=False)),
    Entry("torch.cuda.amp.custom_fwd", "2.4", None, 'torch.amp.custom_fwd(device_type="cuda")',
          lambda: _t().cuda.amp.custom_fwd(lambda x: x)),
    Entry("torch.get_autocast_gpu_dtype", "2.4", None, 'torch.get_autocast_dtype("cuda")',
          lambda: _t().get_autocast_gpu_dtype()),
    Entry("torch.library.impl_abstract", "2.4", None, "torch.library.register_fake", None),
    Entry("torch.utils._pytree._register_pytree_node", "2.2", None, "torch.utils._pytree.register_pytree_node", None),
    Entry("torch.load (weights_only unset)", "2.4", None, "weights_only=True (the default since 2.6)", None),
    Entry("torch.nn.functional.upsample", "0.4", None, "torch.nn.functional.interpolate",
          lambda: _t().nn.functional.upsample(_t().ones(1, 1, 2, 2), scale_factor=2)),
    Entry("torch.nn.functional.sigmoid", "0.4", None, "torch.sigmoid",
          lambda: _t().nn.functional.sigmoid(_t().ones(1))),
    Entry("torch.nn.init.xavier_uniform", "0.4", None, "torch.nn.init.xavier_uniform_",
          lambda: _t().nn.init.xavier_uniform(_t().empty(2, 2))),
    Entry("torch.nn.UpsamplingBilinear2d", "0.4", None, 'torch.nn.Upsample(mode="bilinear", align_corners=True)',
          lambda: _t().nn.UpsamplingBilinear2d(scale_factor=2)(_t().ones(1, 1, 2, 2))),
    Entry("torch.Tensor.multinomial (num_samples unset)", "0.4", "0.4", "num_samples=1",
          lambda: _t().tensor([0.5, 0.5]).multinomial()),
    Entry("torch.Tensor.reinforce", "0.4", "0.4", "torch.distributions + -log_prob * reward",
          lambda: _t().ones(1).reinforce(1.0)),
    Entry("torch.autograd.Function (instance forward)", "0.4", "1.3", "static forward(ctx, ...) and Fn.apply",
          lambda: type("Old", (_t().autograd.Function,), {"forward": lambda self, x: x})()(_t().ones(1))),
]


def _lookup(name: str) -> object:
    dotted = name.split(" ", 1)[0]
    parts = dotted.split(".")
    obj = importlib.import_module(parts[0])
    for index, part in enumerate(parts[1:], 1):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            obj = importlib.import_module(".".join(parts[: index + 1]))
    return obj


def observe(entry: Entry) -> str:
    try:
        _lookup(entry.name)
    except (ImportError, AttributeError):
        return "absent"
    if entry.probe is None:
        return "present"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            entry.probe()
        except Exception:  # noqa: BLE001 - a removed API kept as a stub that raises
            return "raises"
    if any(issubclass(w.category, (DeprecationWarning, FutureWarning, UserWarning)) for w in caught):
        return "warns"
    return "silent"


def rule_codes() -> dict[str, list[str]]:
    """Qualified name -> dlmigrate rule codes whose TOML names it."""
    found: dict[str, list[str]] = {}
    for path in sorted(RULES.glob("PT*.toml")):
        text = path.read_text(encoding="utf-8")
        code = path.name.split("_", 1)[0]
        for entry in ENTRIES:
            key = entry.name.split(" ", 1)[0]
            short = key.rsplit(".", 1)[-1]
            if f'"{key}"' in text or (key.startswith("torch.Tensor.") and f'{short}("' in text) \
                    or (key == "torch.autograd.Function" and code == "PT1044"):
                found.setdefault(entry.name, []).append(code)
    return found


def contradiction(entry: Entry, status: str) -> str | None:
    if entry.removed is not None and status in ("silent", "present"):
        return f"recorded as removed in {entry.removed} but runs silently here"
    if entry.removed is None and status in ("absent", "raises") and entry.probe is not None:
        return f"recorded as deprecated only, but {status} here"
    return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    torch = _t()
    codes = rule_codes()
    rows = []
    for entry in ENTRIES:
        status = observe(entry)
        rows.append({"api": entry.name, "deprecated": entry.deprecated, "removed": entry.removed,
                     "replacement": entry.replacement, "status": status, "rules": codes.get(entry.name, []),
                     "problem": contradiction(entry, status)})
    print(f"torch {torch.__version__}: {len(rows)} deprecated or removed APIs")
    print(f"{'api':58} {'depr.':6} {'removed':8} {'here':8} rule")
    for row in rows:
        print(f"{row['api']:58} {row['deprecated']:6} {row['removed'] or '-':8} {row['status']:8} "
              f"{','.join(row['rules']) or '-'}")
    covered = sum(1 for row in rows if row["rules"])
    print(f"{covered} of {len(rows)} have a dlmigrate rule")
    if args.json:
        args.json.write_text(json.dumps({"torch": torch.__version__, "entries": rows}, indent=2) + "\n")
    problems = [row for row in rows if row["problem"]]
    for row in problems:
        print(f"CHECK {row['api']}: {row['problem']}", file=sys.stderr)
    return 1 if args.check and problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
