"""myst-nb's glue: values a notebook stores in its outputs under a key, pasted into pages.

A notebook that runs `from myst_nb import glue; glue("key", value)` gets a display output whose
metadata is `{"scrapbook": {"name": "key", "mime_prefix": P}}` and whose MIME types are the value's,
each prefixed with P (`""` when the value is also shown, `application/papermill.record/` with
`display=False`). `collect_glue` gathers them from the course's notebooks (the outputs of their run
when they were executed, else the outputs saved in them) into a `GlueMap`; `render_glue` turns one
reference into HTML. The roles and directives in Markdown are read by `GluePreprocessor`.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coursegen.cache import digest

if TYPE_CHECKING:
    from pathlib import Path

    from coursegen.model import Course, Page

GLUE_PREFIX = "application/papermill.record/"
KINDS = ("any", "text", "md", "math", "figure")
_IMAGES = ("image/svg+xml", "image/png", "image/jpeg", "image/gif")


@dataclass
class GlueMap:
    """Course-wide: notebook path (from the course root) → key → MIME bundle (prefixes removed)."""

    notebooks: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    missing_label: str = "missing value"

    @property
    def signature(self) -> str:
        """Names the values ("" when no notebook glues anything): pages that paste them depend on it."""
        if not any(self.notebooks.values()):
            return ""
        return digest("glue", json.dumps(self.notebooks, sort_keys=True), self.missing_label)

    def find(self, key: str, page_rel: str = "") -> tuple[dict[str, str] | None, str]:
        """The bundle glued under `key` (`path::key` names the notebook, relative to the page or to
        the course root) and, when there is none, why."""
        path, _, bare = key.rpartition("::")
        if path:
            notebook = self._notebook_at(path, page_rel)
            if notebook is None:
                return None, f"no notebook '{path}' glues values"
            bundle = self.notebooks[notebook].get(bare)
            return bundle, "" if bundle is not None else f"{notebook} glues no value '{bare}'"
        own = self.notebooks.get(page_rel, {})
        if bare in own:  # the page's own notebook first, as myst-nb does
            return own[bare], ""
        for values in self.notebooks.values():
            if bare in values:
                return values[bare], ""
        return None, f"no notebook of the course glues '{bare}' (not executed, or saved without outputs?)"

    def _notebook_at(self, path: str, page_rel: str) -> str | None:
        candidates = [posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), path)), path.lstrip("/")]
        for candidate in candidates:
            stem = posixpath.splitext(candidate)[0]
            for rel in self.notebooks:
                if rel == candidate or posixpath.splitext(rel)[0] == stem:
                    return rel
        return None


def glued_outputs(notebook: dict) -> dict[str, dict[str, str]]:
    """key → MIME bundle of every glue output of `notebook` (JSON); a key glued twice keeps its last value."""
    found: dict[str, dict[str, str]] = {}
    for cell in notebook.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs") or []:
            entry = _glue_entry(output)
            if entry is not None:
                found[entry[0]] = entry[1]
    return found


def _glue_entry(output) -> tuple[str, dict[str, str]] | None:
    meta = output.get("metadata") if isinstance(output, dict) else None
    scrap = meta.get("scrapbook") if isinstance(meta, dict) else None
    data = output.get("data")
    if not isinstance(scrap, dict) or not isinstance(scrap.get("name"), str) or not isinstance(data, dict):
        return None
    prefix = scrap.get("mime_prefix") if isinstance(scrap.get("mime_prefix"), str) else ""
    bundle = {
        mime[len(prefix) :]: "".join(value) if isinstance(value, list) else value
        for mime, value in data.items()
        if mime.startswith(prefix)
    }
    return scrap["name"], {mime: value for mime, value in bundle.items() if isinstance(value, (str, dict))}


def drop_hidden_glue(notebook) -> None:
    """Outputs glued with `display=False` carry only prefixed MIME types: nothing to show on the
    notebook's own page (they would be empty boxes)."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.outputs:
            cell.outputs = [output for output in cell.outputs if not _is_hidden_glue(output)]


def _is_hidden_glue(output) -> bool:
    scrap = (output.get("metadata") or {}).get("scrapbook")
    return isinstance(scrap, dict) and bool(scrap.get("mime_prefix"))


# ----------------------------------------------------------------------------------------------
# collecting the course's glued values


def course_glue(course: Course, root: Path, runs: dict, strings, enabled: bool, read_only: bool) -> GlueMap:
    """`collect_glue` with its cache, `.coursegen-cache/glue.txt`."""
    from coursegen.cache import IndexCache

    cache = IndexCache(root, "glue", enabled=enabled, read_only=read_only)
    glue = collect_glue(course, root, runs, cache, strings.get("glue_missing", "missing value"))
    cache.save()
    return glue


def collect_glue(course: Course, root: Path, runs: dict, cache, missing_label: str) -> GlueMap:
    """Every notebook's glued values: from the results of its run when it was executed (`runs`:
    page URL → outcome whose first item is the execution key), else its saved outputs. Each
    notebook's values are kept in `cache` (an IndexCache) by its digest and execution key, so a
    build where nothing changed reads no notebook."""
    glue = GlueMap(missing_label=missing_label)
    for page in course.pages:
        if page.source is None or page.error or not page.digest or page.kind.value != "notebook":
            continue
        run_key = runs.get(page.url, ("",))[0]
        key = digest("glue", page.digest, run_key)
        values = cache.get(key) if cache is not None else None
        if not isinstance(values, dict):
            values, final = _read_glue(root, page, run_key)
            if cache is not None and final:
                cache.put(key, values)
        if values:
            glue.notebooks[page.rel] = values
    return glue


