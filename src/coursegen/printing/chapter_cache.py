"""`.coursegen-cache/print-chapters/`: bodies already rewritten as chapters of a print page.

A one-lesson edit makes the course's print page and its section's again: without this, every
other chapter of them was rewritten too (1,000 chapters: 1.4 s of a 2.2 s one-lesson edit of the
large course, benchmarks/run.py). Each print page has one pack file holding its chapters — one
file, not one per chapter: creating 2,000 small files cost ~2 s of a clean build of the large
course, and reading 1,000 back ~0.15 s of an edit. A pack names everything
`ChapterRewriter.rewrite` reads of the print page (the code, the page and the anchors of all its
pages: `book_key`) on its first line; each chapter is named by its place and its body's HTML — by
the name the body cache gave it, so that a chapter found here never reads its body — and carries
its length and CRC-32 (a damaged chapter is a miss, a cut one ends the pack). The chapters
rewritten by a build are appended to the pack (a one-lesson edit used to write the course's whole
13 MB pack again); the pack is written anew, with only the chapters its print page used, once more
than a quarter of what it holds is unused, or when it was cut short or damaged. The packs of print
pages the course no longer has are deleted: the folder holds at most ~1.25 times one site's print
pages.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from coursegen.cache import CACHE_DIR, code_digest, digest, url_file_name, write_bytes_atomically
from coursegen.printing.chapters import ChapterPlace, ChapterRewriter

_FORMAT = b"print-chapters-2"
_SUFFIX = ".pack"


class ChapterCache:
    """The packs of one edition (`space`: BodySettings.cache_space — building the instructor's
    edition never touches the learner's chapters)."""

    def __init__(self, root: Path, enabled: bool, read_only: bool, space: str = ""):
        self.folder = root / CACHE_DIR / ("print-chapters" + space) if enabled else None
        self.read_only = read_only
        self._books: dict[str, BookChapters] = {}  # one per print page and build
        # page URL → where its chapters go, for `prepare` (see `expect`)
        self._expected: dict[str, list[tuple[BookChapters, ChapterRewriter, ChapterPlace]]] = {}
        self._plan = None

    def expect(self, plan: Callable[[], Iterable[tuple[str, Mapping[str, str], list[ChapterPlace]]]]) -> None:
        """`plan()` gives each print page's URL, its pages' anchors and its chapters' places: from
        then on `prepare` rewrites a body into its chapters as soon as it is rendered (while the
        build waits for its other bodies). Called on the first `prepare`: a build that renders no
        body never works it out."""
        self._plan = plan if self.folder is not None else None

    def prepare(self, page_url: str, body_key: str | None, body_html: str) -> None:
        """Rewrite the body just rendered for `page_url` into its expected chapters (see `expect`)."""
        if self._plan is not None:
            for book_url, anchors, places in self._plan():
                kept, rewriter = self.book(book_url, anchors), ChapterRewriter(book_url, anchors)
                for place in places:
                    self._expected.setdefault(place.page_url, []).append((kept, rewriter, place))
            self._plan = None
        if body_key is not None and body_html:
            for kept, rewriter, place in self._expected.get(page_url, ()):
                kept.prepare(rewriter, f"body:{body_key}", body_html, place)

    @classmethod
    def disabled(cls) -> ChapterCache:
        """No cache: every chapter is rewritten."""
        return cls(Path(), enabled=False, read_only=True)

    def book(self, book_url: str, anchors: Mapping[str, str]) -> BookChapters:
        """The chapters kept for the print page at `book_url`, whose pages have `anchors`."""
        if self.folder is None:
            return BookChapters(None, "", self.read_only)
        book_key = digest("print-chapters-2", code_digest(), book_url, repr(sorted(anchors.items())))
        kept = self._books.get(book_url)
        if kept is None or kept.book_key != book_key:
            path = self.folder / (url_file_name(book_url) + _SUFFIX)
            kept = self._books[book_url] = BookChapters(path, book_key, self.read_only)
        return kept

    def prune(self, book_urls: Iterable[str]) -> None:
        """Delete the packs of print pages not in `book_urls` (sections gone, `print: false`)."""
        if self.folder is None or self.read_only:
            return
        keep = {url_file_name(url) + _SUFFIX for url in book_urls}
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return
        for entry in entries:
            if entry.name not in keep and not entry.name.startswith("."):
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass


def _chapter_key(place: ChapterPlace, name: str) -> str:
    """A chapter in its pack: its place and what names its body's HTML."""
    return digest(repr(place), name)


class BookChapters:
    """One print page's chapters: those of the last build read from its pack, those rewritten now
    added; `save()` appends them to the pack, or writes it anew. With no pack (`path` None: no
    cache), every chapter is rewritten."""

    def __init__(self, path: Path | None, book_key: str, read_only: bool):
        self.path = path
        self.read_only = read_only
        self.book_key = book_key
        self.header = f"{_FORMAT.decode()} {book_key}\n".encode()
        self._stored: dict[str, bytes] | None = None if path is not None else {}
        self._in_pack: frozenset[str] = frozenset()  # keys of the chapters read from the pack
        self._pack_whole = False  # the pack was read to its end: chapters may be appended to it
        self.used: dict[str, bytes] = {}

    @property
    def stored(self) -> dict[str, bytes]:
        """The chapters of the pack, read when first needed: a build that keeps this print page
        (a no-op rebuild) never reads its pack."""
        if self._stored is None:
            self._stored, self._pack_whole = _read_pack(self.path, self.header)
            self._in_pack = frozenset(self._stored)
        return self._stored

    def rewritten(self, rewriter: ChapterRewriter, source, place: ChapterPlace) -> str:
        """The chapter of `source` (a book.ChapterSource) at `place`, rewritten now or by an earlier build."""
        if self.path is None:
            body = source.load()
            return rewriter.rewrite(body, place) if body else ""
        body = None
        name = source.name
        if not name:  # nothing names this HTML: its digest does
            body = source.load()
            name = hashlib.sha256(body.encode("utf-8")).hexdigest()
        key = _chapter_key(place, name)
        data = self.stored.get(key)
        if data is not None:
            try:
                chapter = data.decode("utf-8")
            except UnicodeDecodeError:
                data = None
        if data is None:
            body = source.load() if body is None else body
            chapter = rewriter.rewrite(body, place) if body else ""
            data = chapter.encode("utf-8")
        self.used[key] = data
        return chapter

    def prepare(self, rewriter: ChapterRewriter, name: str, body: str, place: ChapterPlace) -> None:
        """Rewrite now the chapter of the body named `name` at `place`, unless the pack has it."""
        key = _chapter_key(place, name)
        if self.path is not None and key not in self.stored:
            self.stored[key] = rewriter.rewrite(body, place).encode("utf-8")  # appended by save()

    def save(self) -> None:
        """Append the chapters used that the pack lacks; write it anew (with only the chapters
        used) once more than a quarter of it is unused, or when it could not be read to its end."""
        if self.path is None or self.read_only or self._stored is None:  # (None: no chapter was asked for)
            return
        unused = len(self._in_pack - self.used.keys())
        added = [(key, data) for key, data in self.used.items() if key not in self._in_pack]
        if not added and not unused:
            return
        if self._pack_whole and unused <= len(self.used) // 4:
            if added:
                try:
                    with open(self.path, "ab") as pack:
                        pack.write(_packed(added))
                except OSError:  # not kept: rewritten by the next build that needs it
                    pass
            return
        write_bytes_atomically(self.path, self.header + _packed(self.used.items()))


def _packed(chapters: Iterable[tuple[str, bytes]]) -> bytes:
    parts = []
    for key, data in chapters:
        parts += [f"{key} {len(data)} {zlib.crc32(data)}\n".encode(), data, b"\n"]
    return b"".join(parts)


def _read_pack(path: Path, header: bytes) -> tuple[dict[str, bytes], bool]:
    """The chapters of the pack at `path` whose header is `header` ({} when it is missing, of
    another version, or made for another print page), and whether it was read to its end; parsing
    stops at a chapter cut short, and a chapter whose CRC-32 differs is left out: both are misses."""
    try:
        with open(path, "rb") as stored:
            pack = stored.read()
    except OSError:
        return {}, False
    if not pack.startswith(header):
        return {}, False
    chapters: dict[str, bytes] = {}
    view = memoryview(pack)
    position = len(header)
    whole = True
    while position < len(pack):
        line_end = pack.find(b"\n", position)
        if line_end < 0:
            return chapters, False
        try:
            key, length, crc = pack[position:line_end].decode("ascii").split(" ")
            start, end, check = line_end + 1, line_end + 1 + int(length), int(crc)
        except ValueError:  # a damaged line
            return chapters, False
        if pack[end : end + 1] != b"\n":  # cut short
            return chapters, False
        data = bytes(view[start:end])
        if zlib.crc32(data) == check:
            chapters[key] = data
        else:  # the pack is written anew: no damaged bytes are kept
            whole = False
        position = end + 1
    return chapters, whole
