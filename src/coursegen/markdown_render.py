"""Markdown → HTML with links rewritten on the course graph, a table of contents and anchor ids."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import markdown

from coursegen.course import resolve_link, suggest_link
from coursegen.edition_filter import EditionFilter
from coursegen.editions import Edition
from coursegen.equations import ENCODED
from coursegen.errors import Diagnostics, shorten
from coursegen.markdown_budget import DEFAULT_SECONDS, ConversionStopped, Deadline, MarkdownTooSlow
from coursegen.markdown_state import AnchorLink, RenderState
from coursegen.markdown_tree import FrenchTypography, HeadingShift, LinkRewriter, link_needles
from coursegen.math_macros import PageMacros
from coursegen.mathml import MathExtension
from coursegen.model import Course, Page, target_url
from coursegen.quiz import QuizExtension
from coursegen.slides_markdown import LESSON_ONLY_NAME, LessonOnly
from coursegen.slugs import heading_slug
from coursegen.tabs import TabPrintLabels, TaskListLabels
from coursegen.urls import relative_url, split_href

EQUATION_REFERENCE = "#" + ENCODED
_ID = re.compile(r'\bid="([^"]+)"')


@dataclass
class RenderedMarkdown:
    html: str
    toc: list[dict[str, Any]] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)
    anchor_links: list[AnchorLink] = field(default_factory=list)
    remote: list = field(
        default_factory=list
    )  # media loaded from other sites: see remote_media.RemoteReference
    cacheable: bool = True  # False for a notebook whose run failed: the next build tries again


class FragmentMemo:
    """Results of the costly pure conversions inside one page — highlighted code blocks and LaTeX
    formulas — by their exact input, seeded with those of the page's previous render.

    An edit to a lesson rarely touches its code or formulas: with the memo, rebuilding it doesn't
    set up Pygments' lexers (their regular expressions are compiled on first use in each process,
    ~25 ms for Python) nor start the math engine (V8 and Temml, ~0.2 s) for what did not change.
    """

    def __init__(self, seed: Mapping[str, str] | None = None):
        self.seed = dict(seed or {})
        self.used: dict[str, str] = {}

    def peek(self, kind: str, inputs: tuple) -> str | None:
        """The result kept for `inputs`, without computing it."""
        key = self._key(kind, inputs)
        return self.used.get(key) or self.seed.get(key)

    @staticmethod
    def _key(kind: str, inputs: tuple) -> str:
        return hashlib.sha256(repr((kind, inputs)).encode("utf-8")).hexdigest()[:32]

    def get(self, kind: str, inputs: tuple, compute) -> str:
        """`compute()`'s result for `inputs`; its errors are not remembered (they propagate)."""
        key = self._key(kind, inputs)
        value = self.used.get(key) or self.seed.get(key)
        if value is None:
            value = compute()
        self.used[key] = value
        return value


def _memo_highlight_extension(renderer: MarkdownRenderer, **config):
    """pymdownx.highlight whose code blocks go through the renderer's FragmentMemo (superfences
    asks the extension for its highlighter class)."""
    from pymdownx.highlight import Highlight, HighlightExtension

    class MemoHighlight(Highlight):
        def highlight(self, src, language, *args, **kwargs):
            memo = renderer.memo
            if (
                memo is None or kwargs.get("inline") or self.title_mode == "html"
            ):  # html titles go to the stash
                return Highlight.highlight(self, src, language, *args, **kwargs)
            settings = sorted((name, value) for name, value in vars(self).items() if name != "md")
            return memo.get(
                "highlight",
                (src, language, args, sorted(kwargs.items()), settings),
                lambda: Highlight.highlight(self, src, language, *args, **kwargs),
            )

    class MemoHighlightExtension(HighlightExtension):
        def get_pymdownx_highlighter(self):
            return MemoHighlight

    return MemoHighlightExtension(**config)


