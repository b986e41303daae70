"""Directives that tie blocks together: sphinx-exercise's exercises and their solutions (as
coursegen's own `!!! exercise` and `??? solution`, collapsed until asked for), the glossary and
its `{term}`s, the `{bibliography}`, and sphinx-design's cards and grids."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from coursegen.myst import blocks

if TYPE_CHECKING:
    from coursegen.myst.blocks import Directive
    from coursegen.myst.convert import Conversion


def _exercise(conversion: Conversion, directive: Directive) -> list[str]:
    """`Exercice 3 (Titre)`, numbered through the course; `:nonumber:` keeps it unnumbered."""
    from coursegen.myst.directives import admonition_lines, anchor_lines, content_lines, named

    word = conversion.words["exercise"]
    local = 0 if "nonumber" in directive.options else conversion.number("exercise")
    title = f"{word} {conversion.shown_number('exercise', local)}" if local else word
    if directive.argument:
        title += f" ({directive.argument})"
    anchor = named(conversion, directive, "exercise", directive.argument or title, local)
    if "hidden" in directive.options:
        return anchor_lines(anchor)
    marker = "???" if "dropdown" in directive.options.get("class", "").split() else "!!!"
    return anchor_lines(anchor) + admonition_lines(
        marker, ["exercise"], title, content_lines(conversion, directive)
    )


def _solution(conversion: Conversion, directive: Directive) -> list[str]:
    """A solution names its exercise by label: `Solution de l'exercice 3`, a link to it, folded."""
    from coursegen.myst.directives import admonition_lines, anchor_lines, content_lines, named

    target = directive.argument.strip()
    title = conversion.words["solution"]
    if target:
        label = conversion.resolve(target, "solution", directive.line)
        if label is not None:
            shown = (
                f"{conversion.words['solution_to']} {label.number}"
                if label.number
                else f"{title} ({label.title})"
            )
            title = f"[{shown}]({conversion.href(label.url, label.anchor)})"
    else:
        conversion.report(
            directive.line,
            "{solution} names no exercise",
            "write the exercise's label after it: ```{solution} ex-label",
            kind="links",
        )
    anchor = named(conversion, directive, "solution", title)
    if "hidden" in directive.options:
        return anchor_lines(anchor)
    return anchor_lines(anchor) + admonition_lines(
        "???", ["solution"], title, content_lines(conversion, directive)
    )


def _glossary(conversion: Conversion, directive: Directive) -> list[str]:
    """`glossary`: terms at the start of a line, their definitions indented below → a definition
    list whose terms `{term}` links to."""
    out = [""]
    terms: list[str] = []
    definition: list[str] = []

    def flush() -> None:
        if not terms:
            return
        for term in terms:
            anchor = conversion.define(
                f"term:{term}", "term", term, directive.line, anchor=f"term-{_slug(term)}"
            )
            out.append(f'<span id="{anchor}"></span>{term}')
        converted = conversion.convert_lines(
            blocks.trim_blank(definition), directive.content_line, nested=True
        )
        body = blocks.indented(converted)
        if body:
            body[0] = ":   " + body[0][4:]
        out.extend([*body, ""])
        terms.clear()
        definition.clear()

    for line in directive.content:
        if line.strip() and not line[0].isspace():
            if definition:
                flush()
            terms.append(line.strip())
        elif terms:
            definition.append(line.strip() if not definition or line.strip() else "")
    flush()
    return out


def _slug(term: str) -> str:
    from coursegen.myst.labels import anchor_id

    return anchor_id(term)


def _bibliography(conversion: Conversion, directive: Directive) -> list[str]:
    from coursegen.myst.bibliography import bibliography_lines

    conversion.scan.uses.append("bibliography")
    if "all" in directive.options:
        conversion.scan.all_references = True
    return bibliography_lines(conversion, directive)


def _card(conversion: Conversion, directive: Directive) -> list[str]:
    """sphinx-design `card` / `grid-item-card`: a box with a title (a link with `:link:`)."""
    from coursegen.myst.directives import content_lines

    title = directive.argument
    link = directive.options.get("link", "")
    if title and link:
        title = f"[{title}]({link})"
    head = [f'<p class="myst-card-title" markdown="span">{title}</p>', ""] if title else []
    return [
        "",
        '<div class="myst-card" markdown="1">',
        "",
        *head,
        *blocks.trim_blank(content_lines(conversion, directive)),
        "",
        "</div>",
        "",
    ]


def _grid(conversion: Conversion, directive: Directive) -> list[str]:
    from coursegen.myst.directives import content_lines

    return [
        "",
        f'<div class="myst-{html.escape(directive.name)}" markdown="1">',
        "",
        *content_lines(conversion, directive),
        "",
        "</div>",
        "",
    ]


GATHERED = {
    "exercise": _exercise,
    "exercise-start": _exercise,
    "solution": _solution,
    "solution-start": _solution,
    "glossary": _glossary,
    "bibliography": _bibliography,
    "card": _card,
    "grid-item-card": _card,
    "grid": _grid,
    "grid-item": _grid,
}
