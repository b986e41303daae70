"""`coursegen export scorm`: the whole site as a SCORM 1.2 package — one zip, one SCO.

The site is built as `coursegen build` builds it (into `.coursegen-cache/scorm/site`, so a second
export only redoes what changed), then zipped with:
- `imsmanifest.xml` and the launch page `scorm.html` (scorm_manifest.py);
- the theme's `static/scorm/` scripts, which no web build publishes: `launch.js` for the launch
  page, `page.js` added to the head of every page (it runs before coursegen.js and hands it a
  progress store kept in the LMS).
Lessons are done when the learner marks them done (or, with `theme: {progress: false}`, when they
are opened); the package reports `completed` once every lesson is.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

from markupsafe import escape

from coursegen.build import BuildOptions, build
from coursegen.cache import CACHE_DIR
from coursegen.errors import CoursegenError, Diagnostics
from coursegen.export.files import atomic_file
from coursegen.export.quizzes import KIND
from coursegen.export.scorm_manifest import LAUNCH_PAGE, PAGE_SCRIPT, imsmanifest, launch_page
from coursegen.export.source import LoadedCourse
from coursegen.output import MARKER
from coursegen.theme import load_theme, static_files
from coursegen.views import THEME_DEFAULTS

PACKAGE_TIME = (1980, 1, 1, 0, 0, 0)  # the same course makes the same zip, byte for byte
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
# a quiz that can be graded: not one whose answers the learner's edition withholds (editions.py)
_QUIZ_FORM = re.compile(r'<form class="quiz"(?! data-quiz="withheld")')


def write_scorm(loaded: LoadedCourse, path: Path, diagnostics: Diagnostics) -> int:
    """Build the site and write the package to `path`; the number of lessons it tracks."""
    site = loaded.root / CACHE_DIR / "scorm" / "site"
    result = build(loaded.root, site, BuildOptions())
    diagnostics.extend(result.diagnostics)
    if not result.written:
        raise CoursegenError(
            "the site could not be built, so no package was written", "fix the errors above and export again"
        )
    pages = {page.url: (site / page.url).read_text(encoding="utf-8") for page in loaded.course.pages}
    settings = package_settings(loaded, pages, diagnostics)
    files = sorted(rel for rel in _site_files(site) if rel != MARKER)
    scripts = {
        rel: file
        for rel, file in static_files(load_theme(loaded.root), package="scorm").items()
        if rel.startswith("scorm/")
    }
    package_files = sorted({*files, *(f"static/{rel}" for rel in scripts), LAUNCH_PAGE})
    identifier = (
        "coursegen-"
        + hashlib.sha256(f"{loaded.config.title}|{loaded.config.base_url}".encode()).hexdigest()[:12]
    )
    with atomic_file(path) as temporary, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as package:
        _add(package, "imsmanifest.xml", imsmanifest(loaded, identifier, package_files).encode("utf-8"))
        _add(package, LAUNCH_PAGE, launch_page(loaded, settings).encode("utf-8"))
        for rel, file in scripts.items():
            _add(package, f"static/{rel}", file.read_bytes())
        for rel in files:
            data = (site / rel).read_bytes()
            if rel.endswith(".html"):
                data = with_page_script(rel, data, diagnostics)
            _add(package, rel, data)
    return len(settings["lessons"])


def package_settings(loaded: LoadedCourse, pages: dict[str, str], diagnostics: Diagnostics) -> dict:
    """What launch.js needs: the lessons to complete and the quizzes to score, in reading order,
    and a hash of both lists (progress saved for another version of the course is not misread)."""
    marking = bool({**THEME_DEFAULTS, **loaded.config.theme}.get("progress"))
    lessons = []
    for lesson in loaded.lessons:
        if not marking or f'data-done="{escape(lesson.url)}"' in pages[lesson.url]:
            lessons.append(lesson.url)
        else:
            diagnostics.warning(
                lesson.rel,
                "the lesson's page has no 'mark as done' button (it could not be rendered): the package "
                "does not wait for it to be done",
                "fix the lesson and export again",
                kind=KIND,
            )
    quizzes = []
    if loaded.config.scorm.score == "quizzes":
        quizzes = [
            f"{page.url}#{n}"
            for page in loaded.course.pages
            for n in range(1, len(_QUIZ_FORM.findall(pages[page.url])) + 1)
        ]
    lists = "\n".join(lessons) + "\0" + "\n".join(quizzes)
    return {
        "home": "index.html",
        "lessons": lessons,
        "quizzes": quizzes,
        "hash": hashlib.sha256(lists.encode("utf-8")).hexdigest()[:8],
        "done_on_view": not marking,
        "score": bool(quizzes),
    }


def with_page_script(rel: str, data: bytes, diagnostics: Diagnostics) -> bytes:
    """The page with `<script src=…/static/scorm/page.js>` at the end of its head: a plain script,
    so it runs before the theme's deferred coursegen.js."""
    text = data.decode("utf-8")
    src = "../" * rel.count("/") + PAGE_SCRIPT
    text, found = _HEAD_END.subn(lambda end: f'<script src="{src}"></script>\n{end.group(0)}', text, count=1)
    if not found:
        diagnostics.warning(
            rel,
            "the page has no </head>: its progress stays in the browser instead of the LMS",
            "check the theme's templates",
            kind=KIND,
        )
    return text.encode("utf-8")


def _site_files(site: Path) -> list[str]:
    return [path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file()]


def _add(package: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, PACKAGE_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    package.writestr(info, data)
