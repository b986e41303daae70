"""A project's sources: every file of its pages folder, each page at the URL its old tool gave it,
and its table of contents resolved to those files (globs expanded, missing files reported)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from coursegen.discover import joined_pair, walk_folder
from coursegen.errors import Diagnostics
from coursegen.model import SourceFile, SourceKind
from coursegen.notebookfiles import is_notebook_source
from coursegen.project.layout import JUPYTER_BOOK
from coursegen.project.spec import ProjectSpec, TocEntry
from coursegen.siteswap import MARKER
from coursegen.textnotebooks import TEXT_NOTEBOOK_SUFFIXES
from coursegen.urls import natural_key, readable_name

# what a Jupyter Book TOC entry written without its extension may be (in Sphinx's order)
JB_SUFFIXES = (".md", ".ipynb", ".myst", ".py")
INDEX_NAMES = ("index.md", "README.md")


@dataclass
class ProjectSources:
    sources: list[SourceFile]  # pages (by URL rules of the old tool) and files copied as they are
    home: str = ""  # the first page's course path ("" → a generated home page)
    entries: list[TocEntry] = field(default_factory=list)  # the TOC, `file` now a course path, globs expanded
    orphans: list[str] = field(default_factory=list)  # pages in no TOC entry, published after the others


def project_sources(
    root: Path, spec: ProjectSpec, diagnostics: Diagnostics, skip: tuple[Path, ...]
) -> ProjectSources:
    root = root.resolve()
    base = root / spec.docs_dir if spec.docs_dir else root
    if not base.is_dir():
        diagnostics.error(
            spec.config_file,
            f"the pages folder '{spec.docs_dir}' does not exist",
            "create it, or set docs_dir to the folder holding the pages",
            kind="files",
        )
        return ProjectSources([])
    skip = (*skip, *_not_sources(base))
    files = [
        found
        for found in walk_folder(root, base, diagnostics, skip)
        if not _excluded(_inner(spec, found), spec)
    ]
    files, paired = _pair_text_notebooks(files, spec)
    pages = {str(found.rel): found for found in files if _is_page(found, spec)}
    resolver = _TocResolver(spec, pages, diagnostics, paired)
    placed = resolver.resolve()
    orphans = [rel for rel in pages if rel not in resolver.used]
    if spec.only_build_toc_files:
        files = [found for found in files if str(found.rel) not in orphans]
        orphans = []
    for rel in orphans:
        diagnostics.warning(
            rel,
            f"the page is in no entry of {spec.toc_file}: published, but only reachable by links",
            f"add it to {spec.toc_file}"
            + (", or set only_build_toc_files: true" if spec.kind == JUPYTER_BOOK else ""),
            kind="files",
        )
    sources = [_placed(found, spec, pages, resolver.home) for found in files]
    return ProjectSources(sources, resolver.home, placed, orphans)


def _inner(spec: ProjectSpec, source: SourceFile) -> str:
    """The file's path from the pages folder (its place in the site)."""
    rel = str(source.rel)
    return rel[len(spec.docs_dir) + 1 :] if spec.docs_dir else rel


def _excluded(inner: str, spec: ProjectSpec) -> bool:
    """exclude_patterns / exclude_docs: a pattern excludes a file, or a folder with everything in it."""
    if not spec.exclude_patterns:
        return False
    candidates = [inner, *(str(folder) for folder in PurePosixPath(inner).parents if str(folder) != ".")]
    return any(fnmatchcase(path, pattern) for pattern in spec.exclude_patterns for path in candidates)


def _not_sources(base: Path) -> list[Path]:
    """A Python environment kept in the project (`venv/`), or a site coursegen built there (`site/`,
    while `serve` builds elsewhere), is no part of the course."""
    try:
        return [
            folder
            for folder in base.iterdir()
            if (folder / "pyvenv.cfg").is_file() or (folder / MARKER).exists()
        ]
    except OSError:
        return []


