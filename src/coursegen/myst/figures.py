"""`figure`, `image`, `table` and `list-table`: numbered captions (through the course, as Jupyter
Book numbers them) and ids a `{numref}` can reach; images go through coursegen's link rewriting."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from coursegen.myst import blocks

if TYPE_CHECKING:
    from coursegen.myst.blocks import Directive
    from coursegen.myst.convert import Conversion

_MARKUP = re.compile(r"[*_`]|\$|\{[^}]*\}|\[|\]\([^)]*\)")
_ROW = re.compile(r"^(?P<indent>[ \t]*)[*-][ \t]+(?P<rest>.*)$")


def plain_text(lines: list[str]) -> str:
    """A caption's words without Markdown marks, for alt texts and reference titles."""
    return " ".join(_MARKUP.sub("", " ".join(lines)).split())


def _image_path(conversion: Conversion, path: str) -> str:
    """Jupyter Book's `/images/x.png` is relative to the book's root, here the course's content."""
    if not path.startswith("/") or path.startswith("//"):
        return path
    depth = conversion.page.site_rel.count("/")
    return "../" * depth + path.lstrip("/")


def _image_attributes(directive: Directive) -> str:
    parts = []
    for option in ("width", "height"):
        value = directive.options.get(option, "").strip()
        if value:
            parts.append(f'{option}="{html.escape(value)}"')
    return "{ " + " ".join(parts) + " }" if parts else ""


def _image_line(conversion: Conversion, directive: Directive, alt: str) -> str:
    alt = alt.replace("[", "(").replace("]", ")")
    path = _image_path(conversion, directive.argument.strip())
    return (
        f"![{alt}](<{path}>){_image_attributes(directive)}"
        if " " in path
        else f"![{alt}]({path}){_image_attributes(directive)}"
    )


def _caption_number(conversion: Conversion, kind: str, local: int) -> str:
    return f'<span class="caption-number">{conversion.words[kind]} {conversion.shown_number(kind, local)}:</span> '


def convert_figure(conversion: Conversion, directive: Directive) -> list[str]:
    from coursegen.myst.directives import content_lines, named

    parts = blocks.paragraphs(content_lines(conversion, directive))
    caption, legend = (parts[0], parts[1:]) if parts else ([], [])
    local = conversion.number("figure") if caption else 0  # Sphinx numbers captioned figures only
    anchor = named(conversion, directive, "figure", plain_text(caption), local)
    alt = directive.options.get("alt") or plain_text(caption)
    align = directive.options.get("align", "")
    classes = " ".join(
        [
            "myst-figure",
            *([f"align-{align}"] if align else []),
            *directive.options.get("figclass", "").split(),
        ]
    )
    out = [
        "",
        f'<figure class="{html.escape(classes)}"{_id(anchor)} markdown="1">',
        "",
        _image_line(conversion, directive, alt),
        "",
    ]
    if caption:
        number = _caption_number(conversion, "figure", local)
        out += [
            f'<figcaption markdown="span">{number}{" ".join(line.strip() for line in caption)}</figcaption>',
            "",
        ]
    for paragraph in legend:
        out += [*paragraph, ""]
    return [*out, "</figure>", ""]


def convert_image(conversion: Conversion, directive: Directive) -> list[str]:
    from coursegen.myst.directives import named

    anchor = named(conversion, directive, "target", directive.options.get("alt", ""))
    line = _image_line(conversion, directive, directive.options.get("alt", ""))
    return ["", *([f'<div id="{anchor}" class="myst-target"></div>', ""] if anchor else []), line, ""]


def _id(anchor: str) -> str:
    return f' id="{html.escape(anchor)}"' if anchor else ""


def _table_head(conversion: Conversion, directive: Directive, title: str) -> tuple[str, list[str]]:
    """The anchor and caption lines of a table; numbered when it has a title, as in Sphinx."""
    from coursegen.myst.directives import named

    local = conversion.number("table") if title else 0
    anchor = named(conversion, directive, "table", plain_text([title]), local)
    if not title:
        return anchor, []
    return anchor, [
        f'<p class="table-caption" markdown="span">{_caption_number(conversion, "table", local)}{title}</p>',
        "",
    ]


def convert_table(conversion: Conversion, directive: Directive) -> list[str]:
    from coursegen.myst.directives import content_lines

    anchor, caption = _table_head(conversion, directive, directive.argument)
    body = blocks.trim_blank(content_lines(conversion, directive))
    return ["", f'<div class="myst-table"{_id(anchor)} markdown="1">', "", *caption, *body, "", "</div>", ""]


def list_table_rows(lines: list[str]) -> list[list[list[str]]]:
    """`* - a\\n  - b` rows → [[cell lines, …], …]; a cell's lines keep their Markdown."""
    rows: list[list[list[str]]] = []
    row_indent = None
    for line in lines:
        found = _ROW.match(line)
        if found is None:
            if rows and rows[-1] and line.strip():
                rows[-1][-1].append(line.strip())
            continue
        indent, rest = len(found.group("indent")), found.group("rest")
        if row_indent is None or indent <= row_indent:
            row_indent = indent
            rows.append([])
            inner = _ROW.match(rest)
            if inner is not None:
                rows[-1].append([inner.group("rest")])
            elif rest.strip():
                rows[-1].append([rest])
        elif rows:
            rows[-1].append([rest])
    return rows


def convert_list_table(conversion: Conversion, directive: Directive) -> list[str]:
    from coursegen.myst.directives import content_lines

    anchor, caption = _table_head(conversion, directive, directive.argument)
    rows = list_table_rows(content_lines(conversion, directive))
    try:
        header_rows = int(directive.options.get("header-rows", "0") or 0)
    except ValueError:
        header_rows = 0
    out = [
        "",
        f'<div class="myst-table"{_id(anchor)} markdown="1">',
        "",
        *caption,
        '<table class="list-table" markdown="1">',
    ]
    for number, row in enumerate(rows):
        tag = "th" if number < header_rows else "td"
        cells = "".join(
            f'<{tag} markdown="span">{" ".join(part.strip() for part in cell)}</{tag}>' for cell in row
        )
        out.append(f'<tr markdown="1">{cells}</tr>')
    return [*out, "</table>", "", "</div>", ""]
