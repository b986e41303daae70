"""Page bodies: Markdown and notebooks to HTML fragments, cached by content hash, then anchor checks."""

from __future__ import annotations

import contextlib
import difflib
import functools
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from coursegen.cache import JsonCache, code_digest, digest, index_store, installed_version, make_durable
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


@dataclass
class Body:
    """A page's rendered fragment, before the theme wraps it.

    A cached body's HTML stays on disk until a page template needs it: a rebuild whose pages are
    unchanged never reads it; its table of contents and ids stay undecoded JSON (`detail`) until
    asked for. `key` names its content: its cache key and its HTML's digest (None when it isn't
    cached). The file is checked against that digest when read: one that is gone, cut short or
    damaged (the cache deleted during the build, a power cut) is never published, the page is
    rendered again (`rerender`).
    """

    _html: str | None = None
    error: str = ""  # shown in place of a page that could not be rendered
    # links with a #fragment, as (target URL, fragment, href, line): see markdown_render.AnchorLink
    anchor_links: list[tuple[str, str, str, int | None]] = field(default_factory=list)
    key: str | None = None
    html_path: str | None = None
    rel: str = ""  # the page's source, for messages
    _toc: list | None = None
    _anchors: set[str] | None = None
    detail: bytes = b""  # `[toc, anchors]` as JSON, for a cached body
    # images, audio and video loaded from other sites, as written: see remote_media.RemoteReference
    remote: list = field(default_factory=list)
    html_digest: str = ""  # sha256 of the HTML in UTF-8, for a cached body
    rerender: Callable[[], str] | None = field(default=None, repr=False)  # the HTML made again

    def release(self) -> None:
        """Forget the HTML when the cache has it: a big course's bodies need not all stay in memory."""
        if self.html_path:
            self._html = None

    @property
    def html(self) -> str:
        if self._html is None:
            text = read_verified(self.html_path, self.html_digest) if self.html_path else ""
            if text is None:  # the cache lost it meanwhile, or it was damaged: make it again
                if self.rerender is None:
                    raise CoursegenError(
                        f"the cached body of {self.rel} is gone or damaged", "build again", path=self.rel
                    )
                text = self.rerender()
            self._html = text
        return self._html

    @property
    def toc(self) -> list:
        if self._toc is None:
            self._decode_detail()
        return self._toc

    @property
    def anchors(self) -> set[str]:
        if self._anchors is None:
            self._decode_detail()
        return self._anchors

    def _decode_detail(self) -> None:
        try:
            toc, anchors = json.loads(self.detail) if self.detail else ([], [])
            if not isinstance(toc, list) or not all(isinstance(item, dict) for item in toc):
                raise ValueError("not a contents list")
            anchors = {anchor for anchor in anchors if isinstance(anchor, str)}
        except (
            ValueError,
            TypeError,
        ):  # a cache line of another shape: no contents list, no ids (the next edit remakes it)
            toc, anchors = [], set()
        self._toc, self._anchors = toc, anchors


