"""Where the flavours join the pipeline.

- Course-graph stage: `collect_labels` converts every MyST page once, in reading order, to build
  the course-wide label table (labels.py) and read the cited BibTeX entries. Nothing happens, and
  nothing is read, in a course with no MyST or Material page.
- Body stage: `Flavors.prepare` turns a page's MyST or Material text into coursegen Markdown just
  before Python-Markdown converts it. Cross-references are resolved here, in the body: a page's
  cache key carries what its references resolve to (`Flavors.signature`), so a page is rendered
  again when a label it uses moves or is renumbered, and only then."""

from __future__ import annotations

import dataclasses
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from coursegen.cache import IndexCache, code_digest, digest
from coursegen.errors import Diagnostics
from coursegen.model import PageKind
from coursegen.myst.convert import Conversion, MystPage
from coursegen.myst.labels import LabelTable, PageScan, scan_from_plain
from coursegen.myst.settings import page_flavor

_SUBSTITUTION = re.compile(r"\{\{\s*([\w.-]+)\s*\}\}")

if TYPE_CHECKING:
    from coursegen.config import CourseConfig, MarkdownSettings
    from coursegen.model import Course, Page


@dataclass
class Flavors:
    """What rendering pages of another flavour needs (sent to worker processes as it is)."""

    settings: MarkdownSettings
    table: LabelTable
    root: Path
    language: str = "en"
    # (the notebook render's math macros, its Conversion): one per rendering of a notebook
    _cells: tuple | None = field(default=None, repr=False, compare=False)

    def flavor(self, page: Page) -> str:
        return page_flavor(page.meta, self.settings.flavor)

    def signature(self, page: Page) -> str:
        """Part of the page body's cache key: "" for a page in coursegen's own Markdown."""
        flavor = self.flavor(page)
        if flavor == "coursegen":
            return ""
        return f"{flavor}:{self.table.signature(page.url)}:{self.settings!r}"

    def prepare(
        self,
        page: Page,
        text: str,
        first_line: int,
        diagnostics: Diagnostics,
        course: Course,
        session: object = None,
    ) -> str:
        """`text` in coursegen Markdown. `session`: what the texts of one page made of several
        share (a notebook's cells: the renderer's PageMacros for that notebook)."""
        flavor = self.flavor(page)
        if flavor == "material":
            from coursegen.myst.material import convert_material

            return convert_material(self, page, text, first_line, diagnostics)
        if flavor != "myst":
            return text
        return self._conversion(page, first_line, diagnostics, course, session).convert(text, first_line)

    def _conversion(
        self, page: Page, first_line: int, diagnostics: Diagnostics, course: Course, session: object
    ) -> Conversion:
        """A notebook's Markdown cells (no lines of their own) share one conversion, so that its
        figures and exercises are numbered across cells, as in one page."""
        if session is not None and self._cells is not None and self._cells[0] is session:
            conversion = self._cells[1]
            conversion.diagnostics = diagnostics
            return conversion
        target = myst_page(page, self.settings, self.language, self.root)
        if first_line <= 0:
            target.title = ""  # a notebook's title heading is the notebook renderer's
        conversion = Conversion(target, diagnostics, self.table, course)
        self._cells = (session, conversion) if session is not None else None
        return conversion


def myst_page(page: Page, settings: MarkdownSettings, language: str, root: Path | None = None) -> MystPage:
    """What the conversion needs of `page`; `root`: the course's folder (files are included from it)."""
    substitutions = dict(settings.substitutions)
    own = page.meta.extra.get("substitutions") if page.meta.extra else None
    if isinstance(own, dict):
        substitutions.update({str(key): str(value) for key, value in own.items()})
    return MystPage(
        rel=page.rel,
        url=page.url,
        site_rel=str(page.source.site_rel) if page.source else page.url,
        title=page.title,
        title_heading=page.title_heading,
        language=page.meta.language or language,
        substitutions=substitutions,
        source_dir=str(page.source.path.parent) if page.source is not None and root is not None else "",
        source_root=str(_source_root(root)) if root is not None else "",
    )


def _source_root(root: Path) -> Path:
    """Where `/path` starts: a course's content/ folder, a book's own folder."""
    content = root / "content"
    return content if content.is_dir() else root


def collect_labels(
    course: Course,
    config: CourseConfig,
    root: Path,
    diagnostics: Diagnostics,
    cache: bool = True,
    read_only: bool = False,
) -> Flavors | None:
    """The label table of the course's MyST pages (None when every page is coursegen Markdown).

    What each page's conversion found is kept in `.coursegen-cache/` by the page's bytes (and the
    settings and code): a rebuild converts again only the pages that changed."""
    settings = config.markdown
    flavored = [
        page
        for page in course.pages
        if page.source is not None
        and not page.error
        and page_flavor(page.meta, settings.flavor) != "coursegen"
    ]
    if not flavored:
        return None
    flavors = Flavors(settings, LabelTable(), root, config.language)
    scans = IndexCache(root, "myst-scans", enabled=cache, read_only=read_only)
    for page in flavored:
        _substitute_title(flavors, page)
    table = flavors.table
    table.citation_style = settings.citation_style
    table.pages = _page_paths(course)
    cited: list[str] = []
    icons: list[tuple[str, str]] = []
    every = False
    for page in flavored:
        scan = _cached_scan(flavors, page, course, scans)
        if scan is not None:
            table.add_page(page.url, page.rel, scan)
            cited.extend(scan.citations)
            icons.extend((page.rel, icon) for icon in scan.icons)
            every = every or scan.all_references
    if icons:
        from coursegen.myst.material import report_icons

        report_icons(icons, diagnostics)
    if settings.bibtex_bibfiles and (cited or every):
        from coursegen.myst.bibliography import cached_citations

        table.citations = cached_citations(settings, root, cited, every, config.language, diagnostics, scans)
    scans.save()
    _report_duplicates(table, diagnostics)
    return flavors


