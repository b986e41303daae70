"""The math corpus (tests/math_corpus/formulas.yml): every formula of a first-year ML / statistics
course renders through coursegen's pipeline, checked by the structure of its MathML."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import formatted, load_graph, page_at, write_tree

from coursegen.errors import Diagnostics
from coursegen.markdown_render import MarkdownRenderer

sys.path.insert(0, str(Path(__file__).parent / "math_corpus"))
from structure import load_corpus, parse, problems  # noqa: E402

MACROS, FORMULAS = load_corpus()


def test_the_corpus_is_a_course_worth_of_formulas():
    assert len(FORMULAS) >= 150
    topics = {formula["topic"] for formula in FORMULAS}
    assert {
        "linear regression",
        "logistic regression",
        "softmax",
        "attention",
        "backpropagation",
        "pca",
        "information theory",
        "convolution",
    } <= topics
    constructs = "\n".join(formula["tex"] for formula in FORMULAS)
    for construct in (
        "\\begin{aligned}",
        "\\begin{align}",
        "\\begin{align*}",
        "\\begin{gather}",
        "\\begin{cases}",
        "\\begin{pmatrix}",
        "\\begin{bmatrix}",
        "\\begin{vmatrix}",
        "\\begin{smallmatrix}",
        "\\hline",
        "\\substack",
        "\\operatorname",
        "\\arg\\max",
        "\\arg\\min",
        "\\underset",
        "\\overset",
        "\\xrightarrow",
        "\\middle",
        "\\mathbb",
        "\\mathcal",
        "\\mathscr",
        "\\mathfrak",
        "\\boldsymbol",
        "\\limits",
        "\\text{prédit",
        "\\newcommand",
    ):
        assert construct in constructs, construct


@pytest.fixture(scope="module")
def rendered_corpus(tmp_path_factory):
    """Every formula as MathML, converted like a lesson's formulas (with the course macros)."""
    root = write_tree(tmp_path_factory.mktemp("corpus") / "course", {"content/index.md": "# Corpus\n"})
    course, _ = load_graph(root)
    renderer = MarkdownRenderer(course, math_macros=MACROS)
    page = page_at(course, "index.html")
    outputs = []
    for formula in FORMULAS:
        tex = formula["tex"].strip()
        text = f"Formule ${tex}$.\n" if formula.get("inline") else f"$$\n{tex}\n$$\n"
        diagnostics = Diagnostics()
        html = renderer.render(page, text, 1, diagnostics).html
        outputs.append((html, formatted(diagnostics)))
    return outputs


@pytest.mark.parametrize(
    "index",
    range(len(FORMULAS)),
    ids=[f"{n:03d}-{f['topic'].replace(' ', '_')}" for n, f in enumerate(FORMULAS)],
)
def test_formula_renders_with_the_expected_structure(rendered_corpus, index):
    formula = FORMULAS[index]
    html, messages = rendered_corpus[index]
    assert messages == []
    start, end = html.index("<math"), html.rindex("</math>") + len("</math>")
    mathml = html[start:end]
    assert problems(mathml, formula.get("expect")) == []
    root = parse(mathml)
    assert root.get("display") == (None if formula.get("inline") else "block")


def test_the_structure_check_catches_what_latex2mathml_got_wrong():
    """The checks are not blind: raw commands, literal & and missing rows are each caught."""
    assert problems('<math><mi>\\R</mi></math>') == ["raw command shown: <mi>\\R"]
    assert problems("<math><mi>a</mi><mo>&amp;</mo><mi>b</mi></math>") == ["a literal & is left in the text"]
    assert problems("<math><mtable><mtr><mtd><mi>a</mi></mtd></mtr></mtable></math>", ["mtable 2x1"]) == [
        "expected mtable 2x1"
    ]
    assert problems('<math><mi mathvariant="double-struck">R</mi></math>', ["text ℝ"]) == ["expected text ℝ"]
    assert problems('<math><mo stretchy="false">(</mo></math>', ["stretchy"]) == ["expected stretchy"]
    assert problems("<math><merror><mtext>x</mtext></merror></math>") == ["has an merror"]
