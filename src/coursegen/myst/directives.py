"""MyST directives → coursegen Markdown: admonitions (`!!!`), collapsible blocks (`???`), tabs
(`===`), figures and tables (HTML with Markdown inside, md_in_html), `$$` math, fenced code.

Each handler gets the directive as written (blocks.Directive) and returns the lines to write in
its place; an option a handler does not know is a finding, the directive still renders."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from coursegen.myst import blocks
from coursegen.myst.figures import convert_figure, convert_image, convert_list_table, convert_table
from coursegen.myst.gathered import GATHERED
from coursegen.myst.includes import INCLUDE_OPTIONS, LITERAL_OPTIONS, include, literal_include
from coursegen.myst.inline import substitute
from coursegen.myst.roles import GLUE_NAMES
from coursegen.myst.words import PROOF_KINDS

if TYPE_CHECKING:
    from coursegen.myst.blocks import Directive
    from coursegen.myst.convert import Conversion

ADMONITIONS = (
    "note",
    "warning",
    "tip",
    "important",
    "seealso",
    "caution",
    "attention",
    "danger",
    "error",
    "hint",
)
_CLASS_WORD = re.compile(r"^[A-Za-z][\w-]*$")
_CODE_LANGUAGES = {"ipython3": "python", "ipython": "python", "python3": "python", "": ""}
# options that only tune Sphinx's HTML (sizes, alignment, icons): accepted, no effect here
_COSMETIC = {
    "class",
    "name",
    "align",
    "width",
    "height",
    "scale",
    "figclass",
    "figwidth",
    "icon",
    "color",
    "animate",
    "chevron",
    "margin",
    "class-container",
    "class-title",
    "class-body",
    "sync",
    "open",
    "nonumber",
    "hidden",
    "label",
    "selected",
    "force",
}


def convert_directive(conversion: Conversion, directive: Directive) -> list[str]:
    name = directive.name
    handler = HANDLERS.get(name) or GATHERED.get(name)
    if handler is None and name.startswith("prf:") and name in PROOF_KINDS:
        handler = _proof
    if handler is None and name in GLUE_NAMES:  # left as written: glue_markdown.py reads it
        return directive.source.split("\n")
    if handler is None:
        return conversion.unsupported(directive)
    _check_options(conversion, directive, KNOWN_OPTIONS.get(name, set()))
    return handler(conversion, directive)


def _check_options(conversion: Conversion, directive: Directive, known: set[str]) -> None:
    for option in directive.options:
        if option not in known and option not in _COSMETIC:
            conversion.report(
                directive.option_lines.get(option, directive.line),
                f"option :{option}: of {{{directive.name}}} is not supported",
                "the block is shown without it; remove the option",
            )


def anchor_lines(anchor: str) -> list[str]:
    return ["", f'<div id="{anchor}" class="myst-target"></div>', ""] if anchor else []


def admonition_lines(marker: str, classes: list[str], title: str | None, content: list[str]) -> list[str]:
    """`!!! note extra "Title"` and the content indented under it."""
    head = f"{marker} {' '.join(classes)}"
    if title is not None:
        head += ' "' + " ".join(title.split()) + '"'
    body = blocks.indented(blocks.trim_blank(content)) or ["    &nbsp;"]
    return ["", head, *body, ""]


def named(conversion: Conversion, directive: Directive, kind: str, title: str, local: int = 0) -> str:
    """The anchor of a directive's `:name:` (or `:label:`), recorded as a label; "" without one."""
    name = directive.options.get("name") or directive.options.get("label")
    if not name:
        return ""
    return conversion.define(name, kind, title, directive.line, local)


def content_lines(
    conversion: Conversion, directive: Directive, content: list[str] | None = None
) -> list[str]:
    return conversion.convert_lines(
        directive.content if content is None else content, directive.content_line, nested=True
    )


def _extra_classes(directive: Directive, skip: tuple[str, ...] = ()) -> list[str]:
    return [
        word
        for word in directive.options.get("class", "").split()
        if _CLASS_WORD.match(word) and word not in skip and word != "dropdown"
    ]


def _admonition(conversion: Conversion, directive: Directive) -> list[str]:
    kind, title, content = directive.name, None, directive.content
    classes = _extra_classes(directive)
    if kind == "admonition":
        title = directive.argument or None
        kind = next((word for word in classes if word in ADMONITIONS), "note")
        classes = [word for word in classes if word != kind]
    elif directive.argument:  # `{note} Texte` — the text is the start of the content
        content = [directive.argument, *content]
    if title is None and kind == "seealso":
        title = conversion.words["seealso"]
    dropdown = "dropdown" in directive.options.get("class", "").split()
    marker = ("???+" if "open" in directive.options else "???") if dropdown else "!!!"
    anchor = named(conversion, directive, "section", title or kind)
    return anchor_lines(anchor) + admonition_lines(
        marker, [kind, *classes], title, content_lines(conversion, directive, content)
    )