def _read_glue(root: Path, page: Page, run_key: str) -> tuple[dict, bool]:
    """The values, and whether they are final for this execution key (a run that failed leaves the
    saved outputs, until a later build's run succeeds)."""
    from coursegen.cache import JsonCache
    from coursegen.parse import notebook_data

    if run_key:
        results = JsonCache(root, "executed", read_only=True).get(run_key)
        if isinstance(results, list):
            cells = [{"cell_type": "code", **result} for result in results if isinstance(result, dict)]
            return glued_outputs({"cells": cells}), True
    try:
        if not page.source.is_text_notebook and b"scrapbook" not in page.source.path.read_bytes():
            return {}, not run_key  # the usual notebook: no JSON to decode
        if page.source.is_text_notebook and page.source.pair is None:
            return {}, not run_key  # a text notebook alone has no outputs
        return glued_outputs(notebook_data(page)), not run_key
    except (OSError, ValueError):
        return {}, False  # reported with its page


# ----------------------------------------------------------------------------------------------
# rendering one reference


def render_glue(kind: str, key: str, spec: str, glue_map: GlueMap, page_rel: str = "", problems=None) -> str:
    """HTML for `{glue:KIND}`KEY:SPEC`` on the page whose source is `page_rel`: `kind` is one of
    KINDS ("" means any), `spec` a format spec for `text` (`.2f`), a caption (HTML) for `figure`.
    A missing value gives a visible marker; why it is missing is appended to `problems`."""
    bundle, why = glue_map.find(key, page_rel)
    shown = None if bundle is None else _bundle_html(kind or "any", bundle, spec)
    if shown is None:
        if bundle is not None:
            why = f"the value glued as '{key}' has no {_WANTED.get(kind or 'any', 'displayable')} form"
        if problems is not None:
            problems.append(why)
        return missing_marker(key, glue_map.missing_label)
    return shown


_WANTED = {"text": "text/plain", "math": "text/latex", "figure": "image", "md": "text/markdown"}


def missing_marker(key: str, label: str) -> str:
    return (
        f'<span class="glue-missing" role="note"><span aria-hidden="true">⚠ </span>{html.escape(label)} '
        f"<code>{html.escape(key)}</code></span>"
    )


def _bundle_html(kind: str, bundle: dict[str, str], spec: str) -> str | None:
    if kind == "text":
        text = bundle.get("text/plain")
        return (
            None
            if text is None
            else f'<span class="glue glue-text">{html.escape(format_text(text, spec))}</span>'
        )
    if kind == "figure":
        image = _image_html(bundle, html.unescape(re.sub(r"<[^>]+>", "", spec)))  # the caption, as text
        if image is None:
            return None
        caption = f"<figcaption>{spec}</figcaption>" if spec else ""
        return f'<figure class="glue glue-figure">{image}{caption}</figure>'
    if kind == "math":
        latex = bundle.get("text/latex")
        return (
            None if latex is None else f'<span class="glue glue-math">{html.escape(strip_math(latex))}</span>'
        )
    if kind == "md":
        text = bundle.get("text/markdown")
        return None if text is None else f'<span class="glue glue-md">{html.escape(text)}</span>'
    return _any_html(bundle)


def _any_html(bundle: dict[str, str]) -> str | None:
    if isinstance(bundle.get("text/html"), str):
        from coursegen.sanitize import sanitize_html  # pasted into lessons: never scripts

        return f'<span class="glue glue-html">{sanitize_html(bundle["text/html"])}</span>'
    image = _image_html(bundle)
    if image is not None:
        return image
    if isinstance(bundle.get("text/plain"), str):
        return f'<span class="glue glue-text">{html.escape(bundle["text/plain"])}</span>'
    return None


def _image_html(bundle: dict[str, str], alt: str = "") -> str | None:
    """The bundle's image; its alt text is `alt` (a figure's caption), else the value's text unless
    that is a bare repr such as matplotlib's `<Figure size 640x480 with 1 Axes>`."""
    text = bundle.get("text/plain")
    if not alt and isinstance(text, str) and not text.startswith("<"):
        alt = text
    for mime in _IMAGES:
        data = bundle.get(mime)
        if isinstance(data, str):
            if mime == "image/svg+xml":
                import base64

                data = base64.b64encode(data.encode("utf-8")).decode("ascii")
            source = f"data:{mime};base64,{''.join(data.split())}"
            return f'<img class="glue glue-image" src="{source}" alt="{html.escape(alt)}">'
    return None


def format_text(text: str, spec: str) -> str:
    """text/plain with a format spec (`.2f`, `,d`, `.1%`): a number written by Python's repr is
    formatted, anything else is left as it is."""
    if not spec or spec == "s":
        return text
    import ast

    try:
        value = ast.literal_eval(text.strip())
        return format(value, spec)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


_MATH_DELIMITERS = re.compile(r"^\s*(?:\$\$?|\\\[|\\\()\s*(?:\\displaystyle)?\s*|\s*(?:\$\$?|\\\]|\\\))\s*$")


def strip_math(latex: str) -> str:
    """IPython's Math/Latex reprs wrap the formula in `$\\displaystyle …$`: the bare formula."""
    return _MATH_DELIMITERS.sub("", latex)
