"""The full-text search index: plain text of every page, written as a script the theme loads on
demand. A script (not JSON fetched at run time) so that search works from file:// too.

Besides the body, each entry carries the page's description and summary (`d`), its tags and topics
(`g`) and its module (`s`), which static/search.js weighs above the body. Words are stemmed here,
with the Snowball stemmer of the course's language: the index ends with the course's words grouped
by stem (`window.coursegenSearchStems`), so that `attentions` finds *attention* and `entraîner`
finds *entraînement* (docs/learner-features.md).

Why not Pagefind: it is excellent on a web server, but it fetches its index and WebAssembly at
run time, which browsers refuse for pages opened from file:// — and a course must work from a
USB stick. Course sites are small enough (a few MB of text for a thousand lessons) for a plain
index searched in the browser with accent folding.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from json.encoder import encode_basestring
from pathlib import Path

from coursegen.cache import LineStore, code_digest

INDEX_URL = "search/index.js"
MAX_TEXT = 20_000  # characters kept per page: enough for excerpts, bounded for huge notebooks
_SPACES = re.compile(r"\s+")


# Regular expressions, not an HTML parser: this runs over every page of every build, and the
# HTML is ours (Markdown and nbconvert output), well formed.
_DROPPED = re.compile(
    r"<(script|style|svg|button|details)\b.*?</\1\s*>|<a class=\"headerlink\"[^>]*>.*?</a>|<p [^>]*tabbed-print-label[^>]*>.*?</p>",
    re.DOTALL | re.IGNORECASE,
)
_MATH = re.compile(r"<math\b([^>]*)>(.*?)</math\s*>", re.DOTALL | re.IGNORECASE)
_ALTTEXT = re.compile(r'\balttext="([^"]*)"')
_TEX_ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.DOTALL)
_DIAGRAM = re.compile(r'<figure class="diagram".*?<figcaption [^>]*>(.*?)</figcaption></figure>', re.DOTALL)
_BLOCK_TAG = re.compile(r"<(?:p|li|h[1-6]|td|th|br|div|pre|tr|dd|dt)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def page_text(body_html: str) -> str:
    """The readable text of a rendered body: no markup, no scripts or formulas, spaces folded."""
    if not body_html:
        return ""
    text = _MATH.sub(_math_text, body_html)
    text = _DIAGRAM.sub(lambda m: f"<p>{m.group(1)}</p>", text)  # a diagram: its text alternative
    text = _DROPPED.sub(" ", text)
    text = _BLOCK_TAG.sub(" ", text)
    text = html.unescape(_TAG.sub("", text))
    return _SPACES.sub(" ", text).strip()[:MAX_TEXT]


def _math_text(match: re.Match) -> str:
    """A formula as readers can search and read it: its TeX (alttext or annotation), else its symbols."""
    found = _ALTTEXT.search(match.group(1)) or _TEX_ANNOTATION.search(match.group(2))
    tex = html.unescape(found.group(1) if found else _TAG.sub("", match.group(2)))
    return " " + html.escape(" ".join(tex.split()), quote=False) + " "


def index_script(entries: list[bytes], stems_json: bytes = b"") -> bytes:
    """`entries` (from `index_entry`) as a script defining `window.coursegenSearchIndex`, then the
    stem groups as `window.coursegenSearchStems` (one join: megabytes are copied once)."""
    parts = [b"window.coursegenSearchIndex=["]
    for entry in entries:
        parts += (entry, b",")
    if entries:
        parts.pop()
    parts.append(b"];\n")
    if stems_json:
        parts.append(b"window.coursegenSearchStems=" + stems_json + b";\n")
    return b"".join(parts)


def script_json_object(mapping: dict[str, str]) -> str:
    return "{" + ",".join(f"{script_json(key)}:{script_json(value)}" for key, value in mapping.items()) + "}"


def script_json(text: str) -> str:
    """`text` as a JSON string that is safe inside any page's script: `<` and line separators are
    escaped, so no text can close the script or break the JS. (json's own string encoder, without
    json.dumps's set-up per call: this runs for every field of every page.)"""
    data = encode_basestring(text)
    return data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def index_entry(
    title: str, section: str, url: str, kind: str, text_json: bytes, described: str = "", labels: str = ""
) -> bytes:
    """One page's entry; its text comes already as JSON (`text_json`), cached. Bytes: the
    index is megabytes of text, joined and written without ever being decoded. `described`:
    description and summary; `labels`: tags and topics (both left out when empty)."""
    fields = [("t", html.unescape(title)), ("s", section), ("u", url), ("k", kind)]
    fields += [(name, value) for name, value in (("d", described), ("g", labels)) if value]
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
            if (
                cached is not None and len(cached) >= 2 and cached[:1] == cached[-1:] == b'"'
            ):  # a JSON string, as made below
                return cached
        made = text_json(body_html_reader())
        if key is not None:
            self.store.put(key, made)
        return made

    def save(self) -> None:
        self.store.save()


# ----------------------------------------------------------------------------------------------
# stems

STEMMERS = {"fr": "french", "en": "english"}
_LETTERS = re.compile(r"[^\W\d_]{2,}")  # words of two letters or more; ' and - separate words


def fold(text: str) -> str:
    """Accents, case and the œ/æ ligatures folded, as static/search.js folds the learner's words."""
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return plain.replace("\u2019", "'").replace("\u02bc", "'").replace("\u0153", "oe").replace("\u00e6", "ae")


def stem_pairs(text: str, language: str, memo: dict[str, str] | None = None) -> str:
    """ "word:stem word:stem …" (folded) for each distinct word of `text`: one string, which is
    cached and split again at C speed (a thousand pages have hundreds of thousands of words).
    `memo` (word → its pair) spares stemming again the words other pages already had."""
    import snowballstemmer  # only when an index is made; it runs PyStemmer's C code when installed

    memo = {} if memo is None else memo
    words = sorted({word for word in _LETTERS.findall(text.lower())})
    new = [word for word in words if word not in memo]
    if new:
        stems = snowballstemmer.stemmer(STEMMERS.get(language, "english")).stemWords(new)
        memo.update((word, f"{fold(word)}:{fold(stem)}") for word, stem in zip(new, stems))
    return " ".join(memo[word] for word in words)


def stem_groups(pairs_of_pages: list[str]) -> dict[str, str]:
    """Stem → its words, space-separated ("" when the stem is its only word): every word of the
    course, so that the browser stems a learner's word by the longest stem it starts with."""
    pairs: set[str] = set()
    for page_pairs in pairs_of_pages:
        pairs.update(page_pairs.split())
    groups: dict[str, list[str]] = {}
    for pair in sorted(pairs):
        word, _, stem = pair.partition(":")
        groups.setdefault(stem, []).append(word)
    return {stem: ("" if words == [stem] else " ".join(words)) for stem, words in sorted(groups.items())}


class StemCache:
    """Stem pairs of pages by body key (a LineStore): stemming every page again at each build
    would cost seconds. A body key names the page's file, front matter included."""

    def __init__(self, path: Path, language: str):
        self.store = LineStore(path, f"{code_digest()} {language}")
        self.language = language
        self.memo: dict[str, str] = {}  # words stemmed during this build

    def pairs(self, key: str | None, text_reader) -> str:
        cached = self.store.get(key) if key is not None else None
        if cached is not None:
            return cached.decode("utf-8")
        made = stem_pairs(text_reader(), self.language, self.memo)
        if key is not None:
            self.store.put(key, made.encode("utf-8"))
        return made

    def save(self) -> None:
        self.store.save()


PACKED_ABOVE = 1_000_000  # bytes: a bigger index is written compressed (see index_file)


class SearchTexts:
    """Each page's searchable text (as JSON) and its words' stems, by body key: made as each body
    is rendered (`prepare`, while the build waits for its worker processes) or when the index is
    made, and kept in `.coursegen-cache/` for the next builds. Without a cache folder nothing is
    kept and `prepare` does nothing."""

    def __init__(self, language: str, cache_dir: Path | None = None):
        self.language = language
        self.cache_dir = cache_dir
        self._texts: TextCache | None = None
        self._stems: StemCache | None = None
        self.memo: dict[str, str] = {}  # words stemmed during this build, when nothing is kept

    @property
    def texts(self) -> TextCache | None:
        """Read when first needed: a build that renders no body and keeps its index never reads it."""
        if self._texts is None and self.cache_dir is not None:
            self._texts = TextCache(self.cache_dir / "search-texts.txt")
        return self._texts

    @property
    def stems(self) -> StemCache | None:
        if self._stems is None and self.cache_dir is not None:
            self._stems = StemCache(self.cache_dir / "search-stems.txt", self.language)
        return self._stems

    def prepare(self, page, key: str | None, body_html: str) -> None:
        """Make the text and stems of a body just rendered (no-op when nothing is kept)."""
        if self.cache_dir is not None and key is not None:
            self._text_and_pairs(page, key, lambda: body_html)

    def entry(self, page, module: str, key: str | None, body_html_reader) -> tuple[bytes, str]:
        """The page's index entry and its "word:stem" pairs."""
        text, described, labels, pairs = self._text_and_pairs(page, key, body_html_reader)
        return index_entry(page.title, module, page.url, page.kind.value, text, described, labels), pairs

    def _text_and_pairs(self, page, key: str | None, body_html_reader) -> tuple[bytes, str, str, str]:
        meta = page.meta
        texts, stems = self.texts, self.stems
        text = texts.text_json(key, body_html_reader) if texts else text_json(body_html_reader())
        described = " ".join(dict.fromkeys(part for part in (meta.description, meta.summary) if part))
        labels = " · ".join(dict.fromkeys((*meta.tags, *meta.topics)))

        def words() -> str:  # read only when the stems are not kept
            return " ".join((json.loads(text), page.title, described, labels))

        pairs = stems.pairs(key, words) if stems else stem_pairs(words(), self.language, self.memo)
        return text, described, labels, pairs

    def save(self) -> None:
        for cache in (self._texts, self._stems):
            if cache is not None:
                cache.save()


def search_index(rows, texts: SearchTexts) -> bytes:
    """Every page's text for the in-browser search, and the course's words by stem: rows of
    (page, module title, body)."""
    entries, pairs_of_pages = [], []
    for page, module, body in rows:
        entry, pairs = texts.entry(page, module, body.key, lambda body=body: body.html)
        entries.append(entry)
        pairs_of_pages.append(pairs)
    texts.save()
    return index_file(entries, stem_groups(pairs_of_pages))


def index_file(entries: list[bytes], stems: dict[str, str], packed_above: int | None = None) -> bytes:
    """The index as written: a plain script, or — above `packed_above` bytes — the same data as
    JSON (`{"index": […], "stems": {…}}`) compressed (zlib, level 1: an edit's rebuild stays
    quick) and base64-encoded in `window.coursegenSearchPacked`, which static/search.js inflates
    with the browser's DecompressionStream. Course text compresses 3 to 10 times: a thousand
    lessons stay well under 5 MB, and the file is quicker to load."""
    stems_json = script_json_object(stems).encode("utf-8")
    if sum(map(len, entries)) + len(stems_json) <= (PACKED_ABOVE if packed_above is None else packed_above):
        return index_script(entries, stems_json)
    import base64
    import zlib

    data = b"".join((b'{"index":[', b",".join(entries), b'],"stems":', stems_json, b"}"))
    return b'window.coursegenSearchPacked="' + base64.b64encode(zlib.compress(data, 1)) + b'";\n'


def indexed_texts(data: bytes) -> dict[str, str]:
    """The body text of each page of a search index this module wrote (plain or packed), by URL:
    what a page kept from the previous build is found by (lastgood.py). {} for anything else."""
    import base64
    import zlib

    try:
        head = b'window.coursegenSearchPacked="'
        if data.startswith(head):
            entries = json.loads(
                zlib.decompress(base64.b64decode(data[len(head) :].strip().removesuffix(b'";')))
            )["index"]
        else:
            first = data.split(b"\n", 1)[0]
            entries = json.loads(first.removeprefix(b"window.coursegenSearchIndex=").removesuffix(b";"))
        return {entry["u"]: entry["x"] for entry in entries}
    except (ValueError, KeyError, TypeError, zlib.error):  # not ours, or damaged: no text
        return {}
