"""Math in Markdown, rendered at build time to MathML: no script, no network.

The delimiters ($…$, $$…$$, \\(…\\), \\[…\\], \\begin{env}…) are recognised with the patterns of
pymdownx.arithmatex ("smart" dollars, so prices like "5 $ et 10 $" stay text); the conversion is
latex2mathml's. Invalid LaTeX becomes a warning and is shown as code.
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
from pymdownx.arithmatex import (
    RE_BRACKET_BLOCK,
    RE_BRACKET_INLINE,
    RE_DOLLAR_BLOCK,
    RE_SMART_DOLLAR_INLINE,
    RE_TEX_BLOCK,
)

# Called with (latex, message) when a formula can't be converted; set per render by the caller.
MathErrorHandler = Callable[[str, str], None]


@functools.lru_cache(maxsize=4096)
def latex_to_mathml(latex: str, display: bool) -> str:
    """MathML for `latex`; raises ValueError when latex2mathml can't read it."""
    from latex2mathml.converter import convert  # imported on first formula only

    try:
        return convert(latex, display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises many kinds for bad input
        raise ValueError(str(error) or type(error).__name__) from None


class _InlineMath(InlineProcessor):
    def __init__(self, pattern: str, extension: "MathExtension", md):
        super().__init__(pattern, md)
        self.extension = extension

    def handleMatch(self, m, data):  # noqa: N802 (Markdown API)
        if m.group("display") is not None:  # $$…$$ written inside a paragraph
            return self.md.htmlStash.store(self.extension.to_html(m.group("display"), display=True)), m.start(0), m.end(0)
        groups = m.groups()[1:]
        escaped = groups[0] or (groups[3] if len(groups) > 3 else None)
        if escaped:  # an even run of backslashes before a delimiter: literal backslashes
            return escaped.replace("\\\\", "\\"), m.start(0), m.end(0)
        latex = groups[2] if groups[2] is not None else groups[5]
        markup = self.extension.to_html(latex, display=False)
        return self.md.htmlStash.store(markup), m.start(0), m.end(0)


class _BlockMath(BlockProcessor):
    def __init__(self, pattern: str, extension: "MathExtension", md):
        super().__init__(md.parser)
        self.pattern = re.compile(pattern)
        self.extension = extension
        self.match = None

    def test(self, parent, block):
        self.match = self.pattern.match(block)
        return self.match is not None

    def run(self, parent, blocks):
        blocks.pop(0)
        groups = self.match.groupdict()
        latex = groups.get("math") or groups.get("math2") or groups.get("math3") or ""
        wrapper = etree.SubElement(parent, "div", {"class": "math-display"})
        wrapper.text = self.parser.md.htmlStash.store(self.extension.to_html(latex, display=True))
        return True


class MathExtension(Extension):
    def __init__(self, renderer=None, **kwargs):
        self.on_error: MathErrorHandler | None = None
        self.renderer = renderer  # its `memo` (a FragmentMemo), when set, keeps converted formulas
        super().__init__(**kwargs)

    def to_html(self, latex: str, display: bool) -> str:
        latex_text = latex.strip()
        memo = getattr(self.renderer, "memo", None)
        try:
            convert = lambda: latex_to_mathml(latex_text, display)  # noqa: E731
            return memo.get("math", (latex_text, display), convert) if memo is not None else convert()
        except ValueError as error:
            if self.on_error:
                self.on_error(latex, str(error))
            tag = "pre" if display else "code"
            return f'<{tag} class="math-error">{html.escape(latex)}</{tag}>'

    def extendMarkdown(self, md):  # noqa: N802 (Markdown API)
        md.registerExtension(self)
        md.ESCAPED_CHARS.append("$")
        inline = _InlineMath(rf"(?:(?<!\\)\$\$(?P<display>(?:\\.|[^\\$])+?)\$\$|{RE_SMART_DOLLAR_INLINE}|{RE_BRACKET_INLINE})", self, md)
        md.inlinePatterns.register(inline, "coursegen-math-inline", 189.9)
        block = _BlockMath(rf"(?s)^(?:{RE_DOLLAR_BLOCK}|{RE_BRACKET_BLOCK}|{RE_TEX_BLOCK})[ ]*$", self, md)
        md.parser.blockprocessors.register(block, "coursegen-math-block", 79.9)
