"""`build()`: the whole pipeline in one readable function — load, discover, parse, graph, render, write."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from coursegen.cache import CACHE_DIR
from coursegen.config import load_config
from coursegen.course import build_course
from coursegen.discover import discover_sources
from coursegen.errors import CoursegenError, Diagnostics
from coursegen.bodies import BodySettings, check_anchors, render_bodies
from coursegen.model import Course, PageKind, SourceKind
from coursegen.output import OutputLock, SiteWriter, check_output_dir
from coursegen.parse import parse_source
from coursegen.render import NOT_FOUND_URL, SiteRenderer, highlight_css
from coursegen.strings import interface_strings
from coursegen.theme import load_theme, static_files

STYLESHEET = "coursegen.css"


@dataclass
class BuildResult:
    out: Path
    diagnostics: Diagnostics
    pages: int = 0
    notebooks: int = 0
    files: int = 0
    seconds: float = 0.0
    written: bool = False


@dataclass
class BuildOptions:
    strict: bool = False
    drafts: bool = False
    write: bool = True  # False for `coursegen check`: every validation, nothing written
    debug: bool = False  # let unexpected exceptions through, with their traceback
    cache: bool = True  # reuse results from .coursegen-cache/ (always safe to delete)
    execute: bool = False  # run every notebook (else course.yml notebooks.execute decides)
    progress: Callable[[str, int, int], None] | None = field(default=None, repr=False)


def build(root: Path, out: Path | None = None, options: BuildOptions | None = None) -> BuildResult:
    """Build the course in `root` into `out` (default root/site). Raises CoursegenError for bad usage."""
    options = options or BuildOptions()
    started = time.perf_counter()
    root = root.resolve()
    if not (root / "content").is_dir():
        raise CoursegenError(f"no content/ folder in {root}", "run coursegen in a course folder, or create one with `coursegen new DIR`", exit_code=2)
    out = check_output_dir(root, out or root / "site")
    diagnostics = Diagnostics()
    result = BuildResult(out=out, diagnostics=diagnostics)

    # load → discover → parse
    config = load_config(root, diagnostics)
    sources = discover_sources(root, diagnostics, skip=(out, root / CACHE_DIR))
    pages = [page for source in sources if source.kind is not SourceKind.ASSET if (page := parse_source(source, diagnostics))]
    assets = [source for source in sources if source.kind is SourceKind.ASSET]

    # course graph
    course = build_course(pages, assets, diagnostics, drafts=options.drafts)
    if not course.home.title:
        course.home.title = config.title

    # render: Markdown and notebooks first (every anchor must be known), then templates
    theme = load_theme(root)
    strings = interface_strings(config.language, config.strings, diagnostics)
    renderer = SiteRenderer(config, course, theme, strings)
    if not renderer.check_templates(root, diagnostics):
        return _finish(result, started)
    execute = "always" if options.execute else config.notebooks.execute
    body_settings = BodySettings(root, config.notebooks, execute, cache=options.cache, debug=options.debug)
    bodies = render_bodies(course, strings, diagnostics, body_settings, options.progress)
    check_anchors(bodies, diagnostics)
    html_pages = {
        page.url: renderer.render_page(page, bodies[page.url].html, bodies[page.url].toc, diagnostics, error=bodies[page.url].error)
        for page in course.pages
    }
    not_found = renderer.render_not_found(diagnostics)

    result.pages = len(course.pages)
    result.notebooks = sum(1 for page in course.pages if page.kind is PageKind.NOTEBOOK)
    if not options.write or (options.strict and diagnostics.problems):
        return _finish(result, started)

    # write
    with OutputLock(out):
        writer = SiteWriter(out)
        try:
            write_site(writer, course, theme, html_pages, not_found)
            writer.commit()
        except BaseException:
            writer.discard()
            raise
    result.files = len(writer.written)
    result.written = True
    return _finish(result, started)


def _finish(result: BuildResult, started: float) -> BuildResult:
    result.seconds = time.perf_counter() - started
    return result


def write_site(writer: SiteWriter, course: Course, theme, html_pages: dict[str, str], not_found: str) -> None:
    for page in course.pages:
        writer.write_text(page.url, html_pages[page.url], page.rel or page.url)
        if page.kind is PageKind.NOTEBOOK and page.source is not None:
            writer.copy_file(page.download_url, page.source.path, page.rel)
    for asset in course.assets:
        writer.copy_file(str(asset.site_rel), asset.path, str(asset.rel))
    for name, path in static_files(theme).items():
        if name == STYLESHEET:  # one stylesheet for the whole site: theme CSS + code colours
            css = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + highlight_css()
            writer.write_text(f"static/{name}", css, f"static/{name}")
        else:
            writer.copy_file(f"static/{name}", path, f"static/{name}")
    if NOT_FOUND_URL not in html_pages:
        writer.write_text(NOT_FOUND_URL, not_found, NOT_FOUND_URL)
