"""One line of MyST prose: roles (`{ref}`label``), substitutions (`{{ key }}`) and Markdown links
to labels (`[texte](label)`), outside code spans. Code fences never reach here (convert.py)."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coursegen.myst.convert import Conversion

_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_ROLE_NAME = re.compile(r"\{(?P<name>[A-Za-z][\w:+.-]*)\}$")
_SUBSTITUTION = re.compile(r"\{\{\s*(?P<key>[\w.-]+)\s*\}\}")
_LABEL_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]*)\]\((?P<target>#?[^()\s/]+)\)")
_URL_LIKE = re.compile(r"^(?:https?|ftp|mailto|tel|file|data|javascript):", re.IGNORECASE)


def convert_inline(conversion: Conversion, line: str, line_no: int | None) -> str:
    """The line with its roles, substitutions and label links converted."""
    if "{" not in line and "](" not in line:
        return line  # most lines: nothing to do
    from coursegen.myst.roles import convert_role

    out: list[str] = []
    position = 0
    for span in _CODE_SPAN.finditer(line):
        before = line[position : span.start()]
        role = _ROLE_NAME.search(before)
        if role is None:
            out.append(_prose(conversion, before, line_no))
            out.append(span.group(0))
        else:
            out.append(_prose(conversion, before[: role.start()], line_no))
            out.append(convert_role(conversion, role.group("name"), span.group(2).strip(), line_no))
        position = span.end()
    out.append(_prose(conversion, line[position:], line_no))
    return "".join(out)


def substitute(conversion: Conversion, text: str, line_no: int | None) -> str:
    """`{{ key }}` → the value of markdown.substitutions (or the front matter's `substitutions`)."""
    if "{{" not in text:
        return text
    return _SUBSTITUTION.sub(lambda found: _substitute(conversion, found, line_no), text)


def _prose(conversion: Conversion, text: str, line_no: int | None) -> str:
    text = substitute(conversion, text, line_no)
    if "](" in text:
        text = _LABEL_LINK.sub(lambda found: _label_link(conversion, found, line_no), text)
    return text


def _substitute(conversion: Conversion, found: re.Match, line_no: int | None) -> str:
    key = found.group("key")
    value = conversion.page.substitutions.get(key)
    if value is None:
        conversion.report(
            line_no,
            f"substitution '{{{{ {key} }}}}' is not defined",
            "define it in course.yml (markdown: {substitutions: {"
            + key
            + ": …}}) or in the page's front matter",
            kind="markdown",
        )
        return f'<span class="unsupported" title="{html.escape(key)}">{html.escape(key)}</span>'
    return str(value)


def _label_link(conversion: Conversion, found: re.Match, line_no: int | None) -> str:
    """MyST lets a Markdown link name a label: `[the model](model-eq)`, `[](#fig-a)`. A target
    that is a label becomes a link to it; any other is left to the link checker."""
    target = found.group("target")
    name = target[1:] if target.startswith("#") else target
    if not name or (name is target and (_URL_LIKE.match(name) or "." in name)):
        return found.group(0)
    conversion.scan.uses.append(f"ref:{name}")
    label = conversion.table.get(name) if conversion.table is not None else None
    if label is None:
        return found.group(0)
    text = found.group("text") or label.title or name
    return f"[{text}]({conversion.href(label.url, label.anchor)})"
