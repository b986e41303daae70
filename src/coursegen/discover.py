"""Find the course's source files, in a stable order, without reading them."""

from __future__ import annotations

import os
import re
import time
import unicodedata
from dataclasses import replace
from pathlib import Path, PurePosixPath

from coursegen.errors import Diagnostics
from coursegen.model import CONTENT_DIR, NOTEBOOKS_DIR, SourceFile, SourceKind, site_position
from coursegen.notebookfiles import is_notebook_source
from coursegen.textnotebooks import TEXT_NOTEBOOK_SUFFIXES

# Never published nor watched: editor/OS litter and tool caches.
JUNK_NAMES = {"__pycache__", "Thumbs.db", "desktop.ini", "node_modules"}
JUNK_SUFFIXES = ("~", ".swp", ".swo", ".pyc", ".tmp", ".bak", ".orig")


def is_ignored(name: str) -> bool:
    """Names starting with `_` or `.` are private to the author (drafts, .ipynb_checkpoints, .git…)."""
    return name.startswith(("_", ".")) or name in JUNK_NAMES or name.endswith(JUNK_SUFFIXES)


def discover_sources(root: Path, diagnostics: Diagnostics, skip: tuple[Path, ...] = ()) -> list[SourceFile]:
    """Walk content/ and notebooks/; return every publishable file sorted by site position.

    Symbolic links are followed only when they stay inside the course; `skip` lists folders
    (the output, caches) that must never be read as sources.
    """
    root = root.resolve()
    sources: list[SourceFile] = []
    for top in (CONTENT_DIR, NOTEBOOKS_DIR):
        base = root / top
        if base.is_dir():
            sources.extend(_walk(root, base, top, diagnostics, tuple(p.resolve() for p in skip)))
    sources = _place_notebook_data(_pair_text_notebooks(sources))
    sources.sort(key=lambda s: (str(s.site_rel), str(s.rel)))
    return sources


def walk_folder(root: Path, base: Path, diagnostics: Diagnostics, skip: tuple[Path, ...]) -> list[SourceFile]:
    """Every file under `base` (a project's own folder, see project/sources.py), with the same
    findings as the course's folders (names, links); kinds and site places are the caller's."""
    return _walk(root.resolve(), base, "", diagnostics, tuple(p.resolve() for p in skip))


def _pair_text_notebooks(sources: list[SourceFile]) -> list[SourceFile]:
    """A text notebook and the `.ipynb` of the same stem beside it (jupytext pairing) are one
    notebook: the text gives the cells, the `.ipynb` the outputs. The pair's `.ipynb` is then no
    page of its own."""
    by_stem = {
        (s.rel.parent, s.rel.stem): s
        for s in sources
        if s.kind is SourceKind.NOTEBOOK and s.rel.suffix.lower() == ".ipynb"
    }
    if not by_stem or not any(s.is_text_notebook for s in sources):
        return sources
    paired: dict[PurePosixPath, SourceFile] = {}
    for source in sorted(sources, key=lambda s: str(s.rel)):  # x.md before x.py takes x.ipynb
        ipynb = by_stem.get((source.rel.parent, source.rel.stem))
        if source.is_text_notebook and ipynb is not None and ipynb.rel not in paired:
            paired[ipynb.rel] = source
    result = []
    for source in sources:
        if source.rel in paired:
            continue
        ipynb = by_stem.get((source.rel.parent, source.rel.stem))
        if ipynb is not None and paired.get(ipynb.rel) is source:
            source = joined_pair(source, ipynb)
        result.append(source)
    return result


def joined_pair(text_notebook: SourceFile, ipynb: SourceFile) -> SourceFile:
    """The text notebook that takes its paired `.ipynb`'s outputs: changed when either file changes."""
    stamp = f"{text_notebook.stamp}+{ipynb.stamp}" if text_notebook.stamp and ipynb.stamp else ""
    return replace(text_notebook, stamp=stamp, pair=ipynb.path)


