"""Read-only views of the model for templates (see docs/template-context.md)."""

from __future__ import annotations

import functools
import hashlib
import html
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from markupsafe import Markup

from coursegen.config import CourseConfig
from coursegen.model import Course, Page, PageKind


@dataclass(frozen=True)
class LinkView:
    title: str
    url: str
    icon: str = ""
    download_url: str = ""


@dataclass(frozen=True)
class CardView:
    kind: str
    number: int
    title: str
    url: str
    icon: str
    level: str
    summary: str
    topics: tuple[str, ...]
    tags: tuple[str, ...]
    duration: str
    notebook: LinkView | None
    lesson_count: int
    description: str
    category: str = ""


@dataclass(frozen=True)
class LaunchView:
    colab: str
    binder: str


@dataclass(frozen=True)
class PageView:
    kind: str
    url: str
    title: str
    description: str
    icon: str
    tags: tuple[str, ...]
    category: str
    level: str
    summary: str
    topics: tuple[str, ...]
    duration: str
    tagline: str
    extra: Mapping[str, Any]
    timeline: tuple[Mapping[str, str], ...]
    stats: tuple[Mapping[str, str], ...]
    content: str
    toc: tuple[Mapping[str, Any], ...]
    number: int
    notebook: LinkView | None
    cards: tuple[CardView, ...]
    notebooks: tuple[LinkView, ...]
    lessons: tuple[LinkView, ...]
    download_url: str
    launch: LaunchView | None
    error: str  # a page that could not be rendered: coursegen's message (English), else ""
    error_kind: str  # …what it is about (errors.KINDS: yaml, notebook, encoding…), for the page's own words
    error_where: str  # …and where: `path:line:col` as far as known
    has_math: bool = False  # the body has formulas: the template links the math stylesheet and font
    has_quiz: bool = False  # the body has a quiz: the template loads quiz.js, which grades it
    module_lessons: tuple[LinkView, ...] = ()  # the lessons of a lesson's section, the page itself among them
    slides_url: str = ""  # a lesson's slide deck (x.slides.html), when it has one


QUIZ_FORM = '<form class="quiz"'  # as quiz.py writes a quiz that can be graded


@dataclass(frozen=True)
class CourseView:
    title: str
    description: str
    author: str
    language: str
    icon: str
    base_url: str
    sections: tuple[CardView, ...] = field(default=())
    key: str = ""  # stable id of the course, for what the browser keeps per course (progress)
    theme: Mapping[str, Any] = field(default_factory=dict)  # course.yml `theme:` options
    copyright: str = ""
    logo: str = ""  # site path of the logo image
    extra_css: tuple[str, ...] = ()  # site paths, loaded by every page after the theme's stylesheet
    extra_javascript: tuple[str, ...] = ()
    links: tuple[LinkView, ...] = ()  # external links of the navigation (a project's TOC `url:` entries)


# Options a course can set under `theme:` in course.yml (docs/learner-features.md)
THEME_DEFAULTS = {
    "copy_button": True,
    "line_numbers": False,
    "progress": True,
    "search": True,
    "nav_modules": 6,
}


def link_fields(page: Page | None) -> tuple[str, str, str, str] | None:
    """What a link to `page` shows, in LinkView's field order: a plain tuple, which page
    signatures compare (cheaper than building the view for every page of every build)."""
    if page is None:
        return None
    return (page.title, page.url, page.meta.icon, page.download_url)


def link(page: Page | None) -> LinkView | None:
    fields = link_fields(page)
    return None if fields is None else LinkView(*fields)


