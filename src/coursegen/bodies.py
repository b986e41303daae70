"""Page bodies: Markdown and notebooks to HTML fragments, cached by content hash, then anchor checks."""

from __future__ import annotations

import contextlib
import difflib
import functools
import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from coursegen.body_cache import Body, BodyCache, CachedBody, FragmentCache, RenderedBody
from coursegen.cache import code_digest, digest, installed_version
from coursegen.config import NotebookSettings
from coursegen.editions import Edition
from coursegen.errors import CoursegenError, Diagnostics, plain, replay
from coursegen.glue import GlueMap, course_glue
from coursegen.markdown_budget import DEFAULT_SECONDS, Deadline, MarkdownTooSlow
from coursegen.model import Course, Page, PageKind, detached, target_url
from coursegen.parse import markdown_body
from coursegen.remote_media import find_remote_media, locate_in_text

if TYPE_CHECKING:
    from coursegen.markdown_render import MarkdownRenderer


@dataclass(frozen=True)
class BodySettings:
    root: Path
    notebooks: NotebookSettings
    sanitize_markdown: bool = False
    line_numbers: bool = False
    execute: str = "never"  # never | auto | always
    execute_requested: bool = False  # --execute: a notebook whose run fails is an error, not a warning
    cache: bool = True
    cache_writes: bool = True  # False for `check`: read the cache, write nothing
    debug: bool = False  # let unexpected exceptions through, with their traceback
    jobs: int = 1  # worker processes for pages that are not cached
    runs: dict = field(default_factory=dict)  # page URL → outcome of its run (runs.RunRecord.outcome)
    math_macros: tuple[tuple[str, str], ...] = ()  # course.yml math.macros
    language: str = "en"  # the course's language
    typography: bool = True  # French spacing for pages in French
    markdown_flavor: str = "coursegen"  # coursegen | myst | material (config.CourseConfig.markdown_flavor)
    edition: Edition = Edition()  # which blocks the bodies keep (editions.py)

    @property
    def cache_space(self) -> str:
        """The edition's own cache folders: building one edition never prunes the other's bodies."""
        return "" if self.edition.is_default else "-" + self.edition.key.replace(":", "-")

    flavors: object = None  # myst.Flavors, for MyST and Material pages (None: none in the course)
    glue: GlueMap | None = None  # the notebooks' glued values (glue.py), set by render_bodies
    markdown_seconds: float = DEFAULT_SECONDS  # course.yml markdown.max_seconds (0: no limit)


def render_bodies(
    course: Course,
    strings,
    diagnostics: Diagnostics,
    settings: BodySettings,
    progress=None,
    rendered_now=None,
) -> dict[str, Body]:
    """Every page's body, with its anchors for the second pass.

    Unchanged pages come from the cache; the others are rendered here, or by `settings.jobs`
    worker processes when there are enough of them. Results are assembled in course order, so
    the site is the same whatever the number of jobs. `rendered_now(page, body key, HTML)` is
    told of each body rendered, as it comes: work on it is done while the workers go on.
    """
    read_only = not settings.cache_writes
    settings = replace(
        settings, glue=course_glue(course, settings.root, settings.runs, strings, settings.cache, read_only)
    )
    cache = BodyCache(settings.root, read_only, settings.cache_space) if settings.cache else None
    renderer = BodyRenderer(course, strings, settings)
    bodies: dict[str, Body] = {}
    messages: dict[str, list[dict]] = {}  # replayed in course order, whoever rendered the page
    keys: dict[str, str] = {}
    misses: list[Page] = []
    for page in course.pages:
        if page.source is None:  # a generated section page has no body of its own
            bodies[page.url] = Body("", key="generated", rel=page.rel)
            continue
        if page.error and page.kind is not PageKind.NOTEBOOK:  # reported when it was read
            bodies[page.url] = Body("", page.error, rel=page.rel)
            continue
        keys[page.url] = renderer.key(page)
        cached = cache.get(keys[page.url]) if cache is not None else None
        if cached is None:
            misses.append(page)
        else:
            bodies[page.url] = _cached_body(cached, page, keys[page.url], renderer, cache)
            messages[page.url] = cached.entry.diagnostics
    if progress:
        progress("(cached)", len(bodies), len(course.pages))
    with contextlib.closing(
        _render_misses(renderer, course, misses, settings)
    ) as rendered:  # closed: its workers stop
        for page, entry in rendered:
            body = bodies[page.url] = _kept_body(entry, page, keys[page.url], renderer, cache)
            messages[page.url] = entry.diagnostics
            if rendered_now is not None and not entry.error:
                rendered_now(page, body.key, entry.html)
            if progress:
                progress(page.rel, len(bodies), len(course.pages))
    if cache is not None and cache.save() and cache.index.saved == "rewritten" and renderer.fragments:
        renderer.fragments.prune(
            page.url for page in course.pages
        )  # now and then, the fragments of pages gone
    for page in course.pages:
        diagnostics.extend(replay(messages.get(page.url) or []))
    return {page.url: bodies[page.url] for page in course.pages}


