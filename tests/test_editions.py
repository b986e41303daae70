"""The instructor's edition and the solutions policy (editions.py, edition_filter.py,
edition_notebooks.py, timing.py): what each edition contains, the leak test over every file of the
learner's site, the release date, the caches of the two editions, the timing sheet."""

from __future__ import annotations

import datetime
import html
import json
import re
from pathlib import Path

import pytest
from conftest import copy_fixture, formatted, run_build, snapshot

from coursegen.cli import main
from coursegen.edition_notebooks import notebook_copy, strip_blocks
from coursegen.editions import (
    Edition,
    SolutionsSettings,
    build_date,
    edition_for,
    solutions_settings,
)
from coursegen.errors import Diagnostics, UsageError
from coursegen.timing import format_minutes, parse_duration

# the fixture's marker words: each kind of instructor-only text carries its own
INSTRUCTOR_NOTE, SOLUTION, FEEDBACK, EXPLANATION = "OKAPI", "ZANZIBAR", "LYNX", "TAPIR"
MARKERS = (INSTRUCTOR_NOTE, SOLUTION, FEEDBACK, EXPLANATION)
BEFORE_RELEASE, RELEASE_DAY = datetime.date(2026, 12, 14), datetime.date(2026, 12, 15)


@pytest.fixture
def course(tmp_path) -> Path:
    return copy_fixture("instructor", tmp_path)


def files_containing(site: Path, words) -> dict[str, list[str]]:
    """Every file of `site` (any kind: HTML, JS, JSON, XML, .ipynb…) → the words found in its bytes."""
    found = {}
    for rel, data in snapshot(site).items():
        text = data.decode("utf-8", "replace")
        hits = [word for word in words if word in text]
        if hits:
            found[rel] = hits
    return found


# ----------------------------------------------------------------------------------------------
# course.yml `solutions:` and the edition of a build


@pytest.mark.parametrize(
    "value, expected",
    [
        ("show", SolutionsSettings("show")),
        ("instructor", SolutionsSettings("instructor")),
        ({"release": datetime.date(2026, 12, 15)}, SolutionsSettings("instructor", RELEASE_DAY)),
        ({"release": "2026-12-15"}, SolutionsSettings("instructor", RELEASE_DAY)),
    ],
)
def test_solutions_settings(value, expected):
    diagnostics = Diagnostics()
    assert solutions_settings(value, 3, diagnostics) == expected
    assert diagnostics.items == []


@pytest.mark.parametrize(
    "value, message",
    [
        (
            "hidden",
            "course.yml:3: error[config]: solutions must be show, instructor or {release: DATE}, not 'hidden' — "
            "e.g. solutions: instructor (only the instructor's edition has them) or solutions: {release: 2026-12-15}",
        ),
        (
            {"release": "15/12/2026"},
            "course.yml:3: error[config]: solutions.release must be a date, not '15/12/2026' — "
            "write it as YYYY-MM-DD, e.g. solutions: {release: 2026-12-15}",
        ),
    ],
)
def test_a_wrong_solutions_setting_is_an_error_naming_its_line(value, message):
    diagnostics = Diagnostics()
    assert solutions_settings(value, 3, diagnostics) is None
    assert formatted(diagnostics) == [message]


@pytest.mark.parametrize(
    "audience, settings, today, expected",
    [
        ("learner", SolutionsSettings(), BEFORE_RELEASE, Edition("learner", True)),
        ("learner", SolutionsSettings("instructor"), RELEASE_DAY, Edition("learner", False)),
        ("learner", SolutionsSettings("instructor", RELEASE_DAY), BEFORE_RELEASE, Edition("learner", False)),
        ("learner", SolutionsSettings("instructor", RELEASE_DAY), RELEASE_DAY, Edition("learner", True)),
        ("instructor", SolutionsSettings("instructor", RELEASE_DAY), BEFORE_RELEASE, Edition("instructor")),
    ],
)
def test_the_edition_of_a_build(audience, settings, today, expected):
    assert edition_for(audience, settings, today) == expected