class MarkdownRenderer:
    """One Markdown converter per process, reset between documents (creating one costs ~10 ms).

    `memo`, when set (by the body renderer, per page), keeps highlighted code and formulas."""

    EXTENSIONS = [
        "tables",
        "footnotes",
        "attr_list",
        "def_list",
        "admonition",
        "md_in_html",
        "sane_lists",
        "pymdownx.superfences",
        "pymdownx.tasklist",
        "pymdownx.details",
        "pymdownx.tabbed",
        "pymdownx.magiclink",
        "toc",
    ]

    def __init__(
        self,
        course: Course,
        strings: Mapping[str, str] | None = None,
        sanitize: bool = False,
        line_numbers: bool = False,
        math_macros: Mapping[str, str] | None = None,
        language: str = "en",
        typography: bool = True,
        edition: Edition | None = None,
        flavors=None,
        max_seconds: float = DEFAULT_SECONDS,
        deadline: Deadline | None = None,
    ):
        if strings is None:
            from coursegen.strings import interface_strings

            strings = interface_strings("en", {}, Diagnostics())
        self.edition = edition = edition or Edition()
        self.course = course
        self.strings = strings
        self.sanitize = sanitize
        self.flavors = flavors  # myst.Flavors: MyST and Material pages become coursegen Markdown first
        self.memo: FragmentMemo | None = None
        self.max_seconds, self.deadline = max_seconds, deadline or Deadline()  # see markdown_budget.py
        self.math = MathExtension(self, dict(math_macros or {}))
        # line numbers: course-wide with theme.line_numbers, or per block with ```python linenums="1"
        highlight = _memo_highlight_extension(
            self, css_class="highlight", guess_lang=False, use_pygments=True, linenums=line_numbers or None
        )
        self.md = markdown.Markdown(
            # *[CPU]: Central Processing Unit — MkDocs-Material courses use it (only with another flavour)
            extensions=[
                *self.EXTENSIONS,
                *(["abbr"] if flavors else []),
                highlight,
                self.math,
                QuizExtension(strings, edition.solutions),
            ],
            extension_configs={
                "pymdownx.tasklist": {"custom_checkbox": False},
                "pymdownx.superfences": {
                    "custom_fences": [{"name": "mermaid", "class": "mermaid", "format": self._diagram_fence}]
                },
                # tabs: radio inputs and labels that work without JavaScript; coursegen.js adds the tab roles
                "pymdownx.tabbed": {"alternate_style": True, "slugify": heading_slug},
                "pymdownx.magiclink": {"hide_protocol": False},
                "toc": {"slugify": heading_slug, "permalink": "#", "permalink_title": "", "toc_depth": "2-3"},
                "footnotes": {"BACKLINK_TITLE": ""},
            },
            output_format="html",
        )
        self.language, self.typography = language, typography
        self._register_tree_processors(edition)
        self.state: RenderState | None = None

    def _register_tree_processors(self, edition: Edition) -> None:
        """coursegen's own steps on the parsed tree, each at its place among the extensions'."""
        # what the edition leaves out: blocks before any other processor reads them (quizzes: 26,
        # formulas: 19), and again once `{.solution}` attribute lists are applied (8)
        self.edition_filters = [
            EditionFilter(self.md, edition, before_inline=True),
            EditionFilter(self.md, edition),
        ]
        self.md.treeprocessors.register(self.edition_filters[0], "coursegen-edition", 30)
        self.md.treeprocessors.register(self.edition_filters[1], "coursegen-edition-attributes", 7.9)
        self.md.treeprocessors.register(TabPrintLabels(self.md), "coursegen-tab-labels", 8)
        self.md.treeprocessors.register(TaskListLabels(self.md), "coursegen-task-labels", 8)
        # speaker notes and slide-only blocks: for decks (slides.py), never on a page; after attr_list (8)
        self.md.treeprocessors.register(LessonOnly(self.md), LESSON_ONLY_NAME, 7.5)
        # French spacing before the table of contents (5) takes the headings' words
        self.md.treeprocessors.register(FrenchTypography(self.md, self._french), "coursegen-typography", 7)
        self.md.treeprocessors.register(
            HeadingShift(self.md, self), "coursegen-heading-shift", 6
        )  # before toc (5)
        self.md.treeprocessors.register(LinkRewriter(self.md, self), "coursegen-links", 1)

    def render(
        self,
        page: Page,
        text: str,
        first_line: int,
        diagnostics: Diagnostics,
        where: str = "",
        demote: bool | None = None,
        math_page: PageMacros | None = None,
    ) -> RenderedMarkdown:
        """`first_line` is the file line of the text's first line (0: no lines of its own, e.g. a
        notebook cell, then `where` — "cell 4" — is added to the messages).

        `math_page`, for a page made of several texts (a notebook's cells), carries the macros its
        formulas define from one text to the next; the caller then numbers the page's equations
        itself (`number_page_equations`), once the page is whole."""
        if where:
            local = Diagnostics()
            rendered = self.render(page, text, first_line, local, demote=demote, math_page=math_page)
            for item in local.items:
                diagnostics.items.append(replace(item, message=f"{item.message} (in {where})"))
            return rendered
        if _nesting_depth(text) > MAX_NESTING:
            # Python-Markdown recurses per level and takes minutes before its RecursionError
            raise RecursionError("too deeply nested")
        self.state = RenderState(page, text, first_line, diagnostics, demote)
        self.math.on_error = lambda latex, problem: _report_math_problem(self.state, latex, problem)
        self.math.page = math_page if math_page is not None else PageMacros(self.math.course_macros)
        self.md.reset()
        if self.flavors is not None:
            text = self.flavors.prepare(page, text, first_line, diagnostics, self.course, math_page)
        for edition_filter in self.edition_filters:
            edition_filter.prepare(text)
        try:
            html = self.deadline.run(self.max_seconds, lambda: self.md.convert(text))
        except ConversionStopped:  # the converter's state is half-done: the caller drops this renderer
            raise MarkdownTooSlow(self.max_seconds, text) from None
        ids: set[str] = set()
        if math_page is None:
            html, ids = number_page_equations(html, page, diagnostics, self.state.line_of)
        if self.sanitize:
            from coursegen.sanitize import sanitize_html

            html = sanitize_html(html)
        toc = _toc_entries(getattr(self.md, "toc_tokens", []))
        result = RenderedMarkdown(
            html=html, toc=toc, anchors=set(_ID.findall(html)) | ids, anchor_links=self.state.anchor_links
        )
        self.state = None
        return result

    def _french(self) -> bool:
        """French typography for the page being converted: its language, else the course's."""
        page = self.state.page if self.state is not None else None
        return self.typography and ((page.meta.language if page is not None else "") or self.language) == "fr"

    def _diagram_fence(self, source: str, language: str, css_class: str, options, md, **kwargs) -> str:
        """A ```mermaid fence: SVG drawn now (diagrams.py), or the code and a warning."""
        from coursegen import diagrams

        state = self.state
        lines = source.splitlines()
        offset = next((i for i, line in enumerate(lines) if line.strip()), 0)
        # every diagram is located, in order, so that the next search starts after this one
        start = state.line_of(lines[offset].strip()) if state is not None and lines else None
        try:
            if self.memo is None:
                svgs = diagrams.draw(source)
            else:
                light, dark = self.memo.get(
                    "diagram", (source,), lambda: "\0".join(vars(diagrams.draw(source)).values())
                ).split("\0")
                svgs = diagrams.DiagramSvgs(light, dark)
        except diagrams.DiagramError as problem:
            line = start - offset + problem.line - 1 if start is not None and problem.line else start
            if state is not None:
                state.diagnostics.warning(
                    state.page.rel,
                    f"Mermaid diagram could not be drawn ({problem})",
                    "it is shown as code; see the syntax at mermaid.js.org",
                    line=line,
                    kind="diagrams",
                )
            return (
                f'<div class="highlight diagram-source"><pre><code>{html.escape(source)}</code></pre></div>'
            )
        return diagrams.figure_html(source, svgs, self.strings["diagram_words"])

    def check_external(self, href: str, state: RenderState) -> None:
        """Links left as written: warn about the ones that run code or break the site's portability."""
        scheme = href.split(":", 1)[0].strip().lower() if ":" in href else ""
        if scheme in ("javascript", "vbscript", "data"):
            state.diagnostics.warning(
                state.page.rel,
                f"link '{shorten(href, 40)}' runs code in the reader's browser",
                "link to a page or file instead (or set markdown.sanitize: true)",
                line=state.line_of(*link_needles(href)),
                kind="links",
            )
        elif href.startswith("/") and not href.startswith("//"):
            state.diagnostics.warning(
                state.page.rel,
                f"absolute link '{shorten(href, 40)}' breaks when the site is opened from a sub-folder or "
                "from a file",
                "write it relative to this file, e.g. ../module6/index.md",
                line=state.line_of(*link_needles(href)),
                kind="links",
            )

    def rewrite(self, href: str, state: RenderState, is_image: bool) -> str:
        page = state.page
        if href.startswith(EQUATION_REFERENCE):  # \eqref: resolved with the page's equation numbers
            return href
        path, fragment = split_href(href)
        if not path:  # "#part" on the same page
            if fragment:
                state.anchor_links.append((page.url, fragment, href, state.line_of(*link_needles(href))))
            return href
        target = resolve_link(self.course, page, path)
        if target is None:
            guess = suggest_link(self.course, page, path)
            what = "image" if is_image else "link"
            state.diagnostics.warning(
                page.rel,
                f"{what} '{href}' leads nowhere",
                f"did you mean '{guess}'?" if guess else "check the path (it is relative to this file)",
                line=state.line_of(*link_needles(href)),
                kind="links",
            )
            return href
        if fragment and isinstance(target, Page):
            state.anchor_links.append((target.url, fragment, href, state.line_of(*link_needles(href))))
        url = target_url(target)
        return relative_url(url, page.url, fragment)


