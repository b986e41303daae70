"""What the author is told: findings filtered by course.yml `checks:`, cut to a screenful for `build`
and `serve`, listed in full (as lines or JSON) by `coursegen check`.

A real curriculum has thousands of findings (mostly skipped heading levels); the few errors that
matter must not drown in them. So `build` and `serve` show errors first, then each kind's first
findings and a count line naming the command that lists the rest.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace

from coursegen.config import CheckRule
from coursegen.errors import KINDS, Diagnostic, Diagnostics, Level

SCREEN_LINES = 40  # the most `build` and `serve` print for one build, summary line included
ERROR_LINES = 20  # errors shown before "… and N more errors" when warnings also need room
PER_KIND = 3  # first findings of a kind shown before its count line


def apply_checks(diagnostics: Diagnostics, checks: dict[str, CheckRule]) -> int:
    """course.yml `checks:` — `off` drops a kind's warnings and notes, `error` makes its warnings
    errors, `warning` is the default; a rule with `files` applies to those files only. Errors are
    never dropped: they mean a page or file could not be made as written. Returns how many
    findings were silenced."""
    if not checks:
        return 0
    kept: list[Diagnostic] = []
    silenced = 0
    for item in diagnostics.items:
        rule = checks.get(item.kind)
        setting = rule.level if rule is not None and rule.applies_to(item.path) else "warning"
        if setting == "off" and item.level is not Level.ERROR:
            silenced += 1
            continue
        if setting == "error" and item.level is Level.WARNING:
            item = replace(item, level=Level.ERROR)
        kept.append(item)
    diagnostics.items[:] = kept
    return silenced


@dataclass(frozen=True)
class CountLine:
    """'… and 1,296 more headings warnings: `coursegen check --kind headings` lists them'."""

    text: str
    level: Level


def screenful(items: list[Diagnostic], lines: int = SCREEN_LINES - 1) -> list[Diagnostic | CountLine]:
    """At most `lines` lines: errors first, then each kind's first few findings and a count of the
    rest. Kinds with few findings come first: they are rarely noise. `items` must be sorted."""
    errors = [d for d in items if d.level is Level.ERROR]
    by_kind: dict[str, list[Diagnostic]] = defaultdict(list)
    for item in items:
        if item.level is not Level.ERROR:
            by_kind[item.kind].append(item)
    kinds = sorted(by_kind, key=lambda kind: (len(by_kind[kind]), kind))
    shown: list[Diagnostic | CountLine] = []

    error_room = lines if not kinds else max(lines - 2 * len(kinds), min(ERROR_LINES, lines // 2))
    if len(errors) <= error_room:
        shown += errors
    else:
        shown += errors[: error_room - 1]
        more = len(errors) - (error_room - 1)
        shown.append(
            CountLine(
                f"… and {more:,} more error{'s' if more > 1 else ''}: `coursegen check` lists them all",
                Level.ERROR,
            )
        )

    room = lines - len(shown)
    if len(kinds) > room:  # more kinds than lines: the rarest get a line each, the rest one count
        hidden = kinds[room - 1 :] if room > 0 else kinds
        kinds = kinds[: room - 1] if room > 0 else []
        rest = sum(len(by_kind[kind]) for kind in hidden)
        tail = [
            CountLine(
                f"… and {rest:,} more findings of kinds {', '.join(sorted(hidden))}: `coursegen check` "
                "lists them",
                Level.WARNING,
            )
        ]
    else:
        tail = []
    room -= len(tail)
    counts = {kind: 0 for kind in kinds}  # findings shown per kind; each kind starts as its count line
    used = len(kinds)
    for _ in range(PER_KIND):
        for kind in kinds:
            total = len(by_kind[kind])
            if counts[kind] < total:
                extra = 1 if counts[kind] + 1 < total else 0  # showing the last one replaces the count line
                if used + extra <= room:
                    counts[kind] += 1
                    used += extra
    for kind in kinds:  # "… and 1 more" takes the line the finding itself would
        if counts[kind] == len(by_kind[kind]) - 1:
            counts[kind] += 1
    for kind in kinds:
        group = by_kind[kind]
        shown += group[: counts[kind]]
        rest = len(group) - counts[kind]
        if rest:
            shown.append(CountLine(_count_line(kind, group, rest, counts[kind]), _worst(group)))
    return shown + tail


def _count_line(kind: str, group: list[Diagnostic], rest: int, shown: int) -> str:
    levels = {d.level for d in group}
    noun = "warning" if levels == {Level.WARNING} else "note" if levels == {Level.NOTE} else "finding"
    name = f"{kind} " if kind else ""
    more = "more " if shown else ""
    command = f"coursegen check --kind {kind}" if kind else "coursegen check"
    return f"{'… and ' if shown else ''}{rest:,} {more}{name}{noun}{'s' if rest > 1 else ''}: `{command}` lists {'them' if rest > 1 else 'it'}"


def _worst(group: list[Diagnostic]) -> Level:
    return Level.WARNING if any(d.level is Level.WARNING for d in group) else Level.NOTE


def parse_kinds(text: str) -> list[str]:
    """`--kind headings,links` → the kinds; ValueError naming an unknown one with the closest."""
    import difflib

    kinds = [part.strip() for part in text.split(",") if part.strip()]
    for kind in kinds:
        if kind not in KINDS:
            close = difflib.get_close_matches(kind, list(KINDS), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "kinds: " + ", ".join(sorted(KINDS))
            raise ValueError(f"unknown kind '{kind}' — {hint}")
    return kinds


def as_json(items: list[Diagnostic], summary: dict) -> str:
    """`coursegen check --format json`: one document for editors and CI, findings in file order."""
    findings = [
        {
            "path": d.path,
            "line": d.line,
            "col": d.col,
            "severity": d.level.value,
            "kind": d.kind,
            "message": d.message,
            "hint": d.hint,
        }
        for d in items
    ]
    return json.dumps({"findings": findings, **summary}, ensure_ascii=False, indent=1)
