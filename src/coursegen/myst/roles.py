"""MyST roles → Markdown or inline HTML. Cross-references take their target from the course-wide
label table (labels.py); an unknown target is a finding with a did-you-mean."""

from __future__ import annotations

import html
import posixpath
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coursegen.myst.convert import Conversion

_EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
_ABBREVIATION = re.compile(r"^(?P<short>.*?)\s*\((?P<long>[^()]*)\)$")


def split_target(text: str) -> tuple[str, str]:
    """`Le modèle <model-eq>` → ("Le modèle", "model-eq"); `model-eq` → ("", "model-eq")."""
    found = _EXPLICIT.match(text)
    if found is None:
        return "", text.strip()
    return found.group("text").strip(), found.group("target").strip()


def markdown_link(text: str, href: str) -> str:
    escaped = text.replace("[", "\\[").replace("]", "\\]")
    return f"[{escaped}]({href})"


# myst-nb's glue roles and directives (values from executed notebooks): glue_markdown.py's part
GLUE_NAMES = {"glue", "glue:", "glue:any", "glue:text", "glue:md", "glue:math", "glue:figure"}


def convert_role(conversion: Conversion, name: str, text: str, line: int | None) -> str:
    handler = ROLES.get(name.lower())
    if handler is None:
        if name.lower().startswith("cite"):
            from coursegen.myst.bibliography import cite_role

            return cite_role(conversion, name.lower(), text, line)
        if (
            name.lower() in GLUE_NAMES
        ):  # left as written: glue_markdown.py reads them with the notebooks' values
            return f"{{{name}}}`{text}`"
        return conversion.unsupported_role(name, text, line)
    return handler(conversion, text, line)


def _ref(conversion: Conversion, text: str, line: int | None) -> str:
    shown, target = split_target(text)
    label = conversion.resolve(target, "ref", line)
    if label is None:
        return html.escape(shown or target)
    if not shown:
        shown = label.title or _numbered_name(conversion, label) or target
    return markdown_link(shown, conversion.href(label.url, label.anchor))


def _numref(conversion: Conversion, text: str, line: int | None) -> str:
    shown, target = split_target(text)
    label = conversion.resolve(target, "numref", line)
    if label is None:
        return html.escape(shown or target)
    if not label.number:
        conversion.report(
            line,
            f"{{numref}} '{target}' names a block without a number",
            "use {ref} for it, or give the figure a caption",
            kind="links",
        )
    number = label.number or "?"
    if shown:
        shown = shown.replace("%s", number).replace("{number}", number).replace("{name}", label.title)
    else:
        shown = f"{_kind_word(conversion, label.kind)} {number}"
    return markdown_link(shown, conversion.href(label.url, label.anchor))


def _eq(conversion: Conversion, text: str, line: int | None) -> str:
    shown, target = split_target(text)
    label = conversion.resolve(target, "eq", line)
    if label is None:
        return html.escape(f"({shown or target})")
    if label.url == conversion.page.url and not shown:
        return f"\\eqref{{{target}}}"  # numbered with the page's equations (equations.py)
    return markdown_link(shown or f"({label.number})", conversion.href(label.url, label.anchor))


def _prf_ref(conversion: Conversion, text: str, line: int | None) -> str:
    shown, target = split_target(text)
    label = conversion.resolve(target, "prf:ref", line)
    if label is None:
        return html.escape(shown or target)
    return markdown_link(
        shown or _numbered_name(conversion, label) or label.title, conversion.href(label.url, label.anchor)
    )


def _doc(conversion: Conversion, text: str, line: int | None) -> str:
    """`{doc}`../intro`` or `{doc}`Le début </intro>``: a page, by its path without extension,
    relative to this page (or, starting with `/`, to the course)."""
    shown, target = split_target(text)
    base = posixpath.dirname(conversion.page.site_rel)
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
    path = posixpath.normpath(posixpath.splitext(path)[0] if path.endswith((".md", ".ipynb")) else path)
    conversion.scan.uses.append(f"doc:{path}")
    if conversion.table is None:
        return html.escape(shown or target)
    found = conversion.table.pages.get(path)
    if found is None:
        guess = _close_page(conversion, path)
        hint = (
            f"did you mean '{guess}'?"
            if guess
            else "give the page's path without extension, relative to this page"
        )
        conversion.report(line, f"{{doc}} '{target}' leads nowhere", hint, kind="links")
        return html.escape(shown or target)
    url, title = found
    return markdown_link(shown or title, conversion.href(url, ""))


def _close_page(conversion: Conversion, path: str) -> str:
    import difflib

    close = difflib.get_close_matches(path, list(conversion.table.pages), n=1, cutoff=0.6)
    if not close:
        return ""
    return posixpath.relpath(close[0], posixpath.dirname(conversion.page.site_rel) or ".")


def _term(conversion: Conversion, text: str, line: int | None) -> str:
    shown, target = split_target(text)
    label = conversion.resolve(target, "term", line, prefix="term:")
    if label is None:
        return html.escape(shown or target)
    return markdown_link(shown or target, conversion.href(label.url, label.anchor))


def _download(conversion: Conversion, text: str, line: int | None) -> str:
    shown, target = split_target(text)
    return markdown_link(shown or posixpath.basename(target), target)


def _index(conversion: Conversion, text: str, line: int | None) -> str:
    shown, target = split_target(text)
    conversion.scan.index_entries.append(target)
    return html.escape(shown or target)


def _abbr(conversion: Conversion, text: str, line: int | None) -> str:
    found = _ABBREVIATION.match(text)
    if found is None:
        return f"<abbr>{html.escape(text)}</abbr>"
    return f'<abbr title="{html.escape(found.group("long"))}">{html.escape(found.group("short"))}</abbr>'


def _tag(tag: str):
    return lambda conversion, text, line: f"<{tag}>{html.escape(text)}</{tag}>"


def _math(conversion: Conversion, text: str, line: int | None) -> str:
    return f"${text}$"


def _literal(conversion: Conversion, text: str, line: int | None) -> str:
    return f"<code>{html.escape(text)}</code>"


def _kind_word(conversion: Conversion, kind: str) -> str:
    return conversion.words.get(kind, conversion.words["section"])


def _numbered_name(conversion: Conversion, label) -> str:
    if label.kind == "equation":
        return f"({label.number})"
    if not label.number:
        return ""
    return f"{_kind_word(conversion, label.kind)} {label.number}"


ROLES = {
    "ref": _ref,
    "numref": _numref,
    "eq": _eq,
    "prf:ref": _prf_ref,
    "doc": _doc,
    "term": _term,
    "download": _download,
    "index": _index,
    "abbr": _abbr,
    "sub": _tag("sub"),
    "sup": _tag("sup"),
    "kbd": _tag("kbd"),
    "math": _math,
    "code": _literal,
    "samp": _literal,
    "file": _literal,
    "command": _tag("strong"),
    "guilabel": _tag("strong"),
    "menuselection": _tag("strong"),
    "emphasis": _tag("em"),
    "strong": _tag("strong"),
}
