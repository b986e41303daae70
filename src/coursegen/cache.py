"""The build cache (.coursegen-cache/): results keyed by a hash of everything they depend on.

Deleting the folder is always safe: the next build recomputes what it needs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from coursegen import __version__

CACHE_DIR = ".coursegen-cache"


def clear_cache(root: Path) -> None:
    folder = root.resolve() / CACHE_DIR
    if folder.is_dir():
        shutil.rmtree(folder)


def digest(*parts: bytes | str) -> str:
    """A cache key over `parts` and the coursegen version (a new version never reuses old results)."""
    hasher = hashlib.sha256(__version__.encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


class JsonCache:
    """One JSON file per key in a sub-folder of the cache. Unreadable entries count as misses."""

    def __init__(self, root: Path, kind: str):
        self.folder = root / CACHE_DIR / kind

    def get(self, key: str) -> Any | None:
        try:
            return json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: Any) -> None:
        self.put_text(key, "json", json.dumps(value, ensure_ascii=False))

    def path(self, key: str, suffix: str) -> Path:
        return self.folder / f"{key}.{suffix}"

    def put_text(self, key: str, suffix: str, text: str) -> None:
        """Written to a temporary file then renamed: a crash never leaves a half-written entry."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".{key}.{suffix}.{os.getpid()}.tmp"
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, self.path(key, suffix))
        except OSError:
            pass  # a read-only or full disk only costs speed
