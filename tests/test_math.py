"""Math beyond single formulas: equation numbers and references, macros (course.yml and
\\newcommand), warnings for unknown commands, the math stylesheet and font, the vendored files."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from conftest import REPO, formatted, notebook_json, render_markdown_page, run_build

from coursegen.config import load_config
from coursegen.equations import equation_id, number_equations, prepare
from coursegen.errors import Diagnostics
from coursegen.math_engine import MathProblem
from coursegen.math_macros import split_definitions


@pytest.fixture
def render(make_course):
    """render(markdown, course_yml=None) → (html, RenderedMarkdown, messages) for content/A/x.md."""

    def go(text: str, course_yml: str | None = None):
        files = {"content/A/x.md": text}
        if course_yml is not None:
            files["course.yml"] = course_yml
        root = make_course(files)
        rendered, diagnostics = render_markdown_page(root, "A/x.html")
        return rendered.html, rendered, formatted(diagnostics)

    return go


def rows(html: str) -> list[tuple[str | None, str]]:
    """(id, number shown) of each numbered row of the page, in order."""
    found = []
    for match in re.finditer(r"<mtr( id=\"([^\"]+)\")?[^>]*>(.*?)</mtr>(?=<mtr|</mtable>)", html):
        number = re.findall(r"<mtext(?: class=\"tml-tag\")?>(\([^<]*\))</mtext>", match.group(3))
        if number:
            found.append((match.group(2), number[-1]))
    return found


# ----------------------------------------------------------------------------------------------
# numbering and references

LESSON = r"""# Régression

$$
\hat{y} = \mathbf{w}^\top \mathbf{x} + b \label{eq:lin}
$$

\begin{align}
\mathcal{L} &= \frac{1}{n} \sum_i (y_i - \hat{y}_i)^2 \label{eq:mse} \\
\nabla \mathcal{L} &= 0 \nonumber \\
\hat{\mathbf{w}} &= (X^\top X)^{-1} X^\top \mathbf{y}
\end{align}

$$
p = \sigma(z) \tag{*} \label{eq:logit}
$$

La prédiction \eqref{eq:lin} minimise \eqref{eq:mse} (équation \ref{eq:mse}) ; voir aussi \eqref{eq:logit}.

