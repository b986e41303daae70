"""Slide decks: a lesson with `slides: true` (front matter, else course.yml) also becomes
`x.slides.html` beside `x.html`, a reveal.js deck made from the same Markdown (docs/slides.md).

A deck is an output page like the others: its path comes from the model (`model.deck_url`, set
once on the lesson by `place_decks` with the course graph), it
is kept from the last build while its signature (the lesson page's, which names the source, the
link targets, templates and settings) is unchanged, and it is in neither the search index nor the
sitemap (those list `course.pages`). A site with no deck publishes none of reveal.js's files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coursegen.body_cache import FragmentCache
from coursegen.cache import digest
from coursegen.errors import CoursegenError, Diagnostics
from coursegen.model import Page, deck_url
from coursegen.parse import markdown_body

if TYPE_CHECKING:
    from coursegen.bodies import BodySettings
    from coursegen.config import CourseConfig
    from coursegen.markdown_render import MarkdownRenderer
    from coursegen.model import Course
    from coursegen.output import SitePlan
    from coursegen.render import SiteRenderer

DECK_TEMPLATE = "slides.html"
# the theme's files only decks load (static/…): left out of a site that has no deck
DECK_ASSETS = (
    "vendor/reveal/reveal.js",
    "vendor/reveal/reveal.css",
    "vendor/reveal/notes.js",
    "vendor/reveal/LICENSE",
    "slides.css",
    "slides.js",
)


def place_decks(course: Course, course_slides: bool, diagnostics: Diagnostics) -> None:
    """Set `deck` on each lesson that has one. A deck whose path is already another file's of the
    site (`x.slides.md` beside `x.md`) is not made, and its lesson offers none, with a warning."""
    wanted = [(page, url) for page in course.pages if (url := deck_url(page, course_slides))]
    if not wanted:  # most courses: no file names to gather
        return
    # whatever the case: two names differing only by case clash on macOS and Windows
    taken = {url.casefold(): target for url, target in (*course.by_site_rel.items(), *course.by_url.items())}
    for page, url in wanted:
        other = taken.get(url.casefold())
        if other is not None:
            diagnostics.warning(
                page.rel,
                f"its slide deck is not made: '{other.rel}' is already published as '{url}'",
                "rename one of them",
                kind="files",
            )
            continue
        page.deck = url


def render_decks(run, plan: SitePlan, config: CourseConfig, course: Course, bodies: dict, renderer) -> None:
    """The deck of every lesson that asks for one (a stage of build.render_site)."""
    decks = [(page, page.deck) for page in course.pages if page.deck]
    if not decks:
        for name in DECK_ASSETS:
            plan.discard(f"static/{name}")
        return
    maker = DeckMaker(course, renderer.strings, run.body_settings)
    for page, url in decks:
        try:
            _render_deck(run, plan, maker, renderer, page, url, bodies[page.url])
        except CoursegenError as problem:  # its path is another file's (`x.slides.md` beside `x.md`)
            found = problem.diagnostic
            run.diagnostics.warning(
                page.rel, f"its slide deck was not written: {found.message}", found.hint, kind="files"
            )
    run.clock.lap("slide decks")


def _render_deck(run, plan: SitePlan, maker: DeckMaker, renderer: SiteRenderer, page: Page, url: str, body):
    if body.error:  # the lesson's source is broken: its deck stays as it was, if there was one
        if plan.manifest is not None and url in plan.manifest.entries:
            plan.keep_previous(url, page.rel)
        return
    signature = digest("deck", renderer.page_signature(page, DECK_TEMPLATE, body)) if body.key else ""

    def make(local: Diagnostics) -> str | None:
        slides_html = maker.render(page, local)
        if slides_html is None:
            return None
        return renderer.render_page(page, slides_html, [], local, template_name=DECK_TEMPLATE)

    # COURSEGEN_VERIFY=1: a kept deck is made again and compared (build._Run.kept)
    if run.kept(plan, url, page.rel, signature, lambda: make(Diagnostics()) or ""):
        return
    local = Diagnostics()
    html = make(local)
    if html is None:
        run.report("", local)
        return
    local.items = _new_findings(local, run.diagnostics, page.rel)
    run.report(signature, local)
    plan.add_text(url, html, page.rel, signature)


def _new_findings(local: Diagnostics, reported: Diagnostics, rel: str) -> list:
    """What the deck says that its lesson did not already say (a bad link in a slide-only block);
    the rest was reported when the lesson was made."""
    seen = {(item.line, item.message) for item in reported.items if item.path == rel}
    return [item for item in local.items if item.path != rel or (item.line, item.message) not in seen]


class DeckMaker:
    """Renders lessons as slides: a Markdown renderer set up as the lesson pages' own (so whatever
    they leave out of this edition, decks leave out too) whose tree processors keep what decks
    show (slides_markdown.py); made on the first deck to render."""

    def __init__(self, course: Course, strings, settings: BodySettings):
        self.course = course
        self.strings = strings
        self.settings = settings
        # the lessons' kept code and formulas, only read (`coursegen check` may use them too)
        from coursegen.bodies import fragments_version

        self.fragments = (
            FragmentCache(settings.root, fragments_version(), read_only=True) if settings.cache else None
        )
        self._markdown: MarkdownRenderer | None = None

    def markdown(self) -> MarkdownRenderer:
        if self._markdown is None:
            from coursegen.bodies import BodyRenderer
            from coursegen.slides_markdown import LESSON_ONLY_NAME, DeckSlides

            self._markdown = BodyRenderer(self.course, self.strings, self.settings).markdown()
            md = self._markdown.md
            md.treeprocessors.deregister(LESSON_ONLY_NAME)
            # after the links (1) are rewritten and the headings get their ids and permalinks (5)
            md.treeprocessors.register(DeckSlides(md), "coursegen-deck-slides", 0.5)
        return self._markdown

    def render(self, page: Page, diagnostics: Diagnostics) -> str | None:
        """The slides' HTML (the `<section>`s), or None when the lesson can't be read again."""
        from coursegen.markdown_render import FragmentMemo

        try:
            text, first_line = markdown_body(page)
        except (OSError, ValueError) as problem:  # changed or gone since it was read
            diagnostics.error(
                page.rel,
                f"its slide deck could not be made: the file could not be read again ({problem})",
                "build again",
                kind="build",
            )
            return None
        markdown = self.markdown()
        markdown.memo = FragmentMemo(self._kept_fragments(page))  # the lesson's code and formulas
        try:
            return markdown.render(page, text, first_line, diagnostics).html
        except RecursionError:  # reported by the lesson page already
            return None
        except Exception as problem:  # a bug or an input no library expected: report it, build the rest
            if self.settings.debug:
                raise
            diagnostics.error(
                page.rel,
                f"its slide deck could not be made ({type(problem).__name__}: {problem})",
                "please report this to the coursegen developers with the file",
                kind="build",
            )
            return None
        finally:
            markdown.memo = None

    def _kept_fragments(self, page: Page) -> dict | None:
        """The highlighted code and formulas the lesson's own render kept: the deck shows the
        same, without starting Pygments' lexers or the math engine again."""
        return self.fragments.get(page.url) if self.fragments is not None else None
