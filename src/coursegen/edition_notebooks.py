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
            cell = {**cell, "source": strip_blocks(text, edition.left_out)}
        kept.append(cell)
    if nbgrader:
        release_cells(kept)
    notebook["cells"] = kept
    return (json.dumps(notebook, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _tags(cell: dict) -> set[str]:
    tags = (cell.get("metadata") or {}).get("tags") if isinstance(cell.get("metadata"), dict) else None
    return {str(tag) for tag in tags} if isinstance(tags, list) else set()


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
