"""Notebook pages: nbconvert's HTMLExporter with coursegen's cell template and Markdown pipeline."""

from __future__ import annotations

import html
import json
import re
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coursegen.cache import digest, installed_version
from coursegen.celltags import drop_removed_streams, normalise_tags
from coursegen.config import NotebookSettings
from coursegen.errors import Diagnostics
from coursegen.frontmatter import first_heading
from coursegen.glue import drop_hidden_glue
from coursegen.model import Page
from coursegen.remote_media import find_remote_media, locate_in_notebook
from coursegen.scrub import PathScrubber

if TYPE_CHECKING:  # Markdown and Pygments are imported only when a page is rendered
    from coursegen.markdown_render import MarkdownRenderer, RenderedMarkdown

TEMPLATE_DIR = Path(__file__).parent / "nbconvert_templates"


class NotebookConverter:
    """Wraps one HTMLExporter (costly to create) for all the notebooks of a build."""

    def __init__(self, markdown: MarkdownRenderer, strings: Mapping[str, str], settings: NotebookSettings):
        import jinja2
        from nbconvert.preprocessors import TagRemovePreprocessor  # heavy: only for courses with notebooks
        from traitlets.config import Config

        self.markdown = markdown
        self.strings = strings
        self.settings = settings
        self.demote = False
        self._current: tuple[Page, Diagnostics, RenderedMarkdown] | None = None
        self._math_page = None  # the notebook's macros, from cell to cell (math_macros.PageMacros)

        @jinja2.pass_context
        def markdown_cell(context: Any, source: str) -> str:
            cell = context.get("cell") or {}
            number = (cell.get("metadata") or {}).get("coursegen_cell")
            return self._render_markdown_cell(source, cell.get("attachments") or {}, number)

        exporter_class = _cells_exporter_class()
        config = Config()
        # HTMLExporter's own priorities (widgets, JavaScript, HTML…), plus JSON-only outputs shown as text
        config.NbConvertBase.display_data_priority = [
            *exporter_class().default_config.NbConvertBase.display_data_priority,
            "application/json",
        ]
        self.exporter = exporter_class(
            config=config,
            template_name="coursegen",
            # never the current directory, which nbconvert searches by default
            extra_template_basedirs=[str(TEMPLATE_DIR)],
            exclude_anchor_links=True,
            sanitize_html=settings.sanitize,
            # the notebook is validated before it gets here (validated_notebook): nbconvert checks it
            # again once, after its preprocessors, not after each of its twelve (~2 ms each per notebook)
            optimistic_validation=True,
            # sanitize with nh3 (keeps tables and MathML), not nbconvert's bleach pass
            filters={
                "markdown2html": markdown_cell,
                "json_dumps_pretty": _json_pretty,
                "clean_html": _sanitize,
            },
        )
        self.exporter.register_preprocessor(
            TagRemovePreprocessor(
                # cells tagged solution / instructor, in an edition without them (editions.py)
                remove_cell_tags={"remove-cell", *markdown.edition.left_out},
                remove_all_outputs_tags={"remove-output"},
                remove_input_tags={"remove-input"},
                enabled=True,
            ),
            enabled=True,
        )

    def _render_markdown_cell(self, source: str, attachments: Mapping[str, Any], number: int | None) -> str:
        assert self._current is not None
        page, diagnostics, collected = self._current
        where = f"cell {number}" if number else "a cell output"
        rendered = self.markdown.render(
            page, source, 0, diagnostics, where=where, demote=self.demote, math_page=self._math_page
        )
        collected.anchors |= rendered.anchors
        collected.anchor_links.extend(rendered.anchor_links)
        collected.toc.extend(rendered.toc)
        return _inline_attachments(rendered.html, attachments)

    def convert(self, page: Page, notebook, diagnostics: Diagnostics) -> RenderedMarkdown:
        """The cells of `notebook` (validated, v4) as HTML for `page`."""
        _drop_title_heading(notebook)
        if not self.markdown.edition.solutions:  # nbgrader's solutions and hidden tests, as it releases them
            from coursegen.nbgrader import release_cells

            release_cells(notebook.cells)
        drop_removed_streams(notebook)
        drop_hidden_glue(notebook)
        _apply_display_defaults(notebook, self.settings)
        _neutralise_metadata(notebook)
        if not self.settings.sanitize and (kinds := active_content(notebook)):
            diagnostics.note(
                page.rel,
                f"outputs carry active content ({', '.join(kinds)}), shown as in Jupyter",
                "set notebooks.sanitize: true in course.yml to strip it",
                kind="notebook",
            )
        from coursegen.markdown_render import RenderedMarkdown

        collected = RenderedMarkdown(html="")
        for number, cell in enumerate(notebook.cells, 1):  # for messages: "… (in cell 4)"
            cell.metadata["coursegen_cell"] = number
        # `#` headings left in cells are sections of the page: one level below its title
        self.demote = any(
            first_heading(cell.source)[1] is not None
            for cell in notebook.cells
            if cell.cell_type == "markdown"
        )
        self._current = (page, diagnostics, collected)
        from coursegen.markdown_render import number_page_equations
        from coursegen.math_macros import PageMacros

        self._math_page = PageMacros(self.markdown.math.course_macros)
        try:
            resources = {
                "metadata": {"name": page.source.path.stem, "path": str(page.source.path.parent)},
                "coursegen": {
                    "image_alt": self.strings["notebook_figure"],
                    "widget_note": self.strings["widget_note"],
                    "show_input": self.strings["show_input"],
                    "show_output": self.strings["show_output"],
                    "show_cell": self.strings["show_cell"],
                },
            }
            with warnings.catch_warnings():
                # nbconvert warns when it falls back to another lexer or drops a script under
                # sanitizing: both are expected here, and the terminal is for coursegen's messages
                warnings.simplefilter("ignore", UserWarning)
                html, _ = self.exporter.from_notebook_node(notebook, resources=resources)
        finally:
            self._current = self._math_page = None
        html, equation_ids = number_page_equations(html, page, diagnostics)  # numbered across cells
        collected.anchors |= equation_ids
        # scrollable code and outputs must be reachable with the keyboard
        collected.html = _SCROLLABLE.sub(r'\1 tabindex="0"', html)
        collected.anchors |= _cell_ids(notebook)
        collected.remote = locate_in_notebook(find_remote_media(collected.html), notebook)
        return collected


