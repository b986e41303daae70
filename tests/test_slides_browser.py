"""Slide decks in headless Chromium (Debian's /usr/bin/chromium, see screenshot.py), opened from file://:
keyboard and touch navigation, the slide in the URL, the overview, the speaker view, printing one slide
per page, pictures scaled to fit, light and dark — and not one request that leaves the site's folder.

A small deck written for these tests pins the counts; the example course's deck (content/module6)
is checked too, as a teacher gets it."""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, write_tree
from playwright.sync_api import Page, expect, sync_playwright
from screenshot import CHROMIUM, launch

from coursegen.build import BuildOptions, build

pytestmark = pytest.mark.browser

# The deck written for these tests: title slide (0), then six slides; slide 3 is a stack of two
# (its `###`), slide 4 shows its list in two steps.
LESSON = """---
title: Les mécanismes d'attention
icon: 🔑
duration: 50 min
slides: true
---

## Le trio Q, K, V

Chaque mot joue trois rôles.

!!! notes
    Demander à la salle qui a déjà eu une KeyError.

## La formule

$$
\\operatorname{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)V
$$

Un paragraphe long, pour la page seulement.
{.no-slide}

## Le code

```python
def attention(Q, K, V):
    return softmax(Q @ K.T / np.sqrt(Q.shape[-1])) @ V
```

### La version stable

On soustrait le maximum de chaque ligne.

## Les étapes

- les scores
  {.fragment}
- la softmax
  {.fragment}

## Une figure

![Carte d'attention de la phrase « le chat mange »](carte.svg)

---

!!! slide-only
    Merci ! Des questions ?
"""
SLIDES = 7  # title, trio, formule, code (+ version stable), étapes, figure, merci
BIG_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="2400" height="1800" viewBox="0 0 240 180">
  <rect width="240" height="180" fill="#eef"/>
  <text x="20" y="90" font-size="20">le chat mange</text>
</svg>
"""
DECK = "site/A/lecon.slides.html"
EXAMPLE_DECK = "example-site/module6/02_mecanismes_attention.slides.html"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason + " — CI must not skip the browser tests: .ci/run installs it")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The test deck's course and the example course, built side by side (site/ and example-site/)."""
    root = tmp_path_factory.mktemp("slides")
    course = write_tree(
        root / "course",
        {
            "course.yml": "title: Cours\nlanguage: fr\nauthor: Mme Lovelace\n",
            "content/index.md": "# Accueil\n",
            "content/A/index.md": "---\ntitle: Module A\n---\n",
            "content/A/lecon.md": LESSON,
            "content/A/carte.svg": BIG_SVG,
        },
    )
    out = root / "site"
    assert not build(course, out, BuildOptions(jobs=1)).diagnostics.errors
    example = root / "example"
    for folder in ("content", "notebooks"):
        shutil.copytree(REPO / folder, example / folder, ignore=shutil.ignore_patterns(".*"))
    shutil.copy2(REPO / "course.yml", example / "course.yml")
    result = build(example, root / "example-site", BuildOptions())
    assert not result.diagnostics.errors, [d.format() for d in result.diagnostics.errors]
    return root


class Offline:
    """Every request of the pages it watches (popups included): none may leave file://."""

    def __init__(self, context):
        self.requests: list[str] = []
        self.errors: list[str] = []
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("page", self.watch)

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))

    def check(self) -> None:
        foreign = [url for url in self.requests if not url.startswith(("file://", "about:", "data:"))]
        assert foreign == [], "requests that leave the machine"
        assert self.errors == []


@pytest.fixture
def open_deck(browser, site):
    """open_deck(path, **context options) → the deck's page, ready; checks the network at the end."""
    contexts = []

    def opener(path: str = DECK, query: str = "", **options) -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 720}, **options)
        offline = Offline(context)
        contexts.append((context, offline))
        page = context.new_page()
        page.goto((site / path).as_uri() + query)
        page.wait_for_function("window.Reveal && Reveal.isReady()")
        return page

    yield opener
    for context, offline in contexts:
        offline.check()
        context.close()