$$
\text{d'après } \eqref{eq:lin} : \quad \hat{y} \in \mathbb{R}
$$
"""


def test_equations_are_numbered_in_page_order_with_ids_from_their_labels(render):
    html, rendered, messages = render(LESSON)
    assert messages == []
    # $$…\label$$ is numbered; align numbers each row but the \nonumber one; \tag shows its text
    assert rows(html) == [("eq-lin", "(1)"), ("eq-mse", "(2)"), (None, "(3)"), ("eq-logit", "(*)")]
    assert {"eq-lin", "eq-mse", "eq-logit"} <= rendered.anchors


def test_references_are_links_with_the_equation_number(render):
    html, _, _ = render(LESSON)
    text = re.search(r"<p>La prédiction.*?</p>", html).group(0)
    assert text == (
        '<p>La prédiction <a href="#eq-lin" class="eqref">(1)</a> minimise <a href="#eq-mse" class="eqref">(2)</a> '
        '(équation <a href="#eq-mse" class="eqref">2</a>) ; voir aussi <a href="#eq-logit" class="eqref">(*)</a>.</p>'
    )
    # inside a formula the link sits in an <mtext>, where HTML is allowed
    assert '<mtext><a href="#eq-lin" class="eqref">(1)</a></mtext>' in html


def test_a_reference_alone_in_dollars_is_a_plain_link(render):
    html, _, messages = render("$$\nx \\label{eq:x}\n$$\n\nVoir $\\eqref{eq:x}$.\n")
    assert messages == []
    assert '<p>Voir <a href="#eq-x" class="eqref">(1)</a>.</p>' in html


def test_an_unknown_label_is_a_warning_with_its_line(render):
    html, _, messages = render(
        "# T\n\n$$\na = b \\label{eq:lin}\n$$\n\nVoir \\eqref{eq:lni}.\n\n$$\nc = \\ref{eq:nope}\n$$\n"
    )
    assert messages == [
        "content/A/x.md:7: warning[math]: unknown equation label 'eq:lni' in \\eqref{eq:lni} — label a numbered equation with \\label{…}, or fix the name",
        "content/A/x.md:10: warning[math]: unknown equation label 'eq:nope' in \\ref{eq:nope} — label a numbered equation with \\label{…}, or fix the name",
    ]
    assert '<span class="eqref-missing">(??)</span>' in html
    assert '<mtext class="eqref-missing">??</mtext>' in html


def test_a_label_defined_twice_is_a_warning_at_the_second(render):
    html, _, messages = render("$$\na \\label{eq:a}\n$$\n\n$$\nb \\label{eq:a}\n$$\n\n\\eqref{eq:a}\n")
    assert messages == [
        "content/A/x.md:6: warning[math]: equation label 'eq:a' is defined twice — give each equation its own \\label"
    ]
    assert rows(html) == [("eq-a", "(1)"), (None, "(2)")]
    assert '<a href="#eq-a" class="eqref">(1)</a>' in html


def test_a_link_to_an_equation_of_another_page_is_checked_like_any_anchor(make_course):
    root = make_course(
        {
            "content/A/x.md": "# X\n\n$$\nE = mc^2 \\label{eq:energie}\n$$\n",
            "content/A/y.md": "# Y\n\nVoir [l'équation](x.md#eq-energie) et [la même, mal écrite](x.md#eq-energy).\n",
        }
    )
    result = run_build(root)
    assert formatted(result) == [
        "content/A/y.md:3: warning[anchors]: anchor 'x.md#eq-energy' leads nowhere — did you mean '#eq-energie'?"
    ]


def test_equations_are_numbered_across_the_cells_of_a_notebook(make_course):
    root = make_course(
        {
            "content/A/nb.ipynb": notebook_json(
                "# Notebook",
                ("markdown", "$\\newcommand{\\loss}{\\mathcal{L}}$\n\n$$\n\\loss = 0 \\label{eq:zero}\n$$"),
                "x = 1",
                (
                    "markdown",
                    "$$\n\\loss \\geq 0 \\label{eq:pos}\n$$\n\nDonc \\eqref{eq:zero} et \\eqref{eq:pos}, pas \\eqref{eq:neg}.",
                ),
            )
        }
    )
    result = run_build(root)
    assert formatted(result) == [
        "content/A/nb.ipynb: warning[math]: unknown equation label 'eq:neg' in \\eqref{eq:neg} — label a numbered equation with \\label{…}, or fix the name"
    ]
    html = (root / "site/A/nb.html").read_text(encoding="utf-8")
    assert rows(html) == [("eq-zero", "(1)"), ("eq-pos", "(2)")]
    assert 'Donc <a href="#eq-zero" class="eqref">(1)</a> et <a href="#eq-pos" class="eqref">(2)</a>' in html
    assert "ℒ" in html  # the cell's \newcommand applies in the next cells


def test_label_helpers():
    assert equation_id("eq:lin") == "eq-lin"
    assert equation_id("softmax") == "eq-softmax"
    assert equation_id("Eq. 1") == "Eq-1"
    assert prepare("a \\label{x}", display=True).startswith("\\begin{equation}a \\label{cgl-")
    assert prepare("a \\tag{1} \\label{x}", display=True).startswith("a \\tag{1}")
    assert prepare("a \\label{x}", display=False).startswith("a \\label{cgl-")
    assert number_equations("<p>no math</p>") == ("<p>no math</p>", set())


# ----------------------------------------------------------------------------------------------
# macros


def test_course_macros_from_course_yml(make_course):
    course_yml = 'title: Cours\nmath:\n  macros:\n    "\\\\R": "\\\\mathbb{R}"\n    "\\\\norm": "\\\\left\\\\lVert #1 \\\\right\\\\rVert"\n'
    root = make_course({"course.yml": course_yml, "content/A/x.md": "Soit $x \\in \\R^d$ et $\\norm{x}$.\n"})
    assert formatted(run_build(root)) == []
    html = (root / "site/A/x.html").read_text(encoding="utf-8")
    assert "<mi>ℝ</mi>" in html
    assert (
        '<mo fence="true" form="prefix" stretchy="true">‖</mo><mi>x</mi><mo fence="true" form="postfix" stretchy="true">‖</mo>'
        in html
    )


def test_newcommand_applies_to_the_rest_of_the_page_only(make_course):
    root = make_course(
        {
            "content/A/x.md": "Avant : $\\R$.\n\n$$\n\\newcommand{\\R}{\\mathbb{R}}\n\\DeclareMathOperator*{\\argmax}{arg\\,max}\n$$\n\nAprès : $x \\in \\R$ et $\\argmax_x f$.\n",
            "content/A/y.md": "Autre page : $\\R$.\n",
        }
    )
    result = run_build(root)
    assert formatted(result) == [
        "content/A/x.md:1: warning[math]: unknown LaTeX command '\\R' in '\\R' — shown as code; check its spelling, or define it (\\newcommand in the page, math.macros in course.yml)",
        "content/A/y.md:1: warning[math]: unknown LaTeX command '\\R' in '\\R' — shown as code; check its spelling, or define it (\\newcommand in the page, math.macros in course.yml)",
    ]
    html = (root / "site/A/x.html").read_text(encoding="utf-8")
    assert "<p>Avant : <code class=\"math-error\">\\R</code>.</p>" in html
    assert "<mi>ℝ</mi>" in html and re.search(r"<mi>arg.max</mi>", html)
    assert 'class="math-display"' not in html  # a block of definitions only shows nothing


def test_definitions_are_read_with_their_arguments():
    rest, definitions = split_definitions(
        "\\newcommand{\\KL}[2]{D(#1 \\| #2)} \\def\\vx{\\mathbf{x}} \\providecommand\\R{\\mathbb{R}} \\KL{p}{q}"
    )
    assert rest.split() == ["\\KL{p}{q}"]
    assert definitions == [
        ("\\KL", "D(#1 \\| #2)", False),
        ("\\vx", "\\mathbf{x}", False),
        ("\\R", "\\mathbb{R}", True),
    ]
    with pytest.raises(MathProblem, match="unclosed"):
        split_definitions("\\newcommand{\\a}{x")
    with pytest.raises(MathProblem, match="optional argument"):
        split_definitions("\\newcommand{\\a}[1][0]{x}")


def test_math_macros_in_course_yml_are_checked_with_their_lines(make_course):
    course_yml = 'title: Cours\nmath:\n  macros:\n    "\\\\R": "\\\\mathbb{R}"\n    N: "\\\\mathbb{N}"\n    "\\\\E": [1]\n  macro: {}\n'
    diagnostics = Diagnostics()
    config = load_config(make_course({"course.yml": course_yml}), diagnostics)
    assert config.math.macros == (("\\R", "\\mathbb{R}"),)
    assert formatted(diagnostics) == [
        "course.yml:5: error[config]: math macro 'N' must be a command name such as '\\N' — write it with its backslash, in quotes: \"\\\\N\": …",
        "course.yml:6: error[config]: math macro '\\E' must be defined by LaTeX text, not [1] — e.g. \"\\\\E\": \"\\\\mathbb{R}\"",
        "course.yml:7: warning[config]: unknown key 'math.macro' — did you mean 'macros'?",
    ]


def test_changing_a_course_macro_renders_the_pages_again(make_course):
    root = make_course(
        {"course.yml": 'math:\n  macros: {"\\\\R": "\\\\mathbb{R}"}\n', "content/A/x.md": "$\\R$\n"}
    )
    run_build(root)
    assert "<mi>ℝ</mi>" in (root / "site/A/x.html").read_text(encoding="utf-8")
    (root / "course.yml").write_text('math:\n  macros: {"\\\\R": "\\\\mathbf{R}"}\n', encoding="utf-8")
    run_build(root)
    assert "<mi>𝐑</mi>" in (root / "site/A/x.html").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# errors


def test_an_unknown_command_is_a_warning_naming_it_and_the_formula_is_shown_as_code(render):
    html, _, messages = render("# T\n\nLe gradient $\\grad f = 0$ s'annule.\n")
    assert messages == [
        "content/A/x.md:3: warning[math]: unknown LaTeX command '\\grad' in '\\grad f = 0' — shown as code; check its spelling, or define it (\\newcommand in the page, math.macros in course.yml)"
    ]
    assert "<p>Le gradient <code class=\"math-error\">\\grad f = 0</code> s'annule.</p>" in html


def test_an_unknown_command_in_a_notebook_names_its_cell(make_course):
    root = make_course({"content/A/nb.ipynb": notebook_json("# NB", ("markdown", "Voir $\\foo$."))})
    assert formatted(run_build(root)) == [
        "content/A/nb.ipynb: warning[math]: unknown LaTeX command '\\foo' in '\\foo' (in cell 2) — shown as code; check its spelling, or define it (\\newcommand in the page, math.macros in course.yml)"
    ]


# ----------------------------------------------------------------------------------------------
# stylesheet, font, vendored files


def test_the_math_stylesheets_are_linked_only_by_pages_with_math_with_relative_urls(make_course):
    root = make_course({"content/A/x.md": "# X\n\n$x^2$\n", "content/A/y.md": "# Y\n\nNo math, 5 $ only.\n"})
    run_build(root)
    with_math = (root / "site/A/x.html").read_text(encoding="utf-8")
    without = (root / "site/A/y.html").read_text(encoding="utf-8")
    assert (
        '<link rel="stylesheet" href="../static/vendor/temml/Temml-Local.css">\n<link rel="stylesheet" href="../static/math.css">'
        in with_math
    )
    assert "math.css" not in without and "Temml" not in without
    css = (root / "site/static/math.css").read_text(encoding="utf-8")
    font = re.search(r'url\("([^"]+)"\)', css).group(1)
    assert (root / "site/static" / font).is_file()  # relative to the stylesheet: works from file://
    assert not (root / "site/static/vendor/temml/temml.min.js").exists()  # runs in the build only


def test_a_course_without_math_starts_no_engine(make_course):
    root = make_course({"content/A/x.md": "# X\n\nDu texte, 5 $ et 10 $.\n"})
    script = (
        "import sys; from pathlib import Path; from coursegen.build import build, BuildOptions; "
        f"result = build(Path({str(root)!r}), options=BuildOptions(jobs=1)); assert result.written; "
        "print(sorted(name for name in ('py_mini_racer', 'latex2mathml') if name in sys.modules))"
    )
    assert (
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout.strip()
        == "[]"
    )


def test_the_vendored_files_are_the_pinned_releases():
    """static/vendor/ matches VENDOR.json (never edited by hand), and the licenses are there."""
    assert (
        subprocess.run(
            [sys.executable, str(REPO / "scripts/vendor.py"), "--check"], capture_output=True, text=True
        ).returncode
        == 0
    )
    record = json.loads((REPO / "static/vendor/VENDOR.json").read_text(encoding="utf-8"))
    assert {(p["name"], p["license"]) for p in record["packages"]} == {
        ("temml", "MIT"),
        ("@fontsource/noto-sans-math", "OFL-1.1"),
        ("reveal.js", "MIT"),  # the slide decks (docs/slides.md)
    }
    assert all(any(rel.endswith("/LICENSE") for rel in p["files"]) for p in record["packages"])


def test_the_engine_serves_any_thread_even_when_started_inside_an_asyncio_loop_and_exits_cleanly():
    """Started by a build that runs inside an asyncio loop (a Playwright script, a server), the
    engine still answers once that loop is gone; and the process ends (mini-racer can hang or
    crash at exit when its context is not closed the right way)."""
    script = (
        "import asyncio\nfrom coursegen.math_engine import TemmlEngine\n"
        "async def main():\n    engine = TemmlEngine()\n    print(engine.render('x^2', False))\n    return engine\n"
        "engine = asyncio.run(main())\nprint(engine.render('\\\\frac{a}{b}', True))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.splitlines() == [
        '<math><msup><mi>x</mi><mn class="tml-sml-pad">2</mn></msup></math>',
        '<math display="block" class="tml-display" style="display:block math;"><mfrac><mi>a</mi><mi>b</mi></mfrac></math>',
    ]


@pytest.mark.parametrize("caller", ["render", "cut short"])
def test_closing_the_engine_waits_for_an_answer_already_on_its_way(caller):
    """A build stopped by a signal while V8 answers (CI saw a UnicodeDecodeError printed after
    'interrupted'): the answer's handler must not read from a context already freed. Made certain
    here by slowing the handler down: close() starts while it runs. A caller still waiting gets its
    answer; one cut short (its lock released by the signal's exception) gets none, and no error."""
    call = {
        "render": "engine.render('x^2', False)",
        "cut short": "engine._context.call('coursegenRenderMany', [['x^2', False, 0]], [{}])",
    }[caller]
    script = """
import threading, time
from coursegen.math_engine import TemmlEngine
engine = TemmlEngine()
context = engine._context._ctx
handle, entered = context._handle_callback_from_v8_on_event_loop, threading.Event()
def slow_handle(*args):
    entered.set()
    time.sleep(0.5)
    handle(*args)
object.__setattr__(context, '_handle_callback_from_v8_on_event_loop', slow_handle)  # a frozen dataclass
answers = []
caller = threading.Thread(target=lambda: answers.append(CALL), daemon=True)
caller.start()
assert entered.wait(30)
engine.close()
caller.join(WAIT)
print(answers)
""".replace("CALL", call).replace("WAIT", "30" if caller == "render" else "1")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stderr) == (0, "")
    answer = '<math><msup><mi>x</mi><mn class="tml-sml-pad">2</mn></msup></math>'
    assert run.stdout.strip() == str([answer] if caller == "render" else [])


def test_a_formula_the_process_already_converted_is_not_sent_to_v8_again():
    """Courses repeat their formulas: the engine remembers V8's answers (each use still gets its
    own MathProblem, raised separately), and a formula with other macros is converted anew."""
    from coursegen.math_engine import MathProblem, TemmlEngine

    engine = TemmlEngine()  # its own memory: not what other tests converted
    sent: list[list] = []
    real = engine._context

    class Recording:
        def call(self, name, items, *rest, **options):
            sent.append([item[0] for item in items])
            return real.call(name, items, *rest, **options)

    engine._context = Recording()
    try:
        first = engine.render_many([("a_1+b", False, ()), (r"\nosuch", False, ()), ("a_1+b", False, ())])
        again = engine.render_many([("a_1+b", False, ()), (r"\nosuch", False, ()), ("a_1+b", True, ())])
        macros = engine.render_many([(r"\R", False, ((r"\R", r"\mathbb{R}"),))])
    finally:
        engine._context = real
        engine.close()
    assert sent == [["a_1+b", r"\nosuch"], ["a_1+b"], [r"\R"]], "each distinct formula once"
    assert first[0] == first[2] == again[0] and "<msub>" in first[0] and again[2] != first[0]  # display
    assert (
        isinstance(first[1], MathProblem) and isinstance(again[1], MathProblem) and first[1] is not again[1]
    )
    assert first[1].unknown == r"\nosuch" and "ℝ" in macros[0]