_SCROLLABLE = re.compile(r'(<div class="[^"]*\b(?:jp-OutputArea-output|jp-InputArea-editor)\b[^"]*")')


def _cells_exporter_class():
    """HTMLExporter without its BeautifulSoup pass: our template sets alt text itself, and parsing
    and re-serialising every page doubled the conversion time."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML

    class CellsExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            info = nb.metadata.get("language_info", {})
            lexer = info.get("pygments_lexer", info.get("name"))
            self.register_filter("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            # resources are set up by Exporter.from_notebook_node, which TemplateExporter's calls
            priority = list(self.config.NbConvertBase.display_data_priority)

            # The first type in our priority, widgets included: without a kernel they get a note
            # (nbconvert's own filter would silently fall back to their text/plain repr).
            def first_shown_type(output):
                return next(([mime] for mime in priority if mime in output), [])

            self.register_filter("filter_data_type", first_shown_type)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return CellsExporter


class NotebookPages:
    """Notebook pages for one build: validation, optional execution, conversion.

    nbconvert is imported only when a notebook must actually be converted (not on cache hits).
    """

    def __init__(
        self,
        root: Path,
        markdown: Callable[[], MarkdownRenderer],
        strings: Mapping[str, str],
        settings: NotebookSettings,
        execute: str,
        failed_run_is_error: bool = False,
        runs: Mapping[str, tuple] | None = None,
    ):
        self.root = root
        self.markdown = markdown
        self.strings = strings
        self.settings = settings
        self.execute = execute  # never | auto | always (course.yml, or --execute)
        self.failed_run_is_error = (
            failed_run_is_error  # --execute was asked for: a run that fails is an error
        )
        self.runs = (
            runs or {}
        )  # page URL → (execution key, status, message, hint) from the execution stage (runs.py)
        self._converter: NotebookConverter | None = None
        self._scrubber: PathScrubber | None = None
        # what a cached notebook page depends on besides the notebook itself
        self.fingerprint = digest(
            *(p.read_bytes() for p in sorted(TEMPLATE_DIR.rglob("*")) if p.is_file()),
            installed_version("nbconvert"),
            installed_version("nbformat"),
            installed_version("ipython") or "absent",  # its lexer highlights notebook code when installed
            repr(settings),
            execute,
            *(
                strings[key]
                for key in ("notebook_figure", "widget_note", "show_input", "show_output", "show_cell")
            ),
            # Not the course's folder nor the home folder that scrub.py takes out of outputs: the
            # cache must travel to another clone (CI restores it elsewhere). A stored output that
            # names this very clone's path is then shown as scrubbed where it was first rendered.
        )

    def render(self, page: Page, diagnostics: Diagnostics) -> RenderedMarkdown:
        """Raises NotebookProblem for a notebook that is invalid. A run that fails leaves the
        stored outputs on the page, with an error or a warning, and a body that is not cached."""
        notebook = validated_notebook(page, diagnostics)
        ran = True
        if needs_execution(notebook, self.execute) and page.url in self.runs:
            executed = self._executed(page, notebook, diagnostics)
            ran = executed is not None
            notebook = executed if executed is not None else notebook
        if self._scrubber is None:
            self._scrubber = PathScrubber(self.root)
        self._scrubber.outputs(notebook)
        if self._converter is None:
            self._converter = NotebookConverter(self.markdown(), self.strings, self.settings)
        rendered = self._converter.convert(page, notebook, diagnostics)
        rendered.cacheable = ran  # the next build runs it again
        return rendered

    def _executed(self, page: Page, notebook, diagnostics: Diagnostics):
        """The notebook with the outputs of its run (the execution stage ran it, or found it in
        the cache); None when the run failed, its stored outputs then stay."""
        from coursegen.cache import JsonCache
        from coursegen.execute import results_fit, with_outputs
        from coursegen.kernels import choose_kernel

        kernel, problem = choose_kernel(notebook, self.settings)
        if problem:
            diagnostics.warning(
                page.rel, problem, f"using {kernel.origin}: '{kernel.name}'", kind="execution"
            )
        key, status, message, hint = self.runs[page.url]
        executed = JsonCache(self.root, "executed")
        cells = executed.get(key) if status in ("ran", "cached") else None
        if cells is not None and not results_fit(cells, notebook) or cells is None and status == "cached":
            executed.prune_entry(key, "json")  # cut short or damaged: run again at the next build
            cells, message, hint = None, "its cached results were damaged", "build again: it is run again"
        if cells is None:
            report = diagnostics.error if self.failed_run_is_error else diagnostics.warning
            report(
                page.rel,
                f"{message or 'its results are not in the cache'}; its page shows the outputs saved in the "
                "notebook",
                hint or "build again",
                kind="execution",
            )
            return None
        return with_outputs(notebook, cells)


def needs_execution(notebook, mode: str) -> bool:
    if mode == "always":
        return True
    if mode == "auto":
        return not any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    return False


def _display_flag(notebook, settings: NotebookSettings, name: str) -> bool:
    own = notebook.metadata.get("coursegen", {})
    value = own.get(name) if isinstance(own, dict) else None
    return value if isinstance(value, bool) else getattr(settings, name)


def _apply_display_defaults(notebook, settings: NotebookSettings) -> None:
    """Course-wide hide_input/hide_output (overridable in the notebook's metadata.coursegen) as cell tags."""
    for name, tag in (("hide_input", "hide-input"), ("hide_output", "hide-output")):
        if not _display_flag(notebook, settings, name):
            continue
        for cell in notebook.cells:
            if cell.cell_type == "code":
                tags = list(cell.metadata.get("tags", []))
                if tag not in tags and "show-" + tag.removeprefix("hide-") not in tags:
                    cell.metadata["tags"] = tags + [tag]


_SAFE_NAME = re.compile(r"[^A-Za-z0-9_+.-]")


def _neutralise_metadata(notebook) -> None:
    """Metadata reaches attributes nbconvert does not escape (the lexer name becomes a CSS class)."""
    info = notebook.metadata.get("language_info")
    if isinstance(info, dict):
        for key in ("name", "pygments_lexer"):
            if isinstance(info.get(key), str):
                info[key] = _SAFE_NAME.sub("", info[key])[:40]
    for cell in notebook.cells:
        tags = cell.metadata.get("tags")
        if tags is not None:
            cell.metadata["tags"] = [str(tag) for tag in tags] if isinstance(tags, list) else []


_ACTIVE_HTML = re.compile(r"<script|<iframe|<object|<embed|\son[a-z]+\s*=|javascript:", re.IGNORECASE)


def active_content(notebook) -> list[str]:
    """Kinds of active content in the stored outputs: what a reader's browser would run."""
    kinds = set()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "application/javascript" in data:
                kinds.add("JavaScript")
            if "application/vnd.jupyter.widget-view+json" in data:
                kinds.add("widgets")
            for mime in ("text/html", "text/markdown", "image/svg+xml"):
                text = data.get(mime, "")
                text = "".join(text) if isinstance(text, list) else str(text)
                if _ACTIVE_HTML.search(text):
                    kinds.add("scripts in HTML")
    return sorted(kinds)


_ATTACHMENT = re.compile(r'src="attachment:([^"]+)"')
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]+$")


