"""Which folder is the course: the one named on the command line, else the nearest folder at or above
the current one that holds `content/` or `course.yml`, a Jupyter Book's `_toc.yml` or a `mkdocs.yml`
(as git finds its repository)."""

from __future__ import annotations

from pathlib import Path

from coursegen.errors import UsageError
from coursegen.project.layout import COURSEGEN, project_kind

CONTENT_DIR = "content"  # the same names as model.CONTENT_DIR and config.CONFIG_NAME, without importing them
CONFIG_NAME = "course.yml"  # (both pull in YAML and Markdown code: `--help` and `new` stay quick)
COURSE_HINT = (
    "run coursegen in a course folder (content/, or a Jupyter Book's _toc.yml, or mkdocs.yml), "
    "or create one with `coursegen new DIR`"
)


def is_course(folder: Path) -> bool:
    return project_kind(folder) is not None


def find_course_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` that is a course, or None."""
    start = start.resolve()
    return next((folder for folder in (start, *start.parents) if is_course(folder)), None)


def course_root(given: Path | None, cwd: Path) -> tuple[Path, str]:
    """The course folder for a command, and a line saying where it was found ("" when it is the
    folder named or the current one). A folder named on the command line is taken as it is."""
    if given is not None:
        return given, ""
    found = find_course_root(cwd)
    if found is None:
        require_content(cwd, searched_above=True)
    if found == cwd.resolve():
        return cwd, ""
    return found, f"Course: {found} (found from {cwd.resolve().relative_to(found).as_posix()})"


def require_content(root: Path, searched_above: bool = False) -> None:
    """Raise the usage error of a folder that is not a course (no content/ folder, and not a
    Jupyter Book or MkDocs project, which are read in place)."""
    root = root.resolve()
    kind = project_kind(root)
    if (root / CONTENT_DIR).is_dir() or (kind is not None and kind != COURSEGEN):
        return
    where = f"{root} or any folder above it" if searched_above else str(root)
    raise UsageError(f"no content/ folder in {where}", COURSE_HINT)
