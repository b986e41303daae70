"""Math in Markdown, rendered at build time to MathML Core: no script, no network.

The delimiters ($…$, $$…$$, \\(…\\), \\[…\\], \\begin{env}…) are recognised with the patterns of
pymdownx.arithmatex ("smart" dollars, so prices like "5 $ et 10 $" stay text). Formulas are first
left in the tree as <cg-math> elements, then converted in document order (a \\newcommand applies
to the formulas after it) by Temml (math_engine). LaTeX that can't be read becomes a warning and is
shown as code. Equation numbers and references are written by `equations.number_equations` once
the page is whole.
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as etree
from typing import Callable

from markdown import Extension
from markdown.blockprocessors import BlockProcessor
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString
from pymdownx.arithmatex import (
    RE_BRACKET_BLOCK,
    RE_BRACKET_INLINE,
    RE_DOLLAR_BLOCK,
    RE_SMART_DOLLAR_INLINE,
    RE_TEX_BLOCK,
)

from coursegen.equations import prepare, text_reference
from coursegen.math_engine import MathProblem
from coursegen.math_macros import PageMacros

# Called with (latex, problem) when a formula can't be converted; set per render by the caller.
MathErrorHandler = Callable[[str, MathProblem], None]
_FORMULA = "cg-math"  # the element a formula waits in until the whole page is parsed
_TEXT_REFERENCE = r"(?<!\\)\\(eqref|ref)\{([^{}\s]+)\}"


@functools.lru_cache(maxsize=4096)
def latex_to_mathml(latex: str, display: bool, macros: tuple = ()) -> str:
    """MathML for `latex` with `macros` ((name, body) pairs); raises MathProblem (a ValueError)
    when Temml can't read it. The engine starts on the first formula of the process."""
    from coursegen.math_engine import temml_engine

    return temml_engine().render(latex, display, dict(macros))


def _formula(latex: str, display: bool) -> etree.Element:
    element = etree.Element(_FORMULA, {"display": "block" if display else "inline"})
    element.text = AtomicString(latex)
    return element


class _InlineMath(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802 (Markdown API)
        if m.group("display") is not None:  # $$…$$ written inside a paragraph
            return _formula(m.group("display"), True), m.start(0), m.end(0)
        groups = m.groups()[1:]
        escaped = groups[0] or (groups[3] if len(groups) > 3 else None)
        if escaped:  # an even run of backslashes before a delimiter: literal backslashes
            return escaped.replace("\\\\", "\\"), m.start(0), m.end(0)
        latex = groups[2] if groups[2] is not None else groups[5]
        return _formula(latex, False), m.start(0), m.end(0)


class _TextReference(InlineProcessor):
    """`\\eqref{eq:lin}` written in the text: a link to the equation, numbered with the page."""

    def handleMatch(self, m, data):  # noqa: N802 (Markdown API)
        return self.md.htmlStash.store(text_reference(m.group(2), m.group(1) == "eqref")), m.start(0), m.end(0)


class _BlockMath(BlockProcessor):
    def __init__(self, pattern: str, md):
        super().__init__(md.parser)
        self.pattern = re.compile(pattern)
        self.match = None

    def test(self, parent, block):
        self.match = self.pattern.match(block)
        return self.match is not None

    def run(self, parent, blocks):
        blocks.pop(0)
        groups = self.match.groupdict()
        latex = groups.get("math") or groups.get("math2") or groups.get("math3") or ""
        wrapper = etree.SubElement(parent, "div", {"class": "math-display"})
        wrapper.append(_formula(latex, True))
        return True


class _ConvertFormulas(Treeprocessor):
    """Every formula of the document, in document order, to MathML (stashed as raw HTML)."""

    def __init__(self, md, extension: "MathExtension"):
        super().__init__(md)
        self.extension = extension

    def run(self, root):
        parents = {child: parent for parent in root.iter() for child in parent}
        for element in [e for e in root.iter(_FORMULA)]:
            markup = self.extension.to_html(element.text or "", element.get("display") == "block")
            parent = parents[element]
            if not markup and parent.get("class") == "math-display" and len(parent) == 1:
                parents[parent].remove(parent)  # a display formula that only defined macros
                continue
            _replace_with_text(parent, element, self.md.htmlStash.store(markup) if markup else "")


def _replace_with_text(parent, element, text: str) -> None:
    index = list(parent).index(element)
    joined = text + (element.tail or "")
    if index == 0:
        parent.text = (parent.text or "") + joined
    else:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + joined
    parent.remove(element)


class MathExtension(Extension):
    def __init__(self, renderer=None, course_macros: dict[str, str] | None = None, **kwargs):
        self.on_error: MathErrorHandler | None = None
        self.renderer = renderer  # its `memo` (a FragmentMemo), when set, keeps converted formulas
        self.course_macros = dict(course_macros or {})
        self.page = PageMacros(self.course_macros)  # replaced for each page (see MarkdownRenderer)
        super().__init__(**kwargs)

    def to_html(self, latex: str, display: bool) -> str:
        memo = getattr(self.renderer, "memo", None)
        try:
            body = self.page.take_definitions(latex.strip())
            if not body.strip() and body != latex.strip():
                return ""  # only definitions: they show nothing
            tex, macros = prepare(body.strip(), display), self.page.key()
            convert = lambda: latex_to_mathml(tex, display, macros)  # noqa: E731
            return memo.get("math", (tex, display, macros), convert) if memo is not None else convert()
        except MathProblem as problem:
            if self.on_error:
                self.on_error(latex, problem)
            tag = "pre" if display else "code"
            return f'<{tag} class="math-error">{html.escape(latex)}</{tag}>'

    def extendMarkdown(self, md):  # noqa: N802 (Markdown API)
        md.registerExtension(self)
        md.ESCAPED_CHARS.append("$")
        inline = _InlineMath(rf"(?:(?<!\\)\$\$(?P<display>(?:\\.|[^\\$])+?)\$\$|{RE_SMART_DOLLAR_INLINE}|{RE_BRACKET_INLINE})", md)
        md.inlinePatterns.register(inline, "coursegen-math-inline", 189.9)
        md.inlinePatterns.register(_TextReference(_TEXT_REFERENCE, md), "coursegen-math-reference", 189.8)
        block = _BlockMath(rf"(?s)^(?:{RE_DOLLAR_BLOCK}|{RE_BRACKET_BLOCK}|{RE_TEX_BLOCK})[ ]*$", md)
        md.parser.blockprocessors.register(block, "coursegen-math-block", 79.9)
        md.treeprocessors.register(_ConvertFormulas(md, self), "coursegen-math", 19)
