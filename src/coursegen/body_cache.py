"""The body cache: each page's rendered fragment kept between builds.

`.coursegen-cache/bodies/KEY.html` holds a body's HTML, `.coursegen-cache/bodies-index.txt` (a
LineStore) the rest, a line per key; `.coursegen-cache/fragments/` each page's highlighted code and
formulas (see markdown_render.FragmentMemo). Entries are typed on reading: a line or file of
another shape is a miss, and the page is rendered again. See docs/architecture.md.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coursegen.cache import JsonCache, index_store, make_durable, url_file_name
from coursegen.errors import CoursegenError, replay


@dataclass
class RenderedBody:
    """What rendering one page's body gives: plain data, also sent back by worker processes."""

    html: str = ""
    toc: list = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)
    # links with a #fragment to other pages, as (target URL, fragment, href, line): markdown_render.AnchorLink
    anchor_links: list = field(default_factory=list)
    remote: list = field(default_factory=list)  # media from other sites: remote_media.RemoteReference
    diagnostics: list[dict] = field(default_factory=list)  # errors.plain
    error: str = ""  # shown in place of a page that could not be rendered
    retry: bool = False  # not to be cached: a notebook whose run failed is tried again next build


@dataclass
class Body:
    """A page's rendered fragment, before the theme wraps it.

    A cached body's HTML stays on disk until a page template needs it: a rebuild whose pages are
    unchanged never reads it; its table of contents and ids stay undecoded JSON (`detail`) until
    asked for. `key` names its content: its cache key and its HTML's digest (None when it isn't
    cached). The file is checked against that digest when read: one that is gone, cut short or
    damaged (the cache deleted during the build, a power cut) is never published, the page is
    rendered again (`rerender`).
    """

    _html: str | None = None
    error: str = ""  # shown in place of a page that could not be rendered
    # links with a #fragment, as (target URL, fragment, href, line): see markdown_render.AnchorLink
    anchor_links: list[tuple[str, str, str, int | None]] = field(default_factory=list)
    key: str | None = None
    html_path: str | None = None
    rel: str = ""  # the page's source, for messages
    _toc: list | None = None
    _anchors: set[str] | None = None
    detail: bytes = b""  # `[toc, anchors]` as JSON, for a cached body
    # images, audio and video loaded from other sites, as written: see remote_media.RemoteReference
    remote: list = field(default_factory=list)
    html_digest: str = ""  # sha256 of the HTML in UTF-8, for a cached body
    rerender: Callable[[], str] | None = field(default=None, repr=False)  # the HTML made again

    def release(self) -> None:
        """Forget the HTML when the cache has it: a big course's bodies need not all stay in memory."""
        if self.html_path:
            self._html = None

    @property
    def html(self) -> str:
        if self._html is None:
            text = read_verified(self.html_path, self.html_digest) if self.html_path else ""
            if text is None:  # the cache lost it meanwhile, or it was damaged: make it again
                if self.rerender is None:
                    raise CoursegenError(
                        f"the cached body of {self.rel} is gone or damaged", "build again", path=self.rel
                    )
                text = self.rerender()
            self._html = text
        return self._html

    @property
    def toc(self) -> list:
        if self._toc is None:
            self._decode_detail()
        return self._toc

    @property
    def anchors(self) -> set[str]:
        if self._anchors is None:
            self._decode_detail()
        return self._anchors

    def _decode_detail(self) -> None:
        try:
            toc, anchors = json.loads(self.detail) if self.detail else ([], [])
            if not isinstance(toc, list) or not all(isinstance(item, dict) for item in toc):
                raise ValueError("not a contents list")
            anchors = {anchor for anchor in anchors if isinstance(anchor, str)}
        except (ValueError, TypeError):  # another shape: no contents list, no ids (the next edit remakes it)
            toc, anchors = [], set()
        self._toc, self._anchors = toc, anchors


