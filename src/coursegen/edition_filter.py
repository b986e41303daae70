"""The Markdown tree processor that makes a body belong to an edition (see editions.py)."""

from __future__ import annotations

import re

from markdown.treeprocessors import Treeprocessor

from coursegen.editions import INSTRUCTOR_CLASS, SOLUTION_CLASS, Edition
from coursegen.htmlscan import element_end

# a start tag and its class attribute, in raw HTML a lesson holds (`<div class="solution">`)
_START_TAG = re.compile(r"<([a-zA-Z][\w-]*)\b([^>]*)>")
_CLASS = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def _classes(element) -> list[str]:
    return (element.get("class") or "").split()


class EditionFilter(Treeprocessor):
    """Leaves out of the Markdown tree what the edition must not contain, and opens the solutions
    of the instructor's edition. Runs before the quiz and inline processors (nothing left out is
    converted)."""

    def __init__(self, md, edition: Edition):
        super().__init__(md)
        self.edition = edition
        # a class is written in the source (`!!! instructor`, `{.solution}`, `class="solution"`):
        # a text without these words has nothing to filter, and is not walked
        self.words = edition.left_out | ({SOLUTION_CLASS, INSTRUCTOR_CLASS} if edition.instructor else set())
        self.active = True

    def prepare(self, text: str) -> None:
        """Called with each text before it is converted."""
        self.active = any(word in text for word in self.words)

    def run(self, root):
        if not self.active:
            return None
        left_out = self.edition.left_out
        opened = {SOLUTION_CLASS, INSTRUCTOR_CLASS} if self.edition.instructor else set()
        for parent in list(root.iter()):
            for element in list(parent):
                classes = _classes(element)
                if left_out.intersection(classes):
                    _remove(parent, element)
                elif element.tag == "details" and opened.intersection(classes):
                    element.set("open", "open")
        # raw HTML blocks (`<div class="solution">` without `markdown`) are kept aside as text
        stash = self.md.htmlStash.rawHtmlBlocks
        for index, block in enumerate(stash):
            if isinstance(block, str) and any(word in block for word in self.words):
                stash[index] = filter_raw_html(block, left_out, opened)
        return None


def filter_raw_html(html: str, left_out: frozenset[str] | set[str], opened: set[str]) -> str:
    """`html` without its elements of a class in `left_out` (their content and end tag too), and
    with its `<details>` of a class in `opened` open."""
    pieces, last = [], 0
    for tag in _START_TAG.finditer(html):
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
                end = element_end(html, tag.end(), name)
                if not re.search(rf"</{name}\s*>$", html[:end], re.IGNORECASE):
                    continue  # an inline tag, its end in another piece: left as written (README)
            pieces.append(html[last : tag.start()])
            last = end
        elif name == "details" and opened & classes and not re.search(r"\bopen\b", attributes):
            pieces += [html[last : tag.end() - 1], " open>"]
            last = tag.end()
    pieces.append(html[last:])
    return "".join(pieces)


def _remove(parent, element) -> None:
    """Take `element` out of `parent`, keeping the text that follows it (its tail)."""
    if element.tail:
        index = list(parent).index(element)
        if index > 0:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
