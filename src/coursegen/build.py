"""`build()`: the whole pipeline — load, discover, parse, graph, render, write — as one straight
line of named stages (`_render_site`), each a function that owns its part of the plan and its
signatures."""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coursegen.bodies import BodySettings, check_anchors, render_bodies
from coursegen.build_extras import add_files, render_extras, render_search_index
from coursegen.cache import CACHE_DIR, IndexCache, digest
from coursegen.config import CourseConfig
from coursegen.courseroot import require_content
from coursegen.editions import DEFAULT_OUTPUT, Edition, build_date, edition_for
from coursegen.errors import ConfigInvalid, Diagnostic, Diagnostics, Level, plain, replay
from coursegen.filedigests import FileDigests
from coursegen.findings import apply_checks
from coursegen.interrupts import as_interrupted
from coursegen.lastgood import LastGood
from coursegen.model import PageKind, SourceKind
from coursegen.myst import collect_labels
from coursegen.output import Manifest, OutputLock, SitePlan, check_output_dir, empty_trash, write_atomically
from coursegen.parse import markdown_body, parse_source
from coursegen.printing.stage import expected_chapters, print_stage
from coursegen.project.stages import build_course_graph, discover_course_sources, load_course_settings
from coursegen.remote_assets import remote_media_stage
from coursegen.remote_media import point_to_copies
from coursegen.render import SiteRenderer
from coursegen.search import SearchTexts
from coursegen.session import FailureMemory
from coursegen.slides import place_decks, render_decks
from coursegen.strings import interface_strings
from coursegen.theme import load_theme
from coursegen.typography import french_strings

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
    kept: list[str] = field(
        default_factory=list
    )  # sources whose page is the previous build's (they have errors)
    stages: list[tuple[str, float]] = field(default_factory=list)  # (stage, seconds), for `-v`
    runs: list = field(default_factory=list)  # runs.RunRecord of every notebook, when notebooks are executed
    printed: list = field(default_factory=list)  # printing.stage.PrintedBook of every print page


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
    jobs: int = field(
        default_factory=lambda: os.cpu_count() or 1
    )  # worker processes for rendering, kernels at once
    executor: str = (
        ""  # a Dask scheduler's address: notebooks run there (else course.yml notebooks.executor, else here)
    )
    run_progress: Callable | None = field(
        default=None, repr=False
    )  # (RunRecord, done, total) as notebooks finish
    progress: Callable[[str, int, int], None] | None = field(default=None, repr=False)
    # COURSEGEN_VERIFY=1: every page kept from the last build is rendered again and compared (CI)
    verify: bool = field(default_factory=lambda: os.environ.get("COURSEGEN_VERIFY") == "1")
    audience: str = "learner"  # learner | instructor: which edition (editions.py)
    # the build's date: solutions.release, the print cover (None: editions.build_date)
    today: datetime.date | None = None
    # serve: runs and downloads that failed earlier in the session are not tried again (session.py)
    failures: FailureMemory | None = field(default=None, repr=False)


def build(root: Path, out: Path | None = None, options: BuildOptions | None = None) -> BuildResult:
    """Build the course in `root` into `out` (default root/site). Raises CoursegenError for bad usage."""
    options = options or BuildOptions()
    started = time.perf_counter()
    root = root.resolve()
    out = check_output_dir(root, out or root / DEFAULT_OUTPUT[options.audience])
    # the sites replaced by the last builds are deleted meanwhile, by another process
    trash = root / CACHE_DIR / "trash" if options.cache and options.write else None
    deleting = empty_trash(trash) if trash is not None else None
    plan = None
    try:
        result, plan = render_site(root, out, options)
        if plan is not None and options.write and not (options.strict and result.diagnostics.problems):
            clock = _Stopwatch(result.stages)
            with OutputLock(out):
                write_atomically(out, plan, plan.manifest, trash)
            result.files = len(plan.files)
            result.written = True
            _report_hand_added(root, out, plan.hand_added, result.diagnostics)
            clock.lap("write")
    except KeyboardInterrupt as interrupt:  # say whether the new site was already in place
        raise as_interrupted(interrupt, plan is not None and plan.published) from None
    finally:
        if deleting is not None:
            deleting.wait()
    result.seconds = time.perf_counter() - started
    return result


