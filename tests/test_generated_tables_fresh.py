"""The tables this branch generates from the installed TensorFlow are what their scripts write today."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from corpus_support import RUN_ENV

ROOT = Path(__file__).resolve().parent.parent


def _check(script: str) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / script), "--check"], capture_output=True, text=True,
                          env={**os.environ, **RUN_ENV}, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]


def test_private_module_list_is_fresh():
    _check("gen_tf_private_modules.py")  # walks files only: fast


@pytest.mark.slow
@pytest.mark.parametrize("script", ["gen_tf1_names.py", "gen_deprecated_keywords.py"])
def test_tf_api_tables_are_fresh(script):
    _check(script)
