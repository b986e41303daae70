"""Jupyter Book 1 and MkDocs projects read in place: TOC → course graph, old URLs, settings mapped."""

from __future__ import annotations

import shutil

import pytest
from conftest import FIXTURES, formatted, load_graph, run_build, write_tree

from coursegen.config import LaunchSettings
from coursegen.errors import Diagnostics
from coursegen.model import PageKind
from coursegen.project.stages import load_course_settings

PROJECTS = FIXTURES / "projects"


@pytest.fixture
def book(tmp_path):
    return shutil.copytree(PROJECTS / "jupyter-book", tmp_path / "book")


@pytest.fixture
def mkdocs_course(tmp_path):
    return shutil.copytree(PROJECTS / "mkdocs", tmp_path / "mkdocs")


def outline(course) -> list[tuple[int, str, str, str]]:
    """(depth, kind, URL, title) of every page in reading order."""

    def depth(page):
        return 0 if page.parent is None else 1 + depth(page.parent)

    return [(depth(page), page.kind.value, page.url, page.title) for page in course.pages]


def test_a_jupyter_book_becomes_the_course_of_its_toc_in_toc_order_at_its_old_urls(book):
    course, _ = load_graph(book)
    assert outline(course) == [
        (0, "home", "index.html", "Bienvenue"),
        (1, "section", "les-bases/index.html", "Les bases"),
        (2, "section", "chapters/01_bases/index.html", "1. Premiers pas"),  # title: override, numbered
        (3, "notebook", "chapters/01_bases/variables.html", "1.1. Variables"),
        (3, "lesson", "chapters/01_bases/listes.html", "1.2. Listes"),
        (2, "lesson", "chapters/01_bases/exercices.html", "2. Exercices"),
        (1, "section", "modeles/index.html", "Modèles"),
        (2, "notebook", "chapters/02_modeles/regression.html", "Régression linéaire"),
        (2, "lesson", "chapters/02_modeles/theorie.html", "Cadre théorique"),
        (
            2,
            "notebook",
            "chapters/02_modeles/simulation.html",
            "Simulation d'une régression",
        ),  # MyST + .ipynb
        (
            2,
            "lesson",
            "chapters/02_modeles/synthese.html",
            "Synthèse",
        ),  # its section: a notebook has no pages
        (2, "notebook", "chapters/02_modeles/nettoyage.html", "Nettoyage des données"),  # percent script
        (2, "lesson", "annexes/a_installation.html", "Installation"),  # glob: annexes/*, by name
        (2, "lesson", "annexes/b_glossaire.html", "Glossaire"),
        (2, "lesson", "bibliographie.html", "Bibliographie"),
        (1, "lesson", "README.html", "ml-cours"),  # in no TOC entry: built after the rest, as JB does
    ]
    assert course.links == [("Documentation scikit-learn", "https://scikit-learn.org/stable/")]
    assert course.redirects == {"intro.html": "index.html"}


def test_the_book_builds_with_its_pages_assets_and_links_where_jupyter_book_put_them(book, tmp_path):
    result = run_build(book, tmp_path / "site")
    site = tmp_path / "site"
    for url in ("index.html", "chapters/01_bases/listes.html", "chapters/02_modeles/regression.ipynb"):
        assert (site / url).is_file(), url
    assert (site / "images/logo.png").is_file()  # assets beside the pages, at the same paths
    assert not (site / "brouillons").exists()  # exclude_patterns
    assert 'url=index.html"' in (site / "intro.html").read_text()  # the first page's old address
    home = (site / "index.html").read_text()
    assert 'href="chapters/01_bases/index.html"' in home  # [premiers pas](chapters/01_bases/index.md)
    assert 'href="chapters/02_modeles/regression.html"' in home
    assert 'href="https://scikit-learn.org/stable/" class="nav-external"' in home
    assert '<img class="brand-logo" src="images/logo.png"' in home
    assert "2024" in home.split('class="footer-copyright">')[1][:10]
    notebook = (site / "chapters/02_modeles/regression.html").read_text()
    assert 'href="../01_bases/listes.html"' in notebook
    assert (
        "https://colab.research.google.com/github/iut-exemple/ml-cours/blob/main/book/chapters/02_modeles/regression.ipynb"
        in notebook
    )
    assert not [line for line in formatted(result) if "[links]" in line or "[anchors]" in line]


