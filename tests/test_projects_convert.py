"""`coursegen convert`: a Jupyter Book or MkDocs project written out as a coursegen course."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import FIXTURES, formatted, load_graph, run_build

from coursegen.cli import main
from coursegen.errors import UsageError
from coursegen.model import PageKind
from coursegen.project.convert import convert_project

PROJECTS = FIXTURES / "projects"


def pages_and_titles(course) -> set[tuple[str, str, str]]:
    """(kind, URL, title) of every page made from a file."""
    return {(page.kind.value, page.url, page.title) for page in course.pages if page.source is not None}


def test_a_converted_book_builds_with_the_same_pages_urls_and_titles(tmp_path):
    book = shutil.copytree(PROJECTS / "jupyter-book", tmp_path / "book")
    before, _ = load_graph(book)
    converted = convert_project(book, tmp_path / "cours")
    after, diagnostics = load_graph(converted.path)
    readme = ("lesson", "README.html", "ml-cours")  # in no TOC entry: content/README.md would be the home
    assert pages_and_titles(after) == pages_and_titles(before) - {readme}
    assert not [line for line in formatted(diagnostics) if "warning" in line or "error" in line]
    assert converted.notes == [
        *(
            f"chapters/{rel}: a text notebook, written as {rel.split('/')[1].split('.')[0]}.ipynb (coursegen "
            "reads text notebooks under notebooks/ only)"
            for rel in ("01_bases/variables.md", "02_modeles/simulation.md", "02_modeles/nettoyage.py")
        ),
        "README.md (in no TOC entry): left out, content/README.md would stand for the home page",
        "the part 'Les bases' is not a folder: its pages keep their folders (add a folder with an index.md "
        "to make it a module)",
        "the part 'Modèles' is not a folder: its pages keep their folders (add a folder with an index.md "
        "to make it a module)",
        "the navigation link 'Documentation scikit-learn' (https://scikit-learn.org/stable/): put it in a page",
        "the old address intro.html of the first page: it is now index.html",
        "launch links took the book from 'book/' in its repository: check launch.repository once the "
        "converted course is pushed",
        "notebooks have no front matter for their order: they follow their folder's pages, by name",
    ]
    # the link to the first page follows it to content/index.md
    assert "[accueil](../../index.md)" in (converted.path / "content/chapters/01_bases/listes.md").read_text()
    simulation = json.loads((converted.path / "content/chapters/02_modeles/simulation.ipynb").read_text())
    assert "scrapbook" in json.dumps(simulation["cells"][3]["outputs"])  # the paired .ipynb's glue outputs
    result = run_build(converted.path, tmp_path / "site")
    assert result.written and not result.diagnostics.errors
    assert (book / "intro.md").is_file() and not (book / "course.yml").exists()  # the project is only read


def test_a_converted_mkdocs_course_keeps_its_pages_titles_and_modules(tmp_path):
    project = shutil.copytree(PROJECTS / "mkdocs", tmp_path / "mkdocs")
    before, _ = load_graph(project)
    converted = convert_project(project, tmp_path / "cours")
    after, _ = load_graph(converted.path)

    def titles(course):
        return [(page.kind.value, page.title) for page in course.pages if page.kind is not PageKind.NOTEBOOK]

    assert {title for _, title in titles(after)} >= {title for _, title in titles(before)}
    notebooks = {p.title for p in after.pages if p.kind is PageKind.NOTEBOOK}
    assert notebooks == {"Pandas en pratique", "Visualisation", "Brouillon"}
    assert after.sections["notebooks"].title == "Notebooks"  # the nav's section, now the folder's module
    config = (converted.path / "course.yml").read_text()
    assert "flavor: material" in config and "extra_css:\n- stylesheets/extra.css" in config


def test_convert_refuses_a_folder_that_is_not_empty_or_inside_the_project(tmp_path):
    book = shutil.copytree(PROJECTS / "jupyter-book", tmp_path / "book")
    (tmp_path / "full").mkdir()
    (tmp_path / "full/notes.txt").write_text("mine\n")
    with pytest.raises(UsageError, match="is not empty"):
        convert_project(book, tmp_path / "full")
    with pytest.raises(UsageError, match="is inside the project"):
        convert_project(book, book / "converted")
    assert (tmp_path / "full/notes.txt").read_text() == "mine\n"


def test_the_convert_command_reports_what_was_not_carried_over(tmp_path, capsys):
    book = shutil.copytree(PROJECTS / "jupyter-book", tmp_path / "book")
    assert main(["convert", str(book), "-o", str(tmp_path / "cours")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        f"Wrote {tmp_path / 'cours'} (13 pages, 2 other files).\nNot carried over:\n"
        "  - chapters/01_bases/variables.md: a text notebook"
    )
    assert main(["convert", str(tmp_path / "cours")]) == 2  # a coursegen course already


def test_converted_snippets_come_along_from_outside_the_docs_folder(tmp_path):
    """Material's recipe keeps includes/ beside docs/ (snippets from the project's folder, the
    default base_path): the files the pages include are copied, the folders in docs/ point into
    content/, and the converted course builds them without a warning."""
    project = shutil.copytree(PROJECTS / "mkdocs", tmp_path / "mkdocs")
    (project / "docs/extraits").mkdir()
    (project / "docs/extraits/code.py").write_text("print('extrait')\n", encoding="utf-8")
    (project / "includes/liens.md").write_text("[pandas]: https://pandas.pydata.org\n", encoding="utf-8")
    (project / "includes/inutile.md").write_text("jamais inclus\n", encoding="utf-8")
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    options = "  - pymdownx.snippets:\n      base_path: [docs/extraits, .]\n      auto_append: [includes/liens.md]\n"
    (project / "mkdocs.yml").write_text(config.replace("  - pymdownx.snippets\n", options), encoding="utf-8")
    page = project / "docs/bases/boucles.md"
    page.write_text(
        page.read_text(encoding="utf-8") + '\n```python\n--8<-- "code.py"\n```\n', encoding="utf-8"
    )
    converted = convert_project(project, tmp_path / "cours")
    course_yml = (converted.path / "course.yml").read_text(encoding="utf-8")
    assert (
        "  snippet_paths:\n  - content/extraits\n  - .\n  snippet_auto_append:\n  - includes/liens.md\n"
        in course_yml
    )
    copied = sorted(p.relative_to(converted.path).as_posix() for p in (converted.path / "includes").iterdir())
    assert copied == ["includes/abreviations.md", "includes/liens.md"]  # only what a page includes
    result = run_build(converted.path)
    assert [line for line in formatted(result) if "snippet" in line] == []
    html = (converted.path / "site/bases/boucles.html").read_text(encoding="utf-8")
    assert "extrait" in html and "<abbr" in html
