"""`.coursegen-cache/print-chapters/`: bodies already rewritten as chapters of a print page.

A one-lesson edit makes the course's print page and its section's again: without this, every
other chapter of them was rewritten too (1,000 chapters: 1.4 s of a 2.2 s one-lesson edit of the
large course, benchmarks/run.py). An entry is named by everything `ChapterRewriter.rewrite`
reads: the code, the print page and the anchors of all its pages (`book_key`), the chapter's place
and the body's HTML — by the name the body cache gave it, so that a chapter found here never
reads its body. Its file holds the chapter's sha256 on a first line, checked when read (a
damaged file is a miss), then the chapter. After a build that made a print page, the entries it did not use are deleted: the folder
holds the chapters of the print pages last made, never more than twice the site's bodies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from coursegen.cache import JsonCache, code_digest, digest
from coursegen.printing.chapters import ChapterPlace, ChapterRewriter


class ChapterCache:
    def __init__(self, root: Path, enabled: bool, read_only: bool, space: str = ""):
        # `space`: the edition's own folder (BodySettings.cache_space): building the instructor's
        # edition never prunes the learner's chapters
        self.files = JsonCache(root, "print-chapters" + space, read_only=read_only) if enabled else None
        self.used: set[str] = set()

    @staticmethod
    def book_key(book_url: str, anchors: Mapping[str, str]) -> str:
        return digest("print-chapters-1", code_digest(), book_url, repr(sorted(anchors.items())))

    def rewritten(self, rewriter: ChapterRewriter, book_key: str, source, place: ChapterPlace) -> str:
        """The chapter of `source` (a book.ChapterSource) at `place`, rewritten now or by an earlier build."""
        if self.files is None:
            body = source.load()
            return rewriter.rewrite(body, place) if body else ""
        body = None
        name = source.name
        if not name:  # nothing names this HTML: its digest does
            body = source.load()
            name = hashlib.sha256(body.encode("utf-8")).hexdigest()
        key = digest(book_key, repr(place), name)
        self.used.add(key)
        try:  # its sha256 on the first line, then the chapter (raw: decoding JSON costs more)
            with open(self.files.path(key, "html"), "rb") as stored:
                check, _, data = stored.read().partition(b"\n")
            if hashlib.sha256(data).hexdigest().encode() == check:
                return data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            pass
        body = source.load() if body is None else body
        chapter = rewriter.rewrite(body, place) if body else ""
        data = chapter.encode("utf-8")
        self.files.put_bytes(key, "html", hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
        return chapter

    def prune(self) -> None:
        """Delete the chapters this build did not use (only after it made a print page)."""
        if self.files is not None and self.used:
            self.files.prune(self.used)