def test_the_book_settings_are_mapped_and_the_rest_named_in_one_warning(book):
    diagnostics = Diagnostics()
    config, spec = load_course_settings(book, diagnostics)
    assert (config.title, config.author, config.copyright, config.logo) == (
        "Apprentissage automatique",
        "Équipe pédagogique IUT",
        "2024",
        "images/logo.png",
    )
    assert (config.language, config.base_url) == ("fr", "https://iut-exemple.github.io/ml-cours/")
    assert (config.notebooks.execute, config.notebooks.timeout, config.notebooks.allow_errors) == (
        "never",
        90,
        True,
    )
    assert config.launch == LaunchSettings("iut-exemple/ml-cours", "main", "book")
    assert config.bibtex_bibfiles == ("references.bib",)
    assert config.markdown_flavor == "myst"
    assert config.substitutions == (("annee", "2024-2025"),)
    assert spec.only_build_toc_files is False
    assert formatted(diagnostics) == [
        "_config.yml:27: warning[config]: settings coursegen does not use: html.use_repository_button, "
        "html.google_analytics_id, launch_buttons.thebe, sphinx.extra_extensions, "
        "sphinx.config.bibtex_reference_style, sphinx.config.html_show_copyright — the site is built "
        "without them (README: Bring your Jupyter Book or MkDocs course)"
    ]


def test_check_lists_what_the_book_does_not_use_and_the_pages_outside_the_toc(book):
    result = run_build(book, write=False)
    assert [line for line in formatted(result) if "[files]" in line] == [
        "README.md: warning[files]: the page is in no entry of _toc.yml: published, but only reachable "
        "by links — add it to _toc.yml, or set only_build_toc_files: true"
    ]


def test_only_build_toc_files_leaves_the_other_pages_out_without_a_word(book):
    config = book / "_config.yml"
    config.write_text(config.read_text().replace("only_build_toc_files: false", "only_build_toc_files: true"))
    course, diagnostics = load_graph(book)
    assert "README.html" not in [page.url for page in course.pages]
    assert not [line for line in formatted(diagnostics) if "[files]" in line]


@pytest.mark.parametrize(
    ("mode", "execute"), [("off", "never"), ("auto", "auto"), ("force", "always"), ("cache", "always")]
)
def test_execute_notebooks_maps_to_coursegen_execution(tmp_path, mode, execute):
    root = write_tree(
        tmp_path / "b",
        {
            "_toc.yml": "format: jb-book\nroot: intro\n",
            "_config.yml": f"execute:\n  execute_notebooks: {mode}\n",
        },
    )
    config, _ = load_course_settings(root, Diagnostics())
    assert config.notebooks.execute == execute


def test_a_jupyter_book_runs_notebooks_without_outputs_by_default_with_its_30_s_limit(tmp_path):
    root = write_tree(tmp_path / "b", {"_toc.yml": "format: jb-book\nroot: intro\n", "intro.md": "# I\n"})
    config, _ = load_course_settings(root, Diagnostics())
    assert (config.notebooks.execute, config.notebooks.timeout) == ("auto", 30)


