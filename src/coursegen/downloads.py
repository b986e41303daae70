"""The `.ipynb` offered for download beside each notebook page: the notebook file itself, or for a
text notebook (textnotebooks.py) the notebook jupytext reads in it, with its paired outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coursegen.cache import digest, installed_version
from coursegen.edition_notebooks import add_notebook_copy, notebook_copy
from coursegen.errors import Diagnostics
from coursegen.model import PageKind

if TYPE_CHECKING:
    from coursegen.editions import Edition
    from coursegen.filedigests import FileDigests
    from coursegen.model import Page
    from coursegen.output import SitePlan


def add_notebook_downloads(
    plan: SitePlan, pages: list[Page], bodies: dict, digests: FileDigests, edition: Edition
) -> None:
    """Every notebook page's download as `edition` publishes it, unless kept from the last build
    (lastgood.py)."""
    for page in pages:
        if page.kind is not PageKind.NOTEBOOK or page.source is None or page.download_url in plan.files:
            continue
        made_from = "" if bodies[page.url].error else page.rel
        if page.source.is_text_notebook:
            _add_converted(plan, page, made_from, edition)
            continue
        signature = digests.signature(page.source.path, page.rel, page.source.stamp)
        add_notebook_copy(plan, page, signature, edition, made_from)


def _add_converted(plan: SitePlan, page: Page, made_from: str, edition: Edition) -> None:
    """Converted again only when the text or its pair changed (the page's digest names both)."""
    if page.error or not page.digest:  # unreadable: its page says why, there is nothing to offer
        return
    signature = digest("text notebook download", page.digest, installed_version("jupytext"), edition.key)
    if plan.keep_unchanged(page.download_url, page.rel, signature):
        return
    data = converted_notebook(page)
    if data is not None:
        data = notebook_copy(data, edition) or data  # what the edition leaves out, left out
        plan.add_bytes(page.download_url, data, page.rel, signature, made_from)


def converted_notebook(page: Page) -> bytes | None:
    """The text notebook as `.ipynb` bytes (valid nbformat 4); None when it changed or broke since
    it was parsed (the next build sees it)."""
    import nbformat

    from coursegen.parse import notebook_data

    try:
        notebook = nbformat.from_dict(notebook_data(page, Diagnostics()))
    except (OSError, ValueError):
        return None
    return (nbformat.writes(notebook, version=4) + "\n").encode("utf-8")
