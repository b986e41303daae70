"""Front matter: split the `---` block from a Markdown file and read it into a typed `PageMeta`."""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from coursegen.errors import Diagnostics
from coursegen.yamlio import YamlProblem, load_yaml_mapping


@dataclass(frozen=True)
class TimelineEntry:
    year: str
    title: str
    text: str = ""
    icon: str = ""


@dataclass(frozen=True)
class Stat:
    value: str
    label: str
    icon: str = ""


@dataclass(frozen=True)
class PageMeta:
    """Every documented front-matter field, typed; unknown keys go to `extra`."""

    title: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    category: str = ""
    order: float | None = None
    icon: str = ""
    draft: bool = False
    template: str = ""
    language: str = ""  # the page's own language (e.g. `en` in a French course), else the course's
    flavor: str = ""  # the page's Markdown flavour (coursegen, myst, material), else the course's
    # section pages
    tagline: str = ""
    timeline: tuple[TimelineEntry, ...] = ()
    stats: tuple[Stat, ...] = ()
    # lessons
    level: str = ""
    summary: str = ""
    topics: tuple[str, ...] = ()
    duration: str = ""
    notebook: str = ""
    slides: bool | None = None  # a deck beside the lesson (None: course.yml `slides` decides)
    extra: dict[str, Any] = field(default_factory=dict)
    # line of each key in the source file, for messages that point at it
    lines: dict[str, int] = field(default_factory=dict)


def meta_to_plain(meta: PageMeta) -> dict[str, Any] | None:
    """`meta` as JSON-able data for the build cache; None when JSON can't hold it exactly
    (a date or a number key in `extra`): such a page is simply parsed again next time."""
    plain = dataclasses.asdict(meta)
    try:
        if meta_from_plain(json.loads(json.dumps(plain))) != meta:
            return None
    except (TypeError, ValueError):
        return None
    return plain


def meta_from_plain(plain: dict[str, Any]) -> PageMeta:
    values = dict(plain)
    for name in _LIST_FIELDS:
        values[name] = tuple(values.get(name, ()))
    values["timeline"] = tuple(TimelineEntry(**entry) for entry in values.get("timeline", ()))
    values["stats"] = tuple(Stat(**entry) for entry in values.get("stats", ()))
    return PageMeta(**values)


_STR_FIELDS = {
    "title",
    "description",
    "category",
    "icon",
    "template",
    "tagline",
    "level",
    "summary",
    "duration",
    "notebook",
    "language",
    "flavor",
}
_LIST_FIELDS = {"tags", "topics"}
KNOWN_FIELDS = _STR_FIELDS | _LIST_FIELDS | {"order", "draft", "slides", "timeline", "stats"}


@dataclass(frozen=True)
class SplitSource:
    """A Markdown source cut in two; line numbers are 1-based lines of the original file."""

    yaml_text: str | None
    yaml_first_line: int  # line of the first YAML line (after the opening ---)
    body: str
    body_first_line: int


_FENCE_OPEN = "---"
_FENCE_CLOSE = ("---", "...")


