"""The build cache (.coursegen-cache/): results keyed by a hash of everything they depend on.

Deleting the folder is always safe: the next build recomputes what it needs. (It also holds, in
sites/, what each build wrote and which pages were good: without it, a page whose source is broken
gets an error page instead of keeping its last good version — see lastgood.py.)
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import sys
import threading
import zlib
from pathlib import Path
from typing import Any

from coursegen import __version__

CACHE_DIR = ".coursegen-cache"


@functools.cache
def code_digest() -> str:
    """A hash of every file of the installed coursegen package (modules, string tables, nbconvert
    templates): cached results made by other code are never reused, whichever module changed (a
    development checkout changes without a new version number). No list of module names to keep
    up to date by hand; read once per process (~40 files, about a millisecond)."""
    package = Path(__file__).parent
    hasher = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(package)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = Path(folder) / name
            hasher.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return hasher.hexdigest()


def _code_version() -> str:
    return __version__ + code_digest()[:16]


@functools.cache
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
    return write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path: Path, data: bytes) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        return False
    return True


# Up to this many new files are flushed one by one; beyond, their whole file system at once.
FEW_FILES = 8


def make_durable(paths: list[str]) -> None:
    """Flush files just written to the disk, before an index line names them: after a power cut,
    an index never names a file that came back empty or cut short. (Reading checks each body
    against its digest anyway: this saves rendering it again.) A file's own fsync costs ~5 ms,
    so after many files one `syncfs` of their file system (Linux) flushes them all at once.

    In a thread of its own, waited for: a flush that takes long (a disk busy with other work)
    never keeps Ctrl-C from stopping the build at once (the index is then not written)."""
    if not paths:
        return
    flushing = threading.Thread(target=_flush, args=(paths,), name="coursegen-flush", daemon=True)
    flushing.start()
    flushing.join()


def _flush(paths: list[str]) -> None:
    folders = sorted({os.path.dirname(path) for path in paths})
    if len(paths) > FEW_FILES and _sync_file_system(folders[0]):
        return
    for path in [*paths, *folders]:  # the folders: their new names
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except OSError:  # deleted meanwhile: nothing to flush
            continue
        try:
            os.fsync(descriptor)
        except OSError:
            pass
        finally:
            os.close(descriptor)


def _sync_file_system(folder: str) -> bool:
    """syncfs(2) on the file system holding `folder`; False where it isn't available."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        descriptor = os.open(folder, os.O_RDONLY)
    except (OSError, AttributeError):
        return False
    try:
        return getattr(libc, "syncfs", None) is not None and libc.syncfs(descriptor) == 0
    finally:
        os.close(descriptor)


