"""Reading a notebook's JSON, and salvaging its cells when the JSON is broken outside them.

A notebook whose `metadata` block is corrupt, whose tail was cut off after the cells, or which has
text after its end still holds every cell a reader wants: when the `"cells"` array decodes on its
own (json.JSONDecoder.raw_decode from the array's first bracket), those cells are kept, with the
top-level fields that still decode, and the damage is reported at its line and column.

The array is found by a string-aware scan of the text (a `"cells"` inside a cell's source is
text, not a key). JSON strings cannot hold a raw line break, so a string still open at the end
of a line is broken: the scan closes it there, which keeps it in step after a damaged line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_DECODER = json.JSONDecoder()
# a string (closed, or broken by a line break or the end of the text), or a bracket
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*(?:"|(?=\n)|\Z)|[{}\[\]]')
_SPACE = re.compile(r"\s*")
# what a top-level field must be to be kept; a field that is missing or broken gets its default
_TOP_FIELDS = {"metadata": dict, "nbformat": int, "nbformat_minor": int}


@dataclass(frozen=True)
class Damage:
    """Where a notebook's JSON is broken, and what could not be read because of it."""

    line: int
    col: int
    problem: str  # the JSON decoder's message
    cells: int  # cells read
    lost: tuple[
        str, ...
    ] = ()  # what became of top-level fields that did not decode: "nbformat assumed to be 4"
    trailing: bool = False  # text after a complete notebook, nothing else wrong

    def describe(self) -> str:
        if self.trailing:
            return "text after the end of the notebook's JSON: ignored, the notebook before it is shown"
        cells = f"its {self.cells} cells were" if self.cells != 1 else "its cell was"
        return "; ".join(
            [
                f"the notebook's JSON is broken here ({self.problem}), outside its cells: {cells} read on "
                "their own and are shown",
                *self.lost,
            ]
        )


class UnusableJSON(ValueError):
    """JSON that Python reads but coursegen can't use, at a line and column of the file: nested
    deeper than any program recurses, or holding half a character (a lone surrogate escape)."""

    def __init__(self, message: str, hint: str, text: str, position: int):
        super().__init__(message)
        self.message, self.hint = message, hint
        self.lineno = text.count("\n", 0, position) + 1
        self.colno = position - text.rfind("\n", 0, position)


def read_notebook_json(text: str):
    """The notebook's JSON value and, when it had to be salvaged, the Damage. Raises the
    decoder's JSONDecodeError when even the cells cannot be read, UnusableJSON (see there)."""
    try:
        try:
            value, damage = json.loads(text), None
        except json.JSONDecodeError as error:
            salvaged = salvage(text, error)
            if salvaged is None:
                raise
            value, damage = salvaged
    except RecursionError:
        raise UnusableJSON(
            f"the JSON is nested more than {MAX_DEPTH} levels deep here ([ or {{ inside each other)",
            "no notebook nests so deep: restore the file, or remove the nested part in a text editor",
            text,
            _too_deep_at(text),
        ) from None
    _check_surrogates(text)
    return value, damage


MAX_DEPTH = 100  # levels reported as "too deep" (Python's decoder gives up near 1,000)
# a \u escape of a surrogate, after an even number of backslashes: a high one and its low one if any,
# or a low one on its own
_SURROGATE = re.compile(
    r"(?<!\\)(?:\\\\)*(?P<high>\\u[dD][89abAB][0-9a-fA-F]{2})(?P<pair>\\u[dD][c-fC-F][0-9a-fA-F]{2})?"
    r"|(?<!\\)(?:\\\\)*(?P<low>\\u[dD][c-fC-F][0-9a-fA-F]{2})"
)


def _check_surrogates(text: str) -> None:
    """Raise UnusableJSON at the first lone surrogate escape ("\\ud800"): Python's decoder keeps it
    in a string that no UTF-8 page or file can then hold."""
    if "\\ud" not in text and "\\uD" not in text:  # nearly every notebook: no search
        return
    for match in _SURROGATE.finditer(text):
        if match.group("low") or not match.group("pair"):
            raise UnusableJSON(
                "a \\u escape here is half of a character (a lone surrogate such as \\ud800): it can't be written as UTF-8",
                "write the character itself (or both halves of the pair), or remove the escape",
                text,
                match.start("low") if match.group("low") else match.start("high"),
            )


def _too_deep_at(text: str) -> int:
    """Where the brackets (outside strings) first nest deeper than MAX_DEPTH."""
    depth = 0
    for token in _TOKEN.finditer(text):
        bracket = token.group(0)
        if bracket in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                return token.start()
        elif bracket in ("]", "}"):
            depth -= 1
    return 0