def read_verified(path: str, expected: str) -> str | None:
    """The text of the cache file `path` when its bytes have the digest `expected`; None when it is
    gone, cut short, damaged or not UTF-8."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != expected:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


class _BodyIndex:
    """What a cached body carries besides its HTML, a line per body key in one LineStore file:
    `sha256 of the HTML<TAB>[diagnostics, anchor links(, remote media)]<TAB>[toc, anchors]`. The
    second part is needed for every page of every build (messages are replayed, #fragments
    checked, remote media fetched) and is nearly always `[[],[]]`, which is recognised without
    decoding; the third only when the page is rendered or linked to with a #fragment. (Decoding a
    thousand entries as JSON at each build cost more than the rest.) An entry of another shape is
    a miss: the page is rendered again."""

    NOTHING = b"[[],[]]"

    def __init__(self, root: Path, enabled: bool, read_only: bool, space: str = ""):
        self.store = index_store(root, "bodies-index" + space, enabled, read_only)

    def get(self, key: str) -> dict | None:
        value = self.store.get(key)
        if value is None:
            return None
        html_digest, _, rest = value.partition(b"\t")
        head, _, detail = rest.partition(b"\t")
        try:
            messages, anchor_links, *remote = ([], []) if head == self.NOTHING else json.loads(head)
            replay(messages)  # raises on another shape
            remote = remote[0] if remote else []
            if (
                len(html_digest) != 64
                or not all(_is_anchor_link(link) for link in anchor_links)
                or not all(_is_remote_reference(item) for item in remote)
            ):
                return None
        except (ValueError, TypeError):
            return None
        return {
            "html": None,
            "diagnostics": messages,
            "anchor_links": anchor_links,
            "remote": remote,
            "error": "",
            "detail": detail,
            "html_digest": html_digest.decode("ascii", "replace"),
        }

    def put(self, key: str, entry: dict, html_digest: str) -> None:
        remote = entry.get("remote")  # left out when there is none: the line stays `[[],[]]`
        head = json.dumps(
            [entry["diagnostics"], entry["anchor_links"], *([remote] if remote else [])],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        detail = json.dumps([entry["toc"], entry["anchors"]], ensure_ascii=False, separators=(",", ":"))
        self.store.put(key, f"{html_digest}\t{head}\t{detail}".encode())


def _is_anchor_link(link) -> bool:
    """(target URL, fragment, href, line), as a cache line keeps it."""
    return (
        isinstance(link, list)
        and len(link) == 4
        and all(isinstance(part, str) for part in link[:3])
        and (link[3] is None or type(link[3]) is int)
    )


def _is_remote_reference(item) -> bool:
    """(address, what, line, where), as a cache line keeps it: see remote_media.RemoteReference."""
    return (
        isinstance(item, list)
        and len(item) == 4
        and isinstance(item[0], str)
        and isinstance(item[1], str)
        and (item[2] is None or type(item[2]) is int)
        and isinstance(item[3], str)
    )


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
    course: Course, strings, diagnostics: Diagnostics, settings: BodySettings, progress=None
) -> dict[str, Body]:
    """Every page's body, with its anchors for the second pass.

    Unchanged pages come from the cache; the others are rendered here, or by `settings.jobs`
    worker processes when there are enough of them. Results are assembled in course order, so
    the site is the same whatever the number of jobs.
    """
    read_only = not settings.cache_writes
    settings = replace(
        settings, glue=course_glue(course, settings.root, settings.runs, strings, settings.cache, read_only)
    )
    cache = (
        JsonCache(settings.root, "bodies" + settings.cache_space, read_only) if settings.cache else None
    )  # the HTML, one file each
    metas = _BodyIndex(
        settings.root, settings.cache, read_only, settings.cache_space
    )  # the rest, in one file
    renderer = BodyRenderer(course, strings, settings)
    entries: dict[str, dict] = {}
    keys: dict[str, str] = {}
    misses: list[Page] = []
    for page in course.pages:
        if page.source is None:  # a generated section page has no body of its own
            entries[page.url] = _EMPTY_ENTRY
            keys[page.url] = "generated"
            continue
        if page.error and page.kind is not PageKind.NOTEBOOK:  # reported when it was read
            entries[page.url] = {**_EMPTY_ENTRY, "error": page.error}
            continue
        keys[page.url] = renderer.key(page)
        entry = metas.get(keys[page.url]) if cache else None
        html_path = cache.path(keys[page.url], "html") if entry is not None else ""
        if entry is None or not os.path.isfile(html_path):
            misses.append(page)
        else:
            entry["html_path"] = html_path
            entries[page.url] = entry
    done = len(entries)
    if progress:
        progress("(cached)", done, len(course.pages))
    written: list[str] = []  # body files, flushed to the disk before the index names them
    with contextlib.closing(
        _render_misses(renderer, course, misses, settings)
    ) as rendered:  # closed: its workers stop
        for page, entry in rendered:
            if cache is not None and not entry["error"] and not entry.get("retry"):
                entry = _store(cache, metas, keys[page.url], entry, written)
            entries[page.url] = entry
            done += 1
            if progress:
                progress(page.rel, done, len(course.pages))
    make_durable(written)
    if metas.store.save() and cache is not None:  # the course changed: drop the bodies it no longer has
        cache.prune(set(metas.store.used))
        if (
            metas.store.saved == "rewritten" and renderer.fragments is not None
        ):  # and, now and then, the fragments of pages gone
            renderer.fragments.prune({fragments_key(page.url) for page in course.pages})
    bodies = {}
    for page in course.pages:
        rerender = (
            functools.partial(_render_again, renderer, cache, keys[page.url], page)
            if page.source is not None and page.url in keys
            else None
        )
        bodies[page.url] = _to_body(entries[page.url], page, diagnostics, keys.get(page.url), rerender)
    return bodies


def _store(cache: JsonCache, metas: _BodyIndex, key: str, entry: dict, written: list[str]) -> dict:
    """Keep a rendered body in the cache: its HTML in a file, read again (and checked against
    its digest) when its page is made, the rest in the index. The entry as the build keeps it."""
    data = entry["html"].encode("utf-8")
    html_digest = hashlib.sha256(data).hexdigest()
    if not cache.put_bytes(key, "html", data):  # a full or read-only disk: kept in memory
        return entry
    written.append(cache.path(key, "html"))
    metas.put(key, entry, html_digest)
    return {**entry, "html": None, "html_path": cache.path(key, "html"), "html_digest": html_digest}


def _render_again(renderer: BodyRenderer, cache: JsonCache | None, key: str, page: Page) -> str:
    """The HTML of a body the cache lost during the build (deleted, cut short, damaged), rendered
    again here: it only costs time. Rendering it again can only fail if the page's file changed
    meanwhile, and then nothing is published: the next build sees the change."""
    entry = renderer.render(page)
    if entry["error"]:
        raise CoursegenError(
            f"its cached body was lost during the build, and rendering it again failed: {entry['error']}",
            "build again",
            path=page.rel,
        )
    if cache is not None:
        cache.put_text(key, "html", entry["html"])
    return entry["html"]


_EMPTY_ENTRY = {"html": "", "toc": [], "anchors": [], "anchor_links": [], "diagnostics": [], "error": ""}
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


def _render_in_worker(url: str) -> dict:
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
            JsonCache(settings.root, "fragments", read_only=not settings.cache_writes)
            if settings.cache
            else None
        )
        self._fragments_version = fragments_version()

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

    def render(self, page: Page) -> dict:
        from coursegen.markdown_render import FragmentMemo

        stored = self.fragments.get(fragments_key(page.url)) if self.fragments is not None else None
        seed = (
            stored["items"]
            if isinstance(stored, dict) and stored.get("version") == self._fragments_version
            else None
        )
        if not isinstance(seed, dict) or not all(isinstance(value, str) for value in seed.values()):
            seed = None  # none kept, or an entry of another shape (a damaged cache): computed again
        markdown = self.markdown()
        markdown.memo = FragmentMemo(seed)
        try:
            entry = self._render(page)
        finally:
            memo, markdown.memo = markdown.memo, None
        if self.fragments is not None and not entry["error"] and memo.used != memo.seed:
            self.fragments.put(
                fragments_key(page.url), {"version": self._fragments_version, "items": memo.used}
            )
        return entry

    def _render(self, page: Page) -> dict:
        from coursegen.notebooks import NotebookProblem

        local = Diagnostics()
        try:
            if page.kind is PageKind.NOTEBOOK:
                rendered = self.notebooks().render(page, local)
            else:
                try:
                    body, first_line = markdown_body(page)
                except (
                    OSError,
                    ValueError,
                ) as problem:  # changed or gone since it was read: the next build sees it
                    raise NotebookProblem(
                        f"the file could not be read again ({getattr(problem, 'strerror', None) or problem})",
                        "build again",
                    ) from None
                rendered = self.markdown().render(page, body, first_line, local)
                rendered.remote = locate_in_text(find_remote_media(rendered.html), body, first_line)
        except NotebookProblem as problem:
            if not page.error:  # JSON errors were reported when the file was read
                local.error(page.rel, str(problem), problem.hint, kind=problem.kind)
            return {**_EMPTY_ENTRY, "diagnostics": plain(local), "error": page.error or str(problem)}
        except MarkdownTooSlow as problem:  # a fresh converter for the next page (markdown_budget.py)
            self._markdown = self._notebooks = None
            local.error(page.rel, str(problem), problem.hint, kind="markdown")
            return {**_EMPTY_ENTRY, "diagnostics": plain(local), "error": str(problem)}
        except RecursionError:
            notebook = page.kind is PageKind.NOTEBOOK
            what = "JSON values" if notebook else "quotes or lists"
            message = f"too deeply nested ({what} inside each other hundreds of times)"
            local.error(
                page.rel, message, "flatten the structure", kind="notebook" if notebook else "markdown"
            )
            return {**_EMPTY_ENTRY, "diagnostics": plain(local), "error": message}
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
            return {**_EMPTY_ENTRY, "diagnostics": plain(local), "error": message}
        # links to #fragments of the page itself are checked now (its ids are all known): only those
        # to other pages wait for the second pass, and a cached body needs no ids of its own for it
        elsewhere = []
        for link in rendered.anchor_links:
            if link[0] != page.url:
                elsewhere.append(link)
            elif link[1] not in rendered.anchors:
                _warn_missing_anchor(local, page.rel, link, rendered.anchors, page.rel or page.url)
        return {
            "html": rendered.html,
            "toc": rendered.toc,
            "anchors": sorted(rendered.anchors),
            "anchor_links": elsewhere,
            "remote": rendered.remote,
            "diagnostics": plain(local),
            "error": "",
            "retry": not rendered.cacheable,
        }


def fragments_version() -> str:
    """Names what a page's kept fragments were made with: they are used only by the same."""
    return digest(_library_versions(), code_digest())


