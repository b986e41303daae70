"""The learner's and the instructor's editions of a course, and course.yml `solutions:`.

An edition is decided once per build (`edition_for`) and filters the Markdown tree of every body
(`edition_filter.EditionFilter`), before anything else reads it: a block the edition leaves out is absent from the
body, so from the page, the search index and every output made from bodies — not hidden by CSS.

- `!!! instructor` / `??? instructor` blocks: only in the instructor's edition.
- `??? solution` / `!!! solution` blocks (and any block with the class `solution`, e.g.
  `{.solution}` or `<div class="solution" markdown>`): in the instructor's edition (opened), and in
  the learner's unless course.yml says `solutions: instructor`, or `solutions: {release: DATE}`
  before that date.
- Quizzes: without the solutions, a quiz keeps its question and choices but not which answers are
  right, their feedback nor its explanation (see quiz.py): it cannot be graded in the browser.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coursegen.errors import Diagnostics

AUDIENCES = ("learner", "instructor")
DEFAULT_OUTPUT = {"learner": "site", "instructor": "site-instructor"}
TODAY_VARIABLE = "COURSEGEN_TODAY"  # YYYY-MM-DD: the date a build takes as today (tests, previews)
_CONFIG = "course.yml"
SOLUTION_CLASS, INSTRUCTOR_CLASS = "solution", "instructor"


@dataclass(frozen=True)
class SolutionsSettings:
    """course.yml `solutions:` — `show` (default), `instructor`, or `{release: 2026-12-15}`."""

    policy: str = "show"  # show | instructor
    release: datetime.date | None = None  # with `instructor`: published in the learner's edition from then


@dataclass(frozen=True)
class Edition:
    """What one build's pages contain."""

    audience: str = "learner"  # learner | instructor
    solutions: bool = True  # solutions (and quiz answers) in the bodies

    @property
    def instructor(self) -> bool:
        return self.audience == "instructor"

    @property
    def left_out(self) -> frozenset[str]:
        """Classes (of blocks) and tags (of notebook cells) this edition leaves out."""
        return frozenset(
            ([] if self.instructor else [INSTRUCTOR_CLASS]) + ([] if self.solutions else [SOLUTION_CLASS])
        )

    @property
    def key(self) -> str:
        """Names the edition in body cache keys: two editions whose bodies are the same share it."""
        return f"{self.audience}:{'solutions' if self.solutions else 'no-solutions'}"

    @property
    def is_default(self) -> bool:
        """The learner's edition with its solutions: what a course without these settings gets."""
        return not self.instructor and self.solutions


def edition_for(audience: str, settings: SolutionsSettings, today: datetime.date) -> Edition:
    """The edition a build of `audience` makes on `today`."""
    if audience == "instructor":
        return Edition("instructor", solutions=True)
    if settings.policy == "show":
        return Edition("learner", solutions=True)
    released = settings.release is not None and today >= settings.release
    return Edition("learner", solutions=released)


def build_date(given: datetime.date | None = None) -> datetime.date:
    """The date a build takes as today — once, for all it shows (the solutions' release, the print
    pages' cover): `given`, else $COURSEGEN_TODAY (YYYY-MM-DD), else the day of $SOURCE_DATE_EPOCH
    (UTC, as reproducible builds define it), else the clock."""
    if given is not None:
        return given
    text = os.environ.get(TODAY_VARIABLE, "").strip()
    if text:
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            from coursegen.errors import UsageError

            raise UsageError(f"{TODAY_VARIABLE}={text!r} is not a date: write it as YYYY-MM-DD") from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc).date()
    return datetime.date.today()


def solutions_settings(value: Any, line: int | None, diagnostics: Diagnostics) -> SolutionsSettings | None:
    """course.yml `solutions:` typed; None when it was reported as wrong (the default stays)."""
    if value in ("show", "instructor"):
        return SolutionsSettings(policy=value)
    if isinstance(value, dict) and set(value) == {"release"}:
        release = _as_date(value["release"])
        if release is not None:
            return SolutionsSettings(policy="instructor", release=release)
        diagnostics.error(
            _CONFIG,
            f"solutions.release must be a date, not {value['release']!r}",
            "write it as YYYY-MM-DD, e.g. solutions: {release: 2026-12-15}",
            line=line,
            kind="config",
        )
        return None
    diagnostics.error(
        _CONFIG,
        f"solutions must be show, instructor or {{release: DATE}}, not {value!r}",
        "e.g. solutions: instructor (only the instructor's edition has them) or solutions: {release: 2026-12-15}",
        line=line,
        kind="config",
    )
    return None


def _as_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