def _report_math_problem(state: RenderState, latex: str, problem) -> None:
    line = state.line_of(f"${latex}$", f"\\({latex}", f"\\[{latex}", latex)
    if problem.unknown.startswith("\\begin{"):
        message = f"unknown LaTeX environment '{problem.unknown[7:-1]}' in '{shorten(latex, 40)}'"
        hint = "shown as code; check its spelling (e.g. aligned, cases, pmatrix)"
    elif problem.unknown:
        message = f"unknown LaTeX command '{problem.unknown}' in '{shorten(latex, 40)}'"
        hint = "shown as code; check its spelling, or define it (\\newcommand in the page, math.macros in course.yml)"
    else:
        message, hint = f"invalid LaTeX '{shorten(latex, 40)}' ({problem})", "shown as code; fix the formula"
    state.diagnostics.warning(state.page.rel, message, hint, line=line, kind="math")


def number_page_equations(
    html: str, page: Page, diagnostics: Diagnostics, line_of=None
) -> tuple[str, set[str]]:
    """Equation numbers, ids and reference links of a whole page (see equations.py); unknown and
    duplicate labels become warnings, at their line when `line_of` can find it."""
    if "cgl-" not in html and "tml-eqn" not in html:  # no numbered equation, no reference
        return html, set()
    from coursegen.equations import number_equations

    def report(problem) -> None:
        line = None
        for _ in range(problem.occurrence if line_of is not None else 0):
            line = line_of(problem.needle)
        diagnostics.warning(page.rel, problem.message, problem.hint, line=line, kind="math")

    return number_equations(html, report)


