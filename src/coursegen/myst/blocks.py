"""MyST block syntax, read line by line: directive fences (```` ```{name} ```` and `:::{name}`),
their options, targets `(label)=`, display math, and code fences to leave alone.

Nothing here decides what a directive means (directives.py does): this only cuts the text into
blocks and keeps each block's file line, so that every finding can name it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

DIRECTIVE_OPEN = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|:{3,})\{(?P<name>[^}\s]+)\}[ \t]*(?P<arg>.*?)\s*$"
)
CODE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`{]?[^`]*)$")
TARGET = re.compile(r"^[ \t]*\((?P<label>[^()\s][^()]*)\)=[ \t]*$")
CELL_BREAK = re.compile(r"^[ \t]*\+\+\+(?:[ \t].*)?$")  # MyST notebooks: a Markdown cell ends
COMMENT = re.compile(r"^[ \t]*%")
OPTION = re.compile(r"^:(?P<key>[\w.-]+):(?:[ \t]+(?P<value>.*?))?\s*$")
HEADING = re.compile(r"^[ \t]{0,3}(?P<marks>#{1,6})[ \t]+(?P<text>.*?)[ \t#]*$")


@dataclass
class Directive:
    """One directive as written: `name` lower-cased, the `argument` after it, `:key: value`
    options, the content lines (dedented to the fence), and where it was found."""

    name: str
    argument: str
    options: dict[str, str]
    content: list[str]
    line: int  # file line of the opening fence (None-like 0 in a notebook cell)
    content_line: int  # file line of content[0]
    source: str  # the whole block as written, for a block that is not supported
    written_name: str = ""
    option_lines: dict[str, int] = field(default_factory=dict)  # `:key:` → its file line


def closing_line(lines: list[str], start: int, fence: str) -> int:
    """Index of the line that closes the fence opened at `start` (len(lines) when none does:
    the block runs to the end, as CommonMark says). Colon fences nest: an inner `:::{x}` of the
    same length opens a level of its own."""
    char, size = fence[0], len(fence)
    depth = 0
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if char == ":" and stripped.startswith(fence) and stripped[size : size + 1] == "{":
            depth += 1
            continue
        if stripped and set(stripped) == {char} and len(stripped) >= size:
            if depth == 0:
                return index
            depth -= 1
    return len(lines)


def code_closing_line(lines: list[str], start: int, fence: str) -> int:
    char, size = fence[0], len(fence)
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if stripped and set(stripped) == {char} and len(stripped) >= size:
            return index
    return len(lines)


def dedent(lines: list[str], indent: str) -> list[str]:
    """Lines without the fence's own indentation (a directive inside a list item)."""
    if not indent:
        return list(lines)
    width = len(indent)
    return [line[width:] if line[:width].strip() == "" else line.lstrip() for line in lines]


def read_directive(lines: list[str], start: int, end: int, first_line: int, match: re.Match) -> Directive:
    """The directive whose fence opens at `start` and closes at `end` (exclusive of both)."""
    indent = match.group("indent")
    body = dedent(lines[start + 1 : end], indent)
    options, skipped = _options(body)
    content = body[skipped:]
    written = match.group("name")
    source = "\n".join(dedent(lines[start : min(end + 1, len(lines))], indent))
    option_lines = {}
    if first_line > 0:
        for offset, line in enumerate(body[:skipped]):
            if (found := OPTION.match(line)) is not None:
                option_lines[found.group("key")] = first_line + start + 1 + offset
    return Directive(
        option_lines=option_lines,
        name=written.lower(),
        argument=match.group("arg").strip(),
        options=options,
        content=content,
        line=first_line + start if first_line > 0 else 0,
        content_line=first_line + start + 1 + skipped if first_line > 0 else 0,
        source=source,
        written_name=written,
    )


def _options(body: list[str]) -> tuple[dict[str, str], int]:
    """`:key: value` lines, or a YAML block between `---` lines, at the top of a directive; and
    how many lines they take (with the blank line after them)."""
    options: dict[str, str] = {}
    index = 0
    if body and body[0].strip() == "---":
        end = next((i for i in range(1, len(body)) if body[i].strip() == "---"), None)
        if end is not None:
            try:
                loaded = yaml.safe_load("\n".join(body[1:end])) or {}
            except yaml.YAMLError:
                loaded = {}
            if isinstance(loaded, dict):
                options = {str(key): _option_text(value) for key, value in loaded.items()}
                index = end + 1
    else:
        while index < len(body) and (found := OPTION.match(body[index])):
            options[found.group("key")] = (found.group("value") or "").strip()
            index += 1
    if index and index < len(body) and not body[index].strip():
        index += 1
    return options, index


def _option_text(value) -> str:
    if value is None or value is True:
        return ""
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return str(value)


def paragraphs(lines: list[str]) -> list[list[str]]:
    """Blocks of lines separated by blank lines."""
    found: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def indented(lines: list[str], prefix: str = "    ") -> list[str]:
    return [prefix + line if line.strip() else "" for line in lines]


def trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]
