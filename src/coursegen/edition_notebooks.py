"""Notebooks in an edition: cells tagged `solution` or `instructor`, and the `!!! instructor` /
`??? solution` blocks of Markdown cells, are left out of the page (by nbconvert's tag remover and
the Markdown filter) and of the `.ipynb` offered for download (here); nbgrader's solution marks
are released as nbgrader does (nbgrader.py)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from coursegen.cache import digest
from coursegen.editions import Edition
from coursegen.htmlscan import filter_inline_html
from coursegen.nbgrader import SIGNS, release_cells

if TYPE_CHECKING:
    from coursegen.model import Page
    from coursegen.output import SitePlan

# `!!! type "title"`, `??? type`, `???+ type inline`: the block's classes are the words after the marker
_BLOCK_START = re.compile(r"^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+(?P<classes>[\w-]+(?:[ \t]+[\w-]+)*)")


def add_notebook_copy(plan: SitePlan, page: Page, signature: str, edition: Edition, made_from: str) -> None:
    """The notebook's `.ipynb` beside its page, as the edition publishes it: read only when its
    bytes changed since the last build (its signature names them and the edition)."""
    signature = digest(signature, edition.key) if signature else ""
    if plan.keep_unchanged(page.download_url, page.rel, signature):
        return
    try:
        data = notebook_copy(page.source.path.read_bytes(), edition)
    except OSError:
        data = None  # gone meanwhile: the copy reports it, as for any file
    if data is None:
        plan.add_file(page.download_url, page.source.path, page.rel, made_from=made_from, signature=signature)
    else:
        plan.add_bytes(page.download_url, data, page.rel, signature, made_from=made_from)


def notebook_copy(data: bytes, edition: Edition) -> bytes | None:
    """The notebook's bytes for download in `edition`, or None when they can be published as they
    are (nothing to leave out: checked on the bytes first, without decoding the JSON)."""
    nbgrader = not edition.solutions and any(sign in data for sign in SIGNS)
    if not nbgrader and not any(word.encode() in data for word in edition.left_out):
        return None
    try:
        notebook = json.loads(data)
        cells = notebook["cells"]
    except (ValueError, KeyError, TypeError):  # not readable: the build reports it; nothing is published
        return b"{}"
    kept = []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or _tags(cell) & edition.left_out:
            continue
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            cell = {**cell, "source": strip_markdown(text, edition.left_out)}
        kept.append(cell)
    if nbgrader:
        release_cells(kept)
    notebook["cells"] = kept
    return (json.dumps(notebook, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _tags(cell: dict) -> set[str]:
    tags = (cell.get("metadata") or {}).get("tags") if isinstance(cell.get("metadata"), dict) else None
    return {str(tag) for tag in tags} if isinstance(tags, list) else set()


def strip_markdown(text: str, classes: frozenset[str]) -> str:
    """A Markdown cell without what the page leaves out of it: `!!!`/`???` blocks, paragraphs and
    headings given a class by an attribute list (`{: .solution}`), and raw HTML elements of the
    class, blocks or inline (`<div class="solution">`, `<span class="solution">42</span>`)."""
    text = _strip_attribute_lists(strip_blocks(text, classes), classes)
    return filter_inline_html(text, classes) if any(word in text for word in classes) else text


# an attribute list (`{: .solution}`, `{.solution #x}`) at the end of a line: Python-Markdown's
# attr_list gives it to the heading of that line, or to the paragraph it ends
_ATTRIBUTE_LIST = re.compile(r"\{:?[ ]*([^}\n ][^}\n]*)[ ]*\}[ ]*$")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")


def _strip_attribute_lists(text: str, classes: frozenset[str]) -> str:
    def has_class(line: str) -> bool:
        found = _ATTRIBUTE_LIST.search(line.rstrip("\n"))
        return bool(found) and any(
            word.startswith(".") and word[1:] in classes for word in found.group(1).split()
        )

    kept: list[str] = []
    paragraph: list[str] = []
    fence = ""

    def close_paragraph() -> None:
        if paragraph and not has_class(paragraph[-1]):
            kept.extend(paragraph)
        paragraph.clear()

    for line in text.splitlines(keepends=True):
        opening = _FENCE.match(line)
        if fence or opening:  # code is kept as it is
            close_paragraph()
            kept.append(line)
            if opening and (not fence or opening.group(1).startswith(fence)):
                fence = "" if fence else opening.group(1)
            continue
        if not line.strip():
            close_paragraph()
            kept.append(line)
        elif line.lstrip().startswith("#") and not paragraph:
            if not has_class(line):  # a heading: its own line only
                kept.append(line)
        else:
            paragraph.append(line)
    close_paragraph()
    return "".join(kept)


def strip_blocks(text: str, classes: frozenset[str]) -> str:
    """Markdown without its admonition and collapsible blocks of `classes` (the marker line and the
    indented lines under it)."""
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    skipping_below: int | None = None  # inside a left-out block: its marker's indentation
    for line in lines:
        indent = len(line) - len(line.lstrip(" \t"))
        if skipping_below is not None:
            if not line.strip() or indent > skipping_below:
                continue
            skipping_below = None
        start = _BLOCK_START.match(line)
        if start and classes.intersection(start.group("classes").split()):
            skipping_below = len(start.group("indent"))
            continue
        kept.append(line)
    return "".join(kept)
