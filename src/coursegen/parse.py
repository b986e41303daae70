"""Read each source into a Page: Markdown front matter and body, notebook JSON and title."""

from __future__ import annotations

import json
import posixpath
import re

from coursegen.cache import digest
from coursegen.encoding import report_garbled
from coursegen.errors import Diagnostics, plain, replay
from coursegen.frontmatter import (
    PageMeta,
    first_heading,
    meta_from_plain,
    meta_to_plain,
    read_front_matter,
    split_front_matter,
)
from coursegen.model import Page, PageKind, SourceFile, SourceKind
from coursegen.nbsalvage import UnusableJSON, decoder_message, read_notebook_json
from coursegen.textio import decode_text
from coursegen.urls import readable_name

MAX_MARKDOWN_BYTES = 5_000_000  # a lesson this big is a mistake (a pasted dataset?) and would take minutes


def parse_source(source: SourceFile, diagnostics: Diagnostics, yaml_cache=None, page_cache=None) -> Page:
    """A Page for a Markdown file or a notebook (with `error` set when it can't be rendered).

    With a `page_cache` (an IndexCache), a file whose bytes were parsed before is not parsed again:
    its title, typed front matter and messages come from the cache, and its body is only read when
    it must be rendered (`markdown_body`). A file whose stamp (size, times, inode) is the one it had
    when it was last parsed is not even read: the cache keeps the digest of its bytes by stamp.
    """
    if source.kind not in (SourceKind.MARKDOWN, SourceKind.NOTEBOOK):
        raise ValueError(f"not a page source: {source.rel}")
    page = _blank_page(source)
    stamp_key = f"stamp:{source.rel}:{source.stamp}" if source.stamp and page_cache is not None else ""
    if stamp_key:
        known = page_cache.alias(stamp_key)
        stored = page_cache.get(known) if known else None
        if stored is not None and _restored(page, known, stored, diagnostics):
            return page
    try:
        data = source.path.read_bytes()
    except OSError as error:
        page.error = f"cannot read the file ({error.strerror})"
        diagnostics.error(page.rel, page.error, "check that it exists and is readable", kind="files")
        return page
    key = _source_digest(source, data)
    stored = page_cache.get(key) if page_cache is not None else None
    if stored is None or not _restored(page, key, stored, diagnostics):
        page = _blank_page(source)
        page.digest = key
        local = Diagnostics()
        if source.kind is SourceKind.MARKDOWN:
            _parse_markdown(page, data, local, yaml_cache)
        else:
            _parse_notebook(page, data, local)
        diagnostics.extend(local)
        meta = meta_to_plain(page.meta) if page_cache is not None else None
        if meta is None:  # no cache, or a front matter JSON can't keep exactly (a date): not cached
            return page
        page_cache.put(
            key,
            {
                "title": page.title,
                "meta": meta,
                "error": page.error,
                "title_heading": page.title_heading,
                "diagnostics": plain(local),
            },
        )
    if stamp_key:
        page_cache.put_alias(stamp_key, key)
    return page


def _source_digest(source: SourceFile, data: bytes) -> str:
    """Names a source file's bytes at its place: the page cache's key, and what body keys build on
    (a text notebook's: with the bytes of the paired `.ipynb` whose outputs its page shows)."""
    if source.pair is not None:
        return digest("page", source.kind.value, str(source.rel), data, _pair_bytes(source.pair))
    return digest("page", source.kind.value, str(source.rel), data)


