"""`coursegen serve` in a Jupyter Book or MkDocs project: the project's own files are watched."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree
from test_serve import edit, get, wait_until

from coursegen.serve import PreviewServer
from coursegen.watch import ChangeKind, classify, watched_layout

BOOK = {
    "_toc.yml": "format: jb-book\nroot: intro\nchapters:\n  - file: a\n",
    "_config.yml": "title: Livre\nonly_build_toc_files: true\nexecute:\n  execute_notebooks: 'off'\n",
    "intro.md": "# Intro\n",
    "a.md": "# Chapitre A\n",
    "b.md": "# Chapitre B\n",
}


@pytest.fixture
def book_server(tmp_path):
    server = PreviewServer(write_tree(tmp_path / "book", BOOK), "127.0.0.1", 0, verbosity=0)
    server.start()
    yield server
    server.stop()


def test_editing_the_toc_rebuilds_the_book_being_served(book_server):
    assert get(book_server, "/a.html").status == 200
    assert get(book_server, "/b.html").status == 404  # only_build_toc_files: not in the TOC
    edit(book_server.root / "_toc.yml", BOOK["_toc.yml"] + "  - file: b\n")
    wait_until(lambda: get(book_server, "/b.html").status == 200, message="b.html after the TOC edit")
    assert "Chapitre B" in get(book_server, "/b.html").text


def test_editing_a_page_at_the_top_of_the_book_rebuilds_it(book_server):
    edit(book_server.root / "a.md", "# Chapitre A revu\n")
    wait_until(lambda: "Chapitre A revu" in get(book_server, "/a.html").text, message="the edited page")


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("_toc.yml", ChangeKind.CONFIG),
        ("_config.yml", ChangeKind.CONFIG),
        ("intro.md", ChangeKind.CONTENT),
        ("part/n.ipynb", ChangeKind.NOTEBOOK),
        ("part/img.png", ChangeKind.CONTENT),
        ("site/index.html", None),  # a site built there earlier
        ("_build/html/index.html", None),
        (".git/index", None),
        ("part/.n.md.swp", None),
    ],
)
def test_what_of_a_book_serve_watches(tmp_path, rel, kind):
    root = write_tree(tmp_path / "book", {**BOOK, "site/.coursegen-site": "", "part/x.md": "# X\n"})
    assert classify(root, root / rel, watched_layout(root)) is kind


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("mkdocs.yml", ChangeKind.CONFIG),
        ("cours/index.md", ChangeKind.CONTENT),
        ("cours/nb/x.ipynb", ChangeKind.NOTEBOOK),
        ("docs/index.md", None),  # not the docs_dir of this project
        ("README.md", None),
    ],
)
def test_what_of_a_mkdocs_project_serve_watches(tmp_path, rel, kind):
    root = write_tree(
        tmp_path / "m", {"mkdocs.yml": "site_name: M\ndocs_dir: cours\n", "cours/index.md": "# M\n"}
    )
    assert classify(root, root / rel, watched_layout(root)) is kind


def test_a_native_course_is_watched_as_before(tmp_path):
    root = write_tree(tmp_path / "c", {"content/index.md": "# C\n"})
    assert classify(root, Path(root / "content/index.md"), watched_layout(root)) is ChangeKind.CONTENT
    assert classify(root, root / "README.md", watched_layout(root)) is None