def _dropdown(conversion: Conversion, directive: Directive) -> list[str]:
    marker = "???+" if "open" in directive.options else "???"
    anchor = named(conversion, directive, "section", directive.argument)
    title = directive.argument or "…"
    return anchor_lines(anchor) + admonition_lines(
        marker, ["dropdown", *_extra_classes(directive)], title, content_lines(conversion, directive)
    )


def _aside(conversion: Conversion, directive: Directive) -> list[str]:
    """`margin`, `sidebar`, `topic`: a side note, shown in the flow of the page."""
    title = directive.argument or None
    return admonition_lines("!!!", ["note", directive.name], title, content_lines(conversion, directive))


def _tab_set(conversion: Conversion, directive: Directive) -> list[str]:
    """`tab-set` of `tab-item`s → coursegen's tabs (`===`); the first starts a new set (`===!`)."""
    out: list[str] = []
    lines, index, first = directive.content, 0, True
    while index < len(lines):
        found = blocks.DIRECTIVE_OPEN.match(lines[index])
        if found is None or found.group("name").lower() != "tab-item":
            if lines[index].strip():
                out.extend(content_lines(conversion, directive, [lines[index]]))
            index += 1
            continue
        end = blocks.closing_line(lines, index, found.group("fence"))
        item = blocks.read_directive(lines, index, end, directive.content_line, found)
        item.argument = substitute(conversion, item.argument, item.line or None)
        out.extend(_tab_item_lines(conversion, item, first))
        first, index = False, end + 1
    return out


def _tab_item_lines(conversion: Conversion, item: Directive, first: bool) -> list[str]:
    _check_options(conversion, item, set())
    marker = "===!" if first else "==="
    if "selected" in item.options:
        marker += "+"
    label = " ".join((item.argument or "…").split()).replace('"', "'")
    return [
        "",
        f'{marker} "{label}"',
        "",
        *blocks.indented(blocks.trim_blank(content_lines(conversion, item))),
        "",
    ]


def _tab_item(conversion: Conversion, directive: Directive) -> list[str]:
    return _tab_item_lines(conversion, directive, True)


def _tab_set_code(conversion: Conversion, directive: Directive) -> list[str]:
    """`tab-set-code`: each code block is a tab named by its language."""
    out: list[str] = []
    lines, index, first = directive.content, 0, True
    while index < len(lines):
        found = blocks.DIRECTIVE_OPEN.match(lines[index]) or blocks.CODE_OPEN.match(lines[index])
        if found is None:
            index += 1
            continue
        end = blocks.code_closing_line(lines, index, found.group("fence"))
        block = content_lines(conversion, directive, lines[index : end + 1])
        language = found.groupdict().get("arg") or found.groupdict().get("info") or "code"
        label = language.split()[0] if language.strip() else "code"
        out += [
            "",
            f'{"===!" if first else "==="} "{label}"',
            "",
            *blocks.indented(blocks.trim_blank(block)),
            "",
        ]
        first, index = False, end + 1
    return out


def _math(conversion: Conversion, directive: Directive) -> list[str]:
    from coursegen.myst.mathblocks import math_lines

    tex = "\n".join(line for line in [directive.argument, *directive.content] if line.strip())
    if "\\\\" in tex and "\\begin{" not in tex:  # Sphinx sets several lines as one aligned block
        tex = "\\begin{aligned}\n" + tex + "\n\\end{aligned}"
    label = directive.options.get("label") or directive.options.get("name")
    return math_lines(conversion, tex, label, directive.line)


