"""The full-text search index: plain text of every page, written as a script the theme loads on
demand. A script (not JSON fetched at run time) so that search works from file:// too.

Why not Pagefind: it is excellent on a web server, but it fetches its index and WebAssembly at
run time, which browsers refuse for pages opened from file:// — and a course must work from a
USB stick. Course sites are small enough (a few MB of text for a thousand lessons) for a plain
index searched in the browser with accent folding.
"""

from __future__ import annotations

import hashlib
import html
import json
import re

INDEX_URL = "search/index.js"
MAX_TEXT = 20_000  # characters kept per page: enough for excerpts, bounded for huge notebooks
_SPACES = re.compile(r"\s+")


# Regular expressions, not an HTML parser: this runs over every page of every build, and the
# HTML is ours (Markdown and nbconvert output), well formed.
_DROPPED = re.compile(r"<(script|style|math|svg|button|details)\b.*?</\1\s*>|<a class=\"headerlink\"[^>]*>.*?</a>", re.DOTALL | re.IGNORECASE)
_BLOCK_TAG = re.compile(r"<(?:p|li|h[1-6]|td|th|br|div|pre|tr|dd|dt)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def page_text(body_html: str) -> str:
    """The readable text of a rendered body: no markup, no scripts or formulas, spaces folded."""
    if not body_html:
        return ""
    text = _DROPPED.sub(" ", body_html)
    text = _BLOCK_TAG.sub(" ", text)
    text = html.unescape(_TAG.sub("", text))
    return _SPACES.sub(" ", text).strip()[:MAX_TEXT]


def index_script(entries: list[dict]) -> str:
    """`entries` as a script defining `window.coursegenSearchIndex`, safe inside any page:
    `<` and line separators are escaped, so no text can close the script or break the JS."""
    data = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    data = data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.coursegenSearchIndex={data};\n"


def index_entry(title: str, section: str, url: str, text: str, kind: str) -> dict:
    return {"t": html.unescape(title), "s": section, "u": url, "k": kind, "x": text}


class TextCache:
    """Page texts by body key, in one file: reading a thousand small files costs more than parsing
    one, and extracting text again from every body would cost seconds."""

    def __init__(self, path):
        from pathlib import Path

        self.path = path
        # texts made by another version of this file are made again
        self.version = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            self.texts: dict[str, str] = stored["texts"] if stored.get("version") == self.version else {}
        except (OSError, ValueError, KeyError, AttributeError):
            self.texts = {}
        self.used: dict[str, str] = {}

    def text(self, key: str | None, body_html_reader) -> str:
        if key is not None and key in self.texts:
            self.used[key] = self.texts[key]
            return self.texts[key]
        text = page_text(body_html_reader())
        if key is not None:
            self.used[key] = text
        return text

    def save(self) -> None:
        if self.used == self.texts:
            return
        import os

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps({"version": self.version, "texts": self.used}, ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:
            pass