def indices(page: Page) -> dict:
    return page.evaluate("Reveal.getIndices()")


def test_the_keyboard_moves_through_the_slides_and_the_url_keeps_the_slide(open_deck):
    page = open_deck()
    assert page.evaluate("Reveal.getTotalSlides()") == SLIDES + 1  # the stack's sub-slide counts
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(page).to_have_url(f"{page.url.split('#')[0]}#/3")
    expect(page.locator(".reveal .slide-number")).to_contain_text("4")
    page.keyboard.press("ArrowRight")  # → goes down into the `###` sub-slide (linear navigation)
    expect(page).to_have_url(f"{page.url.split('#')[0]}#/3/1")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(f"{page.url.split('#')[0]}#/2")
    page.keyboard.press("Space")
    assert indices(page) == {"h": 3, "v": 0, "f": None}
    page.keyboard.press("End")
    assert indices(page)["h"] == SLIDES - 1
    page.keyboard.press("Home")
    assert indices(page)["h"] == 0
    progress = page.locator(".reveal .progress")
    expect(progress).to_be_visible()


def test_a_url_with_a_slide_opens_that_slide(open_deck):
    page = open_deck(query="#/4")
    assert indices(page)["h"] == 4
    expect(page.locator("section.present h2")).to_have_text("Les étapes")


def test_fragment_items_come_one_step_at_a_time(open_deck):
    page = open_deck(query="#/4")
    items = page.locator("section.present li.fragment")
    expect(items).to_have_count(2)
    expect(items.nth(0)).not_to_have_class("fragment visible")
    page.keyboard.press("ArrowRight")
    expect(items.nth(0)).to_have_class("fragment visible current-fragment")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert indices(page)["h"] == 5  # both steps shown, then the next slide


def test_o_shows_the_overview_and_escape_leaves_it(open_deck):
    page = open_deck(query="#/2")
    page.keyboard.press("o")
    expect(page.locator(".reveal")).to_have_class(_has("overview"))
    page.keyboard.press("Escape")
    expect(page.locator(".reveal")).not_to_have_class(_has("overview"))
    assert indices(page)["h"] == 2


def _has(name: str) -> re.Pattern:
    """A class attribute that has the class `name` among others."""
    return re.compile(rf"(^|\s){name}(\s|$)")


def test_s_opens_the_speaker_view_with_the_notes_the_next_slide_and_a_timer(open_deck):
    page = open_deck(query="#/1")
    with page.expect_popup() as popup:
        page.keyboard.press("s")
    speaker = popup.value
    notes = speaker.locator(".speaker-controls-notes .value")
    expect(notes).to_contain_text("Demander à la salle qui a déjà eu une KeyError.")
    expect(speaker.locator(".speaker-controls-time .timer")).to_be_visible()
    frames = speaker.locator("iframe")
    expect(frames).to_have_count(2)  # the current slide and the next one
    # the notes are never on the slide itself, nor in the lesson page
    expect(page.locator("section.present aside.notes")).to_be_hidden()
    lesson = page.context.new_page()
    lesson.goto(page.url.replace(".slides.html", ".html").split("#")[0])
    assert "KeyError" not in lesson.content()
    assert "Merci ! Des questions ?" not in lesson.content()
    assert "Un paragraphe long, pour la page seulement." in lesson.content()


def test_f_asks_for_full_screen(open_deck):
    page = open_deck()
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement !== null")


def test_a_swipe_moves_to_the_next_slide(open_deck):
    page = open_deck(has_touch=True)
    # reveal.js follows touches through pointer events (pointerType "touch") where the browser has them
    page.evaluate(
        """() => {
        const target = document.querySelector('.reveal .slides section.present');
        const send = (type, x) => target.dispatchEvent(new PointerEvent(type, {
            pointerType: 'touch', clientX: x, clientY: 300, bubbles: true, cancelable: true}));
        send('pointerdown', 900); send('pointermove', 700); send('pointermove', 400); send('pointerup', 400);
    }"""
    )
    expect(page).to_have_url(f"{page.url.split('#')[0]}#/1")


