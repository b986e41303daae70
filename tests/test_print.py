"""Print pages (print.html, A/print.html) and the PDFs the build publishes from the cache.

The fixture tests/fixtures/print is a small French course with what print pages must cope with:
the same heading and footnote ids in every lesson (`définition`, `fn:1`), links between lessons
in Markdown and in raw HTML, to another module and to Wikipedia, an image, tabs, a collapsed
solution, quizzes with one and several right answers, and a notebook (course.yml print.notebooks).
Printing to PDF with Chromium is tested in test_pdf.py."""

from __future__ import annotations

import collections
import os
import re
from pathlib import Path
from unittest import mock

import pytest
from conftest import copy_fixture, formatted, run_build

from coursegen.cli import main
from coursegen.errors import ConfigInvalid
from coursegen.printing.stage import pdf_cache

DECEMBER_FIRST = "1796083200"  # SOURCE_DATE_EPOCH of 2026-12-01


@pytest.fixture
def course(tmp_path):
    return copy_fixture("print", tmp_path)


def build_print(root: Path, out: Path | None = None):
    with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": DECEMBER_FIRST}):
        return run_build(root, out or root / "site")


def read(site: Path, rel: str) -> str:
    """A file of the site, French no-break spaces (typography) read as spaces."""
    return (site / rel).read_text(encoding="utf-8").replace("\u202f", " ").replace("\xa0", " ")


def chapters(page: str) -> list[tuple[str, str]]:
    """(class, title) of each chapter of a print page, in order."""
    return re.findall(
        r'<section class="print-chapter print-(?!intro)(\w+)[^"]*" id="[^"]*">.*?<h\d class="print-chapter-title">(?:<span[^>]*>[^<]*</span>)?([^<]*)</h\d>',
        page,
        re.DOTALL,
    )


def test_every_section_and_the_course_get_a_print_page_kept_out_of_search(course):
    config = course / "course.yml"
    config.write_text(
        config.read_text(encoding="utf-8") + "base_url: https://exemple.org/stats/\n", encoding="utf-8"
    )
    result = build_print(course)
    site = course / "site"
    assert formatted(result) == []
    assert "print" not in read(site, "sitemap.xml")
    for rel in ("print.html", "01_bases/print.html", "02_suite/print.html"):
        assert '<meta name="robots" content="noindex">' in read(site, rel)
    assert "print.html" not in read(site, "search/index.js")
    module = read(site, "01_bases/index.html")
    assert '<a class="button button-secondary" href="print.html">' in module
    assert "Version imprimable" in module
    assert "Télécharger le PDF" not in module  # no PDF made yet


def test_the_course_print_page_has_a_cover_contents_and_every_page_in_course_order(course):
    build_print(course)
    page = read(course / "site", "print.html")
    cover = page[page.index('<header class="print-cover"') : page.index("</header>")]
    assert '<h1 class="print-cover-title">Statistiques pour débutants</h1>' in cover
    assert "Jeanne Dupont" in cover
    assert "Version du 1 décembre 2026" in cover
    expected = [
        ("section", "Les bases"),
        ("lesson", "La moyenne"),
        ("lesson", "La médiane"),
        ("notebook", "Moyenne en Python"),
        ("answers", "Corrigés — Les bases"),
        ("section", "La suite"),
        ("lesson", "La variance"),
        ("answers", "Corrigés — La suite"),
    ]
    assert chapters(page) == expected
    contents = page[page.index('<nav class="print-contents"') : page.index("</nav>")]
    listed = re.findall(
        r'<a href="#([^"]+)">(?:<span class="print-contents-number">\d\.</span> )?([^<]+)</a>', contents
    )
    assert [title for _, title in listed] == [title for _, title in expected]
    ids = re.findall(r'<section class="print-chapter[^"]*" id="([^"]+)"', page)
    assert [anchor for anchor, _ in listed] == ids[1:]  # every chapter but the home page's own text


def test_ids_are_unique_and_internal_links_stay_inside_the_print_page(course):
    build_print(course)
    site = course / "site"
    for rel in ("print.html", "01_bases/print.html", "02_suite/print.html"):
        page = read(site, rel)
        ids = collections.Counter(re.findall(r'\sid="([^"]*)"', page))
        assert [name for name, count in ids.items() if count > 1] == [], rel
        for target in re.findall(r'href="#([^"]*)"', page):
            assert target in ids, f"{rel}: #{target} leads nowhere"
    page = read(site, "print.html")
    # Markdown and raw HTML links to lessons of the print page, with and without a fragment
    assert '<a href="#01_bases--02_mediane--définition">la médiane</a>' in page
    assert '<a href="#01_bases--01_moyenne--résumé">résumé précédent</a>' in page
    assert '<a href="#02_suite--01_variance">le module 2</a>' in page
    assert '<a href="#01_bases">retour au module</a>' in page
    # each lesson's footnotes keep to their lesson
    assert 'href="#01_bases--02_mediane--fn:1"' in page and 'id="01_bases--01_moyenne--fn:1"' in page
    assert 'src="01_bases/images/histogramme.svg"' in page  # files: relative to the print page
    assert 'href="https://fr.wikipedia.org/wiki/M%C3%A9diane_(statistiques)"' in page
    # a section's print page: a lesson of another module is a link to its page in the site
    other = read(site, "02_suite/print.html")
    assert '<a href="../01_bases/01_moyenne.html">la moyenne</a>' in other


