"""The one place that decides whether a source file is a notebook (a page rendered with its cells,
offered for download, run, launched), whatever layout the course has (discover.py for content/ and
notebooks/, project/sources.py for Jupyter Book and MkDocs projects)."""

from __future__ import annotations

from pathlib import Path

from coursegen.textnotebooks import TEXT_NOTEBOOK_SUFFIXES, read_for_discovery, reads_as_notebook


def is_notebook_source(path: Path, text: str | None = None) -> bool:
    """True for a file that is a notebook: `.ipynb`, and the text notebooks jupytext reads (a MyST
    `.md` with `jupytext:`/`kernelspec:` front matter or `{code-cell}` blocks, a percent `.py`
    script: see textnotebooks.reads_as_notebook); `text` is the file's, read here when not given."""
    name = path.name.lower()
    if name.endswith(".ipynb"):
        return True
    if not name.endswith(TEXT_NOTEBOOK_SUFFIXES):
        return False
    return reads_as_notebook(name, read_for_discovery(path) if text is None else text)
