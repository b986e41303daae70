"""The build cache (.coursegen-cache/): always safe to delete."""

from __future__ import annotations

import shutil
from pathlib import Path

CACHE_DIR = ".coursegen-cache"


def clear_cache(root: Path) -> None:
    folder = root.resolve() / CACHE_DIR
    if folder.is_dir():
        shutil.rmtree(folder)