def test_today_comes_from_the_options_then_the_environment(monkeypatch):
    """options.today, then COURSEGEN_TODAY, then SOURCE_DATE_EPOCH's day (UTC), then the clock."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1797206400")  # 2026-12-14T00:00:00Z
    assert build_date() == BEFORE_RELEASE
    monkeypatch.setenv("COURSEGEN_TODAY", "2026-12-15")
    assert build_date() == RELEASE_DAY
    assert build_date(BEFORE_RELEASE) == BEFORE_RELEASE
    monkeypatch.setenv("COURSEGEN_TODAY", "demain")
    with pytest.raises(UsageError, match="COURSEGEN_TODAY='demain' is not a date: write it as YYYY-MM-DD"):
        build_date()


# ----------------------------------------------------------------------------------------------
# the two editions of the fixture course


def test_nothing_instructor_only_in_any_file_of_the_learners_site(course):
    """`solutions: {release: 2026-12-15}`, built the day before: the learner's site has neither the
    instructor notes nor the solutions, quiz feedback and explanations — in no file at all."""
    learner = run_build(course, today=BEFORE_RELEASE)
    instructor = run_build(course, audience="instructor", today=BEFORE_RELEASE)
    assert learner.written and instructor.written
    assert formatted(learner) == [] and formatted(instructor) == []
    assert files_containing(course / "site", MARKERS) == {}
    kinds = {Path(rel).suffix for rel in snapshot(course / "site")}
    assert {".html", ".js", ".css", ".ipynb"} <= kinds, kinds  # every kind of file was looked at
    found = files_containing(course / "site-instructor", MARKERS)
    assert set(found["01_attention/02_scores.html"]) == set(MARKERS)
    assert set(found["search/index.js"]) == set(MARKERS), "the instructor's search finds them"
    assert set(found["01_attention/03_multitete.ipynb"]) == {INSTRUCTOR_NOTE, SOLUTION}
    assert set(found["01_attention/index.html"]) == {INSTRUCTOR_NOTE}


def test_learner_quizzes_cannot_reveal_the_answers_before_the_release(course):
    run_build(course, today=BEFORE_RELEASE)
    page = (course / "site/01_attention/02_scores.html").read_text(encoding="utf-8")
    form = re.search(r'<form class="quiz".*?</form>', page, re.DOTALL).group(0)
    assert form.startswith('<form class="quiz" data-quiz="withheld">')
    assert "data-correct" not in form and "quiz-feedback" not in form and "quiz-check" not in form
    assert "Des poids positifs qui somment à 1" in form and "Un produit scalaire" in form
    assert "Les réponses de ce quiz seront publiées avec les corrigés." in form
    assert "Calculez" in page, "the exercise stays; only its solution goes"


def test_solutions_appear_in_the_learners_site_on_release_day(course):
    run_build(course, today=BEFORE_RELEASE)
    assert files_containing(course / "site", MARKERS) == {}
    run_build(course, today=RELEASE_DAY)
    found = files_containing(course / "site", MARKERS)
    assert set(found["01_attention/02_scores.html"]) == {SOLUTION, FEEDBACK, EXPLANATION}
    assert INSTRUCTOR_NOTE not in "".join(word for words in found.values() for word in words)
    page = (course / "site/01_attention/02_scores.html").read_text(encoding="utf-8")
    assert 'data-correct="true"' in page and '<details class="solution">' in page  # closed for learners


def test_the_instructors_edition_has_a_banner_open_solutions_and_styled_notes(course):
    run_build(course, audience="instructor", today=BEFORE_RELEASE)
    site = course / "site-instructor"
    banner = (
        '<div class="edition-banner" role="note"><div class="container"><strong>Édition enseignant</strong> — '
        "Notes pour l&#39;enseignant et corrigés ouverts\u00a0: ne pas diffuser aux apprenants.</div></div>"
    )
    pages = [rel for rel in snapshot(site) if rel.endswith(".html")]
    assert {"index.html", "404.html", "01_attention/03_multitete.html"} <= set(pages)
    assert all(banner in (site / rel).read_text(encoding="utf-8") for rel in pages)
    scores = (site / "01_attention/02_scores.html").read_text(encoding="utf-8")
    assert '<details class="solution" open>' in scores
    assert (
        '<div class="admonition instructor">\n<p class="admonition-title">Note pour l\'enseignant</p>'
        in scores
    )
    assert 'data-correct="true"' in scores
    assert ".admonition.instructor" in (site / "static/coursegen.css").read_text(encoding="utf-8")
    assert not (course / "site").exists(), "the instructor's edition goes to site-instructor/"


def test_the_learners_edition_never_shows_instructor_blocks_even_with_solutions_shown(make_course):
    root = make_course(
        {
            "content/A/x.md": "# X\n\n!!! instructor\n    Secret MOUFLON.\n\n??? solution\n    Réponse CAPYBARA.\n",
        }
    )
    run_build(root)
    page = (root / "site/A/x.html").read_text(encoding="utf-8")
    assert "MOUFLON" not in page and "CAPYBARA" in page
    assert "MOUFLON" not in (root / "site/search/index.js").read_text(encoding="utf-8")


RAW_SOLUTIONS = (
    "# X\n\nLa question.\n\n"
    '<div class="exercise">\n<p>Énoncé.</p>\n<div class="solution">\n<p>Réponse OKAPI.</p>\n<div>(fin)</div>\n</div>\n</div>\n\n'
    "<details class='solution'><summary>Corrigé</summary>\nRéponse GNOU.\n</details>\n\n"
    '<p class="instructor">Note TAPIR.</p>\n\nSuite.\n'
)


def test_solutions_written_as_raw_html_are_left_out_too(make_course):
    """`<div class="solution">` without `markdown`: Markdown keeps raw HTML aside as text, where the
    tree filter cannot see it — a learner's site before the release has none of it, in no file."""
    root = make_course({"course.yml": "title: T\nsolutions: instructor\n", "content/A/x.md": RAW_SOLUTIONS})
    assert formatted(run_build(root)) == []
    assert files_containing(root / "site", ("OKAPI", "GNOU", "TAPIR")) == {}
    page = (root / "site/A/x.html").read_text(encoding="utf-8")
    assert '<div class="exercise">\n<p>Énoncé.</p>\n\n</div>' in page and "Suite." in page
    run_build(root, audience="instructor")
    page = (root / "site-instructor/A/x.html").read_text(encoding="utf-8")
    assert "OKAPI" in page and "TAPIR" in page
    assert "<details class='solution' open><summary>Corrigé</summary>" in page  # open for the instructor


