"""French typography: no-break spaces before `! ? ; :` and inside « », so that a "!" never starts
a line alone on a phone.

A narrow no-break space (U+202F) goes before `!`, `?` and `;`, a no-break space (U+00A0) before `:`,
after « and before ». A plain space already there is replaced; a missing one is added. Only text is
touched: never code, math, URLs, attributes, times (14:30), emoticons (`:)`), entities or Markdown's
placeholders. `spaced()` does one text; `FrenchTypography` runs it over a Markdown tree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

# Markdown's placeholders (markdown.util's, tested equal): written here so that `spaced`, used by
# every page's interface strings, does not import Markdown (a build whose pages are kept needs none)
STX, ETX = "\x02", "\x03"
AMP_SUBSTITUTE = f"{STX}amp{ETX}"

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"
# elements whose text is not prose: left exactly as written
SKIPPED_TAGS = {"code", "pre", "kbd", "samp", "script", "style", "math", "svg", "textarea", "var"}

# spans that are never changed, and count as a word for what comes after them
_PROTECTED = re.compile(
    "|".join(
        (
            re.escape(AMP_SUBSTITUTE) + r"#?\w+;",  # entities as Markdown keeps them
            re.escape(STX) + r"[^" + re.escape(ETX) + r"]*" + re.escape(ETX),  # Markdown's stash placeholders
            r"&#?\w+;",  # entities
            r"\b[a-zA-Z][\w+.-]*://\S+",  # URLs written out
            r"\bwww\.\S+",
            r"\d+:\d+",  # times and ratios: 14:30, 1:2
            r"(?<!\S)[:;]-?[()\[\]DPpOo3|/\\*](?![\w])",  # emoticons :) ;-) :D
            r"::+",  # C++ and Python scopes in prose
        )
    )
)
_SPACES = "[ \t\n" + NBSP + NARROW_NBSP + "\u2009]"
# a mark (or a run of ! and ?, kept together: "?!"), the spaces before it, and what may follow it
_MARK = re.compile(f"(?P<space>{_SPACES}+)?(?P<mark>[!?]+|;|:)(?=$|[\\s»)\\]\"”’'.,…])")
_OPEN_QUOTE = re.compile(f"«{_SPACES}*")
_CLOSE_QUOTE = re.compile(f"{_SPACES}*»")
_WORDLIKE = re.compile(r"[\w)\]»\"”’%€°*_`]")
_TOUCHED = re.compile("[!?;:«»]")  # a text without any of these is left as it is


def spaced(text: str, before: str = "") -> str:
    """`text` with French no-break spaces; `before` is the character that precedes it in the
    page (in the previous text node), to know whether a mark at its very start follows a word."""
    if not _TOUCHED.search(text):  # most texts of a page: nothing to space
        return text
    out: list[str] = []
    position = 0
    for protected in _PROTECTED.finditer(text):
        out.append(_spaced_plain(text[position : protected.start()], before))
        out.append(protected.group(0))
        before = "x"  # a placeholder, URL or entity reads as a word
        position = protected.end()
    out.append(_spaced_plain(text[position:], before if position == 0 else "x"))
    return "".join(out)


def _spaced_plain(text: str, before: str) -> str:
    if not text:
        return text

    def mark(match: re.Match) -> str:
        space = NBSP if match.group("mark") == ":" else NARROW_NBSP
        if match.group("space"):
            return space + match.group("mark")
        previous = text[match.start() - 1] if match.start() > 0 else before
        return (space if previous and _WORDLIKE.match(previous) else "") + match.group("mark")

    text = _MARK.sub(mark, text)
    text = _OPEN_QUOTE.sub("«" + NBSP, text)
    return _CLOSE_QUOTE.sub(NBSP + "»", text)


def french_strings(strings: Mapping[str, str]) -> Mapping[str, str]:
    """The interface strings with French spacing ("Copié !" never breaks before its "!")."""
    return MappingProxyType({key: spaced(value) for key, value in strings.items()})
