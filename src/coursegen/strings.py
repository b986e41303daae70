"""Interface strings of the theme, by language, with the course's own overrides from course.yml."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from coursegen.errors import Diagnostics
from coursegen.yamlio import load_yaml_mapping

DEFAULT_LANGUAGE = "en"
# the tables shipped in the package (a folder of it, as a wheel installs it: importlib.resources
# would cost its zip readers' import on every build for the same path)
STRINGS_DIR = Path(__file__).resolve().parent / "strings"


def _table(language: str, yaml_cache=None) -> dict[str, str]:
    name = f"{language}.yml"
    text = (STRINGS_DIR / name).read_text(encoding="utf-8")
    data, _ = load_yaml_mapping(text, f"coursegen/strings/{name}", cache=yaml_cache)
    return {str(k): str(v) for k, v in data.items()}


def available_languages() -> list[str]:
    return sorted(
        entry.name.removesuffix(".yml") for entry in STRINGS_DIR.iterdir() if entry.name.endswith(".yml")
    )


def interface_strings(
    language: str, overrides: Mapping[str, str], diagnostics: Diagnostics, yaml_cache=None
) -> Mapping[str, str]:
    """The theme's strings in `language` (English for any string it lacks), with the course's
    overrides. With a `yaml_cache` (an IndexCache), the tables are not parsed again."""
    table = _table(DEFAULT_LANGUAGE, yaml_cache)
    if language in available_languages() and language != DEFAULT_LANGUAGE:
        table.update(_table(language, yaml_cache))
    for key, value in overrides.items():
        if key not in table:
            diagnostics.warning(
                "course.yml",
                f"unknown interface string '{key}' in strings",
                "see the list in the theming guide",
                kind="config",
            )
            continue
        table[key] = value
    return MappingProxyType(table)


def format_number(value: float | int, language: str) -> str:
    """A number written the way the course's language writes it: 12 345,5 in French, 12,345.5 in English."""
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{int(value):,}"
    if language == "fr":
        return text.replace(",", "\u202f").replace(".", ",")  # narrow no-break space, decimal comma
    return text