def test_toc_entries_that_lead_nowhere_and_unknown_toc_keys_are_findings(tmp_path):
    root = write_tree(
        tmp_path / "b",
        {
            "_toc.yml": (
                "format: jb-article\nroot: intro\nsections:\n  - file: missing\n  - file: here\n"
                "    maxdepth: 2\n  - glob: nothing/*\n"
            ),
            "intro.md": "# Intro\n",
            "here.ipynb": '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
        },
    )
    course, diagnostics = load_graph(root)
    assert outline(course) == [(0, "home", "index.html", "Intro"), (1, "notebook", "here.html", "Here")]
    assert formatted(diagnostics) == [
        "_toc.yml:4: warning[config]: 'missing' is in the table of contents but there is no such page — "
        "check the path (from the book folder, without the extension)",
        "_toc.yml:5: warning[config]: table of contents keys coursegen does not use: maxdepth — the site is "
        "built without them (README: Bring your Jupyter Book or MkDocs course)",
        "_toc.yml:7: warning[config]: glob 'nothing/*' matches no page — check the pattern (from the book "
        "folder, without the extension)",
    ]


def test_a_mkdocs_course_follows_its_nav_with_directory_urls(mkdocs_course):
    course, _ = load_graph(mkdocs_course)
    assert outline(course) == [
        (0, "home", "index.html", "Initiation à la science des données"),
        (1, "section", "bases/index.html", "Les bases"),  # the section's index.md is its page
        (2, "lesson", "bases/types/index.html", "Types de données"),
        (2, "lesson", "bases/boucles/index.html", "Boucles"),
        (1, "section", "notebooks/index.html", "Notebooks"),
        (2, "notebook", "notebooks/pandas/index.html", "Pandas en pratique"),
        (2, "notebook", "notebooks/visualisation/index.html", "Visualisation"),
        (1, "lesson", "a-propos/index.html", "À propos"),
        (1, "lesson", "licence/index.html", "Licence"),  # not in the nav: after the rest
    ]
    assert course.links == [("Documentation pandas", "https://pandas.pydata.org/docs/")]
    ignored = [str(asset.site_rel) for asset in course.assets if asset.rel.suffix == ".ipynb"]
    assert ignored == ["notebooks/brouillon_idees.ipynb"]  # mkdocs-jupyter `ignore`: a file, not a page


def test_mkdocs_settings_python_tags_and_remote_scripts(mkdocs_course, tmp_path):
    result = run_build(mkdocs_course, tmp_path / "site")
    assert [line for line in formatted(result) if line.startswith("mkdocs.yml")] == [
        "mkdocs.yml:6: warning[config]: settings coursegen does not use: repo_url, edit_uri, theme.features, "
        "theme.palette, plugins.mkdocs-jupyter.theme, plugins.git-revision-date-localized, extra — the site "
        "is built without them (README: Bring your Jupyter Book or MkDocs course)",
        "mkdocs.yml:65: warning[assets]: extra_javascript 'https://unpkg.com/mathjax@3/es5/tex-mml-chtml.js' "
        "is on another site: left out, the course must work offline — download the file into the docs "
        "folder and list its path instead",
    ]
    page = (tmp_path / "site/bases/types/index.html").read_text()
    assert '<link rel="stylesheet" href="../../stylesheets/extra.css">' in page
    assert '<script src="../../javascripts/extra.js" defer></script>' in page
    assert "unpkg.com" not in page
    assert 'href="../boucles/index.html"' in page and 'src="../../assets/images/logo.png"' in page
    assert "Copyright © 2024 Claire Martin" in page
    assert '<html lang="fr"' in page


def test_mkdocs_without_directory_urls_or_nav_uses_flat_urls_and_the_folder_order(tmp_path):
    root = write_tree(
        tmp_path / "m",
        {
            "mkdocs.yml": "site_name: M\nuse_directory_urls: false\n",
            "docs/index.md": "# Home\n",
            "docs/b.md": "# B\n",
            "docs/a.md": "# A\n",
            "docs/part/README.md": "# Part\n",
            "docs/part/x.md": "# X\n",
        },
    )
    course, diagnostics = load_graph(root)
    assert outline(course) == [
        (0, "home", "index.html", "Home"),
        (1, "lesson", "a.html", "A"),
        (1, "lesson", "b.html", "B"),
        (1, "section", "part/README.html", "Part"),
        (2, "lesson", "part/x.html", "X"),
    ]
    assert formatted(diagnostics) == []


