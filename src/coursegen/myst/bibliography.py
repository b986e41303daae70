"""Citations from BibTeX files (course.yml `markdown.bibtex_bibfiles`, read with pybtex):
`{cite}`/`{cite:p}` → (Dupont, 2019), `{cite:t}` → Dupont (2019), or [1] with
`citation_style: numbered`; the `{bibliography}` lists the works the course cites, formatted by
pybtex's "plain" style, each with an id the citations link to."""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from coursegen.errors import Diagnostics

if TYPE_CHECKING:
    from coursegen.myst.blocks import Directive
    from coursegen.myst.convert import Conversion

_PARENTHETICAL = ("cite", "cite:p", "cite:ps", "cite:alp", "cite:yearpar")
_TEXTUAL = ("cite:t", "cite:ts")
CITATION_STYLES = ("author_year", "numbered")


@dataclass(frozen=True)
class Citation:
    key: str
    authors: str  # "Dupont", "Dupont and Martin", "Dupont et al."
    year: str
    number: int  # place in the reference list (numbered style)
    reference: str  # the formatted entry, HTML


def citation_anchor(key: str) -> str:
    from coursegen.myst.labels import anchor_id

    return "bib-" + anchor_id(key)


def cached_citations(
    settings, root: Path, keys: list[str], every: bool, language: str, diagnostics: Diagnostics, cache
) -> dict[str, Citation]:
    """`load_citations`, kept in `cache` by the BibTeX files' bytes and the keys cited: a rebuild
    neither imports pybtex nor reads the files again when neither changed."""
    from coursegen.cache import digest

    files = []
    for rel in settings.bibtex_bibfiles:
        try:
            files.append((root / rel).read_bytes())
        except OSError:
            files.append(b"")
    key = digest(
        "myst-bibliography",
        *files,
        repr(settings.bibtex_bibfiles),
        repr(sorted(set(keys))),
        repr(every),
        language,
    )
    stored = cache.get(key)
    if isinstance(stored, list):
        try:
            return {item["key"]: Citation(**item) for item in stored}
        except (TypeError, KeyError):
            pass
    local = Diagnostics()
    citations = load_citations(settings.bibtex_bibfiles, root, keys, every, language, local)
    diagnostics.extend(local)
    if not local.items:  # a file that could not be read is tried again next time
        cache.put(key, [vars(citation) for citation in citations.values()])
    return citations


def load_citations(
    paths: tuple[str, ...], root: Path, keys: list[str], every: bool, language: str, diagnostics: Diagnostics
) -> dict[str, Citation]:
    """The entries of `keys` (every entry when `every`), from the BibTeX files at `paths`
    (relative to the course root), sorted by author and year and numbered in that order."""
    entries = _read_files(paths, root, diagnostics)
    wanted = list(entries) if every else [key for key in dict.fromkeys(keys) if key in entries]
    if not wanted:
        return {}
    wanted.sort(key=lambda key: (_last_names(entries[key]), entries[key].fields.get("year", ""), key))
    formatted = _format(entries, wanted)
    words = ("et", "et al.") if language == "fr" else ("and", "et al.")
    return {
        key: Citation(
            key,
            _authors(entries[key], words),
            str(entries[key].fields.get("year", "s.d.")),
            number,
            formatted[key],
        )
        for number, key in enumerate(wanted, start=1)
    }


def _read_files(paths: tuple[str, ...], root: Path, diagnostics: Diagnostics) -> dict:
    from pybtex.database import parse_file
    from pybtex.scanner import PybtexError

    entries: dict = {}
    for rel in paths:
        path = (root / rel).resolve()
        if not path.is_relative_to(root.resolve()) or not path.is_file():
            diagnostics.warning(
                "course.yml",
                f"BibTeX file '{rel}' not found",
                "give its path relative to the course folder",
                kind="config",
            )
            continue
        try:
            data = parse_file(str(path), bib_format="bibtex")
        except (PybtexError, UnicodeDecodeError, ValueError) as problem:
            diagnostics.warning(
                rel, f"BibTeX file could not be read ({problem})", "fix the entry it names", kind="config"
            )
            continue
        entries.update({key.lower(): entry for key, entry in data.entries.items()})
    return entries


