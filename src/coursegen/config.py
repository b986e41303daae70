"""course.yml: course-wide settings, typed and checked, with did-you-mean for unknown keys."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from coursegen.config_sections import (
    EXECUTOR_ADDRESS,
    KERNEL_NAME,
    parse_size,
    read_check_rules,
    read_launch_settings,
    read_markdown_settings,
    read_math_settings,
    read_notebook_settings,
    read_remote_asset_settings,
    read_scorm_settings,
)
from coursegen.editions import solutions_settings
from coursegen.encoding import report_garbled
from coursegen.errors import Diagnostics
from coursegen.printing.settings import print_settings
from coursegen.settings import (
    CONFIG_NAME,
    REMOTE_MODES,
    CheckRule,
    CourseConfig,
    LaunchSettings,
    MarkdownSettings,
    MathSettings,
    NotebookSettings,
    RemoteAssetSettings,
    ScormSettings,
)
from coursegen.textio import read_text
from coursegen.yamlio import YamlProblem, load_yaml_mapping

# the typed settings live in settings.py, each section's reader in config_sections.py: importers
# of this module's names keep working
__all__ = [
    "CONFIG_NAME",
    "EXECUTOR_ADDRESS",
    "KERNEL_NAME",
    "KNOWN_KEYS",
    "LANGUAGES",
    "REMOTE_MODES",
    "CheckRule",
    "CourseConfig",
    "LaunchSettings",
    "MarkdownSettings",
    "MathSettings",
    "NotebookSettings",
    "RemoteAssetSettings",
    "ScormSettings",
    "load_config",
    "parse_size",
]

LANGUAGES = ("fr", "en")


_TEXT_KEYS = ("title", "description", "language", "author", "icon", "base_url", "copyright", "logo")
PATH_LIST_KEYS = ("extra_css", "extra_javascript")
KNOWN_KEYS = set(_TEXT_KEYS) | {
    "notebooks",
    "markdown",
    "launch",
    "scorm",
    "theme",
    "strings",
    "checks",
    "remote_assets",
    "math",
    "typography",
    "slides",
    "solutions",
    "print",
}
KNOWN_KEYS |= set(PATH_LIST_KEYS)


def load_config(root: Path, diagnostics: Diagnostics, yaml_cache=None) -> CourseConfig:
    """Read `root/course.yml` if present. Problems become diagnostics; defaults fill the gaps.
    With a `yaml_cache` (an IndexCache), YAML parsed before is not parsed again."""
    path = root / CONFIG_NAME
    if not path.is_file():
        return CourseConfig(title=_title_from_folder(root))
    text = read_text(path, CONFIG_NAME, diagnostics)
    if text is None:
        return CourseConfig(title=_title_from_folder(root))
    report_garbled(text, CONFIG_NAME, diagnostics)
    raw: dict[str, str] = {}
    try:
        data, lines = load_yaml_mapping(text, CONFIG_NAME, diagnostics=diagnostics, raw=raw, cache=yaml_cache)
    except YamlProblem as problem:
        diagnostics.error(
            CONFIG_NAME, problem.message, problem.hint, line=problem.line, col=problem.col, kind="config"
        )
        return CourseConfig(title=_title_from_folder(root))

    values: dict[str, Any] = {}
    for key, value in data.items():
        line = lines.get(key)
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1, cutoff=0.7)
            hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(sorted(KNOWN_KEYS))
            diagnostics.warning(CONFIG_NAME, f"unknown key '{key}'", hint, line=line, kind="config")
            continue
        if value is None:
            continue
        setting = _setting(key, value, line, lines, raw, text, diagnostics)
        if setting is not _INVALID:
            values[key] = setting

    _check_language_and_address(values, lines, diagnostics)
    values.setdefault("title", _title_from_folder(root))
    return CourseConfig(**values)


_INVALID = object()  # a setting reported as wrong: the default stays
_SWITCH_HINTS = {  # true/false keys, with the hint for a value of another type
    "typography": "write typography: false to keep spaces as typed",
    "slides": "write slides: true to give every lesson a deck",
}


def _setting(
    key: str,
    value: Any,
    line: int | None,
    lines: dict[str, int],
    raw: dict[str, str],
    text: str,
    diagnostics: Diagnostics,
) -> Any:
    """One top-level key of course.yml, typed; _INVALID when it was reported as wrong."""
    if key in _TEXT_KEYS:
        return _text_setting(key, value, line, raw, diagnostics)
    readers = {
        "notebooks": lambda: read_notebook_settings(value, line, lines, diagnostics),
        "markdown": lambda: read_markdown_settings(value, line, diagnostics),
        "math": lambda: read_math_settings(value, line, text, diagnostics),
        "launch": lambda: read_launch_settings(value, line, diagnostics),
        "checks": lambda: read_check_rules(value, line, diagnostics),
        "scorm": lambda: read_scorm_settings(value, line, diagnostics),
        "remote_assets": lambda: read_remote_asset_settings(value, line, diagnostics),
        "solutions": lambda: solutions_settings(value, line, diagnostics) or _INVALID,
        "print": lambda: print_settings(value, line, diagnostics),
    }
    if key in readers:
        return readers[key]()
    if key in PATH_LIST_KEYS:
        return _path_list(key, value, line, diagnostics)
    if key in _SWITCH_HINTS:
        if isinstance(value, bool):
            return value
        diagnostics.error(
            CONFIG_NAME,
            f"'{key}' must be true or false, not {value!r}",
            _SWITCH_HINTS[key],
            line=line,
            kind="config",
        )
        return _INVALID
    return _mapping_setting(key, value, line, diagnostics)


def _text_setting(
    key: str, value: Any, line: int | None, raw: dict[str, str], diagnostics: Diagnostics
) -> Any:
    if isinstance(value, bool):
        word = raw.get(key, str(value).lower())
        diagnostics.error(
            CONFIG_NAME,
            f"'{key}' must be a text, but YAML reads '{word}' as {str(value).lower()}",
            f'put it in quotes: {key}: "{word}"',
            line=line,
            kind="config",
        )
        return _INVALID
    if not isinstance(value, (str, int, float)):
        diagnostics.error(
            CONFIG_NAME, f"'{key}' must be a text", f'e.g. {key}: "…"', line=line, kind="config"
        )
        return _INVALID
    return str(value)


def _mapping_setting(key: str, value: Any, line: int | None, diagnostics: Diagnostics) -> Any:
    """`theme:` or `strings:`, mappings of names to values."""
    if not isinstance(value, dict):
        diagnostics.error(
            CONFIG_NAME,
            f"'{key}' must be a mapping of `name: value` lines",
            f"e.g. {key}: {{name: value}}",
            line=line,
            kind="config",
        )
        return _INVALID
    mapping = {str(k): v if key == "theme" else str(v) for k, v in value.items()}
    nav_modules = mapping.get("nav_modules") if key == "theme" else None
    if nav_modules is not None and (
        isinstance(nav_modules, bool) or not isinstance(nav_modules, int) or nav_modules < 0
    ):
        diagnostics.warning(
            CONFIG_NAME,
            f"theme option nav_modules must be a whole number, not {nav_modules!r}; using the default",
            "e.g. theme: {nav_modules: 6}",
            line=line,
            kind="config",
        )
        mapping.pop("nav_modules")
    return mapping


def _path_list(key: str, value: Any, line: int | None, diagnostics: Diagnostics) -> Any:
    """A list of file paths (one path alone is a list of one)."""
    paths = [value] if isinstance(value, str) else value
    if not isinstance(paths, list) or not all(isinstance(path, str) and path.strip() for path in paths):
        diagnostics.error(
            CONFIG_NAME,
            f"'{key}' must be a list of file paths",
            f"e.g. {key}: [a.x, b.x]",
            line=line,
            kind="config",
        )
        return _INVALID
    return tuple(path.strip() for path in paths)


def _check_language_and_address(
    values: dict[str, Any], lines: dict[str, int], diagnostics: Diagnostics
) -> None:
    language = values.get("language", "en")
    if language not in LANGUAGES:
        diagnostics.warning(
            CONFIG_NAME,
            f"language '{language}' has no interface strings; using English",
            "use fr or en",
            line=lines.get("language"),
            kind="config",
        )
    base_url = values.get("base_url", "")
    if base_url and not base_url.startswith(("https://", "http://")):
        if base_url.startswith("/") and not base_url.startswith("//"):
            diagnostics.warning(
                CONFIG_NAME,
                f"base_url '{base_url}' is not an absolute URL, so it is not used",
                "canonical links need the full address, e.g. base_url: https://example.org/cours/",
                line=lines.get("base_url"),
                kind="config",
            )
        else:
            diagnostics.error(
                CONFIG_NAME,
                f"base_url '{base_url}' is not an absolute http(s) URL",
                "e.g. base_url: https://example.org/cours/",
                line=lines.get("base_url"),
                kind="config",
            )
        values.pop("base_url")


def _title_from_folder(root: Path) -> str:
    name = root.resolve().name.replace("_", " ").replace("-", " ").strip()
    return name[:1].upper() + name[1:] if name else "Course"
