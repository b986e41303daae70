"""The course as exports see it: its settings and its graph, read the way a build reads them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coursegen.config import CourseConfig
from coursegen.courseroot import COURSE_HINT
from coursegen.errors import ConfigInvalid, CoursegenError, Diagnostics
from coursegen.model import Course, Page, PageKind, SourceKind
from coursegen.parse import parse_source
from coursegen.project.layout import COURSEGEN, project_kind
from coursegen.project.stages import build_course_graph, discover_course_sources, load_course_settings


@dataclass
class LoadedCourse:
    root: Path
    config: CourseConfig
    course: Course

    @property
    def modules(self) -> list[Page]:
        """The home page's sections, in reading order: one category or folder each in an LMS."""
        return [page for page in self.course.home.children if page.is_section]

    @property
    def lessons(self) -> list[Page]:
        """Every lesson in reading order: what a learner marks as done."""
        return [page for page in self.course.pages if page.kind is PageKind.LESSON]


def load_course(root: Path, diagnostics: Diagnostics, skip: tuple[Path, ...] = ()) -> LoadedCourse:
    """load → discover → parse → course graph, as `build` does (no cache: exports are rare)."""
    root = root.resolve()
    if project_kind(root) in (None, COURSEGEN) and not (root / "content").is_dir():
        raise CoursegenError(f"no content/ folder in {root}", COURSE_HINT, exit_code=2)
    config, spec = load_course_settings(root, diagnostics)
    if diagnostics.errors:
        raise ConfigInvalid(diagnostics.sorted())
    sources, placed = discover_course_sources(root, spec, diagnostics, skip)
    pages = [parse_source(source, diagnostics) for source in sources if source.kind is not SourceKind.ASSET]
    assets = [source for source in sources if source.kind is SourceKind.ASSET]
    course = build_course_graph(placed, pages, assets, diagnostics, config)
    if not course.home.title:
        course.home.title = config.title
    return LoadedCourse(root, config, course)


def module_of(page: Page) -> Page | None:
    """The top-level section a page belongs to (None for the home page and pages beside it)."""
    module = page if page.is_section else page.parent
    while module is not None and module.parent is not None and module.parent.parent is not None:
        module = module.parent
    return module if module is not None and module.parent is not None else None
