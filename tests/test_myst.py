"""MyST Markdown (Jupyter Book 1) and MkDocs-Material syntax in lessons: the fixture book
`tests/fixtures/myst_book` (shaped like a real JB1 book: targets before titles, jupytext front
matter, `+++` cell breaks, gated exercises, `prf:` blocks, labelled math, citations from a `.bib`)
builds with no raw MyST syntax left in any page, every reference resolved or reported, blocks
numbered through the book as Jupyter Book numbers them, and the unsupported shown and reported."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from conftest import copy_fixture, formatted, run_build

from coursegen.config import load_config
from coursegen.errors import Diagnostics
from coursegen.myst import with_markdown_flavor
from coursegen.myst.mathblocks import equation_rows, opens_display_math

BOOK = "myst_book"


class _Text(HTMLParser):
    """The text a reader sees in a page's main part: no code, no math, no 'not supported' source."""

    SKIPPED = {"pre", "code", "math", "script", "style", "details"}

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []
        self.inside_main = False

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.inside_main = True
        if tag in self.SKIPPED and dict(attrs).get("class") not in ("solution", "dropdown"):
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.inside_main and not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


RAW_MYST = re.compile(r"```\{|:::\{|\{[a-z:]+\}`|^\([\w:-]+\)=|\{\{|\$\$ \(|^\+\+\+", re.MULTILINE)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    root = copy_fixture(BOOK, tmp_path_factory.mktemp("myst"))
    result = run_build(root)
    return root, result


def page(root, url: str) -> str:
    """A built page, French no-break spaces (typography.py) read as plain spaces."""
    return (root / "site" / url).read_text(encoding="utf-8").replace("\u00a0", " ").replace("\u202f", " ")


def test_no_page_shows_raw_myst_syntax(book):
    root, _ = book
    for path in sorted((root / "site").rglob("*.html")):
        text = visible_text(path.read_text(encoding="utf-8"))
        assert not RAW_MYST.search(text), f"{path.name}: {RAW_MYST.search(text).group(0)!r} in {text[:200]}"


def test_findings_are_exactly_the_unsupported_and_the_broken(book):
    _, result = book
    where = "content/02_modeles/regression.md"
    assert formatted(result) == [
        f"{where}:104: warning[unsupported]: MyST directive {{youtube}} is not supported — it is shown as written, in a 'not supported' block; rewrite it with supported syntax (README: MyST and Material syntax)",
        f"{where}:107: warning[notebook]: {{glue}} 'r2_score' has no value: no notebook of the course glues 'r2_score' (not executed, or saved without outputs?) — build with --execute (or save the notebook with its outputs), or check the key's spelling",
        f"{where}:109: warning[links]: {{doc}} '../01_bases/moyene' leads nowhere — did you mean '../01_bases/moyenne'?",
        f"{where}:109: warning[links]: {{ref}} 'sec-moindre-carres' leads nowhere — did you mean 'sec-moindres-carres'?",
        f"{where}:110: warning[links]: citation 'wasserman2005' is not in the bibliography — did you mean 'wasserman2004'?",
    ]


def test_unsupported_directive_is_shown_escaped_and_folded(book):
    root, _ = book
    html = page(root, "02_modeles/regression.html")
    assert (
        '<div class="unsupported" data-construct="{youtube}"><p><strong>{youtube}</strong> — non pris en charge'
        in html
    )
    assert (
        "<details><summary>Source</summary><pre><code>```{youtube} dQw4w9WgXcQ&#10;```</code></pre></details>"
        in html
    )
    assert '<span class="glue-missing" role="note">' in html, "a glued value without a notebook: a marker"


def test_figures_tables_exercises_and_theorems_are_numbered_through_the_book(book):
    root, _ = book
    first, second = page(root, "01_bases/moyenne.html"), page(root, "02_modeles/regression.html")
    assert '<span class="caption-number">Figure 1 :</span> Un nuage de points' in first
    assert '<span class="caption-number">Figure 2 :</span> Les résidus' in second
    assert '<span class="caption-number">Tableau 1 :</span> Erreurs de test' in second
    assert [m for m in re.findall(r'admonition-title">(Exercice \d)', first + second)] == [
        "Exercice 1",
        "Exercice 2",
        "Exercice 3",
    ]
    assert '<p class="admonition-title">Théorème 1 (Loi des grands nombres)</p>' in first
    assert '<p class="admonition-title">Définition 1 (Moyenne empirique)</p>' in first
    assert '<p class="admonition-title">Démonstration</p>' in first  # proofs are not numbered