def test_headings_are_shifted_under_the_section(course):
    build_print(course)
    course_page = read(course / "site", "print.html")
    assert (
        '<h2 class="print-chapter-title"><span class="title-icon" aria-hidden="true">🌱 </span>Les bases</h2>'
        in course_page
    )
    assert (
        '<h3 class="print-chapter-title"><span class="title-icon" aria-hidden="true">➕ </span>La moyenne</h3>'
        in course_page
    )
    assert '<h4 id="01_bases--01_moyenne--définition">' in course_page
    module_page = read(course / "site", "01_bases/print.html")
    assert (
        '<h2 class="print-chapter-title"><span class="title-icon" aria-hidden="true">➕ </span>La moyenne</h2>'
        in module_page
    )
    assert '<h3 id="01_bases--01_moyenne--définition">' in module_page
    assert '<h1 class="print-cover-title">Les bases</h1>' in module_page


def test_collapsed_blocks_open_and_tabs_all_printed(course):
    build_print(course)
    page = read(course / "site", "01_bases/print.html")
    assert '<details class="solution" open>' in page
    assert re.findall(r"<details(?![^>]*\bopen\b)[^>]*>", page) == []
    assert page.count('class="tabbed-print-label">') == 2  # each tab's panel, under its label
    css = (course / "site/static/print.css").read_text(encoding="utf-8")
    assert ".kind-print .tabbed-block { display: block !important; }" in css


def test_quizzes_are_questions_with_their_answers_at_the_end_of_the_section(course):
    build_print(course)
    page = read(course / "site", "print.html")
    assert "data-correct" not in page  # the questions give nothing away
    question = page[page.index('id="print-quiz-2"') :]
    question = question[: question.index("</section>")]
    assert '<span class="print-quiz-number">Quiz 2</span> Quelles séries ont pour médiane 5 ?' in question
    assert question.count('<span class="print-box" aria-hidden="true">☐</span>') == 3
    assert '<a href="#print-answer-2">→ corrigé : quiz 2</a>' in question
    answers = page[page.index('id="answers--01_bases"') : page.index('id="02_suite"')]
    assert "Corrigés — Les bases" in answers
    assert (
        '<p class="print-answer-label">Réponses :</p>\n<ul class="print-answer-right"><li>1, 5, 9</li><li>5, 5, 5</li></ul>'
        in answers
    )
    assert (
        '<ul class="print-answer-right"><li>3</li></ul>\n<div class="print-answer-feedback"><p>Oui : (2 + 4) / 2.</p></div>'
        in answers
    )
    assert "1, 2, 3" not in answers and "c'est la somme" not in answers  # only the right answers
    assert page.index('id="answers--01_bases"') > page.index('id="01_bases--notebooks--moyenne"')


def test_an_english_course_says_answers_and_prints_on_letter_paper(make_course):
    root = make_course(
        {
            "course.yml": "title: Stats\nlanguage: en\nprint: {page: letter}\n",
            "content/A/index.md": "# Part A\n",
            "content/A/x.md": '# X\n\n!!! quiz "Two plus two?"\n    - [x] 4\n    - [ ] 5\n',
        }
    )
    result = build_print(root)
    assert formatted(result) == []
    page = read(root / "site", "A/print.html")
    assert "<style>@page { size: letter; }</style>" in page
    assert '<h2 class="print-chapter-title">Answers</h2>' in page
    assert "Built on December 1, 2026" in page


def test_the_cover_shows_the_day_the_build_takes_as_today(course, monkeypatch):
    """One date per build (editions.build_date): the cover's is the one solutions are released by."""
    monkeypatch.setenv("COURSEGEN_TODAY", "2026-12-14")
    run_build(course, course / "site")
    assert "Version du 14 décembre 2026" in read(course / "site", "print.html")
    monkeypatch.delenv("COURSEGEN_TODAY")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796169599")  # 2026-12-01T23:59:59Z
    run_build(course, course / "site")
    assert "Version du 1 décembre 2026" in read(course / "site", "print.html")