@pytest.mark.parametrize(
    "html, expected",
    [
        ('<div class="solution"><div>a</div><p>b</p></div>\n<p>c</p>', "\n<p>c</p>"),
        ("<img class=solution src=x.png><p>c</p>", "<p>c</p>"),
        ('<p class="solutions">kept: another class</p>', '<p class="solutions">kept: another class</p>'),
        # a start tag Markdown keeps apart from its end (an inline tag): the inline pass cuts those
        ('<span class="solution">', '<span class="solution">'),
    ],
)
def test_raw_html_of_a_left_out_class_is_cut_with_its_content(html, expected):
    from coursegen.edition_filter import filter_raw_html

    assert filter_raw_html(html, frozenset({"solution"}), set()) == expected


INLINE_SOLUTIONS = (
    "# X\n\n"
    'La réponse est <span class="solution">42, soit `x.sort()` et **FENNEC**</span> : voilà.\n\n'
    'Pour en écrire une : `<span class="solution">` dans le texte.\n\n'
    '| question | réponse |\n| --- | --- |\n| 2 + 2 | <span class="solution">QUOKKA</span> |\n\n'
    '- un point <em class="instructor">note TARSIER</em> et la suite\n\n'
    '## Corrigé <span class="solution">SURICATE</span>\n\n'
    'Oublié de fermer <span class="solution">MANCHOT et la fin du paragraphe\n\nSuite.\n'
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ('a <span class="solution">x <em>y</em></span> b', "a  b"),
        ('a `<span class="solution">` b', 'a `<span class="solution">` b'),  # shown in code
        ('a ``<span class="solution">`` b', 'a ``<span class="solution">`` b'),
        # in a comment: cutting from it to the end would leave the comment open and hide the page
        ('a <!-- <span class="solution"> --> b', 'a <!-- <span class="solution"> --> b'),
        ('a <span class="solution">x <!-- c --> y</span> b', "a  b"),
        ('a <span class="solution">x\nsuite', "a "),  # unclosed: cut to the end, never published
        ('a <span class="solutions">kept</span>', 'a <span class="solutions">kept</span>'),
    ],
)
def test_inline_html_of_a_left_out_class_is_cut(text, expected):
    from coursegen.htmlscan import filter_inline_html

    assert filter_inline_html(text, frozenset({"solution"})) == expected


