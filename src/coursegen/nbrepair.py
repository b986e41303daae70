"""Schema slips that Jupyter tolerates, repaired in memory: a notebook a person can read gets a page.

Editors and exporters write notebooks that break the nbformat schema in small ways: VS Code and
Databricks leave `outputs` and `execution_count` on Markdown cells, Azure Data Studio and hand
edits drop `execution_count`, ids appear in a file that says it is format 4.2, tools give two
cells one id or none. Jupyter opens such files (it logs "Notebook JSON is invalid" and goes on);
nbconvert and `nbformat.validate` refuse them. `repair_notebook` mends the JSON of a v4 notebook
in place, deterministically (no random ids: two builds of one file are identical), and lists
each slip with its JSON path in the file. What no rule here foresees is found by nbformat's own
validator afterwards and left out (a metadata key, an output, at worst a cell), never guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

CURRENT_MINOR = 5  # nbformat 4.5: the newest format this repair writes
_CELL_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_JSON_MIME = re.compile(r"application/(.*\+)?json")
_COMMON_FIELDS = {"id", "cell_type", "metadata", "source"}
CELL_FIELDS = {
    "code": _COMMON_FIELDS | {"outputs", "execution_count"},
    "markdown": _COMMON_FIELDS | {"attachments"},
    "raw": _COMMON_FIELDS | {"attachments"},
}
OUTPUT_FIELDS = {
    "execute_result": {"output_type", "data", "metadata", "execution_count"},
    "display_data": {"output_type", "data", "metadata"},
    "stream": {"output_type", "name", "text"},
    "error": {"output_type", "ename", "evalue", "traceback"},
}
_CELL_NAMES = {"code": "code cell", "markdown": "Markdown cell", "raw": "raw cell"}
_OLD_OUTPUT_TYPES = {"pyout": "execute_result", "pyerr": "error"}  # v3 names left in a v4 file


@dataclass(frozen=True)
class Slip:
    path: str  # JSON path in the file: `cells[2].outputs[0]`, `nbformat_minor`
    what: str  # what was wrong, and what was done: "'execution_count' missing (set to null)"


def repair_notebook(notebook: dict) -> list[Slip]:
    """Repair a v4 notebook's JSON in place (`notebook` has a list of cells) and return its slips
    in file order. Afterwards the notebook is valid for nbformat: what could not be repaired was
    left out (see _leave_out_the_invalid), at worst every cell."""
    slips: list[Slip] = []
    _repair_top_level(notebook, slips)
    cells, positions = [], []  # the cells kept, and their index in the file
    for index, cell in enumerate(notebook["cells"]):
        if _repair_cell(cell, f"cells[{index}]", slips):
            cells.append(cell)
            positions.append(index)
        else:
            slips.append(Slip(f"cells[{index}]", "not a cell (left out)"))
    notebook["cells"] = cells
    if notebook["nbformat_minor"] >= 5:
        _repair_ids(cells, positions, slips)
    _leave_out_the_invalid(notebook, positions, slips)
    return sorted(slips, key=_file_order)


def _file_order(slip: Slip) -> tuple:
    """The top-level fields first, then the cells in order; within a cell, by path."""
    parts = [
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"[^.\[\]]+", slip.path)
    ]
    return (slip.path.startswith("cells["), parts)


# ----------------------------------------------------------------------------------------------
# the notebook's top level


def _repair_top_level(notebook: dict, slips: list[Slip]) -> None:
    if type(notebook.get("nbformat")) is not int or notebook["nbformat"] != 4:
        what = (
            "missing" if "nbformat" not in notebook else f"{_shown(notebook['nbformat'])} is not the number 4"
        )
        slips.append(Slip("nbformat", f"{what} (read as 4)"))
        notebook["nbformat"] = 4
    has_ids = any(isinstance(cell, dict) and "id" in cell for cell in notebook["cells"])
    minor = notebook.get("nbformat_minor")
    if type(minor) is not int or minor < 0:
        guess = CURRENT_MINOR if has_ids else 4
        what = "missing" if "nbformat_minor" not in notebook else f"{_shown(minor)} is not a version number"
        slips.append(Slip("nbformat_minor", f"{what} (read as {guess})"))
        notebook["nbformat_minor"] = guess
    elif minor > CURRENT_MINOR:
        slips.append(
            Slip(
                "nbformat_minor",
                f"{minor} is newer than format 4.{CURRENT_MINOR} (read as 4.{CURRENT_MINOR})",
            )
        )
        notebook["nbformat_minor"] = CURRENT_MINOR
    elif minor < 5 and has_ids:
        slips.append(
            Slip(
                "nbformat_minor", f"{minor}, but the cells have ids, which came with format 4.5 (read as 4.5)"
            )
        )
        notebook["nbformat_minor"] = 5
    if not isinstance(notebook.get("metadata"), dict):
        slips.append(
            Slip("metadata", ("missing" if "metadata" not in notebook else "not an object") + " (set to {})")
        )
        notebook["metadata"] = {}
    for key in [key for key in notebook if key not in ("cells", "metadata", "nbformat", "nbformat_minor")]:
        slips.append(Slip(key, "not a notebook field (dropped)"))
        del notebook[key]
    _repair_notebook_metadata(notebook["metadata"], slips)


def _repair_notebook_metadata(metadata: dict, slips: list[Slip]) -> None:
    kernel = metadata.get("kernelspec")
    if "kernelspec" in metadata and not (isinstance(kernel, dict) and isinstance(kernel.get("name"), str)):
        slips.append(Slip("metadata.kernelspec", "no kernel 'name' (dropped)"))
        del metadata["kernelspec"]
    elif isinstance(kernel, dict) and not isinstance(kernel.get("display_name"), str):
        slips.append(Slip("metadata.kernelspec", "'display_name' missing (set to the kernel's name)"))
        kernel["display_name"] = kernel["name"]
    language = metadata.get("language_info")
    if "language_info" in metadata and not (
        isinstance(language, dict) and isinstance(language.get("name"), str)
    ):
        slips.append(Slip("metadata.language_info", "no language 'name' (dropped)"))
        del metadata["language_info"]
    for key, kind in (("title", str), ("authors", list), ("orig_nbformat", int)):
        if key in metadata and not isinstance(metadata[key], kind):
            slips.append(
                Slip(
                    f"metadata.{key}",
                    f"not {'text' if kind is str else 'a list' if kind is list else 'a number'} (dropped)",
                )
            )
            del metadata[key]


# ----------------------------------------------------------------------------------------------
# cells


def _repair_cell(cell, path: str, slips: list[Slip]) -> bool:
    """Repair one cell in place; False for a value that is no cell at all."""
    if not isinstance(cell, dict):
        return False
    kind = _repair_cell_type(cell, path, slips)
    if not isinstance(cell.get("metadata"), dict):
        slips.append(Slip(path, _missing_or_not(cell, "metadata", "an object") + " (set to {})"))
        cell["metadata"] = {}
    cell["source"] = _text(cell, "source", path, slips)
    name = _CELL_NAMES[kind]
    extra = [key for key in cell if key not in CELL_FIELDS[kind]]
    if extra:
        slips.append(Slip(path, f"{_listed(extra)} on a {name} (dropped)"))
        for key in extra:
            del cell[key]
    if kind == "code":
        _repair_code_cell(cell, path, slips)
    elif "attachments" in cell:
        _repair_attachments(cell, path, slips)
    return True


def _repair_cell_type(cell: dict, path: str, slips: list[Slip]) -> str:
    kind = cell.get("cell_type")
    if kind in CELL_FIELDS:
        return kind
    if kind == "heading":  # format 3's heading cells, left in a format 4 file
        level = cell.pop("level", 1)
        source = cell.get("source", "")
        text = (
            "".join(item for item in source if isinstance(item, str))
            if isinstance(source, list)
            else str(source)
        )
        cell["source"] = "#" * (level if isinstance(level, int) and 1 <= level <= 6 else 1) + " " + text
        guess = "markdown"
    else:
        guess = "code" if "outputs" in cell or "execution_count" in cell else "markdown"
    what = "'cell_type' missing" if "cell_type" not in cell else f"cell type {_shown(kind)} unknown"
    slips.append(Slip(path, f"{what} (read as a {_CELL_NAMES[guess]})"))
    cell["cell_type"] = guess
    return guess


def _repair_code_cell(cell: dict, path: str, slips: list[Slip]) -> None:
    count = cell.get("execution_count")
    if "execution_count" not in cell or not _is_count(count):
        slips.append(Slip(path, _missing_or_not(cell, "execution_count", "a count") + " (set to null)"))
        cell["execution_count"] = count = None
    outputs = cell.get("outputs")
    if not isinstance(outputs, list):
        slips.append(
            Slip(
                path,
                "'outputs' missing (set to [])" if outputs is None else "'outputs' is not a list (dropped)",
            )
        )
        cell["outputs"] = []
        return
    kept = []
    for index, output in enumerate(outputs):
        where = f"{path}.outputs[{index}]"
        if _repair_output(output, where, count, slips):
            kept.append(output)
    cell["outputs"] = kept


def _repair_attachments(cell: dict, path: str, slips: list[Slip]) -> None:
    attachments = cell["attachments"]
    if not isinstance(attachments, dict):
        slips.append(Slip(f"{path}.attachments", "not an object (dropped)"))
        del cell["attachments"]
        return
    for name in list(attachments):
        if isinstance(attachments[name], dict):
            _repair_bundle(attachments[name], f"{path}.attachments.{name}", slips)
        else:
            slips.append(Slip(f"{path}.attachments.{name}", "not an object of images (dropped)"))
            del attachments[name]


def _repair_ids(cells: list[dict], positions: list[int], slips: list[Slip]) -> None:
    """Format 4.5 cells need an id, unique in the notebook: a missing, malformed or repeated one
    is made from the cell's position (`cell-3`), never at random."""
    taken = {cell["id"] for cell in cells if isinstance(cell.get("id"), str)}
    seen: set[str] = set()
    for position, cell in zip(positions, cells):
        given = cell.get("id")
        if isinstance(given, str) and _CELL_ID.fullmatch(given) and given not in seen:
            seen.add(given)
            continue
        if "id" not in cell:
            what = "'id' missing"
        elif given in seen:
            what = "'id' used by an earlier cell"
        else:
            what = "'id' is not letters, digits, - and _ (1 to 64)"
        slips.append(Slip(f"cells[{position}]", f"{what} (given one from its position)"))
        candidate = f"cell-{position + 1}"
        while candidate in taken:
            candidate += "-"
        cell["id"] = candidate
        taken.add(candidate)
        seen.add(candidate)