def _substitute_title(flavors: Flavors, page: Page) -> None:
    """`# Statistique avec {{ logiciel }}`: the title shown everywhere has the value."""
    if "{{" in page.title and flavors.flavor(page) == "myst":
        values = myst_page(page, flavors.settings, flavors.language).substitutions
        page.title = _SUBSTITUTION.sub(
            lambda found: str(values.get(found.group(1), found.group(1))), page.title
        )


def _cached_scan(flavors: Flavors, page: Page, course: Course, scans: IndexCache) -> PageScan | None:
    """The page's scan, from the cache when its bytes, place and title are the same. Material pages
    are scanned each time: they include other files (snippets)."""
    if flavors.flavor(page) != "myst" or not page.digest:
        return _scan_page(flavors, page, course)
    key = digest(
        "myst-scan",
        code_digest(),
        page.digest,
        page.url,
        page.title,
        repr(page.title_heading),
        repr(flavors.settings),
    )
    stored = scans.get(key)
    if stored is not None:
        try:
            scan = scan_from_plain(stored)
        except (TypeError, ValueError, KeyError):
            scan = None  # an entry of another shape: scanned again
        if scan is not None and _files_unchanged(scan.dependencies, _source_root(flavors.root)):
            return scan
    scan = _scan_page(flavors, page, course)
    if scan is not None:
        scans.put(key, dataclasses.asdict(scan))
    return scan


def _files_unchanged(dependencies: list[str], root: Path) -> bool:
    """Whether the files a page included ("path:sha256", path from `root`) still have those bytes."""
    import hashlib

    for entry in dependencies:
        rel, _, expected = entry.rpartition(":")
        try:
            if hashlib.sha256((root / rel).read_bytes()).hexdigest() != expected:
                return False
        except OSError:
            return False
    return True


def _scan_page(flavors: Flavors, page: Page, course: Course):
    """What converting the page finds (its labels, what it refers to); None when it can't be read."""
    from coursegen.parse import markdown_body

    flavor = flavors.flavor(page)
    if page.kind is PageKind.NOTEBOOK:
        return _scan_notebook(flavors, page, course) if flavor == "myst" else None
    try:
        text, first_line = markdown_body(page)
    except (OSError, ValueError):
        return None  # reported when the page is rendered
    if flavor == "material":
        from coursegen.myst.material import scan_material

        return scan_material(flavors, page, text)
    target = myst_page(page, flavors.settings, flavors.language, flavors.root)
    conversion = Conversion(target, Diagnostics(), None, course)
    conversion.convert(text, first_line)
    return conversion.scan


def _scan_notebook(flavors: Flavors, page: Page, course: Course):
    """A notebook's Markdown cells, in order, as the notebook renderer converts them (cells tagged
    `remove-cell` are not shown, so they number nothing)."""
    from coursegen.parse import notebook_data

    try:
        cells = notebook_data(page).get("cells")
    except (OSError, ValueError):
        return None
    target = myst_page(page, flavors.settings, flavors.language, flavors.root)
    target.title = ""
    conversion = Conversion(target, Diagnostics(), None, course)
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        metadata = cell.get("metadata")
        tags = metadata.get("tags") if isinstance(metadata, dict) else None
        if isinstance(tags, list) and "remove-cell" in tags:
            continue
        source = cell.get("source", "")
        conversion.convert("".join(source) if isinstance(source, list) else str(source), 0)
    return conversion.scan


def _page_paths(course: Course) -> dict[str, tuple[str, str]]:
    """Every page by its site path without extension (`A/intro`), as `{doc}` names them."""
    paths: dict[str, tuple[str, str]] = {}
    for page in course.pages:
        if page.source is None:
            continue
        site = posixpath.splitext(str(page.source.site_rel))[0]
        paths[site] = (page.url, page.title)
        if page.is_section:
            paths.setdefault(posixpath.dirname(site) or ".", (page.url, page.title))
    return paths


def _report_duplicates(table: LabelTable, diagnostics: Diagnostics) -> None:
    for first, again in table.duplicates:
        diagnostics.warning(
            again.rel,
            f"label '{again.name}' is defined twice",
            f"the first one ({first.rel}{':' + str(first.line) if first.line else ''}) is the one references lead to; rename this one",
            line=again.line,
            kind="links",
        )