def test_inline_solutions_in_raw_html_are_left_out_too(make_course):
    """`<span class="solution">…</span>` within a paragraph, a table cell, a list item or a heading:
    cut before Markdown parses the paragraph, so neither the page nor anything made from it (search,
    print page) has it; a tag shown in a code span is text; an element left unclosed is cut to the
    end of its paragraph rather than published."""
    root = make_course(
        {"course.yml": "title: T\nsolutions: instructor\n", "content/A/x.md": INLINE_SOLUTIONS}
    )
    secrets = ("FENNEC", "QUOKKA", "TARSIER", "SURICATE", "MANCHOT")
    assert formatted(run_build(root)) == []
    assert files_containing(root / "site", secrets) == {}
    page = (root / "site/A/x.html").read_text(encoding="utf-8")
    assert "La réponse est  : voilà.</p>" in page and "<td>2 + 2</td>\n<td></td>" in page
    assert '<code>&lt;span class="solution"&gt;</code> dans le texte.' in page
    assert "<li>un point  et la suite</li>" in page
    assert "Oublié de fermer </p>" in page and "<p>Suite.</p>" in page
    run_build(root, audience="instructor")
    page = (root / "site-instructor/A/x.html").read_text(encoding="utf-8")
    assert all(secret in page for secret in secrets)


# ----------------------------------------------------------------------------------------------
# caches: one per edition


def rendered_bodies(course: Path, **options) -> list[str]:
    rendered: list[str] = []

    def progress(name: str, done: int, total: int) -> None:
        if name != "(cached)":
            rendered.append(name)

    run_build(course, progress=progress, **options)
    return rendered


def test_building_one_edition_keeps_the_cache_of_the_other(course):
    first = rendered_bodies(course, today=BEFORE_RELEASE)
    assert len(first) == 6
    assert len(rendered_bodies(course, audience="instructor", today=BEFORE_RELEASE)) == 6
    assert rendered_bodies(course, today=BEFORE_RELEASE) == []
    assert rendered_bodies(course, audience="instructor", today=BEFORE_RELEASE) == []
    assert rendered_bodies(course, audience="instructor", today=RELEASE_DAY) == [], "same edition"


def test_building_one_edition_keeps_the_print_chapters_of_the_other(course):
    """The print pages' rewritten chapters (printing/chapter_cache.py) are kept per edition too: the
    instructor's build does not prune the learner's, so the learner's next edit stays quick."""
    cache = course / ".coursegen-cache"

    def chapters(folder: Path) -> dict[str, bytes]:  # one pack per print page
        return {path.name: path.read_bytes() for path in folder.glob("*.pack")}

    def folders() -> set[Path]:
        return {folder for folder in cache.iterdir() if folder.name.startswith("print-chapters")}

    run_build(course, today=BEFORE_RELEASE)
    (learner,) = folders()
    kept = chapters(learner)
    assert kept
    run_build(course, audience="instructor", today=BEFORE_RELEASE)
    assert chapters(learner) == kept
    (instructor,) = folders() - {learner}
    theirs = chapters(instructor)
    assert theirs.keys() == kept.keys() and all(theirs[name] != kept[name] for name in kept)


