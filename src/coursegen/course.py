"""The course graph: sections, ordering, prev/next, lesson ↔ notebook, and the link-target indexes."""

from __future__ import annotations

import difflib
import posixpath
import re
from collections import defaultdict

from coursegen.errors import Diagnostics
from coursegen.frontmatter import PageMeta
from coursegen.model import NOTEBOOKS_DIR, Course, Page, PageKind, SourceFile, target_url
from coursegen.notebook_refs import closest_notebook, find_notebook
from coursegen.urls import is_external, natural_key, readable_name, split_href

_MD_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*)?\)|href=[\"']([^\"']+)[\"']")


def build_course(
    pages: list[Page], assets: list[SourceFile], diagnostics: Diagnostics, *, drafts: bool = False
) -> Course:
    """Wire pages into one graph. Nothing here reads files: every input was parsed before."""
    if not drafts:
        # a draft section hides everything below it, notebooks included
        draft_folders = [page.folder for page in pages if page.is_section and page.meta.draft]
        pages = [
            page
            for page in pages
            if not page.meta.draft
            and not any(_is_within(_section_folder_of(page), folder) for folder in draft_folders)
        ]
    pages = _drop_shadowed_readmes(pages, diagnostics)
    pages, assets = _drop_collisions(pages, assets, diagnostics)

    sections = {page.folder: page for page in pages if page.is_section}
    for page in list(pages):
        _ensure_section(_section_folder_of(page), sections)
    home = sections[""]
    if home.kind is not PageKind.HOME:
        home.kind = PageKind.HOME

    for page in pages + [s for s in sections.values() if s.source is None]:
        if page is home:
            continue
        parent = (
            sections[_section_folder_of(page)]
            if not page.is_section
            else sections[posixpath.dirname(page.folder)]
        )
        page.parent = parent
        if page.kind is PageKind.NOTEBOOK and _is_from_notebooks_dir(page):
            parent.notebooks.append(page)
        else:
            parent.children.append(page)

    for section in sections.values():
        _order_children(section, diagnostics)

    reading_order = list(_depth_first(home))
    for previous, current in zip(reading_order, reading_order[1:]):
        previous.next, current.prev = current, previous

    course = Course(home=home, pages=reading_order, sections=sections, assets=assets)
    _index_link_targets(course)
    _attach_notebooks(course, diagnostics)
    return course


def _is_within(folder: str, ancestor: str) -> bool:
    return folder == ancestor or folder.startswith(ancestor + "/")


def _is_from_notebooks_dir(page: Page) -> bool:
    return page.source is not None and page.source.rel.parts[0] == NOTEBOOKS_DIR


def _section_folder_of(page: Page) -> str:
    """The folder of the section a page belongs to (for a section: the section itself)."""
    if page.is_section:
        return page.folder
    if _is_from_notebooks_dir(page):
        # notebooks/A/x.ipynb is published at A/notebooks/x.html but belongs to section A
        return posixpath.dirname(page.folder)
    return page.folder


def _ensure_section(folder: str, sections: dict[str, Page]) -> None:
    """Create generated section pages for `folder` and its ancestors when they have no index.md."""
    while True:
        if folder not in sections:
            kind = PageKind.HOME if folder == "" else PageKind.SECTION
            title = readable_name(posixpath.basename(folder)) if folder else ""
            url = posixpath.join(folder, "index.html") if folder else "index.html"
            sections[folder] = Page(kind=kind, url=url, folder=folder, title=title, meta=PageMeta())
        if folder == "":
            return
        folder = posixpath.dirname(folder)


def _drop_shadowed_readmes(pages: list[Page], diagnostics: Diagnostics) -> list[Page]:
    index_folders = {p.folder for p in pages if p.is_section and p.source and p.source.rel.name == "index.md"}
    kept = []
    for page in pages:
        if (
            page.is_section
            and page.source
            and page.source.rel.name == "README.md"
            and page.folder in index_folders
        ):
            diagnostics.warning(
                page.rel,
                "README.md is not published because index.md exists in the same folder",
                "merge them or rename one",
                kind="files",
            )
            continue
        kept.append(page)
    return kept


