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


def index_script(entries: list[bytes]) -> bytes:
    """`entries` (from `index_entry`) as a script defining `window.coursegenSearchIndex`
    (one join: megabytes are copied once)."""
    parts = [b"window.coursegenSearchIndex=["]
    for entry in entries:
        parts += (entry, b",")
    if entries:
        parts.pop()
    parts.append(b"];\n")
    return b"".join(parts)


def script_json(text: str) -> str:
    """`text` as a JSON string that is safe inside any page's script: `<` and line separators are
    escaped, so no text can close the script or break the JS. (json's own string encoder, without
    json.dumps's set-up per call: this runs for every field of every page.)"""
    data = encode_basestring(text)
    return data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def index_entry(title: str, section: str, url: str, kind: str, text_json: bytes) -> bytes:
    """One page's entry; its text comes already as JSON (`text_json`), cached. Bytes: the
    index is megabytes of text, joined and written without ever being decoded."""
    fields = (("t", html.unescape(title)), ("s", section), ("u", url), ("k", kind))
    head = "{" + ",".join(f'"{name}":{script_json(value)}' for name, value in fields) + ',"x":'
    return head.encode("utf-8") + text_json + b"}"


def text_json(body_html: str) -> bytes:
    """A page's searchable text as JSON: `page_text` of its body, through `script_json`."""
    return script_json(page_text(body_html)).encode("utf-8")


class TextCache:
    """Page texts, as JSON, by body key (a LineStore): extracting the text again from every body
    would cost seconds."""

    def __init__(self, path: Path):
        self.store = LineStore(path, code_digest())  # texts made by other code are made again

    @property
    def texts(self) -> dict[str, bytes]:
        return self.store.stored

    def text_json(self, key: str | None, body_html_reader) -> bytes:
        if key is not None:
            cached = self.store.get(key)
            if cached is not None and len(cached) >= 2 and cached[:1] == cached[-1:] == b'"':  # a JSON string, as made below
                return cached
        made = text_json(body_html_reader())
        if key is not None:
            self.store.put(key, made)
        return made

    def save(self) -> None:
        self.store.save()