def _place_notebook_data(sources: list[SourceFile]) -> list[SourceFile]:
    """Data files under notebooks/ keep their place relative to the nearest folder holding a
    notebook, so `pd.read_csv("data/x.csv")` in notebooks/A/n.ipynb finds A/notebooks/data/x.csv."""
    notebook_folders = {
        s.rel.parent for s in sources if s.kind is SourceKind.NOTEBOOK and s.rel.parts[0] == NOTEBOOKS_DIR
    }
    placed = []
    for source in sources:
        if source.kind is SourceKind.ASSET and source.rel.parts[0] == NOTEBOOKS_DIR:
            anchor = next((folder for folder in source.rel.parents if folder in notebook_folders), None)
            if anchor is not None and anchor != source.rel.parent:
                site_folder = site_position(anchor / "x.ipynb").parent
                source = replace(source, site_rel=site_folder / source.rel.relative_to(anchor))
        placed.append(source)
    return placed


def _source_file(entry: os.DirEntry, path: Path, rel: str, top: str, settled_before: int) -> SourceFile:
    rel_posix = PurePosixPath(unicodedata.normalize("NFC", rel))
    return SourceFile(
        path=path,
        rel=rel_posix,
        site_rel=site_position(rel_posix),
        kind=_kind_of(entry.name, top, path),
        stamp=_stamp(entry, settled_before),
    )


def _walk(
    root: Path, base: Path, top: str, diagnostics: Diagnostics, skip: tuple[Path, ...]
) -> list[SourceFile]:
    found: list[SourceFile] = []
    root_prefix = str(root) + os.sep  # every path below is root + "/" + rel: cut it, no pathlib
    seen_dirs: set[Path] = set()
    settled_before = time.time_ns() - SETTLED_NS
    stack = [(base, 0)]
    while stack:
        folder, depth = stack.pop()
        real = folder.resolve()
        if real in seen_dirs or any(real == s or real.is_relative_to(s) for s in skip):
            continue
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            diagnostics.error(
                _rel(root, Path(folder)),
                f"cannot read the folder ({error.strerror})",
                "check its permissions",
                kind="files",
            )
            continue
        for entry in entries:
            if is_ignored(entry.name):
                continue
            path = Path(entry.path)
            rel = (
                entry.path[len(root_prefix) :].replace(os.sep, "/")
                if entry.path.startswith(root_prefix)
                else _rel(root, path)
            )
            if _refused_name(entry, rel, diagnostics):
                continue
            if entry.is_symlink() and _skipped_link(entry, path, rel, root, seen_dirs, diagnostics):
                continue
            if _is_reserved_on_windows(entry.name):
                diagnostics.warning(
                    rel,
                    f"the name '{entry.name}' can't be used on Windows",
                    "rename it so the course can be edited there too",
                    kind="files",
                )
            if entry.is_dir():
                if _within_depth(depth + 1, rel, diagnostics):
                    stack.append((path, depth + 1))
                continue
            if not entry.is_file():
                continue
            found.append(_source_file(entry, path, rel, top, settled_before))
    return found


# A file's stamp is only trusted once it has been left alone this long: on file systems that
# keep coarse times, a file changed twice within the same tick would keep its stamp (git's
# "racily clean" problem). A file just saved is read and hashed again until then.
SETTLED_NS = 2_000_000_000


def _stamp(entry: os.DirEntry, settled_before: int) -> str:
    try:
        status = entry.stat()
    except OSError:
        return ""
    return _stamp_of(status, settled_before)


def file_stamp(path: Path) -> str:
    """The stamp of a file found otherwise than by walking the course (the theme's static files)."""
    try:
        status = os.stat(path)
    except OSError:
        return ""
    return _stamp_of(status, time.time_ns() - SETTLED_NS)


def _stamp_of(status: os.stat_result, settled_before: int) -> str:
    """Size, times, inode and device: a copy that keeps size and modification time (`cp -p`,
    `rsync -a`, `tar`, a `mv` over it) still gets a new ctime or inode. "" for a file changed
    too recently to be trusted."""
    if max(status.st_mtime_ns, status.st_ctime_ns) >= settled_before:
        return ""
    return f"{status.st_size}:{status.st_mtime_ns}:{status.st_ctime_ns}:{status.st_ino}:{status.st_dev}"


