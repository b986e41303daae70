"""The Markdown tree processor that makes a body belong to an edition (see editions.py)."""

from __future__ import annotations

from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from coursegen.editions import INSTRUCTOR_CLASS, SOLUTION_CLASS, Edition
from coursegen.htmlscan import filter_inline_html, filter_raw_html


def _classes(element) -> list[str]:
    return (element.get("class") or "").split()


class EditionFilter(Treeprocessor):
    """Leaves out of the Markdown tree what the edition must not contain, and opens the solutions
    of the instructor's edition. Runs before the quiz and inline processors (nothing left out is
    converted)."""

    def __init__(self, md, edition: Edition, before_inline: bool = False):
        super().__init__(md)
        self.edition = edition
        # a class is written in the source (`!!! instructor`, `{.solution}`, `class="solution"`):
        # a text without these words has nothing to filter, and is not walked
        self.words = edition.left_out | ({SOLUTION_CLASS, INSTRUCTOR_CLASS} if edition.instructor else set())
        self.active = True
        # the first pass runs before the inline processor: a paragraph is still one text there,
        # where `<span class="solution">…</span>` is found whole (after it, its tags are apart)
        self.before_inline = before_inline

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
        if left_out and self.before_inline:
            _filter_inline_html(root, self.words, left_out)
        # raw HTML blocks (`<div class="solution">` without `markdown`) are kept aside as text
        stash = self.md.htmlStash.rawHtmlBlocks
        for index, block in enumerate(stash):
            if isinstance(block, str) and any(word in block for word in self.words):
                stash[index] = filter_raw_html(block, left_out, opened)
        return None


def _filter_inline_html(root, words, left_out) -> None:
    """Every text of the tree (paragraphs, headings, cells, list items) with its inline elements
    of a left-out class cut; code (atomic texts) is never touched."""
    for element in root.iter():
        for side in ("text", "tail"):
            text = getattr(element, side)
            if (
                text
                and "<" in text
                and not isinstance(text, AtomicString)
                and any(word in text for word in words)
            ):
                setattr(element, side, filter_inline_html(text, left_out))


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
