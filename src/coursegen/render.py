"""Render pages through the theme's Jinja templates."""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path

import jinja2
from markupsafe import Markup

from coursegen import views
from coursegen.cache import code_digest, digest
from coursegen.config import CourseConfig
from coursegen.editions import Edition
from coursegen.errors import Diagnostic, Diagnostics
from coursegen.frontmatter import PageMeta
from coursegen.model import Course, Page, PageKind
from coursegen.strings import format_number
from coursegen.theme import Theme, make_environment
from coursegen.typography import spaced
from coursegen.urls import relative_url

TEMPLATE_BY_KIND = {
    PageKind.HOME: "home.html",
    PageKind.SECTION: "section.html",
    PageKind.LESSON: "lesson.html",
    PageKind.NOTEBOOK: "notebook.html",
}
NOT_FOUND_URL = "404.html"
TAGS_URL = "tags.html"


class SiteRenderer:
    def __init__(
        self,
        config: CourseConfig,
        course: Course,
        theme: Theme,
        strings: Mapping[str, str],
        bytecode_dir: Path | None = None,
        edition: Edition | None = None,
    ):
        self.config = config
        self.edition = edition or Edition()
        self.timing: dict = {}  # section URL → timing.TimingSheet, in the instructor's edition
        self.course = course
        self.theme = theme
        self.strings = strings
        self.env = make_environment(theme, bytecode_dir=bytecode_dir)
        self.lenient_env = make_environment(theme, strict=False)
        for env in (self.env, self.lenient_env):  # numbers in the course's language: {{ n | number }}
            env.filters["number"] = lambda value, language=config.language: format_number(value, language)
            env.filters["typo"] = self._typography_filter
            env.globals["module_lessons"] = self._module_lessons
        self.course_view = views.course_view(config, course)
        # (tag, pages): what tags.html shows but its anchors, which are worked out from the tags
        # (and import Markdown's slug rule) only when a page with tags is rendered
        self.tag_pages = views.tag_pages(course)
        self.has_tags = bool(self.tag_pages)  # tag chips link to tags.html only when it is written
        # section URL → (its print page, its PDF or ""), set by the print stage (printing/stage.py)
        self.print_links: dict[str, tuple[str, str]] = {}
        self._fingerprint: str | None = None
        self.link = views.LinkViews()
        # in every page's context, and named by fingerprint(): not written out again for each page
        self._context_text = ContextText({"course": self.course_view, "strings": self.strings})
        # a module's lesson list by (environment, list, folder, language), kept with the list it names
        self._lesson_lists: dict[tuple, tuple[object, str]] = {}

    @jinja2.pass_context
    def _typography_filter(self, context, text):
        """`{{ page.title | typo }}`: French spacing for texts of the front matter, when the page is
        in French and course.yml does not say `typography: false` (never use it in attributes)."""
        if text is None or not self.config.typography or context.get("lang") != "fr":
            return text
        return spaced(str(text))

    @jinja2.pass_context
    def _module_lessons(self, context) -> Markup:
        """`{{ module_lessons() }}`: partials/module-lessons.html for the page's module, made once per
        module and folder (its links are relative to the folder) and given the current lesson's
        aria-current by its href. What it is made from is in every lesson's signature."""
        page, rel, env = context["page"], context["rel"], context.environment
        key = (id(env), id(page.module_lessons), posixpath.dirname(page.url), context.get("lang"))
        made = self._lesson_lists.get(key)
        if made is None:
            shared = {name: context.get(name) for name in ("course", "t", "lang", "rel", "static", "edition")}
            html = env.get_template("partials/module-lessons.html").render(
                lessons=page.module_lessons, **shared
            )
            made = self._lesson_lists[key] = (page.module_lessons, html)
        href = f'href="{Markup.escape(rel(page.url))}"'
        return Markup(made[1].replace(href, f'{href} aria-current="page"', 1))

    def check_templates(self, root: Path, diagnostics: Diagnostics) -> bool:
        """Compile every template once; syntax errors name the template file and line."""
        ok = True
        seen: set[str] = set()
        for folder in self.theme.template_dirs:
            for path in sorted(folder.rglob("*.html")):
                name = path.relative_to(folder).as_posix()
                # a built-in template the course overrides stays reachable as theme/<name>
                loaded_as = (
                    f"theme/{name}" if name in seen and folder == self.theme.builtin / "templates" else name
                )
                seen.add(name)
                try:
                    self.env.get_template(loaded_as)
                except jinja2.TemplateSyntaxError as error:
                    shown = (
                        path.relative_to(root).as_posix()
                        if path.is_relative_to(root)
                        else f"(built-in theme) {name}"
                    )
                    diagnostics.error(
                        shown,
                        f"template syntax error: {error.message}",
                        "fix the template",
                        line=error.lineno,
                        kind="template",
                    )
                    ok = False
                except UnicodeDecodeError:
                    diagnostics.error(
                        name, "template is not valid UTF-8", "save it as UTF-8", kind="template"
                    )
                    ok = False
        return ok

    def template_for(self, page: Page, diagnostics: Diagnostics) -> str:
        chosen = page.meta.template
        default = TEMPLATE_BY_KIND[page.kind]
        if not chosen:
            return default
        line = page.meta.lines.get("template")
        if posixpath.isabs(chosen) or ".." in chosen.split("/") or "\\" in chosen:
            diagnostics.error(
                page.rel,
                f"template '{chosen}' must be a name inside templates/",
                f"using {default}",
                line=line,
                kind="template",
            )
            return default
        try:
            self.env.get_template(chosen)
        except jinja2.TemplateNotFound:
            looked = ", ".join(str(d) for d in self.theme.template_dirs)
            diagnostics.error(
                page.rel,
                f"template '{chosen}' not found (looked in {looked})",
                f"using {default}",
                line=line,
                kind="template",
            )
            return default
        return chosen

    def fingerprint(self) -> str:
        """Everything every page depends on: templates, strings, settings, the course's sections,
        and the code that builds the views."""
        if self._fingerprint is None:
            parts: list = [repr(self.config), repr(sorted(self.strings.items())), repr(self.course_view)]
            parts.append(self.edition.key)
            # with the code (all of it, see code_digest): signatures name pages by their bytes
            parts.append(code_digest())
            for folder in (*self.theme.template_dirs, self.theme.builtin / "templates"):
                for path in sorted(folder.rglob("*.html")):
                    parts += [str(path.relative_to(folder)), path.read_bytes()]
            self._fingerprint = digest(*parts)
        return self._fingerprint

    def page_signature(self, page: Page, template_name: str, body) -> str:
        """Names the page's HTML: same signature, same bytes (used to skip unchanged pages).

        The digest of the very context the template receives (`page_context`), so that no input
        of a page can be left out of its signature: only the body's HTML and contents list are
        named by the body's key (which names their bytes) rather than read, and the site-wide
        values (the course, the interface strings) by `fingerprint()`, which also names the
        templates and the code."""
        return self.sign(self.signed_context(page, body.error), template_name, body.key)

    def signed_context(self, page: Page, error: str = "") -> dict:
        """The page's template context without its body (content, contents list): what a page is
        signed by, and then rendered with once its body is added (`render_page(context=…)`), so
        that a page's views are made once per build."""
        return self.page_context(page, views.page_view(page, "", (), self.config, error, link=self.link))

    def sign(self, context: dict, template_name: str, body_key: str) -> str:
        """The signature of a page rendered from `context` (see `page_signature`)."""
        return digest(self.fingerprint(), template_name, body_key, self._context_text.of(context))

    def page_context(self, page: Page, page_view: views.PageView) -> dict:
        """What every template receives (docs/template-context.md)."""
        prev_section, next_section = views.neighbour_sections(page, self.link)
        print_url, pdf_url = self.print_links.get(page.url, ("", ""))
        return {
            "course": self.course_view,
            "page": page_view,
            "breadcrumbs": views.breadcrumbs(page, self.link),  # one tuple per section
            "prev": self.link(page.prev),
            "next": self.link(page.next),
            "prev_section": prev_section,
            "next_section": next_section,
            "t": self.strings,
            "lang": page.meta.language or self.config.language,
            "edition": self.edition.audience,  # learner | instructor (the banner, the timing sheet)
            "timing": self.timing.get(page.url),
            # site URLs are paths: a '#' in a file name is part of the name, not a fragment
            "rel": LinkFrom(page.url),
            "static": LinkFrom(page.url, "static/"),
            # a section's print page and PDF (empty when there is none)
            "print_url": print_url,
            "pdf_url": pdf_url,
            # where a tag chip leads: its entry on tags.html (empty when the course has no tags page)
            "tag_url": TagLink(page.url, self.has_tags),
        }

    def render_page(
        self,
        page: Page,
        content: str,
        toc: list[dict],
        diagnostics: Diagnostics,
        error: str = "",
        template_name: str = "",
        finding: Diagnostic | None = None,
        context: dict | None = None,
    ) -> str:
        """The page's HTML; with an `error`, the page that says it could not be rendered (`finding`:
        what the build reported about it, for its kind and place). `context`: the page's
        `signed_context`, already made to sign it (with the same `error`), given its body here."""
        template_name = template_name or self.template_for(page, diagnostics)
        kind, where = (finding.kind, finding.location) if finding and error else ("", "")
        if context is None:
            context = self.signed_context(page, error)
        context = {**context, "page": views.with_body(context["page"], content, toc, kind, where)}
        try:
            return self.env.get_template(template_name).render(context)
        except jinja2.UndefinedError as problem:
            # a misspelt variable: say where, and render with it empty (an error under --strict)
            what, hint = _undefined(problem, context)
            diagnostics.warning(
                page.rel or page.url,
                f"template {template_name}{_template_line(problem)}: {what}",
                hint,
                kind="template",
            )
            try:
                return self.lenient_env.get_template(template_name).render(context)
            except jinja2.TemplateError as second:
                problem = second
        except jinja2.TemplateError as problem_:
            problem = problem_
        except Exception as problem_:  # a template dividing by zero, calling a missing method…
            problem = problem_
        message = f"template {template_name}{_template_line(problem)}: {problem}"
        diagnostics.error(
            page.rel or page.url, message, "fix the template or the page's front matter", kind="template"
        )
        return self._error_page(page, message)

    def _error_page(self, page: Page, message: str) -> str:
        """The theme itself failed: a plain page that says so (in the course's language, coursegen's
        own message behind a disclosure), rather than an empty file."""
        t = self.strings
        title, where = escape(page.title), escape(t["error_where"].replace("{where}", page.rel or page.url))
        return (
            f'<!doctype html>\n<html lang="{escape(self.config.language)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{title}</title>\n</head>\n'
            f'<body>\n<main>\n<h1>{title}</h1>\n<div role="alert">\n<h2>{escape(t["page_error_title"])}</h2>\n'
            f'<p>{escape(t["page_error_text"])}</p>\n<p>{escape(t["error_cause_template"])}</p>\n'
            f"<p>{where}</p>\n"
            f'<details><summary>{escape(t["error_detail"])}</summary><pre lang="en">{escape(message)}</pre></details>\n'
            "</div>\n</main>\n</body>\n</html>\n"
        )

    def render_tags(self, diagnostics: Diagnostics) -> str:
        """tags.html: every tag with the pages that carry it."""
        page = Page(
            kind=PageKind.SECTION, url=TAGS_URL, folder="", title=self.strings["tags_title"], meta=PageMeta()
        )
        context = self.page_context(page, views.page_view(page, "", [], self.config))
        context["tags"] = [
            {"tag": tag, "id": anchor, "pages": pages}
            for tag, anchor, pages in views.tag_index(self.tag_pages)
        ]
        try:
            return self.env.get_template("tags.html").render(context)
        except jinja2.TemplateError as problem:
            message = f"template tags.html{_template_line(problem)}: {problem}"
            diagnostics.error(TAGS_URL, message, "fix the template", kind="template")
            return self._error_page(page, message)

    def render_not_found(self, diagnostics: Diagnostics) -> str:
        # a page outside the graph: no parent, no neighbours
        page = Page(
            kind=PageKind.SECTION,
            url=NOT_FOUND_URL,
            folder="",
            title=self.strings["not_found_title"],
            meta=PageMeta(),
        )
        context = self.page_context(page, views.page_view(page, "", [], self.config))
        try:
            return self.env.get_template("404.html").render(context)
        except jinja2.TemplateError as problem:
            message = f"template 404.html{_template_line(problem)}: {problem}"
            diagnostics.error("404.html", message, "fix the template", kind="template")
            return self._error_page(page, message)