def _inline_attachments(html_text: str, attachments: Mapping[str, Any]) -> str:
    """`![x](attachment:name.png)` in a Markdown cell → the attached image as a data: URI."""

    def replace(match: re.Match) -> str:
        name = html.unescape(match.group(1))
        bundle = attachments.get(name)
        if isinstance(bundle, dict):
            for mime, data in sorted(bundle.items()):
                data = "".join(data) if isinstance(data, list) else data
                if (
                    mime in ("image/png", "image/jpeg", "image/gif", "image/webp")
                    and isinstance(data, str)
                    and _BASE64.match(data)
                ):
                    return f'src="data:{mime};base64,{"".join(data.split())}"'
        return 'src=""'

    return _ATTACHMENT.sub(replace, html_text)


def _sanitize(html_text: str) -> str:
    from coursegen.sanitize import sanitize_html

    return sanitize_html(str(html_text))


def _json_pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


class NotebookProblem(Exception):
    """A notebook that can't be rendered (invalid, or its execution failed): what, and what to do."""

    kind = "notebook"  # the finding's kind (errors.KINDS)

    def __init__(
        self, message: str, hint: str = "fix the notebook in Jupyter; its page shows this error meanwhile"
    ):
        super().__init__(message)
        self.hint = hint


class ExecutionProblem(NotebookProblem):
    """Running the notebook failed (kernel missing or dead, a cell raised, a timeout)."""

    kind = "execution"


