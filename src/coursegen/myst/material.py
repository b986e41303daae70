"""MkDocs-Material's extensions that coursegen's Markdown lacks: `--8<--` snippets (pymdownx.snippets,
files from the docs folder only) and icon shortcodes (`:material-check:`, `:fontawesome-brands-python:`,
`:octicons-alert-16:`). `!!!`, `???`/`???+`, `===` tabs, attr_list, md_in_html, def_list,
footnotes and task lists are coursegen's own Markdown already.

Icons need Material's icon sets, which coursegen does not ship: they are left out of the page, and
the course gets one warning saying how many and where the first one is."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from coursegen.errors import Diagnostics
from coursegen.myst.labels import PageScan
from coursegen.myst.unsupported import unsupported_block

if TYPE_CHECKING:
    from coursegen.model import Page
    from coursegen.myst.stage import Flavors

ICON = re.compile(r":(?:material|fontawesome|octicons|simple)-[a-z0-9-]+:(?:\{[^}\n]*\})?")
_SNIPPET_LINE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<escape>;?)--8<--[ \t]+(?P<quote>[\"'])(?P<path>[^\"']+)(?P=quote)[ \t]*$"
)
_SNIPPET_BLOCK = re.compile(r"^[ \t]*--8<--[ \t]*$")
MAX_DEPTH = 4


def snippet_folders(flavors: Flavors) -> list[Path]:
    """The folders `--8<--` paths are looked up in, in order: a MkDocs project's
    pymdownx.snippets `base_path` (by default its root, where mkdocs runs), else the content folder."""
    if flavors.settings.snippet_paths:
        return [(flavors.root / folder).resolve() for folder in flavors.settings.snippet_paths]
    content = flavors.root / "content"
    return [(content if content.is_dir() else flavors.root).resolve()]


def convert_material(
    flavors: Flavors, page: Page, text: str, first_line: int, diagnostics: Diagnostics
) -> str:
    scan = PageScan()
    lines = _with_snippets(flavors, page, text.split("\n"), first_line, diagnostics, scan, 0)
    lines += _appended(flavors, page, diagnostics, scan)
    return ICON.sub("", "\n".join(lines)) if ":" in "\n".join(lines) else "\n".join(lines)


def scan_material(flavors: Flavors, page: Page, text: str) -> PageScan:
    """The snippet files the page includes (by content: an edit to one renders the page again),
    and its icons, counted for the course's one warning."""
    scan = PageScan()
    lines = _with_snippets(flavors, page, text.split("\n"), 0, Diagnostics(), scan, 0)
    lines += _appended(flavors, page, Diagnostics(), scan)
    scan.icons = [found.group(0) for found in ICON.finditer("\n".join(lines))]
    return scan


def _appended(flavors: Flavors, page: Page, diagnostics: Diagnostics, scan: PageScan) -> list[str]:
    """pymdownx.snippets' `auto_append`: files added at the end of every page (abbreviations, links)."""
    lines: list[str] = []
    for written in flavors.settings.snippet_auto_append:
        lines += ["", *_snippet(flavors, page, written, "", None, diagnostics, scan, 0)]
    return lines


def _with_snippets(
    flavors: Flavors,
    page: Page,
    lines: list[str],
    first_line: int,
    diagnostics: Diagnostics,
    scan: PageScan,
    depth: int,
) -> list[str]:
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        line_no = first_line + index if first_line > 0 else None
        # as pymdownx.snippets: inside code fences too (the way to show a file's code); `;--8<--` escapes
        found = _SNIPPET_LINE.match(line) if "--8<--" in line else None
        if found is not None and found.group("escape"):
            out.append(line.replace(";--8<--", "--8<--", 1))
        elif found is not None:
            out.extend(
                _snippet(
                    flavors,
                    page,
                    found.group("path"),
                    found.group("indent"),
                    line_no,
                    diagnostics,
                    scan,
                    depth,
                )
            )
        elif _SNIPPET_BLOCK.match(line):
            end = next(
                (i for i in range(index + 1, len(lines)) if _SNIPPET_BLOCK.match(lines[i])), len(lines)
            )
            for path in (item.strip() for item in lines[index + 1 : end]):
                if path and not path.startswith(";"):
                    out.extend(_snippet(flavors, page, path, "", line_no, diagnostics, scan, depth))
            index = end
        else:
            out.append(line)
        index += 1
    return out


