"""The timing sheet of a module, for the instructor's edition: its lessons in course order with the
time each starts, from the lessons' `duration` and the module's `breaks` and `session_start`.

    ---                                   (content/A/index.md)
    session_start: "9:00"                 optional: start times of day; else from 0:00
    breaks:
      - {after: 02_lecon, minutes: 15, title: Pause café}   after: the lesson's file name (with or
    ---                                                      without .md); title: default "Pause"

A lesson without `duration` counts for nothing (its row says so); a value that can't be read is a
finding of kind `yaml` at its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from coursegen.errors import Diagnostics
from coursegen.model import Course, Page, PageKind

_DURATION = re.compile(
    r"(?:(?P<hours>\d+(?:[.,]\d+)?)\s*(?:h|hrs?|hours?|heures?)\.?)?\s*"
    r"(?:(?P<minutes>\d+)\s*(?:min(?:ute)?s?|mn|m)?\.?)?",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"(\d{1,2})\s*[:h]\s*(\d{2})?")
DAY = 24 * 60


@dataclass(frozen=True)
class TimingRow:
    title: str
    url: str  # the lesson's page ("" for a break)
    start: str  # "09:45", or "0:45" from the session's start
    duration: str  # "45 min", "" when the lesson gives none
    is_break: bool = False


@dataclass(frozen=True)
class TimingSheet:
    rows: tuple[TimingRow, ...]
    end: str  # when the last row ends
    total: str  # the whole module, breaks included


def parse_duration(text: str) -> int | None:
    """Minutes in a front-matter duration: `45 min`, `1 h 30`, `1h30`, `1,5 h`, `2 heures`, `90`, `1:30`."""
    text = text.strip()
    clock = re.fullmatch(r"(\d+):(\d{2})", text)
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    match = _DURATION.fullmatch(text)
    if not text or match is None or not (match.group("hours") or match.group("minutes")):
        return None
    hours = float((match.group("hours") or "0").replace(",", "."))
    return round(hours * 60) + int(match.group("minutes") or 0)


def format_minutes(minutes: int) -> str:
    """A length as the sheet shows it: `45 min`, `1 h`, `1 h 30`."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def _clock(minutes: int, from_zero: bool) -> str:
    hours, rest = divmod(minutes % DAY, 60)
    return f"{hours}:{rest:02d}" if from_zero else f"{hours:02d}:{rest:02d}"


def timing_sheets(course: Course, diagnostics: Diagnostics) -> dict[str, TimingSheet]:
    """The sheet of every section whose lessons give a duration (or that has breaks), by page URL."""
    sheets = {}
    for page in course.pages:
        if not page.is_section or page.parent is None:  # the course home is not a module
            continue
        lessons = [child for child in page.children if child.kind in (PageKind.LESSON, PageKind.NOTEBOOK)]
        if not lessons:
            continue
        breaks = _breaks(page, lessons, diagnostics)
        if breaks or any(lesson.meta.duration for lesson in lessons):
            sheets[page.url] = _sheet(page, lessons, breaks, diagnostics)
    return sheets


def _sheet(
    module: Page, lessons: list[Page], breaks: dict[str, list[tuple[str, int]]], diagnostics: Diagnostics
) -> TimingSheet:
    start = _session_start(module, diagnostics)
    from_zero = start is None
    now = start or 0
    rows = []
    for lesson in lessons:
        minutes = _lesson_minutes(lesson, diagnostics)
        shown = format_minutes(minutes) if minutes is not None else ""
        rows.append(TimingRow(lesson.title, lesson.url, _clock(now, from_zero), shown))
        now += minutes or 0
        for title, pause in breaks.get(lesson.url, []):
            rows.append(TimingRow(title, "", _clock(now, from_zero), format_minutes(pause), is_break=True))
            now += pause
    return TimingSheet(tuple(rows), _clock(now, from_zero), format_minutes(now - (start or 0)))


def _lesson_minutes(lesson: Page, diagnostics: Diagnostics) -> int | None:
    text = lesson.meta.duration
    if not text:
        return None
    minutes = parse_duration(text)
    if minutes is None:
        diagnostics.warning(
            lesson.rel,
            f"duration '{text}' can't be read, so the timing sheet counts nothing for this lesson",
            "write it like 45 min, 1 h 30 or 90",
            line=lesson.meta.lines.get("duration"),
            kind="yaml",
        )
    return minutes


def _session_start(module: Page, diagnostics: Diagnostics) -> int | None:
    """Minutes after midnight from `session_start` ("9:00", "09h30"; YAML reads an unquoted 9:00 as 540)."""
    value = module.meta.extra.get("session_start")
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < DAY:
        return value
    match = _CLOCK.fullmatch(str(value).strip())
    if match and int(match.group(1)) < 24:
        return int(match.group(1)) * 60 + int(match.group(2) or 0)
    diagnostics.warning(
        module.rel,
        f"session_start '{value}' is not a time of day, so the timing sheet counts from 0:00",
        'write it like session_start: "9:00"',
        line=module.meta.lines.get("session_start"),
        kind="yaml",
    )
    return None


def _breaks(module: Page, lessons: list[Page], diagnostics: Diagnostics) -> dict[str, list[tuple[str, int]]]:
    """The module's `breaks` as lesson URL → [(title, minutes)]; an entry that can't be placed is a warning."""
    value = module.meta.extra.get("breaks")
    if value is None:
        return {}
    line = module.meta.lines.get("breaks")
    by_name = {}
    for lesson in lessons:
        if lesson.source is not None:
            name = PurePosixPath(str(lesson.source.rel)).name
            by_name[name] = by_name[PurePosixPath(name).stem] = lesson.url
    placed: dict[str, list[tuple[str, int]]] = {}
    for entry in value if isinstance(value, list) else [value]:
        problem = _break_problem(entry, by_name)
        if problem:
            diagnostics.warning(
                module.rel,
                f"break {entry!r} {problem}, so the timing sheet leaves it out",
                "write breaks: [{after: 02_lecon, minutes: 15, title: Pause}] (after: a lesson of this module)",
                line=line,
                kind="yaml",
            )
            continue
        title = str(entry.get("title") or "")
        placed.setdefault(by_name[str(entry["after"])], []).append((title, entry["minutes"]))
    return placed


def _break_problem(entry: Any, by_name: dict[str, str]) -> str:
    if not isinstance(entry, dict):
        return "is not a mapping"
    minutes = entry.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        return "needs minutes: a whole number above 0"
    if str(entry.get("after")) not in by_name:
        return f"follows no lesson of this module ('{entry.get('after')}')"
    return ""
