"""One page's rendered body made a chapter of a print page: its ids prefixed with the chapter's
anchor (unique in the print page), its links to pages of the same print page turned into `#…`
anchors and the others made relative to the print page, its headings shifted under the section,
its collapsed blocks (`<details>`) open.

Regular expressions over the tags, not an HTML parser: the HTML is ours (Markdown and nbconvert
output) and this runs over every lesson at every build. Scripts, styles and comments are passed
over as they are, except the ids a `<style>` names (diagrams' SVG styles name their own ids).
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from coursegen.urls import is_external, relative_url, split_href

_VALUE = r"""(?:"[^"]*"|'[^']*'|[^\s>"']+)"""
_ANY_ATTRIBUTES = rf"(?:\s+[^\s=>/]+(?:\s*=\s*{_VALUE})?)*"
# the attributes this module rewrites: a tag with none of them is never handed to Python (most tags
# of a body are code and math: <span class="n">, <mi>…)
_REWRITTEN = (
    r"id|href|xlink:href|src|poster|data|for|aria-labelledby|aria-describedby|aria-controls|aria-owns"
    r"|headers|list|style|fill|stroke|marker-start|marker-mid|marker-end|clip-path|mask|filter"
)
# a comment, a whole script or style element, a heading's or a details' tag, or a start tag with an
# attribute to rewrite (attribute values may hold '>')
_TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<(script|style)\b[^>]*>.*?</\1\s*>"
    rf"|</?(h[1-6]|details)\b({_ANY_ATTRIBUTES})\s*/?>"
    rf"|<([a-zA-Z][\w:-]*)((?:\s+[^\s=>/]+(?:\s*=\s*{_VALUE})?)*?\s+(?:{_REWRITTEN})\s*=\s*{_VALUE}{_ANY_ATTRIBUTES})\s*/?>",
    re.DOTALL | re.IGNORECASE,
)
_ATTRIBUTE = re.compile(r"([^\s=>/]+)(?:(\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_ID = re.compile(r"""\sid=(?:"([^"]*)"|'([^']*)')""")
_URL_REF = re.compile(r"url\(\s*#([^)\s]+)\s*\)")
_HEADING = re.compile(r"h[1-6]", re.IGNORECASE)
_ID_LISTS = {"for", "aria-labelledby", "aria-describedby", "aria-controls", "aria-owns", "headers", "list"}
_LINKS = {"href", "xlink:href"}
_SOURCES = {"src", "poster", "data"}


@dataclass(frozen=True)
class ChapterPlace:
    """Where a body goes: its page's URL, its anchor in the print page, how far its headings move."""

    page_url: str
    anchor: str
    shift: int


class ChapterRewriter:
    """Rewrites the bodies of one print page (at `book_url`); `anchors` maps the URL of every page
    the print page holds to its chapter's anchor."""

    def __init__(self, book_url: str, anchors: Mapping[str, str]):
        self.book_url = book_url
        self.anchors = anchors

    def rewrite(self, body: str, place: ChapterPlace) -> str:
        def token(match: re.Match) -> str:
            text = match.group(0)
            if text.startswith("<!--"):
                return text
            if match.group(1):  # script or style: only a style's own ids change
                return _style_ids(text, body, place.anchor) if match.group(1).lower() == "style" else text
            if match.group(2):
                return self._tag(text, match.group(2), match.group(3) or "", place)
            return self._tag(text, match.group(4), match.group(5), place)

        return _TOKEN.sub(token, body)

    def _tag(self, text: str, name: str, attributes: str, place: ChapterPlace) -> str:
        lower, original = name.lower(), name
        closing = text.startswith("</")
        if _HEADING.fullmatch(lower) and place.shift:  # under the section: h2 → h3 …, never past h6
            name = f"h{min(6, int(lower[1]) + place.shift)}"
        elif closing or not attributes and lower != "details":
            return text
        if closing:
            return f"</{name}>"
        changed = _ATTRIBUTE.sub(lambda m: self._attribute(m, place), attributes)
        if lower == "details" and not re.search(r"(?:^|\s)open(?:[\s=]|$)", changed):
            changed += " open"  # printed open: a reader of paper can't click
        if changed == attributes and name == original:
            return text
        end = "/>" if text.endswith("/>") else ">"
        return f"<{name}{changed}{end}"

    def _attribute(self, match: re.Match, place: ChapterPlace) -> str:
        name, equals, quoted = match.group(1), match.group(2), match.group(3)
        if not quoted:
            return match.group(0)
        quote = quoted[0] if quoted[0] in "\"'" else ""
        raw = quoted[1:-1] if quote else quoted
        value = html.unescape(raw)
        key = name.lower()
        if key == "id":
            new = f"{place.anchor}--{value}"
        elif key in _ID_LISTS:
            new = " ".join(f"{place.anchor}--{part}" for part in value.split())
        elif key in _LINKS:
            new = self._link(value, place)
        elif key in _SOURCES:
            new = self._file(value, place)
        elif "url(#" in value:
            new = _URL_REF.sub(lambda m: f"url(#{place.anchor}--{m.group(1)})", value)
        else:
            return match.group(0)
        if new == value:
            return match.group(0)
        return f'{name}{equals}"{html.escape(new, quote=True)}"'

    def _link(self, href: str, place: ChapterPlace) -> str:
        if href.startswith("#"):
            return f"#{place.anchor}--{href[1:]}" if len(href) > 1 else f"#{place.anchor}"
        if not href or is_external(href):
            return href
        path, fragment = split_href(href)
        target = _site_path(path, place.page_url)
        anchor = self.anchors.get(target)
        if anchor is not None:  # a page of this print page: a jump inside it
            return f"#{anchor}--{fragment}" if fragment else f"#{anchor}"
        return relative_url(target, self.book_url, fragment)

    def _file(self, src: str, place: ChapterPlace) -> str:
        if not src or is_external(src) or src.startswith("#"):
            return src
        path, fragment = split_href(src)
        return relative_url(_site_path(path, place.page_url), self.book_url, fragment)


def _style_ids(style: str, body: str, anchor: str) -> str:
    """A `<style>` element (a diagram's SVG has one) with the body's ids it names prefixed as they are."""
    ids = {match.group(1) or match.group(2) for match in _ID.finditer(body)}
    named = [name for name in ids if f"#{name}" in style]
    if not named:
        return style
    pattern = (
        "#(" + "|".join(re.escape(name) for name in sorted(named, key=len, reverse=True)) + r")(?![\w-])"
    )
    return re.sub(pattern, lambda m: f"#{anchor}--{m.group(1)}", style)


def _site_path(path: str, page_url: str) -> str:
    """The site path a relative URL written in the page at `page_url` leads to."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_url), path))
    if path.endswith("/") or joined == ".":
        joined = f"{joined}/index.html" if joined != "." else "index.html"
    return joined


def chapter_anchor(url: str, taken: set[str]) -> str:
    """A readable anchor for the chapter of the page at `url`, unique among `taken` (added to it):
    `module6/02_attention.html` → `module6--02_attention`, a section's `module6/index.html` → `module6`."""
    stem = (
        url.removesuffix("index.html").rstrip("/")
        if url.endswith("index.html")
        else url.removesuffix(".html")
    )
    base = (stem or "home").replace("/", "--")
    anchor, counter = base, 2
    while anchor in taken:
        anchor, counter = f"{base}-{counter}", counter + 1
    taken.add(anchor)
    return anchor
