"""Read each source into a Page: Markdown front matter and body, notebook JSON and title."""

from __future__ import annotations

import json
import re

from coursegen.encoding import report_garbled
from coursegen.errors import Diagnostics
from coursegen.frontmatter import PageMeta, first_heading, parse_front_matter, split_front_matter
from coursegen.model import Page, PageKind, SourceFile, SourceKind
from coursegen.textio import decode_text
from coursegen.urls import readable_name


def parse_source(source: SourceFile, diagnostics: Diagnostics) -> Page | None:
    """A Page for a Markdown file or a notebook; None when the file can't be read at all."""
    if source.kind is SourceKind.MARKDOWN:
        return parse_markdown(source, diagnostics)
    if source.kind is SourceKind.NOTEBOOK:
        return parse_notebook(source, diagnostics)
    raise ValueError(f"not a page source: {source.rel}")


def parse_markdown(source: SourceFile, diagnostics: Diagnostics) -> Page | None:
    rel = str(source.rel)
    try:
        data = source.path.read_bytes()
    except OSError as error:
        diagnostics.error(rel, f"cannot read the file ({error.strerror})", "check that it is readable")
        return None
    text = decode_text(data, rel, diagnostics)
    if text is None:
        return None
    if not text.strip():
        diagnostics.warning(rel, "the file is empty", "write some content or delete it")
    report_garbled(text, rel, diagnostics)
    try:
        split = split_front_matter(text)
    except ValueError as problem:
        diagnostics.error(rel, str(problem), "add a line with --- after the front matter", line=1)
        return None
    meta = parse_front_matter(split.yaml_text, split.yaml_first_line, rel, diagnostics)
    body, body_first_line = split.body, split.body_first_line

    title = meta.title
    heading, heading_index, heading_is_first = first_heading(body)
    if heading_is_first and heading_index is not None:
        # The page template shows the title as the page's h1: drop the duplicate from the body.
        lines = body.split("\n")
        body = "\n".join(lines[: heading_index] + [""] + lines[heading_index + 1 :])
    title = title or heading or readable_name(source.path.stem if not source.is_section_index else source.path.parent.name)

    kind = PageKind.LESSON
    if source.is_section_index:
        kind = PageKind.HOME if str(source.site_rel.parent) == "." else PageKind.SECTION
    folder = str(source.site_rel.parent).removeprefix(".")
    return Page(kind=kind, url=source.page_url, folder=folder, title=title, meta=meta, source=source, body=body, body_first_line=body_first_line)


def parse_notebook(source: SourceFile, diagnostics: Diagnostics) -> Page:
    """Notebooks always get a page: a broken one gets a 'could not be rendered' page."""
    rel = str(source.rel)
    folder = str(source.site_rel.parent).removeprefix(".")
    page = Page(kind=PageKind.NOTEBOOK, url=source.page_url, folder=folder, title=readable_name(source.path.stem), meta=PageMeta(), source=source)
    try:
        data = source.path.read_bytes()
    except OSError as error:
        page.notebook_error = f"cannot read the file ({error.strerror})"
        diagnostics.error(rel, page.notebook_error, "check that it is readable")
        return page
    text = decode_text(data, rel, diagnostics)
    if text is None:
        page.notebook_error = "the file is not valid UTF-8"
        return page
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as error:
        what = error.msg.removesuffix(" at")  # json says "Invalid control character at"
        page.notebook_error = f"not valid JSON — {what} (line {error.lineno}, column {error.colno})"
        diagnostics.error(rel, f"not valid JSON — {what}", "fix the file in Jupyter or a text editor (a stray line break inside a string?)", line=error.lineno, col=error.colno)
        return page
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells", []), list):
        page.notebook_error = "not a Jupyter notebook (no list of cells)"
        diagnostics.error(rel, page.notebook_error, "save it again from Jupyter")
        return page
    page.notebook_json = notebook
    page.title = notebook_title(notebook) or page.title
    return page


_MD_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def notebook_title(notebook: dict) -> str:
    """metadata.title, else the first `# heading` of the first Markdown cell."""
    title = notebook.get("metadata", {}).get("title") if isinstance(notebook.get("metadata"), dict) else None
    if isinstance(title, str) and title.strip():
        return title.strip()
    for cell in notebook.get("cells", []):
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            match = _MD_H1.search(source)
            if match:
                return match.group(1).strip()
            break
    return ""
