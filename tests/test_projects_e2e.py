"""Issue #24's "Done when", on the fixture projects as a teacher brings them (tests/fixtures/projects):
a Jupyter Book 1 book (parts, numbered chapters, a MyST notebook gluing values with its paired
`.ipynb`, a percent script, exercises, `prf:` blocks, numbered equations and figures, citations) and
a MkDocs-Material + mkdocs-jupyter course (nested nav, tabs, collapsibles, snippets, icons) build
unchanged: no raw syntax left, every reference resolved, glue values shown, the unsupported listed.
The order and URLs of their pages are test_projects.py's outlines."""

from __future__ import annotations

import os
import posixpath
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURES, formatted, run_build
from test_myst import RAW_MYST, visible_text

from coursegen.cli import main

PROJECTS = FIXTURES / "projects"
MATERIAL_RAW = re.compile(r'^(===|\?\?\?\+?|!!!) |--8<--|:(material|fontawesome|octicons)-[\w-]+:', re.M)

# what `check` lists: exactly the unsupported (the orphan pages, the settings not used, a directive)
BOOK_FINDINGS = [
    "README.md: warning[files]: the page is in no entry of _toc.yml: published, but only reachable "
    "by links — add it to _toc.yml, or set only_build_toc_files: true",
    "_config.yml:27: warning[config]: settings coursegen does not use: html.use_repository_button, "
    "html.google_analytics_id, launch_buttons.thebe, sphinx.extra_extensions, "
    "sphinx.config.bibtex_reference_style, sphinx.config.html_show_copyright — the site is built "
    "without them (README: Bring your Jupyter Book or MkDocs course)",
    "annexes/a_installation.md:7: warning[unsupported]: MyST directive {youtube} is not supported — it "
    "is shown as written, in a 'not supported' block; rewrite it with supported syntax (README: MyST "
    "and Material syntax)",
]
MKDOCS_FINDINGS = [
    "docs/bases/boucles.md: warning[markdown]: 1 icon shortcode(s) such as ':material-lightbulb-on:' left "
    "out of the pages — coursegen does not ship Material's icon sets: use an emoji (✅) or an image instead",
    "docs/licence.md: warning[files]: the page is in no entry of mkdocs.yml: published, but only "
    "reachable by links — add it to mkdocs.yml",
    "mkdocs.yml:6: warning[config]: settings coursegen does not use: repo_url, edit_uri, theme.features, "
    "theme.palette, plugins.mkdocs-jupyter.theme, plugins.git-revision-date-localized, extra — the site "
    "is built without them (README: Bring your Jupyter Book or MkDocs course)",
    "mkdocs.yml:65: warning[assets]: extra_javascript 'https://unpkg.com/mathjax@3/es5/tex-mml-chtml.js' "
    "is on another site: left out, the course must work offline — download the file into the docs "
    "folder and list its path instead",
]


def built(tmp_path_factory, name: str):
    root = shutil.copytree(
        PROJECTS / name,
        tmp_path_factory.mktemp(name) / name,
        ignore=shutil.ignore_patterns(".coursegen-cache"),
    )
    return root, run_build(root, root.parent / "site")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return built(tmp_path_factory, "jupyter-book")


@pytest.fixture(scope="module")
def mkdocs_course(tmp_path_factory):
    return built(tmp_path_factory, "mkdocs")


def pages(root: Path) -> dict[str, str]:
    site = root.parent / "site"
    return {str(path.relative_to(site)): path.read_text(encoding="utf-8") for path in site.rglob("*.html")}


class _Links(HTMLParser):
    """The hrefs of a page's main part."""

    def __init__(self):
        super().__init__()
        self.inside_main = False
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.inside_main = self.inside_main or tag == "main"
        href = dict(attrs).get("href")
        if self.inside_main and tag == "a" and href:
            self.hrefs.append(href)


def reading(html: str) -> str:
    """A page's visible text on one line, French no-break spaces read as spaces."""
    return " ".join(visible_text(html).replace("\u00a0", " ").replace("\u202f", " ").split())


def main_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def broken_links(site: dict[str, str]) -> list[str]:
    """Links inside the site that lead to no page, or to no element id of it."""
    broken = []
    for url, html in site.items():
        for href in main_links(html):
            target, _, anchor = href.partition("#")
            if re.match(r"[a-z]+:|//", href) or (target and not target.endswith((".html", "/"))):
                continue  # another site, or a download (test_projects checks the files)
            target_url = posixpath.normpath(posixpath.join(posixpath.dirname(url), target)) if target else url
            page = site.get(target_url + ("/index.html" if target.endswith("/") else ""))
            if page is None or (anchor and f'id="{anchor}"' not in page):
                broken.append(f"{url} → {href}")
    return broken


