"""Which folder is the course: the one named on the command line, else the nearest folder at or above
the current one that holds `content/` or `course.yml` (as git finds its repository)."""

from __future__ import annotations

from pathlib import Path

from coursegen.errors import UsageError

CONTENT_DIR = "content"  # the same names as model.CONTENT_DIR and config.CONFIG_NAME, without importing them
CONFIG_NAME = "course.yml"  # (both pull in YAML and Markdown code: `--help` and `new` stay quick)


def is_course(folder: Path) -> bool:
    return (folder / CONTENT_DIR).is_dir() or (folder / CONFIG_NAME).is_file()


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
    """Raise the usage error of a folder that is not a course (no content/ folder)."""
    root = root.resolve()
    if (root / CONTENT_DIR).is_dir():
        return
    where = f"{root} or any folder above it" if searched_above else str(root)
    raise UsageError(
        f"no content/ folder in {where}",
        "run coursegen in a course folder, or create one with `coursegen new DIR`",
    )
