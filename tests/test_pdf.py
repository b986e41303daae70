"""`coursegen pdf` with Debian's Chromium: the PDFs' text, pages, paper, bookmarks and page
numbers (read with pypdf), the cache that makes a rerun print nothing, `--section`, and that
printing sends no request, even for an image the lesson loads from a web server."""

from __future__ import annotations

import http.server
import os
import threading
from pathlib import Path
from unittest import mock

import pypdf
import pytest
from conftest import copy_fixture
from screenshot import CHROMIUM  # tests/screenshot.py

from coursegen.cli import main

pytestmark = pytest.mark.browser
DECEMBER_FIRST = "1796083200"


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """tests/fixtures/print after `coursegen pdf`: (course root, what the command said)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium)")
    root = copy_fixture("print", tmp_path_factory.mktemp("pdf"))
    return root, pdf_command(root)


def pdf_command(root: Path, *more: str) -> tuple[int, str]:
    with (
        mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": DECEMBER_FIRST}),
        mock.patch("sys.stderr", new_callable=_Text) as err,
    ):
        status = main(["pdf", str(root), "--chromium", str(CHROMIUM), *more])
    return status, err.getvalue()


class _Text:
    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def getvalue(self) -> str:
        return "".join(self.parts)


def outline(reader: pypdf.PdfReader) -> list[tuple[int, str, int]]:
    """The bookmarks as (depth, title, page number from 1)."""
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title.strip(), reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def test_the_pdfs_are_in_the_site_and_linked_from_their_section(printed):
    root, (status, said) = printed
    assert status == 0, said
    site = root / "site"
    assert sorted(path.name for path in (site / "pdf").iterdir()) == [
        "01_bases.pdf",
        "02_suite.pdf",
        "course.pdf",
    ]
    assert "Printing 01_bases/print.html → pdf/01_bases.pdf" in said
    module = (site / "01_bases/index.html").read_text(encoding="utf-8")
    assert '<a class="button button-primary" href="../pdf/01_bases.pdf" download>' in module
    assert "Télécharger le PDF" in module


def test_the_course_pdf_has_the_text_pages_paper_and_page_numbers(printed):
    root, _ = printed
    reader = pypdf.PdfReader(root / "site/pdf/course.pdf")
    texts = [page.extract_text() for page in reader.pages]
    assert len(reader.pages) >= 9  # cover, contents, home text, then every chapter on a page of its own
    assert "Statistiques pour débutants" in texts[0] and "Jeanne Dupont" in texts[0]
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    assert "Table des matières" in texts[1]
    for number, text in enumerate(texts[1:], start=2):  # the footer, from the second page on
        assert f"{number} / {len(texts)}" in text
    whole = "\n".join(texts)
    for words in (
        "La médiane coupe la série",
        "Calculez la moyenne de 4, 8 et 15",
        "=MOYENNE(A1:A20)",
        "9.0",
    ):
        assert words in whole
    assert "Corrigés — Les bases" in whole


def test_the_bookmarks_follow_the_headings(printed):
    root, _ = printed
    reader = pypdf.PdfReader(root / "site/pdf/course.pdf")
    marks = outline(reader)
    titles = [(depth, title) for depth, title, _ in marks]
    assert titles[0] == (0, "Statistiques pour débutants")
    assert (1, "Les bases") in titles and (2, "La moyenne") in titles and (3, "Définition") in titles
    lessons = [title for depth, title, _ in marks if depth == 2]
    assert lessons[:5] == [
        "La moyenne",
        "La médiane",
        "Moyenne en Python",
        "Corrigés — Les bases",
        "La variance",
    ]
    pages = {title: page for depth, title, page in marks if depth == 2}
    assert pages["La moyenne"] < pages["La médiane"] < pages["Corrigés — Les bases"] < pages["La variance"]
    module = outline(pypdf.PdfReader(root / "site/pdf/01_bases.pdf"))
    assert [title for depth, title, _ in module if depth == 1][:3] == [
        "Table des matières",
        "La moyenne",
        "La médiane",
    ]


def test_a_rerun_prints_nothing_and_gives_the_same_bytes(printed):
    root, _ = printed
    before = {path.name: path.read_bytes() for path in (root / "site/pdf").iterdir()}
    status, said = pdf_command(root)
    assert status == 0, said
    assert "Printing" not in said
    assert "Unchanged: pdf/course.pdf, pdf/01_bases.pdf, pdf/02_suite.pdf" in said
    assert {path.name: path.read_bytes() for path in (root / "site/pdf").iterdir()} == before


def test_one_section_only_and_an_edit_prints_again(tmp_path):
    root = copy_fixture("print", tmp_path)
    status, said = pdf_command(root, "--section", "02_suite")
    assert status == 0, said
    assert sorted(path.name for path in (root / "site/pdf").iterdir()) == ["02_suite.pdf"]
    first = (root / "site/pdf/02_suite.pdf").read_bytes()
    lesson = root / "content/02_suite/01_variance.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + "\nL'écart-type est sa racine carrée.\n", encoding="utf-8"
    )
    status, said = pdf_command(root, "--section", "02_suite")
    assert "Printing 02_suite/print.html → pdf/02_suite.pdf" in said
    again = (root / "site/pdf/02_suite.pdf").read_bytes()
    assert again != first
    assert "L'écart-type est sa racine carrée." in "".join(
        p.extract_text() for p in pypdf.PdfReader(root / "site/pdf/02_suite.pdf").pages
    ).replace("\u2019", "'")
    assert len(list((root / ".coursegen-cache/pdf").iterdir())) == 1  # the old PDF was forgotten


def test_the_instructors_handout_is_printed_beside_the_learners_pdfs(tmp_path):
    """`coursegen pdf --audience instructor`: the instructor's edition (its notes, its solutions) in
    site-instructor/pdf/; each edition keeps its own cached PDFs, so printing one never makes the
    other print again."""
    root = copy_fixture("print", tmp_path)
    config = root / "course.yml"
    config.write_text(config.read_text(encoding="utf-8") + "solutions: instructor\n", encoding="utf-8")
    lesson = root / "content/01_bases/01_moyenne.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + "\n!!! instructor\n    Prévoir dix minutes pour cet exercice.\n",
        encoding="utf-8",
    )

    def text(pdf: Path) -> str:
        return "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)

    status, said = pdf_command(root, "--section", "01_bases")
    assert status == 0, said
    status, said = pdf_command(root, "--section", "01_bases", "--audience", "instructor")
    assert status == 0, said
    assert "Printing 01_bases/print.html → pdf/01_bases.pdf" in said
    assert "Prévoir dix minutes" in text(root / "site-instructor/pdf/01_bases.pdf")
    assert "Prévoir dix minutes" not in text(root / "site/pdf/01_bases.pdf")
    status, said = pdf_command(root, "--section", "01_bases")  # the learner's PDF was kept
    assert status == 0, said
    assert "Printing" not in said and "Unchanged: pdf/01_bases.pdf" in said


def test_printing_sends_no_request(make_course):
    """An image a lesson loads from a web server (kept remote, as course.yml remote_assets: keep
    does) is not fetched while printing: Chromium resolves no address."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server API)
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        address = f"http://127.0.0.1:{server.server_port}"
        root = make_course(
            {
                "content/A/x.md": f"# X\n\n![Un graphique]({address}/graphique.png)\n\n<link rel=\"stylesheet\" href=\"{address}/style.css\">\n",
            }
        )
        status, said = pdf_command(root)
    finally:
        server.shutdown()
        server.server_close()
    assert status == 0, said
    assert (root / "site/pdf/A.pdf").is_file()
    assert requests == []


def test_printed_everything_is_shown_tabs_and_solutions_open(printed):
    """The print page as Chromium prints it (print media): every tab's panel and label, the
    solution's text, no tab buttons nor link markers; each lesson starts a new page."""
    from playwright.sync_api import sync_playwright
    from screenshot import launch

    root, _ = printed
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page()
            page.goto((root / "site/01_bases/print.html").as_uri())
            for media in ("screen", "print"):
                page.emulate_media(media=media)
                assert page.locator(".tabbed-block").evaluate_all(
                    "(blocks) => blocks.map((b) => b.checkVisibility())"
                ) == [True, True]
                assert page.get_by_text("=MOYENNE(A1:A20)").is_visible()
                assert page.locator(".tabbed-print-label").evaluate_all(
                    "(labels) => labels.map((l) => l.checkVisibility())"
                ) == [True, True]
                assert page.locator("details.solution p").first.is_visible()
                assert not page.locator(".tabbed-labels").first.is_visible()
                assert not page.locator(".headerlink").first.is_visible()
            breaks = page.locator(".print-lesson").evaluate_all(
                "(all) => all.map((s) => getComputedStyle(s).breakBefore)"
            )
            assert breaks == ["page", "page"]
        finally:
            browser.close()
