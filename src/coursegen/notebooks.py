"""Notebook pages: nbconvert's HTMLExporter with coursegen's cell template and Markdown pipeline."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Mapping

from coursegen.cache import JsonCache, digest
from coursegen.errors import Diagnostic, Diagnostics, Level
from coursegen.markdown_render import AnchorLink, MarkdownRenderer, RenderedMarkdown
from coursegen.model import Course, Page, target_url

TEMPLATE_DIR = Path(__file__).parent / "nbconvert_templates"


class NotebookConverter:
    """Wraps one HTMLExporter (costly to create) for all the notebooks of a build."""

    def __init__(self, markdown: MarkdownRenderer, strings: Mapping[str, str]):
        import jinja2
        from nbconvert import HTMLExporter  # heavy: imported only for courses with notebooks

        self.markdown = markdown
        self.strings = strings
        self._current: tuple[Page, Diagnostics, RenderedMarkdown] | None = None

        @jinja2.pass_context
        def markdown_cell(context: Any, source: str) -> str:
            return self._render_markdown_cell(source)

        self.exporter = HTMLExporter(
            template_name="coursegen",
            # never the current directory, which nbconvert searches by default
            extra_template_basedirs=[str(TEMPLATE_DIR)],
            exclude_anchor_links=True,
            filters={"markdown2html": markdown_cell},
        )

    def _render_markdown_cell(self, source: str) -> str:
        assert self._current is not None
        page, diagnostics, collected = self._current
        rendered = self.markdown.render(page, source, 0, diagnostics)
        collected.anchors |= rendered.anchors
        collected.anchor_links.extend(rendered.anchor_links)
        collected.toc.extend(rendered.toc)
        return rendered.html

    def convert(self, page: Page, diagnostics: Diagnostics) -> RenderedMarkdown:
        """The cells of `page`'s notebook as HTML. Raises NotebookProblem for an invalid notebook."""
        import nbformat

        notebook = validated_notebook(page, diagnostics)
        _drop_title_heading(notebook)
        collected = RenderedMarkdown(html="")
        self._current = (page, diagnostics, collected)
        try:
            resources = {
                "metadata": {"name": page.source.path.stem, "path": str(page.source.path.parent)},
                "coursegen": {"image_alt": self.strings["notebook_figure"], "widget_note": self.strings["widget_note"]},
            }
            with warnings.catch_warnings():
                # nbconvert falls back to the Python lexer when IPython is not installed: fine for us
                warnings.filterwarnings("ignore", message=".*lexer unavailable.*")
                html, _ = self.exporter.from_notebook_node(notebook, resources=resources)
        finally:
            self._current = None
        collected.html = html
        collected.anchors |= _cell_ids(notebook)
        return collected


class NotebookPages:
    """Notebook pages for one build: cached results first, nbconvert (created lazily) on a miss.

    The key covers the notebook's bytes, the cell template, nbconvert's version, the interface
    strings used in cells, and the site's link targets (Markdown cells link to other pages).
    """

    def __init__(self, course: Course, markdown: MarkdownRenderer, strings: Mapping[str, str], cache: JsonCache | None):
        self.course = course
        self.markdown = markdown
        self.strings = strings
        self.cache = cache
        self._converter: NotebookConverter | None = None
        self._settings = digest(
            *(p.read_bytes() for p in sorted(TEMPLATE_DIR.rglob("*")) if p.is_file()),
            _nbconvert_version(),
            strings["notebook_figure"],
            strings["widget_note"],
            link_signature(course),
        )
        self.hits = self.misses = 0

    def render(self, page: Page, diagnostics: Diagnostics) -> RenderedMarkdown:
        key = digest(self._settings, str(page.source.rel), page.source.path.read_bytes())
        entry = self.cache.get(key) if self.cache else None
        if entry is not None:
            self.hits += 1
            return self._from_entry(entry, page, diagnostics)
        self.misses += 1
        if self._converter is None:
            self._converter = NotebookConverter(self.markdown, self.strings)
        local = Diagnostics()
        rendered = self._converter.convert(page, local)
        diagnostics.extend(local)
        if self.cache is not None:
            self.cache.put(key, _to_entry(rendered, local))
        return rendered

    def _from_entry(self, entry: dict, page: Page, diagnostics: Diagnostics) -> RenderedMarkdown:
        for item in entry["diagnostics"]:
            diagnostics.items.append(Diagnostic(item["path"], item["line"], item["col"], Level(item["level"]), item["message"], item["hint"]))
        links = []
        for target_url, fragment, href, line in entry["anchor_links"]:
            target = self.course.by_url.get(target_url)
            if isinstance(target, Page):
                links.append(AnchorLink(page, target, fragment, href, line))
        return RenderedMarkdown(html=entry["html"], toc=entry["toc"], anchors=set(entry["anchors"]), anchor_links=links)


