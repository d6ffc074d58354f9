"""torch-latest on 0.3/0.4-era code: scalar-read facts (precision), async= repair, and the legacy corpus.

The corpus test runs each program three times (original, converted, modern twin)
in subprocesses.  The normal run takes a fixed sample of ``SAMPLE`` programs;
``pytest -m slow tests/test_torch_legacy.py`` (or ``python tests/torch_legacy_support.py``)
runs all of them.
"""
from __future__ import annotations

import os

import pytest

from migrate.engine import transform_source
from migrate.lint import check_module
from migrate.model import Safety
from migrate.rules import load_rules
from migrate.torch_deprecations.facts import Facts
from torch_legacy_support import check, convert_corpus, programs

APPLY = frozenset({Safety.SAFE, Safety.REVIEW})
SAMPLE = ["cuda_async", "old_function_relu"]  # a parse repair and a structural rewrite, each with .data[0]


def _reads(source: str) -> dict[str, bool]:
    facts = Facts.from_source(source)
    return {read.receiver: read.proven for read in facts.scalar_reads(source.splitlines())}


PROVEN = '''
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import MSELoss
criterion = nn.CrossEntropyLoss()
mse = MSELoss(size_average=False)
def step(net, x, y, loss_fn=None):
    output = criterion(net(x), y)
    errD = mse(x, y) + F.l1_loss(x, y)
    a = output.data[0]
    b = errD.data.numpy()[0]
    c = F.nll_loss(x, y).data.cpu().numpy()[0]
    d = torch.dot(x, y).data[0]
    e = (x - y).abs().sum().data[0]
    f = nn.SmoothL1Loss()(x, y).data[0]
def evaluate(model, criterion, batch):
    g = criterion(model(batch), batch).data[0]
'''

NOT_PROVEN = '''
import torch
import torch.nn as nn
import torch.nn.functional as F
per_pixel = nn.MSELoss(reduction="none")
def show(net, images, target, loss, flag):
    out = net(images)
    g = out.data[0].numpy()
    h = per_pixel(out, target).data[0]
    i = F.mse_loss(out, target, reduce=False).data[0]
    j = F.mse_loss(out, target, reduction=flag).data[0]
    k = out.sum(1).data[0]
    l = loss.data[0]
    m = net.weight.data[0]
    out = out.sum()
    n = out.data[0]
    for criterion in (F.l1_loss,):
        o = criterion(out, target).data[0]
'''


def test_scalar_reads_proven_by_facts():
    assert _reads(PROVEN) == {
        "output": True, "errD": True, "F.nll_loss(x, y)": True, "torch.dot(x, y)": True,
        "(x - y).abs().sum()": True, "nn.SmoothL1Loss()(x, y)": True, "criterion(model(batch), batch)": True,
    }


def test_true_negatives_are_not_proven():
    facts = Facts.from_source(NOT_PROVEN)
    reads = [(r.receiver, r.proven) for r in facts.scalar_reads(NOT_PROVEN.splitlines())]
    assert len(reads) == 9 and not any(proven for _, proven in reads), reads


def test_true_negatives_get_no_unsafe_fix():
    """Image batches, unreduced losses, parameters, names assigned twice: reported, never rewritten."""
    rules = load_rules(["torch_deprecations"], select=["PT1027"])
    result = transform_source(NOT_PROVEN, rules, apply=APPLY)
    assert result.code == NOT_PROVEN
    findings = [f for f in result.findings if f.code == "PT1027"]
    assert len(findings) == 9 and all(not f.fixed and f.safety is Safety.NONE for f in findings)
    assert "`out.detach()[0]`" in next(f.message for f in findings if f.line == 8)


def test_requires_grad_batch_keeps_working_after_conversion():
    source = (
        "import torch\n"
        "images = torch.ones(2, 3, requires_grad=True)\n"
        "out = images * 2\n"
        "first = out.data[0].numpy()\n"
        "print(first.sum())\n"
    )
    rules = load_rules(["torch_deprecations"], select=["PT"])
    assert transform_source(source, rules, apply=APPLY).code == source


def test_async_keyword_file_parses_and_converts():
    source = "import torch\nx = torch.ones(2)\nif torch.cuda.is_available():\n    x = x.cuda(async=True)\nprint(x.sum().data[0])\n"
    rules = load_rules(["torch_deprecations"], select=["PT"])
    result = transform_source(source, rules, apply=APPLY)
    assert result.code == source.replace("async=", "non_blocking=").replace(".data[0]", ".item()")
    assert {f.code for f in result.findings} >= {"PT1046", "PT1027"}
    assert [f.code for f in check_module(source, rules)].count("PT1046") == 1


def test_async_repair_is_not_used_when_the_file_stays_broken():
    source = "import torch\nx = torch.ones(2).cuda(async=True)\nprint 'py2'\n"
    rules = load_rules(["torch_deprecations"], select=["PT"])
    with pytest.raises(SyntaxError):
        transform_source(source, rules, apply=APPLY)


def _run_corpus(names, tmp_path):
    done = convert_corpus(tmp_path / "converted")
    assert done.returncode in (0, 3), done.stderr
    outcomes = check(names, tmp_path / "converted")
    failed = {o.name: o.why() for o in outcomes if not o.ok}
    assert not failed, failed


def test_corpus_sample_runs_after_conversion(tmp_path):
    assert len(programs()) >= 20
    _run_corpus(SAMPLE, tmp_path)


@pytest.mark.slow
@pytest.mark.verify
@pytest.mark.skipif(os.environ.get("DLMIGRATE_VERIFY") != "1",
                    reason="the whole corpus (about 4 min) runs in `make verify` (DLMIGRATE_VERIFY=1); make test runs a sample")
def test_whole_corpus_runs_after_conversion(tmp_path):
    _run_corpus(programs(), tmp_path)


def test_star_import_of_a_project_module_is_resolved(tmp_path):
    (tmp_path / "model.py").write_text(
        "import torch\nimport torch.nn as nn\nfrom torch.autograd import Variable\n\nclass Net(nn.Module):\n    pass\n"
    )
    script = tmp_path / "train.py"
    source = "from model import *\nx = Variable(torch.ones(2))\ncrit = nn.MSELoss()\nprint(crit(x, x).data[0])\n"
    script.write_text(source)
    rules = load_rules(["torch_deprecations"], select=["PT"])
    result = transform_source(source, rules, apply=APPLY, filename=str(script))
    assert result.code == "from model import *\nx = torch.ones(2)\ncrit = nn.MSELoss()\nprint(crit(x, x).item())\n"
    assert sorted({f.code for f in check_module(source, rules, filename=str(script))}) == ["PT1025", "PT1027"]
    # without the module next to it nothing is known about the names
    assert transform_source(source, rules, apply=APPLY, filename=str(tmp_path / "elsewhere" / "train.py")).code == source


@pytest.mark.slow
def test_2x_deprecation_list_matches_the_installed_torch():
    """Each recorded removal raises or is absent here; each deprecation still exists (scripts/torch_2x_deprecations.py)."""
    import subprocess
    import sys

    from torch_legacy_support import ROOT

    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "torch_2x_deprecations.py"), "--check"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "36 of 36 have a dlmigrate rule" in done.stdout
