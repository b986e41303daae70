"""MyST Markdown → the Markdown coursegen renders: directives become admonitions, collapsible
blocks, tabs, figures and tables; roles become links, math and plain HTML; targets become ids.

The same conversion runs twice per page: in the course-graph stage, with no label table, to find
the page's labels and references (`scan`), and when the body is rendered, with the table, to write
it. Both walk the page in the same order, so a block's number is the same in both."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coursegen.errors import Diagnostics
from coursegen.myst import blocks
from coursegen.myst.inline import substitute
from coursegen.myst.labels import Definition, LabelTable, PageScan, anchor_id
from coursegen.myst.unsupported import unsupported_block, unsupported_inline
from coursegen.myst.words import words
from coursegen.urls import relative_url

if TYPE_CHECKING:
    from coursegen.model import Course


@dataclass
class MystPage:
    """What the conversion needs to know of the page it converts."""

    rel: str  # source path from the course root, for messages
    url: str  # its site URL
    site_rel: str  # its site position (`A/x.md`), for `{doc}` paths
    title: str = ""
    title_heading: int | None = None  # body line of the heading the template shows as title
    language: str = "en"
    substitutions: dict = field(default_factory=dict)
    # for {include} and {literalinclude}: the page's folder, and the folder `/path` starts from
    source_dir: str = ""
    source_root: str = ""


class Conversion:
    """One page's MyST text converted; `scan` holds what it found."""

    def __init__(
        self,
        page: MystPage,
        diagnostics: Diagnostics,
        table: LabelTable | None = None,
        course: Course | None = None,
    ):
        self.page = page
        self.diagnostics = diagnostics
        self.table = table  # None: the scanning pass
        self.course = course
        self.words = words(page.language)
        self.scan = PageScan()
        self._counters: dict[str, int] = {}
        self._equations = 0
        self._title_dropped = page.title_heading is not None
        self.including: list = []  # the files being included, outermost first (includes.py)
        self.include_line = 0  # the page's line of the outermost {include} being read

    # ------------------------------------------------------------------------------------------
    # the walk

    def convert(self, text: str, first_line: int) -> str:
        return "\n".join(self.convert_lines(text.split("\n"), first_line))

    def convert_lines(self, lines: list[str], first_line: int, nested: bool = False) -> list[str]:
        """`first_line`: file line of lines[0] (0: no lines of their own, a notebook cell)."""
        from coursegen.myst.inline import convert_inline
        from coursegen.myst.mathblocks import display_math, environment_end, opens_display_math

        out: list[str] = []
        index = 0
        while index < len(lines):
            line = lines[index]
            line_no = first_line + index if first_line > 0 else None
            if (found := blocks.DIRECTIVE_OPEN.match(line)) is not None:
                index = self._directive(lines, index, first_line, found, out)
                continue
            if (found := blocks.CODE_OPEN.match(line)) is not None:
                end = blocks.code_closing_line(lines, index, found.group("fence"))
                out.extend(lines[index : end + 1])
                index = end + 1
                continue
            if (found := blocks.TARGET.match(line)) is not None:
                out.extend(self._target(found.group("label").strip(), lines, index, line_no, nested))
                index += 1
                continue
            if blocks.CELL_BREAK.match(line) or blocks.COMMENT.match(line):
                index += 1
                continue
            if opens_display_math(line):
                end, converted = display_math(self, lines, index, line_no)
                out.extend(converted)
                index = end + 1
                continue
            if line.lstrip().startswith("\\begin{") and (end := environment_end(lines, index)) is not None:
                out.extend(self._environment(lines[index : end + 1], line_no))
                index = end + 1
                continue
            if not nested and self._is_title(line):
                out.append("")  # the template shows the title: Jupyter Book pages put targets before it
                index += 1
                continue
            out.append(convert_inline(self, line, line_no))
            index += 1
        return out

    def _directive(self, lines: list[str], index: int, first_line: int, found, out: list[str]) -> int:
        """Convert the directive opening at `index`; the index of the line after it."""
        from coursegen.myst.directives import convert_directive

        end = blocks.closing_line(lines, index, found.group("fence"))
        directive = blocks.read_directive(lines, index, end, first_line, found)
        directive.argument = substitute(self, directive.argument, directive.line or None)
        after = end + 1
        if directive.name.endswith("-start"):  # sphinx-exercise: the content runs to its -end
            after = self._gated_content(directive, lines, after, first_line, found)
        converted = convert_directive(self, directive)
        indent = found.group("indent")
        out.extend([indent + line if line.strip() else "" for line in converted])
        return after

    def _gated_content(self, directive, lines: list[str], start: int, first_line: int, found) -> int:
        """`exercise-start` … `exercise-end`: the lines between become the directive's content."""
        closing = directive.name[: -len("-start")] + "-end"
        for index in range(start, len(lines)):
            end_found = blocks.DIRECTIVE_OPEN.match(lines[index])
            if end_found is not None and end_found.group("name").lower() == closing:
                end = blocks.closing_line(lines, index, end_found.group("fence"))
                directive.content = blocks.dedent(lines[start:index], found.group("indent"))
                directive.content_line = first_line + start if first_line > 0 else 0
                return end + 1
        self.report(
            directive.line,
            f"'{{{directive.name}}}' has no '{{{closing}}}'",
            f"close it with ```{{{closing}}}```",
        )
        return start

    def _is_title(self, line: str) -> bool:
        """The page's first `# heading` that the template shows as its title (parse.py takes it
        only when it comes first; in Jupyter Book pages targets and hidden cells come before it)."""
        if self._title_dropped or not line.startswith("# "):
            return False
        found = blocks.HEADING.match(line)
        if found is None or _heading_title(found.group("text")) != self.page.title:
            return False
        self._title_dropped = True
        return True

    def _target(
        self, name: str, lines: list[str], index: int, line_no: int | None, nested: bool
    ) -> list[str]:
        """`(label)=`: names the heading after it (its id becomes the label's), the page itself
        when that heading is the page title, else the place where it stands."""
        for after in range(index + 1, len(lines)):
            if not nested and after == self.page.title_heading:
                self.define(name, "page", self.page.title, line_no, anchor="")
                return []
            following = lines[after]
            if not following.strip():
                continue
            found = blocks.HEADING.match(following)
            if found is None:
                break
            title = _heading_title(found.group("text"))
            if (
                not nested
                and not self._title_dropped
                and len(found.group("marks")) == 1
                and title == self.page.title
            ):
                self.define(name, "page", title, line_no, anchor="")
                return []
            if "{#" in following:
                break
            anchor = self.define(name, "section", title, line_no)
            lines[after] = f"{following.rstrip()} {{#{anchor}}}"
            return []
        anchor = self.define(name, "target", "", line_no)
        return ["", f'<div id="{anchor}" class="myst-target"></div>', ""]

    # ------------------------------------------------------------------------------------------
    # labels, numbers, references

    def number(self, kind: str) -> int:
        """The next number of a block of `kind` in this page (1, 2…); `shown_number` makes it the
        course-wide one."""
        self._counters[kind] = self._counters.get(kind, 0) + 1
        self.scan.counts[kind] = self._counters[kind]
        return self._counters[kind]

    def shown_number(self, kind: str, local: int) -> str:
        start = self.table.start(self.page.url, kind) if self.table is not None else 0
        return str(start + local)

    def define(
        self, name: str, kind: str, title: str, line: int | None, local: int = 0, anchor: str | None = None
    ) -> str:
        """Record a label; its anchor (id) on the page."""
        anchor = anchor_id(name) if anchor is None else anchor
        self.scan.definitions.append(Definition(name, kind, anchor, title, line, local))
        return anchor

    def _environment(self, lines: list[str], line_no: int | None) -> list[str]:
        """An amsmath environment at the top level: coursegen numbers its rows; its `\\label`s
        are recorded with their row's number."""
        from coursegen.equations import equation_id
        from coursegen.myst.mathblocks import equation_rows

        tex = "\n".join(lines)
        first = self._equations + 1
        self._equations += equation_rows(tex)
        numbered_rows = 0
        for row in re.split(r"\\\\", tex):
            numbered = first <= self._equations and not re.search(r"\\(?:nonumber|notag)", row)
            for label in re.findall(r"\\label\{([^{}]+)\}", row):
                self.define(
                    label,
                    "equation",
                    row.strip(),
                    line_no,
                    local=first + numbered_rows,
                    anchor=equation_id(label),
                )
            numbered_rows += 1 if numbered else 0
        return lines

    def next_equation(self, rows: int) -> int:
        """The page number of the first of `rows` numbered equation rows (coursegen numbers them)."""
        first = self._equations + 1
        self._equations += rows
        return first

    def resolve(self, name: str, role: str, line: int | None, prefix: str = ""):
        """The label `name` refers to; a finding with a did-you-mean when there is none."""
        self.scan.uses.append(f"ref:{prefix}{name}")
        if self.table is None:
            return None
        label = self.table.get(prefix + name)
        if label is None:
            guess = self.table.suggest(prefix + name, prefix)
            hint = (
                f"did you mean '{guess[len(prefix) :]}'?"
                if guess
                else "define it with (label)= or :label:/:name:"
            )
            self.report(line, f"{{{role}}} '{name}' leads nowhere", hint, kind="links")
        return label

    def href(self, url: str, anchor: str) -> str:
        if url == self.page.url:
            return f"#{anchor}" if anchor else "#"
        return relative_url(url, self.page.url, anchor or None)

    # ------------------------------------------------------------------------------------------
    # findings

    def report(self, line: int | None, message: str, hint: str, kind: str = "unsupported") -> None:
        if self.table is None:  # the scanning pass: the rendering pass reports
            return
        if self.including:  # in an included file: at the page's {include}, naming the file
            line = self.include_line
            message += f" (in {os.path.relpath(self.including[-1], self.page.source_dir)})"
        self.diagnostics.warning(self.page.rel, message, hint, line=line or None, kind=kind)

    def unsupported(self, directive, what: str = "directive") -> list[str]:
        name = f"{{{directive.written_name or directive.name}}}"
        self.report(
            directive.line,
            f"MyST {what} {name} is not supported",
            "it is shown as written, in a 'not supported' block; rewrite it with supported syntax (README: MyST and Material syntax)",
        )
        return unsupported_block(name, directive.source, self.words["unsupported"], self.words["source"])

    def unsupported_role(self, name: str, text: str, line: int | None) -> str:
        self.report(
            line,
            f"MyST role {{{name}}} is not supported",
            "its text is shown, marked 'not supported'; rewrite it with supported syntax (README: MyST and Material syntax)",
        )
        return unsupported_inline(f"{{{name}}}", text, self.words["unsupported"])


def _heading_title(text: str) -> str:
    return re.sub(r"\s*\{[^}]*\}\s*$", "", text).strip()
