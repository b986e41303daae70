"""The course-wide label table: every `(label)=`, `:name:`, `:label:` and glossary term of the
course's MyST pages → page URL, anchor, number and title. Built in the course-graph stage, after
parsing and before any body is rendered, so that `{ref}`, `{numref}`, `{eq}`, `{prf:ref}` and
`{term}` resolve across pages.

Numbering follows Jupyter Book 1 (Sphinx `numfig` with an unnumbered table of contents): figures,
tables, code listings, exercises and each kind of `prf:` block are counted through the whole book
in reading order (Sphinx keeps one counter per kind for all documents); equations are numbered per
page (coursegen's own equation numbering, which a `{eq}` reference repeats)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from coursegen.cache import digest

# kinds counted through the whole course (Sphinx numfig: one counter per kind, in reading order)
BOOK_COUNTED = ("figure", "table", "code", "exercise")


@dataclass(frozen=True)
class Label:
    name: str
    kind: str  # section, page, figure, table, code, equation, exercise, solution, prf:theorem…, term, target
    url: str  # the page's site URL
    anchor: str  # id on that page ("" for the page itself)
    number: str  # "3" for a numbered block, "" otherwise
    title: str  # the heading, caption or block title, as plain text
    rel: str  # the source, for messages
    line: int | None


@dataclass
class Definition:
    """A label as a page's conversion finds it; `local` is its number within the page (0: none)."""

    name: str
    kind: str
    anchor: str
    title: str
    line: int | None
    local: int = 0


@dataclass
class PageScan:
    """What converting one page found: its labels, and what it refers to (for the cache key)."""

    definitions: list[Definition] = field(default_factory=list)
    uses: list[str] = field(default_factory=list)  # "ref:x", "doc:path", "cite:key", "bibliography"
    counts: dict[str, int] = field(default_factory=dict)  # numbered blocks of each kind
    citations: list[str] = field(default_factory=list)  # BibTeX keys, in order
    all_references: bool = False  # a {bibliography} with :all:
    index_entries: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)  # files the page includes (snippets)
    icons: list[str] = field(default_factory=list)  # Material icon shortcodes, left out


def scan_from_plain(plain: dict) -> PageScan:
    """A PageScan read back from the cache (dataclasses.asdict); raises on another shape."""
    definitions = [Definition(**item) for item in plain["definitions"]]
    fields = {name: plain[name] for name in ("uses", "citations", "index_entries", "dependencies", "icons")}
    if not all(
        isinstance(value, list) and all(isinstance(item, str) for item in value) for value in fields.values()
    ):
        raise ValueError("not a page scan")
    counts = {str(kind): int(count) for kind, count in plain["counts"].items()}
    return PageScan(definitions, counts=counts, all_references=bool(plain["all_references"]), **fields)


def anchor_id(label: str) -> str:
    """Sphinx's id for a label: lower case, runs of other characters than letters and digits → '-'
    (`fig:05-scatter` → `fig-05-scatter`), so bookmarks into a Jupyter Book page keep working."""
    return re.sub(r"[^\w]+|_", "-", label.strip().lower()).strip("-") or "target"


def label_key(name: str) -> str:
    """Labels are matched without case, as Sphinx does."""
    return " ".join(name.split()).lower()


class LabelTable:
    """Labels of the whole course, the number each page's counters start from, and what each
    page refers to."""

    def __init__(self) -> None:
        self.labels: dict[str, Label] = {}
        self.starts: dict[str, dict[str, int]] = {}
        self.uses: dict[str, list[str]] = {}
        self.dependencies: dict[str, list[str]] = {}
        self.pages: dict[str, tuple[str, str]] = {}  # source path without extension → (URL, title)
        self.citations: dict = {}  # BibTeX key → bibliography.Citation
        self.bibliography_url = ""  # the page with the {bibliography}
        self.citation_style = "author_year"
        self.index_entries: dict[str, list[str]] = {}
        self._counters: dict[str, int] = {}
        self.duplicates: list[tuple[Label, Label]] = []

    def add_page(self, url: str, rel: str, scan: PageScan) -> None:
        """A page's labels, numbered after those of the pages before it (call in reading order)."""
        self.starts[url] = {kind: self._counters.get(kind, 0) for kind in scan.counts if _book_counted(kind)}
        for definition in scan.definitions:
            number = ""
            if definition.local:
                start = self.starts[url].get(definition.kind, 0) if _book_counted(definition.kind) else 0
                number = str(start + definition.local)
            label = Label(
                definition.name,
                definition.kind,
                url,
                definition.anchor,
                number,
                definition.title,
                rel,
                definition.line,
            )
            key = label_key(definition.name)
            if key in self.labels:
                self.duplicates.append((self.labels[key], label))
                continue
            self.labels[key] = label
        for kind, count in scan.counts.items():
            if _book_counted(kind):
                self._counters[kind] = self._counters.get(kind, 0) + count
        self.uses[url] = scan.uses
        if scan.dependencies:
            self.dependencies[url] = scan.dependencies
        if "bibliography" in scan.uses and not self.bibliography_url:
            self.bibliography_url = url
        if scan.index_entries:
            self.index_entries[url] = scan.index_entries

    def get(self, name: str) -> Label | None:
        return self.labels.get(label_key(name))

    def start(self, url: str, kind: str) -> int:
        return self.starts.get(url, {}).get(kind, 0)

    def suggest(self, name: str, prefix: str = "") -> str:
        names = [label.name for key, label in self.labels.items() if key.startswith(prefix)]
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        return close[0] if close else ""

    def signature(self, url: str) -> str:
        """What a page's body takes from other pages: its counters' starts and what each of its
        references resolves to. Part of the body's cache key: a page re-renders when a label it
        uses moves or is renumbered, and only then."""
        parts = [repr(sorted(self.starts.get(url, {}).items()))]
        for use in self.uses.get(url, []):
            kind, _, name = use.partition(":")
            if kind == "ref":
                parts.append(repr(self.get(name)))
            elif kind == "doc":
                parts.append(repr(self.pages.get(name)))
            elif kind == "cite":
                parts.append(repr(self.citations.get(name)) + self.bibliography_url)
            elif kind == "bibliography":
                parts.append(repr(sorted(self.citations.items())))
        parts.extend(self.dependencies.get(url, []))
        return digest(*parts)


def _book_counted(kind: str) -> bool:
    return kind in BOOK_COUNTED or kind.startswith("prf:")
