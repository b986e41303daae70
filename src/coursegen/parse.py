"""Read each source into a Page: Markdown front matter and body, notebook JSON and title."""

from __future__ import annotations

import json
import re

from coursegen.encoding import report_garbled
from coursegen.errors import Diagnostics
from coursegen.frontmatter import PageMeta, first_heading, read_front_matter, split_front_matter
from coursegen.model import Page, PageKind, SourceFile, SourceKind
from coursegen.textio import decode_text
from coursegen.urls import readable_name


def parse_source(source: SourceFile, diagnostics: Diagnostics, yaml_cache=None) -> Page:
    """A Page for a Markdown file or a notebook (with `error` set when it can't be rendered)."""
    if source.kind is SourceKind.MARKDOWN:
        return parse_markdown(source, diagnostics, yaml_cache)
    if source.kind is SourceKind.NOTEBOOK:
        return parse_notebook(source, diagnostics)
    raise ValueError(f"not a page source: {source.rel}")


MAX_MARKDOWN_BYTES = 5_000_000  # a lesson this big is a mistake (a pasted dataset?) and would take minutes


def parse_markdown(source: SourceFile, diagnostics: Diagnostics, yaml_cache=None) -> Page:
    """A page for a Markdown file. When the file can't be read or its front matter is broken, the
    page still exists (links to it work) and shows the error instead of any of its text."""
    rel = str(source.rel)
    kind = PageKind.LESSON
    if source.is_section_index:
        kind = PageKind.HOME if str(source.site_rel.parent) == "." else PageKind.SECTION
    folder = str(source.site_rel.parent).removeprefix(".")
    fallback_title = readable_name(source.path.stem if not source.is_section_index else source.path.parent.name)
    page = Page(kind=kind, url=source.page_url, folder=folder, title=fallback_title, meta=PageMeta(), source=source)

    try:
        data = source.path.read_bytes()
    except OSError as error:
        page.error = f"cannot read the file ({error.strerror})"
        diagnostics.error(rel, page.error, "check that it exists and is readable")
        return page
    if len(data) > MAX_MARKDOWN_BYTES:
        page.error = f"the file is too large ({len(data) / 1e6:.0f} MB)"
        diagnostics.error(rel, page.error, f"split it into lessons under {MAX_MARKDOWN_BYTES // 1_000_000} MB")
        return page
    text = decode_text(data, rel, diagnostics)
    if text is None:
        page.error = "the file is not valid UTF-8"
        return page
    if not text.strip():
        diagnostics.warning(rel, "the file is empty", "write some content or delete it")
    report_garbled(text, rel, diagnostics)
    try:
        split = split_front_matter(text)
    except ValueError as problem:
        page.error = str(problem)
        diagnostics.error(rel, page.error, "add a line with --- after the front matter", line=1)
        return page
    meta = read_front_matter(split.yaml_text, split.yaml_first_line, rel, diagnostics, yaml_cache)
    if meta is None:
        page.error = "the front matter is not valid YAML (see the build's messages)"
        return page
    body, body_first_line = split.body, split.body_first_line

    heading, heading_index, heading_is_first = first_heading(body)
    if heading_is_first and heading_index is not None:
        # The page template shows the title as the page's h1: drop the duplicate from the body.
        lines = body.split("\n")
        body = "\n".join(lines[:heading_index] + [""] + lines[heading_index + 1 :])
    page.meta, page.body, page.body_first_line = meta, body, body_first_line
    page.title = meta.title or heading or fallback_title
    return page


def parse_notebook(source: SourceFile, diagnostics: Diagnostics) -> Page:
    """Notebooks always get a page: a broken one gets a 'could not be rendered' page."""
    rel = str(source.rel)
    folder = str(source.site_rel.parent).removeprefix(".")
    page = Page(kind=PageKind.NOTEBOOK, url=source.page_url, folder=folder, title=readable_name(source.path.stem), meta=PageMeta(), source=source)
    try:
        data = source.path.read_bytes()
    except OSError as error:
        page.error = f"cannot read the file ({error.strerror})"
        diagnostics.error(rel, page.error, "check that it is readable")
        return page
    text = decode_text(data, rel, diagnostics)
    if text is None:
        page.error = "the file is not valid UTF-8"
        return page
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as error:
        what = error.msg.removesuffix(" at")  # json says "Invalid control character at"
        page.error = f"not valid JSON — {what} (line {error.lineno}, column {error.colno})"
        diagnostics.error(rel, f"not valid JSON — {what}", "fix the file in Jupyter or a text editor (a stray line break inside a string?)", line=error.lineno, col=error.colno)
        return page
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells", []), list):
        page.error = "not a Jupyter notebook (no list of cells)"
        diagnostics.error(rel, page.error, "save it again from Jupyter")
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
    cells = notebook.get("cells")
    if not isinstance(cells, list):  # nbformat 3 keeps its cells in worksheets
        worksheets = notebook.get("worksheets")
        cells = worksheets[0].get("cells", []) if isinstance(worksheets, list) and worksheets and isinstance(worksheets[0], dict) else []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "heading" and cell.get("level") == 1:
            source = cell.get("source", "")
            return ("".join(source) if isinstance(source, list) else str(source)).strip()
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            match = _MD_H1.search(source)
            if match:
                return match.group(1).strip()
            break
    return ""