MAX_NESTING = 100  # levels of quotes or lists: far beyond any lesson, well before any trouble
_QUOTES = re.compile(r"^(?:[ \t]*>)+", re.MULTILINE)
_INDENT = re.compile(r"^([ \t]*)(?:[-*+]|\d+[.)])[ \t]", re.MULTILINE)


def _nesting_depth(text: str) -> int:
    """How deep quotes (`> > >`) or list items (by indentation) go, without parsing."""
    quotes = max((match.group(0).count(">") for match in _QUOTES.finditer(text)), default=0)
    indent = max((len(match.group(1).expandtabs(4)) for match in _INDENT.finditer(text)), default=0)
    return max(quotes, indent // 2)


def _toc_entries(tokens: list[dict]) -> list[dict[str, Any]]:
    """Keep headings of level 2 and 3 for the in-page table of contents, nested."""
    entries: list[dict[str, Any]] = []
    for token in tokens:
        children = _toc_entries(token.get("children", []))
        if token["level"] in (2, 3):
            entries.append(
                {
                    "id": token["id"],
                    "title": _plain(token["name"]),
                    "level": token["level"],
                    "children": children if token["level"] == 2 else [],
                }
            )
        else:
            entries.extend(children)
    return entries


def _plain(name: str) -> str:
    """Toc token names are HTML-escaped already; give templates plain text (they escape again)."""
    return html.unescape(name)
