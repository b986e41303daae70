"""Slide decks (x.slides.html): how a lesson is cut into slides, what only the deck or only the page
shows, and the deck as an output page of the build (links, assets, search, sitemap, caches, findings).
Decks in a real browser: tests/test_slides_browser.py."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import formatted, load_graph, page_at, render_markdown_page, run_build

from coursegen.bodies import BodySettings
from coursegen.config import load_config
from coursegen.errors import ConfigInvalid, Diagnostics
from coursegen.slides import DECK_ASSETS, DeckMaker
from coursegen.strings import interface_strings

LESSON = "content/A/lecon.md"
FRONT = "---\ntitle: La leçon\nslides: true\n---\n\n"


class _Slides(HTMLParser):
    """The deck's `<section>`s as nested lists: a slide is {"text", "tags", "classes"}, a stack a list."""

    def __init__(self):
        super().__init__()
        self.top: list = []
        self.open: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            slide = {"text": "", "tags": [], "classes": [], "children": []}
            (self.open[-1]["children"] if self.open else self.top).append(slide)
            self.open.append(slide)
        elif self.open:
            self.open[-1]["tags"].append(tag)
            self.open[-1]["classes"].extend((dict(attrs).get("class") or "").split())

    def handle_endtag(self, tag):
        if tag == "section":
            self.open.pop()

    def handle_data(self, data):
        if self.open:
            self.open[-1]["text"] += data


def slides_of(html: str) -> list:
    """Each top-level slide as its words; a stack of `###` sub-slides as a list of their words."""
    parser = _Slides()
    parser.feed(html)

    def shown(slide):
        if slide["children"]:
            return [shown(child) for child in slide["children"]]
        return " ".join(slide["text"].split())

    return [shown(slide) for slide in parser.top]


def deck_html(make_course, body: str, files: dict | None = None) -> tuple[str, Diagnostics]:
    """The slides (the `<section>`s, before the theme) of a lesson whose body is `body`."""
    root = make_course({LESSON: FRONT + body, **(files or {})})
    course, diagnostics = load_graph(root)
    settings = BodySettings(root, load_config(root, diagnostics).notebooks, cache=False)
    maker = DeckMaker(course, interface_strings("fr", {}, Diagnostics()), settings)
    html = maker.render(page_at(course, "A/lecon.html"), diagnostics)
    assert html is not None
    return html, diagnostics


# ----------------------------------------------------------------------------------------------
# cutting a lesson into slides


def test_each_h2_starts_a_slide_and_each_h3_a_sub_slide_below_it(make_course):
    html, _ = deck_html(
        make_course,
        "Une introduction.\n\n## Premier\n\nTexte un.\n\n### Détail\n\nTexte détail.\n\n"
        "### Autre détail\n\nEncore.\n\n## Second\n\nTexte deux.\n",
    )
    assert slides_of(html) == [
        "Une introduction.",
        ["Premier Texte un.", "Détail Texte détail.", "Autre détail Encore."],
        "Second Texte deux.",
    ]


def test_a_rule_alone_on_its_line_forces_a_new_slide(make_course):
    html, _ = deck_html(make_course, "## Titre\n\nAvant la coupure.\n\n---\n\nAprès la coupure.\n")
    assert slides_of(html) == ["Titre Avant la coupure.", "Après la coupure."]
    assert "<hr" not in html


def test_the_front_matter_fences_are_not_slide_breaks(make_course):
    html, _ = deck_html(make_course, "## Seule\n\nUne diapositive.\n")
    assert slides_of(html) == ["Seule Une diapositive."]


def test_breaks_that_leave_a_slide_empty_make_no_slide(make_course):
    html, _ = deck_html(make_course, "---\n\n---\n\n## A\n\nTexte.\n\n---\n")
    assert slides_of(html) == ["A Texte."]


