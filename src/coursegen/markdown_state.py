"""What the tree processors need for the document being converted right now, and where in its
source a thing they report was written."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from coursegen.errors import Diagnostics
from coursegen.model import Page

# A link with a #fragment, checked once every page's anchors are known: (target URL, fragment,
# href as written, line). A plain tuple: a big course has tens of thousands, cached as JSON.
AnchorLink = tuple[str, str, str, "int | None"]
_NEWLINE = re.compile("\n")


@dataclass
class RenderState:
    """What the tree processors need for the document being converted right now."""

    page: Page
    text: str
    first_line: int
    diagnostics: Diagnostics
    demote: bool | None = None  # shift headings one level down: None = when the text has an h1
    anchor_links: list[AnchorLink] = field(default_factory=list)
    _search_from: dict[str, int] = field(default_factory=dict)
    _absent: set[str] = field(default_factory=set)  # needles the text does not contain
    _line_starts: list[int] | None = None  # offsets of the text's newlines, found on first use

    def line_of(self, *needles: str) -> int | None:
        """File line where the first of `needles` (most specific first) next appears in the source.

        Items are reported in document order, so each search starts after the previous find of
        the same needle. None when the text has no lines of its own (a notebook cell). A needle
        found missing is not searched again, and lines are counted by bisection: thousands of
        links or headings on one page cost linear time, not quadratic.
        """
        if self.first_line <= 0:
            return None
        for needle in needles:
            if not needle or needle in self._absent:
                continue
            start = self._search_from.get(needle, 0)
            index = self.text.find(needle, start)
            if index < 0 < start:
                index = self.text.find(needle)
            if index >= 0:
                self._search_from[needle] = index + len(needle)
                return self.first_line + self._newlines_before(index)
            self._absent.add(needle)
        return None

    def _newlines_before(self, index: int) -> int:
        if self._line_starts is None:
            self._line_starts = [match.start() for match in _NEWLINE.finditer(self.text)]
        return bisect.bisect_left(self._line_starts, index)
