"""`build()`: the whole pipeline in one readable function — load, discover, parse, graph, render, write."""

from __future__ import annotations

import contextlib
import gc
import os
import time
from urllib.parse import quote
from html import escape
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from coursegen.cache import CACHE_DIR, IndexCache, code_digest, digest, installed_version
from coursegen.config import load_config
from coursegen.course import build_course
from coursegen.courseroot import require_content
from coursegen.discover import discover_sources
from coursegen.errors import ConfigInvalid, Diagnostics, plain, replay
from coursegen.findings import apply_checks
from coursegen.bodies import BodySettings, check_anchors, render_bodies
from coursegen.model import PageKind, SourceKind
from coursegen.output import Manifest, OutputLock, SitePlan, check_output_dir, empty_trash, write_atomically
from coursegen.parse import parse_source
from coursegen.render import NOT_FOUND_URL, TAGS_URL, SiteRenderer, highlight_css
from coursegen.search import INDEX_URL, search_index
from coursegen.strings import interface_strings
from coursegen.stylesheet import with_theme_choice
from coursegen.typography import french_strings
from coursegen.theme import load_theme, static_files

STYLESHEET = "coursegen.css"
HEAVY_PAGE_BYTES = 10_000_000


@dataclass
class BuildResult:
    out: Path
    diagnostics: Diagnostics
    pages: int = 0
    notebooks: int = 0
    files: int = 0
    seconds: float = 0.0
    written: bool = False
    silenced: int = 0  # findings switched off by course.yml `checks:`
    stages: list[tuple[str, float]] = field(default_factory=list)  # (stage, seconds), for `-v`


class _Stopwatch:
    """Times the pipeline's stages one after the other (shown by `coursegen build -v`)."""

    def __init__(self, stages: list[tuple[str, float]]):
        self.stages = stages
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages.append((stage, now - self.last))
        self.last = now


@dataclass
class BuildOptions:
    strict: bool = False
    drafts: bool = False
    write: bool = True  # False for `coursegen check`: every validation, nothing written
    debug: bool = False  # let unexpected exceptions through, with their traceback
    cache: bool = True  # reuse results from .coursegen-cache/ (always safe to delete)
    execute: bool = False  # run every notebook (else course.yml notebooks.execute decides)
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)  # worker processes for rendering
    progress: Callable[[str, int, int], None] | None = field(default=None, repr=False)


def build(root: Path, out: Path | None = None, options: BuildOptions | None = None) -> BuildResult:
    """Build the course in `root` into `out` (default root/site). Raises CoursegenError for bad usage."""
    options = options or BuildOptions()
    started = time.perf_counter()
    root = root.resolve()
    out = check_output_dir(root, out or root / "site")
    # the sites replaced by the last builds are deleted meanwhile, by another process
    trash = root / CACHE_DIR / "trash" if options.cache and options.write else None
    deleting = empty_trash(trash) if trash is not None else None
    try:
        result, plan = render_site(root, out, options)
        if plan is not None and options.write and not (options.strict and result.diagnostics.problems):
            clock = _Stopwatch(result.stages)
            with OutputLock(out):
                write_atomically(out, plan, plan.manifest, trash)
            result.files = len(plan.files)
            result.written = True
            clock.lap("write")
    finally:
        if deleting is not None:
            deleting.wait()
    result.seconds = time.perf_counter() - started
    return result


@contextlib.contextmanager
def _fewer_collections():
    """Python's cycle collector, at its default pace, walks the whole heap again and again while a
    build loads thousands of pages: a big course then takes more than its share of time (measured:
    half the body stage of a 5,000-lesson no-op rebuild). Collect less often while building."""
    previous = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def render_site(root: Path, out: Path, options: BuildOptions) -> tuple[BuildResult, SitePlan | None]:
    """Every stage but writing: load → discover → parse → graph → render. No file is written.

    The plan is None when the theme's templates don't compile (nothing can be rendered).
    """
    with _fewer_collections():
        return _render_site(root, out, options)