class LinkViews:
    """`link`, made once per page for one build's renderer: a page is linked to from many others
    (each lesson lists every lesson of its module), and page signatures name each view once."""

    def __init__(self):
        self._made: dict[int, tuple[Page, LinkView]] = {}  # the page is kept: its id stays its own

        self._lists: dict[tuple[int, ...], tuple[list[Page], tuple[LinkView, ...]]] = {}
        self._lessons: dict[int, tuple[Page, tuple[LinkView, ...]]] = {}  # by section

    def __call__(self, page: Page | None) -> LinkView | None:
        if page is None:
            return None
        made = self._made.get(id(page))
        if made is None:
            made = self._made[id(page)] = (page, link(page))
        return made[1]

    def many(self, pages: list[Page]) -> tuple[LinkView, ...]:
        """The links to `pages`, as one tuple shared by every page that lists them (a module's
        lessons, on each of its lessons)."""
        ids = tuple(map(id, pages))
        made = self._lists.get(ids)
        if made is None:
            made = self._lists[ids] = (pages, tuple(map(self, pages)))
        return made[1]

    def module_lessons(self, page: Page) -> tuple[LinkView, ...]:
        """The links to the lessons of a lesson's section, one tuple per section (() elsewhere)."""
        if page.kind is not PageKind.LESSON or page.parent is None:
            return ()
        made = self._lessons.get(id(page.parent))
        if made is None:
            made = self._lessons[id(page.parent)] = (page.parent, self.many(module_lessons(page)))
        return made[1]


def links(pages: list[Page], link=link) -> tuple[LinkView | None, ...]:
    return link.many(pages) if isinstance(link, LinkViews) else tuple(map(link, pages))


def card(page: Page, link=link) -> CardView:
    kind = "section" if page.is_section else page.kind.value
    return CardView(
        kind=kind,
        number=page.number,
        title=page.title,
        url=page.url,
        icon=page.meta.icon,
        level=page.meta.level,
        summary=page.meta.summary or page.meta.description,
        topics=page.meta.topics,
        tags=page.meta.tags,
        duration=page.meta.duration,
        notebook=link(page.notebook),
        lesson_count=page.lesson_count() if page.is_section else 0,
        description=page.meta.description,
        category=page.meta.category,
    )


def course_view(config: CourseConfig, course: Course) -> CourseView:
    return CourseView(
        title=config.title,
        description=config.description,
        author=config.author,
        language=config.language,
        icon=config.icon,
        base_url=config.base_url,
        sections=tuple(card(child) for child in course.home.children if child.is_section),
        key="cg-" + hashlib.sha256(f"{config.title}|{config.base_url}".encode()).hexdigest()[:12],
        theme=MappingProxyType({**THEME_DEFAULTS, **config.theme}),
        copyright=html.unescape(config.copyright),  # MkDocs writes it as HTML (`&copy;`)
        logo=config.logo,
        extra_css=config.extra_css,
        extra_javascript=config.extra_javascript,
        links=tuple(LinkView(title, url) for title, url in course.links),
    )


def launch_view(config: CourseConfig, page: Page) -> LaunchView | None:
    """Colab and Binder links for a notebook, from course.yml `launch`."""
    if config.launch is None or page.kind is not PageKind.NOTEBOOK or page.source is None:
        return None
    repo, branch, path = config.launch.repository, config.launch.branch, str(page.source.rel)
    if config.launch.path_in_repository:  # a book kept in a folder of its repository
        path = f"{config.launch.path_in_repository}/{path}"
    # Colab opens only .ipynb files: a text notebook's paired one, if any; Binder's JupyterLab
    # opens the text file itself as a notebook when jupytext is installed there
    colab_path = path
    if page.source.is_text_notebook:
        colab_path = (
            posixpath.join(posixpath.dirname(path), page.source.pair.name) if page.source.pair else ""
        )
    return LaunchView(
        colab=f"https://colab.research.google.com/github/{repo}/blob/{branch}/{colab_path}"
        if colab_path
        else "",
        binder=f"https://mybinder.org/v2/gh/{repo}/{branch}?labpath={path}",
    )


