"""A Jupyter Book 1 project: `_toc.yml` (jb-book parts/chapters/sections, jb-article sections) and
`_config.yml` (mapped by jbconfig.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coursegen.errors import Diagnostics
from coursegen.project.jbconfig import map_jb_config
from coursegen.project.layout import JB_CONFIG, JB_TOC, JUPYTER_BOOK
from coursegen.project.spec import ProjectSpec, TocEntry
from coursegen.project.unknown import UnknownKeys
from coursegen.project.yamlfile import read_project_yaml
from coursegen.textio import read_text

# what each level of a _toc.yml may hold (sphinx-external-toc's format, as Jupyter Book 1 reads it)
ENTRY_KEYS = {"file", "glob", "url", "title", "sections", "chapters", "parts"}
PART_KEYS = {"caption", "chapters", "sections", "numbered"}
ALL_LEVELS = 99  # `numbered: true`
TOP_KEYS = {"format", "root", "parts", "chapters", "sections", "defaults", "options", "title"}


def read_jupyter_book(root: Path, diagnostics: Diagnostics) -> ProjectSpec | None:
    """The book's TOC and settings; None when `_toc.yml` can't be read (an error finding says why)."""
    toc = _read_yaml(root / JB_TOC, JB_TOC, diagnostics)
    if toc is None:
        return None
    settings = (
        _read_yaml(root / JB_CONFIG, JB_CONFIG, diagnostics) if (root / JB_CONFIG).is_file() else ({}, {})
    )
    if settings is None:
        return None
    spec = map_jb_config(root, *settings, diagnostics)
    _read_toc(spec, *toc, diagnostics)
    return spec


def _read_yaml(path: Path, rel: str, diagnostics: Diagnostics):
    text = read_text(path, rel, diagnostics)
    return None if text is None else read_project_yaml(text, rel, diagnostics)


def _read_toc(
    spec: ProjectSpec, data: dict[str, Any], lines: dict[str, int], diagnostics: Diagnostics
) -> None:
    unknown = UnknownKeys(JB_TOC, "table of contents keys")
    unknown.check(data, TOP_KEYS, line_of=lines.get)
    book_format = str(data.get("format", "jb-book"))
    if book_format not in ("jb-book", "jb-article"):
        diagnostics.warning(
            JB_TOC,
            f"format '{book_format}' is not a Jupyter Book 1 format; read as jb-book",
            "write format: jb-book (parts and chapters) or format: jb-article (sections)",
            line=lines.get("format"),
            kind="config",
        )
    defaults = data.get("defaults") or data.get("options") or {}
    numbered = numbering_depth(defaults.get("numbered")) if isinstance(defaults, dict) else 0
    if isinstance(data.get("root"), str):
        spec.home = TocEntry(file=data["root"], line=lines.get("root"))
    else:
        diagnostics.warning(
            JB_TOC,
            "the table of contents has no root page",
            "add root: intro (the book's first page, without its extension)",
            line=1,
            kind="config",
        )
    reader = _TocReader(unknown, numbered)
    if isinstance(data.get("parts"), list):
        spec.entries = [reader.part(part) for part in data["parts"] if isinstance(part, dict)]
    else:
        spec.entries = reader.entries(data.get("chapters") or data.get("sections"), numbered)
    unknown.report(diagnostics)


def numbering_depth(value: Any) -> int:
    """`numbered:` as Sphinx reads it: true numbers every level below, a number N only the first N
    levels (`numbered: 2`: chapters and their sections), false or 0 none."""
    if isinstance(value, bool) or not isinstance(value, int):
        return ALL_LEVELS if value else 0
    return max(value, 0)


class _TocReader:
    def __init__(self, unknown: UnknownKeys, numbered: int):
        self.unknown, self.numbered = unknown, numbered

    def part(self, part: dict) -> TocEntry:
        """A part: its caption becomes a module of the course (without a caption, one all the same)."""
        self.unknown.check(part, PART_KEYS)
        numbered = numbering_depth(part["numbered"]) if "numbered" in part else self.numbered
        children = self.entries(part.get("chapters") or part.get("sections"), numbered)
        return TocEntry(
            title=str(part.get("caption") or ""),
            children=children,
            numbered=numbered,
            line=getattr(part, "line", None),
        )

    def entries(self, items: Any, numbered: int) -> list[TocEntry]:
        return (
            [self.entry(item, numbered) for item in items if isinstance(item, dict)]
            if isinstance(items, list)
            else []
        )

    def entry(self, item: dict, numbered: int) -> TocEntry:
        self.unknown.check(item, ENTRY_KEYS)
        children = self.entries(item.get("sections") or item.get("chapters"), numbered)
        for part in item.get("parts") or []:  # a page with several captioned subtrees: one after the other
            if isinstance(part, dict):
                children.extend(self.part(part).children)
        return TocEntry(
            file=str(item.get("file") or ""),
            glob=str(item.get("glob") or ""),
            url=str(item.get("url") or ""),
            title=str(item.get("title") or ""),
            children=children,
            numbered=numbered,
            line=getattr(item, "line", None),
        )


__all__ = ["JUPYTER_BOOK", "read_jupyter_book"]
