"""Text notebooks: MyST Markdown notebooks (`.md`) and jupytext percent scripts (`.py`), read with
jupytext, and the outputs of a paired `.ipynb` beside them.

Which files are notebooks is decided in one place, `notebookfiles.is_notebook_source`: discovery, the project
readers and the tests all ask it. jupytext is imported only when a text notebook is actually read.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coursegen.errors import Diagnostics
    from coursegen.model import Page

TEXT_NOTEBOOK_SUFFIXES = (".md", ".py")

# ```{code-cell} / ~~~{code-cell} / :::{code-cell}: the opening fence of a MyST code cell
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}|:{3,})\s*(\{[^}]*\})?")
# the front matter's top-level keys that make a Markdown file a notebook (jupytext, myst-nb)
_NOTEBOOK_KEYS = re.compile(r"^(jupytext|kernelspec)\s*:", re.MULTILINE)
_PERCENT_CELL = re.compile(r"^# ?%%(?!%)", re.MULTILINE)
_PY_HEADER = re.compile(r"\A(?:#!.*\n)?(?:#.*coding[:=].*\n)?\s*# ---[ \t]*\n#\s*jupyter:")


def reads_as_notebook(path: str | PurePath, text: str | None) -> bool:
    """Whether the file at `path` (its name decides for `.ipynb`; `text` for the others) is a notebook.

    - `.ipynb`: always.
    - `.md`: a YAML front matter with a top-level `jupytext:` or `kernelspec:` key, or a
      ```` ```{code-cell} ```` fence outside any other fence (MyST notebooks). Any other Markdown
      file is a page or a plain file, even when it shows MyST syntax inside a code block.
    - `.py`: a jupytext header (a `# ---` / `# jupyter:` comment block at the top)
      or at least one `# %%` cell marker. Other Python files (helper modules) are data.
    """
    suffix = posixpath.splitext(str(path))[1].lower()
    if suffix == ".ipynb":
        return True
    if text is None or suffix not in TEXT_NOTEBOOK_SUFFIXES:
        return False
    if suffix == ".py":
        return bool(_PERCENT_CELL.search(text) or _PY_HEADER.match(text))
    return _has_notebook_front_matter(text) or _has_code_cell(text)


def _has_notebook_front_matter(text: str) -> bool:
    text = text.lstrip("\ufeff")
    if not text.startswith("---"):
        return False
    end = re.search(r"^---\s*$", text[3:], re.MULTILINE)
    return end is not None and bool(_NOTEBOOK_KEYS.search(text[3 : 3 + end.start()]))


def _has_code_cell(text: str) -> bool:
    if "{code-cell}" not in text:  # the usual case: no line-by-line scan
        return False
    opened = ""  # the fence that is open (its characters), "" outside fences
    for line in text.splitlines():
        match = _FENCE.match(line)
        if not match:
            continue
        fence, directive = match.group(1), match.group(2)
        if opened:
            if fence[0] == opened[0] and len(fence) >= len(opened) and not directive:
                opened = ""
            continue
        if directive == "{code-cell}":
            return True
        opened = fence
    return False


def read_for_discovery(path: Path) -> str | None:
    """The text of a candidate `.md`/`.py` file, to decide whether it is a notebook (None when
    unreadable: it is then published as a plain file and its reading error comes from no one)."""
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return None


@dataclass
class TextNotebookProblem(Exception):
    """jupytext could not read the file: what, and where (1-based line, 0 when unknown)."""

    message: str
    line: int = 0

    def __str__(self) -> str:
        return self.message


def read_text_notebook(text: str, name: str) -> dict:
    """The notebook (nbformat 4 JSON, cell ids from their positions) that jupytext reads in `text`,
    the contents of a file called `name`. Raises TextNotebookProblem."""
    import jupytext
    import yaml

    suffix = posixpath.splitext(name)[1].lower()
    try:
        notebook = jupytext.reads(text, fmt=suffix.lstrip("."))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        what = str(getattr(error, "problem", "") or error).strip()
        raise TextNotebookProblem(
            f"the front matter is not valid YAML ({what})", mark.line + 1 if mark else 1
        ) from None
    except Exception as error:  # jupytext and nbformat raise assorted errors for malformed text
        raise _problem(error, text) from None
    data = json.loads(json.dumps(notebook))
    for number, cell in enumerate(data["cells"], start=1):
        cell["id"] = f"cell-{number}"  # jupytext draws random ids: two builds would differ
    _add_language_info(data, suffix)
    return data


_AT_LINE = re.compile(r"\bat line (\d+)")


def _problem(error: Exception, text: str) -> TextNotebookProblem:
    message = str(getattr(error, "message", "") or error).strip()
    first = message.split("\n")[0]
    found = _AT_LINE.search(first)
    if found:
        return TextNotebookProblem(_shorten(message), int(found.group(1)))
    path = list(getattr(error, "absolute_path", ()) or getattr(error, "path", ()) or [])
    if path and path[0] == "metadata" and len(path) > 1:  # an invalid kernelspec or other notebook metadata
        line = _line_of_key(text, str(path[1]))
        return TextNotebookProblem(
            f"invalid notebook metadata '{'.'.join(map(str, path[1:]))}': {first}", line
        )
    return TextNotebookProblem(f"jupytext could not read it: {first}", 0)


def _shorten(message: str) -> str:
    """jupytext's message with YAML's excerpt lines left out (the finding gives the line)."""
    kept = [line.strip() for line in message.split("\n") if line.strip() and not line.startswith("    ")]
    return " ".join(line for line in kept if not line.startswith(("in \"<unicode string>\"", "^")))


def _line_of_key(text: str, key: str) -> int:
    match = re.search(rf"^{re.escape(key)}\s*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _add_language_info(data: dict, suffix: str) -> None:
    """Highlighting follows language_info, which text notebooks seldom carry."""
    metadata = data.setdefault("metadata", {})
    if isinstance(metadata.get("language_info"), dict):
        return
    spec = metadata.get("kernelspec") if isinstance(metadata.get("kernelspec"), dict) else {}
    main = (
        (metadata.get("jupytext") or {}).get("main_language")
        if isinstance(metadata.get("jupytext"), dict)
        else None
    )
    language = spec.get("language") or main or ("python" if suffix == ".py" else "")
    if isinstance(language, str) and language:
        metadata["language_info"] = {"name": language}


def incorrectly_encoded(data: dict, text: str) -> list[tuple[int, str]]:
    """(line, metadata text) of the cell headers jupytext could not read (`# %% tags=["x"` …)."""
    found = []
    for cell in data.get("cells", []):
        raw = (cell.get("metadata") or {}).pop("incorrectly_encoded_metadata", None)
        if isinstance(raw, str):
            where = text.find(raw)
            found.append((text.count("\n", 0, where) + 1 if where >= 0 else 0, raw))
    return found


def with_paired_outputs(data: dict, paired: dict) -> tuple[dict, int]:
    """The text notebook `data` with the outputs of the paired `.ipynb` (its JSON), and how many
    code cells found none.

    Matching (jupytext's first two rules, and no more): each code cell takes the outputs of a code
    cell of the `.ipynb` whose code is the same, up to the reformatting black does (spaces, quotes,
    commas, line breaks), searched in order first, then anywhere among the cells left. A code cell
    edited since the `.ipynb` was saved shows no outputs rather than another code's.
    """
    import nbformat
    from jupytext.combine import map_outputs_to_inputs, same_content

    source = nbformat.from_dict(data)
    stored = nbformat.from_dict(paired)
    for cell in stored.get("cells", []):
        if isinstance(cell.get("source"), list):
            cell.source = "".join(cell.source)
    mapping = map_outputs_to_inputs(source.cells, stored.cells)
    missing = 0
    for cell, index in zip(data["cells"], mapping):
        if cell.get("cell_type") != "code":
            continue
        match = stored.cells[index] if index is not None else None
        if match is None or not same_content(cell.get("source", ""), match.source):
            missing += 1
            continue
        cell["outputs"] = json.loads(json.dumps(match.get("outputs", [])))
        cell["execution_count"] = match.get("execution_count")
    return data, missing


READ_HINT = "fix the notebook's text (or open it with jupytext in Jupyter to see the problem); its page shows this error meanwhile"


def text_notebook_data(page: Page, data: bytes, diagnostics: Diagnostics, with_pair: bool) -> dict | None:
    """The notebook JSON of a text notebook page from its file's bytes, with the outputs of its
    paired `.ipynb` when `with_pair`; None (with `page.error` set and an error reported) when it
    can't be read."""
    from coursegen.textio import decode_text

    text = decode_text(data, page.rel, diagnostics)
    if text is None:
        page.error = "the file is not valid UTF-8"
        return None
    try:
        notebook = read_text_notebook(text, page.source.rel.name)
    except TextNotebookProblem as problem:
        page.error = str(problem)
        diagnostics.error(page.rel, page.error, READ_HINT, line=problem.line or None, kind="notebook")
        return None
    for line, raw in incorrectly_encoded(notebook, text):
        diagnostics.warning(
            page.rel,
            f"cell options '{raw}' could not be read (ignored)",
            'write them as jupytext does: # %% tags=["hide-input"]',
            line=line or None,
            kind="notebook",
        )
    if with_pair and page.source.pair is not None:
        notebook = _with_pair(page, notebook, diagnostics)
    return notebook


def _with_pair(page: Page, notebook: dict, diagnostics: Diagnostics) -> dict:
    pair_name = page.source.pair.name
    try:
        paired = json.loads(page.source.pair.read_bytes().decode("utf-8"))
        if (
            not isinstance(paired, dict)
            or paired.get("nbformat") != 4
            or not isinstance(paired.get("cells"), list)
        ):
            raise ValueError("not a Jupyter notebook of format 4")
        notebook, missing = with_paired_outputs(notebook, paired)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        diagnostics.warning(
            page.rel,
            f"the outputs of its paired {pair_name} could not be read ({error}); shown without outputs",
            f"open the notebook in Jupyter with jupytext and save it to write {pair_name} again",
            kind="notebook",
        )
        return notebook
    if missing:
        cells = "cell has" if missing == 1 else "cells have"
        diagnostics.note(
            page.rel,
            f"{missing} code {cells} no outputs in {pair_name} (changed since it was saved?)",
            f"run the notebook and save it to update {pair_name}, or build with --execute",
            kind="notebook",
        )
    return notebook
