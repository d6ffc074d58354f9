"""JSON: the document itself, the form every other report is rendered from."""
from __future__ import annotations

import json
from typing import Any, Mapping


def render(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
