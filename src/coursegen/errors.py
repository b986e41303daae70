"""Diagnostics: every problem found in a course, as data, reported together at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

# What a finding is about, shown as `severity[kind]` like a linter's rule id; `course.yml` `checks:` turns a kind
# off or up, and `coursegen check --kind K` lists one kind.
KINDS = {
    "alt-text": "an image without a text alternative",
    "anchors": "a #link to a heading or id that does not exist",
    "assets": "images, audio and video loaded from another site",
    "build": "the build itself: output folder, cache, internal errors",
    "config": "course.yml",
    "diagrams": "Mermaid diagrams that cannot be drawn",
    "encoding": "text garbled by a wrong encoding, or not UTF-8",
    "files": "files and folders that cannot be read or published",
    "headings": "heading levels that skip one",
    "links": "links that lead nowhere",
    "lms": "exports to learning platforms",
    "markdown": "Markdown that cannot be rendered as written",
    "math": "LaTeX that cannot be converted",
    "notebook": "notebooks: JSON, schema, references, output policy",
    "execution": "running notebooks",
    "template": "templates and interface strings",
    "unsupported": "MyST or Material syntax coursegen does not understand (shown as written)",
    "yaml": "front matter",
}


class Level(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # information for the author; never fails a build, even with --strict


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, located as precisely as we can: `path:line:col: level: what — what to do`."""

    path: str  # relative to the course root, '/'-separated; "" for course-wide problems
    line: int | None
    col: int | None
    level: Level
    message: str
    hint: str = ""
    kind: str = ""  # one of KINDS; "" only for messages made before kinds existed

    @property
    def location(self) -> str:
        """`path:line:col` (as far as known; "course" for course-wide problems)."""
        where = self.path or "course"
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return where

    def format(self) -> str:
        where = self.location
        severity = f"{self.level.value}[{self.kind}]" if self.kind else self.level.value
        text = f"{where}: {severity}: {self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text


@dataclass
class Diagnostics:
    """Collects diagnostics during a build; nothing is printed until the caller decides."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(
        self,
        path: str,
        message: str,
        hint: str = "",
        line: int | None = None,
        col: int | None = None,
        kind: str = "",
    ) -> None:
        self.items.append(Diagnostic(path, line, col, Level.ERROR, message, hint, kind))

    def warning(
        self,
        path: str,
        message: str,
        hint: str = "",
        line: int | None = None,
        col: int | None = None,
        kind: str = "",
    ) -> None:
        self.items.append(Diagnostic(path, line, col, Level.WARNING, message, hint, kind))

    def extend(self, other: Diagnostics | list[Diagnostic]) -> None:
        self.items.extend(other.items if isinstance(other, Diagnostics) else other)

    def note(self, path: str, message: str, hint: str = "", kind: str = "") -> None:
        self.items.append(Diagnostic(path, None, None, Level.NOTE, message, hint, kind))

    @property
    def problems(self) -> list[Diagnostic]:
        """Errors and warnings: what --strict refuses."""
        return [d for d in self.items if d.level is not Level.NOTE]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level is Level.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level is Level.WARNING]

    def sorted(self) -> list[Diagnostic]:
        """Stable, reader-friendly order: by file, then line; duplicates dropped."""
        unique = dict.fromkeys(self.items)
        return sorted(unique, key=lambda d: (d.path, d.line or 0, d.col or 0, d.level.value, d.message))


def plain(diagnostics: Diagnostics) -> list[dict]:
    """Diagnostics as JSON-able dicts, to cache them with what produced them."""
    return [
        {
            "path": d.path,
            "line": d.line,
            "col": d.col,
            "level": d.level.value,
            "message": d.message,
            "hint": d.hint,
            "kind": d.kind,
        }
        for d in diagnostics.items
    ]


def replay(items: list[dict]) -> list[Diagnostic]:
    """Cached diagnostics, reported again when their cached result is reused. Raises ValueError
    for items of another shape (a damaged cache entry: the caller makes the result again)."""
    try:
        replayed = [
            Diagnostic(
                i["path"], i["line"], i["col"], Level(i["level"]), i["message"], i["hint"], i.get("kind", "")
            )
            for i in items
        ]
    except (KeyError, TypeError, AttributeError) as problem:
        raise ValueError(f"not a list of diagnostics ({problem})") from None
    for d in replayed:
        if not all(isinstance(text, str) for text in (d.path, d.message, d.hint, d.kind)) or not all(
            n is None or type(n) is int for n in (d.line, d.col)
        ):
            raise ValueError("not a list of diagnostics")
    return replayed


class CoursegenError(Exception):
    """A problem that stops the build before anything is written (bad usage, unsafe output folder…)."""

    def __init__(
        self, message: str, hint: str = "", path: str = "", line: int | None = None, exit_code: int = 1
    ):
        super().__init__(message)
        self.diagnostic = Diagnostic(
            path, line, None, Level.ERROR, message, hint, "config" if path == "course.yml" else "build"
        )
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.diagnostic.format()


class ConfigInvalid(CoursegenError):
    """course.yml has errors: nothing is built (exit 2); every problem of the file is listed."""

    def __init__(self, diagnostics: list[Diagnostic]):
        errors = sum(1 for d in diagnostics if d.level is Level.ERROR)
        super().__init__(
            f"course.yml has {errors} error{'s' if errors > 1 else ''}; nothing was built",
            "fix it and build again",
            "course.yml",
            exit_code=2,
        )
        self.diagnostics = diagnostics

    def __str__(self) -> str:
        return "\n".join([d.format() for d in self.diagnostics] + [self.diagnostic.format()])


class UsageError(CoursegenError):
    """Wrong usage of a command: exit status 2."""

    def __init__(self, message: str, hint: str = "", path: str = ""):
        super().__init__(message, hint, path, exit_code=2)


def shorten(text: str, limit: int = 80) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis: how a message quotes a source."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