def read_verified(path: str, expected: str) -> str | None:
    """The text of the cache file `path` when its bytes have the digest `expected`; None when it is
    gone, cut short, damaged or not UTF-8."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != expected:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


@dataclass(frozen=True)
class IndexedBody:
    """A body's line in bodies-index.txt: `sha256 of the HTML<TAB>[diagnostics, anchor links(,
    remote media)]<TAB>[toc, anchors]`. The second part is needed for every page of every build
    (messages are replayed, #fragments checked, remote media fetched) and is nearly always
    `[[],[]]`, which is recognised without decoding; the third only when the page is rendered or
    linked to with a #fragment. (Decoding a thousand entries as JSON at each build cost more than
    the rest.)"""

    html_digest: str
    diagnostics: list[dict]
    anchor_links: list
    remote: list
    detail: bytes  # `[toc, anchors]` as JSON, decoded by Body when asked for

    NOTHING = b"[[],[]]"

    @classmethod
    def from_line(cls, value: bytes) -> IndexedBody | None:
        """The entry, or None for a line of any other shape (a miss: the page is rendered again)."""
        html_digest, _, rest = value.partition(b"\t")
        head, _, detail = rest.partition(b"\t")
        try:
            messages, anchor_links, *remote = ([], []) if head == cls.NOTHING else json.loads(head)
            replay(messages)  # raises on another shape
            remote = remote[0] if remote else []
            if (
                len(html_digest) != 64
                or not all(_is_anchor_link(link) for link in anchor_links)
                or not all(_is_remote_reference(item) for item in remote)
            ):
                return None
        except (ValueError, TypeError):
            return None
        return cls(html_digest.decode("ascii", "replace"), messages, anchor_links, remote, detail)

    @staticmethod
    def line_of(rendered: RenderedBody, html_digest: str) -> bytes:
        remote = rendered.remote  # left out when there is none: the line stays `[[],[]]`
        head = _compact([rendered.diagnostics, rendered.anchor_links, *([remote] if remote else [])])
        detail = _compact([rendered.toc, rendered.anchors])
        return f"{html_digest}\t{head}\t{detail}".encode()


def _compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _is_anchor_link(link) -> bool:
    """(target URL, fragment, href, line), as a cache line keeps it."""
    return (
        isinstance(link, list)
        and len(link) == 4
        and all(isinstance(part, str) for part in link[:3])
        and (link[3] is None or type(link[3]) is int)
    )


def _is_remote_reference(item) -> bool:
    """(address, what, line, where), as a cache line keeps it: see remote_media.RemoteReference."""
    return (
        isinstance(item, list)
        and len(item) == 4
        and isinstance(item[0], str)
        and isinstance(item[1], str)
        and (item[2] is None or type(item[2]) is int)
        and isinstance(item[3], str)
    )


@dataclass(frozen=True)
class CachedBody:
    """A body found in the cache: its index entry and the file holding its HTML."""

    entry: IndexedBody
    html_path: str


class BodyCache:
    """The HTML files (`bodies/`) and their index (`bodies-index.txt`), kept together: a file is
    flushed to the disk before the index names it, and the files no index line names are deleted
    whenever the index changes, so the folder never holds more than the current site's bodies."""

    def __init__(self, root: Path, read_only: bool, space: str = ""):
        # `space`: an edition's own folder and index (BodySettings.cache_space), so that building
        # one edition never prunes the other's bodies
        self.files = JsonCache(root, "bodies" + space, read_only)
        self.index = index_store(root, "bodies-index" + space, True, read_only)
        self._written: list[str] = []

    def get(self, key: str) -> CachedBody | None:
        value = self.index.get(key)
        entry = IndexedBody.from_line(value) if value is not None else None
        if entry is None:
            return None
        html_path = self.files.path(key, "html")
        return CachedBody(entry, html_path) if os.path.isfile(html_path) else None

    def put(self, key: str, rendered: RenderedBody) -> CachedBody | None:
        """Keep a rendered body: its HTML in a file (read again, and checked against its digest,
        when its page is made), the rest in the index. None when it could not be written (a full
        or read-only disk: the body stays in memory)."""
        data = rendered.html.encode("utf-8")
        html_digest = hashlib.sha256(data).hexdigest()
        if not self.files.put_bytes(key, "html", data):
            return None
        html_path = self.files.path(key, "html")
        self._written.append(html_path)
        line = IndexedBody.line_of(rendered, html_digest)
        entry = IndexedBody.from_line(line)
        if entry is None:  # a shape the index can't keep: the body stays in memory
            return None
        self.index.put(key, line)
        return CachedBody(entry, html_path)

    def replace_html(self, key: str, html: str) -> None:
        """The HTML of a body rendered again after the cache lost it during the build."""
        self.files.put_text(key, "html", html)

    def save(self) -> bool:
        """Flush the new files, then write the index; when it changed, delete the files it no longer
        names. True when the index changed."""
        make_durable(self._written)
        self._written = []
        if not self.index.save():
            return False
        self.files.prune(set(self.index.used))
        return True


class FragmentCache:
    """`.coursegen-cache/fragments/`: one file per page (named after its URL's digest), replaced at
    each render, holding its FragmentMemo's results under the version of the code and libraries
    that made them."""

    def __init__(self, root: Path, version: str, read_only: bool):
        self.files = JsonCache(root, "fragments", read_only=read_only)
        self.version = version

    def get(self, url: str) -> dict[str, str] | None:
        """The page's fragments from its last render; None when there are none, they were made by
        other code, or the file has another shape (a damaged cache)."""
        stored = self.files.get(url_file_name(url))
        if not isinstance(stored, dict) or stored.get("version") != self.version:
            return None
        items = stored.get("items")
        if not isinstance(items, dict) or not all(isinstance(value, str) for value in items.values()):
            return None
        return items

    def put(self, url: str, items: dict[str, str]) -> None:
        self.files.put(url_file_name(url), {"version": self.version, "items": items})

    def prune(self, urls) -> None:
        """Delete the fragments of pages that are gone."""
        self.files.prune({url_file_name(url) for url in urls})