def _render_site(root: Path, out: Path, options: BuildOptions) -> tuple[BuildResult, SitePlan | None]:
    require_content(root)
    diagnostics = Diagnostics()
    result = BuildResult(out=out, diagnostics=diagnostics)
    clock = _Stopwatch(result.stages)

    # load → discover → parse
    # parsed YAML by its text (course.yml, string tables, front matter: a body edit keeps its own)
    yaml_cache = IndexCache(root, "front-matter", enabled=options.cache, read_only=not options.write)
    config = load_config(root, diagnostics, yaml_cache)
    if diagnostics.errors:  # every later stage depends on the settings: don't guess
        raise ConfigInvalid(diagnostics.sorted())
    sources = discover_sources(root, diagnostics, skip=(out, root / CACHE_DIR))
    clock.lap("load and discover")
    parsed = IndexCache(root, "pages", enabled=options.cache, read_only=not options.write)  # parsed pages by their file's bytes
    pages = [parse_source(source, diagnostics, yaml_cache, parsed) for source in sources if source.kind is not SourceKind.ASSET]
    parsed.save()
    assets = [source for source in sources if source.kind is SourceKind.ASSET]
    clock.lap("parse")

    # course graph
    course = build_course(pages, assets, diagnostics, drafts=options.drafts)
    if not course.home.title:
        course.home.title = config.title
    result.pages = len(course.pages)
    result.notebooks = sum(1 for page in course.pages if page.kind is PageKind.NOTEBOOK)
    clock.lap("course graph")

    # render: Markdown and notebooks first (every anchor must be known), then templates
    theme = load_theme(root)
    strings = interface_strings(config.language, config.strings, diagnostics, yaml_cache)
    if config.typography and config.language == "fr":
        strings = french_strings(strings)
    yaml_cache.save()
    bytecode_dir = root / CACHE_DIR / "templates" if options.cache and options.write else None  # compiled templates
    renderer = SiteRenderer(config, course, theme, strings, bytecode_dir)
    if not renderer.check_templates(root, diagnostics):
        result.silenced = apply_checks(diagnostics, config.checks)
        return result, None
    clock.lap("templates")
    # `check` never runs notebooks: it validates what is there and writes nothing
    execute = ("always" if options.execute else config.notebooks.execute) if options.write else "never"
    body_settings = BodySettings(
        root,
        config.notebooks,
        config.markdown.sanitize,
        bool(config.theme.get("line_numbers", False)),
        execute,
        cache=options.cache,
        cache_writes=options.write,
        debug=options.debug,
        jobs=options.jobs,
        language=config.language,
        typography=config.typography,
    )
    bodies = render_bodies(course, strings, diagnostics, body_settings, options.progress)
    check_anchors(bodies, course, diagnostics)
    clock.lap("bodies (Markdown, notebooks)")

    # pages whose signature didn't change since the last build into `out` are not rendered again
    plan = SitePlan(Manifest(root, out) if options.cache and options.write else None)
    # what rendering a page reported, by page signature: replayed when the page is reused
    page_messages = IndexCache(root, "page-messages", enabled=options.cache, read_only=not options.write)
    for page in course.pages:
        body = bodies[page.url]
        template_name = renderer.template_for(page, diagnostics)
        signature = renderer.page_signature(page, template_name, body) if body.key else ""
        if _kept(plan, page_messages, page.url, page.rel or page.url, signature, diagnostics):
            continue
        local = Diagnostics()
        html = renderer.render_page(page, body.html, body.toc, local, error=body.error, template_name=template_name)
        body.release()
        if len(html) > HEAVY_PAGE_BYTES:
            local.warning(
                page.rel or page.url,
                f"the page weighs {len(html) / 1e6:.1f} MB: slow to load, especially on phones",
                "split it, or store smaller images (lower dpi, JPEG for photos)", kind="files",
            )
        _report(page_messages, signature, local, diagnostics)
        plan.add_text(page.url, html, page.rel or page.url, signature)
    clock.lap("pages")
    search_rows = [(page, _module_title(page), bodies[page.url]) for page in course.pages]
    signature = digest("search", code_digest(), config.language, repr([(page.url, page.title, module, repr(page.meta), body.key or "") for page, module, body in search_rows]))
    if not plan.keep_unchanged(INDEX_URL, INDEX_URL, signature):
        cache_dir = root / CACHE_DIR if options.cache and options.write else None
        plan.add_bytes(INDEX_URL, search_index(search_rows, config.language, cache_dir), INDEX_URL, signature)
    clock.lap("search index")
    for page in course.pages:  # notebooks are also offered for download, beside their page
        if page.kind is PageKind.NOTEBOOK and page.source is not None:
            plan.add_file(page.download_url, page.source.path, page.rel)
    for asset in course.assets:
        plan.add_file(str(asset.site_rel), asset.path, str(asset.rel))
    for name, path in static_files(theme, diagnostics).items():
        if name == STYLESHEET:  # one stylesheet for the whole site: theme CSS + code colours
            theme_css = path.read_bytes()
            # Pygments' colours are not made again when neither the theme's CSS nor Pygments changed
            signature = digest("stylesheet", theme_css, installed_version("pygments"), code_digest())
            if not plan.keep_unchanged(f"static/{name}", f"static/{name}", signature):
                css = with_theme_choice(theme_css.decode("utf-8").rstrip("\n") + "\n\n" + highlight_css())
                plan.add_text(f"static/{name}", css, f"static/{name}", signature)
        else:
            plan.add_file(f"static/{name}", path, f"static/{name}")
    if NOT_FOUND_URL not in plan.files:
        signature = digest("404", renderer.fingerprint())  # templates, strings, settings, sections
        if not _kept(plan, page_messages, NOT_FOUND_URL, NOT_FOUND_URL, signature, diagnostics):
            local = Diagnostics()
            plan.add_text(NOT_FOUND_URL, renderer.render_not_found(local), NOT_FOUND_URL, signature)
            _report(page_messages, signature, local, diagnostics)
    if renderer.has_tags and TAGS_URL not in plan.files:
        signature = digest("tags", renderer.fingerprint(), repr(renderer.tags))
        if not _kept(plan, page_messages, TAGS_URL, TAGS_URL, signature, diagnostics):
            local = Diagnostics()
            plan.add_text(TAGS_URL, renderer.render_tags(local), TAGS_URL, signature)
            _report(page_messages, signature, local, diagnostics)
    page_messages.save()
    if config.base_url.startswith(("https://", "http://")):
        plan.add_text("sitemap.xml", sitemap_xml(config.base_url, [page.url for page in course.pages]), "sitemap.xml")
        plan.add_text("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {absolute_url(config.base_url, 'sitemap.xml')}\n", "robots.txt")
    clock.lap("files, assets, 404")
    result.silenced = apply_checks(diagnostics, config.checks)  # course.yml `checks:` before --strict counts
    return result, plan