def _pair_text_notebooks(
    files: list[SourceFile], spec: ProjectSpec
) -> tuple[list[SourceFile], dict[str, str]]:
    """A MyST `.md` or percent `.py` notebook and the `.ipynb` of the same stem beside it (jupytext
    pairing, as a Jupyter Book build leaves it) are one page, as in a coursegen course: the text
    gives the cells, the `.ipynb` its saved outputs. Returns the files without the paired `.ipynb`
    and, for the TOC entries that name it, each such `.ipynb`'s text notebook."""
    ipynbs = {(f.rel.parent, f.rel.stem): f for f in files if f.rel.suffix.lower() == ".ipynb"}
    if not ipynbs:
        return files, {}
    paired: dict[str, SourceFile] = {}
    for found in sorted(files, key=lambda f: str(f.rel)):  # x.md before x.py takes x.ipynb
        ipynb = ipynbs.get((found.rel.parent, found.rel.stem))
        if (
            ipynb is not None
            and str(ipynb.rel) not in paired
            and found.rel.suffix.lower() in TEXT_NOTEBOOK_SUFFIXES
            and _is_page(found, spec)
            and is_notebook_source(found.path)
        ):
            paired[str(ipynb.rel)] = found
    texts = {str(text.rel): ipynbs[(text.rel.parent, text.rel.stem)] for text in paired.values()}
    kept = [
        joined_pair(found, texts[str(found.rel)]) if str(found.rel) in texts else found
        for found in files
        if str(found.rel) not in paired
    ]
    return kept, {ipynb: str(text.rel) for ipynb, text in paired.items()}


def _is_page(source: SourceFile, spec: ProjectSpec) -> bool:
    name = source.rel.name
    if any(fnmatchcase(_inner(spec, source), pattern) for pattern in spec.notebook_ignore):
        return False
    return is_notebook_source(source.path) or name.lower().endswith(".md")


def _placed(source: SourceFile, spec: ProjectSpec, pages: dict[str, SourceFile], home: str) -> SourceFile:
    inner = _inner(spec, source)
    rel = str(source.rel)
    if rel not in pages:
        return replace(source, site_rel=PurePosixPath(inner), kind=SourceKind.ASSET)
    kind = SourceKind.NOTEBOOK if is_notebook_source(source.path) else SourceKind.MARKDOWN
    url = (
        "index.html" if rel == home else page_url(inner, spec.kind == JUPYTER_BOOK or not spec.directory_urls)
    )
    return replace(source, site_rel=PurePosixPath(inner), kind=kind, url=url)


def page_url(inner: str, flat: bool) -> str:
    """The old tool's URL of a page at `inner` in the pages folder: Jupyter Book and MkDocs without
    directory URLs (`flat`) put `a/x.md` at `a/x.html`; MkDocs otherwise at `a/x/index.html`. Both
    put a folder's `index.md` (MkDocs: also `README.md`) at `a/index.html`."""
    folder, name = posixpath.split(inner)
    stem = posixpath.splitext(name)[0]
    if name == "index.md" or (not flat and name == "README.md"):
        return posixpath.join(folder, "index.html")
    return posixpath.join(folder, f"{stem}.html" if flat else f"{stem}/index.html")


