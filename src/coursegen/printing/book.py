"""What a print page holds: a section (or the whole course) and every page below it in course
order, each made a chapter of rendered body (chapters.py), the quizzes' answers at the end of
each section (quizzes.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from coursegen.model import Course, Page, PageKind
from coursegen.printing.chapter_cache import ChapterCache
from coursegen.printing.chapters import ChapterPlace, ChapterRewriter, chapter_anchor
from coursegen.printing.quizzes import QuizAnswer, QuizNumbers, answers_html, print_quizzes
from coursegen.printing.settings import PrintSettings

PRINT_NAME = "print.html"
PDF_FOLDER = "pdf"
# ids of the print page itself; chapters' ids all carry their chapter's anchor
_OWN_IDS = {"print-cover", "print-contents", "print-intro"}


@dataclass
class PrintBook:
    """One print page: `root` (the home page or a section) and the pages below it, with their depth."""

    root: Page
    pages: list[tuple[Page, int]]

    @property
    def url(self) -> str:
        return PRINT_NAME if self.root.kind is PageKind.HOME else f"{self.root.folder}/{PRINT_NAME}"

    @property
    def pdf_url(self) -> str:
        """Where `coursegen pdf` puts its PDF: pdf/course.pdf, pdf/A.pdf, pdf/A/B.pdf."""
        name = "course" if self.root.kind is PageKind.HOME else self.root.folder
        return f"{PDF_FOLDER}/{name}.pdf"


@dataclass
class PrintBlock:
    """A part of a print page, in order: a section's or a page's chapter, or a section's answers."""

    kind: str  # intro | section | lesson | notebook | answers
    anchor: str
    title: str
    level: int  # of its heading: the print page's title is the h1
    html: str
    icon: str = ""
    number: int = 0  # a lesson's number in its section
    error: str = ""


@dataclass
class _Section:
    """A section whose chapter is open while its pages are added: its quizzes' answers come after them."""

    page: Page
    depth: int
    answers: list[QuizAnswer] = field(default_factory=list)


def print_books(course: Course, settings: PrintSettings) -> list[PrintBook]:
    """The course's print page and one per section, each with its pages in course order."""
    roots = [course.home, *(page for page in course.pages if page.kind is PageKind.SECTION)]
    wanted = {PageKind.SECTION, PageKind.LESSON} | ({PageKind.NOTEBOOK} if settings.notebooks else set())
    books = {id(root): PrintBook(root, []) for root in roots}
    for page in course.pages:
        if page.kind not in wanted:
            continue
        depth, above = 1, page.parent
        while above is not None:  # the page belongs to the print page of every section above it
            if id(above) in books:
                books[id(above)].pages.append((page, depth))
            depth, above = depth + 1, above.parent
    return [books[id(root)] for root in roots]


@dataclass
class ChapterSource:
    """A page's body as a print page takes it: `load()` gives its HTML (its remote media pointing
    to their copies), read only when its chapter is not in the cache; `name` names that HTML
    ("" when nothing does: it is then read and hashed); `error` stopped the page, if any."""

    load: Callable[[], str]
    name: str = ""
    error: str = ""


def book_anchors(book: PrintBook) -> tuple[dict[str, str], set[str]]:
    """Each page's chapter anchor in the print page, and the ids taken."""
    taken = set(_OWN_IDS)
    anchors = {page.url: chapter_anchor(page.url, taken) for page, _ in book.pages}
    anchors[book.root.url] = "print-intro"
    return anchors, taken


def expect_chapters(books: list[PrintBook], chapters: ChapterCache) -> None:
    """Tell `chapters` where each page's body goes (ChapterCache.expect)."""

    def plan():
        for book in books:
            anchors, _ = book_anchors(book)
            places = [ChapterPlace(page.url, anchors[page.url], depth) for page, depth in book.pages]
            yield book.url, anchors, [ChapterPlace(book.root.url, "print-intro", 0), *places]

    chapters.expect(plan)


def book_blocks(
    book: PrintBook,
    source_of: Callable[[Page], ChapterSource],
    strings: Mapping[str, str],
    chapters: ChapterCache | None = None,
) -> list[PrintBlock]:
    """The print page's parts in order. `source_of(page)` gives a page's body; `chapters` keeps the
    bodies already rewritten by an earlier build."""
    anchors, taken = book_anchors(book)
    rewriter = ChapterRewriter(book.url, anchors)
    kept = (chapters or ChapterCache.disabled()).book(book.url, anchors)
    numbers = QuizNumbers()
    blocks: list[PrintBlock] = []
    open_sections = [_Section(book.root, 0)]

    def chapter(page: Page, depth: int, kind: str, anchor: str) -> PrintBlock:
        source = source_of(page)
        body = "" if source.error else kept.rewritten(rewriter, source, ChapterPlace(page.url, anchor, depth))
        body, answers = print_quizzes(body, numbers, strings)
        owner = next(section for section in reversed(open_sections) if section.depth < depth or depth == 0)
        owner.answers += answers
        return PrintBlock(
            kind, anchor, page.title, depth + 1, body, page.meta.icon, page.number, source.error
        )

    blocks.append(chapter(book.root, 0, "intro", "print-intro"))
    for page, depth in book.pages:
        while open_sections[-1].depth >= depth:
            _close(open_sections.pop(), blocks, taken, strings)
        block = chapter(page, depth, page.kind.value, anchors[page.url])
        blocks.append(block)
        if page.is_section:
            open_sections.append(_Section(page, depth))
    while open_sections:
        _close(open_sections.pop(), blocks, taken, strings)
    kept.save()
    return blocks


def _close(section: _Section, blocks: list[PrintBlock], taken: set[str], strings: Mapping[str, str]) -> None:
    """A section's pages are all in: its quizzes' answers follow them."""
    if not section.answers:
        return
    title = strings["print_answers"]
    if section.depth:
        title = f"{title} — {section.page.title}"
    anchor = chapter_anchor(f"answers/{section.page.url}", taken)
    blocks.append(
        PrintBlock("answers", anchor, title, section.depth + 2, answers_html(section.answers, strings))
    )
