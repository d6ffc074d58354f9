"""Wall time of ``dlmigrate lint`` as pre-commit runs it, against torchfix on the same files.

Each run is a fresh process (interpreter start included), as a pre-commit hook
is.  Cases: 1 file and 30 files of generated, realistic PyTorch modules with
deprecated APIs sprinkled in, 1 such module with nothing to report, plus 1 TF2 module with TF1 leftovers (dlmigrate
only: torchfix has no TensorFlow rules).  Reports the median of N runs and the
ratio torchfix / dlmigrate.

torchfix pins libcst below 1.6, so it lives in its own virtualenv under
benchmarks/.cache (created on first use from the package index; git-ignored).

    .venv/bin/python benchmarks/bench_lint.py [--runs 9] [--no-peer]

Target (issue 7): under 0.12 s for one file on an idle machine, and 30 files >= 5x faster than torchfix.
Run it with PYTHONPATH pointing at another checkout to measure that checkout (before/after).
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
PEER_VENV = CACHE / "torchfix-venv"
CORPUS = CACHE / "lint_corpus"
TARGET_ONE_FILE_S = 0.12  # issue 7

# (deprecated line, what it stands for) -- each a real deprecated or removed PyTorch API
DEPRECATED = [
    "        factor = torch.cholesky(cov)",
    "        q, r = torch.qr(weight)",
    "        steps = torch.range(0, self.hidden - 1)",
    "        solution, _ = torch.solve(rhs, system)",
    "        chained = torch.chain_matmul(a, b, c)",
    "        eigenvalues, _ = torch.symeig(sym, eigenvectors=True)",
    "        rank = torch.matrix_rank(weight)",
    "        outer = torch.ger(vec, vec)",
]

MODULE = '''"""{title}: a small model and its training step (generated for the lint benchmark)."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class {name}Block(nn.Module):
    def __init__(self, features: int, hidden: int = {hidden}) -> None:
        super().__init__()
        self.hidden = hidden
        self.norm = nn.LayerNorm(features)
        self.fc1 = nn.Linear(features, hidden)
        self.fc2 = nn.Linear(hidden, features)
        self.dropout = nn.Dropout(p={dropout})

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x
        x = self.norm(x)
        x = F.gelu(self.fc1(x))
        x = self.dropout(x)
        return residual + self.fc2(x)


class {name}(nn.Module):
    def __init__(self, features: int = {features}, depth: int = {depth}, classes: int = 10) -> None:
        super().__init__()
        self.blocks = nn.ModuleList([{name}Block(features) for _ in range(depth)])
        self.head = nn.Linear(features, classes)
        self.hidden = features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return self.head(x.mean(dim=1))

    def diagnostics(self, weight: torch.Tensor) -> dict:
        cov = weight @ weight.T + torch.eye(weight.shape[0])
        sym = (cov + cov.T) / 2
        system = cov
        rhs = torch.ones(weight.shape[0], 1)
        a = b = c = torch.eye(weight.shape[0])
        vec = weight[0]
{deprecated}
        return {{k: v for k, v in locals().items() if isinstance(v, torch.Tensor)}}


def make_loader(samples: int = 256, features: int = {features}, batch: int = 32) -> DataLoader:
    generator = torch.Generator().manual_seed({seed})
    inputs = torch.randn(samples, 8, features, generator=generator)
    labels = torch.randint(0, 10, (samples,), generator=generator)
    return DataLoader(TensorDataset(inputs, labels), batch_size=batch, shuffle=True)


def train_epoch(model: nn.Module, loader: DataLoader, lr: float = {lr}) -> float:
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=len(loader))
    model.train()
    total = 0.0
    for inputs, labels in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        total += loss.item()
    return total / max(1, len(loader))


@torch.no_grad()
def evaluate(model: nn.Module, loader: DataLoader) -> float:
    model.eval()
    correct = seen = 0
    for inputs, labels in loader:
        predictions = model(inputs).argmax(dim=-1)
        correct += (predictions == labels).sum().item()
        seen += labels.numel()
    return correct / max(1, seen)


def warmup_schedule(step: int, warmup: int = 100) -> float:
    return min(1.0, step / warmup) * 0.5 * (1 + math.cos(math.pi * min(step, 1000) / 1000))
'''

TF_MODULE = '''import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, shape=[None, 4])
w = tf.compat.v1.get_variable("w", shape=[4, 2])
y = tf.compat.v1.nn.relu(tf.matmul(x, w))
opt = tf.compat.v1.train.AdamOptimizer(0.001, 0.9)
with tf.compat.v1.Session() as sess:
    sess.run(tf.compat.v1.global_variables_initializer())