def split_front_matter(text: str) -> SplitSource:
    """Cut `text` (already decoded, newlines normalised) at its front matter, if it has one.

    Raises ValueError when an opening `---` is never closed.
    """
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != _FENCE_OPEN:
        return SplitSource(None, 0, text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _FENCE_CLOSE:
            yaml_text = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return SplitSource(yaml_text, 2, body, index + 2)
    raise ValueError("the front matter opened on line 1 is never closed")


def parse_front_matter(
    yaml_text: str | None, first_line: int, rel: str, diagnostics: Diagnostics
) -> PageMeta:
    """Read a front-matter block into `PageMeta`, reporting every problem at its line in the file."""
    return read_front_matter(yaml_text, first_line, rel, diagnostics) or PageMeta()


def read_front_matter(
    yaml_text: str | None, first_line: int, rel: str, diagnostics: Diagnostics, cache=None
) -> PageMeta | None:
    """As parse_front_matter, but None when the YAML itself can't be read (the page can't be trusted)."""
    if yaml_text is None or not yaml_text.strip():
        return PageMeta()
    raw: dict[str, str] = {}
    try:
        data, key_lines = load_yaml_mapping(
            yaml_text, rel, line_offset=first_line - 1, diagnostics=diagnostics, raw=raw, cache=cache
        )
    except YamlProblem as problem:
        diagnostics.error(rel, problem.message, problem.hint, line=problem.line, col=problem.col, kind="yaml")
        return None
    return _typed_meta(data, key_lines, rel, diagnostics, raw)


def _typed_meta(
    data: dict[str, Any],
    key_lines: dict[str, int],
    rel: str,
    diagnostics: Diagnostics,
    raw: dict[str, str] | None = None,
) -> PageMeta:
    raw = raw or {}
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        line = key_lines.get(key)
        if key not in KNOWN_FIELDS:
            close = difflib.get_close_matches(key, sorted(KNOWN_FIELDS), n=1, cutoff=0.75)
            if close:
                diagnostics.warning(
                    rel,
                    f"unknown front-matter key '{key}'",
                    f"did you mean '{close[0]}'?",
                    line=line,
                    kind="yaml",
                )
            extra[key] = value
            continue
        if value is None:
            continue
        if key in _STR_FIELDS and isinstance(value, bool) and key in raw:
            # YAML 1.1 reads yes/no/on/off as true/false: the fix is the author's own word, quoted
            diagnostics.error(
                rel,
                f"front-matter key '{key}' must be a text, but YAML reads '{raw[key]}' as {str(value).lower()}",
                f'put it in quotes: {key}: "{raw[key]}"',
                line=line,
                kind="yaml",
            )
            continue
        if (
            key in _STR_FIELDS
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
            and key in raw
            and raw[key] != str(value)
        ):
            # YAML 1.1 reads 1.10 as 1.1, 010 as 8 and 1:30 as 90: keep what the author wrote, and say so
            diagnostics.warning(
                rel,
                f"YAML reads '{key}: {raw[key]}' as the number {value}",
                f'put it in quotes: {key}: "{raw[key]}"',
                line=line,
                kind="yaml",
            )
            values[key] = raw[key]
            continue
        try:
            values[key] = _convert(key, value)
        except TypeError as problem:
            diagnostics.error(
                rel, f"front-matter key '{key}' {problem}", _hint_for(key), line=line, kind="yaml"
            )
    return PageMeta(**values, extra=extra, lines=dict(key_lines))


def _convert(key: str, value: Any) -> Any:
    if key in _STR_FIELDS:
        return _as_text(value)
    if key in _LIST_FIELDS:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return (str(value),)
        if isinstance(value, list) and all(_is_scalar(v) for v in value):
            return tuple(_as_text(v) for v in value)
        raise TypeError("must be a list of short texts")
    if key == "order":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"must be a number, not {_describe(value)}")
        return value
    if key in ("draft", "slides"):
        if not isinstance(value, bool):
            raise TypeError(f"must be true or false, not {_describe(value)}")
        return value
    if key == "timeline":
        return tuple(
            TimelineEntry(**_record(item, ("year", "title"), ("text", "icon"))) for item in _records(value)
        )
    if key == "stats":
        return tuple(Stat(**_record(item, ("value", "label"), ("icon",))) for item in _records(value))
    raise AssertionError(key)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        word = "true" if value else "false"
        raise TypeError(f"must be a text, but YAML read {word}: put the value in quotes")
    if isinstance(value, (str, int, float)):
        return str(value)
    raise TypeError(f"must be a text, not {_describe(value)}")


def _records(value: Any) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise TypeError("must be a list of entries, one `- key: value` block each")
    return value


def _record(item: dict, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, str]:
    missing = [name for name in required if item.get(name) in (None, "")]
    if missing:
        raise TypeError(f"has an entry without {', '.join(missing)}")
    unknown = sorted(set(item) - set(required) - set(optional))
    if unknown:
        raise TypeError(
            f"has an entry with unknown key(s) {', '.join(map(str, unknown))}; known keys: "
            f"{', '.join(required + optional)}"
        )
    return {name: _as_text(item[name]) for name in required + optional if item.get(name) is not None}


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _hint_for(key: str) -> str:
    examples = {
        "tags": "write it as a list, e.g. tags: [NLP, Attention]",
        "topics": "write it as a list of short texts, one `- item` per line",
        "order": "write a number, e.g. order: 2",
        "draft": "write draft: true or draft: false",
        "slides": "write slides: true or slides: false",
        "timeline": "e.g. timeline: [{year: 2017, title: Transformer, text: …}]",
        "stats": "e.g. stats: [{value: 4, label: leçons, icon: 📚}]",
    }
    return examples.get(key, "quote the value, e.g. " + key + ': "…"')


# One scan over the whole body (not a loop over its lines: this runs on every lesson of every
# build): code-fence lines, and level-1 ATX headings. `[^\S\n]` is a space that stays on its line.
_FENCE_OR_H1 = re.compile(
    r"^(?:[^\S\n]*(?P<fence>```|~~~)|#[^\S\n]+(?P<title>.+?)[^\S\n]*#*[^\S\n]*$)", re.MULTILINE
)


def first_heading(body: str) -> tuple[str, int | None, bool]:
    """The first level-1 ATX heading outside code fences: (text, line index, is it the first block?)."""
    in_fence = False
    for match in _FENCE_OR_H1.finditer(body):
        if match.group("fence"):
            in_fence = not in_fence
        elif not in_fence:
            start = match.start()
            return (
                _strip_attr_list(match.group("title")),
                body.count("\n", 0, start),
                not body[:start].strip(),
            )
    return "", None, False


def _strip_attr_list(text: str) -> str:
    return re.sub(r"\s*\{[^}]*\}\s*$", "", text).strip()