def test_a_picture_bigger_than_the_slide_is_scaled_to_fit(open_deck):
    page = open_deck(query="#/5")
    picture = page.locator("section.present img")
    box = picture.bounding_box()
    slide = page.locator(".reveal .slides").bounding_box()
    assert box["height"] < slide["height"] and box["width"] <= slide["width"]
    assert box["y"] + box["height"] <= 720


def test_code_and_math_are_shown_as_in_the_lesson(open_deck):
    page = open_deck(query="#/3")
    keyword = page.locator("section.present .highlight .k").first  # Pygments' keyword colour
    expect(keyword).to_have_text("def")
    assert keyword.evaluate("el => getComputedStyle(el).color") != page.locator(
        "section.present h2"
    ).evaluate("el => getComputedStyle(el).color")
    page.goto(page.url.split("#")[0] + "#/2")
    expect(page.locator("section.present math")).to_be_visible()
    expect(page.locator("section.present")).not_to_contain_text("pour la page seulement")


def test_the_deck_takes_the_theme_colours_light_and_dark(open_deck):
    light = open_deck(color_scheme="light")
    dark = open_deck(color_scheme="dark")
    background = "el => getComputedStyle(el).backgroundColor"
    assert light.locator("body").evaluate(background) == "rgb(250, 248, 255)"  # the theme's --bg
    assert dark.locator("body").evaluate(background) == "rgb(17, 15, 26)"


def test_print_pdf_gives_one_page_per_slide(open_deck):
    from pypdf import PdfReader

    page = open_deck(query="?print-pdf")
    page.wait_for_function("document.querySelectorAll('.pdf-page').length > 0")
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == SLIDES + 1  # every slide, the sub-slide too


def test_the_example_course_deck_works_offline_with_its_notes(open_deck):
    page = open_deck(EXAMPLE_DECK)
    expect(page.locator(".title-slide h1")).to_contain_text("Les mécanismes d'attention")
    assert page.evaluate("Reveal.getTotalSlides()") >= 8
    page.keyboard.press("ArrowRight")
    with page.expect_popup() as popup:
        page.keyboard.press("s")
    expect(popup.value.locator(".speaker-controls-notes")).to_contain_text("Demander à la salle")
    page.keyboard.press("End")
    back = page.locator("a.deck-back")
    expect(back).to_have_attribute("href", "02_mecanismes_attention.html")
    back.click()
    expect(page.locator("a[href='02_mecanismes_attention.slides.html']")).to_be_visible()


def test_a_quiz_on_a_slide_is_graded_and_the_keys_still_move_the_deck(open_deck, site):
    """The example deck's quiz works as on the lesson page (quiz.js, loaded only by decks and pages
    that have a quiz): a wrong choice says so, the right one too; reveal.js keeps its keys."""
    assert "quiz.js" not in (site / DECK).read_text(encoding="utf-8"), "no quiz: no quiz script"
    page = open_deck(EXAMPLE_DECK)
    page.evaluate("Reveal.slide(Reveal.getIndices(document.querySelector('form.quiz').closest('section')).h)")
    quiz = page.locator("form.quiz").first
    expect(quiz).to_be_visible()
    wrong = quiz.locator("input:not([data-correct])").first
    wrong.check()
    quiz.locator(".quiz-check").click()
    expect(quiz.locator(".quiz-result")).to_have_class(re.compile("is-wrong"))
    quiz.locator(".quiz-reveal").click()
    expect(quiz.locator(".quiz-result")).to_have_text("Réponse : les choix cochés en vert.")
    expect(quiz.locator("input[data-correct]").first).to_be_checked()
    quiz.locator(".quiz-check").click()
    expect(quiz.locator(".quiz-result")).to_have_class(re.compile("is-right"))
    before = indices(page)["h"]
    page.locator("body").press("ArrowRight")
    assert indices(page)["h"] == before + 1
