"""Digests of the files copied into the site as they are (images, data, notebooks offered for
download, static assets), so that a copy is made again whenever its bytes change.

Size and modification time are not enough: `cp -p`, `rsync -a`, `tar` and file systems with
coarse timestamps give new bytes the old size and time. The digest is kept by the file's stamp
(size, mtime, ctime, inode, device — see discover.file_stamp), which any of those changes, and a
file whose stamp is unchanged and which was left alone for 2 seconds is not read again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from coursegen.cache import IndexCache
from coursegen.discover import file_stamp


class FileDigests:
    def __init__(self, root: Path, enabled: bool = True, read_only: bool = False):
        self.cache = IndexCache(root, "file-digests", enabled, read_only)
        self.known: dict[str, str] = {}  # made during this build (a file the print pages load is named twice)

    def signature(self, path: Path, rel: str, stamp: str | None = None) -> str:
        """`sha256:…` of the file's bytes ("" when it can't be read: the copy then reports it).
        `stamp` comes from discovery when known; else it is taken here."""
        stamp = file_stamp(path) if stamp is None else stamp
        key = f"stamp:{rel}:{stamp}" if stamp and "\t" not in rel and "\n" not in rel else ""
        memo = key or f"path:{path}"  # an unsettled file too is read once per build
        if memo in self.known:
            return self.known[memo]
        known = self.cache.alias(key) if key else None
        if known is not None and len(known) == 64:
            return "sha256:" + known
        try:
            with open(path, "rb") as file:
                value = hashlib.sha256(file.read()).hexdigest()
        except OSError:
            return ""
        if key:
            self.cache.put_alias(key, value)
        self.known[memo] = "sha256:" + value
        return "sha256:" + value

    def save(self) -> None:
        self.cache.save()
