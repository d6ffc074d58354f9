import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


def dlmigrate_exe() -> str:
    exe = VENV_BIN / "dlmigrate"
    return str(exe) if exe.exists() else shutil.which("dlmigrate") or "dlmigrate"


def have_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def pytest_collection_modifyitems(config, items):
    cuda = False
    if have_module("torch"):
        try:
            import torch

            cuda = torch.cuda.is_available()
        except Exception:
            cuda = False
    skip_cuda = pytest.mark.skip(reason="needs a CUDA device (none on this machine)")
    for item in items:
        if "cuda" in item.keywords and not cuda:
            item.add_marker(skip_cuda)


os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
