"""The course graph of a project, from its own table of contents: the root page is the home, parts
and sections (captions, MkDocs sections) are modules, chapters with sections are section pages,
the rest lessons and notebooks, all in TOC order."""

from __future__ import annotations

import posixpath
import unicodedata

from coursegen.course import _attach_notebooks, _depth_first, _drop_collisions, _index_link_targets
from coursegen.errors import Diagnostics
from coursegen.frontmatter import PageMeta
from coursegen.model import Course, Page, PageKind, SourceFile
from coursegen.project.sources import INDEX_NAMES, ProjectSources, page_url
from coursegen.project.spec import TocEntry
from coursegen.urls import readable_name


def build_project_course(
    placed: ProjectSources,
    pages: list[Page],
    assets: list[SourceFile],
    diagnostics: Diagnostics,
    *,
    title: str,
    drafts: bool = False,
) -> Course:
    """Wire pages into one graph following the TOC. Nothing here reads files."""
    if not drafts:
        pages = [page for page in pages if not page.meta.draft]
    pages, assets = _drop_collisions(pages, assets, diagnostics)
    by_rel = {page.rel: page for page in pages}
    home = by_rel.get(placed.home) or Page(PageKind.HOME, "index.html", "", title, PageMeta())
    home.kind, home.folder = PageKind.HOME, ""
    taken = {page.url.casefold() for page in pages} | {str(asset.site_rel).casefold() for asset in assets}
    wiring = _Wiring(by_rel, {"": home}, taken)
    wiring.place(placed.entries, home, ())
    for rel in placed.orphans:  # built, as the old tool did, after everything else
        if rel in by_rel and by_rel[rel] is not home:
            wiring.attach(by_rel[rel], home)
    reading_order = list(_depth_first(home))
    for previous, current in zip(reading_order, reading_order[1:]):
        previous.next, current.prev = current, previous
    course = Course(
        home=home, pages=reading_order, sections=wiring.sections, assets=assets, links=wiring.links
    )
    _index_link_targets(course)
    _attach_notebooks(course, diagnostics)
    if (
        home.source is not None and home.source.site_rel.name not in INDEX_NAMES
    ):  # old bookmarks to the first page
        course.redirects[page_url(str(home.source.site_rel), flat=True)] = home.url
    return course


def _holds_page(entry: TocEntry) -> bool:
    return bool(entry.file) or any(_holds_page(child) for child in entry.children)


class _Wiring:
    def __init__(self, by_rel: dict[str, Page], sections: dict[str, Page], taken: set[str]):
        self.by_rel, self.sections, self.taken = by_rel, sections, taken
        self.links: list[tuple[str, str]] = []

    def place(self, entries: list[TocEntry], parent: Page, numbers: tuple[int, ...]) -> None:
        count = 0
        for entry in entries:
            if entry.url and not entry.file:
                self.links.append((entry.title or entry.url, entry.url))
                continue
            page, children = self._page_of(entry)
            if page is None:
                self.place(children, parent, numbers)
                continue
            label = numbers
            if len(numbers) < entry.numbered and page.source is not None:
                count += 1
                label = (*numbers, count)
                page.title = f"{'.'.join(map(str, label))}. {entry.title or page.title}"
            elif entry.title:
                page.title = entry.title
            if children and page.kind is not PageKind.NOTEBOOK:
                self._make_section(page, parent)
                self.place(children, page, label if page.source is not None else ())
            else:  # a notebook can't hold pages: its sections follow it
                self.attach(page, parent)
                self.place(children, parent, label)

    def _page_of(self, entry: TocEntry) -> tuple[Page | None, list[TocEntry]]:
        """The page an entry stands for, and the entries below it. A part or section without a page
        of its own takes its first entry when that is its folder's index.md, else gets a page made
        for it."""
        children = entry.children
        if entry.file:
            return self.by_rel.get(entry.file), children
        if not any(_holds_page(child) for child in children):  # nothing, or only links: no module
            return None, children
        first = children[0]
        if first.file in self.by_rel and posixpath.basename(first.file) in INDEX_NAMES and not first.children:
            page = self.by_rel[first.file]
            if entry.title:
                page.title = entry.title
            return page, children[1:]
        return self._generated_section(entry.title), children

    def _generated_section(self, title: str) -> Page:
        ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
        slug = "-".join("".join(c if c.isalnum() else " " for c in ascii_title.lower()).split()) or "part"
        folder, counter = slug, 1
        while f"{folder}/index.html".casefold() in self.taken or folder in self.sections:
            counter += 1
            folder = f"{slug}-{counter}"
        self.taken.add(f"{folder}/index.html".casefold())
        return Page(
            PageKind.SECTION, f"{folder}/index.html", folder, title or readable_name(folder), PageMeta()
        )

    def _make_section(self, page: Page, parent: Page) -> None:
        if page.source is not None:
            page.kind = PageKind.SECTION
            page.folder = posixpath.splitext(page.url)[0].removesuffix("/index")
        self.sections[page.folder] = page
        page.parent = parent
        parent.children.append(page)

    def attach(self, page: Page, parent: Page) -> None:
        if page.kind is not PageKind.NOTEBOOK:
            page.kind = PageKind.LESSON
        page.parent = parent
        parent.children.append(page)