# ----------------------------------------------------------------------------------------------
# outputs


def _repair_output(output, path: str, cell_count: int | None, slips: list[Slip]) -> bool:
    """Repair one output in place; False when it can't be shown (it is then left out)."""
    if not isinstance(output, dict):
        slips.append(Slip(path, "not an output (left out)"))
        return False
    kind = output.get("output_type")
    if kind in _OLD_OUTPUT_TYPES:
        slips.append(Slip(path, f"format 3 output type {_shown(kind)} (read as {_OLD_OUTPUT_TYPES[kind]!r})"))
        kind = output["output_type"] = _OLD_OUTPUT_TYPES[kind]
    if kind not in OUTPUT_FIELDS:
        slips.append(
            Slip(
                path,
                f"unknown output type {_shown(kind)} (left out)"
                if "output_type" in output
                else "'output_type' missing (left out)",
            )
        )
        return False
    extra = [key for key in output if key not in OUTPUT_FIELDS[kind]]
    if extra:
        slips.append(Slip(path, f"{_listed(extra)} on a {kind} output (dropped)"))
        for key in extra:
            del output[key]
    if kind == "stream":
        if not isinstance(output.get("name"), str):
            slips.append(Slip(path, "stream output without 'name' (set to \"stdout\")"))
            output["name"] = "stdout"
        output["text"] = _text(output, "text", path, slips)
    elif kind == "error":
        for key in ("ename", "evalue"):
            if not isinstance(output.get(key), str):
                slips.append(Slip(path, _missing_or_not(output, key, "text") + " (set to text)"))
                output[key] = "" if output.get(key) is None else _shown(output[key])
        if not isinstance(output.get("traceback"), list):
            slips.append(Slip(path, _missing_or_not(output, "traceback", "a list") + " (set to [])"))
            output["traceback"] = []
        output["traceback"] = [
            _line_text(line, f"{path}.traceback[{index}]", slips)
            for index, line in enumerate(output["traceback"])
        ]
    else:
        _repair_rich_output(output, kind, path, cell_count, slips)
    return True


