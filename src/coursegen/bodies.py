"""Page bodies: Markdown and notebooks to HTML fragments, cached by content hash, then anchor checks."""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Callable

from coursegen.cache import JsonCache, digest
from coursegen.config import NotebookSettings
from coursegen.errors import Diagnostic, Diagnostics, Level
from coursegen.markdown_render import AnchorLink, MarkdownRenderer, RenderedMarkdown
from coursegen.model import Course, Page, PageKind, target_url


@dataclass
class Body:
    """A page's rendered fragment, before the theme wraps it."""

    html: str = ""
    toc: list = field(default_factory=list)
    error: str = ""  # shown in place of a notebook that could not be rendered
    anchors: set[str] = field(default_factory=set)
    anchor_links: list[AnchorLink] = field(default_factory=list)


@dataclass(frozen=True)
class BodySettings:
    root: Path
    notebooks: NotebookSettings
    sanitize_markdown: bool = False
    execute: str = "never"  # never | auto | always
    cache: bool = True
    debug: bool = False  # let unexpected exceptions through, with their traceback


def render_bodies(course: Course, strings, diagnostics: Diagnostics, settings: BodySettings, progress=None) -> dict[str, Body]:
    """Every page's body, with its anchors for the second pass. Unchanged pages come from the cache."""
    cache = JsonCache(settings.root, "bodies") if settings.cache else None
    fingerprint = digest(_fingerprint(course), f"sanitize={settings.sanitize_markdown}")
    renderers: list[MarkdownRenderer] = []  # created on the first cache miss: costly to set up

    def markdown() -> MarkdownRenderer:
        if not renderers:
            renderers.append(MarkdownRenderer(course, sanitize=settings.sanitize_markdown))
        return renderers[0]

    notebooks = None
    bodies: dict[str, Body] = {}
    total = len(course.pages)
    for done, page in enumerate(course.pages, 1):
        if progress:
            progress(page.rel or page.url, done, total)
        if page.source is None:  # a generated section page has no body of its own
            bodies[page.url] = Body()
            continue
        try:
            if page.kind is PageKind.NOTEBOOK:
                from coursegen.notebooks import NotebookPages, NotebookProblem

                notebooks = notebooks or NotebookPages(settings.root, markdown, strings, settings.notebooks, settings.execute)
                key = digest(fingerprint, notebooks.fingerprint, page.url, str(page.source.rel), page.source.path.read_bytes())
                try:
                    rendered = _cached(cache, key, course, page, diagnostics, lambda local: notebooks.render(page, local))
                except NotebookProblem as problem:
                    if not page.notebook_error:  # JSON errors were reported when the file was read
                        diagnostics.error(page.rel, str(problem), problem.hint)
                    bodies[page.url] = Body(error=page.notebook_error or str(problem))
                    continue
            else:
                key = digest(fingerprint, page.url, str(page.source.rel), str(page.body_first_line), page.body)
                rendered = _cached(cache, key, course, page, diagnostics, lambda local: markdown().render(page, page.body, page.body_first_line, local))
        except Exception as problem:  # a bug or an input no library expected: report it, build the rest
            if settings.debug:
                raise
            message = f"could not be rendered ({type(problem).__name__}: {problem})"
            diagnostics.error(page.rel, message, "please report this to the coursegen developers with the file")
            bodies[page.url] = Body(error=message)
            continue
        bodies[page.url] = Body(rendered.html, rendered.toc, "", rendered.anchors, rendered.anchor_links)
    return bodies


def _cached(
    cache: JsonCache | None, key: str, course: Course, page: Page, diagnostics: Diagnostics, compute: Callable[[Diagnostics], RenderedMarkdown]
) -> RenderedMarkdown:
    """The cached result for `key`, or compute it; the diagnostics it raised are replayed on a hit."""
    entry = cache.get(key) if cache else None
    if entry is not None:
        for item in entry["diagnostics"]:
            diagnostics.items.append(Diagnostic(item["path"], item["line"], item["col"], Level(item["level"]), item["message"], item["hint"]))
        links = [
            AnchorLink(page, target, fragment, href, line)
            for target_url_, fragment, href, line in entry["anchor_links"]
            if isinstance(target := course.by_url.get(target_url_), Page)
        ]
        return RenderedMarkdown(html=entry["html"], toc=entry["toc"], anchors=set(entry["anchors"]), anchor_links=links)
    local = Diagnostics()
    rendered = compute(local)
    diagnostics.extend(local)
    if cache is not None:
        cache.put(
            key,
            {
                "html": rendered.html,
                "toc": rendered.toc,
                "anchors": sorted(rendered.anchors),
                "anchor_links": [(link.target.url, link.fragment, link.href, link.line) for link in rendered.anchor_links],
                "diagnostics": [
                    {"path": d.path, "line": d.line, "col": d.col, "level": d.level.value, "message": d.message, "hint": d.hint}
                    for d in local.items
                ],
            },
        )
    return rendered


def _fingerprint(course: Course) -> str:
    """What every body depends on besides its own text: the renderer's code and libraries, and the
    site's link targets (a body links to other pages: adding, removing or moving one changes it)."""
    package = Path(__file__).parent
    code = hashlib.sha256()
    for name in ("markdown_render.py", "mathml.py", "course.py", "urls.py", "notebooks.py", "execute.py", "sanitize.py"):
        code.update((package / name).read_bytes())
    libraries = ",".join(f"{name}={version(name)}" for name in ("markdown", "pymdown-extensions", "pygments", "latex2mathml"))
    targets = sorted(f"{key}\t{target_url(value)}" for index in (course.by_rel, course.by_site_rel, course.by_url) for key, value in index.items())
    return digest(code.hexdigest(), libraries, "\n".join(targets))


def check_anchors(bodies: dict[str, Body], diagnostics: Diagnostics) -> None:
    """Second pass: a `#fragment` must name an id that exists on its target page."""
    for body in bodies.values():
        for link in body.anchor_links:
            known = bodies.get(link.target.url, Body()).anchors
            if link.fragment in known:
                continue
            guess = difflib.get_close_matches(link.fragment, sorted(known), n=1, cutoff=0.6)
            hint = f"did you mean '#{guess[0]}'?" if guess else f"'{link.target.rel or link.target.url}' has no heading or id '{link.fragment}'"
            diagnostics.warning(link.source.rel, f"anchor '{link.href}' leads nowhere", hint, line=link.line)
