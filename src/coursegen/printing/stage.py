"""The build's print stage: every print page into the site plan (kept as it is when nothing it
shows changed), and each PDF that `coursegen pdf` made for the very same print page — found in
the cache by the digest of the page's HTML and of the files it loads — published beside it.

So a build keeps the PDFs that are still current, drops those that are not (their print page
changed: `coursegen pdf` makes them again), and the site is written in one step as always."""

from __future__ import annotations

import datetime
import functools
import hashlib
import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from coursegen.cache import CACHE_DIR, IndexCache, code_digest, digest, installed_version
from coursegen.errors import Diagnostics
from coursegen.filedigests import FileDigests
from coursegen.model import Course, Page, SourceFile
from coursegen.printing.book import ChapterSource, PrintBook, book_blocks, expect_chapters, print_books
from coursegen.printing.chapter_cache import ChapterCache
from coursegen.printing.settings import PAGE_SIZES
from coursegen.remote_media import point_to_copies
from coursegen.urls import is_external, relative_url, split_href

PDF_CACHE = "pdf"  # folder of .coursegen-cache/ where `coursegen pdf` keeps the PDFs, by key
# `src="…"`, `href="…"` after white space (not `data-src`); one pattern per attribute: a literal
# start is searched for quickly, where `\s(?:src|href)` stopped at every space of a 13 MB page
_LOADED = (re.compile(r'src="([^"#]+)[^"]*"'), re.compile(r'href="([^"#]+)[^"]*"'))
_MONTHS_FR = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@dataclass(frozen=True)
class PrintedBook:
    """What the pdf command needs to know of a print page: where it is, and where its PDF is cached."""

    url: str
    pdf_url: str
    title: str
    section: str  # the section's folder ("" for the course)
    pdf_ready: bool
    # the PDF in the edition's cache folder (made by `coursegen pdf` when missing): its name is the
    # digest of the page and of the files it loads, worked out when asked for (see print_stage)
    locate: Callable[[], Path] = field(repr=False, compare=False)

    @functools.cached_property
    def cached(self) -> Path:
        return self.locate()

    @property
    def key(self) -> str:
        return self.cached.stem


def pdf_cache(root: Path, space: str = "") -> Path:
    """The folder of the PDFs `coursegen pdf` made; `space`: the edition's (BodySettings.cache_space),
    so that printing one edition never deletes the other's PDFs."""
    return root / CACHE_DIR / (PDF_CACHE + space)


def expected_chapters(run, config, course: Course, space: str) -> ChapterCache | None:
    """The print pages' chapter packs (of the edition's cache `space`), told before the bodies are
    rendered where each body goes: its chapters are rewritten as it comes from the workers."""
    if not config.print.enabled or not run.options.write:
        return None
    chapters = ChapterCache(run.root, enabled=run.options.cache, read_only=False, space=space)
    expect_chapters(print_books(course, config.print), chapters)
    return chapters