def decoder_message(error: json.JSONDecodeError) -> str:
    """The decoder's message without its dangling words (json says "Invalid control character at",
    "Unterminated string starting at": it adds the position after them)."""
    return error.msg.removesuffix(" at").removesuffix(" starting")


def salvage(text: str, error: json.JSONDecodeError) -> tuple[dict, Damage] | None:
    """The notebook rebuilt from what decodes of `text` (whose parse failed with `error`), or None
    when it has no cell to show."""
    problem = decoder_message(error)
    if error.msg == "Extra data":  # a whole notebook, then more text
        start = _SPACE.match(text).end()
        value, _ = _DECODER.raw_decode(text, start)
        if isinstance(value, dict) and isinstance(value.get("cells"), list) and value["cells"]:
            return value, Damage(error.lineno, error.colno, problem, len(value["cells"]), trailing=True)
        return None
    keys = _keys(text)
    found = _cells(text, keys)
    if found is None or not found[0]:  # no cell to show: nothing worth salvaging
        return None
    cells, cells_at = found
    notebook: dict = {"cells": cells}
    for key, depth, start in keys:
        if depth == 1 and key in _TOP_FIELDS and key not in notebook:
            value = _decoded(text, start, cells_at)
            if isinstance(value, _TOP_FIELDS[key]) and not isinstance(value, bool):
                notebook[key] = value
    lost = []
    if "metadata" not in notebook:
        notebook["metadata"] = _salvaged_metadata(text, keys, cells_at)
        lost.append(
            "metadata rebuilt from the parts that could be read"
            if notebook["metadata"]
            else "metadata could not be read (left empty)"
        )
    defaults = {
        "nbformat": 4,
        "nbformat_minor": 5 if any(isinstance(cell, dict) and "id" in cell for cell in cells) else 4,
    }
    for key, default in defaults.items():
        if key not in notebook:
            notebook[key] = default
            lost.append(f"{key} could not be read ({default} assumed)")
    ordered = {key: notebook[key] for key in ("cells", "metadata", "nbformat", "nbformat_minor")}
    return ordered, Damage(error.lineno, error.colno, problem, len(cells), tuple(lost))


def _keys(text: str) -> list[tuple[str, int, int]]:
    """Every object key of `text` as (raw key text, depth, position of its value); depth 1 is
    the top-level object's."""
    keys = []
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token == "{" or token == "[":
            depth += 1
        elif token == "}" or token == "]":
            depth = max(0, depth - 1)
        else:
            after = _SPACE.match(text, match.end()).end()
            if text.startswith(":", after) and token.endswith('"') and len(token) > 1:
                keys.append((token[1:-1], depth, _SPACE.match(text, after + 1).end()))
    return keys


def _cells(text: str, keys) -> tuple[list, int] | None:
    """The `"cells"` array and its position: the top-level key's first; else, when the damage put
    the scan out of step, any `"cells"` key whose value decodes as a list of cells."""
    candidates = sorted((depth != 1, position) for key, depth, position in keys if key == "cells")
    for not_top, position in candidates:
        value = _decoded(text, position)
        if isinstance(value, list) and (
            not not_top or (value and all(isinstance(cell, dict) and "cell_type" in cell for cell in value))
        ):
            return value, position
    return None


def _salvaged_metadata(text: str, keys, cells_at: int) -> dict:
    """The top-level metadata's fields that still decode (kernelspec, language_info…), when the
    block as a whole does not; a broken field that is an object keeps its own readable fields."""
    starts = [index for index, (key, depth, _) in enumerate(keys) if key == "metadata" and depth == 1]
    return _salvaged_members(text, keys, starts[0] + 1, 2, cells_at) if starts else {}


def _salvaged_members(text: str, keys, first: int, depth: int, cells_at: int) -> dict:
    """The members that decode of the object whose keys, at `depth`, start at keys[first]."""
    members: dict = {}
    for index in range(first, len(keys)):
        key, key_depth, position = keys[index]
        if key_depth < depth:
            break
        if key_depth != depth or key in members or position == cells_at:
            continue
        value = _decoded(text, position, cells_at)
        if value is not _BROKEN:
            members[key] = value
        elif text.startswith("{", position):
            members[key] = _salvaged_members(text, keys, index + 1, depth + 1, cells_at)
    return members


_BROKEN = object()


def _decoded(text: str, position: int, cells_at: int = -1):
    """The JSON value at `position`, or _BROKEN; also _BROKEN for a value that would swallow the
    cells (a field whose closing bracket was lost takes in everything up to the next one)."""
    try:
        value, end = _DECODER.raw_decode(text, position)
    except json.JSONDecodeError:
        return _BROKEN
    return _BROKEN if position < cells_at < end else value
