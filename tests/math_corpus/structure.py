"""Structural checks of MathML (ElementTree), shared by tests/test_math_corpus.py and
benchmarks/math_engines.py: a formula renders right when its tree has the expected shape."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

CORPUS = Path(__file__).with_name("formulas.yml")
_TOKENS = {"mi", "mo", "mn", "mtext", "ms"}
_DELIMITERS = set("()[]{}|‖⟨⟩⌊⌋⌈⌉") | {"∣", "∥"}
_RAW_COMMAND = re.compile(r"\\[A-Za-z]+")


def load_corpus() -> tuple[dict[str, str], list[dict]]:
    """(course macros, formulas) of formulas.yml."""
    import yaml

    data = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    return dict(data["macros"]), list(data["formulas"])


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse(mathml: str) -> ElementTree.Element:
    return ElementTree.fromstring(mathml)


def problems(mathml: str, expect: list[str] | None = None) -> list[str]:
    """What is wrong with `mathml` (empty when it renders right)."""
    try:
        root = parse(mathml)
    except ElementTree.ParseError as error:
        return [f"not well-formed: {error}"]
    found: list[str] = []
    if local(root.tag) != "math":
        found.append(f"root is <{local(root.tag)}>, not <math>")
    elements = list(root.iter())
    names = {local(element.tag) for element in elements}
    if "merror" in names:
        found.append("has an merror")
    for element in elements:
        text = element.text or ""
        if local(element.tag) in _TOKENS and _RAW_COMMAND.search(text):
            found.append(f"raw command shown: <{local(element.tag)}>{text}")
        if "&" in text or "&" in (element.tail or ""):
            found.append("a literal & is left in the text")
    for check in expect or []:
        if not _passes(check, root, elements, names):
            found.append(f"expected {check}")
    return found


def _passes(check: str, root, elements, names: set[str]) -> bool:
    kind, _, argument = check.partition(" ")
    if kind == "text":
        return argument in "".join(root.itertext())
    if kind == "stretchy":
        return any(_is_stretched(element) for element in elements)
    if kind == "mtable":
        rows, columns = (int(n) for n in argument.split("x"))
        return any(
            _table_shape_fits(element, rows, columns)
            for element in elements
            if local(element.tag) == "mtable"
        )
    return kind in names


def _is_stretched(element) -> bool:
    """A delimiter drawn at the size of what it encloses (\\left, \\middle, matrices) or at a fixed
    larger size (\\big…)."""
    if local(element.tag) != "mo" or (element.text or "").strip() not in _DELIMITERS:
        return False
    if element.get("minsize") or element.get("maxsize") or element.get("stretchy") == "true":
        return True
    # MathML Core stretches fences by default: Temml writes stretchy="false" on the ones it keeps small
    return element.get("fence") == "true" and element.get("stretchy") != "false"


def _table_shape_fits(table, rows: int, columns: int) -> bool:
    table_rows = [child for child in table if local(child.tag) in ("mtr", "mlabeledtr")]
    if len(table_rows) != rows:
        return False
    widest = max((sum(1 for cell in row if local(cell.tag) == "mtd") for row in table_rows), default=0)
    return widest >= columns
