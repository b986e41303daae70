"""Helpers shared by the readers that map a project's settings to coursegen's (jbconfig, mkdocsconfig)."""

from __future__ import annotations

from typing import Any

from coursegen.config import LANGUAGES, LaunchSettings
from coursegen.errors import Diagnostics


def text(value: Any) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value).strip()


def path_list(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return tuple(str(item).strip() for item in items if isinstance(item, str) and item.strip())


def checked_language(value: Any, rel: str, line: int | None, diagnostics: Diagnostics) -> str:
    """`fr_FR`, `fr-CA` → fr; a language without interface strings → en, with a warning."""
    language = text(value).replace("-", "_").split("_")[0].lower()
    if language in LANGUAGES:
        return language
    if language:
        diagnostics.warning(
            rel,
            f"language '{text(value)}' has no interface strings; using English",
            "use fr or en",
            line=line,
            kind="config",
        )
    return "en"


def checked_address(value: Any, rel: str, key: str, line: int | None, diagnostics: Diagnostics) -> str:
    """The published site's address (canonical links, sitemap) when it is an absolute http(s) URL."""
    address = text(value)
    if address and not address.startswith(("https://", "http://")):
        diagnostics.warning(
            rel,
            f"{key} '{address}' is not an absolute http(s) URL, so it is not used",
            "e.g. https://example.org/cours/",
            line=line,
            kind="config",
        )
        return ""
    return address


def github_launch(url: Any, branch: Any, path_in_repository: Any) -> LaunchSettings | None:
    """Colab and Binder links need a GitHub repository `owner/name`."""
    address = text(url).removesuffix(".git").rstrip("/")
    prefix = "https://github.com/"
    if not address.startswith(prefix) or address[len(prefix) :].count("/") != 1:
        return None
    return LaunchSettings(
        repository=address[len(prefix) :],
        branch=text(branch) or "main",
        path_in_repository=text(path_in_repository).strip("/").removeprefix("./").strip("."),
    )