def _repair_rich_output(
    output: dict, kind: str, path: str, cell_count: int | None, slips: list[Slip]
) -> None:
    for key in ("data", "metadata"):
        if not isinstance(output.get(key), dict):
            slips.append(Slip(path, _missing_or_not(output, key, "an object") + " (set to {})"))
            output[key] = {}
    _repair_bundle(output["data"], f"{path}.data", slips)
    if kind == "execute_result" and (
        "execution_count" not in output or not _is_count(output["execution_count"])
    ):
        slips.append(
            Slip(path, _missing_or_not(output, "execution_count", "a count") + " (set from its cell)")
        )
        output["execution_count"] = cell_count


def _repair_bundle(bundle: dict, path: str, slips: list[Slip]) -> None:
    """A mimebundle's values are text (a string or a list of strings), except JSON types."""
    for mime in bundle:
        if not _JSON_MIME.fullmatch(mime):
            bundle[mime] = _text(bundle, mime, path, slips)


# ----------------------------------------------------------------------------------------------
# text values


def _text(holder: dict, key: str, path: str, slips: list[Slip]):
    """`holder[key]` as the schema's multi-line text: a string or a list of strings, kept in the
    form it has; a number or `null` among the lines, or a value that is no text at all, becomes
    its JSON text (what the file shows)."""
    value = holder.get(key)
    where = f"{path}.{key}"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return [_line_text(line, f"{where}[{index}]", slips) for index, line in enumerate(value)]
    if key not in holder:
        slips.append(Slip(path, f"{_quoted(key)} missing (set to \"\")"))
        return ""
    slips.append(Slip(where, "not text (read as its JSON text)"))
    return _shown(value)