def test_references_resolve_across_pages(book):
    root, _ = book
    second = page(root, "02_modeles/regression.html")
    assert '<a href="../01_bases/moyenne.html#fig-nuage">Figure 1</a>' in second  # {numref}`Figure %s <…>`
    assert '<a href="#fig-residus">figures</a>' in second  # {numref} with its own text
    assert '<a href="../01_bases/moyenne.html#def-moyenne">Définition 1</a>' in second  # {prf:ref}
    assert '<a href="../01_bases/moyenne.html#eq-moyenne">(1)</a>' in second  # {eq} on another page
    assert '<a href="#eq-beta" class="eqref">(1)</a>' in second  # {eq} on this page: coursegen's numbering
    assert '<a href="../01_bases/moyenne.html#ex-moyenne">exercice de la moyenne</a>' in second
    assert '<a href="#term-biais">biais</a>' in second  # {term} of the glossary
    home = page(root, "index.html")
    assert '<a href="01_bases/moyenne.html">Moyenne et variance</a>' in home  # {doc}: the page title
    assert (
        '<a href="02_modeles/regression.html#sec-moindres-carres">la section sur les moindres carrés</a>'
        in home
    )
    # a target before a heading gives the heading its id
    assert '<h2 id="sec-moindres-carres">Moindres carrés' in second


def test_notebook_cells_are_myst_and_their_labels_known_to_the_course(book):
    root, _ = book
    notebook = page(root, "02_modeles/travaux_pratiques.html")
    # numbers run on from the pages before it, across its cells
    assert '<span class="caption-number">Figure 3 :</span> Les données du TP.' in notebook
    assert '<p class="admonition-title">Exercice 4</p>' in notebook
    assert '<a href="#fig-tp">Figure 3</a>' in notebook
    assert '<a href="regression.html#sec-moindres-carres">Moindres carrés</a>' in notebook
    home = page(root, "index.html")
    assert '<a href="02_modeles/travaux_pratiques.html#fig-tp">Figure 3</a>' in home
    assert '<a href="02_modeles/travaux_pratiques.html#tp-donnees">Les données</a>' in home


def test_solutions_are_folded_and_tied_to_their_exercise(book):
    root, _ = book
    first = page(root, "01_bases/moyenne.html")
    assert (
        '<details class="solution">\n<summary><a href="#ex-moyenne">Solution de l\'exercice 1</a></summary>'
        in first
    )
    # exercise-start … exercise-end: the code between belongs to the exercise
    gated = first[first.index('id="ex-variance"') : first.index("Solution de l'exercice 2")]
    assert "Exercice 2" in gated and "variance" in gated and "</div>" in gated


def test_equations_are_numbered_per_page_and_labelled(book):
    root, _ = book
    first = page(root, "01_bases/moyenne.html")
    assert 'id="eq-moyenne"' in first and 'id="eq-variance"' in first
    assert '<a href="#eq-variance" class="eqref">(2)</a>' in first


def test_citations_author_year_and_the_reference_list(book):
    root, _ = book
    first, second = page(root, "01_bases/moyenne.html"), page(root, "02_modeles/regression.html")
    assert '(<a class="citation" href="../references.html#bib-wasserman2004">Wasserman, 2004</a>)' in first
    assert '<a class="citation" href="../references.html#bib-wasserman2004">Wasserman (2004)</a>' in first
    assert (
        '(<a class="citation" href="../references.html#bib-james2013">James et al., 2013</a> ; '
        '<a class="citation" href="../references.html#bib-breiman2001">Breiman, 2001</a>)'
    ) in second
    references = page(root, "references.html")
    # every cited work, sorted by author, and only those
    assert re.findall(r'<li id="bib-([^"]+)">', references) == [
        "breiman2001",
        "james2013",
        "legendre1805",
        "wasserman2004",
    ]
    assert "<em>Machine Learning</em>, 45(1):5–32, 2001." in references


def test_substitutions_and_small_roles(book):
    root, _ = book
    home, second = page(root, "index.html"), page(root, "02_modeles/regression.html")
    assert "Ce livre accompagne le cours de l'année 2026." in home
    assert '<label for="scikit-learn">scikit-learn</label>' in second  # a tab's label, substituted
    assert "<kbd>Maj+Entrée</kbd>" in second and "H<sub>2</sub>O" in second
    assert '<abbr title="moindres carrés ordinaires">MCO</abbr>' in second


