"""A broken source never replaces a good page: the page keeps its last good version.

When a page's source can't be used (front matter that isn't valid YAML, a notebook that isn't
JSON, a file that isn't UTF-8 or can't be read, a notebook that can't be rendered, a template that
fails on this page), the build keeps, instead of an error page:
  * the page file the output folder already holds, when the site manifest says it was written as a
    good version of this very source and nobody touched it since (and a notebook's .ipynb copy);
  * its place in the course graph, with the front matter of that good version (recorded per
    source path, beside the manifest), so that cards, prev/next links, breadcrumbs and the sitemap
    show it as they did;
  * its search entry (from the search index the folder holds) and its ids (from the kept page),
    so that search and links to its #anchors still work.
The error is still reported and the build exits 1. A page without a good version (a first build,
a new page, a site built with `--clean`, whose cache is gone) gets the error page instead.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re

from coursegen.body_cache import Body
from coursegen.frontmatter import PageMeta, meta_from_plain
from coursegen.model import Course, Page, PageKind
from coursegen.output import Manifest, SitePlan
from coursegen.parse import markdown_body
from coursegen.search import INDEX_URL, indexed_texts

_ID = re.compile(rb'\sid="([^"]+)"')


def _plain_meta(meta: PageMeta) -> dict:
    """`meta` as JSON-able data (what `meta_from_plain` reads back), without dataclasses.asdict's
    deep copies: every page of a first build is recorded."""
    plain = {field.name: getattr(meta, field.name) for field in _META_FIELDS}
    plain["timeline"] = [vars(entry) for entry in meta.timeline]
    plain["stats"] = [vars(stat) for stat in meta.stats]
    return plain


_META_FIELDS = dataclasses.fields(PageMeta)


def kept_summary(count: int) -> str:
    """What a build that kept pages from the previous one says after its summary."""
    if count == 1:
        return "1 page kept from the previous build (its source has errors)"
    return f"{count} pages kept from the previous build (their sources have errors)"


class LastGood:
    """The last good version of every page of one output folder (inert without a manifest: no
    cache, or `check`, which writes nothing)."""

    def __init__(self, manifest: Manifest | None):
        self.manifest = manifest
        self.kept: list[str] = []  # sources of the pages taken from the previous build, in course order
        self._standing_in: set[str] = set()  # URLs of broken sources shown with their last good front matter
        self._texts: dict[str, str] | None = None  # the previous search index's texts, by URL
        self._replaced: dict[str, bytes | None] = {}  # source → the record a new one replaces

    def stand_in(self, pages: list[Page]) -> None:
        """Before the course graph: a page whose source is broken takes the title and front matter
        of its last good version, if the output folder still holds that version; every other page
        is recorded as the last good version of its source (saved once the site is written)."""
        if self.manifest is None:
            return
        for page in pages:
            if page.error:
                self._stand_in(page)
            else:
                self._remember(page)

    def keep_bodies(self, bodies: dict[str, Body], course: Course) -> None:
        """After rendering bodies: a page that failed and will be kept gets its last good search
        text and ids in place of its empty body (its error stays: the page itself is not made)."""
        for page in course.pages:
            body = bodies[page.url]
            if body.error and self._keepable(page):
                bodies[page.url] = Body(
                    _html=self._search_html(page.url),
                    error=body.error,
                    rel=page.rel,
                    _toc=[],
                    _anchors=self._ids(page.url),
                )

    def keep(self, plan: SitePlan, page: Page) -> bool:
        """Take the last good version of `page` (and of its notebook's copy) into `plan`, as the
        previous build wrote it; False when there is none (the error page is made instead)."""
        if not self._keepable(page):
            return False
        plan.keep_previous(page.url, page.rel or page.url)
        if page.kind is PageKind.NOTEBOOK:
            plan.keep_previous(page.download_url, page.rel)
        self.kept.append(page.rel or page.url)
        if page.rel in self._replaced:  # the kept page was made from the record before this build's
            self._restore_record(page.rel, self._replaced.pop(page.rel))
        return True

    # ------------------------------------------------------------------ the pieces

    def _keepable(self, page: Page) -> bool:
        """A good version of the page is in the output folder, and the graph shows that version
        (a broken source whose last good front matter is unknown is not kept)."""
        if self.manifest is None or (page.error and page.url not in self._standing_in):
            return False
        return self._good_version_in_folder(page)

    def _good_version_in_folder(self, page: Page) -> bool:
        """The output folder holds a good version of the page (and of its notebook's copy), made
        from this very source, untouched since it was written."""
        made_from = page.rel or page.url
        if self.manifest.good_version_of(page.url) != made_from:
            return False
        return (
            page.kind is not PageKind.NOTEBOOK
            or self.manifest.good_version_of(page.download_url) == made_from
        )

    def _stand_in(self, page: Page) -> None:
        if not self._good_version_in_folder(page):
            return
        value = self.manifest.page_sources.get(page.rel)
        if value is None:
            return
        try:
            record = json.loads(value.partition(b"\t")[2])
            meta = meta_from_plain(record["meta"])
            title, heading, body = record["title"], record["heading"], record.get("body")
        except (ValueError, KeyError, TypeError):  # a damaged record: no good version to show
            return
        page.title, page.meta, page.title_heading = title, meta, heading
        if body is not None:  # a section's links order its children
            page.body, page.body_first_line = body
        self._standing_in.add(page.url)

    def _remember(self, page: Page) -> None:
        """Record what a good page was made from, when it changed since the last record (a page
        that didn't change costs a lookup)."""
        store = self.manifest.page_sources
        stamp = page.digest.encode() + b"\t"
        known = store.get(page.rel)
        if known is not None and known.startswith(stamp):
            return
        record = {"title": page.title, "meta": _plain_meta(page.meta), "heading": page.title_heading}
        try:
            if page.is_section and page.source is not None:
                record["body"] = list(markdown_body(page))
            # `default=str`: a date in `extra` is kept as text (the graph doesn't use it)
            line = stamp + json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str).encode(
                "utf-8"
            )
            store.put(page.rel, line)
        except (OSError, ValueError, TypeError, RecursionError):
            # changed or gone since it was read, front matter JSON can't hold (a date as a key),
            # a name with a line break: not recorded (the error page stands in for it if it breaks)
            return
        self._replaced[page.rel] = known

    def _restore_record(self, rel: str, previous: bytes | None) -> None:
        store = self.manifest.page_sources
        if previous is None:
            store.used.pop(rel, None)
        else:
            store.put(rel, previous)

    def _search_html(self, url: str) -> str:
        """The kept page's searchable text, as the previous search index has it (as HTML, which
        the index makes the same text of)."""
        if self._texts is None:
            self._texts = self._previous_texts()
        return f"<p>{html.escape(self._texts.get(url, ''))}</p>"

    def _previous_texts(self) -> dict[str, str]:
        try:
            return indexed_texts((self.manifest.out / INDEX_URL).read_bytes())
        except OSError:  # no index: no text
            return {}

    def _ids(self, url: str) -> set[str]:
        """The ids of the kept page: #anchors that lead to it still resolve."""
        try:
            data = (self.manifest.out / url).read_bytes()
        except OSError:
            return set()
        return {html.unescape(match.decode("utf-8", "replace")) for match in _ID.findall(data)}
