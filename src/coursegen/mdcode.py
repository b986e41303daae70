"""Where a Markdown file holds code: fenced and indented code blocks, inline code spans.

Text repairs (`check --fix-encoding`) and text warnings (garbled text) must leave code as the
author wrote it: a lesson about encodings shows `MÃ©canismes` on purpose in its examples. The
rules follow CommonMark closely enough to never miss code; when unsure they call a line code
(a repair skipped is harmless, a repair inside an example is not).
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"\s*(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_BACKTICKS = re.compile(r"`+")


def code_lines(lines: list[str]) -> set[int]:
    """Indexes (0-based) of the lines inside fenced code blocks (fences included) and indented
    code blocks. A YAML front matter at the top is not code."""
    code: set[int] = set()
    start = _after_front_matter(lines)
    fence = ""
    previous_blank, previous_code, in_list = True, False, False
    for index in range(start, len(lines)):
        line = lines[index]
        if fence:
            code.add(index)
            if line.strip().startswith(fence) and not line.strip().lstrip(fence[0]):
                fence = ""
            continue
        opening = _FENCE.match(line)
        if opening and not (opening.group(1)[0] == "`" and "`" in line[opening.end() :]):
            fence = opening.group(1)
            code.add(index)
            continue
        blank = not line.strip()
        if not blank:
            expanded = line.expandtabs(4)
            indent = len(expanded) - len(expanded.lstrip(" "))
            if indent >= (8 if in_list else 4) and (previous_blank or previous_code):
                code.add(index)
                previous_blank, previous_code = False, True
                continue
            if _LIST_ITEM.match(expanded):
                in_list = True
            elif indent == 0:
                in_list = False
            previous_code = False
        previous_blank = blank
    return code


def _after_front_matter(lines: list[str]) -> int:
    if not lines or lines[0].rstrip() != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return index + 1
    return 0


def prose_segments(line: str) -> list[tuple[str, bool]]:
    """The line cut into (text, is_prose) pieces: inline code spans (with their backticks) are
    not prose. A backtick escaped with a backslash opens nothing; a run of backticks without a
    closing run of the same length is prose."""
    pieces: list[tuple[str, bool]] = []
    start = position = 0
    while position < len(line):
        if line[position] == "\\":
            position += 2
            continue
        if line[position] != "`":
            position += 1
            continue
        run = _BACKTICKS.match(line, position).group()
        closing = _closing_run(line, position + len(run), run)
        if closing is None:
            position += len(run)
            continue
        if start < position:
            pieces.append((line[start:position], True))
        pieces.append((line[position:closing], False))
        start = position = closing
    if start < len(line):
        pieces.append((line[start:], True))
    return pieces


def _closing_run(line: str, position: int, run: str) -> int | None:
    """The end of the first run of exactly `run` backticks from `position` (backslashes escape
    nothing inside a code span), or None."""
    for match in _BACKTICKS.finditer(line, position):
        if match.group() == run:
            return match.end()
    return None