def _drop_collisions(
    pages: list[Page], assets: list[SourceFile], diagnostics: Diagnostics
) -> tuple[list[Page], list[SourceFile]]:
    """Two sources that would write the same output file: an error naming both; the first one wins."""
    claimed: dict[str, str] = {}
    kept_pages, kept_assets = [], []

    def claim(output: str, rel: str) -> bool:
        key = output.casefold()  # two names differing only by case clash on macOS and Windows
        if key in claimed:
            diagnostics.error(
                rel,
                f"'{rel}' and '{claimed[key]}' would both be published as '{output}'",
                "rename one of them",
                kind="files",
            )
            return False
        claimed[key] = rel
        return True

    for page in pages:
        outputs = [page.url] + ([page.download_url] if page.download_url else [])
        if all(claim(output, page.rel) for output in outputs):
            kept_pages.append(page)
    for asset in assets:
        if claim(str(asset.site_rel), str(asset.rel)):
            kept_assets.append(asset)
    return kept_pages, kept_assets


def _order_children(section: Page, diagnostics: Diagnostics) -> None:
    """front matter `order` → order of first link in the section's index.md → natural name order."""
    link_rank = _link_ranks(section)

    def key(page: Page) -> tuple:
        name = (
            page.folder.rsplit("/", 1)[-1]
            if page.is_section
            else (page.source.path.stem if page.source else page.title)
        )
        if page.meta.order is not None:
            return (0, page.meta.order, natural_key(name))
        if page in link_rank:
            return (1, link_rank[page], ())
        return (2, 0, natural_key(name))

    section.children.sort(key=key)
    section.notebooks.sort(key=key)
    seen: dict[float, Page] = {}
    for child in section.children + section.notebooks:
        if child.meta.order is None:
            continue
        if child.meta.order in seen:
            other = seen[child.meta.order]
            diagnostics.warning(
                child.rel or child.url,
                f"'{child.rel or child.url}' and '{other.rel or other.url}' both have order: "
                f"{child.meta.order:g}; they are sorted by name",
                "give each page its own order",
                line=child.meta.lines.get("order"),
                kind="yaml",
            )
        seen[child.meta.order] = child


def _link_ranks(section: Page) -> dict[Page, int]:
    """Position at which the section's own page first links to each child."""
    body = section.body  # read in the parse stage (None: its file could not be read again)
    if not body:
        return {}
    names: dict[str, Page] = {}
    for child in section.children + section.notebooks:
        for name in _names_of(child):
            names.setdefault(name, child)
    ranks: dict[Page, int] = {}
    for match in _MD_LINK.finditer(body):
        href = match.group(1) or match.group(2)
        if is_external(href):
            continue
        path, _ = split_href(href)
        if not path:
            continue
        target = posixpath.normpath(posixpath.join(section.folder, path))
        child = names.get(target)
        if child is not None and child not in ranks:
            ranks[child] = len(ranks)
    return ranks


def _names_of(page: Page) -> list[str]:
    """Every site path an author may use to link to `page` from its section page."""
    if page.is_section:
        return [
            page.folder,
            page.url,
            posixpath.join(page.folder, "index.md"),
            posixpath.join(page.folder, "README.md"),
        ]
    names = [page.url]
    if page.source:
        names.append(str(page.source.site_rel))
    return names


def _depth_first(section: Page):
    yield section
    for child in section.children:
        if child.is_section:
            yield from _depth_first(child)
        else:
            yield child
    yield from section.notebooks


def _index_link_targets(course: Course) -> None:
    for page in course.pages:
        course.by_url[page.url] = page
        if page.source:
            course.by_rel[str(page.source.rel)] = page
            course.by_site_rel[str(page.source.site_rel)] = page
        if page.is_section:
            course.by_url.setdefault(page.folder or ".", page)
    for asset in course.assets:
        course.by_rel[str(asset.rel)] = asset
        course.by_site_rel[str(asset.site_rel)] = asset
        course.by_url.setdefault(str(asset.site_rel), asset)
    # number the lessons of each section: cards show 1, 2, 3…
    for section in course.sections.values():
        number = 0
        for child in section.children:
            if child.kind is PageKind.LESSON:
                number += 1
                child.number = number


