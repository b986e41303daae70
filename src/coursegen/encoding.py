"""Text saved with the wrong encoding: garbled UTF-8 (mojibake), and files that are not UTF-8.

`MÃ©canismes` for `Mécanismes`, `ðŸ¤–` for 🤖: UTF-8 that was read as Windows-1252/Latin-1 and
saved again. Detection and repair are ftfy's (`fix_encoding` only: it changes nothing but encoding
damage); this module adds line numbers, leaves Markdown code alone (a lesson about encodings shows
mojibake on purpose in its examples), converts Windows-1252 files to UTF-8 and rewrites safely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from coursegen.errors import shorten
from coursegen.rewrite import replace_keeping_backup

# Characters that UTF-8 lead bytes become in cp1252/latin-1: a cheap filter before asking ftfy.
_SUSPECT = re.compile(
    "[\u00c2-\u00c5\u00c3\u00ce\u00cf\u00d0\u00d1\u00e2\u00f0][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class GarbledLine:
    line: int  # 1-based
    text: str
    repaired: str


def find_garbled_lines(text: str, markdown: bool = False) -> list[GarbledLine]:
    """Lines of `text` that ftfy can repair, with their repair. In Markdown (`markdown=True`),
    fenced and indented code blocks and inline code spans are neither reported nor repaired."""
    if not _SUSPECT.search(text):
        return []
    from ftfy import fix_encoding  # imported only when a file looks suspicious

    from coursegen.mdcode import code_lines, prose_segments

    lines = text.split("\n")
    in_code = code_lines(lines) if markdown else set()
    found = []
    for index, line in enumerate(lines):
        if index in in_code or not _SUSPECT.search(line):
            continue
        if markdown:
            repaired = "".join(fix_encoding(part) if prose else part for part, prose in prose_segments(line))
        else:
            repaired = fix_encoding(line)
        if repaired != line:
            found.append(GarbledLine(index + 1, line, repaired))
    return found


def decode_legacy(data: bytes) -> tuple[str, int]:
    """Bytes that are not valid UTF-8 as text, and how many bytes were not: each run of valid
    UTF-8 stays as it is (a file that mixes both is common: UTF-8 pasted into a Latin-1 file),
    each invalid byte is read as Windows-1252, or as Latin-1 for the five bytes Windows-1252
    leaves undefined."""
    text = data.decode("utf-8", errors="surrogateescape")  # an invalid byte b becomes U+DC00 + b
    return _ESCAPED_BYTE.subn(_legacy_character, text)


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _legacy_character(match: re.Match) -> str:
    byte = bytes([ord(match.group()) - 0xDC00])
    try:
        return byte.decode("cp1252")
    except UnicodeDecodeError:
        return byte.decode("latin-1")


@dataclass(frozen=True)
class EncodingRepair:
    converted: int  # bytes read as Windows-1252 (the file was not UTF-8)
    garbled: int  # lines of mojibake repaired
    backup: Path

    def describe(self) -> str:
        done = []
        if self.converted:
            done.append(
                f"converted from Windows-1252 to UTF-8 ({self.converted} "
                f"character{'s' if self.converted > 1 else ''})"
            )
        if self.garbled:
            done.append(f"repaired {self.garbled} garbled line{'s' if self.garbled > 1 else ''}")
        return f"{' and '.join(done)} (original kept as {self.backup.name})"


def repair_file(path: Path, markdown: bool = False, garbled: bool = True) -> EncodingRepair | None:
    """Convert a Windows-1252/Latin-1 file to UTF-8 and repair garbled lines (outside code, for
    Markdown; not at all with `garbled=False`), in place, keeping the original as `<name>.bak`
    beside it (see rewrite.replace_keeping_backup). None when there was nothing to do. Line
    breaks, a byte-order mark and line count are kept: positions in messages stay valid."""
    data = path.read_bytes()
    bom = data.startswith(BOM)
    body = data[len(BOM) if bom else 0 :]
    try:
        text, converted = body.decode("utf-8"), 0
    except UnicodeDecodeError:
        text, converted = decode_legacy(body)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    found = find_garbled_lines("\n".join(lines), markdown) if garbled else []
    if not found and not converted:
        return None
    for item in found:
        lines[item.line - 1] = item.repaired
    repaired = newline.join(lines).encode("utf-8")
    backup = replace_keeping_backup(path, (BOM if bom else b"") + repaired)
    return EncodingRepair(converted, len(found), backup)


MAX_REPORTED = 5


def report_garbled(text: str, rel: str, diagnostics, first_line: int = 1, markdown: bool = False) -> None:
    """Warn about garbled lines (a few per file, then a count), showing the repaired text; in
    Markdown, text inside code is left alone (see find_garbled_lines)."""
    garbled = find_garbled_lines(text, markdown)
    for item in garbled[:MAX_REPORTED]:
        diagnostics.warning(
            rel,
            "garbled text (UTF-8 read as Windows-1252?), should probably read: "
            f"{shorten(item.repaired.strip())}",
            "repair the file with `coursegen check --fix-encoding` (a .bak copy is kept)",
            line=item.line + first_line - 1,
            kind="encoding",
        )
    if len(garbled) > MAX_REPORTED:
        diagnostics.warning(
            rel,
            f"{len(garbled) - MAX_REPORTED} more garbled lines from here on",
            "repair the file with `coursegen check --fix-encoding`",
            line=garbled[MAX_REPORTED].line + first_line - 1,
            kind="encoding",
        )