def test_a_build_on_release_day_renders_the_bodies_again(course):
    rendered_bodies(course, today=BEFORE_RELEASE)
    assert rendered_bodies(course, today=BEFORE_RELEASE) == []
    assert len(rendered_bodies(course, today=RELEASE_DAY)) == 6
    assert rendered_bodies(course, today=datetime.date(2026, 12, 16)) == []


def test_the_command_line_builds_the_instructors_edition(course, monkeypatch):
    monkeypatch.setenv("COURSEGEN_TODAY", "2026-12-14")
    assert main(["build", str(course), "-q", "--audience", "instructor"]) == 0
    assert "Édition enseignant" in (course / "site-instructor/index.html").read_text(encoding="utf-8")
    assert main(["build", str(course), "-q", "--audience", "instructor", "-o", str(course / "prof")]) == 0
    assert (course / "prof/index.html").is_file()
    assert main(["build", str(course), "-q"]) == 0
    assert files_containing(course / "site", MARKERS) == {}


# ----------------------------------------------------------------------------------------------
# the timing sheet


def test_the_timing_sheet_of_a_module(course):
    result = run_build(course, audience="instructor", today=BEFORE_RELEASE)
    assert formatted(result) == []
    page = (course / "site-instructor/01_attention/index.html").read_text(encoding="utf-8")
    table = re.search(r'<table class="timing-table">.*?</table>', page, re.DOTALL).group(0)
    rows = [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.DOTALL)
    ]
    assert rows[1:] == [
        ["09:00", "Pourquoi l&#39;attention\u202f?", "20 min"],
        ["09:20", "Calculer les scores", "1 h 30"],
        ["10:50", "Pause café", "15 min"],
        ["11:05", "TP\u00a0: attention multi-tête", "durée non indiquée"],
        ["11:05", "Pause", "10 min"],
        ["11:15", "Bilan", "15 min"],
        ["11:30", "Pause", "5 min"],
        ["11:35", "Fin", "2 h 35"],
    ]
    learner = run_build(course, today=BEFORE_RELEASE)
    assert learner.written
    assert "timing-table" not in (course / "site/01_attention/index.html").read_text(encoding="utf-8")


def test_timing_sheet_problems_are_warnings_at_their_line(make_course):
    root = make_course(
        {
            "content/A/index.md": "---\ntitle: A\nbreaks:\n  - {after: 02_lecon, minutes: 15}\n  - {after: 01_x, minutes: quinze}\n---\n",
            "content/A/01_x.md": "---\ntitle: X\nduration: trois quarts d'heure\n---\n",
            "content/A/02_lecons.md": "---\ntitle: Y\nduration: 1 h\n---\n",
        }
    )
    result = run_build(root, audience="instructor")
    assert formatted(result) == [
        "content/A/01_x.md:3: warning[yaml]: duration 'trois quarts d'heure' can't be read, so the timing sheet "
        "counts nothing for this lesson — write it like 45 min, 1 h 30 or 90",
        "content/A/index.md:3: warning[yaml]: break {'after': '01_x', 'minutes': 'quinze'} needs minutes: a whole "
        "number above 0, so the timing sheet leaves it out — write breaks: [{after: 02_lecon, minutes: 15, "
        "title: Pause}] (after: a lesson of this module)",
        "content/A/index.md:3: warning[yaml]: break {'after': '02_lecon', 'minutes': 15} follows no lesson of "
        "this module ('02_lecon'), so the timing sheet leaves it out — write breaks: [{after: 02_lecon, "
        "minutes: 15, title: Pause}] (after: a lesson of this module)",
    ]
    assert run_build(root).diagnostics.items == [], "the learner's edition has no timing sheet to check"


@pytest.mark.parametrize(
    "text, minutes",
    [
        ("45 min", 45),
        ("45min", 45),
        ("1 h", 60),
        ("1h30", 90),
        ("1 h 30 min", 90),
        ("1,5 h", 90),
        ("2 heures", 120),
        ("90", 90),
        ("1:15", 75),
        ("", None),
        ("une heure", None),
    ],
)
def test_durations(text, minutes):
    assert parse_duration(text) == minutes


def test_lengths_as_the_sheet_shows_them():
    assert [format_minutes(m) for m in (5, 60, 95, 155)] == ["5 min", "1 h", "1 h 35", "2 h 35"]


