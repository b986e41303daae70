"""Display math in MyST: `$$ … $$ (label)`, the `{math}` directive with `:label:`, and amsmath
environments at the top level. They become coursegen's own `$$ … \\label{…} $$`, which the math
stage numbers (equations.py); the rows counted here give a `{eq}` from another page its number."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from coursegen.equations import equation_id

if TYPE_CHECKING:
    from coursegen.myst.convert import Conversion

_CLOSING = re.compile(r"^(?P<tex>.*?)\$\$[ \t]*(?:\((?P<label>[^()]+)\))?[ \t]*$")
_NUMBERED = re.compile(
    r"\\begin\{(equation|align|alignat|gather|multline|flalign)\}(.*?)\\end\{\1\}", re.DOTALL
)
_SKIP_ROW = re.compile(r"\\(?:nonumber|notag)(?![A-Za-z])")
_ROW_END = re.compile(r"\\\\")
_ENVIRONMENT = re.compile(r"^[ \t]*\\begin\{(?P<name>[A-Za-z]+\*?)\}")


def equation_rows(tex: str) -> int:
    """How many numbers coursegen gives the formula `tex`: one per row of a numbered environment
    (`equation`, `align`, `gather`… not their starred forms), less the `\\nonumber` rows."""
    rows = 0
    for found in _NUMBERED.finditer(tex):
        body = found.group(2)
        count = 1 if found.group(1) in ("equation", "multline") else len(_ROW_END.findall(body)) + 1
        rows += max(0, count - len(_SKIP_ROW.findall(body)))
    return rows


def opens_display_math(line: str) -> bool:
    """A line that starts a `$$` block: `$$` alone, `$$ x = 1 $$ (label)`, or `$$` and the formula's
    first line; not a paragraph that only starts with an inline `$$x$$` and goes on."""
    stripped = line.lstrip()
    if not stripped.startswith("$$"):
        return False
    rest = stripped[2:]
    return "$$" not in rest or _CLOSING.match(rest) is not None


def display_math(
    conversion: Conversion, lines: list[str], index: int, line_no: int | None
) -> tuple[int, list[str]]:
    """The `$$` block opening at `index`: (index of its last line, the lines to write)."""
    opening = lines[index].lstrip()[2:]
    if (found := _CLOSING.match(opening)) is not None:
        end, tex_lines, label = index, [found.group("tex")], found.group("label")
    else:
        end, tex_lines, label = len(lines) - 1, [opening], None
        for after in range(index + 1, len(lines)):
            if (found := _CLOSING.match(lines[after])) is not None and "$$" in lines[after]:
                end, label = after, found.group("label")
                tex_lines.append(found.group("tex"))
                break
            tex_lines.append(lines[after])
    tex = "\n".join(line for line in tex_lines if line.strip())
    indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
    return end, [indent + line for line in math_lines(conversion, tex, label, line_no)]


def math_lines(conversion: Conversion, tex: str, label: str | None, line_no: int | None) -> list[str]:
    """`tex` as a `$$` block, numbered when labelled (as Sphinx numbers labelled math)."""
    rows = equation_rows(tex)
    if label:
        label = label.strip()
        first = conversion.next_equation(rows or 1)
        conversion.define(label, "equation", tex, line_no, local=first, anchor=equation_id(label))
        return ["", "$$", tex, f"\\label{{{label}}}", "$$", ""]
    conversion.next_equation(rows)
    return ["", "$$", tex, "$$", ""]


def environment_end(lines: list[str], index: int) -> int | None:
    """The line closing the amsmath environment that opens at `index` (None: not one)."""
    found = _ENVIRONMENT.match(lines[index])
    if found is None:
        return None
    closing = f"\\end{{{found.group('name')}}}"
    for after in range(index, len(lines)):
        if closing in lines[after]:
            return after
    return None