class _TocResolver:
    """The TOC's entries with course paths, in TOC order; each page at most once."""

    def __init__(
        self,
        spec: ProjectSpec,
        pages: dict[str, SourceFile],
        diagnostics: Diagnostics,
        paired: dict[str, str],
    ):
        self.spec, self.pages, self.diagnostics = spec, pages, diagnostics
        self.paired = paired  # a paired `.ipynb` named in the TOC → its text notebook, the page
        self.used: set[str] = set()
        self.home = ""

    def resolve(self) -> list[TocEntry]:
        spec = self.spec
        if spec.home is not None:
            self.home = self._file(spec.home) or ""
        if spec.has_toc:
            entries = self._entries(spec.entries)
        else:
            entries = _folder_order(spec, sorted(self.pages))
            self.used.update(self.pages)
        if not self.home:  # MkDocs: the docs folder's index.md, wherever the nav lists it
            folder = f"{spec.docs_dir}/" if spec.docs_dir else ""
            self.home = next((folder + name for name in INDEX_NAMES if folder + name in self.pages), "")
            if self.home:
                self.used.add(self.home)
                entries = _without(entries, self.home)
        return entries

    def _entries(self, entries: list[TocEntry]) -> list[TocEntry]:
        resolved = []
        for entry in entries:
            if entry.glob:
                resolved.extend(self._glob(entry))
                continue
            file = self._file(entry) if entry.file else ""
            if entry.file and not file:
                continue
            children = self._entries(entry.children)
            if file or entry.url or children or entry.title:
                resolved.append(replace(entry, file=file, children=children))
        return resolved

    def _file(self, entry: TocEntry) -> str | None:
        """The course path of an entry's page; None (reported) when there is none."""
        written = entry.file.strip().lstrip("/")
        inner = posixpath.normpath(written)
        prefix = f"{self.spec.docs_dir}/" if self.spec.docs_dir else ""
        suffixes = JB_SUFFIXES if self.spec.kind == JUPYTER_BOOK else ()
        for candidate in (prefix + inner, *(prefix + inner + suffix for suffix in suffixes)):
            candidate = self.paired.get(candidate, candidate)
            if candidate in self.pages:
                if candidate in self.used:
                    self.diagnostics.warning(
                        self.spec.toc_file,
                        f"'{written}' is listed twice; only its first entry is kept",
                        "remove one of the entries",
                        line=entry.line,
                        kind="config",
                    )
                    return None
                self.used.add(candidate)
                return candidate
        self.diagnostics.warning(
            self.spec.toc_file,
            f"'{written}' is in the table of contents but there is no such page",
            f"check the path (from {'the ' + self.spec.docs_dir + '/ folder' if prefix else 'the book folder'}"
            + (", without the extension" if suffixes else "")
            + ")",
            line=entry.line,
            kind="config",
        )
        return None

    def _glob(self, entry: TocEntry) -> list[TocEntry]:
        matched = []
        for rel in sorted(self.pages, key=natural_key):
            if (
                rel not in self.used
                and rel != self.home
                and fnmatchcase(posixpath.splitext(rel)[0], entry.glob)
            ):
                self.used.add(rel)
                matched.append(TocEntry(file=rel, numbered=entry.numbered, line=entry.line))
        if not matched:
            self.diagnostics.warning(
                self.spec.toc_file,
                f"glob '{entry.glob}' matches no page",
                "check the pattern (from the book folder, without the extension)",
                line=entry.line,
                kind="config",
            )
        return matched


def _without(entries: list[TocEntry], rel: str) -> list[TocEntry]:
    return [
        replace(entry, children=_without(entry.children, rel))
        for entry in entries
        if not (rel and entry.file == rel)
    ]


def _folder_order(spec: ProjectSpec, rels: list[str]) -> list[TocEntry]:
    """MkDocs without `nav:`: a folder's index first, then its pages, then its folders as sections."""
    base = spec.docs_dir
    tree: dict = {}
    for rel in rels:
        inner = rel[len(base) + 1 :] if base else rel
        *folders, name = inner.split("/")
        node = tree
        for folder in folders:
            node = node.setdefault(folder + "/", {})
        node[name] = rel
    return _tree_entries(tree)


def _tree_entries(tree: dict) -> list[TocEntry]:
    names = sorted(tree, key=lambda name: (name.endswith("/"), name not in INDEX_NAMES, natural_key(name)))
    entries = []
    for name in names:
        if name.endswith("/"):
            entries.append(TocEntry(title=readable_name(name[:-1]), children=_tree_entries(tree[name])))
        else:
            entries.append(TocEntry(file=tree[name]))
    return entries