def print_stage(run, plan, config, course: Course, bodies: dict, renderer, remote) -> list[PrintedBook]:
    """Print pages and current PDFs into `plan`; the section pages learn where they are
    (`renderer.print_links`). `run` is the build's (root, out, options, diagnostics)."""
    if not config.print.enabled:
        return []
    digests = run.file_digests  # saved with the others by the build (add_files)
    # the files each print page loads, by what names its HTML: a kept page is not read again
    loads = IndexCache(run.root, "print-loads", enabled=run.options.cache, read_only=not run.options.write)
    chapters = run.print_chapters  # already holding the chapters of the bodies just rendered
    date = cover_date(run.today, config.language)
    printed = []
    books = print_books(course, config.print)
    folder = pdf_cache(run.root, run.body_settings.cache_space)
    # a PDF's name says which print page it was made from: worked out now only when `coursegen pdf`
    # has made some (scanning a 13 MB print page for what it loads is most of an edit's print stage)
    pdfs_made = run.options.cache and _holds_pdfs(folder)
    for book in books:
        html, content = _print_page(run, plan, book, config, bodies, renderer, remote, date, chapters)

        # html None: the page is read from the site (the PrintedBook keeps `locate`, not the page's
        # megabytes, for the pdf command)
        def locate(html: str | None, content=content, book=book) -> Path:
            loaded = _loaded_rels(html, content, run.out / book.url, loads)
            assets = _loaded_files(loaded, book.url, course, renderer.theme, remote, digests)
            return folder / f"{digest('pdf-2', content, assets)}.pdf"

        cached = locate(html) if pdfs_made else None
        ready = cached is not None and cached.is_file()
        if ready:
            plan.add_file(book.pdf_url, cached, book.url, signature=f"pdf:{cached.stem}")
        renderer.print_links[book.root.url] = (book.url, book.pdf_url if ready else "")
        section = "" if book.root is course.home else book.root.folder
        # for `coursegen pdf` (after the site is written): the name found now, or found then
        where = (lambda cached=cached: cached) if cached is not None else functools.partial(locate, None)
        printed.append(PrintedBook(book.url, book.pdf_url, book.root.title, section, ready, where))
    loads.save()
    chapters.prune(book.url for book in books)
    return printed


def _holds_pdfs(folder: Path) -> bool:
    try:
        return any(name.endswith(".pdf") for name in os.listdir(folder))
    except OSError:  # no folder yet: `coursegen pdf` never ran
        return False


def _print_page(run, plan, book: PrintBook, config, bodies: dict, renderer, remote, date: str, chapters=None):
    """The print page's HTML (None when it is kept from the last build because nothing it shows
    changed: it is not read), and what names that HTML — its signature, else its digest."""
    held = [bodies[page.url] for page in (book.root, *(page for page, _ in book.pages))]
    signature = ""
    if any(body.error for body in held):  # a page is broken: the print page stays as it was, like the page
        kept = _previous(run, plan, book.url)
        if kept:
            return kept, _digest_of(kept)
    elif all(body.key for body in held):
        # what each page shows: also its remote media's copies (a download that succeeds later)
        shown = [
            (p.url, p.title, d, p.number, p.meta.icon, sorted(remote.for_page(p.url).items()))
            for p, d in book.pages
        ]
        keys = [body.key for body in held]
        signature = digest("print-page", renderer.fingerprint(), book.url, date, repr(keys), repr(shown))
        if plan.keep_unchanged(book.url, book.url, signature):
            # COURSEGEN_VERIFY=1: made again and compared, like every page kept by its signature
            run.verify_kept(
                plan, book.url, lambda: _make_print_page(book, bodies, renderer, remote, config, date)
            )
            return None, signature
    local = Diagnostics()
    html = _make_print_page(book, bodies, renderer, remote, config, date, local, chapters)
    run.report(signature, local)
    plan.add_text(book.url, html, book.url, signature)
    return html, signature or _digest_of(html)


def _digest_of(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def _make_print_page(
    book: PrintBook, bodies: dict, renderer, remote, config, date: str, local=None, chapters=None
) -> str:
    """The print page made from its pages' bodies (their remote media pointed at their copies)."""

    def source_of(page: Page) -> ChapterSource:
        body = bodies[page.url]
        if body.error:
            return ChapterSource(str, error=body.error)
        copies = remote.for_page(page.url)
        if copies:
            return ChapterSource(lambda: point_to_copies(body.html, copies, page.url))
        # a cached body's key names its HTML: a chapter kept by the cache never reads it
        return ChapterSource(lambda: body.html, name=f"body:{body.key}" if body.key else "")

    blocks = book_blocks(book, source_of, renderer.strings, chapters)
    return render_book(renderer, book, blocks, config, date, local if local is not None else Diagnostics())


def _previous(run, plan, url: str) -> str:
    """The last build's print page at `url`, kept in the new site ("" if there is none)."""
    if plan.manifest is None or url not in plan.manifest.entries:
        return ""
    try:
        html = (run.out / url).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):  # gone since the manifest saw it: made again
        return ""
    plan.keep_previous(url, url)
    return html