def clear_cache(root: Path) -> None:
    """`--clean`: the cache folder is renamed aside, then deleted. Another build may be writing
    into it at the same time (a second `build -o elsewhere`, `serve`): renaming is atomic, and what
    that build writes meanwhile goes into a new folder it reads as a miss, so deleting never races
    with it ("Directory not empty"). What could not be deleted is swept by the next `--clean`."""
    root = root.resolve()
    folder = root / CACHE_DIR
    for leftover in root.glob(f"{CACHE_DIR}.deleting-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    if not folder.is_dir():
        return
    aside = root / f"{CACHE_DIR}.deleting-{os.getpid()}"
    try:
        folder.rename(aside)
    except FileNotFoundError:  # deleted meanwhile by another --clean
        return
    shutil.rmtree(aside, ignore_errors=True)


def digest(*parts: bytes | str) -> str:
    """A cache key over `parts` and the coursegen version (a new version never reuses old results)."""
    hasher = hashlib.sha256(__version__.encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def url_file_name(url: str) -> str:
    """The name of a cache file kept for a site URL (one per page or print page): a URL may be
    longer than a file name can be, or differ from another only by case."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]


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

    def prune_entry(self, key: str, suffix: str) -> None:
        """Delete one entry (found damaged: made again next time)."""
        if not self.read_only:
            try:
                os.unlink(self.path(key, suffix))
            except OSError:
                pass

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
        return self.put_bytes(key, suffix, text.encode("utf-8"))

    def put_bytes(self, key: str, suffix: str, data: bytes) -> bool:
        return not self.read_only and write_bytes_atomically(Path(self.path(key, suffix)), data)


class LineStore:
    """Key → one line of bytes (JSON text, which has no raw newline) in one file under a version
    line: `key<TAB>length<TAB>crc<TAB>value`.

    A thousand small files, or one big JSON document, cost more to read than lines split once; and
    an edit APPENDS its line instead of rewriting megabytes. The file is written anew, without the
    entries no build used, once those are the majority. A line cut short by a crash is recognised
    by its length, a damaged one (flipped bits, a hand edit) by its CRC-32, and ignored: a miss.
    Bytes, never decoded here: splitting and slicing megabytes of text as `str` copies them several
    times over. `saved` tells what the last `save()` did: "", "appended" or "rewritten".
    """

    FORMAT = "lines-3"  # the version line starts with it: files of an older layout are not read

    def __init__(self, path: Path, version: str, enabled: bool = True, read_only: bool = False):
        self.path = path
        self.version = f"{self.FORMAT} {version}".encode()
        self.enabled = enabled
        self.read_only = read_only  # `coursegen check` uses what is there and writes nothing
        self.stored: dict[str, bytes] = {}
        self.used: dict[str, bytes] = {}
        self.saved = ""
        if not enabled:
            return
        try:
            data = path.read_bytes()
        except OSError:
            return
        end = data.find(b"\n")
        if (data[:end] if end >= 0 else data) != self.version:  # written by other code: start again
            return
        # by offsets, not split() and partition(): each value is copied once (megabytes of them)
        find, stored, crc32 = data.find, self.stored, zlib.crc32
        while end >= 0:
            start = end + 1
            end = find(b"\n", start)
            stop = end if end >= 0 else len(data)
            tab = find(b"\t", start, stop)
            tab2 = find(b"\t", tab + 1, stop) if tab >= 0 else -1
            tab3 = find(b"\t", tab2 + 1, stop) if tab2 >= 0 else -1
            if tab3 >= 0:
                length = data[tab + 1 : tab2]
                if length.isdigit() and int(length) == stop - tab3 - 1:  # not a line cut short by a crash
                    value = data[tab3 + 1 : stop]
                    if data[tab2 + 1 : tab3] == b"%08x" % crc32(value):  # nor one damaged since
                        stored[data[start:tab].decode("utf-8", "replace")] = value

    def get(self, key: str) -> bytes | None:
        """The value put by this build, else the one stored by the last."""
        value = self.used.get(key)
        if value is None:
            value = self.stored.get(key)
            if value is not None:
                self.used[key] = value
        return value

    def put(self, key: str, value: bytes) -> None:
        if b"\n" in value or "\n" in key or "\t" in key:  # JSON text has none: it would cut the line
            raise ValueError("a LineStore key or value must be on one line")
        self.used[key] = value

    def save(self) -> bool:
        """Store what this build used; False when nothing had to be written (or it could not be)."""
        self.saved = ""
        if not self.enabled or self.read_only:
            return False
        added = {key: value for key, value in self.used.items() if self.stored.get(key) != value}
        stale = len(self.stored) - (len(self.used) - len(added))
        if not added and stale <= len(self.used):
            return False
        if self.stored and stale <= len(self.used):
            try:
                with open(self.path, "ab") as file:
                    file.write(b"".join(b"\n" + _line(key, value) for key, value in added.items()))
            except OSError:
                return False
            self.saved = "appended"
            return True
        if not write_bytes_atomically(
            self.path, b"\n".join([self.version, *(_line(key, value) for key, value in self.used.items())])
        ):
            return False
        self.saved = "rewritten"
        return True


def _line(key: str, value: bytes) -> bytes:
    return b"%s\t%d\t%08x\t%s" % (key.encode("utf-8"), len(value), zlib.crc32(value), value)


def index_store(root: Path, name: str, enabled: bool = True, read_only: bool = False) -> LineStore:
    """The LineStore `.coursegen-cache/NAME.txt`, for results of coursegen's code (its version names that code)."""
    return LineStore(root / CACHE_DIR / f"{name}.txt", _code_version(), enabled, read_only)


class IndexCache:
    """Many small JSON entries in one LineStore file (`index_store`), read once per build. Entries
    not used by a build are dropped when the file is next written anew."""

    def __init__(self, root: Path, name: str, enabled: bool = True, read_only: bool = False):
        self.store = index_store(root, name, enabled, read_only)

    @property
    def entries(self) -> dict[str, bytes]:
        return self.store.stored

    @property
    def used(self) -> dict[str, bytes]:
        return self.store.used

    def get(self, key: str) -> Any | None:
        value = self.store.get(key)
        if value is None:
            return None
        try:
            return json.loads(value)
        except ValueError:
            return None

    def put(self, key: str, value: Any) -> None:
        self.store.put(key, json.dumps(value, ensure_ascii=False).encode("utf-8"))

    def alias(self, key: str) -> str | None:
        """A plain-text entry (put with `put_alias`): one name for another, no JSON to decode."""
        value = self.store.get(key)
        return value.decode("utf-8", "replace") if value is not None else None

    def put_alias(self, key: str, target: str) -> None:
        self.store.put(key, target.encode("utf-8"))

    def save(self) -> bool:
        """Write the entries this build added; False when there was nothing new to write."""
        return self.store.save()
