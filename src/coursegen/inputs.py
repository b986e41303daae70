"""The files a notebook can read while it runs: found, hashed cheaply, and part of its execution key.

By default a notebook can read every file in its folder and below; `metadata.coursegen.inputs`
(globs relative to the notebook's folder) and course.yml `notebooks.inputs` (globs relative to the
course root) add others; `notebooks.inputs_exclude` (gitignore-like globs) and a few names are
never inputs. Changing an input re-runs exactly the notebooks that can read it.
"""

from __future__ import annotations

import hashlib
import os
import time
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from coursegen.cache import IndexCache
from coursegen.discover import JUNK_NAMES, JUNK_SUFFIXES, SETTLED_NS

NOT_INPUTS = (".ipynb",)  # other notebooks are pages, not data


def is_excluded(rel: str, patterns: tuple[str, ...]) -> bool:
    """gitignore-like: a pattern without a slash matches a file or folder name anywhere
    (`*.parquet`, `cache`); one with a slash matches the course-relative path from the course root
    (`notebooks/B/raw/**`, `notebooks/B/raw/`: the folder and everything in it)."""
    parts = rel.split("/")
    for pattern in patterns:
        bare = pattern.strip("/")
        if "/" not in bare:
            if any(fnmatchcase(part, bare) for part in parts):
                return True
        elif fnmatchcase(rel, bare) or any(
            fnmatchcase("/".join(parts[:n]), bare) for n in range(1, len(parts))
        ):
            return True
    return False


def _readable_name(name: str) -> bool:
    return not name.startswith(".") and name not in JUNK_NAMES and not name.endswith(JUNK_SUFFIXES)


class InputFinder:
    """Lists and hashes notebooks' input files for one build. A file's digest is kept by its stamp
    (size, mtime_ns, ctime_ns, inode): a file left alone for 2 s with the stamp it had is not read."""

    def __init__(
        self,
        root: Path,
        course_inputs: tuple[str, ...],
        exclude: tuple[str, ...],
        skip: tuple[Path, ...] = (),
        cache: bool = True,
        read_only: bool = False,
        text_notebooks: frozenset[str] = frozenset(),
    ):
        self.root = root.resolve()
        self.text_notebooks = text_notebooks  # pages too (`.md`, `.py`), not data: never inputs
        self.course_inputs = course_inputs
        self.exclude = exclude
        self.skip = tuple(str(path.resolve()) for path in skip)
        self.stamps = IndexCache(self.root, "input-stamps", enabled=cache, read_only=read_only)
        self._digests: dict[str, str] = {}
        # per notebook: linked folders (course-relative link → real target) that lead outside the
        # course; a run recreates them, unhashed: their files are not the course's
        self.outside_links: dict[str, dict[str, str]] = {}
        self._settled_before = time.time_ns() - SETTLED_NS

    def inputs(self, notebook_rel: str, own_patterns: list[str]) -> tuple[dict[str, str], list[str]]:
        """{course-relative path: digest} of what the notebook at `notebook_rel` can read, and
        what is wrong with its patterns (for messages)."""
        folder = PurePosixPath(notebook_rel).parent
        links: dict[str, str] = {}
        found: set[str] = set(self._walk(folder.as_posix(), links))
        self.outside_links[notebook_rel] = links
        problems: list[str] = []
        for origin, base, patterns in (
            ("metadata.coursegen.inputs", folder, own_patterns),
            ("notebooks.inputs", PurePosixPath(""), list(self.course_inputs)),
        ):
            for pattern in patterns:
                matched, problem = self._glob(base, pattern)
                if problem:
                    problems.append(f"{origin} pattern '{pattern}' {problem}")
                found |= matched
        found.discard(notebook_rel)
        found -= self.text_notebooks
        return {
            rel: self.digest(rel) for rel in sorted(found) if not is_excluded(rel, self.exclude)
        }, problems

    def _walk(self, folder: str, outside: dict[str, str]):
        """Files under `folder`, through linked folders too (`data -> ../../shared`), as Jupyter
        reads them; a link out of the course goes in `outside`; a link back up (a cycle) is skipped."""
        stack = [folder]
        followed: set[str] = set()
        while stack:
            current = stack.pop()
            path = os.path.join(self.root, current)
            if any(path == skip or path.startswith(skip + os.sep) for skip in self.skip):
                continue
            try:
                entries = list(os.scandir(path))
            except OSError:
                continue
            for entry in entries:
                rel = f"{current}/{entry.name}" if current else entry.name
                if not _readable_name(entry.name) or is_excluded(rel, self.exclude):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(rel)
                elif entry.is_symlink() and entry.is_dir():
                    self._linked_folder(rel, entry.path, followed, stack, outside)
                elif entry.is_file() and not entry.name.lower().endswith(NOT_INPUTS):
                    yield rel

    def _linked_folder(self, rel: str, path: str, followed: set[str], stack: list, outside: dict) -> None:
        target = os.path.realpath(path)
        if not _within(target, str(self.root)):
            outside[rel] = target
        elif target not in followed and not _within(os.path.realpath(os.path.dirname(path)), target):
            followed.add(target)
            stack.append(rel)

    def _glob(self, base: PurePosixPath, pattern: str) -> tuple[set[str], str]:
        if pattern.startswith("/") or ":" in pattern.split("/")[0]:
            return (
                set(),
                "must be relative (to the notebook's folder in a notebook, to the course in course.yml); "
                "ignored",
            )
        matched = set()
        for path in (self.root / base).glob(pattern):
            try:
                rel = path.resolve().relative_to(self.root).as_posix()
            except ValueError:
                return set(), "leads outside the course; ignored (copy the files into the course)"
            if (
                path.is_file()
                and all(_readable_name(part) for part in rel.split("/"))
                and not rel.lower().endswith(NOT_INPUTS)
            ):
                matched.add(rel)
        return matched, "" if matched else "matches no file"

    def digest(self, rel: str) -> str:
        known = self._digests.get(rel)
        if known is not None:
            return known
        path = os.path.join(self.root, rel)
        try:
            status = os.stat(path)
        except OSError:
            return "missing"
        stamp = f"{status.st_size}:{status.st_mtime_ns}:{status.st_ctime_ns}:{status.st_ino}"
        settled = max(status.st_mtime_ns, status.st_ctime_ns) < self._settled_before
        stored = self.stamps.alias(rel) if settled else None
        if stored is not None and stored.startswith(stamp + " "):
            value = stored.split(" ", 1)[1]
        else:
            value = _file_digest(path)
            if settled:  # a file just written may change again within its time stamp's tick
                self.stamps.put_alias(rel, f"{stamp} {value}")
        self._digests[rel] = value
        return value

    def save(self) -> None:
        self.stamps.save()


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + os.sep)


def _file_digest(path: str) -> str:
    hasher = hashlib.sha256()
    try:
        with open(path, "rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                hasher.update(block)
    except OSError:
        return "unreadable"
    return hasher.hexdigest()