# ----------------------------------------------------------------------------------------------
# notebooks offered for download


def test_markdown_blocks_of_the_left_out_classes_are_stripped():
    text = (
        "Avant.\n\n!!! instructor \"Note\"\n    Secret.\n\n        code du secret\n\n"
        "!!! tip\n    Reste.\n\n??? solution\n    Caché.\nAprès.\n"
    )
    assert strip_blocks(text, frozenset({"instructor", "solution"})) == (
        "Avant.\n\n!!! tip\n    Reste.\n\nAprès.\n"
    )


def test_the_notebook_for_download_has_no_solution_written_in_html_or_with_an_attribute_list():
    text = (
        "Question.\n\nRéponse ORYX.\n{: .solution}\n\n## Corrigé {.solution}\n\nGardé.\n\n"
        "```python\nx = 1\n{: .solution}\n```\n\n"
        '<div class="solution" markdown>\nbloc IBIS\n</div>\n\n'
        'Un <span class="solution">mot KOALA</span> et `<span class="solution">` montré.\n'
        "Une phrase {.note} gardée.\n"
    )
    data = json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": text}]}).encode()
    copy = json.loads(notebook_copy(data, Edition("learner", solutions=False)))
    assert copy["cells"][0]["source"] == (
        "Question.\n\n\n\nGardé.\n\n```python\nx = 1\n{: .solution}\n```\n\n\n\n"
        'Un  et `<span class="solution">` montré.\nUne phrase {.note} gardée.\n'
    )
    assert notebook_copy(data, Edition("instructor", solutions=True)) is None  # published as it is


def test_a_notebook_without_anything_to_leave_out_is_published_as_it_is():
    data = json.dumps({"cells": [{"cell_type": "markdown", "source": "Rien."}]}).encode()
    assert notebook_copy(data, Edition("learner", solutions=False)) is None


# ----------------------------------------------------------------------------------------------
# the preview


def test_serve_previews_the_instructors_edition(course, monkeypatch):
    import urllib.request

    from coursegen.build import BuildOptions
    from coursegen.cli import make_parser
    from coursegen.serve import PreviewServer

    assert make_parser().parse_args(["serve", "--audience", "instructor"]).audience == "instructor"
    monkeypatch.setenv("COURSEGEN_TODAY", "2026-12-14")
    server = PreviewServer(course, "127.0.0.1", 0, options=BuildOptions(audience="instructor"), verbosity=0)
    server.start()
    try:
        with urllib.request.urlopen(server.url + "01_attention/02_scores.html", timeout=20) as response:
            page = response.read().decode("utf-8")
    finally:
        server.stop()
    assert "Édition enseignant" in page and SOLUTION in page and INSTRUCTOR_NOTE in page


# ----------------------------------------------------------------------------------------------
# the SCORM package is the learner's edition


def test_the_scorm_package_is_the_learners_edition(course, monkeypatch):
    import zipfile

    from coursegen.export import export

    monkeypatch.setenv("COURSEGEN_TODAY", "2026-12-14")
    (course / "course.yml").write_text(
        (course / "course.yml").read_text(encoding="utf-8") + "scorm:\n  score: quizzes\n", encoding="utf-8"
    )
    result = export(course, "scorm")
    with zipfile.ZipFile(result.path) as archive:
        texts = {name: archive.read(name).decode("utf-8", "replace") for name in archive.namelist()}
    assert [name for name, text in texts.items() if any(word in text for word in MARKERS)] == []
    settings = json.loads(texts["scorm.html"].split('id="coursegen-scorm">')[1].split("</script>")[0])
    assert settings["quizzes"] == [] and settings["score"] is False, (
        "a quiz without its answers scores nothing"
    )


