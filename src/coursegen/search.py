"""The full-text search index: plain text of every page, written as a script the theme loads on
demand. A script (not JSON fetched at run time) so that search works from file:// too.

Why not Pagefind: it is excellent on a web server, but it fetches its index and WebAssembly at
run time, which browsers refuse for pages opened from file:// — and a course must work from a
USB stick. Course sites are small enough (a few MB of text for a thousand lessons) for a plain
index searched in the browser with accent folding.
"""

from __future__ import annotations

import contextlib
import html
import re
from json.encoder import encode_basestring
from pathlib import Path

from coursegen.cache import code_digest, write_text_atomically

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
    """Page texts, as JSON, by body key: extracting the text again from every body would cost
    seconds. One line a page in one file (`key<TAB>length<TAB>json`): a thousand small files, or
    one big JSON document, would cost more to read than lines split once."""

    def __init__(self, path: Path):
        self.path = path
        self.version = code_digest(("search.py",))  # texts made by other code are made again
        self.texts: dict[str, str] = {}
        try:
            lines = path.read_text(encoding="utf-8").split("\n")
        except (OSError, ValueError):
            lines = []
        if lines and lines[0] == self.version:
            for line in lines[1:]:
                key, _, rest = line.partition("\t")
                length, _, text_json = rest.partition("\t")
                if length.isdigit() and int(length) == len(text_json):  # not a line cut short by a crash
                    self.texts[key] = text_json
        self.used: dict[str, str] = {}

    def text_json(self, key: str | None, body_html_reader) -> str:
        if key is not None and key in self.texts:
            self.used[key] = self.texts[key]
            return self.texts[key]
        text_json = script_json(page_text(body_html_reader()))
        if key is not None:
            self.used[key] = text_json
        return text_json

    def save(self) -> None:
        """New texts are appended; the file is written anew only once most of its lines are texts
        no page has any more (an edit adds one line, instead of rewriting megabytes)."""
        added = {key: text for key, text in self.used.items() if key not in self.texts}
        stale = len(self.texts) - (len(self.used) - len(added))
        if not added and stale <= len(self.used):
            return
        if self.texts and stale <= len(self.used):
            with contextlib.suppress(OSError):
                with open(self.path, "a", encoding="utf-8") as file:
                    file.write("".join(f"\n{_line(key, text)}" for key, text in added.items()))
            return
        write_text_atomically(self.path, "\n".join([self.version, *(_line(key, text) for key, text in self.used.items())]))


def _line(key: str, text_json: str) -> str:
    return f"{key}\t{len(text_json)}\t{text_json}"
