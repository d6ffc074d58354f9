"""What the ``--to tf2`` test files share: validating a conversion the way users run it."""
from __future__ import annotations

from pathlib import Path


def validate_on_keras3(original: Path, rewritten: Path):
    """``dlmigrate validate ORIGINAL REWRITTEN`` with the Keras each side would get on a user's machine (the
    executor picks Keras 3 for the rewrite and tf-keras for the TF1 original, whatever this process's
    ``TF_USE_LEGACY_KERAS``)."""
    from migrate.validate.pipeline import ValidateOptions, validate_pair

    return validate_pair(original, rewritten, ValidateOptions(keras="per-program"))