def test_no_slide_leaves_a_block_or_a_headings_whole_section_out_of_the_deck(make_course):
    body = (
        "## Gardé\n\nVisible.\n\nLong paragraphe pour la page.\n{.no-slide}\n\n"
        '!!! tip no-slide "Astuce de lecture"\n    Seulement dans la page.\n\n'
        "## Annexe {.no-slide}\n\nDétails pour la page.\n\n### Sous-partie\n\nEncore la page.\n\n"
        "## Suite\n\nDe retour.\n"
    )
    html, _ = deck_html(make_course, body)
    assert slides_of(html) == ["Gardé Visible.", "Suite De retour."]
    root = make_course({LESSON: FRONT + body}, name="page")
    page, _ = render_markdown_page(root, "A/lecon.html")
    for words in ("Long paragraphe pour la page.", "Seulement dans la page.", "Annexe", "Encore la page."):
        assert words in page.html  # the lesson page keeps them


def test_notes_are_speaker_notes_in_the_deck_and_absent_from_the_page(make_course):
    body = "## Formule\n\nLa formule.\n\n!!! notes\n    Compter **dix** minutes.\n"
    html, _ = deck_html(make_course, body)
    assert '<aside class="notes">' in html
    assert "<strong>dix</strong>" in html
    assert "admonition" not in html and ">Notes<" not in html  # no title: reveal.js shows them apart
    root = make_course({LESSON: FRONT + body}, name="page")
    page, _ = render_markdown_page(root, "A/lecon.html")
    assert "minutes" not in page.html and "notes" not in page.html


def test_slide_only_blocks_are_in_the_deck_without_their_title_and_absent_from_the_page(make_course):
    body = (
        "## Résumé\n\n!!! slide-only\n    En une phrase : **Q, K, V**.\n\n"
        '!!! slide-only "À retenir"\n    Trois matrices.\n'
    )
    html, _ = deck_html(make_course, body)
    assert slides_of(html) == ["Résumé En une phrase : Q, K, V. À retenir Trois matrices."]
    assert 'class="slide-only"' in html and "Slide-only" not in html
    root = make_course({LESSON: FRONT + body}, name="page")
    page, _ = render_markdown_page(root, "A/lecon.html")
    assert "En une phrase" not in page.html and "Trois matrices" not in page.html
    assert "Résumé" in page.html


def test_fragment_items_appear_one_step_at_a_time(make_course):
    html, _ = deck_html(
        make_course,
        "## Étapes\n\n- calculer les scores\n  {.fragment}\n- normaliser\n  {.fragment}\n- mélanger\n",
    )
    assert html.count('<li class="fragment">') == 2
    assert "<li>mélanger</li>" in html


def test_slides_drop_the_headings_permalinks_and_keep_code_and_math(make_course):
    body = "## Code\n\n```python\nprint(42)\n```\n\n## Maths\n\n$$\nx^2\n$$\n"
    html, diagnostics = deck_html(make_course, body)
    assert "headerlink" not in html
    assert 'class="highlight"' in html and "<math" in html
    assert formatted(diagnostics) == []


# ----------------------------------------------------------------------------------------------
# the deck in the built site


def test_a_lesson_with_slides_gets_a_deck_beside_it_linked_both_ways(make_course, tmp_path):
    root = make_course(
        {
            "course.yml": "title: Cours\nlanguage: fr\nauthor: Mme Curie\nbase_url: https://cours.example.org/\n",
            "content/A/index.md": "---\ntitle: Module A\nicon: 🤖\n---\n",
            LESSON: FRONT + "## Une\n\nTexte.\n\n!!! notes\n    Note secrète de l'orateur.\n",
            "content/A/autre.md": "---\ntitle: Autre\n---\n\n## Rien\n",
        }
    )
    out = tmp_path / "site"
    result = run_build(root, out)
    assert formatted(result) == []
    deck = (out / "A/lecon.slides.html").read_text(encoding="utf-8")
    lesson = (out / "A/lecon.html").read_text(encoding="utf-8")
    assert 'href="lecon.slides.html"' in lesson and "Diaporama" in lesson
    assert 'class="deck-back" href="lecon.html"' in deck
    assert "Module A" in deck and "Mme Curie" in deck and "La leçon" in deck  # the title slide
    assert '<script src="../static/vendor/reveal/reveal.js">' in deck
    assert '<link rel="canonical" href="https://cours.example.org/A/lecon.html">' in deck
    assert not (out / "A/autre.slides.html").exists()
    assert "lecon.slides.html" not in (out / "A/autre.html").read_text(encoding="utf-8")
    for name in DECK_ASSETS:
        assert (out / "static" / name).is_file()
    # the notes are in the deck only: not in the lesson, the search index or the sitemap
    assert "Note secrète" in deck and "Note secrète" not in lesson
    assert "Note secrète" not in (out / "search/index.js").read_text(encoding="utf-8")
    assert "slides" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    # reveal.js only on decks
    assert "reveal" not in lesson