def test_notebooks_are_printed_only_when_course_yml_asks(course):
    config = course / "course.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("notebooks: true", "page: a4"), encoding="utf-8"
    )
    build_print(course)
    page = read(course / "site", "print.html")
    assert "Moyenne en Python" not in page
    assert "<style>@page { size: A4; }</style>" in page


def test_print_false_makes_no_print_page(make_course):
    root = make_course({"course.yml": "title: T\nprint: false\n", "content/A/x.md": "# X\n"})
    build_print(root)
    assert not (root / "site/print.html").exists() and not (root / "site/A/print.html").exists()
    assert "print-links" not in read(root / "site", "A/index.html")


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "print: {page: a5}",
            "course.yml:2: error[config]: print.page must be a4 or letter, not 'a5' — e.g. print: {page: letter}",
        ),
        (
            "print: {notebooks: oui}",
            "course.yml:2: error[config]: print.notebooks must be true or false, not 'oui' — e.g. print: {notebooks: true}",
        ),
        (
            "print: {paper: a4}",
            "course.yml:2: warning[config]: unknown key 'print.paper' — known: notebooks, page",
        ),
        (
            "print: yes please",
            "course.yml:2: error[config]: 'print' must be false or a mapping — e.g. print: {notebooks: true, page: a4}",
        ),
    ],
)
def test_wrong_print_settings_are_reported(make_course, setting, message):
    root = make_course({"course.yml": f"title: T\n{setting}\n", "content/A/x.md": "# X\n"})
    try:  # an error in course.yml stops the build before anything is made
        reported = formatted(build_print(root))
    except ConfigInvalid as invalid:
        reported = str(invalid).splitlines()
    assert message in reported


def test_an_unchanged_print_page_is_kept_and_an_edit_remakes_it(course):
    build_print(course)
    site = course / "site"
    before = (site / "print.html").stat().st_ino
    build_print(course)
    assert (site / "print.html").stat().st_ino == before  # linked from the last build, not made again
    lesson = course / "content/02_suite/01_variance.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n", encoding="utf-8")
    build_print(course)
    assert "Une phrase ajoutée." in read(site, "print.html")
    assert "Une phrase ajoutée." in read(site, "02_suite/print.html")
    assert "Une phrase ajoutée." not in read(site, "01_bases/print.html")


def test_an_edit_remakes_the_print_pages_without_reading_the_other_bodies(course, tmp_path, monkeypatch):
    """The chapters of the unchanged lessons come from the print-chapters cache, found by their
    bodies' keys: only the edited lesson's new body is read back from the cache (it is not kept in
    memory), and the pages are those of a clean build."""
    import coursegen.body_cache as body_cache

    build_print(course)
    lesson = course / "content/02_suite/01_variance.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n", encoding="utf-8")
    read_bodies = []
    real = body_cache.read_verified
    monkeypatch.setattr(body_cache, "read_verified", lambda *args: read_bodies.append(args[0]) or real(*args))
    build_print(course)
    assert len(set(read_bodies)) == 1, read_bodies  # before: every lesson's body, for each print page
    monkeypatch.undo()
    clean = copy_fixture("print", tmp_path / "clean")
    (clean / "content/02_suite/01_variance.md").write_bytes(lesson.read_bytes())
    build_print(clean)
    for rel in ("print.html", "02_suite/print.html", "01_bases/print.html"):
        assert read(course / "site", rel) == read(clean / "site", rel), rel


def test_a_course_without_pdfs_does_not_work_out_their_names_while_building(course, monkeypatch):
    """A PDF's cache name digests its print page and what the page loads (a scan of its HTML: most
    of an edit's print stage on a big course); a build works it out only once `coursegen pdf` has
    made PDFs, and the pdf command asks for it after the build (from the page written)."""
    from coursegen.printing import stage

    scanned = []
    real = stage._loaded_rels
    monkeypatch.setattr(stage, "_loaded_rels", lambda html, *rest: scanned.append(html) or real(html, *rest))
    result = build_print(course)
    assert scanned == []
    book = next(book for book in result.printed if book.section == "02_suite")
    assert book.cached == pdf_cache(course) / f"{book.key}.pdf" and scanned == [None]  # read from the site
    book.cached.parent.mkdir(parents=True)
    book.cached.write_bytes(b"%PDF-1.4 made by hand for the test\n")
    again = build_print(course)
    assert len(scanned) == 1 + len(again.printed)  # now every build names them
    assert next(b for b in again.printed if b.section == "02_suite").pdf_ready


def test_the_build_result_does_not_hold_the_print_pages(course):
    """The result lists each print page for the pdf command, which finds the PDF's name later from
    the page written: it must not keep the page's HTML alive (13 MB for a course of 1,000 lessons)."""
    import gc

    result = build_print(course)
    assert result.printed
    for book in result.printed:
        held = gc.get_referents(book.locate, book.locate.func) + [
            cell.cell_contents for cell in book.locate.func.__closure__ or ()
        ]
        held += list(book.locate.func.__defaults__ or ())
        assert not [value for value in held if isinstance(value, str) and "<html" in value], book.url


