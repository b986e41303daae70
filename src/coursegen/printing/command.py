"""`coursegen pdf`: build the site (print pages included), print to PDF each print page whose PDF
is not in the cache yet, then build again — the build publishes the PDFs that match their print
page (printing/stage.py), so they go into the site in the same single step as every other file,
and stay there through later builds for as long as their print page is unchanged."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coursegen.build import BuildOptions, BuildResult, build
from coursegen.errors import UsageError
from coursegen.printing.pdf import print_to_pdf
from coursegen.printing.stage import PrintedBook


@dataclass
class PdfRun:
    result: BuildResult  # of the last build
    made: list[str] = field(default_factory=list)  # PDFs printed by Chromium this time (site paths)
    cached: list[str] = field(default_factory=list)  # PDFs that were current already


def make_pdfs(
    root: Path,
    out: Path | None,
    section: str | None,
    chromium: str,
    options: BuildOptions,
    say: Callable[[str], None] = lambda line: None,
) -> PdfRun:
    result = build(root, out, options)
    if not result.written:  # --strict with findings, or a theme that doesn't compile: nothing to print
        return PdfRun(result)
    wanted = _wanted(result.printed, section)
    run = PdfRun(result)
    for book in wanted:
        if book.pdf_ready:
            run.cached.append(book.pdf_url)
            continue
        say(f"Printing {book.url} → {book.pdf_url}")
        print_to_pdf(chromium, result.out / book.url, book.cached)
        run.made.append(book.pdf_url)
    if run.made:  # the same site, with the new PDFs and the links to them
        run.result = build(root, out, options)
    _forget_stale(result.printed)
    return run


def _wanted(printed: list[PrintedBook], section: str | None) -> list[PrintedBook]:
    if not printed:
        raise UsageError(
            "this course has no print pages (course.yml says print: false)", "remove print: false"
        )
    if section is None:
        return printed
    folder = section.strip("/")
    chosen = [book for book in printed if book.section == folder]
    if not chosen:
        known = ", ".join(book.section for book in printed if book.section)
        raise UsageError(f"no section '{section}' in this course", f"sections: {known}")
    return chosen


def _forget_stale(printed: list[PrintedBook]) -> None:
    """PDFs of print pages that have changed since are never published again: delete them (from
    this edition's folder only)."""
    if not printed:
        return
    current = {book.cached.name for book in printed}
    folder = printed[0].cached.parent
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            if path.name not in current:
                path.unlink(missing_ok=True)
