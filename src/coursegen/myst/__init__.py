"""Lessons written for other tools, rendered as they are: MyST Markdown (Jupyter Book 1) and
MkDocs-Material's extensions, turned into the Markdown coursegen renders. See docs/myst.md for
what real books use and what is supported; README "MyST and Material syntax" for authors.

Only `settings` is imported with coursegen's build: a course in coursegen's own Markdown never
loads the rest (see `collect_labels`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coursegen.myst.settings import FLAVORS, page_flavor, with_markdown_flavor

if TYPE_CHECKING:
    from pathlib import Path

    from coursegen.config import CourseConfig
    from coursegen.errors import Diagnostics
    from coursegen.model import Course
    from coursegen.myst.stage import Flavors

__all__ = ["FLAVORS", "collect_labels", "page_flavor", "with_markdown_flavor"]


def collect_labels(
    course: Course,
    config: CourseConfig,
    root: Path,
    diagnostics: Diagnostics,
    cache: bool = True,
    read_only: bool = False,
) -> Flavors | None:
    """The course-wide label table of the MyST and Material pages (see stage.py); None, at the cost
    of one look at each page's front matter, when every page is coursegen Markdown."""
    course_flavor = config.markdown.flavor
    if course_flavor == "coursegen" and not any(
        page_flavor(page.meta, course_flavor) != "coursegen" for page in course.pages
    ):
        return None
    from coursegen.myst.stage import collect_labels as collect

    return collect(course, config, root, diagnostics, cache=cache, read_only=read_only)
