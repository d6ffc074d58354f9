"""What the ``--to tf2`` test files share: validating a conversion the way users run it."""
from __future__ import annotations

import os
from pathlib import Path


def validate_on_keras3(original: Path, rewritten: Path):
    """``dlmigrate validate ORIGINAL REWRITTEN``, with ``TF_USE_LEGACY_KERAS`` unset so that the executor picks
    Keras 3 for the rewrite (and the TF1 harness for the original), as on a user's machine."""
    from migrate.validate.pipeline import ValidateOptions, validate_pair

    previous = os.environ.pop("TF_USE_LEGACY_KERAS", None)
    try:
        return validate_pair(original, rewritten, ValidateOptions())
    finally:
        if previous is not None:
            os.environ["TF_USE_LEGACY_KERAS"] = previous