def _attach_notebooks(course: Course, diagnostics: Diagnostics) -> None:
    """A lesson's `notebook:`: see notebook_refs for where it is looked for."""
    for page in course.pages:
        value = page.meta.notebook
        if not value or not value.strip() or page.source is None:
            continue
        line = page.meta.lines.get("notebook")
        reference = find_notebook(
            course, page, value, lambda path, page=page: resolve_link(course, page, path)
        )
        for message, hint in reference.warnings:
            diagnostics.warning(page.rel, message, hint, line=line, kind="notebook")
        if reference.notebook is not None:
            page.notebook = reference.notebook
            reference.notebook.lessons.append(page)
            continue
        guess = closest_notebook(course, page, value)
        mirror = posixpath.join(NOTEBOOKS_DIR, posixpath.dirname(str(page.source.site_rel)))
        hint = (
            f"did you mean '{guess}'?"
            if guess
            else f"give its path from the lesson, from {mirror}/ or from {NOTEBOOKS_DIR}/"
        )
        if not reference.tried:
            message = f"notebook '{value}' is outside the course"
            hint = (
                f"did you mean '{guess}'?"
                if guess
                else "the notebook must be inside the course (content/ or notebooks/)"
            )
        elif reference.not_a_notebook:
            message = f"notebook '{value}' leads to {reference.not_a_notebook}, which is not a notebook"
        else:
            message = f"notebook '{value}' not found (looked for {', '.join(reference.tried)})"
        diagnostics.error(page.rel, message, hint, line=line, kind="notebook")


def resolve_link(course: Course, page: Page, path: str) -> Page | SourceFile | None:
    """What an author's relative link `path` (no fragment, unquoted) in `page` leads to, if anything.

    Tried against the real source tree first (`../../notebooks/A/x.ipynb`), then against the site
    layout (`notebooks/x.ipynb` from a module page, `other.html`, `sub/`).
    """
    if page.source is None:
        return None
    bases = [
        (posixpath.dirname(str(page.source.rel)), course.by_rel),
        (posixpath.dirname(str(page.source.site_rel)), course.by_site_rel),
    ]
    for base, index in bases:
        candidate = posixpath.normpath(posixpath.join(base, path))
        if candidate.startswith("../") or candidate == "..":
            continue
        for name in (
            candidate,
            posixpath.join(candidate, "index.md"),
            posixpath.join(candidate, "README.md"),
        ):
            if name in index:
                return index[name]
        if index is course.by_site_rel:
            found = course.by_url.get(candidate) or course.by_url.get(posixpath.join(candidate, "index.html"))
            if found is not None:
                return found
    return None


def suggest_link(course: Course, page: Page, path: str) -> str:
    """A 'did you mean' for a link that leads nowhere, written relative to the page (or "").

    File names are compared without their extension (`intro.html` for `01_intro.md`), first in
    the link's own folder, then anywhere; links to a folder's index compare folder names.
    """
    if page.source is None:
        return ""
    base = posixpath.dirname(str(page.source.site_rel))
    wanted = posixpath.normpath(posixpath.join(base, path))
    folder, name = posixpath.split(wanted)
    stem = posixpath.splitext(name)[0]
    if stem in ("index", "README") or path.endswith("/"):
        sections = {key.casefold(): key for key in course.sections if key}
        target = (folder if stem in ("index", "README") else wanted).casefold()
        match = difflib.get_close_matches(target, list(sections), n=1, cutoff=0.6)
        return posixpath.relpath(posixpath.join(sections[match[0]], "index.md"), base or ".") if match else ""
    by_folder: dict[str, dict[str, str]] = defaultdict(dict)
    for known in course.by_site_rel:
        known_folder, known_name = posixpath.split(known)
        by_folder[known_folder][posixpath.splitext(known_name)[0].casefold()] = known
    for scope, cutoff in (
        (by_folder.get(folder, {}), 0.6),
        ({k: v for names in by_folder.values() for k, v in names.items()}, 0.75),
    ):
        match = _closest_name(stem.casefold(), list(scope), cutoff)
        if match:
            return posixpath.relpath(scope[match], base or ".")
    return ""


_NUMBERING = re.compile(r"^\d+[-_. ]*")


def _closest_name(wanted: str, names: list[str], cutoff: float) -> str | None:
    """The name an author most likely meant: the same once numbering is set aside (`intro` for
    `01_intro`), else the only one it begins (`intro` for `01_introduction`), else the closest."""
    bare = _NUMBERING.sub("", wanted)
    unnumbered = {name: _NUMBERING.sub("", name) for name in names}
    same = [name for name, plain in unnumbered.items() if plain == bare]
    if len(same) == 1:
        return same[0]
    if len(bare) >= 3:
        begun = [name for name, plain in unnumbered.items() if plain.startswith(bare)]
        if len(begun) == 1:
            return begun[0]
    match = difflib.get_close_matches(wanted, names, n=1, cutoff=cutoff)
    return match[0] if match else None


__all__ = ["build_course", "resolve_link", "suggest_link", "target_url"]