def _report_hand_added(root: Path, out: Path, removed: list[str], diagnostics: Diagnostics) -> None:
    """A note for each file found in the site that no build made: the build removed it."""
    shown = out.relative_to(root).as_posix() if out.is_relative_to(root) else str(out)
    for rel in removed:
        diagnostics.note(
            f"{shown}/{rel}",
            "was not made by coursegen: removed from the site",
            "put files to publish in content/ or static/",
            kind="build",
        )


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
    run = _Run(root, out, options)
    config, sources = load_and_discover(run)
    run.edition = edition_for(options.audience, config.solutions, run.today)
    # pages' search texts: made as their bodies come from the workers, kept in the cache
    keep = options.cache and options.write
    run.search_texts = SearchTexts(config.language, root / CACHE_DIR if keep else None)
    pages, assets, last_good = parse_sources(run, sources)
    course = make_course_graph(run, config, pages, assets)
    renderer = prepare_templates(run, config, course)
    if renderer is None:  # the theme's templates don't compile: nothing can be rendered
        return run.finish(config, None)
    # `check` never runs notebooks: it validates what is there and writes nothing
    execute = ("always" if options.execute else config.notebooks.execute) if options.write else "never"
    run_notebooks(run, config, course, execute)
    bodies = render_page_bodies(run, config, course, renderer, last_good, execute)
    # images, audio and video from other sites: reported, or downloaded and pointed at (course.yml remote_assets)
    remote = remote_media_stage(
        course,
        bodies,
        config.remote_assets,
        root,
        run.diagnostics,
        building=options.write,
        cache=options.cache,
        failed_before=options.failures.downloads if options.failures is not None else None,
    )
    run.clock.lap("remote media")
    plan = SitePlan(run.manifest)  # files whose signature didn't change since the last build are kept
    if options.write:  # print pages and current PDFs, before the section pages that link to them
        run.result.printed = print_stage(run, plan, config, course, bodies, renderer, remote)
        run.clock.lap("print pages")
    render_pages(run, plan, course, bodies, renderer, remote, last_good)
    render_search_index(run, plan, config, course, bodies)
    add_files(run, plan, course, bodies, remote, renderer)
    render_decks(run, plan, config, course, bodies, renderer)  # after every other file: paths checked
    render_extras(run, plan, config, course, renderer)
    return run.finish(config, plan)


class _Run:
    """What every stage of one build shares: where, how, what was found, and the caches."""

    def __init__(self, root: Path, out: Path, options: BuildOptions):
        self.root, self.out, self.options = root, out, options
        self.diagnostics = Diagnostics()
        self.edition = Edition(options.audience)  # with the course's solutions policy once it is read
        # one date for all the build shows (solutions released, the print cover): a build that runs
        # across midnight does not show two
        self.today = build_date(options.today)
        self.result = BuildResult(out=out, diagnostics=self.diagnostics)
        self.flavors = None  # myst.Flavors: the label table of MyST and Material pages
        self.clock = _Stopwatch(self.result.stages)
        self.body_settings: BodySettings | None = None  # how bodies are rendered: decks do the same
        read_only = not options.write
        # parsed YAML by its text (course.yml, string tables, front matter: a body edit keeps its own)
        self.yaml_cache = IndexCache(root, "front-matter", enabled=options.cache, read_only=read_only)
        self.parsed = IndexCache(
            root, "pages", enabled=options.cache, read_only=read_only
        )  # parsed pages by their file's bytes
        # what making a page reported, by page signature: replayed when the page is reused
        self.page_messages = IndexCache(root, "page-messages", enabled=options.cache, read_only=read_only)
        # digests of the files published as they are (one index: the print stage names them too)
        self.file_digests = FileDigests(root, enabled=options.cache, read_only=read_only)
        # what the last build wrote into `out`: unchanged files are reused, good pages outlive a broken source
        self.manifest = Manifest(root, out) if options.cache and options.write else None
        self.project = None  # a Jupyter Book or MkDocs project's sources and TOC (project/sources.py)
        self.search_texts: SearchTexts | None = None  # once the course's language is known
        self.print_chapters = None  # printing.chapter_cache.ChapterCache, when print pages are made

    def finish(self, config: CourseConfig, plan: SitePlan | None) -> tuple[BuildResult, SitePlan | None]:
        self.page_messages.save()
        self.result.silenced = apply_checks(
            self.diagnostics, config.checks
        )  # course.yml `checks:` before --strict counts
        return self.result, plan

    def kept(self, plan: SitePlan, rel: str, origin: str, signature: str, remake=None) -> bool:
        """Take the last build's file at `rel` when its signature is unchanged, and report again
        what making it reported then; False when it must be made again (also when those messages
        can't be read back: a damaged cache entry). With `options.verify`, `remake()` makes the
        file again, and any difference with the kept one is a signature that misses an input."""
        try:
            messages = self._messages_of(signature)
        except ValueError:
            return False
        if not plan.keep_unchanged(rel, origin, signature):
            return False
        self.diagnostics.extend(messages)
        self.verify_kept(plan, rel, remake)
        return True

    def verify_kept(self, plan: SitePlan, rel: str, remake) -> None:
        """With `options.verify` (COURSEGEN_VERIFY=1), the file kept at `rel` is made again by
        `remake()` and must be the same: a difference is a signature that misses an input."""
        if self.options.verify and remake is not None:
            _verify_kept(plan, rel, remake())

    def _messages_of(self, signature: str) -> list[Diagnostic]:
        """What making the file of `signature` reported. Only a file that reported something has
        an entry: one that decodes to nothing, or to another shape, is damaged (ValueError)."""
        if signature not in self.page_messages.entries:
            return []
        stored = self.page_messages.get(signature)
        if not stored:
            raise ValueError("a damaged page-messages entry")
        return replay(stored)

    def report(self, signature: str, local: Diagnostics) -> None:
        """Report what making a file said, and keep it by signature for the builds that reuse the file."""
        self.diagnostics.extend(local)
        if signature and local.items:
            self.page_messages.put(signature, plain(local))


