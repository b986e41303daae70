"""Equation numbers and references, written into the page when it is built (no script).

Temml marks what LaTeX numbers (rows of `equation`, `align`, `gather`…, and `\\tag`) and leaves
`\\ref`/`\\eqref` empty, for a script to fill in the browser. Here the page's HTML is read once
in document order instead: each numbered row gets its number (1), (2)…, a row with `\\label{eq:lin}`
gets the id `eq-lin`, and each reference — in a formula or in the text — becomes a link
`<a href="#eq-lin">(1)</a>`.

Labels travel through Temml hex-encoded (`cgl-…`): Temml keeps only [A-Za-z0-9_-] of an id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

_LABEL_ARGUMENT = re.compile(r"\\(label|eqref|ref)(?![A-Za-z])\s*\{([^{}]*)\}")
_NUMBERED_ENVIRONMENT = re.compile(r"\\begin\{(?:equation|align|alignat|gather|multline|flalign)\}")
_TAG = re.compile(r"\\tag\*?(?![A-Za-z])")
ENCODED = "cgl-"

# What the page pass reads, in document order (either quote: a sanitized cell has double quotes)
_PIECES = re.compile(
    r"(?P<whole><math\b[^>]*>(?:<mrow>)?<a href=[\"']#cgl-(?P<whole_label>[0-9a-f]*)[\"'] class=\"tml-ref(?P<whole_eq> tml-eqref)?\"></a>(?:</mrow>)?</math>)"
    r"|(?P<math_open><math\b)|(?P<math_close></math>)"
    r"|(?P<row><mtr id=\"cgl-(?P<row_label>[0-9a-f]*)\")"
    r"|(?P<number><span class=\"tml-eqn\"></span>)"
    r"|<mtext class=\"tml-tag\">(?P<tag>.*?)</mtext>"
    r"|(?P<ref><a href=[\"']#cgl-(?P<ref_label>[0-9a-f]*)[\"'] class=\"tml-ref(?P<ref_eq> tml-eqref)?\"></a>)"
)


def encode_label(label: str) -> str:
    return ENCODED + label.strip().encode("utf-8").hex()


def decode_label(encoded: str) -> str:
    try:
        return bytes.fromhex(encoded).decode("utf-8")
    except ValueError:
        return encoded


def prepare(tex: str, display: bool) -> str:
    """`tex` with its labels encoded; a display formula with a \\label but no numbered environment
    nor \\tag is numbered (as if written in `equation`)."""
    has_label = False

    def encode(match: re.Match) -> str:
        nonlocal has_label
        has_label = has_label or match.group(1) == "label"
        return f"\\{match.group(1)}{{{encode_label(match.group(2))}}}"

    encoded = _LABEL_ARGUMENT.sub(encode, tex)
    if display and has_label and not _NUMBERED_ENVIRONMENT.search(tex) and not _TAG.search(tex):
        encoded = f"\\begin{{equation}}{encoded}\\end{{equation}}"
    return encoded


def text_reference(label: str, with_parentheses: bool) -> str:
    """A reference written in the page's text (outside math), resolved by `number_equations`."""
    kind = ' tml-eqref' if with_parentheses else ""
    return f"<a href='#{encode_label(label)}' class=\"tml-ref{kind}\"></a>"


def equation_id(label: str) -> str:
    """`eq:lin` → `eq-lin`; a label without the `eq` prefix gets it (`softmax` → `eq-softmax`), so
    equation ids never take a heading's."""
    slug = re.sub(r"[^0-9A-Za-z_-]+", "-", label).strip("-") or "equation"
    return slug if slug.lower().startswith("eq-") else f"eq-{slug}"


@dataclass
class EquationProblem:
    message: str
    hint: str
    needle: str  # text to find in the source for the line
    occurrence: int = 1  # which occurrence of the needle (a label defined again: the second)


@dataclass
class Numbering:
    """The page's numbered equations: label → (id, shown number)."""

    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)
    definitions: dict[str, int] = field(default_factory=dict)  # label → times defined
    problems: list[EquationProblem] = field(default_factory=list)