def test_check_audience_instructor_checks_what_only_the_instructor_sees(make_course, capsys):
    """A broken link inside an `!!! instructor` block is in the instructor's edition only: `check`
    (the learner's) does not see it, `check --audience instructor` does; neither writes anything."""
    root = make_course(
        {
            "content/A/01.md": (
                "# Leçon\n\n!!! instructor \"Pendant l'exercice\"\n    Renvoyer vers [la suite](02_suite.md).\n"
            ),
        }
    )
    assert main(["check", str(root)]) == 0
    learner = capsys.readouterr().err
    assert "leads nowhere" not in learner
    assert main(["check", str(root), "--audience", "instructor"]) == 0  # a warning: exit 0 unless --strict
    instructor = capsys.readouterr().err
    assert "content/A/01.md:4: warning[links]: link '02_suite.md' leads nowhere" in instructor
    assert not (root / "site").exists() and not (root / "site-instructor").exists()


def nbgrader_assignment() -> str:
    """A notebook written for nbgrader: a solution between marks (with its output), a Markdown
    answer cell marked as a solution, and a test cell with hidden tests."""
    import nbformat
    from conftest import notebook_json, stream_output

    text = notebook_json(
        "# Devoir",
        (
            "code",
            "def double(x):\n    ### BEGIN SOLUTION\n    return x * 2\n    ### END SOLUTION",
            [stream_output("SORTIE_SECRÈTE\n")],
        ),
        "md:Expliquez votre choix.",
        "md:RÉPONSE_SECRÈTE : parce que la multiplication est exacte.",
        "assert double(2) == 4\n### BEGIN HIDDEN TESTS\nassert double(3) == 6  # TEST_CACHÉ\n### END HIDDEN TESTS",
    )
    notebook = nbformat.reads(text, as_version=4)
    notebook.cells[3].metadata["nbgrader"] = {"solution": True, "grade": True, "grade_id": "q2", "points": 1}
    return nbformat.writes(notebook) + "\n"


def test_nbgrader_solutions_are_released_as_nbgrader_does_in_the_learners_edition(make_course):
    """With solutions kept for the instructor, an nbgrader assignment is published as nbgrader's
    release version: code stubs, "YOUR ANSWER HERE", no hidden tests, no solution outputs — on the
    page and in the download; the instructor's edition has it all."""
    root = make_course(
        {
            "course.yml": "title: Cours\nsolutions: instructor\n",
            "notebooks/A/devoir.ipynb": nbgrader_assignment(),
        }
    )
    learner = run_build(root)
    assert formatted(learner) == []
    secrets = ("return x * 2", "SORTIE_SECRÈTE", "RÉPONSE_SECRÈTE", "TEST_CACHÉ")
    for path, data in snapshot(root / "site").items():
        if path.endswith((".html", ".js", ".json", ".ipynb", ".xml")):
            text = data.decode("utf-8")
            text += html.unescape(re.sub(r"<[^>]+>", "", text))  # code is highlighted word by word
            assert not [secret for secret in secrets if secret in text], path
    page = (root / "site/A/notebooks/devoir.html").read_text(encoding="utf-8")
    assert "NotImplementedError" in page and "YOUR ANSWER HERE" in page
    download = json.loads((root / "site/A/notebooks/devoir.ipynb").read_text(encoding="utf-8"))
    sources = ["".join(cell["source"]) for cell in download["cells"]]
    assert sources[1] == "def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert download["cells"][1]["outputs"] == [] and download["cells"][1]["execution_count"] is None
    assert sources[3] == "YOUR ANSWER HERE" and sources[4] == "assert double(2) == 4"
    assert main(["build", str(root), "-q", "--audience", "instructor"]) == 0
    instructor = (root / "site-instructor/A/notebooks/devoir.html").read_text(encoding="utf-8")
    assert all(secret in html.unescape(re.sub(r"<[^>]+>", "", instructor)) for secret in secrets)


def test_nbgrader_marks_are_left_alone_when_solutions_are_shown(make_course):
    root = make_course({"notebooks/A/devoir.ipynb": nbgrader_assignment()})
    run_build(root)
    assert (root / "site/A/notebooks/devoir.ipynb").read_text(encoding="utf-8") == nbgrader_assignment()
    assert "SORTIE_SECRÈTE" in (root / "site/A/notebooks/devoir.html").read_text(encoding="utf-8")
