"""Pure helpers for paths and URLs. Site URLs are '/'-separated, relative to the site root, no leading slash."""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from urllib.parse import quote, unquote, urlsplit

_DIGITS = re.compile(r"(\d+)")
_ORDER_PREFIX = re.compile(r"^\d+[\s._-]+")


def relative_url(target: str, from_url: str, fragment: str | None = None) -> str:
    """The URL to write in page `from_url` to reach `target` (both site-relative, unencoded).

    `target` may carry a `#fragment`. The result is percent-encoded and always relative, so the
    site works from any sub-path and from file://. (Pure string work: called for every link of
    every page, it must not touch the file system as posixpath.relpath does.)
    """
    # remembered by the page's folder, not the page: the 50 lessons of a module all link to the
    # same pages (its lesson list, the navigation) from one folder
    return _relative_from_folder(target, from_url.rpartition("/")[0], fragment)


@functools.lru_cache(maxsize=65536)
def _relative_from_folder(target: str, folder: str, fragment: str | None) -> str:
    if fragment is None:  # `target` may carry it; file names with a '#' must pass it apart instead
        path, _, fragment = target.partition("#")
    else:
        path = target
    if path:
        start = [part for part in folder.split("/") if part and part != "."]
        parts = [part for part in posixpath.normpath(path).split("/") if part and part != "."]
        common = 0
        while common < min(len(start), len(parts)) and start[common] == parts[common]:
            common += 1
        rel = "/".join([".."] * (len(start) - common) + parts[common:]) or "."
        if path.endswith("/") and not rel.endswith("/"):
            rel += "/"
    else:
        rel = ""
    out = quote(rel, safe="/")
    if fragment:
        out += "#" + quote(fragment, safe="")
    return out or "#"


def is_external(href: str) -> bool:
    """True for links we never touch: with a scheme (http:, mailto:…), protocol-relative, or absolute."""
    parts = urlsplit(href)
    return bool(parts.scheme) or href.startswith("//") or href.startswith("/")


def split_href(href: str) -> tuple[str, str]:
    """Split an author's link into (unquoted path, fragment); query strings are dropped."""
    parts = urlsplit(href)
    return unquote(parts.path), unquote(parts.fragment)


def natural_key(name: str) -> tuple:
    """Sort key where numbers compare as numbers: `Module9` < `Module10`, `2_x` < `10_x`."""
    name = unicodedata.normalize("NFC", name).casefold()
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(name))


def readable_name(stem: str) -> str:
    """A title made from a file name: `02_self-attention` → `Self attention`, `module6` → `Module 6`.

    A leading number followed by a separator only orders files, so it is dropped; a number that
    is part of the name is kept.
    """
    text = _ORDER_PREFIX.sub("", stem) or stem
    text = re.sub(r"[_-]+", " ", text)
    text = re.sub(r"(?<=[^\W\d_]{2})(?=\d)", " ", text).strip()  # Module10 → Module 10, but v2 stays
    return text[:1].upper() + text[1:] if text else stem