def _snippet(
    flavors: Flavors,
    page: Page,
    written: str,
    indent: str,
    line: int | None,
    diagnostics: Diagnostics,
    scan: PageScan,
    depth: int,
) -> list[str]:
    """The lines of snippet `written` (`file.md`, or `file.md:3:8` for lines 3 to 8)."""
    path_text, first, last = _line_range(written)
    folders = snippet_folders(flavors)
    inside, path = _find_snippet(folders, path_text)
    where = _folder_names(flavors, folders)
    problem = ""
    if not inside:
        problem, hint = (
            f"snippet '{written}' is outside {where}",
            f"keep snippets inside {where} (nothing else is read)",
        )
    elif path is None:
        problem, hint = (
            f"snippet '{written}' not found in {where}",
            f"give its path from {where}, e.g. --8<-- \"includes/abbreviations.md\"",
        )
    elif depth >= MAX_DEPTH:
        problem, hint = (
            f"snippet '{written}' is nested too deeply",
            "a snippet may include others four levels deep",
        )
    if problem:
        diagnostics.warning(page.rel, problem, hint, line=line, kind="markdown")
        return unsupported_block("--8<--", f'--8<-- "{written}"', problem, "Source")
    data = path.read_bytes()
    scan.dependencies.append(f"{path_text}:{hashlib.sha256(data).hexdigest()}")
    text = data.decode("utf-8", "replace").replace("\r\n", "\n")
    lines = text.rstrip("\n").split("\n")[first - 1 : last]
    nested = _with_snippets(flavors, page, lines, 0, diagnostics, scan, depth + 1)
    return [indent + item if item.strip() else "" for item in nested]


def _find_snippet(folders: list[Path], path_text: str) -> tuple[list[Path], Path | None]:
    """The places `path_text` may be in (those inside their folder), and the first that exists."""
    places = [(folder / path_text).resolve() for folder in folders]
    inside = [place for place, folder in zip(places, folders) if place.is_relative_to(folder)]
    return inside, next((place for place in inside if place.is_file()), None)


def snippet_files(flavors: Flavors, page: Page, text: str) -> list[Path]:
    """The files a Material page includes (nested snippets and `auto_append` too), as found."""
    folders = snippet_folders(flavors)
    paths = (
        _find_snippet(folders, entry.rsplit(":", 1)[0])[1]
        for entry in scan_material(flavors, page, text).dependencies
    )
    return sorted({path for path in paths if path is not None})


def _folder_names(flavors: Flavors, folders: list[Path]) -> str:
    """ "content/", or a MkDocs project's snippet folders: "the project's folder and docs/"."""
    root = flavors.root.resolve()
    names = [
        "the project's folder"
        if folder == root
        else f"{folder.relative_to(root).as_posix()}/"
        if folder.is_relative_to(root)
        else str(folder)
        for folder in folders
    ]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _line_range(written: str) -> tuple[str, int, int | None]:
    found = re.match(r"^(?P<path>.*?)(?::(?P<first>\d+)(?::(?P<last>\d+))?)?$", written)
    first = int(found.group("first")) if found.group("first") else 1
    last = int(found.group("last")) if found.group("last") else None
    return found.group("path"), max(first, 1), last


def report_icons(icons: list[tuple[str, str]], diagnostics: Diagnostics) -> None:
    """One warning for the whole course: how many icons were left out, and the first one."""
    if not icons:
        return
    rel, icon = icons[0]
    diagnostics.warning(
        rel,
        f"{len(icons)} icon shortcode(s) such as '{icon}' left out of the pages",
        "coursegen does not ship Material's icon sets: use an emoji (✅) or an image instead",
        kind="markdown",
    )