def page_view(
    page: Page,
    content: str,
    toc: list[dict],
    config: CourseConfig,
    error: str = "",
    error_kind: str = "",
    error_where: str = "",
    link=link,
) -> PageView:
    meta = page.meta
    return PageView(
        kind="not_found" if page.url == "404.html" else page.kind.value,
        url=page.url,
        title=page.title,
        description=meta.description,
        icon=meta.icon,
        tags=meta.tags,
        category=meta.category,
        level=meta.level,
        summary=meta.summary,
        topics=meta.topics,
        duration=meta.duration,
        tagline=meta.tagline,
        extra=MappingProxyType(dict(meta.extra)),
        timeline=tuple(MappingProxyType(vars(entry)) for entry in meta.timeline),
        stats=tuple(MappingProxyType(vars(stat)) for stat in meta.stats),
        content=Markup(content),  # produced by our Markdown pipeline or nbconvert: already HTML
        toc=tuple(MappingProxyType(entry) for entry in toc),
        number=page.number,
        notebook=link(page.notebook),
        cards=tuple(card(child, link) for child in page.children),
        notebooks=links(page.notebooks, link),
        lessons=links(page.lessons, link),
        download_url=page.download_url,
        launch=launch_view(config, page),
        error=error,
        error_kind=error_kind,
        error_where=error_where,
        has_math="<math" in content,
        has_quiz=QUIZ_FORM in content,
        module_lessons=lesson_links(page, link),
        slides_url=page.deck,
    )


def with_body(view: PageView, content: str, toc: list[dict], error_kind: str = "", error_where: str = ""):
    """`view` (made by `page_view` without its body) with the page's body and contents list."""
    return replace(
        view,
        content=Markup(content),  # produced by our Markdown pipeline or nbconvert: already HTML
        toc=tuple(MappingProxyType(entry) for entry in toc),
        has_math="<math" in content,
        has_quiz=QUIZ_FORM in content,
        error_kind=error_kind,
        error_where=error_where,
    )


def lesson_links(page: Page, link=link) -> tuple[LinkView | None, ...]:
    """The links of `module_lessons(page)`: with LinkViews, one tuple per section, found without
    walking the section's children again for each of its lessons."""
    if isinstance(link, LinkViews):
        return link.module_lessons(page)
    return tuple(map(link, module_lessons(page)))


def module_lessons(page: Page) -> list[Page]:
    """The lessons of a lesson's section, in course order (for its side list); [] on other pages."""
    if page.kind is not PageKind.LESSON or page.parent is None:
        return []
    return [child for child in page.parent.children if child.kind is PageKind.LESSON]


def tag_pages(course: Course) -> list[tuple[str, tuple[LinkView, ...]]]:
    """Every tag of the course with the pages that carry it in course order, by tag."""
    pages: dict[str, list[Page]] = {}
    for page in course.pages:
        for tag in page.meta.tags:
            pages.setdefault(tag, []).append(page)
    return [
        (tag, tuple(link(p) for p in pages[tag])) for tag in sorted(pages, key=lambda t: (t.casefold(), t))
    ]


def tag_index(tagged: list[tuple[str, tuple[LinkView, ...]]]) -> list[tuple[str, str, tuple[LinkView, ...]]]:
    """`tag_pages` with each tag's anchor id: (tag, anchor, pages)."""
    return [(tag, tag_anchor(tag), pages) for tag, pages in tagged]


@functools.lru_cache(maxsize=4096)  # every chip of every page asks (~25 µs each: Markdown's slug rule)
def tag_anchor(tag: str) -> str:
    """The id of a tag's entry on tags.html (also what tag chips link to)."""
    from coursegen.slugs import heading_slug

    return "tag-" + (heading_slug(tag) or hashlib.sha256(tag.encode("utf-8")).hexdigest()[:8])


def ancestors(page: Page) -> list[Page]:
    """The sections above `page`, nearest first (its module, …, the home page)."""
    trail = []
    parent = page.parent
    while parent is not None:
        trail.append(parent)
        parent = parent.parent
    return trail


def breadcrumbs(page: Page, link=link) -> tuple[LinkView, ...]:
    return links(list(reversed(ancestors(page))), link)


def neighbour_sections(page: Page, link=link) -> tuple[LinkView | None, LinkView | None]:
    """Previous and next section among the siblings of a section page (previous/next module)."""
    if page.kind is not PageKind.SECTION or page.parent is None:
        return None, None
    siblings = [child for child in page.parent.children if child.is_section]
    index = siblings.index(page)
    before = siblings[index - 1] if index > 0 else None
    after = siblings[index + 1] if index + 1 < len(siblings) else None
    return link(before), link(after)
