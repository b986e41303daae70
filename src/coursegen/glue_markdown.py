"""The glue roles and directives in Markdown (lessons and notebooks' Markdown cells), replaced by
their values before Python-Markdown reads the text:

    {glue}`key`   {glue:}`key`   {glue:any}`key`   {glue:text}`key:.2f`   {glue:md}`key`
    {glue:math}`key`   {glue:text}`path/to/notebook.ipynb::key:.1%`

    ```{glue:figure} key        (or ```{glue} key, ```{glue:math} key; also in ::: fences)
    :name: fig-label
    The caption, in Markdown.
    ```

Text inside other code fences is left alone. Values are HTML kept aside by Python-Markdown (never
read as Markdown again); formulas become `$…$`/`$$…$$` for the course's math pipeline. A missing
value is a warning at the reference's line and a visible marker on the page.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from coursegen.glue import GlueMap, missing_marker, render_glue, strip_math

if TYPE_CHECKING:
    from coursegen.markdown_render import MarkdownRenderer

_ROLE = re.compile(r"\{glue(?::(any|text|md|math|figure)?)?\}`([^`\n]+)`")
_DIRECTIVE = re.compile(r"^( {0,3})(`{3,}|:{3,})\{glue(?::(any|text|md|math|figure)?)?\}[ \t]*(\S*)\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_OPTION = re.compile(r"^:(\w[\w-]*):\s*(.*)$")
_CODE_SPAN = re.compile(r"(``+)(.+?)\1")  # a role shown as code: ``{glue}`key` ``
_SLOT = re.compile(r'<(span|div) class="cg-glue-slot" data-slot="(\d+)"></\1>')
_MISSING_HINT = "build with --execute (or save the notebook with its outputs), or check the key's spelling"


def register_glue(renderer: MarkdownRenderer, glue_map: GlueMap) -> None:
    """Read glue references in every text `renderer` converts (before the HTML blocks are set aside)."""
    reader = GluePreprocessor(renderer.md, renderer, glue_map)
    renderer.md.preprocessors.register(reader, "coursegen-glue", 28)
    # after the raw HTML is back (30): the link checks of raw HTML never see the values' data: images
    renderer.md.postprocessors.register(_GlueValues(renderer.md, reader), "coursegen-glue-values", 5)


class _GlueValues(Postprocessor):
    def __init__(self, md, reader: GluePreprocessor):
        super().__init__(md)
        self.reader = reader

    def run(self, text: str) -> str:
        # also run on other fragments (the toc extension's): the values stay until the next text
        if not self.reader.values or "cg-glue-slot" not in text:
            return text
        return _SLOT.sub(lambda match: self.reader.values[int(match.group(2))], text)


class GluePreprocessor(Preprocessor):
    def __init__(self, md, renderer: MarkdownRenderer, glue_map: GlueMap):
        super().__init__(md)
        self.renderer = renderer
        self.glue_map = glue_map
        self.values: list[str] = []  # the HTML of this text's references, put back by _GlueValues

    def run(self, lines: list[str]) -> list[str]:
        self.values = []
        if not any("{glue" in line for line in lines):
            return lines
        result: list[str] = []
        fence = ""  # the code fence that is open, "" outside
        index = 0
        while index < len(lines):
            line = lines[index]
            directive = _DIRECTIVE.match(line) if not fence else None
            if directive:
                index = self._directive(lines, index, directive, result)
                continue
            opening = _FENCE.match(line)
            if opening and (
                not fence or (opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence))
            ):
                fence = "" if fence else opening.group(1)
            result.append(line if fence or "{glue" not in line else self._roles(line, index))
            index += 1
        return result

    def _roles(self, line: str, index: int) -> str:
        pieces, last = [], 0
        for span in _CODE_SPAN.finditer(line):  # left as written inside code spans
            pieces += [self._roles_in(line[last : span.start()], index), span.group(0)]
            last = span.end()
        return "".join([*pieces, self._roles_in(line[last:], index)])

    def _roles_in(self, text: str, index: int) -> str:
        return _ROLE.sub(lambda match: self._role(match.group(1) or "any", match.group(2), index), text)

    def _role(self, kind: str, body: str, index: int) -> str:
        key, spec = body.strip(), ""
        if kind == "text":
            path, _, rest = key.rpartition("::")
            rest, _, spec = rest.partition(":")
            key = f"{path}::{rest}" if path else rest
        if kind == "md":  # Markdown to read with the rest of the text
            bundle, why = self.glue_map.find(key, self._page_rel())
            if bundle is not None and isinstance(bundle.get("text/markdown"), str):
                return " ".join(bundle["text/markdown"].split("\n"))
            self._report(kind, key, why or f"the value glued as '{key}' has no text/markdown form", index)
            return self._stash(missing_marker(key, self.glue_map.missing_label))
        if kind == "math" or kind == "any" and self._is_math_only(key):
            latex = self._latex(key, kind, index)
            return (
                f"${latex}$"
                if latex is not None
                else self._stash(missing_marker(key, self.glue_map.missing_label))
            )
        return self._stash(self._html(kind, key, spec, index))

    def _directive(self, lines: list[str], start: int, match: re.Match, result: list[str]) -> int:
        indent, fence, kind, key = match.group(1), match.group(2), match.group(3) or "any", match.group(4)
        end = start + 1
        while end < len(lines) and not (
            lines[end].strip().startswith(fence[0] * len(fence)) and not lines[end].strip().strip(fence[0])
        ):
            end += 1
        body = lines[start + 1 : end]
        options = {}
        while body and _OPTION.match(body[0].strip()):
            name, value = _OPTION.match(body[0].strip()).groups()
            options[name] = value
            body = body[1:]
        caption = "\n".join(body).strip()
        if kind == "math" or kind == "any" and self._is_math_only(key):
            latex = self._latex(key, kind, start)
            if latex is None:
                block = self._stash(missing_marker(key, self.glue_map.missing_label), block=True)
            else:
                block = f"$$\n{latex}\n$$"
            result.extend(["", *(indent + text for text in block.split("\n")), ""])
            return end + 1
        shown = self._html(kind, key, self._caption_html(caption) if kind == "figure" else "", start)
        if options.get("name"):
            shown = f'<div id="{html.escape(options["name"])}" class="glue-target">{shown}</div>'
        result.extend(["", indent + self._stash(shown, block=True), ""])
        return end + 1

    def _caption_html(self, caption: str) -> str:
        if not caption:
            return ""
        import markdown

        return markdown.markdown(caption).removeprefix("<p>").removesuffix("</p>")

    def _is_math_only(self, key: str) -> bool:
        bundle, _ = self.glue_map.find(key, self._page_rel())
        return (
            bundle is not None and "text/latex" in bundle and not {"text/html", "image/png"} & bundle.keys()
        )

    def _latex(self, key: str, kind: str, index: int) -> str | None:
        bundle, why = self.glue_map.find(key, self._page_rel())
        latex = bundle.get("text/latex") if bundle is not None else None
        if not isinstance(latex, str):
            self._report(kind, key, why or f"the value glued as '{key}' has no text/latex form", index)
            return None
        return strip_math(latex)

    def _html(self, kind: str, key: str, spec: str, index: int) -> str:
        problems: list[str] = []
        shown = render_glue(kind, key, spec, self.glue_map, self._page_rel(), problems)
        for problem in problems:
            self._report(kind, key, problem, index)
        return shown

    def _stash(self, html_text: str, block: bool = False) -> str:
        self.values.append(html_text)
        tag = "div" if block else "span"  # a block is no paragraph's content
        return self.md.htmlStash.store(
            f'<{tag} class="cg-glue-slot" data-slot="{len(self.values) - 1}"></{tag}>'
        )

    def _page_rel(self) -> str:
        state = self.renderer.state
        return state.page.rel if state is not None else ""

    def _report(self, kind: str, key: str, why: str, index: int) -> None:
        state = self.renderer.state
        if state is None:
            return
        # found in the page's own text: a MyST page reaches here converted, its lines moved
        line = state.line_of(f"`{key}", key) or (state.first_line + index if state.first_line else None)
        role = "glue" if kind == "any" else f"glue:{kind}"
        state.diagnostics.warning(
            state.page.rel,
            f"{{{role}}} '{key}' has no value: {why}",
            _MISSING_HINT,
            line=line,
            kind="notebook",
        )