def _last_names(entry) -> str:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    return " ".join(" ".join(person.last_names) for person in people).lower()


def _authors(entry, words: tuple[str, str]) -> str:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_latex_free(" ".join(person.last_names)) for person in people]
    if not names:
        return _latex_free(entry.fields.get("title", "?"))[:30]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} {words[0]} {names[1]}"
    return f"{names[0]} {words[1]}"


def _latex_free(text: str) -> str:
    from pybtex.richtext import Text

    try:
        return str(Text.from_latex(text))
    except Exception:  # an odd brace in a name must not stop the build
        return text.replace("{", "").replace("}", "")


def _format(entries: dict, keys: list[str]) -> dict[str, str]:
    from pybtex.plugin import find_plugin

    style = find_plugin("pybtex.style.formatting", "plain")()
    backend = find_plugin("pybtex.backends", "html")()
    formatted: dict[str, str] = {}
    for key in keys:
        try:
            formatted[key] = next(iter(style.format_entries([entries[key]]))).text.render(backend)
        except Exception as problem:  # pybtex refuses entries without its required fields
            fields = entries[key].fields
            formatted[key] = html.escape(f"{fields.get('title', key)} ({problem})")
    return formatted


def cite_role(conversion: Conversion, role: str, text: str, line: int | None) -> str:
    keys = [key.strip() for key in text.split(",") if key.strip()]
    for key in keys:
        conversion.scan.uses.append(f"cite:{key.lower()}")
        conversion.scan.citations.append(key.lower())
    if role not in _PARENTHETICAL + _TEXTUAL + ("cite:year", "cite:author"):
        return conversion.unsupported_role(role, text, line)
    if conversion.table is None:
        return html.escape(text)
    found = [_citation(conversion, key, line) for key in keys]
    return _cited(conversion, role, found, keys)


def _citation(conversion: Conversion, key: str, line: int | None) -> Citation | None:
    citation = conversion.table.citations.get(key.lower())
    if citation is None:
        close = difflib.get_close_matches(key.lower(), list(conversion.table.citations), n=1, cutoff=0.6)
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else "add the entry to a file of markdown.bibtex_bibfiles in course.yml"
        )
        conversion.report(line, f"citation '{key}' is not in the bibliography", hint, kind="links")
    return citation


def _cited(conversion: Conversion, role: str, found: list, keys: list[str]) -> str:
    numbered = conversion.table.citation_style == "numbered"
    pieces = []
    for citation, key in zip(found, keys):
        if citation is None:
            pieces.append(html.escape(f"{key}?"))
            continue
        link = (
            conversion.href(conversion.table.bibliography_url, citation_anchor(citation.key))
            if conversion.table.bibliography_url
            else ""
        )
        if role == "cite:year":
            shown = citation.year
        elif role == "cite:author":
            shown = citation.authors
        elif role in _TEXTUAL:
            shown = (
                f"{citation.authors} [{citation.number}]"
                if numbered
                else f"{citation.authors} ({citation.year})"
            )
        else:
            shown = str(citation.number) if numbered else f"{citation.authors}, {citation.year}"
        pieces.append(
            f'<a class="citation" href="{html.escape(link)}">{html.escape(shown)}</a>'
            if link
            else html.escape(shown)
        )
    if role in _PARENTHETICAL:
        return ("[" + ", ".join(pieces) + "]") if numbered else ("(" + "; ".join(pieces) + ")")
    return ", ".join(pieces)


def bibliography_lines(conversion: Conversion, directive: Directive) -> list[str]:
    """The reference list: every work the course cites (all of the files' with `:all:`)."""
    if conversion.table is None:
        return []
    citations = sorted(conversion.table.citations.values(), key=lambda citation: citation.number)
    tag = "ol" if conversion.table.citation_style == "numbered" else "ul"
    items = "".join(f'<li id="{citation_anchor(c.key)}">{c.reference}</li>' for c in citations)
    return ["", f'<{tag} class="bibliography">{items}</{tag}>', ""]
