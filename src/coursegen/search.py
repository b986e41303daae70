"""The full-text search index: plain text of every page, written as a script the theme loads on
demand. A script (not JSON fetched at run time) so that search works from file:// too.

Why not Pagefind: it is excellent on a web server, but it fetches its index and WebAssembly at
run time, which browsers refuse for pages opened from file:// — and a course must work from a
USB stick. Course sites are small enough (a few MB of text for a thousand lessons) for a plain
index searched in the browser with accent folding.
"""

from __future__ import annotations

import html
import re
from json.encoder import encode_basestring
from pathlib import Path

from coursegen.cache import LineStore, code_digest

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


def index_script(entries: list[str]) -> str:
    """`entries` (from `index_entry`) as a script defining `window.coursegenSearchIndex`."""
    return f"window.coursegenSearchIndex=[{','.join(entries)}];\n"


def script_json(text: str) -> str:
    """`text` as a JSON string that is safe inside any page's script: `<` and line separators are
    escaped, so no text can close the script or break the JS. (json's own string encoder, without
    json.dumps's set-up per call: this runs for every field of every page.)"""
    data = encode_basestring(text)
    return data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def index_entry(title: str, section: str, url: str, kind: str, text_json: str) -> str:
    """One page's entry; its text comes already as JSON (`script_json(page_text(...))`), cached."""
    fields = (("t", html.unescape(title)), ("s", section), ("u", url), ("k", kind))
    return "{" + ",".join(f'"{name}":{script_json(value)}' for name, value in fields) + f',"x":{text_json}}}'


class TextCache:
    """Page texts, as JSON, by body key (a LineStore): extracting the text again from every body
    would cost seconds."""

    def __init__(self, path: Path):
        self.store = LineStore(path, code_digest(("search.py",)))  # texts made by other code are made again

    @property
    def texts(self) -> dict[str, str]:
        return self.store.stored

    def text_json(self, key: str | None, body_html_reader) -> str:
        if key is not None:
            cached = self.store.get(key)
            if cached is not None:
                return cached
        text_json = script_json(page_text(body_html_reader()))
        if key is not None:
            self.store.put(key, text_json)
        return text_json

    def save(self) -> None:
        self.store.save()
