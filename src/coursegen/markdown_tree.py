"""Markdown's tree, once parsed: the heading outline (levels shifted under the page title, jumps
reported), images without alt text, every relative link rewritten to the page it leads to, and
French typography (typography.spaced) over every text."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from markdown.treeprocessors import Treeprocessor

from coursegen.errors import shorten
from coursegen.markdown_state import RenderState
from coursegen.typography import SKIPPED_TAGS, spaced
from coursegen.urls import is_external

if TYPE_CHECKING:
    from coursegen.markdown_render import MarkdownRenderer

HEADINGS = {f"h{n}": n for n in range(1, 7)}
# in-page links the extensions write (permalinks, footnote references and back-references): right
# by construction, and not in the source, so looking for their line would scan the whole text each
_GENERATED_LINKS = frozenset({"headerlink", "footnote-ref", "footnote-backref"})
_RAW_LINK = re.compile(
    r"""(<(a|img|source|video|audio)\b[^>]*?\s(?:href|src)=)(["'])(.*?)\3""", re.IGNORECASE | re.DOTALL
)


def link_needles(href: str) -> tuple[str, ...]:
    """How a link to `href` can be written: Markdown `](href`, autolink `<href>`, HTML `="href"`."""
    return (f"]({href}", f"]( {href}", f"]: {href}", f'="{href}"', f"='{href}'", f"<{href}>", href)


class HeadingShift(Treeprocessor):
    """The page title is the page's only h1: a body that also uses `#` headings gets all its
    headings one level down (h1 → h2 …), so the outline stays whole."""

    def __init__(self, md, renderer: MarkdownRenderer):
        super().__init__(md)
        self.renderer = renderer

    def run(self, root):
        demote = self.renderer.state.demote
        if demote is None:
            demote = any(True for _ in root.iter("h1"))
        if demote:
            for element in root.iter():
                if element.tag in HEADINGS and element.tag != "h6":
                    element.tag = f"h{HEADINGS[element.tag] + 1}"
        return None


class LinkRewriter(Treeprocessor):
    """Rewrites `href`/`src` of relative links to the page they lead to, on the source graph."""

    def __init__(self, md, renderer: MarkdownRenderer):
        super().__init__(md)
        self.renderer = renderer

    def run(self, root):
        state = self.renderer.state
        level = 1  # the page title is the h1: a body's first heading should be h2
        for element in root.iter():
            if element.tag in HEADINGS:
                new_level = HEADINGS[element.tag]
                if new_level > level + 1:
                    text = _heading_text(element)
                    state.diagnostics.warning(
                        state.page.rel,
                        f"heading '{shorten(text, 40)}' jumps from level {level} to {new_level}",
                        f"use {'#' * (level + 1)} for it (the page title is level 1), so screen readers "
                        "can follow the outline",
                        line=state.line_of(text) if text else None,
                        kind="headings",
                    )
                level = new_level
            if element.tag == "img" and not (element.get("alt") or "").strip():
                src = element.get("src") or ""
                state.diagnostics.warning(
                    state.page.rel,
                    f"image '{shorten(src, 40)}' has no alt text",
                    "describe it for readers who can't see it: ![description](image.png)",
                    line=state.line_of(*link_needles(src)) if src else None,
                    kind="alt-text",
                )
            if element.tag == "a" and _GENERATED_LINKS.intersection((element.get("class") or "").split()):
                continue
            attribute = {"a": "href", "img": "src", "source": "src", "video": "src", "audio": "src"}.get(
                element.tag
            )
            if attribute is None:
                continue
            href = element.get(attribute)
            if not href:
                continue
            if is_external(href):
                self.renderer.check_external(href, state)
                continue
            element.set(attribute, self.renderer.rewrite(href, state, is_image=element.tag != "a"))
        self._rewrite_raw_html(state)
        return None

    def _rewrite_raw_html(self, state: RenderState) -> None:
        """Links written as HTML (`<a href="x.md">`) are stashed as text: rewrite them the same way.
        Code blocks are stashed too, but escaped (`&quot;`), so the pattern never matches inside."""
        stash = self.md.htmlStash.rawHtmlBlocks

        def rewrite(match: re.Match) -> str:
            href = html.unescape(match.group(4))
            if not href:
                return match.group(0)
            if is_external(href):
                self.renderer.check_external(href, state)
                return match.group(0)
            new = self.renderer.rewrite(href, state, is_image=match.group(2).lower() != "a")
            return f"{match.group(1)}{match.group(3)}{html.escape(new, quote=True)}{match.group(3)}"

        for index, block in enumerate(stash):
            if isinstance(block, str) and ("href=" in block or "src=" in block):
                stash[index] = _RAW_LINK.sub(rewrite, block)


def _heading_text(heading) -> str:
    """The heading's words, without the permalink anchor the toc extension appends."""
    parts = [heading.text or ""]
    for child in heading:
        if "headerlink" not in (child.get("class") or ""):
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts).strip()


class FrenchTypography(Treeprocessor):
    """Runs `spaced` over every text of the page, in reading order, skipping SKIPPED_TAGS."""

    def __init__(self, md, enabled):
        super().__init__(md)
        self.enabled = enabled  # a callable: is typography on for the document being converted?

    def run(self, root):
        if not self.enabled():
            return None
        before = ""
        for owner, attribute in _typography_texts(root):
            value = getattr(owner, attribute) if attribute else None
            if value:
                setattr(owner, attribute, type(value)(spaced(value, before)))  # keeps AtomicString
                before = value[-1]
            elif attribute != "text":
                before = "x"  # after code, math or an image: as after a word
        return None


def _typography_texts(element) -> Iterator[tuple[object, str | None]]:
    """(element, "text" | "tail") for every text in document order; (element, None) in place of
    the texts of a skipped element."""
    if element.tag in SKIPPED_TAGS:
        yield element, None
    else:
        yield element, "text"
        for child in element:
            yield from _typography_texts(child)
        if not len(element) and not element.text:
            yield element, None
    yield element, "tail"
