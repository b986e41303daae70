"""Putting a new site in place of the old one: never a moment without a site, the author's own
entries (a gh-pages `.git`, a `CNAME`) kept, and what a build that crashed while doing it left
behind put right by the next build.

On Linux the two folders trade names in one step (renameat2 with RENAME_EXCHANGE): a reader sees
the old site or the new one, never none. Elsewhere — or on a file system without it — the old
site is renamed aside and the new one into its place, two renames a few microseconds apart. The
callers hold the output lock and defer Ctrl-C meanwhile (see interrupts.deferred), so only a crash
or a power cut can stop in between; `recover_leftovers` then finds the pieces by their names.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sys
from pathlib import Path

from coursegen.errors import UsageError

MARKER = ".coursegen-site"  # marks a folder coursegen created, so it may replace it later
KEPT_NAMES = {"CNAME"}  # a GitHub Pages custom domain the author added to the published folder

_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def staging_folder(out: Path) -> Path:
    """Where the new site is written, beside `out` (a rename away from it)."""
    return out.parent / f".{out.name}.coursegen-new-{os.getpid()}"


def is_authors(name: str) -> bool:
    """A top-level entry of the site folder that is the author's, never coursegen's: hidden
    entries (`.git`, `.nojekyll`…) and KEPT_NAMES. They stay across rebuilds."""
    return (name.startswith(".") or name in KEPT_NAMES) and name != MARKER


def put_in_place(staging: Path, out: Path) -> Path | None:
    """Make the finished site in `staging` the site at `out`, and move the author's entries of the
    old site over to it. Returns the folder that now holds the old site, for the caller to delete
    once `move_authors_entries` has emptied it of the author's entries (None when there was no old
    site). Raises only before the swap, everything as it was."""
    if not os.path.lexists(out):
        os.rename(staging, out)
        return None
    try:
        if exchange(staging, out):
            return staging
        old = out.parent / f".{out.name}.coursegen-old-{os.getpid()}"
        os.replace(out, old)
    except OSError as error:
        if error.errno == errno.EBUSY:  # a mount point (one check_output_dir could not see: a bind mount)
            raise mount_point_error(out) from None
        raise
    try:
        os.replace(staging, out)
    except BaseException:  # put the old site back
        os.replace(old, out)
        raise
    return old


def mount_point_error(out: Path) -> UsageError:
    """The site folder is replaced by renaming folders, which a mount point refuses (EBUSY)."""
    return UsageError(
        f"the output folder {out} is a mount point: coursegen replaces the site by renaming folders, "
        "which a mount point refuses",
        f"build into a folder inside it (-o {out / 'site'}), or mount its parent folder instead",
    )


def exchange(first: Path, second: Path) -> bool:
    """Swap the names of two folders in one atomic step; False where that is not available (not
    Linux, a C library without renameat2, a kernel or file system that refuses the flag)."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    import ctypes

    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), str(second))


def _renameat2():
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def move_authors_entries(old: Path, out: Path) -> bool:
    """Move the author's entries of the old site folder into the new one (each move is one
    rename: nothing of the author's is ever copied or lost). False when one could not be moved:
    `old` must then stay (the next build tries again, see recover_leftovers)."""
    try:
        names = os.listdir(old)
    except OSError:
        return False
    moved = True
    for name in names:
        if is_authors(name) and not os.path.lexists(out / name):
            try:
                os.rename(old / name, out / name)
            except OSError:
                moved = False
    return moved


def _leftovers(out: Path) -> list[tuple[str, Path]]:
    """(kind, folder) for each staging ("new") or set-aside ("old") folder of an earlier build."""
    pattern = re.compile(rf"\.{re.escape(out.name)}\.coursegen-(new|old)-\d+")
    try:
        names = os.listdir(out.parent)
    except OSError:
        return []
    return [
        (match.group(1), out.parent / name) for name in sorted(names) if (match := pattern.fullmatch(name))
    ]


def recover_leftovers(out: Path) -> None:
    """Put right what a build that crashed while writing `out` left beside it. Called with the
    output lock held, so no other build is writing: a missing site is the old one set aside,
    put back; the author's entries in any leftover go back into the site; the rest is deleted."""
    leftovers = _leftovers(out)
    if not leftovers:
        return
    if not os.path.lexists(out):
        set_aside = [folder for kind, folder in leftovers if kind == "old" and (folder / MARKER).is_file()]
        if set_aside:
            newest = max(set_aside, key=lambda folder: folder.stat().st_mtime_ns)
            os.replace(newest, out)
            leftovers = [(kind, folder) for kind, folder in leftovers if folder != newest]
    for _, folder in leftovers:
        if out.is_dir() and move_authors_entries(folder, out):
            shutil.rmtree(folder, ignore_errors=True)


def hand_added(out: Path, planned, made_before) -> list[str]:
    """The files and folders in the site folder `out` that no build made (added by hand, or left
    by another tool), as paths under `out` (a folder with a trailing /): neither `planned` now
    nor `made_before` (the last build's files, from its manifest). The author's top-level entries
    (`is_authors`) are not counted."""
    wanted = set(planned)
    wanted.update(made_before)
    folders: set[str] = set()
    for rel in wanted:
        folder = rel.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    found: list[str] = []
    stack = [("", str(out))]
    while stack:
        prefix, folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            rel = prefix + entry.name
            if not prefix and (entry.name == MARKER or is_authors(entry.name)):
                continue
            is_folder = entry.is_dir(follow_symlinks=False)
            if is_folder and rel in folders:
                stack.append((rel + "/", entry.path))
            elif is_folder:
                found.append(rel + "/")
            elif rel not in wanted:
                found.append(rel)
    return sorted(found)
