"""A lesson's `notebook:` front matter → the notebook it names, or what to tell its author.

The value is looked up, in turn:

1. as a Markdown link written with the same text (`[x](VALUE)`) leads: relative to the lesson on
   the source tree, then on the site layout — so `notebooks/x.ipynb` in `content/A/lesson.md` is
   `notebooks/A/x.ipynb` for both;
2. in the mirror folder `notebooks/<the lesson's folder>/`, then in `notebooks/`;
3. from the course root, for a path that names the course's `notebooks/` or `content/` folder:
   `notebooks/A/x.ipynb`, `../notebooks/A/x.ipynb`, `/notebooks/A/x.ipynb`, and (with a warning)
   an absolute path of the author's computer such as `/Users/jeanne/cours/notebooks/A/x.ipynb`.

Only files discovered inside the course are looked up: nothing outside it is ever read.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from coursegen.model import (
    CONTENT_DIR,
    NOTEBOOKS_DIR,
    Course,
    Page,
    PageKind,
    SourceFile,
    site_position,
    sources_at,
)

_TOP_FOLDERS = (NOTEBOOKS_DIR, CONTENT_DIR)
_DRIVE = re.compile(r"^[A-Za-z]:/")  # C:/Users/… once backslashes are slashes


@dataclass
class NotebookReference:
    """What a `notebook:` value leads to."""

    notebook: Page | None = None
    tried: list[str] = field(default_factory=list)  # course paths looked for, in order
    not_a_notebook: str = ""  # course path of a file the value leads to that is not a notebook
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (message, hint) about how it is written

    def look(self, path: str) -> None:
        if path not in self.tried:
            self.tried.append(path)


def find_notebook(
    course: Course, lesson: Page, value: str, resolve_as_link: Callable[[str], Page | SourceFile | None]
) -> NotebookReference:
    """The notebook `lesson`'s front matter `notebook: value` names; `resolve_as_link(path)` is
    what a Markdown link to `path` in the lesson leads to."""
    reference = NotebookReference()
    path = value.strip().replace("\\", "/")
    source_folder = posixpath.dirname(str(lesson.source.rel))
    site_folder = posixpath.dirname(str(lesson.source.site_rel))
    if path.startswith("/") or _DRIVE.match(path):
        candidates = _absolute_candidates(path, _course_root(lesson))
    else:
        for known in _link_paths(path, source_folder, site_folder):
            reference.look(known)
        if _found(reference, resolve_as_link(path)):
            candidates = []
        else:
            candidates = [(candidate, False) for candidate in _relative_candidates(path, site_folder)]
    for candidate, from_machine in candidates:
        reference.look(candidate)
        target = course.by_rel.get(candidate)
        if target is None and lesson.source.url:  # a project read in place: the place notebooks/ stands for
            target = course.by_site_rel.get(str(site_position(PurePosixPath(candidate))))
        if _found(reference, target):
            if from_machine:  # its own advice covers the backslashes too
                reference.warnings.append(
                    (
                        f"notebook '{value}' is a path on one computer",
                        f"write '{candidate}', which works on every computer",
                    )
                )
            break
    if "\\" in value and not reference.warnings:
        reference.warnings.append(
            (
                f"notebook '{value}' is written with Windows backslashes",
                f"write '{path}': forward slashes work on every computer",
            )
        )
    return reference


def _found(reference: NotebookReference, target: Page | SourceFile | None) -> bool:
    """Record `target` in `reference`; True when it is a notebook page."""
    if isinstance(target, Page) and target.kind is PageKind.NOTEBOOK:
        reference.notebook = target
        return True
    if target is not None and not reference.not_a_notebook:
        reference.not_a_notebook = target.rel if isinstance(target, Page) else str(target.rel)
    return False


def _course_root(lesson: Page) -> str:
    return lesson.source.path.parents[len(lesson.source.rel.parts) - 1].as_posix()


def _escapes(path: str) -> bool:
    return path == ".." or path.startswith("../")


def _link_paths(path: str, source_folder: str, site_folder: str) -> list[str]:
    """The course paths a Markdown link to `path` from the lesson may reach (see resolve_link)."""
    in_sources = posixpath.normpath(posixpath.join(source_folder, path))
    in_site = posixpath.normpath(posixpath.join(site_folder, path))
    paths = [in_sources] + ([] if _escapes(in_site) else sources_at(in_site))
    return [known for known in paths if not _escapes(known)]


def _relative_candidates(path: str, site_folder: str) -> list[str]:
    """After the link's own places: the mirror folder, notebooks/, then the course root."""
    climbed = posixpath.normpath(path).split("/")
    while climbed and climbed[0] == "..":
        climbed.pop(0)
    if len(climbed) > 1 and climbed[0] in _TOP_FOLDERS:  # notebooks/A/x.ipynb, ../notebooks/A/x.ipynb
        return ["/".join(climbed)]  # (never notebooks/notebooks/…)
    candidates = []
    for base in (posixpath.join(NOTEBOOKS_DIR, site_folder), NOTEBOOKS_DIR):
        candidate = posixpath.normpath(posixpath.join(base, path))
        if candidate.startswith(NOTEBOOKS_DIR + "/"):
            candidates.append(candidate)
    return candidates


def _absolute_candidates(path: str, root: str) -> list[tuple[str, bool]]:
    """(course path, written as a path of the author's computer) for a value starting with `/` or `C:/`."""
    if path.startswith(root + "/"):
        return [(posixpath.normpath(path[len(root) + 1 :]), True)]
    inner = posixpath.normpath(path.lstrip("/"))
    if not _DRIVE.match(path) and inner.split("/")[0] in _TOP_FOLDERS and not _escapes(inner):
        return [(inner, False)]  # `/notebooks/A/x.ipynb`: from the course root
    # another computer's copy of the course: /Users/jeanne/cours/notebooks/A/x.ipynb
    parts = posixpath.normpath(path).split("/")
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] in _TOP_FOLDERS:
            return [("/".join(parts[index:]), True)]
    return []


def closest_notebook(course: Course, lesson: Page, value: str) -> str:
    """The course path of the notebook most like `value` ("" when none is): its file name must be
    close; among those, the path closest to the value as written from the lesson's folder, its
    mirror folder, notebooks/ or the course root wins."""
    wanted = posixpath.normpath(value.strip().replace("\\", "/").lstrip("/")).casefold()
    wanted_stem = _stem(wanted)
    bases = [
        posixpath.dirname(str(lesson.source.rel)),
        posixpath.join(NOTEBOOKS_DIR, posixpath.dirname(str(lesson.source.site_rel))),
        NOTEBOOKS_DIR,
    ]
    scored = []
    for rel, target in sorted(course.by_rel.items()):
        if not (isinstance(target, Page) and target.kind is PageKind.NOTEBOOK):
            continue
        name_score = _similarity(_stem(rel.casefold()), wanted_stem)
        if name_score < 0.6:
            continue
        forms = [rel] + [rel[len(base) + 1 :] for base in bases if rel.startswith(base + "/")]
        scored.append(
            (round(name_score, 2), max(_similarity(form.casefold(), wanted) for form in forms), rel)
        )
    return max(scored, key=lambda item: item[:2])[2] if scored else ""


def _stem(path: str) -> str:
    return posixpath.splitext(posixpath.basename(path))[0]


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()