'''


def generate(count: int = 30) -> list[Path]:
    CORPUS.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2024)
    files = []
    for index in range(count):
        name = f"Net{index:02d}"
        picks = rng.sample(DEPRECATED, k=rng.randint(2, 4))
        path = CORPUS / f"model_{index:02d}.py"
        text = MODULE.format(
            title=name, name=name, hidden=rng.choice((64, 128, 256)), dropout=rng.choice((0.1, 0.2)),
            features=rng.choice((16, 32, 64)), depth=rng.randint(2, 6), seed=index, lr=rng.choice((1e-3, 3e-4)),
            deprecated="\n".join(picks),
        )
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        files.append(path)
    clean = CORPUS / "clean_torch.py"  # the common pre-commit case: a torch module with nothing to report
    clean.write_text(MODULE.format(title="Clean", name="Clean", hidden=64, dropout=0.1, features=32, depth=2,
                                   seed=99, lr=1e-3, deprecated="        factor = torch.linalg.cholesky(cov)"))
    tf_path = CORPUS / "tf2_leftovers.py"
    tf_path.write_text(TF_MODULE)
    return files


def ensure_peer() -> Path | None:
    exe = PEER_VENV / "bin" / "torchfix"
    if exe.exists():
        return exe
    print("creating the torchfix virtualenv (first run only) ...", file=sys.stderr)
    venv.EnvBuilder(with_pip=True, clear=True).create(PEER_VENV)
    install = subprocess.run([str(PEER_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "torchfix"],
                             capture_output=True, text=True)
    if install.returncode != 0 or not exe.exists():
        print(f"could not install torchfix: {install.stderr.strip()[-500:]}", file=sys.stderr)
        return None
    return exe


def peer_version() -> str:
    result = subprocess.run([str(PEER_VENV / "bin" / "python"), "-m", "pip", "show", "torchfix"],
                            capture_output=True, text=True)
    return next((line.split(":", 1)[1].strip() for line in result.stdout.splitlines() if line.startswith("Version")), "?")


def _env(**extra: str) -> dict[str, str]:
    # installed tools run from cached bytecode; a PYTHONDONTWRITEBYTECODE shell would make every
    # run recompile the (editable) package and measure the compiler instead
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_command(command: list[str], runs: int, env: dict[str, str] | None = None
                 ) -> tuple[float, float, subprocess.CompletedProcess]:
    """(median wall seconds, median CPU seconds, last run).

    CPU time (user + system of the child) is what the run costs when the
    machine is not shared; wall time is what a user waits for here and now.
    """
    env = env or _env()
    last = subprocess.run(command, capture_output=True, text=True, env=env)  # warm file cache, .pyc, rule cache
    walls, cpus = [], []
    for _ in range(runs):
        cpu_before = _child_cpu()
        start = time.perf_counter()
        last = subprocess.run(command, capture_output=True, text=True, env=env)
        walls.append(time.perf_counter() - start)
        cpus.append(_child_cpu() - cpu_before)
    return statistics.median(walls), statistics.median(cpus), last


def count_findings(output: str) -> int:
    return sum(1 for line in output.splitlines() if line.count(":") >= 3 and line.split(":")[1].isdigit())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--no-peer", action="store_true", help="skip torchfix")
    args = parser.parse_args(argv)

    files = generate()
    dlmigrate = Path(sys.executable).parent / "dlmigrate"
    if not dlmigrate.exists():
        print(f"no dlmigrate console script next to {sys.executable}; install the package first", file=sys.stderr)
        return 2
    peer = None if args.no_peer else ensure_peer()
    cases = [("1 torch file", files[:1], True), (f"{len(files)} torch files", files, True),
             ("1 clean torch file", [CORPUS / "clean_torch.py"], True),
             ("1 TF2 file (TF1 leftovers)", [CORPUS / "tf2_leftovers.py"], False)]
    print(f"dlmigrate lint vs torchfix {peer_version() if peer else '(not run)'}; median of {args.runs} fresh "
          f"processes, wall time incl. interpreter start (CPU time in brackets)")
    print(f"load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores\n")
    header = (f"{'case':<28} {'dlmigrate wall [cpu]':>22} {'found':>6} {'torchfix wall [cpu]':>22} {'found':>6} "
              f"{'ratio wall [cpu]':>17}")
    print(header)
    print("-" * len(header))
    one_file = None
    for label, paths, torch_case in cases:
        names = [str(p) for p in paths]
        ours, ours_cpu, our_run = time_command([str(dlmigrate), "lint", "--no-config", *names], args.runs)
        if one_file is None:
            one_file = (ours, ours_cpu)
        row = f"{label:<28} {ours:>9.3f}s [{ours_cpu:.3f}s] {count_findings(our_run.stdout):>6}"
        if peer and torch_case:
            theirs, theirs_cpu, their_run = time_command([str(peer), *names], args.runs)
            row += (f" {theirs:>9.3f}s [{theirs_cpu:.3f}s] {count_findings(their_run.stdout):>6}"
                    f" {theirs / ours:>7.1f}x [{theirs_cpu / ours_cpu:.1f}x]")
        else:
            row += f" {'-':>22} {'-':>6} {'-':>17}"
        print(row)
    # the parsed-rules cache (migrate.rulecache) off: what the first run after an upgrade or a rule edit costs
    uncached, uncached_cpu, _ = time_command([str(dlmigrate), "lint", "--no-config", str(files[0])], args.runs,
                                             env=_env(DLMIGRATE_NO_CACHE="1"))
    print(f"{'1 torch file, no rule cache':<28} {uncached:>9.3f}s [{uncached_cpu:.3f}s]")
    wall, cpu = one_file
    print(f"\nratio = torchfix / dlmigrate. One torch file: {wall:.3f}s wall, {cpu:.3f}s CPU; target "
          f"{TARGET_ONE_FILE_S:.2f}s: {'met' if wall < TARGET_ONE_FILE_S else 'missed'} (wall), "
          f"{'met' if cpu < TARGET_ONE_FILE_S else 'missed'} (CPU).")
    probe = ("import sys\nfrom migrate.cli import main\ntry:\n    main(['lint', '--no-config', *sys.argv[1:]])\n"
             "except SystemExit:\n    pass\nprint('LIBCST', 'libcst' in sys.modules)\n")
    # run outside the checkout: ``-c`` puts the working directory first on sys.path, PYTHONPATH must win
    imported = subprocess.run([sys.executable, "-c", probe, str(files[0])], capture_output=True, text=True, env=_env(),
                              cwd=str(CACHE))
    print(f"libcst imported by the one-file lint: {'LIBCST True' in imported.stdout}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
