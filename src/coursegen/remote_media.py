"""Images, audio and video a page loads from other sites (course.yml `remote_assets`): found in a
rendered body, located in its source, and pointed at their downloaded copies.

Only media elements count — `<img src|srcset>`, `<video src|poster>`, `<audio src>`, `<source
src|srcset>` — never scripts, styles, iframes or fonts. The HTML is read with the standard
library's parser, so addresses in comments, in scripts or in escaped code samples are not taken
for images.
"""

from __future__ import annotations

import functools
import html as html_text
import json
import re
from collections.abc import Iterator, Mapping
from urllib.parse import quote, urlsplit

from coursegen.urls import relative_url

# A reference, cached with the page's body: [address as written, what (image|video|audio),
# line in the page's file or None, where in the file ("cell 3") or ""].
RemoteReference = list

_MEDIA_ATTRIBUTES = {
    "img": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "source": ("src", "srcset"),
}
_CONTAINERS = {"video": "video", "audio": "audio", "picture": "image"}
# a cheap first look, so that the parser only reads the few bodies that may have such an address
_MAYBE_REMOTE = re.compile(
    r"""\s(?:(?:src|poster)\s*=\s*["']?\s*|srcset\s*=\s*["']?[^"'>]*?)(?:https?:)?//""", re.IGNORECASE
)
# one attribute of a start tag (after its name): quoted values are consumed whole
_ATTRIBUTE = re.compile(r"""(\s+)([^\s"'>/=]+)(?:(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+))?""")


def is_remote(address: str) -> bool:
    """An http(s) address of another host, or a protocol-relative one (`//host/x.png`)."""
    address = address.strip()
    try:
        return (address.startswith("//") or urlsplit(address).scheme.lower() in ("http", "https")) and bool(
            host_of(address)
        )
    except ValueError:  # an address urllib can't split (an unclosed IPv6 bracket): left alone
        return False


def fetch_address(address: str) -> str:
    """The URL to download for `address` as written: protocol-relative ones over https, without
    the #fragment, non-ASCII characters percent-encoded."""
    address = address.strip()
    if address.startswith("//"):
        address = "https:" + address
    address = address.partition("#")[0]
    return quote(address, safe=":/?&=;,+%@!$'()*[]~")


def host_of(address: str) -> str:
    return urlsplit(fetch_address(address)).hostname or ""


def find_remote_media(body: str) -> list[tuple[str, str]]:
    """(address as written, what) for each remote media address of `body`, in document order."""
    if not _MAYBE_REMOTE.search(body):
        return []
    return [(address, what) for _, _, attributes in _media_tags(body) for _, address, what in attributes]


def point_to_copies(body: str, copies: Mapping[str, str], page_url: str) -> str:
    """`body` with each remote address found in `copies` (address as written → site path of its
    downloaded copy) replaced by a relative URL to the copy; other addresses are left as written."""
    if not copies or not _MAYBE_REMOTE.search(body):
        return body
    pieces: list[str] = []
    last = 0
    for offset, raw, _ in _media_tags(body):
        if body[offset : offset + len(raw)] != raw:  # the parser's position is off: leave the tag as it is
            continue
        pieces += [body[last:offset], _rewrite_tag(raw, copies, page_url)]
        last = offset + len(raw)
    pieces.append(body[last:])
    return "".join(pieces)


def locate_in_text(found: list[tuple[str, str]], text: str, first_line: int) -> list[RemoteReference]:
    """References with the line of the file (whose text starts at `first_line`) each comes from;
    repeated addresses are found one after the other."""
    searched_from: dict[str, int] = {}
    located = []
    for address, what in found:
        line = None
        for needle in dict.fromkeys(
            (address, html_text.escape(address), html_text.escape(address, quote=False))
        ):
            index = text.find(needle, searched_from.get(needle, 0))
            if index < 0:
                index = text.find(needle)
            if index >= 0:
                searched_from[needle] = index + len(needle)
                line = first_line + text.count("\n", 0, index)
                break
        located.append([address, what, line, ""])
    return located


