"""Math in Markdown, rendered at build time to MathML Core: no script, no network.

The delimiters ($…$, $$…$$, \\(…\\), \\[…\\], \\begin{env}…) are recognised with the patterns of
pymdownx.arithmatex ("smart" dollars, so prices like "5 $ et 10 $" stay text). Formulas are first
left in the tree as <cg-math> elements, then converted in document order (a \\newcommand applies
to the formulas after it) by Temml (math_engine). LaTeX that can't be read becomes a warning and is
shown as code. Equation numbers and references are written by `equations.number_equations` once
the page is whole.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass

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


def convert_formulas(formulas: list[tuple[str, bool, tuple]]) -> list[str | MathProblem]:
    """MathML (or the problem) for each (latex, display, macros as (name, body) pairs), in one call
    to the engine, which starts on the first formula of the process."""
    from coursegen.math_engine import temml_engine

    return temml_engine().render_many(formulas) if formulas else []


def latex_to_mathml(latex: str, display: bool, macros: tuple = ()) -> str:
    """MathML for one formula; raises MathProblem (a ValueError) when Temml can't read it."""
    result = convert_formulas([(latex, display, macros)])[0]
    if isinstance(result, MathProblem):
        raise result
    return result


@dataclass
class _Planned:
    """A formula ready for the engine: its LaTeX as written, and what is sent (labels encoded,
    definitions taken out); `markup` is set when nothing needs converting."""

    latex: str
    display: bool
    inputs: tuple = ()  # (tex, display, macros)
    markup: str | None = None


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
        return (
            self.md.htmlStash.store(text_reference(m.group(2), m.group(1) == "eqref")),
            m.start(0),
            m.end(0),
        )


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
    """Every formula of the document to MathML (stashed as raw HTML): planned in document order
    (a definition applies to the formulas after it), converted together in one engine call."""

    def __init__(self, md, extension: MathExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, root):
        elements = list(root.iter(_FORMULA))
        if not elements:
            return
        parents = {child: parent for parent in root.iter() for child in parent}
        planned = [
            self.extension.plan(element.text or "", element.get("display") == "block") for element in elements
        ]
        for element, formula in zip(elements, self.extension.finish(planned)):
            parent = parents[element]
            if not formula and parent.get("class") == "math-display" and len(parent) == 1:
                parents[parent].remove(parent)  # a display formula that only defined macros
                continue
            _replace_with_text(parent, element, self.md.htmlStash.store(formula) if formula else "")


def _mathml(result: str | MathProblem) -> str:
    if isinstance(result, MathProblem):
        raise result
    return result


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

    def plan(self, latex: str, display: bool) -> _Planned:
        """What to send to the engine for one formula; the page's macros take its definitions."""
        try:
            body = self.page.take_definitions(latex.strip())
        except MathProblem as problem:
            return _Planned(latex, display, markup=self._problem(latex, display, problem))
        if not body.strip() and body != latex.strip():
            return _Planned(latex, display, markup="")  # only definitions: they show nothing
        return _Planned(latex, display, (prepare(body.strip(), display), display, self.page.key()))

    def finish(self, planned: list[_Planned]) -> list[str]:
        """The markup of each planned formula: from the page's memo, else from one engine call."""
        memo = getattr(self.renderer, "memo", None)
        missing = list(
            dict.fromkeys(
                f.inputs
                for f in planned
                if f.markup is None and (memo is None or memo.peek("math", f.inputs) is None)
            )
        )
        converted = dict(zip(missing, convert_formulas(missing)))
        markups = []
        for formula in planned:
            if formula.markup is not None:
                markups.append(formula.markup)
                continue
            try:
                markups.append(
                    memo.get("math", formula.inputs, lambda inputs=formula.inputs: _mathml(converted[inputs]))
                    if memo is not None
                    else _mathml(converted[formula.inputs])
                )
            except MathProblem as problem:
                markups.append(self._problem(formula.latex, formula.display, problem))
        return markups

    def _problem(self, latex: str, display: bool, problem: MathProblem) -> str:
        if self.on_error:
            self.on_error(latex, problem)
        tag = "pre" if display else "code"
        return f'<{tag} class="math-error">{html.escape(latex)}</{tag}>'

    def extendMarkdown(self, md):  # noqa: N802 (Markdown API)
        md.registerExtension(self)
        md.ESCAPED_CHARS.append("$")
        inline = _InlineMath(
            rf"(?:(?<!\\)\$\$(?P<display>(?:\\.|[^\\$])+?)\$\$|{RE_SMART_DOLLAR_INLINE}|{RE_BRACKET_INLINE})",
            md,
        )
        md.inlinePatterns.register(inline, "coursegen-math-inline", 189.9)
        md.inlinePatterns.register(_TextReference(_TEXT_REFERENCE, md), "coursegen-math-reference", 189.8)
        block = _BlockMath(rf"(?s)^(?:{RE_DOLLAR_BLOCK}|{RE_BRACKET_BLOCK}|{RE_TEX_BLOCK})[ ]*$", md)
        md.parser.blockprocessors.register(block, "coursegen-math-block", 79.9)
        md.treeprocessors.register(_ConvertFormulas(md, self), "coursegen-math", 19)
