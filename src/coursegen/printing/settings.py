"""course.yml `print:`: whether print pages are made, with notebooks or not, and on which paper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coursegen.errors import Diagnostics

PAGE_SIZES = {"a4": "A4", "letter": "letter"}  # course.yml value → CSS @page size


@dataclass(frozen=True)
class PrintSettings:
    enabled: bool = True  # `print: false`: no print pages (and nothing for `coursegen pdf` to print)
    notebooks: bool = False  # the module's notebooks are printed too, after its lessons
    page: str = "a4"  # a4 | letter


def print_settings(value: Any, line: int | None, diagnostics: Diagnostics) -> PrintSettings:
    """`print: false`, or `print: {notebooks: true, page: letter}`; a wrong value keeps the default."""
    if isinstance(value, bool):
        return PrintSettings(enabled=value)
    if not isinstance(value, dict):
        _wrong(
            diagnostics, line, "'print' must be false or a mapping", "e.g. print: {notebooks: true, page: a4}"
        )
        return PrintSettings()
    settings: dict[str, Any] = {}
    for key, item in value.items():
        if key == "notebooks" and isinstance(item, bool):
            settings["notebooks"] = item
        elif key == "page" and str(item).lower() in PAGE_SIZES:
            settings["page"] = str(item).lower()
        elif key == "notebooks":
            _wrong(
                diagnostics,
                line,
                f"print.notebooks must be true or false, not {item!r}",
                "e.g. print: {notebooks: true}",
            )
        elif key == "page":
            _wrong(
                diagnostics,
                line,
                f"print.page must be a4 or letter, not {item!r}",
                "e.g. print: {page: letter}",
            )
        else:
            diagnostics.warning(
                "course.yml", f"unknown key 'print.{key}'", "known: notebooks, page", line=line, kind="config"
            )
    return PrintSettings(**settings)


def _wrong(diagnostics: Diagnostics, line: int | None, message: str, hint: str) -> None:
    diagnostics.error("course.yml", message, hint, line=line, kind="config")