def validated_notebook(page: Page, diagnostics: Diagnostics):
    """The notebook as nbformat v4: a v4 one with its schema slips repaired in memory (one warning
    lists them), an older one upgraded with a warning. Raises NotebookProblem when no cell can be
    shown."""
    import nbformat

    from coursegen.nbrepair import FIX_HINT, describe_slips, repair_notebook
    from coursegen.parse import notebook_data

    if page.error:
        raise NotebookProblem(page.error)
    try:
        data = notebook_data(page, diagnostics)
    except (OSError, ValueError) as problem:  # changed since it was read: the next build reports it
        raise NotebookProblem(f"the notebook could not be read again ({problem})") from None
    major = data.get("nbformat")
    if isinstance(major, int) and not isinstance(major, bool) and major != 4:
        if major not in nbformat.versions or major > 4:
            raise NotebookProblem(f"notebook format {major} is not supported (expected 4)")
        return _upgraded(page, data, major, diagnostics)
    if not isinstance(data.get("cells"), list):
        raise NotebookProblem(
            "no 'nbformat' version number: not a Jupyter notebook"
            if major is None
            else "no list of cells: not a Jupyter notebook"
        )
    had_cells = bool(data["cells"])
    normalise_tags(data)  # tags in the forms Jupyter Book reads, before the schema would drop them
    slips = repair_notebook(data)
    if had_cells and not data["cells"]:
        raise NotebookProblem(f"no cell can be shown: {describe_slips(slips)}")
    if slips:
        diagnostics.warning(page.rel, describe_slips(slips), FIX_HINT, kind="notebook")
    return nbformat.versions[4].to_notebook_json(data)


def _upgraded(page: Page, data: dict, major: int, diagnostics: Diagnostics):
    """A format 1-3 notebook converted to 4 by nbformat, with ids from the cells' positions (the
    conversion draws random ones: two builds would differ)."""
    import nbformat
    from nbformat.validator import ValidationError

    try:
        notebook = nbformat.convert(
            nbformat.versions[major].to_notebook_json(data, minor=data.get("nbformat_minor", 0)), 4
        )
        for number, cell in enumerate(notebook.cells, start=1):
            cell.id = f"cell-{number}"
        nbformat.validate(notebook)
    except ValidationError as error:
        where = _json_path(
            getattr(error, "absolute_path", ())
            or getattr(getattr(error, "original", None), "absolute_path", ())
        )
        message = str(getattr(error, "message", "") or error).splitlines()[0]
        raise NotebookProblem(f"invalid notebook at {where or 'top level'}: {message}") from None
    except Exception as error:  # nbformat raises assorted errors for malformed structures
        raise NotebookProblem(f"invalid notebook: {error}") from None
    diagnostics.warning(
        page.rel,
        f"notebook format {major} upgraded to 4 for rendering",
        "open and save it in a current Jupyter to upgrade the file",
        kind="notebook",
    )
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