def code_fence(language: str, code: list[str], attributes: str = "") -> list[str]:
    longest = max((len(run) for line in code for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return ["", f"{fence}{language}{attributes}", *code, fence, ""]


def _code_block(conversion: Conversion, directive: Directive) -> list[str]:
    options = directive.options
    language = _CODE_LANGUAGES.get(
        directive.argument.split()[0] if directive.argument else "",
        directive.argument.split()[0] if directive.argument else "",
    )
    attributes = ""
    if "linenos" in options or "lineno-start" in options:
        attributes += f' linenums="{options.get("lineno-start") or 1}"'
    if options.get("emphasize-lines"):
        attributes += f' hl_lines="{_line_ranges(options["emphasize-lines"])}"'
    if options.get("caption"):
        attributes += ' title="' + options["caption"].replace('"', "'") + '"'
    tags = options.get("tags", "")
    if directive.name == "code-cell" and ("remove-cell" in tags or "remove-input" in tags):
        return []
    anchor = named(conversion, directive, "code", options.get("caption", ""))
    code = blocks.trim_blank(directive.content)
    if options.get("dedent") is not None:
        import textwrap

        code = textwrap.dedent("\n".join(code)).split("\n")
    return anchor_lines(anchor) + code_fence(language, code, attributes)


def _line_ranges(text: str) -> str:
    """Sphinx's `1,3-5` → pymdownx's `1 3-5`."""
    return " ".join(part.strip() for part in text.split(",") if part.strip())


def _epigraph(conversion: Conversion, directive: Directive) -> list[str]:
    parts = blocks.paragraphs(content_lines(conversion, directive))
    if not parts:
        return []
    attribution = directive.options.get("attribution", "")
    if not attribution and parts[-1][0].lstrip().startswith(("--", "—")):
        attribution = " ".join(parts.pop()).lstrip("-— ")
    lines = [line for part in parts for line in [*part, ""]]
    if attribution:
        lines.append(f'<p class="attribution" markdown="span">— {attribution}</p>')
    return ["", f'<blockquote class="{directive.name}" markdown="1">', "", *lines, "", "</blockquote>", ""]


def _raw(conversion: Conversion, directive: Directive) -> list[str]:
    """`{raw} html`: written into the page as it is (and cleaned with the page when the course
    sets markdown.sanitize). Other formats (latex…) are for other outputs: Sphinx's HTML drops them."""
    if directive.argument.strip().lower() != "html":
        return []
    return ["", '<div class="raw-html">', *directive.content, "</div>", ""]


def _nothing(conversion: Conversion, directive: Directive) -> list[str]:
    """`contents`: the theme shows each page's table of contents already."""
    return []


def _index(conversion: Conversion, directive: Directive) -> list[str]:
    """`{index}`: entries collected for the course's index; nothing shows in the page."""
    entries = [directive.argument, *directive.content]
    conversion.scan.index_entries.extend(entry.strip() for entry in entries if entry.strip())
    return []


def _proof(conversion: Conversion, directive: Directive) -> list[str]:
    """sphinx-proof blocks: `Théorème 2 (Titre)`, numbered through the course (proofs are not)."""
    kind = directive.name
    word = conversion.words[kind]
    short = kind.partition(":")[2]
    title = word
    local = 0
    if kind != "prf:proof" and "nonumber" not in directive.options:
        local = conversion.number(kind)
        title = f"{word} {conversion.shown_number(kind, local)}"
    if directive.argument:
        title += f" ({directive.argument})"
    anchor = named(conversion, directive, kind, directive.argument or word, local)
    classes = ["proof", *([short] if short != "proof" else []), *_extra_classes(directive)]
    marker = "???" if "dropdown" in directive.options.get("class", "") else "!!!"
    return anchor_lines(anchor) + admonition_lines(
        marker, classes, title, content_lines(conversion, directive)
    )


def _div(conversion: Conversion, directive: Directive) -> list[str]:
    classes = " ".join([*directive.argument.split(), *_extra_classes(directive)])
    attribute = f' class="{html.escape(classes)}"' if classes else ""
    return [
        "",
        f"<div{attribute} markdown=\"1\">",
        "",
        *content_lines(conversion, directive),
        "",
        "</div>",
        "",
    ]


HANDLERS = {
    **dict.fromkeys(ADMONITIONS, _admonition),
    "admonition": _admonition,
    "dropdown": _dropdown,
    "margin": _aside,
    "sidebar": _aside,
    "topic": _aside,
    "tab-set": _tab_set,
    "tab-item": _tab_item,
    "tab-set-code": _tab_set_code,
    "figure": convert_figure,
    "image": convert_image,
    "table": convert_table,
    "list-table": convert_list_table,
    "math": _math,
    "code-block": _code_block,
    "code": _code_block,
    "sourcecode": _code_block,
    "code-cell": _code_block,
    "epigraph": _epigraph,
    "pull-quote": _epigraph,
    "highlights": _epigraph,
    "raw": _raw,
    "contents": _nothing,
    "tableofcontents": _nothing,
    "index": _index,
    "div": _div,
    "include": include,
    "literalinclude": literal_include,
}

KNOWN_OPTIONS = {
    "include": INCLUDE_OPTIONS,
    "literalinclude": LITERAL_OPTIONS,
    "figure": {"alt", "target"},
    "image": {"alt", "target"},
    "list-table": {"header-rows", "stub-columns", "widths"},
    "table": {"widths"},
    "math": {"nowrap"},
    "code-block": {"linenos", "lineno-start", "emphasize-lines", "caption", "dedent"},
    "code": {"linenos", "lineno-start", "emphasize-lines", "caption", "dedent", "number-lines"},
    "sourcecode": {"linenos", "lineno-start", "emphasize-lines", "caption", "dedent"},
    "code-cell": {"tags", "linenos", "emphasize-lines"},
    "contents": {"depth", "local", "backlinks"},
    "epigraph": {"attribution"},
    "exercise": {"label"},
    "exercise-start": {"label"},
    "solution": {"label"},
    "solution-start": {"label"},
    "glossary": {"sorted"},
    "bibliography": {"all", "filter", "style"},
    "card": {
        "link",
        "link-type",
        "link-alt",
        "img-top",
        "img-bottom",
        "img-alt",
        "shadow",
        "text-align",
        "header",
        "footer",
    },
    "grid-item-card": {
        "link",
        "link-type",
        "link-alt",
        "img-top",
        "img-bottom",
        "img-alt",
        "shadow",
        "text-align",
        "columns",
        "header",
        "footer",
    },
    "grid": {"gutter", "padding", "outline", "reverse"},
    "grid-item": {"columns", "child-direction", "child-align", "outline", "padding"},
    "dropdown": {"open"},
}