def render_book(renderer, book: PrintBook, blocks: list, config, date: str, diagnostics: Diagnostics) -> str:
    """The print page through the theme's print.html template."""
    import jinja2

    for block in blocks:
        block.html = Markup(block.html)
    context = {
        "course": renderer.course_view,
        "book": {
            "url": book.url,
            "title": book.root.title,
            "icon": book.root.meta.icon,
            "description": book.root.meta.tagline or book.root.meta.description,
            "section_of": course_title_if_section(renderer, book),
            "date": date,
            "page_size": PAGE_SIZES[config.print.page],
            "blocks": blocks,
            "contents": [block for block in blocks if block.kind != "intro"],
            "has_math": any("<math" in block.html for block in blocks),
        },
        "t": renderer.strings,
        "edition": renderer.edition.audience,  # the instructor's handout says so on its first page
        "lang": book.root.meta.language or config.language,
        "rel": lambda url, fragment="": relative_url(url, book.url, fragment),
        "static": lambda path: relative_url("static/" + path, book.url, ""),
    }
    try:
        return renderer.env.get_template("print.html").render(context)
    except jinja2.TemplateError as problem:
        diagnostics.error(book.url, f"template print.html: {problem}", "fix the template", kind="template")
        return f"<!doctype html>\n<title>{book.root.title}</title>\n<p>{problem}</p>\n"


def course_title_if_section(renderer, book: PrintBook) -> str:
    return "" if book.root.parent is None else renderer.course_view.title


def cover_date(day: datetime.date, language: str) -> str:
    """The build's date (editions.build_date) as the cover writes it."""
    if language == "fr":
        return f"{day.day} {_MONTHS_FR[day.month - 1]} {day.year}"
    return f"{day:%B} {day.day}, {day.year}"


def _loaded_rels(html: str | None, content: str, path: Path, loads: IndexCache) -> list[str]:
    """The addresses the print page loads (`src`, `href`), from the cache by what names its HTML;
    found in the HTML (read from `path` when the page was kept) when the cache does not have them."""
    stored = loads.get(content)
    if isinstance(stored, list) and all(isinstance(item, str) for item in stored):
        return stored
    if html is None:
        try:
            html = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            html = ""  # gone meanwhile: its PDF is simply not found
    found = sorted(
        {
            match.group(1)
            for pattern in _LOADED
            for match in pattern.finditer(html)
            if match.start() and html[match.start() - 1].isspace()
        }
    )
    loads.put(content, found)
    return found


def _loaded_files(
    loaded: list[str], book_url: str, course: Course, theme, remote, digests: FileDigests
) -> str:
    """Names the bytes of every file of the site the print page loads (images, stylesheets): its
    PDF is made again when one of them changes."""
    names = [code_digest(), installed_version("pygments")]
    for found in loaded:
        if is_external(found):
            continue
        path, _ = split_href(found)
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(book_url), path))
        names.append(f"{rel}={_file_signature(rel, course, theme, remote, digests)}")
    return digest(*names)


def _file_signature(rel: str, course: Course, theme, remote, digests: FileDigests) -> str:
    if rel in remote.files:
        copy = remote.files[rel]
        return digest(copy) if isinstance(copy, bytes) else digests.signature(copy, str(copy))
    target = course.by_site_rel.get(rel) or course.by_url.get(rel)
    if isinstance(target, SourceFile):
        return digests.signature(target.path, str(target.rel), target.stamp)
    if isinstance(target, Page):
        return target.digest
    if rel.startswith("static/"):
        for folder in theme.static_dirs:
            path = folder / rel.removeprefix("static/")
            if path.is_file():
                return digests.signature(path, str(path))
    return ""