def locate_in_notebook(found: list[tuple[str, str]], notebook) -> list[RemoteReference]:
    """References with the cell (numbered from 1, as in every notebook message) each comes from:
    its Markdown or one of its outputs."""
    cells = [
        cell.source + "\n" + json.dumps(cell.get("outputs", []), ensure_ascii=False)
        for cell in notebook.cells
    ]
    searched_from: dict[str, int] = {}
    located = []
    for address, what in found:
        where = ""
        start = searched_from.get(address, 0)
        for index in (*range(start, len(cells)), *range(0, start)):
            if address in cells[index] or html_text.escape(address) in cells[index]:
                searched_from[address] = index + 1
                where = f"cell {index + 1}"
                break
        located.append([address, what, None, where])
    return located


@functools.lru_cache(maxsize=1)
def _media_tags_parser():
    """The parser class, made on first use: most builds have no remote media to look for (and
    importing html.parser is not free on a rebuild that renders nothing)."""
    from html.parser import HTMLParser

    class MediaTags(HTMLParser):
        """Start tags of media elements that carry a remote address, with their offset in the HTML."""

        def __init__(self, body: str):
            super().__init__(convert_charrefs=True)
            self.line_starts = [0] + [match.end() for match in re.finditer("\n", body)]
            self.tags: list[
                tuple[int, str, list[tuple[str, str, str]]]
            ] = []  # (offset, raw tag, [(attribute, address, what)])
            self.containers: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag in _CONTAINERS:
                self.containers.append(tag)
            names = _MEDIA_ATTRIBUTES.get(tag)
            if names is None:
                return
            found = [
                (name, address, _what(tag, name, self.containers))
                for name, value in attrs
                if name in names and value
                for address in _addresses(name, value)
                if is_remote(address)
            ]
            if found:
                line, column = self.getpos()
                self.tags.append((self.line_starts[line - 1] + column, self.get_starttag_text() or "", found))

        def handle_endtag(self, tag):
            if tag in self.containers:
                while self.containers.pop() != tag:
                    pass

    return MediaTags


def _media_tags(body: str) -> list[tuple[int, str, list[tuple[str, str, str]]]]:
    parser = _media_tags_parser()(body)
    parser.feed(body)
    parser.close()
    return parser.tags


def _what(tag: str, attribute: str, containers: list[str]) -> str:
    if tag == "img" or attribute == "poster":
        return "image"
    if tag == "source":
        return _CONTAINERS[containers[-1]] if containers else "video"
    return tag


def _addresses(attribute: str, value: str) -> list[str]:
    return [address for address, _ in _srcset(value)] if attribute == "srcset" else [value.strip()]


def _srcset(value: str) -> Iterator[tuple[str, str]]:
    """(address, descriptor) of each candidate of a srcset, as the HTML standard splits them: an
    address may contain commas; only a comma after it, or at its end, closes the candidate."""
    position, end = 0, len(value)
    while position < end:
        while position < end and (value[position].isspace() or value[position] == ","):
            position += 1
        start = position
        while position < end and not value[position].isspace():
            position += 1
        address = value[start:position]
        if not address:
            return
        if address.endswith(","):
            yield address.rstrip(","), ""
            continue
        comma = value.find(",", position)
        comma = end if comma < 0 else comma
        yield address, value[position:comma].strip()
        position = comma + 1


def _rewrite_tag(raw: str, copies: Mapping[str, str], page_url: str) -> str:
    """The start tag `raw` with its media addresses that have a copy pointed at it."""
    name_end = re.match(r"<[^\s/>]+", raw)
    if name_end is None:
        return raw
    tag = name_end.group(0)[1:].lower()
    names = _MEDIA_ATTRIBUTES.get(tag, ())

    def rewrite(match: re.Match) -> str:
        name, value = match.group(2).lower(), match.group(4)
        if name not in names or value is None:
            return match.group(0)
        written = html_text.unescape(value[1:-1] if value[:1] in "\"'" else value)
        if name == "srcset":
            candidates = list(_srcset(written))
            if not any(address in copies for address, _ in candidates):
                return match.group(0)
            new = ", ".join(
                f"{_copy_url(address, copies, page_url)} {descriptor}".strip()
                for address, descriptor in candidates
            )
        elif written.strip() in copies:
            new = _copy_url(written.strip(), copies, page_url)
        else:
            return match.group(0)
        return f'{match.group(1)}{match.group(2)}{match.group(3)}"{html_text.escape(new, quote=True)}"'

    return raw[: name_end.end()] + _ATTRIBUTE.sub(rewrite, raw[name_end.end() :])


def _copy_url(address: str, copies: Mapping[str, str], page_url: str) -> str:
    copy = copies.get(address)
    return relative_url(copy, page_url) if copy else address