def test_python_tags_in_mkdocs_yml_are_never_run(tmp_path):
    marker = tmp_path / "ran"
    root = write_tree(
        tmp_path / "m",
        {
            "mkdocs.yml": f'site_name: M\nhook: !!python/object/apply:os.system ["touch {marker}"]\n',
            "docs/index.md": "# Home\n",
        },
    )
    config, _ = load_course_settings(root, Diagnostics())
    assert config.title == "M" and not marker.exists()


def test_a_course_yml_wins_over_a_stray_mkdocs_yml(make_course):
    root = make_course({"mkdocs.yml": "site_name: other\n", "content/A/x.md": "# X\n"})
    course, _ = load_graph(root)
    assert [page.url for page in course.pages] == ["index.html", "A/index.html", "A/x.html"]
    assert course.pages[2].kind is PageKind.LESSON


def test_a_site_built_in_the_book_and_a_python_environment_are_not_read_as_sources(book, tmp_path):
    run_build(book)  # into book/site
    write_tree(book / "venv", {"pyvenv.cfg": "home = /usr/bin\n", "lib/README.md": "# pip\n"})
    course, _ = load_graph(book)
    read = [str(asset.rel) for asset in course.assets] + [page.rel for page in course.pages]
    assert not [rel for rel in read if rel.startswith(("site/", "venv/"))]


def test_course_yml_takes_the_settings_a_converted_project_needs(make_course):
    root = make_course(
        {
            "course.yml": (
                "title: C\ncopyright: '© 2025'\nlogo: images/logo.png\nextra_css: css/extra.css\n"
                "extra_javascript: [js/a.js, js/b.js]\n"
                "markdown: {flavor: myst, bibtex_bibfiles: [content/refs.bib]}\n"
            )
        }
    )
    diagnostics = Diagnostics()
    config, spec = load_course_settings(root, diagnostics)
    assert spec is None and formatted(diagnostics) == []
    assert (config.copyright, config.logo, config.extra_css, config.extra_javascript) == (
        "© 2025",
        "images/logo.png",
        ("css/extra.css",),
        ("js/a.js", "js/b.js"),
    )
    assert (config.bibtex_bibfiles, config.markdown_flavor) == (("content/refs.bib",), "myst")


def test_a_wrong_markdown_flavor_or_path_list_in_course_yml_is_an_error(make_course):
    root = make_course({"course.yml": "markdown: {flavor: rst}\nextra_css: {a: 1}\n"})
    diagnostics = Diagnostics()
    load_course_settings(root, diagnostics)
    assert formatted(diagnostics) == [
        "course.yml:1: error[config]: markdown.flavor must be one of coursegen, myst, material, not 'rst' — myst "
        "for pages written for Jupyter Book, material for MkDocs-Material",
        "course.yml:2: error[config]: 'extra_css' must be a list of file paths — e.g. extra_css: [a.x, b.x]",
    ]


def test_a_text_notebook_and_its_paired_ipynb_are_one_page_whichever_the_toc_names(tmp_path):
    myst = "---\njupytext:\n  formats: ipynb,md:myst\nkernelspec:\n  display_name: Python 3\n  name: python3\n---\n\n# Essai\n"
    cell = "```{code-cell} ipython3\n1 + 1\n```\n"
    ipynb = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    root = write_tree(
        tmp_path / "b",
        {
            "_toc.yml": "format: jb-article\nroot: intro\nsections:\n  - file: a.ipynb\n  - file: b\n",
            "intro.md": "# Intro\n",
            **{
                "a.md": myst + cell,
                "a.ipynb": ipynb,
                "b.md": myst.replace("Essai", "Autre") + cell,
                "b.ipynb": ipynb,
            },
        },
    )
    course, diagnostics = load_graph(root)
    assert outline(course) == [
        (0, "home", "index.html", "Intro"),
        (1, "notebook", "a.html", "Essai"),
        (1, "notebook", "b.html", "Autre"),
    ]
    assert [page.source.pair.name for page in course.pages[1:]] == ["a.ipynb", "b.ipynb"]
    assert formatted(diagnostics) == []


