"""Notebook pages: nbconvert's HTMLExporter with coursegen's cell template and Markdown pipeline."""

from __future__ import annotations

import warnings
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable, Mapping

from coursegen.cache import digest
from coursegen.errors import Diagnostics
from coursegen.markdown_render import MarkdownRenderer, RenderedMarkdown
from coursegen.model import Page

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
    """Notebook conversion for one build; nbconvert is imported only when a notebook must be converted."""

    def __init__(self, markdown: Callable[[], MarkdownRenderer], strings: Mapping[str, str]):
        self.markdown = markdown
        self.strings = strings
        self._converter: NotebookConverter | None = None
        # what a cached notebook page depends on besides the notebook itself
        self.settings = digest(
            *(p.read_bytes() for p in sorted(TEMPLATE_DIR.rglob("*")) if p.is_file()),
            version("nbconvert"),
            version("nbformat"),
            strings["notebook_figure"],
            strings["widget_note"],
        )

    def render(self, page: Page, diagnostics: Diagnostics) -> RenderedMarkdown:
        if self._converter is None:
            self._converter = NotebookConverter(self.markdown(), self.strings)
        return self._converter.convert(page, diagnostics)


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