def _pair_bytes(path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # gone or unreadable: rendering says so
        return b"unreadable"


def _blank_page(source: SourceFile) -> Page:
    """The page a source makes before its text is read: kind, URL and a title from its file name.
    (String work, not pathlib: this runs for every page of every build.)"""
    folder = str(source.site_rel).rpartition("/")[0]
    *_, parent_name, name = ("/" + str(source.rel)).rsplit("/", 2)
    if source.kind is SourceKind.NOTEBOOK:
        return Page(
            kind=PageKind.NOTEBOOK,
            url=source.page_url,
            folder=folder,
            title=readable_name(posixpath.splitext(name)[0]),
            meta=PageMeta(),
            source=source,
        )
    kind = PageKind.LESSON
    if source.is_section_index:
        kind = PageKind.HOME if not folder else PageKind.SECTION
    title = readable_name(posixpath.splitext(name)[0] if not source.is_section_index else parent_name)
    return Page(kind=kind, url=source.page_url, folder=folder, title=title, meta=PageMeta(), source=source)


def _restored(page: Page, key: str, stored: dict, diagnostics: Diagnostics) -> bool:
    """Fill `page` from a cache entry made from the same bytes (named `key`) and report its
    messages again; False for an entry of another shape (the file is then parsed again)."""
    try:
        title, error, heading, meta, messages = (
            stored["title"],
            stored["error"],
            stored["title_heading"],
            meta_from_plain(stored["meta"]),
            replay(stored["diagnostics"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    if (
        not isinstance(title, str)
        or not isinstance(error, str)
        or not (heading is None or type(heading) is int)
        or not _well_typed(meta)
    ):
        return False
    page.title, page.error, page.title_heading, page.meta, page.digest = title, error, heading, meta, key
    page.body = None if page.kind is not PageKind.NOTEBOOK and not error else ""
    diagnostics.extend(messages)
    return True


def _well_typed(meta: PageMeta) -> bool:
    """A cached front matter of the types PageMeta promises (an entry of another shape, from a
    damaged cache, is a miss: the file is parsed again)."""
    texts = [
        meta.title,
        meta.description,
        meta.category,
        meta.icon,
        meta.template,
        meta.tagline,
        meta.level,
        meta.summary,
        meta.duration,
        meta.notebook,
        *meta.tags,
        *meta.topics,
    ]
    texts += [value for entry in meta.timeline for value in (entry.year, entry.title, entry.text, entry.icon)]
    texts += [value for stat in meta.stats for value in (stat.value, stat.label, stat.icon)]
    return (
        all(isinstance(text, str) for text in texts)
        and isinstance(meta.draft, bool)
        and (meta.order is None or type(meta.order) in (int, float))
        and isinstance(meta.extra, dict)
        and isinstance(meta.lines, dict)
        and all(type(line) is int for line in meta.lines.values())
    )


def markdown_body(page: Page) -> tuple[str, int]:
    """A Markdown page's body and the file line it starts on, read from its file when the page came
    from the cache. Raises ValueError when the file changed since it was parsed (the page's cache
    keys would be wrong: the next build, which sees the change, renders it), OSError when it can't
    be read."""
    if page.body is not None:
        return page.body, page.body_first_line
    data = page.source.path.read_bytes()
    if _source_digest(page.source, data) != page.digest:
        raise ValueError("it changed while the site was being built; build again")
    split = split_front_matter(decode_text(data, page.rel, Diagnostics()) or "")
    page.body, page.body_first_line = _without_heading(split.body, page.title_heading), split.body_first_line
    return page.body, page.body_first_line


def _without_heading(body: str, index: int | None) -> str:
    """The body with line `index` (the title heading, shown by the template) left blank."""
    if index is None:
        return body
    lines = body.split("\n")
    return "\n".join(lines[:index] + [""] + lines[index + 1 :])


def _parse_markdown(page: Page, data: bytes, diagnostics: Diagnostics, yaml_cache=None) -> None:
    """Fill `page` from a Markdown file's bytes.

    When the file can't be read or its front matter is broken, the page still exists (links to it
    work) and shows the error instead of any of its text."""
    rel = page.rel
    if len(data) > MAX_MARKDOWN_BYTES:
        page.error = f"the file is too large ({len(data) / 1e6:.0f} MB)"
        diagnostics.error(
            rel, page.error, f"split it into lessons under {MAX_MARKDOWN_BYTES // 1_000_000} MB", kind="files"
        )
        return
    text = decode_text(data, rel, diagnostics)
    if text is None:
        page.error = "the file is not valid UTF-8"
        return
    if not text.strip():
        diagnostics.warning(rel, "the file is empty", "write some content or delete it", kind="markdown")
    report_garbled(text, rel, diagnostics, markdown=True)
    try:
        split = split_front_matter(text)
    except ValueError as problem:
        page.error = str(problem)
        diagnostics.error(rel, page.error, "add a line with --- after the front matter", line=1, kind="yaml")
        return
    meta = read_front_matter(split.yaml_text, split.yaml_first_line, rel, diagnostics, yaml_cache)
    if meta is None:
        page.error = "the front matter is not valid YAML (see the build's messages)"
        return
    heading, heading_index, heading_is_first = first_heading(split.body)
    # The page template shows the title as the page's h1: drop the duplicate from the body.
    page.title_heading = heading_index if heading_is_first else None
    page.meta, page.body, page.body_first_line = (
        meta,
        _without_heading(split.body, page.title_heading),
        split.body_first_line,
    )
    page.title = meta.title or heading or page.title


def _parse_notebook(page: Page, data: bytes, diagnostics: Diagnostics) -> None:
    """Notebooks always get a page: one whose JSON is broken outside its cells is salvaged (with a
    warning at the damage), one whose cells can't be read gets a 'could not be rendered' page.
    The JSON is only checked here, for its title; rendering reads it again (see `notebook_data`),
    so the course graph stays small and cheap to send to worker processes."""
    rel = page.rel
    if page.source.is_text_notebook:
        from coursegen.textnotebooks import text_notebook_data

        notebook = text_notebook_data(page, data, diagnostics, with_pair=False)
        page.title = notebook_title(notebook) if notebook is not None else ""
        page.title = page.title or readable_name(page.source.path.stem)
        return
    text = decode_text(data, rel, diagnostics)
    if text is None:
        page.error = "the file is not valid UTF-8"
        return
    try:
        notebook, damage = read_notebook_json(text)
    except json.JSONDecodeError as error:
        what = decoder_message(error)
        page.error = f"not valid JSON — {what} (line {error.lineno}, column {error.colno})"
        diagnostics.error(
            rel,
            f"not valid JSON — {what}",
            UNREADABLE_HINT,
            line=error.lineno,
            col=error.colno,
            kind="notebook",
        )
        return
    except UnusableJSON as problem:
        page.error = f"{problem.message} (line {problem.lineno}, column {problem.colno})"
        diagnostics.error(
            rel, problem.message, problem.hint, line=problem.lineno, col=problem.colno, kind="notebook"
        )
        return
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells", []), list):
        page.error = "not a Jupyter notebook (no list of cells)"
        diagnostics.error(rel, page.error, "save it again from Jupyter", kind="notebook")
        return
    if damage is not None:
        diagnostics.warning(
            rel, damage.describe(), SALVAGE_HINT, line=damage.line, col=damage.col, kind="notebook"
        )
    page.title = notebook_title(notebook) or page.title


UNREADABLE_HINT = "its cells can't be read on their own either: mend the JSON in a text editor (a stray line break inside a string? a merge conflict?) or restore the file"
SALVAGE_HINT = "run `coursegen check --fix-notebooks` to write the salvaged notebook back (a .bak copy is kept), or mend the JSON in a text editor"


def notebook_data(page: Page, diagnostics: Diagnostics | None = None) -> dict:
    """A notebook page's JSON, read again from its file (parsing checked it, and kept only its title);
    a text notebook's converted by jupytext, with its paired `.ipynb`'s outputs (reported in
    `diagnostics`). Raises ValueError when the file changed since it was parsed (its page's cache
    key would be wrong: the next build, which sees the change, renders it), OSError when it can't
    be read."""
    data = page.source.path.read_bytes()
    if page.digest and _source_digest(page.source, data) != page.digest:
        raise ValueError("it changed while the site was being built; build again")
    if page.source.is_text_notebook:
        from coursegen.textnotebooks import text_notebook_data

        notebook = text_notebook_data(page, data, diagnostics or Diagnostics(), with_pair=True)
        if notebook is None:
            raise ValueError(page.error)
        return notebook
    notebook, _ = read_notebook_json(
        decode_text(data, page.rel, Diagnostics()) or ""
    )  # damage reported by parsing
    if not isinstance(notebook, dict):
        raise ValueError("not a Jupyter notebook")
    return notebook


_MD_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def notebook_title(notebook: dict) -> str:
    """metadata.title, else the first `# heading` of the first Markdown cell."""
    title = notebook.get("metadata", {}).get("title") if isinstance(notebook.get("metadata"), dict) else None
    if isinstance(title, str) and title.strip():
        return title.strip()
    cells = notebook.get("cells")
    if not isinstance(cells, list):  # nbformat 3 keeps its cells in worksheets
        worksheets = notebook.get("worksheets")
        cells = (
            worksheets[0].get("cells", [])
            if isinstance(worksheets, list) and worksheets and isinstance(worksheets[0], dict)
            else []
        )
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "heading" and cell.get("level") == 1:
            return _source_text(cell).strip()
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            match = _MD_H1.search(_source_text(cell))
            if match:
                return match.group(1).strip()
            break
    return ""


def _source_text(cell: dict) -> str:
    """A cell's source as one string, whether the file keeps it as a string or as lines (lines
    that are not text, which the repair reports at rendering, count as their JSON text)."""
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(line if isinstance(line, str) else json.dumps(line) for line in source)
    return source if isinstance(source, str) else json.dumps(source)