def number_equations(
    html: str, report: Callable[[EquationProblem], None] | None = None
) -> tuple[str, set[str]]:
    """`html` with equation numbers, ids and reference links written in; and the ids made."""
    if "cgl-" not in html and "tml-eqn" not in html:
        return html, set()
    numbering = _collect(html)
    result = _write(html, numbering)
    if report is not None:
        for problem in numbering.problems:
            report(problem)
    return result, numbering.ids


def _collect(html: str) -> Numbering:
    """First pass: numbers and labels, in document order."""
    numbering = Numbering()
    count = 0
    pending: str | None = None  # the label of the row being read, until its number or tag
    for match in _PIECES.finditer(html):
        if match.group("row") is not None:
            pending = decode_label(match.group("row_label"))
        elif match.group("number") is not None or match.group("tag") is not None:
            if match.group("number") is not None:
                count += 1
                shown = f"({count})"
            else:
                shown = _plain(match.group("tag"))
            if pending is not None:
                _define(numbering, pending, shown)
                pending = None
    return numbering


def _define(numbering: Numbering, label: str, shown: str) -> None:
    numbering.definitions[label] = numbering.definitions.get(label, 0) + 1
    if label in numbering.labels:
        numbering.problems.append(
            EquationProblem(
                f"equation label '{label}' is defined twice",
                "give each equation its own \\label",
                f"\\label{{{label}}}",
                numbering.definitions[label],
            )
        )
        return
    identifier = base = equation_id(label)
    suffix = 2
    while identifier in numbering.ids:
        identifier = f"{base}-{suffix}"
        suffix += 1
    numbering.ids.add(identifier)
    numbering.labels[label] = (identifier, shown)


def _write(html: str, numbering: Numbering) -> str:
    """Second pass: numbers, ids and links written in."""
    count = 0
    in_math = False
    seen_rows: set[str] = set()

    def replace(match: re.Match) -> str:
        nonlocal count, in_math
        if match.group("whole") is not None:
            return _link(
                numbering,
                decode_label(match.group("whole_label")),
                bool(match.group("whole_eq")),
                in_math=False,
            )
        if match.group("math_open") is not None:
            in_math = True
            return match.group(0)
        if match.group("math_close") is not None:
            in_math = False
            return match.group(0)
        if match.group("row") is not None:
            label = decode_label(match.group("row_label"))
            known = numbering.labels.get(label)
            if known is None or label in seen_rows:  # a row numbered by nothing, or a second \label
                return "<mtr"
            seen_rows.add(label)
            return f'<mtr id="{known[0]}"'
        if match.group("number") is not None:
            count += 1
            return f"({count})"
        if match.group("tag") is not None:
            return match.group(0)
        return _link(numbering, decode_label(match.group("ref_label")), bool(match.group("ref_eq")), in_math)

    return _PIECES.sub(replace, html)


def _link(numbering: Numbering, label: str, with_parentheses: bool, in_math: bool) -> str:
    known = numbering.labels.get(label)
    if known is None:
        written = "\\eqref" if with_parentheses else "\\ref"
        numbering.problems.append(
            EquationProblem(
                f"unknown equation label '{label}' in {written}{{{label}}}",
                "label a numbered equation with \\label{…}, or fix the name",
                f"{{{label}}}",
            )
        )
        missing = "(??)" if with_parentheses else "??"
        return (
            f'<mtext class="eqref-missing">{missing}</mtext>'
            if in_math
            else f'<span class="eqref-missing">{missing}</span>'
        )
    identifier, shown = known
    text = shown if with_parentheses else shown.removeprefix("(").removesuffix(")")
    link = f'<a href="#{identifier}" class="eqref">{text}</a>'
    return f"<mtext>{link}</mtext>" if in_math else link


def _plain(markup: str) -> str:
    return re.sub(r"<[^>]+>", "", markup)