def test_mkdocs_snippets_are_read_from_pymdownx_base_path_and_auto_append(tmp_path):
    """As pymdownx.snippets: paths from `base_path` (by default the project's folder, where mkdocs
    runs), in order; `auto_append` files end every page (Material's abbreviations recipe); a
    snippet missing or outside those folders is a warning that names them."""
    root = write_tree(
        tmp_path / "m",
        {
            "mkdocs.yml": (
                "site_name: M\nuse_directory_urls: false\nmarkdown_extensions:\n  - abbr\n"
                "  - pymdownx.snippets:\n      base_path: [docs/extraits, .]\n"
                "      auto_append: [includes/abreviations.md]\n"
            ),
            "includes/abreviations.md": "*[GPU]: Graphics Processing Unit\n",
            "docs/extraits/code.py": "print('depuis docs/extraits')\n",
            "code.py": "print('depuis la racine')\n",
            "docs/index.md": (
                "# Accueil\n\nLe GPU calcule.\n\n```python\n--8<-- \"code.py\"\n```\n\n"
                '--8<-- "includes/absent.md"\n\n--8<-- "../../secret.txt"\n'
            ),
            "docs/autre.md": "# Autre\n\nUn GPU.\n",
        },
    )
    result = run_build(root)
    where = "docs/extraits/ and the project's folder"
    assert formatted(result) == [
        f"docs/index.md:9: warning[markdown]: snippet 'includes/absent.md' not found in {where} — "
        f'give its path from {where}, e.g. --8<-- "includes/abbreviations.md"',
        f"docs/index.md:11: warning[markdown]: snippet '../../secret.txt' is outside {where} — "
        f"keep snippets inside {where} (nothing else is read)",
    ]
    home = (root / "site/index.html").read_text(encoding="utf-8")
    assert "depuis docs/extraits" in home and "depuis la racine" not in home  # the first folder wins
    for page in ("index.html", "autre.html"):
        html = (root / "site" / page).read_text(encoding="utf-8")
        assert '<abbr title="Graphics Processing Unit">GPU</abbr>' in html


@pytest.mark.parametrize(
    ("numbered", "titles"),
    [
        ("true", ["1. Chapitre", "1.1. Section", "1.1.1. Détail", "2. Autre"]),
        ("2", ["1. Chapitre", "1.1. Section", "Détail", "2. Autre"]),
        ("1", ["1. Chapitre", "Section", "Détail", "2. Autre"]),
        ("0", ["Chapitre", "Section", "Détail", "Autre"]),
    ],
)
def test_numbered_n_numbers_n_levels_as_sphinx_does(tmp_path, numbered, titles):
    toc = (
        f"format: jb-book\nroot: intro\ndefaults:\n  numbered: {numbered}\nchapters:\n"
        "- file: chapitre\n  sections:\n  - file: section\n    sections:\n    - file: detail\n- file: autre\n"
    )
    files = {"_toc.yml": toc, "_config.yml": "title: Livre\n", "intro.md": "# Intro\n"}
    files |= {
        f"{name}.md": f"# {title}\n" for name, title in [("chapitre", "Chapitre"), ("section", "Section")]
    }
    files |= {"detail.md": "# Détail\n", "autre.md": "# Autre\n"}
    course, diagnostics = load_graph(write_tree(tmp_path / "book", files))
    assert [title for _, _, _, title in outline(course)][1:] == titles
    assert formatted(diagnostics) == []
