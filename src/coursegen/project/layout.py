"""Which kind of course a folder holds, from the files at its top alone (no YAML read: `--help`,
`new` and the course-root search stay quick)."""

from __future__ import annotations

from pathlib import Path

COURSEGEN = "coursegen"
JUPYTER_BOOK = "jupyter-book"
MKDOCS = "mkdocs"

JB_TOC = "_toc.yml"
JB_CONFIG = "_config.yml"
MKDOCS_CONFIG = "mkdocs.yml"
NATIVE_MARKERS = ("content", "course.yml")  # courseroot's names: a folder, a file

# The project's own files whose change rebuilds everything (`serve` watches them).
PROJECT_FILES = {JUPYTER_BOOK: (JB_TOC, JB_CONFIG), MKDOCS: (MKDOCS_CONFIG,)}


def project_kind(folder: Path) -> str | None:
    """coursegen's own layout first (a course.yml or content/ wins over a stray mkdocs.yml), then
    a Jupyter Book 1 project, then MkDocs; None for a folder that is no course."""
    if (folder / NATIVE_MARKERS[0]).is_dir() or (folder / NATIVE_MARKERS[1]).is_file():
        return COURSEGEN
    if (folder / JB_TOC).is_file():
        return JUPYTER_BOOK
    if (folder / MKDOCS_CONFIG).is_file():
        return MKDOCS
    return None