@dataclass(frozen=True)
class LinkFrom:
    """`{{ rel(url, fragment) }}` / `{{ static(path) }}` in a template: the link from the page at
    `base` to a site URL (a value, not a closure: page signatures compare it)."""

    base: str
    prefix: str = ""

    def __call__(self, url: str, fragment: str = "") -> str:
        return relative_url(self.prefix + url, self.base, fragment)


@dataclass(frozen=True)
class TagLink:
    """`{{ tag_url(tag) }}`: where a tag chip leads (empty when the course has no tags page)."""

    base: str
    has_tags: bool

    def __call__(self, tag: str) -> str:
        return relative_url(TAGS_URL, self.base, views.tag_anchor(tag)) if self.has_tags else ""


class ContextText:
    """A template context as text that names all of it, for page signatures: every value, views
    (dataclasses) field by field, except the site-wide values given at the start (the course, the
    interface strings), named by a word. A value whose text would show a memory address (a lambda,
    an object without a repr of its own) would give every build another signature, or hide what
    it holds: it is refused.

    It runs for every page of every build: views shared by many pages (links, cards) and lists of
    them (a module's lessons, on each of its lessons) are written once per build, the rest by one
    `repr` of plain values."""

    SHARED = (views.LinkView, views.CardView)

    def __init__(self, site_wide: Mapping[str, object]):
        # what is named here is kept alive with its text: its id stays its own
        self._known: dict[int, tuple[object, _Text]] = {
            id(value): (value, _Text(f"<{name}>")) for name, value in site_wide.items()
        }
        self._lists: dict[tuple[int, ...], tuple[object, _Text]] = {}

    def of(self, context: Mapping) -> str:
        text = repr([*context, *self._items(context.values())])
        if " at 0x" in text:
            raise TypeError(f"a template context value has no text that names its content: {text[:300]}")
        return text

    PLAIN = frozenset((str, int, float, bool, type(None), Markup))  # written by repr as they are

    def _plain(self, value):
        """`value` with its views as plain lists, and what is known as its text."""
        kind = type(value)
        if kind in self.PLAIN:
            return value
        known = self._known.get(id(value))
        if known is not None:
            return known[1]
        if kind is tuple or kind is list:
            return self._list(value)
        if hasattr(kind, "__dataclass_fields__"):  # a view: field by field
            plain = (kind.__name__, self._items(vars(value).values()))
            if not isinstance(value, self.SHARED):
                return plain
            known = self._known[id(value)] = (value, _Text(repr(plain)))
            return known[1]
        return value  # mappings of plain values, dates of the front matter

    def _items(self, values) -> list:
        plain = self.PLAIN
        return [value if type(value) in plain else self._plain(value) for value in values]

    def _list(self, items):
        plain = self.PLAIN
        if not items or all(type(item) in plain for item in items):  # tags, topics: as they are
            return items
        ids = tuple(map(id, items))
        known = self._lists.get(ids)
        if known is None:
            plain = self._items(items)
            if not all(isinstance(item, self.SHARED) for item in items):
                return plain
            # named by the digest of its text: each page's own text stays short (a module's 50
            # lesson links are ~6 KB, hashed again on every lesson of the module otherwise)
            known = self._lists[ids] = (items, _Text(f"<list {digest(repr(plain))}>"))
        # the same tuple again (a module's lessons, on each of its lessons): found by its id, kept
        # alive with its text so that no other object takes that id
        self._known[id(items)] = (items, known[1])
        return known[1]