class SignatureMissesInput(AssertionError):
    """A file kept from the last build differs from a fresh render (COURSEGEN_VERIFY=1): a bug."""


def _verify_kept(plan: SitePlan, rel: str, fresh: str) -> None:
    kept = plan.files[rel].source.read_bytes()
    if kept != fresh.encode("utf-8"):
        raise SignatureMissesInput(
            f"kept page {rel} differs from a fresh render: a signature misses an input — report it"
        )


def load_and_discover(run: _Run) -> tuple[CourseConfig, list]:
    config, spec = load_course_settings(run.root, run.diagnostics, run.yaml_cache)
    if run.diagnostics.errors:  # every later stage depends on the settings: don't guess
        raise ConfigInvalid(run.diagnostics.sorted())
    skip = (run.out, run.root / CACHE_DIR)
    sources, run.project = discover_course_sources(run.root, spec, run.diagnostics, skip)
    run.clock.lap("load and discover")
    return config, sources


def parse_sources(run: _Run, sources: list) -> tuple[list, list, LastGood]:
    pages = [
        parse_source(source, run.diagnostics, run.yaml_cache, run.parsed)
        for source in sources
        if source.kind is not SourceKind.ASSET
    ]
    run.parsed.save()
    for page in pages:  # the graph orders a section's children by its own text's links: read here
        if page.kind in (PageKind.SECTION, PageKind.HOME) and page.body is None:
            with contextlib.suppress(OSError, ValueError):  # changed or gone: rendering it reports it
                markdown_body(page)
    last_good = LastGood(run.manifest)
    last_good.stand_in(pages)  # a broken source stands in the graph as its last good version
    assets = [source for source in sources if source.kind is SourceKind.ASSET]
    run.clock.lap("parse")
    return pages, assets, last_good


def make_course_graph(run: _Run, config: CourseConfig, pages: list, assets: list):
    course = build_course_graph(run.project, pages, assets, run.diagnostics, config, run.options.drafts)
    if not course.home.title:
        course.home.title = config.title
    place_decks(course, config.slides, run.diagnostics)
    # MyST and Material pages: the course-wide label table (None for a course in coursegen Markdown)
    run.flavors = collect_labels(
        course, config, run.root, run.diagnostics, cache=run.options.cache, read_only=not run.options.write
    )
    run.result.pages = len(course.pages)
    run.result.notebooks = sum(1 for page in course.pages if page.kind is PageKind.NOTEBOOK)
    run.clock.lap("course graph")
    return course


def prepare_templates(run: _Run, config: CourseConfig, course) -> SiteRenderer | None:
    theme = load_theme(run.root)
    strings = interface_strings(config.language, config.strings, run.diagnostics, run.yaml_cache)
    if config.typography and config.language == "fr":
        strings = french_strings(strings)
    run.yaml_cache.save()
    options = run.options
    bytecode_dir = (
        run.root / CACHE_DIR / "templates" if options.cache and options.write else None
    )  # compiled templates
    renderer = SiteRenderer(config, course, theme, strings, bytecode_dir, run.edition)
    if not renderer.check_templates(run.root, run.diagnostics):
        return None
    if run.edition.instructor:
        from coursegen.timing import timing_sheets

        renderer.timing = timing_sheets(course, run.diagnostics)
    run.clock.lap("templates")
    return renderer


def run_notebooks(run: _Run, config: CourseConfig, course, execute: str) -> None:
    """Execution first, here or on a Dask cluster (runs.py); the records feed the bodies and the report."""
    if execute == "never":
        return
    from coursegen.runs import RunPlace, execute_stage

    options = run.options
    address = options.executor or config.notebooks.executor
    place = RunPlace(
        "" if address == "local" else address,
        options.jobs,
        options.write,
        (run.out, run.root / CACHE_DIR),
        options.failures.runs if options.failures is not None else None,
    )
    run.result.runs = execute_stage(
        course, config.notebooks, run.root, execute, place, run.diagnostics, options.run_progress
    )
    run.clock.lap("execute notebooks")