def _line_text(line, path: str, slips: list[Slip]) -> str:
    if isinstance(line, str):
        return line
    slips.append(Slip(path, "not text (read as its JSON text)"))
    return _shown(line)


# ----------------------------------------------------------------------------------------------
# what no rule above foresaw: nbformat's validator finds it, and it is left out


def _leave_out_the_invalid(notebook: dict, positions: list[int], slips: list[Slip]) -> None:
    """Validate with nbformat; drop the smallest part that fails: a metadata key, an output, a cell."""
    from nbformat.validator import iter_validate

    minor = notebook["nbformat_minor"]
    if next(iter_validate(notebook, version=4, version_minor=minor), None) is None:
        return
    metadata = notebook["metadata"]
    for error in list(iter_validate({**notebook, "cells": []}, version=4, version_minor=minor)):
        where = list(error.absolute_path)
        if len(where) >= 2 and where[0] == "metadata" and where[1] in metadata:
            slips.append(Slip(f"metadata.{where[1]}", f"{_first_line(error)} (dropped)"))
            del metadata[where[1]]
    notebook["cells"] = [
        cell
        for position, cell in zip(positions, notebook["cells"])
        if _valid_cell(cell, f"cells[{position}]", minor, slips)
    ]


def _valid_cell(cell: dict, path: str, minor: int, slips: list[Slip]) -> bool:
    from nbformat.validator import iter_validate

    for _ in range(len(cell.get("metadata", {})) + len(cell.get("outputs", [])) + 1):
        error = next(
            iter_validate(cell, ref=f"{cell['cell_type']}_cell", version=4, version_minor=minor), None
        )
        if error is None:
            return True
        where = list(error.absolute_path)
        if len(where) >= 2 and where[0] == "metadata" and where[1] in cell["metadata"]:
            slips.append(Slip(f"{path}.metadata.{where[1]}", f"{_first_line(error)} (dropped)"))
            del cell["metadata"][where[1]]
        elif len(where) >= 2 and where[0] == "outputs" and isinstance(where[1], int):
            slips.append(Slip(f"{path}.outputs[{where[1]}]", f"{_first_line(error)} (left out)"))
            del cell["outputs"][where[1]]
        else:
            break
    slips.append(Slip(path, f"{_first_line(error)} (left out)"))
    return False


def _first_line(error) -> str:
    return str(getattr(error, "message", "") or error).splitlines()[0][:120]


# ----------------------------------------------------------------------------------------------
# small helpers


def _is_count(value) -> bool:
    """An execution count: null, or a whole number from 0 (not a boolean, not 3.0)."""
    return value is None or (type(value) is int and value >= 0)


def _missing_or_not(holder: dict, key: str, kind: str) -> str:
    return f"{_quoted(key)} missing" if key not in holder else f"{_quoted(key)} is not {kind}"


def _listed(keys: list[str]) -> str:
    names = [_quoted(key) for key in keys]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _quoted(key) -> str:
    return repr(key) if isinstance(key, str) else _shown(key)


def _shown(value) -> str:
    """A JSON value as the file shows it (`1`, `null`, `"4"`), short."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


# ----------------------------------------------------------------------------------------------
# the one finding per notebook

MAX_KINDS = 6  # kinds of slip listed in a finding; the rest are counted
MAX_PATHS = 3  # paths listed per kind


def describe_slips(slips: list[Slip]) -> str:
    """One line for all of a notebook's slips: each kind of slip once, with the JSON paths where
    it occurs (a few, then a count), e.g. `cells[0], cells[3] and 9 more: 'outputs' on a
    Markdown cell (dropped); cells[2]: 'execution_count' missing (set to null)`."""
    kinds: dict[str, list[str]] = {}
    for slip in slips:
        kinds.setdefault(slip.what, []).append(slip.path)
    parts = []
    for what, paths in list(kinds.items())[:MAX_KINDS]:
        shown = ", ".join(paths[:MAX_PATHS])
        if len(paths) > MAX_PATHS:
            shown += f" and {len(paths) - MAX_PATHS} more"
        parts.append(f"{shown}: {what}")
    rest = sum(len(paths) for paths in list(kinds.values())[MAX_KINDS:])
    text = "; ".join(parts) + (f"; and {rest} more" if rest else "")
    return f"{len(slips)} schema slip{'s' if len(slips) != 1 else ''} repaired in memory: {text}"


FIX_HINT = "re-save it in Jupyter (or run `coursegen check --fix-notebooks`) to fix the file"
