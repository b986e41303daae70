"""Garbled text (mojibake): UTF-8 that was read as Windows-1252/Latin-1 and saved again.

`MÃ©canismes` for `Mécanismes`, `ðŸ¤–` for 🤖. Detection and repair are ftfy's (`fix_encoding`
only: it changes nothing but encoding damage); this module adds line numbers and safe rewriting.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

# Characters that UTF-8 lead bytes become in cp1252/latin-1: a cheap filter before asking ftfy.
_SUSPECT = re.compile("[\u00c2-\u00c5\u00c3\u00ce\u00cf\u00d0\u00d1\u00e2\u00f0][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]")


@dataclass(frozen=True)
class GarbledLine:
    line: int  # 1-based
    text: str
    repaired: str


def find_garbled_lines(text: str) -> list[GarbledLine]:
    """Lines of `text` that ftfy can repair, with their repair."""
    if not _SUSPECT.search(text):
        return []
    from ftfy import fix_encoding  # imported only when a file looks suspicious

    found = []
    for number, line in enumerate(text.split("\n"), 1):
        if _SUSPECT.search(line):
            repaired = fix_encoding(line)
            if repaired != line:
                found.append(GarbledLine(number, line, repaired))
    return found


def repair_file(path: Path) -> tuple[int, Path] | None:
    """Repair a garbled UTF-8 file in place, keeping the original as `<name>.bak` beside it.

    Returns (lines repaired, backup path), or None when there was nothing to repair. The backup is
    never overwritten: an existing one gets a number (`x.md.1.bak`). coursegen never publishes `.bak` files.
    """
    data = path.read_bytes()
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data[3 if bom else 0 :].decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    garbled = find_garbled_lines("\n".join(lines))
    if not garbled:
        return None
    for item in garbled:
        lines[item.line - 1] = item.repaired
    backup = path.with_name(path.name + ".bak")
    counter = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}.{counter}.bak")
        counter += 1
    shutil.copy2(path, backup)
    repaired = newline.join(lines).encode("utf-8")
    temporary = path.with_name(f".{path.name}.coursegen-tmp")
    temporary.write_bytes((b"\xef\xbb\xbf" if bom else b"") + repaired)
    temporary.replace(path)
    return len(garbled), backup


MAX_REPORTED = 5


def report_garbled(text: str, rel: str, diagnostics, first_line: int = 1) -> None:
    """Warn about garbled lines (a few per file, then a count), showing the repaired text."""
    garbled = find_garbled_lines(text)
    for item in garbled[:MAX_REPORTED]:
        diagnostics.warning(
            rel,
            f"garbled text (UTF-8 read as Windows-1252?), should probably read: {_shorten(item.repaired.strip())}",
            "repair the file with `coursegen check --fix-encoding` (a .bak copy is kept)",
            line=item.line + first_line - 1, kind="encoding",
        )
    if len(garbled) > MAX_REPORTED:
        diagnostics.warning(
            rel,
            f"{len(garbled) - MAX_REPORTED} more garbled lines from here on",
            "repair the file with `coursegen check --fix-encoding`",
            line=garbled[MAX_REPORTED].line + first_line - 1, kind="encoding",
        )


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
