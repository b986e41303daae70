"""The one place that decides whether a source file is a notebook (a page rendered with its cells,
offered for download, run, launched), whatever layout the course has (discover.py for content/ and
notebooks/, project/sources.py for Jupyter Book and MkDocs projects)."""

from __future__ import annotations

from pathlib import PurePath

NOTEBOOK_SUFFIXES = (".ipynb",)


def is_notebook_source(path: PurePath) -> bool:
    """True for a file that is a notebook: `.ipynb` (text notebooks are decided here too)."""
    return path.name.lower().endswith(NOTEBOOK_SUFFIXES)
