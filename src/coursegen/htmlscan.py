"""Scanning HTML that coursegen itself made (Markdown and nbconvert output, well formed) with
regular expressions: used where a body is cut or taken apart after rendering (the editions' left-out
blocks, the print pages' quizzes)."""

from __future__ import annotations

import re


def element_end(text: str, inside: int, name: str) -> int:
    """The index just past the end tag that closes an element `name` whose content starts at
    `inside` (elements of the same name nested in it are counted); the text's end if unclosed."""
    tags = re.compile(rf"<(/?){name}\b[^>]*>", re.IGNORECASE)
    depth = 1
    for tag in tags.finditer(text, inside):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return tag.end()
    return len(text)
