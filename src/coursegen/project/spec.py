"""What a project reader makes of a Jupyter Book or MkDocs project before any page is read: its
table of contents as written, and its settings mapped to coursegen's."""

from __future__ import annotations

from dataclasses import dataclass, field

from coursegen.config import CourseConfig


@dataclass
class TocEntry:
    """One entry of the project's table of contents. `file` is the page's path as written (from the
    project folder for Jupyter Book, whose entries may leave the extension out; from docs_dir for
    MkDocs); a `glob` stands for every page it matches; an entry with only `children` is a part
    (a caption, a MkDocs section); one with a `url` is an external link in the navigation."""

    file: str = ""
    glob: str = ""
    url: str = ""
    title: str = ""  # the TOC's own title (an override, a caption, a nav label); "" → the page's
    children: list[TocEntry] = field(default_factory=list)
    numbered: int = 0  # how many levels Jupyter Book numbers from here down (0: none)
    line: int | None = None  # in the TOC file


@dataclass
class ProjectSpec:
    kind: str  # layout.JUPYTER_BOOK or layout.MKDOCS
    config_file: str  # "_config.yml" or "mkdocs.yml" (messages)
    toc_file: str  # "_toc.yml" or "mkdocs.yml"
    config: CourseConfig
    docs_dir: str = ""  # the folder the pages are in, from the project folder ("" for Jupyter Book)
    home: TocEntry | None = None  # the root page; None: the first page of the docs folder, or a generated one
    entries: list[TocEntry] = field(default_factory=list)
    has_toc: bool = True  # False: MkDocs without `nav:` (the docs folder's order)
    exclude_patterns: tuple[str, ...] = ()  # globs from the project folder (JB) or docs_dir (MkDocs)
    only_build_toc_files: bool = False  # pages outside the TOC are left out, without a word
    directory_urls: bool = False  # MkDocs' use_directory_urls: x.md → x/index.html
    notebook_ignore: tuple[str, ...] = ()  # mkdocs-jupyter `ignore`: notebooks copied as files, not pages
