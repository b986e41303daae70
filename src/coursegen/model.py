"""The course model. Each output path and URL is computed once, here, from the source path."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path, PurePosixPath

from coursegen.frontmatter import PageMeta

CONTENT_DIR = "content"
NOTEBOOKS_DIR = "notebooks"
TEMPLATES_DIR = "templates"
STATIC_DIR = "static"
SOURCE_DIRS = (CONTENT_DIR, NOTEBOOKS_DIR, TEMPLATES_DIR, STATIC_DIR)  # what a course is written in
SECTION_INDEX_NAMES = ("index.md", "README.md")


class SourceKind(str, Enum):
    MARKDOWN = "markdown"
    NOTEBOOK = "notebook"
    ASSET = "asset"


@dataclass(frozen=True)
class SourceFile:
    """A file found under content/ or notebooks/.

    `rel` is its path from the course root (`content/A/x.md`, `notebooks/A/x.ipynb`); `site_rel` is
    where it sits in the site (`A/x.md`, `A/notebooks/x.ipynb`): links are resolved against both.
    """

    path: Path
    rel: PurePosixPath
    site_rel: PurePosixPath
    kind: SourceKind
    # size, times and inode when discovered, if the file had then been left alone for a while
    # ("" otherwise): the same stamp on the next build means the same bytes (see parse_source)
    stamp: str = ""
    # the page's URL when the course's layout decides it otherwise (a Jupyter Book or MkDocs project
    # keeps its old tool's URLs: project/sources.py); "" → from site_rel, as below
    url: str = ""
    # text notebooks (textnotebooks.py): the `.ipynb` beside it with the same stem, whose outputs
    # the page shows; its stamp is part of `stamp`
    pair: Path | None = None

    @property
    def is_text_notebook(self) -> bool:
        return self.kind is SourceKind.NOTEBOOK and not self.rel.name.lower().endswith(".ipynb")

    @property
    def is_section_index(self) -> bool:
        return self.kind is SourceKind.MARKDOWN and self.rel.name in SECTION_INDEX_NAMES

    @property
    def page_url(self) -> str:
        """Site URL of the page made from this source (Markdown and notebooks)."""
        if self.url:
            return self.url
        site = str(self.site_rel)  # string work: this runs for every page of every build
        if self.is_section_index:
            folder = site.rpartition("/")[0]
            return f"{folder}/index.html" if folder else "index.html"
        return posixpath.splitext(site)[0] + ".html"


def site_position(rel: PurePosixPath) -> PurePosixPath:
    """Where a source sits in the site: content/A/x → A/x; notebooks/A/x.ipynb → A/notebooks/x.ipynb."""
    top, _, inner = str(rel).partition("/")
    if top == NOTEBOOKS_DIR:
        folder, _, name = inner.rpartition("/")
        return PurePosixPath(f"{folder}/{NOTEBOOKS_DIR}/{name}" if folder else f"{NOTEBOOKS_DIR}/{name}")
    return PurePosixPath(inner)


def sources_at(site_rel: str) -> list[str]:
    """The course paths a site position can come from (site_position backwards):
    A/notebooks/x.ipynb ← content/A/notebooks/x.ipynb or notebooks/A/x.ipynb."""
    folder, _, name = site_rel.rpartition("/")
    parent, _, last = folder.rpartition("/")
    found = [f"{CONTENT_DIR}/{site_rel}"]
    if last == NOTEBOOKS_DIR:
        found.append(f"{NOTEBOOKS_DIR}/{parent}/{name}" if parent else f"{NOTEBOOKS_DIR}/{name}")
    return found


class PageKind(str, Enum):
    HOME = "home"
    SECTION = "section"
    LESSON = "lesson"
    NOTEBOOK = "notebook"


@dataclass(eq=False)
class Page:
    """One HTML page. Relations (parent, children, prev/next…) are wired by `course.build_course`."""

    kind: PageKind
    url: str  # site-relative output path, e.g. "module6/index.html"
    folder: str  # sections: the site folder they stand for ("" for home); others: their folder
    title: str
    meta: PageMeta
    source: SourceFile | None = None  # None for a generated section page
    body: str | None = (
        ""  # Markdown body (lessons, sections, home); None: not read yet, see parse.markdown_body
    )
    body_first_line: int = 1
    title_heading: int | None = None  # the body line (index) of the heading taken as title, blanked
    digest: str = ""  # names the source file's bytes (set when it is read): cache keys build on it
    error: str = ""  # why the source can't be rendered (unreadable, bad front matter, broken JSON…)
    # graph
    parent: Page | None = None
    children: list[Page] = field(default_factory=list)
    notebooks: list[Page] = field(default_factory=list)  # sections: from notebooks/<folder>/
    number: int = 0
    prev: Page | None = None
    next: Page | None = None
    notebook: Page | None = None  # lessons: the page of their `notebook:`
    lessons: list[Page] = field(default_factory=list)  # notebooks: lessons that point here
    deck: str = ""  # lessons: where their slide deck goes ('' for none), see slides.place_decks

    @property
    def rel(self) -> str:
        """Source path from the course root, for messages ('' for generated pages)."""
        return str(self.source.rel) if self.source else ""

    @property
    def download_url(self) -> str:
        """Notebooks: the copied .ipynb beside the page (text notebooks: converted to one)."""
        if self.kind is PageKind.NOTEBOOK and self.source:
            site = str(self.source.site_rel)
            return posixpath.splitext(site)[0] + ".ipynb" if self.source.is_text_notebook else site
        return ""

    @property
    def is_section(self) -> bool:
        return self.kind in (PageKind.HOME, PageKind.SECTION)

    def lesson_count(self) -> int:
        """Lessons below this section, at any depth."""
        return sum(
            1 if child.kind is PageKind.LESSON else child.lesson_count() if child.is_section else 0
            for child in self.children
        )

    def __repr__(self) -> str:
        return f"Page({self.kind.value}, {self.url!r})"


@dataclass
class Course:
    """The whole course graph, complete before anything is rendered."""

    home: Page
    pages: list[Page]  # in reading order (prev/next order)
    sections: dict[str, Page]  # by site folder
    assets: list[SourceFile]
    # link targets: course-root path, site position and output URL → what a link there reaches
    by_rel: dict[str, Page | SourceFile] = field(default_factory=dict)
    by_site_rel: dict[str, Page | SourceFile] = field(default_factory=dict)
    by_url: dict[str, Page | SourceFile] = field(default_factory=dict)
    links: list[tuple[str, str]] = field(default_factory=list)  # (title, address): external links of the nav
    redirects: dict[str, str] = field(default_factory=dict)  # old URL → page URL (a project's first page)


def detached(course: Course) -> Course:
    """A copy of the course for worker processes: what rendering a body needs (pages and the link
    indexes), without the graph's relations, whose long prev/next chains pickle too deeply."""
    from copy import copy

    light: dict[int, Page] = {}
    for page in [*course.pages, *course.sections.values()]:
        if id(page) not in light:
            clone = copy(page)
            clone.parent, clone.prev, clone.next, clone.notebook = None, None, None, None
            clone.children, clone.notebooks, clone.lessons = [], [], []
            light[id(page)] = clone

    def swap(value):
        return light.get(id(value), value) if isinstance(value, Page) else value

    return Course(
        home=swap(course.home),
        pages=[swap(p) for p in course.pages],
        sections={k: swap(v) for k, v in course.sections.items()},
        assets=list(course.assets),
        by_rel={k: swap(v) for k, v in course.by_rel.items()},
        by_site_rel={k: swap(v) for k, v in course.by_site_rel.items()},
        by_url={k: swap(v) for k, v in course.by_url.items()},
        links=list(course.links),
        redirects=dict(course.redirects),
    )


DECK_SUFFIX = ".slides.html"


def deck_url(page: Page, course_slides: bool) -> str:
    """Where a lesson's slide deck goes, beside it (`A/x.html` → `A/x.slides.html`); '' when it has
    none: only lessons have decks, when their front matter's `slides` (else course.yml's) says so."""
    if page.kind is not PageKind.LESSON or page.source is None:
        return ""
    wanted = page.meta.slides if page.meta.slides is not None else course_slides
    return posixpath.splitext(page.url)[0] + DECK_SUFFIX if wanted else ""


def target_url(target: Page | SourceFile) -> str:
    if isinstance(target, Page):
        return target.url
    return str(target.site_rel)
