"""Where a command finds its checkpoint when none is named."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PRETRAINED_DIR = resources.files("dinogen") / "pretrained"


def default_checkpoint(local: str | Path, shipped_name: str) -> Path:
    """``local`` when it exists, otherwise the checkpoint shipped in the package."""
    local = Path(local)
    if local.is_file():
        return local
    return Path(str(PRETRAINED_DIR / shipped_name))