MAX_FOLDER_DEPTH = 100  # below content/ or notebooks/: far beyond any course (≈600 overflowed Python's stack)


def _skipped_link(
    entry: os.DirEntry, path: Path, rel: str, root: Path, seen_dirs: set[Path], diagnostics: Diagnostics
) -> bool:
    """A symbolic link that is not followed: a loop, a folder already read, broken, or leading
    outside the course (each with a warning)."""
    try:
        target = path.resolve(strict=False)
    except (RuntimeError, OSError):  # a loop of links (Python < 3.13 raises RuntimeError)
        diagnostics.warning(rel, "symbolic link loop, skipped", "remove the link", kind="files")
        return True
    if entry.is_dir() and target in seen_dirs or (entry.is_dir() and root.is_relative_to(target)):
        diagnostics.warning(
            rel,
            "symbolic link to a folder already read (a loop?), skipped",
            "remove the link",
            kind="files",
        )
        return True
    if not target.exists():
        diagnostics.warning(
            rel,
            "broken symbolic link, skipped",
            "remove it or point it at an existing file",
            kind="files",
        )
        return True
    if not target.is_relative_to(root):
        diagnostics.warning(
            rel,
            "symbolic link leads outside the course, skipped",
            "copy the file into the course instead",
            kind="files",
        )
        return True
    return False


def _within_depth(depth: int, rel: str, diagnostics: Diagnostics) -> bool:
    """A folder deeper than MAX_FOLDER_DEPTH is skipped with an error: the course graph, the
    navigation and the templates walk sections recursively."""
    if depth <= MAX_FOLDER_DEPTH:
        return True
    diagnostics.error(
        rel,
        f"folders nested more than {MAX_FOLDER_DEPTH} deep, skipped with everything in them",
        "flatten the folder tree",
        kind="files",
    )
    return False


def _refused_name(entry: os.DirEntry, rel: str, diagnostics: Diagnostics) -> bool:
    """A name that is not UTF-8, or has a control character (a newline, a tab) or a backslash,
    can't be a URL, a line of the build's caches, or a file on Windows: an error naming it (its
    repr), and it is skipped."""
    name = entry.name
    if not _is_utf8(name):  # bytes Python could only keep as "surrogates": unusable in a URL
        shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        what = "folder" if entry.is_dir() else "file"
        diagnostics.error(
            shown,
            f"the {what} name is not valid UTF-8 (written by a system using another encoding?), skipped",
            f"rename the {what}",
            kind="files",
        )
        return True
    control = _CONTROL.search(name) is not None
    if not control and "\\" not in name:
        return False
    what = "folder" if entry.is_dir() else "file"
    folder = rel[: -len(name)].rstrip("/") or "."
    why = "a control character (a line break or a tab?)" if control else "a backslash"
    diagnostics.error(
        folder,
        f"the {what} name {name!r} has {why}, skipped",
        f"rename the {what} (e.g. with - or _ in place of that character)",
        kind="files",
    )
    return True


# a control character (line break, tab… and DEL): one search per name, every file of the course
# is looked at on every build
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_WINDOWS_DEVICES = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{n}" for n in range(1, 10)),
    *(f"LPT{n}" for n in range(1, 10)),
}


def _is_reserved_on_windows(name: str) -> bool:
    return (
        name.split(".")[0].upper() in _WINDOWS_DEVICES
        or any(char in name for char in '<>:"|?*\\')
        or name.endswith((" ", "."))
    )


def _kind_of(name: str, top: str, path: Path) -> SourceKind:
    """Data files beside notebooks (CSV, images) are published beside the notebook pages; under
    notebooks/, MyST `.md` and percent `.py` notebooks are notebooks too (read to tell them from
    other files: only there, so that lessons are not read before the page cache is asked)."""
    lower = name.lower()
    if lower.endswith(".ipynb"):
        return SourceKind.NOTEBOOK
    if top == NOTEBOOKS_DIR and lower.endswith(TEXT_NOTEBOOK_SUFFIXES) and is_notebook_source(path):
        return SourceKind.NOTEBOOK
    if top == CONTENT_DIR and lower.endswith(".md"):
        return SourceKind.MARKDOWN
    return SourceKind.ASSET


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