def render_page_bodies(
    run: _Run, config: CourseConfig, course, renderer: SiteRenderer, last_good: LastGood, execute: str
) -> dict:
    """Markdown and notebooks, before any template: every page's anchors must be known."""
    options = run.options
    settings = BodySettings(
        run.root,
        config.notebooks,
        config.markdown.sanitize,
        bool(config.theme.get("line_numbers", False)),
        execute,
        execute_requested=options.execute and options.write,
        cache=options.cache,
        cache_writes=options.write,
        debug=options.debug,
        jobs=options.jobs,
        runs={record.url: record.outcome() for record in run.result.runs if record.key},
        math_macros=config.math.macros,
        language=config.language,
        typography=config.typography,
        markdown_flavor=config.markdown_flavor,
        edition=run.edition,
        flavors=run.flavors,
        markdown_seconds=config.markdown.max_seconds,
    )
    run.print_chapters = expected_chapters(run, config, course, settings.cache_space)

    def rendered_now(page, key: str | None, html: str) -> None:  # while the workers go on
        run.search_texts.prepare(page, key, html)
        if run.print_chapters is not None:
            run.print_chapters.prepare(page.url, key, html)

    bodies = render_bodies(
        course, renderer.strings, run.diagnostics, settings, options.progress, rendered_now
    )
    run.body_settings = settings
    last_good.keep_bodies(bodies, course)
    check_anchors(bodies, course, run.diagnostics)
    run.clock.lap("bodies (Markdown, notebooks)")
    return bodies


def render_pages(
    run: _Run, plan: SitePlan, course, bodies: dict, renderer: SiteRenderer, remote, last_good: LastGood
) -> None:
    """Every page through its template; a page whose signature is unchanged keeps its file."""
    first_errors = _FirstErrors(run.diagnostics)  # what an error page says, by source
    for page in course.pages:
        body = bodies[page.url]
        if body.error and last_good.keep(plan, page):
            continue
        template_name = renderer.template_for(page, run.diagnostics)
        copies = remote.for_page(page.url)  # the page's remote media that have a copy in the site
        # made once: signed, then rendered when the page is not kept
        context = renderer.signed_context(page, body.error) if body.key else None
        signature = renderer.sign(context, template_name, body.key) if context is not None else ""
        if signature and copies:
            signature = digest(signature, repr(sorted(copies.items())))
        make = functools.partial(
            _page_html, renderer, page, body, copies, template_name, first_errors, context
        )
        if run.kept(plan, page.url, page.rel or page.url, signature, lambda make=make: make(Diagnostics())):
            continue
        local = Diagnostics()
        html = make(local)
        body.release()
        _warn_if_heavy(page, html, local)
        run.report(signature, local)
        if local.errors and last_good.keep(plan, page):  # the theme failed on this page
            continue
        good = not (body.error or local.errors)  # a page the next builds may keep if its source breaks
        plan.add_text(
            page.url, html, page.rel or page.url, signature, made_from=page.rel or page.url if good else ""
        )
    run.result.kept = last_good.kept
    run.clock.lap("pages")


def _warn_if_heavy(page, html: str, local: Diagnostics) -> None:
    if len(html) > HEAVY_PAGE_BYTES:
        local.warning(
            page.rel or page.url,
            f"the page weighs {len(html) / 1e6:.1f} MB: slow to load, especially on phones",
            "split it, or store smaller images (lower dpi, JPEG for photos)",
            kind="files",
        )


def _page_html(
    renderer: SiteRenderer, page, body, copies, template_name: str, first_errors, context, local
) -> str:
    """The page through its template (its remote media pointed at their copies); `context`: the one
    it was signed with (None for a page not signed)."""
    content = point_to_copies(body.html, copies, page.url) if copies else body.html
    finding = first_errors.of(page.rel) if body.error else None
    return renderer.render_page(
        page, content, body.toc, local, body.error, template_name, finding, context=context
    )


class _FirstErrors:
    """The first error reported about each file (what its error page says, and where), sorted out
    when the first error page is made."""

    def __init__(self, diagnostics: Diagnostics):
        self.diagnostics = diagnostics
        self._first: dict[str, Diagnostic] | None = None

    def of(self, rel: str) -> Diagnostic | None:
        if self._first is None:
            self._first = {}
            for diagnostic in self.diagnostics.sorted():
                if diagnostic.level is Level.ERROR:
                    self._first.setdefault(diagnostic.path, diagnostic)
        return self._first.get(rel)
