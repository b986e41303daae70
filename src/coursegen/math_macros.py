"""Macros: the course's (course.yml `math.macros`) and those a page defines in a formula with
\\newcommand, \\renewcommand, \\providecommand, \\def or \\DeclareMathOperator, which apply to the
formulas after it on that page.

A definition is taken out of its formula here and handed to Temml as a string macro (`#1`… for
arguments), so it carries over to the page's next formulas, in document order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from coursegen.math_engine import MathProblem

_DEFINITION = re.compile(
    r"\\(newcommand|renewcommand|providecommand|DeclareMathOperator|def|gdef)(?![A-Za-z])(\*?)"
)
_NAME = re.compile(r"\\(?:[A-Za-z]+|[^A-Za-z])")
MACRO_NAME = re.compile(r"^\\(?:[A-Za-z]+|[^A-Za-z\s])$")


class PageMacros:
    """The macros in force at some point of a page: the course's, then the page's own definitions."""

    def __init__(self, course: Mapping[str, str] | None = None):
        self._macros: dict[str, str] = dict(course or {})
        self._key: tuple | None = None

    def take_definitions(self, tex: str) -> str:
        """Record the definitions in `tex` and return the formula without them."""
        rest, definitions = split_definitions(tex)
        for name, body, only_if_new in definitions:
            if only_if_new and name in self._macros:
                continue
            self._macros[name] = body
            self._key = None
        return rest

    @property
    def current(self) -> dict[str, str]:
        return self._macros

    def key(self) -> tuple:
        """The macros as a hashable value (part of a formula's cache key)."""
        if self._key is None:
            self._key = tuple(sorted(self._macros.items()))
        return self._key


def split_definitions(tex: str) -> tuple[str, list[tuple[str, str, bool]]]:
    """(`tex` without its definitions, [(name, body, only_if_new)])."""
    definitions = []
    pieces = []
    position = 0
    for match in _DEFINITION.finditer(tex):
        if match.start() < position:  # inside a definition already taken
            continue
        command, star = match.group(1), match.group(2)
        index = match.end()
        if command in ("def", "gdef"):
            name, index = _name(tex, index, command)
            parameters_end = tex.find("{", index)
            if parameters_end < 0:
                raise MathProblem(f"\\{command}{name} has no {{body}}")
            index = parameters_end
        else:
            name, index = _name(tex, index, command)
            if command != "DeclareMathOperator":
                index = _skip_argument_count(tex, index, command, name)
        body, index = _group(tex, index, f"\\{command}{{{name}}}")
        if command == "DeclareMathOperator":
            body = f"\\operatorname{star}{{{body}}}"
        definitions.append((name, body, command == "providecommand"))
        pieces.append(tex[position : match.start()])
        position = index
    pieces.append(tex[position:])
    return "".join(pieces), definitions


def _name(tex: str, index: int, command: str) -> tuple[str, int]:
    """The command being defined: `{\\name}` or `\\name`."""
    index = _skip_spaces(tex, index)
    braced = tex.startswith("{", index)
    if braced:
        index = _skip_spaces(tex, index + 1)
    match = _NAME.match(tex, index)
    if match is None:
        raise MathProblem(f"\\{command} must be followed by the name of a command, e.g. \\{command}{{\\R}}")
    index = match.end()
    if braced:
        index = _skip_spaces(tex, index)
        if not tex.startswith("}", index):
            raise MathProblem(f"\\{command}{{{match.group(0)}…: missing }}")
        index += 1
    return match.group(0), index


def _skip_argument_count(tex: str, index: int, command: str, name: str) -> int:
    """`[2]`: Temml reads the arguments of a string macro from its #1, #2…"""
    index = _skip_spaces(tex, index)
    count = re.compile(r"\[\s*[0-9]\s*\]").match(tex, index)
    if count:
        index = _skip_spaces(tex, count.end())
    if tex.startswith("[", index):
        raise MathProblem(
            f"\\{command}{{{name}}}: an optional argument with a default value is not supported"
        )
    return index


def _group(tex: str, index: int, what: str) -> tuple[str, int]:
    """The text of the brace group at `index` (braces balanced, `\\{` not counted)."""
    index = _skip_spaces(tex, index)
    if not tex.startswith("{", index):
        raise MathProblem(f"{what} has no {{body}}")
    depth = 0
    cursor = index
    while cursor < len(tex):
        char = tex[cursor]
        if char == "\\":
            cursor += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return tex[index + 1 : cursor], cursor + 1
        cursor += 1
    raise MathProblem(f"{what}: its body has an unclosed {{")


def _skip_spaces(tex: str, index: int) -> int:
    while index < len(tex) and tex[index].isspace():
        index += 1
    return index