def _kept_body(
    entry: RenderedBody, page: Page, key: str, renderer: BodyRenderer, cache: BodyCache | None
) -> Body:
    """A body just rendered, put in the cache (unless it is an error or to retry, or the cache
    can't take it: then it stays in memory)."""
    stored = cache.put(key, entry) if cache is not None and not entry.error and not entry.retry else None
    return _cached_body(stored, page, key, renderer, cache) if stored else _fresh_body(entry, page, key)


def _render_again(renderer: BodyRenderer, cache: BodyCache | None, key: str, page: Page) -> str:
    """The HTML of a body the cache lost during the build (deleted, cut short, damaged), rendered
    again here: it only costs time. Rendering it again can only fail if the page's file changed
    meanwhile, and then nothing is published: the next build sees the change."""
    entry = renderer.render(page)
    if entry.error:
        raise CoursegenError(
            f"its cached body was lost during the build, and rendering it again failed: {entry.error}",
            "build again",
            path=page.rel,
        )
    if cache is not None:
        cache.replace_html(key, entry.html)
    return entry.html


# Starting a worker process costs about as much as rendering 40 lessons (it imports Markdown,
# nbconvert…): below that much work, one process is quicker. A notebook weighs about 8 lessons.
PARALLEL_THRESHOLD = 40
NOTEBOOK_WEIGHT = 8