def test_no_book_page_shows_raw_myst_syntax(book):
    root, _ = book
    for url, html in pages(root).items():
        text = visible_text(html)
        assert not RAW_MYST.search(text), f"{url}: {RAW_MYST.search(text).group(0)!r}"


def test_every_book_reference_resolves_to_a_page_and_an_anchor(book):
    root, result = book
    assert not [line for line in formatted(result) if "[links]" in line or "[anchors]" in line]
    assert broken_links(pages(root)) == []
    theory_links = main_links(pages(root)["chapters/02_modeles/theorie.html"])
    for href in (
        "../../annexes/b_glossaire.html",  # {doc}
        "#sec-risque",  # {ref}
        "#eq-risque",  # {eq}
        "#fig-droite",  # {numref}
        "#thm-gauss-markov",  # {prf:ref}
        "../../bibliographie.html#bib-hastie2009",  # {cite:t}, to the {bibliography}
    ):
        assert href in theory_links, href
    assert "simulation.html" in main_links(pages(root)["chapters/02_modeles/synthese.html"])
    theory = reading(pages(root)["chapters/02_modeles/theorie.html"])
    for shown in (
        "Minimiser (1)",
        "La Figure 1 illustre le Théorème 1",
        "la section Risque empirique",
        "Hastie et al. (2009)",
        "(Géron, 2019)",
        "Exercice 1",
        "Solution de l'exercice 1",
    ):
        assert shown in theory, shown
    references = visible_text(pages(root)["bibliographie.html"])
    assert "Hastie" in references and "Géron" in references


def test_glued_values_appear_where_the_book_pastes_them(book):
    root, _ = book
    site = pages(root)
    assert "La pente estimée vaut 2.52 sur 100 points." in visible_text(
        site["chapters/02_modeles/simulation.html"]
    )
    assert "estime une pente de 2.523 à partir de 100 points" in reading(
        site["chapters/02_modeles/synthese.html"]
    )


def test_the_paired_notebook_is_one_page_with_its_outputs_and_the_script_a_notebook(book):
    root, result = book
    site = root.parent / "site"
    assert (site / "chapters/02_modeles/simulation.ipynb").is_file()  # the download, as .ipynb
    assert (site / "chapters/02_modeles/nettoyage.ipynb").is_file()
    simulation = pages(root)["chapters/02_modeles/simulation.html"]
    assert "2.522714226202129" in simulation  # glue(..., display=True): the saved output, from the .ipynb
    assert ">journal de la simulation" not in simulation  # remove-output: the code only
    assert not [line for line in formatted(result) if "simulation.ipynb" in line]  # no orphan twin


def test_check_lists_exactly_what_the_book_does_not_support(book):
    _, result = book
    assert formatted(result) == BOOK_FINDINGS


def test_no_mkdocs_page_shows_raw_material_syntax(mkdocs_course):
    root, _ = mkdocs_course
    for url, html in pages(root).items():
        text = visible_text(html)
        assert not MATERIAL_RAW.search(text), f"{url}: {MATERIAL_RAW.search(text).group(0)!r}"
    loops = pages(root)["bases/boucles/index.html"]
    assert '<label for="python">Python</label>' in loops and '<label for="r">R</label>' in loops
    assert '<details class="question">' in loops and '<details class="tip" open>' in loops
    assert '<abbr title="Comma-Separated Values">CSV</abbr>' in loops  # the snippet's abbreviations


def test_every_mkdocs_link_resolves_and_check_lists_the_unsupported(mkdocs_course):
    root, result = mkdocs_course
    assert broken_links(pages(root)) == []
    assert formatted(result) == MKDOCS_FINDINGS


@pytest.mark.parametrize(("name", "findings"), [("jupyter-book", BOOK_FINDINGS), ("mkdocs", MKDOCS_FINDINGS)])
def test_coursegen_check_lists_the_same_findings_and_writes_no_site(
    tmp_path, capsys, monkeypatch, name, findings
):
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # `check` has no -j: one worker per core
    root = shutil.copytree(
        PROJECTS / name, tmp_path / name, ignore=shutil.ignore_patterns(".coursegen-cache")
    )
    assert main(["check", str(root)]) == 0
    *lines, summary = capsys.readouterr().err.splitlines()
    assert lines == findings
    assert summary.endswith(f"0 errors, {len(findings)} warnings")
    assert not (root / "site").exists()