def _to_entry(rendered: RenderedMarkdown, local: Diagnostics) -> dict:
    return {
        "html": rendered.html,
        "toc": rendered.toc,
        "anchors": sorted(rendered.anchors),
        "anchor_links": [(link.target.url, link.fragment, link.href, link.line) for link in rendered.anchor_links],
        "diagnostics": [
            {"path": d.path, "line": d.line, "col": d.col, "level": d.level.value, "message": d.message, "hint": d.hint} for d in local.items
        ],
    }


def link_signature(course: Course) -> str:
    """Changes when a page or file is added, removed or moved — not when a page's text changes."""
    names = sorted(f"{key}\t{target_url(value)}" for index in (course.by_rel, course.by_site_rel, course.by_url) for key, value in index.items())
    return digest("\n".join(names))


def _nbconvert_version() -> str:
    from importlib.metadata import version

    return version("nbconvert")


class NotebookProblem(Exception):
    """A notebook that is not valid enough to render."""


def validated_notebook(page: Page, diagnostics: Diagnostics):
    """The notebook as nbformat v4, upgraded from v3 with a note; schema errors name the JSON path."""
    import nbformat
    from nbformat.validator import ValidationError

    data = page.notebook_json
    if data is None:
        raise NotebookProblem(page.notebook_error or "the notebook could not be read")
    major = data.get("nbformat")
    if not isinstance(major, int):
        raise NotebookProblem("no 'nbformat' version number: not a Jupyter notebook")
    if major not in nbformat.versions:
        raise NotebookProblem(f"notebook format {major} is not supported (expected 4)")
    try:
        notebook = nbformat.versions[major].to_notebook_json(data, minor=data.get("nbformat_minor", 0))
        if major < 4:
            notebook = nbformat.convert(notebook, 4)
            diagnostics.warning(page.rel, f"notebook format {major} upgraded to 4 for rendering", "open and save it in a current Jupyter to upgrade the file")
        nbformat.validate(notebook)
    except ValidationError as error:
        where = _json_path(getattr(error, "absolute_path", ()) or getattr(getattr(error, "original", None), "absolute_path", ()))
        message = str(getattr(error, "message", "") or error).splitlines()[0]
        raise NotebookProblem(f"invalid notebook at {where or 'top level'}: {message}") from None
    except Exception as error:  # nbformat raises assorted errors for malformed structures
        raise NotebookProblem(f"invalid notebook: {error}") from None
    return notebook


def _drop_title_heading(notebook) -> None:
    """The theme shows the title as the page's h1: drop a leading `# Title` of the first cell, as for lessons."""
    from coursegen.frontmatter import first_heading

    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            return
        text, index, is_first = first_heading(cell.source)
        if text and is_first:
            lines = cell.source.split("\n")
            cell.source = "\n".join(lines[:index] + lines[index + 1 :])
        return


def _json_path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _cell_ids(notebook) -> set[str]:
    return {f"cell-id={cell.get('id')}" for cell in notebook.cells if cell.get("id")}