def test_numbered_citation_style(tmp_path):
    root = copy_fixture(BOOK, tmp_path)
    config = root / "course.yml"
    config.write_text(config.read_text(encoding="utf-8") + "  citation_style: numbered\n", encoding="utf-8")
    run_build(root)
    second = page(root, "02_modeles/regression.html")
    assert (
        '[<a class="citation" href="../references.html#bib-james2013">2</a>, '
        '<a class="citation" href="../references.html#bib-breiman2001">1</a>]'
    ) in second
    assert '<ol class="bibliography">' in page(root, "references.html")


def test_a_page_is_rendered_again_when_a_label_it_uses_is_renumbered(tmp_path):
    root = copy_fixture(BOOK, tmp_path)
    run_build(root)
    assert '<a href="../01_bases/moyenne.html#fig-nuage">Figure 1</a>' in page(
        root, "02_modeles/regression.html"
    )
    lesson = root / "content/01_bases/moyenne.md"
    figure = "```{figure} ../images/residus.gif\n:name: fig-avant\n\nUne figure ajoutée avant.\n```\n\n"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("(sec-definitions)=", figure + "(sec-definitions)="), encoding="utf-8")
    run_build(root)  # regression.md did not change: its cached body must not be reused
    second = page(root, "02_modeles/regression.html")
    assert '<a href="../01_bases/moyenne.html#fig-nuage">Figure 2</a>' in second
    assert '<span class="caption-number">Figure 3 :</span> Les résidus' in second


def test_a_course_in_coursegen_markdown_takes_no_myst_path(make_course):
    root = make_course({"content/A/x.md": "# X\n\n```{note}\nnot MyST here\n```\n"})
    result = run_build(root)
    assert formatted(result) == []
    html = (root / "site/A/x.html").read_text(encoding="utf-8")
    assert '<div class="admonition' not in html  # a fenced code block, as before
    assert '<div class="highlight"><pre><span></span><code>not MyST here' in html


def test_front_matter_flavor_makes_one_page_myst(make_course):
    root = make_course({"content/A/x.md": "---\nflavor: myst\n---\n# X\n\n```{note}\nEn MyST.\n```\n"})
    run_build(root)
    assert '<div class="admonition note">' in (root / "site/A/x.html").read_text(encoding="utf-8")


def test_course_yml_flavor_keys_are_checked(make_course):
    root = make_course(
        {"course.yml": "markdown:\n  flavor: sphinx\n  citation_style: apa\n  bibtex_bibfiles: 3\n"}
    )
    diagnostics = Diagnostics()
    load_config(root, diagnostics)
    assert [d.message for d in diagnostics.sorted()] == [
        "markdown.bibtex_bibfiles must be a list of paths",
        "markdown.citation_style must be author_year or numbered, not 'apa'",
        "markdown.flavor must be one of coursegen, myst, material, not 'sphinx'",
    ]


def test_readers_set_the_flavor_with_one_call(make_course):
    root = make_course({})
    config = load_config(root, Diagnostics())
    myst = with_markdown_flavor(config, "myst", {"cours": "Stats"}, ["refs.bib"], "numbered")
    assert (myst.markdown.flavor, myst.markdown.substitutions) == ("myst", (("cours", "Stats"),))
    assert (myst.markdown.bibtex_bibfiles, myst.markdown.citation_style) == (("refs.bib",), "numbered")
    with pytest.raises(ValueError):
        with_markdown_flavor(config, "rst")


@pytest.mark.parametrize(
    "tex, rows",
    [
        ("x = 1", 0),
        ("\\begin{equation} x \\end{equation}", 1),
        ("\\begin{align} a &= b \\\\ c &= d \\nonumber \\\\ e &= f \\end{align}", 2),
        ("\\begin{align*} a &= b \\\\ c &= d \\end{align*}", 0),
    ],
)
def test_equation_rows_are_counted_as_coursegen_numbers_them(tex, rows):
    assert equation_rows(tex) == rows


@pytest.mark.parametrize(
    "line, opens",
    [("$$", True), ("$$ x = 1 $$ (eq-x)", True), ("$$ x = 1", True), ("$$a$$ et $$b$$ sont égaux.", False)],
)
def test_display_math_blocks_and_inline_math_at_a_line_start(line, opens):
    assert opens_display_math(line) is opens


# ----------------------------------------------------------------------------------------------
# MkDocs-Material