def test_a_site_without_decks_publishes_none_of_their_files(make_course, tmp_path):
    root = make_course({LESSON: "---\ntitle: Sans\n---\n\n## Une\n"})
    out = tmp_path / "site"
    assert formatted(run_build(root, out)) == []
    assert not (out / "static/vendor/reveal").exists()
    assert not (out / "static/slides.js").exists() and not (out / "static/slides.css").exists()
    assert not list(out.rglob("*.slides.html"))


def test_course_yml_slides_gives_every_lesson_a_deck_and_front_matter_opts_out(make_course, tmp_path):
    root = make_course(
        {
            "course.yml": "title: Cours\nslides: true\n",
            "content/A/index.md": "---\ntitle: Module A\n---\n",
            "content/A/un.md": "---\ntitle: Un\n---\n\n## Un\n",
            "content/A/deux.md": "---\ntitle: Deux\nslides: false\n---\n\n## Deux\n",
        }
    )
    out = tmp_path / "site"
    assert formatted(run_build(root, out)) == []
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.slides.html")) == ["A/un.slides.html"]


def test_course_yml_slides_that_is_not_true_or_false_is_an_error_at_its_line(make_course):
    root = make_course({LESSON: FRONT + "## Une\n", "course.yml": "title: Cours\nslides: oui\n"})
    with pytest.raises(ConfigInvalid) as problem:
        run_build(root, write=False)
    assert (
        "course.yml:2: error[config]: 'slides' must be true or false, not 'oui' — write slides: true to give every lesson a deck"
        in str(problem.value)
    )


def test_front_matter_slides_that_is_not_true_or_false_is_an_error_at_its_line(make_course):
    root = make_course({LESSON: "---\ntitle: La leçon\nslides: 1\n---\n\n## Une\n"})
    assert formatted(run_build(root, write=False)) == [
        "content/A/lecon.md:3: error[yaml]: front-matter key 'slides' must be true or false, not 1 — write slides: true or slides: false"
    ]


def test_a_deck_never_overwrites_a_page_of_the_same_name(make_course, tmp_path):
    root = make_course(
        {
            LESSON: FRONT + "## Une\n\nTexte.\n",
            "content/A/lecon.slides.md": "---\ntitle: Une vraie page\n---\n\nSon propre texte.\n",
        }
    )
    out = tmp_path / "site"
    result = run_build(root, out)
    assert formatted(result) == [
        "content/A/lecon.md: warning[files]: its slide deck is not made: "
        "'content/A/lecon.slides.md' is already published as 'A/lecon.slides.html' — rename one of them"
    ]
    assert "Son propre texte." in (out / "A/lecon.slides.html").read_text(encoding="utf-8")
    # and the lesson offers no button to a deck that is not there
    assert "lesson-slides" not in (out / "A/lecon.html").read_text(encoding="utf-8")