def _kept(plan: SitePlan, page_messages: IndexCache, rel: str, origin: str, signature: str, diagnostics: Diagnostics) -> bool:
    """Take the last build's file at `rel` when its signature is unchanged, and report again what
    making it reported then; False when it must be made again."""
    if not plan.keep_unchanged(rel, origin, signature):
        return False
    diagnostics.extend(replay(page_messages.get(signature) or []))
    return True


def _report(page_messages: IndexCache, signature: str, local: Diagnostics, diagnostics: Diagnostics) -> None:
    """Report what making a file said, and keep it by signature for the builds that reuse the file."""
    diagnostics.extend(local)
    if signature and local.items:
        page_messages.put(signature, plain(local))


def _module_title(page) -> str:
    """The module (top-level section) a page belongs to, shown with search results."""
    module = page
    while module.parent is not None and module.parent.parent is not None:
        module = module.parent
    return module.title if module is not page and module.parent is not None else ""


def absolute_url(base_url: str, url: str) -> str:
    return base_url.rstrip("/") + "/" + quote(url, safe="/#")


def sitemap_xml(base_url: str, urls: list[str]) -> str:
    """Search engines' list of pages; only written when course.yml gives the site's base_url."""
    entries = "".join(f"  <url><loc>{escape(absolute_url(base_url, url), quote=False)}</loc></url>\n" for url in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'