def fragments_key(url: str) -> str:
    """The FragmentMemo file of the page at `url` (one per page, replaced at each render)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]


def _to_body(entry: dict, page: Page, diagnostics: Diagnostics, key: str | None, rerender=None) -> Body:
    """An entry (fresh, cached or from a worker) as a Body; its diagnostics are reported again.
    Its key names the HTML's digest too: a page and its search text are made again whenever the
    body's HTML differs, whatever the cache said."""
    if entry["diagnostics"]:
        diagnostics.extend(replay(entry["diagnostics"]))
    html_digest = entry.get("html_digest") or hashlib.sha256(entry["html"].encode("utf-8")).hexdigest()
    # no page made from an error or a body to retry is kept for the next build
    key = f"{key}:{html_digest}" if key and not entry["error"] and not entry.get("retry") else None
    common = {
        "key": key,
        "html_path": entry.get("html_path"),
        "rel": page.rel,
        "remote": entry.get("remote") or [],
        "html_digest": html_digest,
        "rerender": rerender,
    }
    if "detail" in entry:  # from the cache: contents and ids decoded when asked for
        return Body(entry["html"], entry["error"], entry["anchor_links"], detail=entry["detail"], **common)
    return Body(
        entry["html"],
        entry["error"],
        entry["anchor_links"],
        _toc=entry["toc"],
        _anchors=set(entry["anchors"]),
        **common,
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
