"""What a lesson page shows and what its slide deck shows, from the same Markdown.

`!!! notes` (speaker notes) and `!!! slide-only` blocks belong to the deck: `LessonOnly` takes them
out of every page. A deck is the same lesson rendered again by a Markdown renderer that runs
`DeckSlides` instead: it leaves out `{.no-slide}` blocks, turns notes into reveal.js's
`<aside class="notes">` and cuts the body into `<section>` slides — `##` starts a slide, `###` a
sub-slide below it, `---` (a rule) a new slide. See docs/slides.md.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown.treeprocessors import Treeprocessor

NOTES, SLIDE_ONLY, NO_SLIDE = "notes", "slide-only", "no-slide"
DECK_ONLY = frozenset({NOTES, SLIDE_ONLY})
LESSON_ONLY_NAME = "coursegen-lesson-only"
_HEADINGS = {f"h{n}": n for n in range(1, 7)}


def classes(element: etree.Element) -> set[str]:
    return set((element.get("class") or "").split())


def remove_child(parent: etree.Element, child: etree.Element) -> None:
    """Take `child` out of `parent`, keeping the text that followed it."""
    index = list(parent).index(child)
    tail = child.tail
    parent.remove(child)
    if not tail:
        return
    if index:
        before = parent[index - 1]
        before.tail = (before.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail


def remove_marked(root: etree.Element, marks: frozenset[str]) -> None:
    """Remove every element (with what it holds) whose classes include one of `marks`."""
    for parent in list(root.iter()):
        for child in list(parent):
            if classes(child) & marks:
                remove_child(parent, child)


class LessonOnly(Treeprocessor):
    """Pages never show speaker notes nor what is written for the slides only."""

    def run(self, root):
        remove_marked(root, DECK_ONLY)
        return None


class DeckSlides(Treeprocessor):
    """The lesson as reveal.js slides: runs after links are rewritten (see DeckMaker)."""

    def run(self, root):
        _drop_no_slide_sections(root)
        remove_marked(root, frozenset({NO_SLIDE}))
        for element in list(root.iter()):
            if element.tag in _HEADINGS:
                _drop_permalinks(element)
            names = classes(element)
            if NOTES in names:
                _as_speaker_notes(element)
            elif SLIDE_ONLY in names:
                _drop_default_title(element, "slide-only")
        stacks = split_slides(root)
        for stack in stacks:
            outer = etree.SubElement(root, "section")
            if len(stack) == 1:
                outer.extend(stack[0])
            else:  # `###` sub-slides: a vertical stack under their `##` slide
                for slide in stack:
                    etree.SubElement(outer, "section").extend(slide)
            outer.tail = "\n"
        return None


def split_slides(root: etree.Element) -> list[list[list[etree.Element]]]:
    """Take the body's blocks out of `root`, cut into stacks of slides: a `##` (h2) starts a stack,
    a `###` (h3) a slide in the current stack, a rule (`---`) a new stack and is dropped. Slides
    with nothing in them (two breaks in a row) are left out."""
    stacks: list[list[list[etree.Element]]] = []
    for block in list(root):
        root.remove(block)
        level = _HEADINGS.get(block.tag)
        if block.tag == "hr":
            stacks.append([[]])
        elif level == 2 or not stacks:
            stacks.append([[block]])
        elif level == 3:
            stacks[-1].append([block])
        else:
            stacks[-1][-1].append(block)
    root.text = "\n"
    kept = [[slide for slide in stack if slide] for stack in stacks]
    return [stack for stack in kept if stack]


def _drop_no_slide_sections(root: etree.Element) -> None:
    """A heading marked `{.no-slide}` leaves out its whole section: the blocks up to the next
    heading of the same level or above."""
    hidden_level = None
    for block in list(root):
        level = _HEADINGS.get(block.tag)
        if hidden_level is not None and (level is None or level > hidden_level):
            remove_child(root, block)
            continue
        hidden_level = None
        if level is not None and NO_SLIDE in classes(block):
            hidden_level = level
            remove_child(root, block)


def _drop_permalinks(heading: etree.Element) -> None:
    """The `#` link the table of contents puts in each heading is no use on a slide."""
    for child in list(heading):
        if "headerlink" in classes(child):
            remove_child(heading, child)


def _as_speaker_notes(element: etree.Element) -> None:
    """`!!! notes` as reveal.js reads speaker notes, without the admonition's title."""
    element.tag = "aside"
    element.set("class", "notes")
    _drop_default_title(element, "notes")


def _drop_default_title(element: etree.Element, kind: str) -> None:
    """An admonition's title when it is only its type (`!!! notes` → "Notes"): on a deck, the
    block's role is not a title to show. A title the author wrote stays."""
    first = element[0] if len(element) else None
    if first is None or "admonition-title" not in classes(first):
        return
    if kind == "notes" or "".join(first.itertext()).strip().lower() == kind:
        remove_child(element, first)
        element.set("class", " ".join(sorted(classes(element) - {"admonition"})))
