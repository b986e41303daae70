"""Scanning HTML that coursegen itself made (Markdown and nbconvert output, well formed) or that an
author wrote in Markdown, with regular expressions: used where HTML is cut or taken apart (the
editions' left-out elements, in bodies and in the notebooks offered for download; the print pages'
quizzes). Nothing here imports Markdown: a build that renders no page never loads it."""

from __future__ import annotations

import re


def element_end(text: str, inside: int, name: str) -> int:
    """The index just past the end tag that closes an element `name` whose content starts at
    `inside` (elements of the same name nested in it are counted); the text's end if unclosed."""
    tags = re.compile(rf"<(/?){name}\b[^>]*>", re.IGNORECASE)
    depth = 1
    for tag in tags.finditer(text, inside):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return tag.end()
    return len(text)


# a start tag and its class attribute, in raw HTML a lesson holds (`<div class="solution">`)
_START_TAG = re.compile(r"<([a-zA-Z][\w-]*)\b([^>]*)>")
_CLASS = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# a `code` span (a run of backticks, and the same run again), where a tag shown is text, or an
# HTML comment, where it is not shown at all (cutting from it would leave the comment open)
_CODE_SPAN = re.compile(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)|<!--.*?-->", re.DOTALL)


def filter_raw_html(html: str, left_out: frozenset[str] | set[str], opened: set[str]) -> str:
    """`html` (a raw HTML block) without its elements of a class in `left_out` (their content and
    end tag too), and with its `<details>` of a class in `opened` open."""
    return _edited(html, html, left_out, opened, unclosed_to_end=False)


def filter_inline_html(text: str, left_out: frozenset[str] | set[str]) -> str:
    """A paragraph's text (Markdown not yet parsed) without its inline elements of a class in
    `left_out` (`<span class="solution">42</span>`), tags in `code` spans and comments left as they are. An
    element left unclosed is cut to the end of the text: an answer is never published by mistake."""
    masked = _CODE_SPAN.sub(lambda span: " " * len(span.group(0)), text)  # same offsets, no tags
    return _edited(text, masked, left_out, set(), unclosed_to_end=True)


def _edited(html: str, scanned: str, left_out, opened, unclosed_to_end: bool) -> str:
    """`html` with the cuts and openings found in `scanned` (the same text, or it with its code
    spans blanked out: the offsets are the same)."""
    pieces, last = [], 0
    for tag in _START_TAG.finditer(scanned):
        if tag.start() < last:  # inside an element already left out
            continue
        name, attributes = tag.group(1).lower(), tag.group(2)
        found = _CLASS.search(attributes)
        classes = (
            set(next(value for value in found.groups() if value is not None).split()) if found else set()
        )
        if left_out & classes:
            if name in _VOID or attributes.rstrip().endswith("/"):
                end = tag.end()
            else:
                end = element_end(scanned, tag.end(), name)
                closed = re.search(rf"</{name}\s*>$", scanned[:end], re.IGNORECASE)
                if not closed and not unclosed_to_end:
                    continue  # an inline tag, its end in another piece: the inline pass cuts it
            pieces.append(html[last : tag.start()])
            last = end
        elif name == "details" and opened & classes and not re.search(r"\bopen\b", attributes):
            pieces += [html[last : tag.end() - 1], " open>"]
            last = tag.end()
    pieces.append(html[last:])
    return "".join(pieces)
