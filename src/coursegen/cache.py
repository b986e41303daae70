"""The build cache (.coursegen-cache/): results keyed by a hash of everything they depend on.

Deleting the folder is always safe: the next build recomputes what it needs.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from coursegen import __version__

CACHE_DIR = ".coursegen-cache"


@functools.lru_cache(maxsize=None)
def code_digest(names: tuple[str, ...]) -> str:
    """A hash of coursegen's own modules `names`: cached results made by other code are not reused
    (a development checkout changes without a new version number). Read once per process."""
    package = Path(__file__).parent
    return hashlib.sha256(b"".join((package / name).read_bytes() for name in names)).hexdigest()


# The modules whose output the index caches hold (parsed pages, front matter, body metadata).
INDEXED_CODE = ("yamlio.py", "frontmatter.py", "parse.py", "textio.py", "encoding.py", "bodies.py", "markdown_render.py")


def _code_version() -> str:
    return __version__ + code_digest(INDEXED_CODE)[:16]


@functools.lru_cache(maxsize=None)
def _dist_info_versions() -> dict[str, str]:
    """Installed distributions' versions read from their `name-version.dist-info` folder names:
    one directory listing per sys.path entry, where importlib.metadata scans them all per call."""
    import sys

    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info") and "-" in name:
                project, _, version = name[: -len(".dist-info")].partition("-")
                found.setdefault(_normalized(project), version)
    return found


def _normalized(project: str) -> str:
    return project.lower().replace("-", "_").replace(".", "_")


def installed_version(name: str) -> str:
    """The installed version of distribution `name` ("" when it isn't installed)."""
    version = _dist_info_versions().get(_normalized(name))
    if version is not None:
        return version
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as metadata_version

    try:
        return metadata_version(name)
    except PackageNotFoundError:
        return ""


def write_text_atomically(path: Path, text: str) -> bool:
    """Write `path` through a temporary file and a rename: a crash never leaves it half-written.
    False when it could not be written (a read-only or full disk only costs the cache its speed)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        return False
    return True


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

    def __init__(self, root: Path, kind: str, read_only: bool = False):
        self.folder = root / CACHE_DIR / kind
        self._folder = str(self.folder)  # os.path in hot loops: cheaper than pathlib
        self.read_only = read_only  # `coursegen check` uses what is there and writes nothing

    def get(self, key: str) -> Any | None:
        try:
            return json.loads(Path(self.path(key, "json")).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: Any) -> None:
        self.put_text(key, "json", json.dumps(value, ensure_ascii=False))

    def path(self, key: str, suffix: str) -> str:
        return os.path.join(self._folder, f"{key}.{suffix}")

    def prune(self, keep: set[str]) -> None:
        """Delete the entries whose key is not in `keep` (results no build uses any more)."""
        if self.read_only:
            return
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return
        for entry in entries:
            if not entry.name.startswith(".") and entry.name.partition(".")[0] not in keep:
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass

    def put_text(self, key: str, suffix: str, text: str) -> bool:
        """Written to a temporary file then renamed: a crash never leaves a half-written entry.
        False when it could not be written."""
        return not self.read_only and write_text_atomically(Path(self.path(key, suffix)), text)


class IndexCache:
    """Many small entries in ONE JSON file, read once per build: a thousand file reads cost more
    than one parse. Entries not used by a build are dropped when it saves, so the file only holds
    what the course needs."""

    def __init__(self, root: Path, name: str, enabled: bool = True, read_only: bool = False):
        self.path = root / CACHE_DIR / f"{name}.json"
        self.enabled = enabled
        self.read_only = read_only
        self.entries: dict[str, Any] = {}
        if enabled:
            try:
                stored = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(stored, dict) and stored.get("version") == _code_version():
                    self.entries = stored.get("entries", {})
            except (OSError, ValueError):
                pass
        self.used: dict[str, Any] = {}

    def get(self, key: str) -> Any | None:
        value = self.entries.get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self.used[key] = value

    def save(self) -> bool:
        """Write the entries this build used; False when there was nothing new to write."""
        if not self.enabled or self.read_only or self.used == self.entries:
            return False
        return write_text_atomically(self.path, json.dumps({"version": _code_version(), "entries": self.used}, ensure_ascii=False))