def test_a_cached_pdf_is_published_while_its_print_page_is_unchanged(course):
    """What `coursegen pdf` leaves in the cache is published by every build that makes the same
    print page (no Chromium here: the PDF is put in the cache by hand)."""
    result = build_print(course)
    book = next(book for book in result.printed if book.section == "02_suite")
    assert (book.url, book.pdf_url, book.pdf_ready) == ("02_suite/print.html", "pdf/02_suite.pdf", False)
    cached = pdf_cache(course) / f"{book.key}.pdf"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"%PDF-1.4 made by hand for the test\n")
    build_print(course)
    site = course / "site"
    assert (site / "pdf/02_suite.pdf").read_bytes() == cached.read_bytes()
    assert '<a class="button button-primary" href="../pdf/02_suite.pdf" download>' in read(
        site, "02_suite/index.html"
    )
    assert "pdf/" not in read(site, "01_bases/index.html")
    lesson = course / "content/02_suite/01_variance.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n", encoding="utf-8")
    build_print(course)  # the print page changed: its old PDF is no longer published, nor linked
    assert not (site / "pdf").exists()
    assert "Télécharger le PDF" not in read(site, "02_suite/index.html")


def test_pdf_without_chromium_says_how_to_install_it(course, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium, chrome… on PATH
    monkeypatch.delenv("COURSEGEN_CHROMIUM", raising=False)
    assert main(["pdf", str(course)]) == 2
    assert capsys.readouterr().err == (
        "course: error[build]: Chromium was not found: `coursegen pdf` prints with it — install it (Debian/Ubuntu: "
        "apt-get install chromium; macOS: brew install --cask chromium) or give its path with --chromium "
        "PATH or COURSEGEN_CHROMIUM=PATH\n"
    )
    assert not (course / "site").exists()  # nothing built


def test_pdf_with_a_wrong_chromium_path_names_it(course, capsys):
    assert main(["pdf", str(course), "--chromium", "/nowhere/chromium"]) == 2
    assert capsys.readouterr().err.startswith(
        "course: error[build]: Chromium was not found at /nowhere/chromium — install it"
    )


def test_pdf_of_an_unknown_section_lists_the_sections(course, capsys, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    assert main(["pdf", str(course), "--chromium", str(fake), "--section", "03_fin", "-q"]) == 2
    assert capsys.readouterr().err.endswith(
        "course: error[build]: no section '03_fin' in this course — sections: 01_bases, 02_suite\n"
    )


def test_chapters_are_rewritten_as_the_bodies_come_and_the_print_pages_are_those_made_without_a_cache(
    course, tmp_path, monkeypatch
):
    """A clean build rewrites each body into its print pages' chapters as soon as it is rendered
    (ChapterCache.prepare, while a big build waits for its workers): the print stage then rewrites
    none, and the print pages are byte for byte those of a build without any cache."""
    from coursegen.printing.chapters import ChapterRewriter

    calls: list[str] = []
    real = ChapterRewriter.rewrite
    monkeypatch.setattr(
        ChapterRewriter,
        "rewrite",
        lambda self, body, place: calls.append("rewrite") or real(self, body, place),
    )
    import coursegen.printing.stage as stage

    real_stage = stage.print_stage

    def print_stage(*args, **kwargs):
        calls.append("print stage")
        return real_stage(*args, **kwargs)

    monkeypatch.setattr("coursegen.build.print_stage", print_stage)
    build_print(course)
    assert calls.index("print stage") == len(calls) - 1 and calls.count("rewrite") > 5
    monkeypatch.undo()
    plain = copy_fixture("print", tmp_path / "plain")
    with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": DECEMBER_FIRST}):
        run_build(plain, cache=False)
    for rel in ("print.html", "01_bases/print.html", "02_suite/print.html"):
        assert read(course / "site", rel) == read(plain / "site", rel), rel


def test_a_rebuild_with_nothing_changed_reads_no_chapter_pack(course, monkeypatch):
    """The packs are read only when a print page is made again (a no-op rebuild of a big course
    would otherwise read megabytes of chapters for nothing)."""
    import coursegen.printing.chapter_cache as chapter_cache

    build_print(course)
    read: list[Path] = []
    real = chapter_cache._read_pack
    monkeypatch.setattr(
        chapter_cache, "_read_pack", lambda path, header: read.append(path) or real(path, header)
    )
    build_print(course)
    assert read == []
    lesson = course / "content/02_suite/01_variance.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n", encoding="utf-8")
    build_print(course)
    assert len(read) == 2, "the course's print page and its section's"
