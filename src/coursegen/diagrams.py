"""Mermaid diagrams (```mermaid fences) drawn as SVG when the site is built: no script, no network.

mermaidx runs Mermaid's own JavaScript in an embedded QuickJS engine, so the SVG is the one Mermaid
draws in a browser (flowcharts, sequence, class, state diagrams, gitGraph…). Each diagram is drawn
twice, with Mermaid's light and dark themes; the stylesheet shows the one of the page's colour
scheme. A diagram with a syntax error is a warning and is shown as code.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass

# Mermaid's labels are laid out with the metrics of DejaVu Sans, a wide font: the theme's system
# fonts are narrower, so labels always fit their boxes.
# handDrawnSeed: the sketchy strokes of class and state diagrams are seeded, not random, so the
# same source always gives the same SVG (and the same page, byte for byte).
_CONFIG = {
    "fontFamily": "system-ui, 'DejaVu Sans', Verdana, sans-serif",
    "securityLevel": "strict",
    "handDrawnSeed": 1,
}
_RENDER_ID = "my-svg"  # the id mermaidx gives every SVG (and the prefix of its markers' ids)
_ERROR_LINE = re.compile(r"(?:Parse|Lexical) error on line (\d+)")
_GIT_COMMIT = re.compile(r"^(\s*(?:commit|merge\s+\S+)\b)(?!.*\bid\s*:)(.*)$", re.MULTILINE)
_ACCESSIBLE = re.compile(r"^\s*(accTitle|accDescr)\s*:\s*(.+?)\s*$", re.MULTILINE)
_ACCESSIBLE_BLOCK = re.compile(r"^\s*accDescr\s*\{(.*?)\}", re.MULTILINE | re.DOTALL)
_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)
_TEXT = re.compile(r">([^<>]+)<")
_ROOT_ROLE = re.compile(r'^<svg([^>]*?) role="[^"]*"')
_ROOT_DESCRIBED = re.compile(r'^<svg([^>]*?) aria-(?:roledescription|labelledby|describedby)="[^"]*"')


class DiagramError(ValueError):
    """Mermaid could not read the diagram: `line` is the diagram's own line (1 = the first line
    after the fence), when Mermaid says which."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class DiagramSvgs:
    light: str
    dark: str


def draw(source: str) -> DiagramSvgs:
    """The diagram as SVG in Mermaid's light and dark themes; raises DiagramError."""
    uid = "cg-diagram-" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:10]
    return DiagramSvgs(_draw(source, "default", f"{uid}-light"), _draw(source, "dark", f"{uid}-dark"))


def _draw(source: str, theme: str, uid: str) -> str:
    try:
        import mermaidx  # loads QuickJS: only when a page has a diagram
    except Exception as error:  # a platform without its compiled parts: the diagram stays code
        raise DiagramError(f"mermaidx could not be loaded: {error}; reinstall coursegen", None) from None
    try:
        svg = mermaidx.render(_named_commits(source), theme=theme, config=dict(_CONFIG)).svg()
    except Exception as error:  # mermaidx reports Mermaid's errors as RuntimeError
        message = " ".join(str(error).replace("Mermaid rendering failed:", "").split())
        found = _ERROR_LINE.search(message)
        raise DiagramError(_short(message), int(found.group(1)) if found else None) from None
    svg = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    return svg.replace(_RENDER_ID, uid)  # ids unique in the page: two diagrams, two themes


def _named_commits(source: str) -> str:
    """gitGraph draws commits without an `id:` with a random one (and lays the page out around
    its width): give them ids made from the source, like Mermaid's (`0-1a2b3c4`), so the same
    source always gives the same page. Lines keep their numbers, for error messages."""
    first = next(
        (line.strip() for line in source.splitlines() if line.strip() and not line.strip().startswith("%%")),
        "",
    )
    if not first.startswith("gitGraph"):
        return source
    count = iter(range(10**6))
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()

    def named(match: re.Match) -> str:
        n = next(count)
        made = hashlib.sha256(f"{digest}{n}".encode()).hexdigest()[:7]
        return f'{match.group(1)} id: "{n}-{made}"{match.group(2)}'

    return _GIT_COMMIT.sub(named, source)


def _short(message: str, limit: int = 160) -> str:
    """Mermaid's reason without its ASCII-art pointer at the source (the line is given apart)."""
    message = message.removeprefix("Error:").strip()
    if "Expecting" in message:
        message = "parse error: e" + message[message.index("Expecting") + 1 :]
    elif found := _ERROR_LINE.search(message):
        message = message[: found.start()] + message[found.end() :].lstrip(": ")
    return message if len(message) <= limit else message[: limit - 1] + "…"


def text_alternative(source: str, svg: str, label: str) -> str:
    """What a screen reader says for the diagram: the author's accTitle/accDescr when the source
    has them (Mermaid's own accessibility syntax), else `label` ("Diagram: {words}") with the
    diagram's words in order."""
    given = {name: text for name, text in _ACCESSIBLE.findall(source) if text != "{"}
    block = _ACCESSIBLE_BLOCK.search(source)
    if block:
        given["accDescr"] = " ".join(block.group(1).split())
    if given:
        return ". ".join(part for part in (given.get("accTitle", ""), given.get("accDescr", "")) if part)
    words: list[str] = []
    for found in _TEXT.findall(_STYLE.sub("", svg)):
        text = " ".join(html.unescape(found).split())
        if text and text not in words:
            words.append(text)
    return label.replace("{words}", ", ".join(words)).strip(" :")


def figure_html(source: str, svgs: DiagramSvgs, label: str) -> str:
    """The two drawings in a figure named by its text alternative (one is shown at a time)."""
    uid = "cg-diagram-" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:10]
    alternative = text_alternative(source, svgs.light, label)
    parts = [f'<figure class="diagram" role="img" aria-labelledby="{uid}-alt">']
    for scheme, svg in (("light", svgs.light), ("dark", svgs.dark)):
        parts.append(f'<div class="diagram-{scheme}" aria-hidden="true">{_decorative(svg)}</div>')
    parts.append(
        f'<figcaption id="{uid}-alt" class="visually-hidden">{html.escape(alternative, quote=False)}</figcaption></figure>'
    )
    return "".join(parts)


def _decorative(svg: str) -> str:
    """The figure carries the name: the drawing itself is hidden from assistive technology."""
    svg = _ROOT_ROLE.sub(r"<svg\1", svg, count=1)
    while _ROOT_DESCRIBED.match(svg):
        svg = _ROOT_DESCRIBED.sub(r"<svg\1", svg, count=1)
    return svg.replace("<svg", '<svg focusable="false"', 1)
