"""Interface strings of the theme, by language, with the course's own overrides from course.yml."""

from __future__ import annotations

from importlib import resources
from types import MappingProxyType
from typing import Mapping

import yaml

from coursegen.errors import Diagnostics

DEFAULT_LANGUAGE = "en"


def _table(language: str) -> dict[str, str]:
    text = resources.files("coursegen").joinpath("strings", f"{language}.yml").read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 10× quicker
    return {str(k): str(v) for k, v in yaml.load(text, Loader=loader).items()}


def available_languages() -> list[str]:
    folder = resources.files("coursegen").joinpath("strings")
    return sorted(entry.name.removesuffix(".yml") for entry in folder.iterdir() if entry.name.endswith(".yml"))


def interface_strings(language: str, overrides: Mapping[str, str], diagnostics: Diagnostics) -> Mapping[str, str]:
    table = _table(DEFAULT_LANGUAGE)
    if language in available_languages() and language != DEFAULT_LANGUAGE:
        table.update(_table(language))
    for key, value in overrides.items():
        if key not in table:
            diagnostics.warning("course.yml", f"unknown interface string '{key}' in strings", "see the list in the theming guide")
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