MATERIAL = {
    "course.yml": "title: Cours\nmarkdown: {flavor: material}\n",
    "content/index.md": "# Accueil\n\n:material-rocket-launch: Commencez ici :fontawesome-brands-python:{ .python }.\n",
    "content/includes/abreviations.md": "*[GPU]: Graphics Processing Unit\n",
    "content/includes/demo.py": "import torch\nprint(torch.cuda.is_available())\n",
    "content/guide/installation.md": (
        "# Installation\n\n"
        '???+ tip "Astuce ouverte"\n    Visible.\n\n'
        '=== "Linux"\n\n    ```bash\n    pip install torch\n    ```\n\n'
        '=== "Windows"\n\n    ```powershell\n    py -m pip install torch\n    ```\n\n'
        "Le GPU :octicons-cpu-16: calcule.\n\n"
        '--8<-- "includes/abreviations.md"\n\n'
        '--8<-- "../course.yml"\n\n'
        '```python\n--8<-- "includes/demo.py"\n```\n\n'
        ";--8<-- \"échappé\"\n"
    ),
}


def test_material_snippets_icons_and_abbreviations(make_course):
    root = make_course(MATERIAL, home=False)
    result = run_build(root)
    assert formatted(result) == [
        "content/guide/installation.md:22: warning[markdown]: snippet '../course.yml' is outside content/ — keep snippets inside content/ (nothing else is read)",
        "content/index.md: warning[markdown]: 3 icon shortcode(s) such as ':material-rocket-launch:' left out of the pages — coursegen does not ship Material's icon sets: use an emoji (✅) or an image instead",
    ]
    html = (root / "site/guide/installation.html").read_text(encoding="utf-8")
    assert '<abbr title="Graphics Processing Unit">GPU</abbr>' in html
    assert ":octicons" not in html and "Le <abbr" in html
    assert '<details class="tip" open>' in html and '<label for="linux">Linux</label>' in html
    assert "is_available" in html  # a file's code shown in a fence, as Material does
    assert '<p>--8&lt;-- "échappé"</p>' in html  # `;--8<--` is written as it is
    assert '<div class="unsupported" data-construct="--8&lt;--">' in html
    assert ":material" not in (root / "site/index.html").read_text(encoding="utf-8")


def test_an_edited_snippet_renders_its_page_again(make_course):
    root = make_course(MATERIAL, home=False)
    run_build(root)
    (root / "content/includes/abreviations.md").write_text("*[GPU]: Graphical Unit\n", encoding="utf-8")
    run_build(root)
    html = (root / "site/guide/installation.html").read_text(encoding="utf-8")
    assert '<abbr title="Graphical Unit">GPU</abbr>' in html


def test_a_rebuild_converts_no_unchanged_page_again(tmp_path, monkeypatch):
    root = copy_fixture(BOOK, tmp_path)
    first = run_build(root)
    before = page(root, "02_modeles/regression.html")
    from coursegen.myst import stage

    def scanned(flavors, page, course):
        raise AssertionError(f"{page.rel} was converted again, unchanged")

    monkeypatch.setattr(stage, "_scan_page", scanned)
    again = run_build(root)  # labels and citations from .coursegen-cache/, pybtex not needed
    assert formatted(again) == formatted(first)
    assert page(root, "02_modeles/regression.html") == before


HANDBOOK_PAGE = """---
flavor: myst
---
(guide:conda)=
# Environnements conda

- Étape 1 : chargez le module.

    ```{tip}
    Vérifiez d'abord les modules chargés.
    ```

- Étape 2 : créez l'environnement, voir [plus bas](#guide:export).

````{seealso}
:icon: book
:colour: blue
La documentation de {{ outil }}.
````

(guide:export)=
## Exporter

```{exercise-start}
:label: ex-sans-fin
```

Un exercice jamais fermé.
"""


def test_handbook_page_nested_directives_options_and_mistakes(make_course):
    """Kempner-handbook shapes: targets with colons, directives inside list items, a link to a label
    written as typed; and the mistakes authors make, each reported at its line."""
    root = make_course({"content/A/conda.md": HANDBOOK_PAGE})
    result = run_build(root)
    assert formatted(result) == [
        "content/A/conda.md:17: warning[unsupported]: option :colour: of {seealso} is not supported — the block is shown without it; remove the option",
        "content/A/conda.md:18: warning[markdown]: substitution '{{ outil }}' is not defined — define it in course.yml (markdown: {substitutions: {outil: …}}) or in the page's front matter",
        "content/A/conda.md:24: warning[unsupported]: '{exercise-start}' has no '{exercise-end}' — close it with ```{exercise-end}```",
    ]
    html = page(root, "A/conda.html")
    # the tip stays inside its list item
    assert re.search(r"<li>\s*<p>Étape 1 : chargez le module.</p>\s*<div class=\"admonition tip\">", html)
    assert '<a href="#guide-export">plus bas</a>' in html
    assert '<h2 id="guide-export">Exporter' in html
    assert '<span class="unsupported" title="outil">outil</span>' in html