class _Text:
    """Text already made, written as it is by `repr`."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


_NO_ATTRIBUTE = re.compile(r"'coursegen\.views\.(\w+) object' has no attribute '([^']+)'")
_NOT_DEFINED = re.compile(r"'([^']+)' is undefined")


def _undefined(problem: jinja2.UndefinedError, context: dict) -> tuple[str, str]:
    """A misspelt template variable in the author's words, with the closest name that exists."""
    import difflib

    text = str(problem)
    names: list[str] = []
    if found := _NO_ATTRIBUTE.search(text):
        view, name = found.groups()
        cls = getattr(views, view, None)
        names = [field.name for field in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else []
        what = f"'{name}' is not a field of {view} (it is empty on this page)"
    elif found := _NOT_DEFINED.search(text):
        name = found.group(1)
        names = list(context)
        what = f"no variable '{name}' (it is empty on this page)"
    else:
        return text, "check the variable's name in docs/template-context.md"
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return what, (
        f"did you mean '{close[0]}'? " if close else ""
    ) + "the names are listed in docs/template-context.md"


def _template_line(problem: Exception) -> str:
    """The template line where a runtime error happened, read from the traceback."""
    tb = problem.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".html"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return f" line {line}" if line else ""


def highlight_css(light: str = "default", dark: str = "github-dark") -> str:
    """Pygments colours for code, light and dark, appended to the site's single stylesheet."""
    light_css, dark_css = (_token_colours(style) for style in (light, dark))
    dark_css = "\n".join("  " + line for line in dark_css.splitlines())
    # `screen and`: a printout stays light even from a dark-mode system
    return f"/* Code colours (Pygments '{light}' / '{dark}'), generated by coursegen */\n{light_css}\n@media screen and (prefers-color-scheme: dark) {{\n{dark_css}\n}}\n"


def _token_colours(style: str) -> str:
    """The `.highlight` rules of a Pygments style, without its "/* Comment.Single */" notes (a third
    of the bytes) nor its rules for bare `pre` and line numbers (the theme styles those)."""
    from pygments.formatters import HtmlFormatter

    css = HtmlFormatter(style=style, nobackground=True).get_style_defs(".highlight")
    return "\n".join(
        re.sub(r" /\*[^*]*\*/$", "", line) for line in css.splitlines() if line.startswith(".highlight ")
    )