def _render_misses(renderer: BodyRenderer, course: Course, misses: list[Page], settings: BodySettings):
    """Yield (page, entry) for each page to render, in-process or in a pool of worker processes."""
    work = sum(NOTEBOOK_WEIGHT if page.kind is PageKind.NOTEBOOK else 1 for page in misses)
    if settings.jobs <= 1 or work < PARALLEL_THRESHOLD:
        for page in misses:
            yield page, renderer.render(page)
        return
    from coursegen.workers import WorkerPool  # spawned processes: no fork of a process that may run threads

    # Notebooks first: they are the longest tasks, so the pool finishes evenly.
    ordered = sorted(misses, key=lambda p: p.kind is not PageKind.NOTEBOOK)
    workers = min(settings.jobs, len(ordered))
    initargs = (detached(course), dict(renderer.strings), settings)
    # leaving early (Ctrl-C, an error, the caller closing this generator) terminates the workers
    with WorkerPool(workers, _start_worker, initargs) as pool:
        chunk = max(1, min(16, len(ordered) // (workers * 4)))
        for page, entry in zip(
            ordered, pool.map(_render_in_worker, [p.url for p in ordered], chunksize=chunk)
        ):
            yield page, entry


_worker_renderer: BodyRenderer | None = None  # the one renderer of a worker process


def _start_worker(course: Course, strings, settings: BodySettings) -> None:
    global _worker_renderer
    _worker_renderer = BodyRenderer(course, strings, settings)


def _render_in_worker(url: str) -> RenderedBody:
    assert _worker_renderer is not None
    return _worker_renderer.render(_worker_renderer.course.by_url[url])


class BodyRenderer:
    """Renders one page's body to a plain, cacheable entry (also in worker processes)."""

    def __init__(self, course: Course, strings, settings: BodySettings):
        self.course = course
        self.strings = strings
        self.settings = settings
        self._fingerprint = digest(
            _fingerprint(course),
            f"sanitize={settings.sanitize_markdown}",
            f"linenums={settings.line_numbers}",
            f"typography={settings.typography}:{settings.language}",
            f"flavor={settings.markdown_flavor}",
            repr(sorted(strings.items())),
            repr(settings.math_macros),
            settings.edition.key,
            *([settings.glue.signature] if settings.glue and settings.glue.signature else []),
        )
        self._markdown = None  # created on the first miss: costly to set up
        self._deadline = Deadline()  # the Markdown time budget's watchdog, kept when a renderer is dropped
        self._notebooks = None
        # each page's highlighted code and formulas from its last render (see FragmentMemo)
        self.fragments = (
            FragmentCache(settings.root, fragments_version(), read_only=not settings.cache_writes)
            if settings.cache
            else None
        )

    def markdown(self) -> MarkdownRenderer:
        if self._markdown is None:
            from coursegen.glue_markdown import register_glue
            from coursegen.markdown_render import (
                MarkdownRenderer,  # Markdown, pymdownx, Pygments: only for a page to render
            )

            self._markdown = MarkdownRenderer(
                self.course,
                self.strings,
                sanitize=self.settings.sanitize_markdown,
                line_numbers=self.settings.line_numbers,
                math_macros=dict(self.settings.math_macros),
                language=self.settings.language,
                typography=self.settings.typography,
                edition=self.settings.edition,
                flavors=self.settings.flavors,
                max_seconds=self.settings.markdown_seconds,
                deadline=self._deadline,
            )
            register_glue(self._markdown, self.settings.glue or GlueMap())
        return self._markdown

    def notebooks(self):
        if self._notebooks is None:
            from coursegen.notebooks import NotebookPages

            self._notebooks = NotebookPages(
                self.settings.root,
                self.markdown,
                self.strings,
                self.settings.notebooks,
                self.settings.execute,
                self.settings.execute_requested,
                self.settings.runs,
            )
        return self._notebooks

    def key(self, page: Page) -> str:
        """The body's cache key: the page's file (by the digest of its bytes, taken when it was read),
        its place, and everything else a body depends on."""
        if page.kind is PageKind.NOTEBOOK:
            # its execution key: a changed input file makes another page
            run_key = self.settings.runs.get(page.url, ("",))[0]
            return digest(
                self._fingerprint,
                self.notebooks().fingerprint,
                page.url,
                page.digest,
                run_key,
                *self._flavor(page),
            )
        return digest(self._fingerprint, page.url, page.digest, *self._flavor(page))

    def _flavor(self, page: Page) -> tuple[str, ...]:
        """What a MyST or Material page takes from the rest of the course (labels, snippets)."""
        flavors = self.settings.flavors
        signature = flavors.signature(page) if flavors is not None else ""
        return (signature,) if signature else ()

    def render(self, page: Page) -> RenderedBody:
        from coursegen.markdown_render import FragmentMemo

        markdown = self.markdown()
        markdown.memo = FragmentMemo(self.fragments.get(page.url) if self.fragments is not None else None)
        try:
            entry = self._render(page)
        finally:
            memo, markdown.memo = markdown.memo, None
        if self.fragments is not None and not entry.error and memo.used != memo.seed:
            self.fragments.put(page.url, memo.used)
        return entry

    def _render_markdown(self, page: Page, local: Diagnostics):
        from coursegen.notebooks import NotebookProblem

        try:
            body, first_line = markdown_body(page)
        except (OSError, ValueError) as problem:  # changed or gone since it was read: the next build sees it
            raise NotebookProblem(
                f"the file could not be read again ({getattr(problem, 'strerror', None) or problem})",
                "build again",
            ) from None
        rendered = self.markdown().render(page, body, first_line, local)
        rendered.remote = locate_in_text(find_remote_media(rendered.html), body, first_line)
        return rendered

    def _render(self, page: Page) -> RenderedBody:
        from coursegen.notebooks import NotebookProblem

        local = Diagnostics()
        try:
            if page.kind is PageKind.NOTEBOOK:
                rendered = self.notebooks().render(page, local)
            else:
                rendered = self._render_markdown(page, local)
        except NotebookProblem as problem:
            if not page.error:  # JSON errors were reported when the file was read
                local.error(page.rel, str(problem), problem.hint, kind=problem.kind)
            return RenderedBody(diagnostics=plain(local), error=page.error or str(problem))
        except MarkdownTooSlow as problem:  # a fresh converter for the next page (markdown_budget.py)
            self._markdown = self._notebooks = None
            local.error(page.rel, str(problem), problem.hint, kind="markdown")
            return RenderedBody(diagnostics=plain(local), error=str(problem))
        except RecursionError:
            notebook = page.kind is PageKind.NOTEBOOK
            what = "JSON values" if notebook else "quotes or lists"
            message = f"too deeply nested ({what} inside each other hundreds of times)"
            local.error(
                page.rel, message, "flatten the structure", kind="notebook" if notebook else "markdown"
            )
            return RenderedBody(diagnostics=plain(local), error=message)
        except Exception as problem:  # a bug or an input no library expected: report it, build the rest
            if self.settings.debug:
                raise
            message = f"could not be rendered ({type(problem).__name__}: {problem})"
            local.error(
                page.rel,
                message,
                "please report this to the coursegen developers with the file",
                kind="build",
            )
            return RenderedBody(diagnostics=plain(local), error=message)
        # links to #fragments of the page itself are checked now (its ids are all known): only those
        # to other pages wait for the second pass, and a cached body needs no ids of its own for it
        elsewhere = []
        for link in rendered.anchor_links:
            if link[0] != page.url:
                elsewhere.append(link)
            elif link[1] not in rendered.anchors:
                _warn_missing_anchor(local, page.rel, link, rendered.anchors, page.rel or page.url)
        return RenderedBody(
            html=rendered.html,
            toc=rendered.toc,
            anchors=sorted(rendered.anchors),
            anchor_links=elsewhere,
            remote=rendered.remote,
            diagnostics=plain(local),
            retry=not rendered.cacheable,
        )


def fragments_version() -> str:
    """Names what a page's kept fragments were made with: they are used only by the same."""
    return digest(_library_versions(), code_digest())


def _cached_body(cached: CachedBody, page: Page, key: str, renderer: BodyRenderer, cache: BodyCache) -> Body:
    """A body from the cache: its HTML, contents and ids read when asked for. Its key names the
    HTML's digest too: a page and its search text are made again whenever the body's HTML
    differs, whatever the cache said."""
    entry = cached.entry
    return Body(
        None,
        "",
        entry.anchor_links,
        key=f"{key}:{entry.html_digest}",
        html_path=cached.html_path,
        rel=page.rel,
        detail=entry.detail,
        remote=entry.remote,
        html_digest=entry.html_digest,
        rerender=functools.partial(_render_again, renderer, cache, key, page),
    )


def _fresh_body(entry: RenderedBody, page: Page, key: str) -> Body:
    """A body just rendered and not cached; no page made from an error or a body to retry is kept
    for the next build (its key is None)."""
    html_digest = hashlib.sha256(entry.html.encode("utf-8")).hexdigest()
    return Body(
        entry.html,
        entry.error,
        entry.anchor_links,
        key=f"{key}:{html_digest}" if not entry.error and not entry.retry else None,
        rel=page.rel,
        _toc=entry.toc,
        _anchors=set(entry.anchors),
        remote=entry.remote,
        html_digest=html_digest,
    )


def _fingerprint(course: Course) -> str:
    """What every body depends on besides its own text: the renderer's code and libraries, and the
    site's link targets (a body links to other pages: adding, removing or moving one changes it)."""
    code = code_digest()
    targets = sorted(
        f"{key}\t{target_url(value)}"
        for index in (course.by_rel, course.by_site_rel, course.by_url)
        for key, value in index.items()
    )
    return digest(code, _library_versions(), "\n".join(targets))


@functools.lru_cache(maxsize=1)
def _library_versions() -> str:
    from coursegen.math_engine import engine_version  # versions only: the engine is not started

    return ",".join(
        [
            *(f"{name}={installed_version(name)}" for name in ("markdown", "pymdown-extensions", "pygments")),
            engine_version(),
        ]
    )


def check_anchors(bodies: dict[str, Body], course: Course, diagnostics: Diagnostics) -> None:
    """Second pass: a `#fragment` must name an id that exists on its target page (links within a
    page were checked when it was rendered)."""
    for body in bodies.values():
        for link in body.anchor_links:
            target = bodies.get(link[0])
            if target is None or link[1] in target.anchors:
                continue
            target_page = course.by_url.get(link[0])
            shown = target_page.rel if isinstance(target_page, Page) and target_page.rel else link[0]
            _warn_missing_anchor(diagnostics, body.rel, link, target.anchors, shown)


def _warn_missing_anchor(diagnostics: Diagnostics, rel: str, link, anchors, shown: str) -> None:
    _, fragment, href, line = link
    guess = difflib.get_close_matches(fragment, sorted(anchors), n=1, cutoff=0.6)
    hint = f"did you mean '#{guess[0]}'?" if guess else f"'{shown}' has no heading or id '{fragment}'"
    diagnostics.warning(rel, f"anchor '{href}' leads nowhere", hint, line=line, kind="anchors")