def test_a_deck_never_overwrites_a_file_of_the_same_name_whatever_its_case(make_course, tmp_path):
    root = make_course(
        {LESSON: FRONT + "## Une\n\nTexte.\n", "content/A/Lecon.Slides.html": "<p>À moi.</p>\n"}
    )
    out = tmp_path / "site"
    assert formatted(run_build(root, out)) == [
        "content/A/lecon.md: warning[files]: its slide deck is not made: "
        "'content/A/Lecon.Slides.html' is already published as 'A/lecon.slides.html' — rename one of them"
    ]
    assert (out / "A/Lecon.Slides.html").read_text(encoding="utf-8") == "<p>À moi.</p>\n"
    assert "lesson-slides" not in (out / "A/lecon.html").read_text(encoding="utf-8")


def test_findings_of_the_deck_are_reported_once(make_course, tmp_path):
    root = make_course(
        {
            LESSON: FRONT
            + "## Une\n\nVoir [la suite](suite.md).\n\n!!! slide-only\n    Et [cette page](absente.md).\n",
        }
    )
    out = tmp_path / "site"
    first = formatted(run_build(root, out))
    assert first == [
        "content/A/lecon.md:8: warning[links]: link 'suite.md' leads nowhere — check the path (it is relative to this file)",
        "content/A/lecon.md:11: warning[links]: link 'absente.md' leads nowhere — check the path (it is relative to this file)",
    ]
    assert formatted(run_build(root, out)) == first  # a kept deck says again what it said


def test_an_unchanged_deck_is_kept_and_an_edit_remakes_it(make_course, tmp_path, monkeypatch):
    rendered = []
    render = DeckMaker.render
    monkeypatch.setattr(
        DeckMaker, "render", lambda self, page, d: rendered.append(page.url) or render(self, page, d)
    )
    root = make_course({LESSON: FRONT + "## Une\n\nPremière version.\n"})
    out = tmp_path / "site"
    run_build(root, out)
    run_build(root, out)
    assert rendered == ["A/lecon.html"]  # the second build kept the deck the first one wrote
    (root / LESSON).write_text(FRONT + "## Une\n\nSeconde version.\n", encoding="utf-8")
    run_build(root, out)
    assert rendered == ["A/lecon.html", "A/lecon.html"]
    assert "Seconde version." in (out / "A/lecon.slides.html").read_text(encoding="utf-8")


def test_a_lesson_whose_source_breaks_keeps_its_last_good_deck(make_course, tmp_path):
    root = make_course({LESSON: FRONT + "## Une\n\nBonne version.\n"})
    out = tmp_path / "site"
    assert formatted(run_build(root, out)) == []
    (root / LESSON).write_bytes(b"---\ntitle: La le\xe7on\nslides: true\n---\n\n## Une\n")  # Latin-1
    result = run_build(root, out)
    assert result.diagnostics.errors
    assert "Bonne version." in (out / "A/lecon.slides.html").read_text(encoding="utf-8")


def test_the_example_course_lesson_has_a_deck_with_notes():
    """The repository's own example course shows the feature (content/module6)."""
    text = (Path(__file__).parents[1] / "content/module6/02_mecanismes_attention.md").read_text(
        encoding="utf-8"
    )
    assert "\nslides: true\n" in text and "!!! notes" in text and "!!! slide-only" in text
    assert "{.fragment}" in text and "{.no-slide}" in text


def test_serve_rebuilds_a_deck_when_its_lesson_is_saved(make_course):
    import urllib.request

    from coursegen.serve import PreviewServer

    root = make_course({LESSON: FRONT + "## Une\n\nPremière version.\n"})
    server = PreviewServer(root, "127.0.0.1", 0, verbosity=0).start()
    try:

        def deck() -> str:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{server.port}/A/lecon.slides.html", timeout=10
            ) as answer:
                return answer.read().decode("utf-8")

        assert "Première version." in deck()
        done = server.state().completed
        (root / LESSON).write_text(FRONT + "## Une\n\nVersion du cours de demain.\n", encoding="utf-8")
        server.wait_for_build(done)
        assert "Version du cours de demain." in deck()
    finally:
        server.stop()
