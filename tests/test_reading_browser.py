"""What learners read and use, in Debian's headless Chromium (light and dark, 390 and 1280 px): diagrams,
content tabs, the search (stems, front-matter fields, a packed index), the module's lessons beside a
lesson, the header's modules menu, the light/dark/auto switch, the tags page, quizzes that show their
answer, and print. One small French course is built once for the file (from file://, like a USB stick).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from screenshot import CHROMIUM, launch  # tests/screenshot.py

from coursegen.build import BuildOptions, build

pytestmark = pytest.mark.browser

DIAGRAM_LESSON = """---
title: Le trajet d'une phrase
description: Comment une phrase traverse le modèle, du token à la prédiction.
category: Deep Learning
tags: [Architecture, Schémas]
---

Voici le trajet :

```mermaid
flowchart LR
    T[Tokens] --> E[Plongements]
    E --> A{Attention}
    A --> S[Sortie]
```

!!! quiz "Que calcule la softmax ?"
    - [ ] Un produit scalaire

        Non : il vient avant.

    - [x] Des poids qui somment à 1

        Oui.

??? solution "La solution"
    Des poids positifs.
"""

TABS_LESSON = """---
title: Installer l'environnement
summary: Préparer sa machine pour les notebooks du cours.
topics: [Gestionnaire de paquets]
tags: [Outils]
---

## Installer

=== "Linux"
    Tapez `sudo apt install python3`.

=== "Windows"
    Téléchargez l'installateur.

## Lancer

=== "Linux"
    Lancez `python3`.

=== "Windows"
    Lancez `py`.

Un long entraînement des réseaux récurrents demande de la patience. Voir https://docs.python.org/3/ pour plus,
et [le tutoriel](https://docs.python.org/3/tutorial/).
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def build_site(root: Path) -> Path:
    result = build(root, root.parent / "site", BuildOptions(jobs=1))
    assert not result.diagnostics.problems, "\n".join(d.format() for d in result.diagnostics.problems)
    return root.parent / "site"


def course_files(modules: dict[str, str]) -> dict[str, str]:
    files = {
        "course.yml": "title: Cours d'essai\nlanguage: fr\nicon: 🧪\n",
        "content/index.md": "---\ntitle: Cours d'essai\n---\nBienvenue.\n",
        "content/m1/index.md": f"---\ntitle: \"{modules['m1']}\"\n---\nLe module.\n",
        "content/m1/01_trajet.md": DIAGRAM_LESSON,
        "content/m1/02_installer.md": TABS_LESSON,
        "content/m1/03_fin.md": "---\ntitle: Pour finir\n---\nOn s'entraîne encore.\n",
    }
    for name, title in modules.items():
        files.setdefault(f"content/{name}/index.md", f"---\ntitle: \"{title}\"\n---\nTexte.\n")
    return files


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Two modules with short titles: they fit in the header."""
    root = tmp_path_factory.mktemp("reading") / "course"
    return build_site(write(root, course_files({"m1": "Bases", "m2": "Suite"})))


@pytest.fixture(scope="module")
def long_titles(tmp_path_factory, monkeypatch_module) -> Path:
    """Four modules with long titles (more than one line of the header), and a packed search index."""
    monkeypatch_module.setattr("coursegen.search.PACKED_ABOVE", 0)
    titles = {
        f"m{n}": f"Module {n} : Apprentissage profond et réseaux de neurones, partie {n}" for n in range(1, 5)
    }
    root = tmp_path_factory.mktemp("reading-long") / "course"
    return build_site(write(root, course_files(titles)))


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser):
    """`open_page(site, rel, **context_options)`: a page in a fresh context; fails the test on a JS error."""
    contexts, errors = [], []

    def make(site: Path, rel: str, **options):
        options.setdefault("reduced_motion", "reduce")
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda message: errors.append(f"{page.url}: {message.text}") if message.type == "error" else None,
        )
        page.goto((site / rel).as_uri())
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, "\n".join(errors)


def shown(locator) -> bool:
    return locator.evaluate(
        "el => { const box = el.getBoundingClientRect(); return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility === 'visible'; }"
    )


# --------------------------------------------------------------------------- diagrams


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_diagram_is_drawn_in_the_page_scheme_and_named_for_screen_readers(open_page, site, scheme):
    page = open_page(site, "m1/01_trajet.html", color_scheme=scheme)
    figure = page.get_by_role(
        "img", name=re.compile(r"^Diagramme\s: .*Tokens.*Plongements.*Attention.*Sortie")
    )
    expect(figure).to_be_visible()
    light, dark = figure.locator(".diagram-light svg"), figure.locator(".diagram-dark svg")
    assert shown(light) == (scheme == "light") and shown(dark) == (scheme == "dark")
    expect(figure.locator(f".diagram-{scheme}")).to_contain_text("Plongements")
    page.emulate_media(media="print")  # a printout is light whatever the screen
    assert shown(light) and not shown(dark)


# --------------------------------------------------------------------------- tabs


def test_tabs_are_aria_tabs_linked_across_the_page_and_remembered(open_page, site):
    page = open_page(site, "m1/02_installer.html")
    tablists = page.get_by_role("tablist")
    expect(tablists).to_have_count(2)
    first_windows = tablists.nth(0).get_by_role("tab", name="Windows")
    first_windows.click()
    for group in range(2):  # every group with a "Windows" tab follows
        expect(tablists.nth(group).get_by_role("tab", name="Windows")).to_have_attribute(
            "aria-selected", "true"
        )
        expect(tablists.nth(group).get_by_role("tab", name="Linux")).to_have_attribute(
            "aria-selected", "false"
        )
    expect(page.get_by_role("tabpanel").filter(has_text="Lancez py")).to_be_visible()
    expect(page.get_by_text("Lancez python3")).to_be_hidden()
    # arrows move between the tabs of one group, and choose
    first_windows.focus()
    page.keyboard.press("ArrowLeft")
    expect(tablists.nth(0).get_by_role("tab", name="Linux")).to_be_focused()
    expect(page.get_by_text("Lancez python3")).to_be_visible()
    page.keyboard.press("ArrowRight")
    page.reload()  # the choice is kept for the next pages
    expect(page.get_by_role("tablist").nth(1).get_by_role("tab", name="Windows")).to_have_attribute(
        "aria-selected", "true"
    )


def test_tabs_without_javascript_and_in_print(open_page, site):
    page = open_page(site, "m1/02_installer.html", java_script_enabled=False)
    expect(page.locator(".tabbed-block", has_text="sudo apt install python3")).to_be_visible()
    page.locator("label", has_text="Windows").first.click()  # radio inputs and labels: no script needed
    expect(page.get_by_text("Téléchargez l'installateur.")).to_be_visible()
    page.emulate_media(media="print")
    blocks = page.locator(".tabbed-block")
    expect(blocks).to_have_count(4)
    for index in range(4):  # every panel is printed
        expect(blocks.nth(index)).to_be_visible()
    expect(page.locator(".tabbed-print-label", has_text="Windows").first).to_be_visible()
    expect(page.locator(".tabbed-labels").first).to_be_hidden()


# --------------------------------------------------------------------------- search


def search(page, query: str):
    page.keyboard.press("/")
    dialog = page.locator("dialog#search")
    expect(dialog).to_have_attribute("data-ready", "")
    dialog.locator("input").fill(query)
    return dialog


@pytest.mark.parametrize("which", ["plain", "packed"])
def test_search_stems_front_matter_fields_and_highlights(open_page, site, long_titles, which):
    page = open_page(site if which == "plain" else long_titles, "index.html")
    if which == "packed":
        assert "window.coursegenSearchPacked=" in (long_titles / "search/index.js").read_text(
            encoding="utf-8"
        )
    dialog = search(page, "entraîner")  # not in the course: its stem finds "entraînement" and "entraîne"
    titles = dialog.locator(".search-hit-title")
    expect(titles.first).to_be_visible()
    assert set(titles.all_inner_texts()) == {"Installer l'environnement", "Pour finir"}
    marks = {mark.lower() for mark in dialog.locator(".search-hit-excerpt mark").all_inner_texts()}
    assert marks <= {"entraînement", "entraîne"} and marks
    dialog.locator("input").fill("gestionnaire paquets")  # only in the lesson's topics
    expect(titles).to_have_text(["Installer l'environnement"])
    dialog.locator("input").fill("prédiction")  # only in the description: the excerpt is the description
    expect(titles).to_have_text(["Le trajet d'une phrase"])
    expect(dialog.locator(".search-hit-excerpt mark")).to_have_text(["prédiction"])
    dialog.locator("input").fill("plongements")  # the diagram's words, through its text alternative
    expect(titles).to_have_text(["Le trajet d'une phrase"])


# --------------------------------------------------------------------------- navigation


@pytest.mark.parametrize("width", [390, 1280])
def test_module_lessons_beside_a_lesson(open_page, site, width):
    page = open_page(site, "m1/02_installer.html", viewport={"width": width, "height": 900})
    box = page.locator("details.module-lessons")
    expect(box).to_have_js_property(
        "open", width >= 1024
    )  # beside the lesson where there is room; collapsed on phones
    if width < 1024:
        box.locator("summary").click()
    nav = page.get_by_role("navigation", name="Leçons du module")
    expect(nav.get_by_role("link")).to_have_text(
        [re.compile(r"1\s*Le trajet"), re.compile(r"2\s*Installer"), re.compile(r"3\s*Pour finir")]
    )
    expect(nav.locator("[aria-current=page]")).to_have_text(re.compile("Installer l'environnement"))
    page.locator("button[data-done]").click()
    expect(nav.locator("li").nth(1).locator(".module-lesson-done")).to_be_visible()
    expect(box.locator("summary")).to_contain_text("2/3")


def test_header_modules_fit_or_collapse_into_a_menu(open_page, site, long_titles):
    page = open_page(site, "m1/01_trajet.html", viewport={"width": 1280, "height": 800})
    expect(page.locator(".nav-toggle")).to_be_hidden()  # two short titles: listed, whole
    for title in page.locator(".site-nav .nav-title").all():
        assert title.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    expect(page.locator(".site-nav li")).to_have_count(2)

    page = open_page(long_titles, "m1/01_trajet.html", viewport={"width": 1280, "height": 800})
    toggle = page.get_by_role("button", name="Modules")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#site-nav-list")).to_be_hidden()
    header_height = page.locator(".site-header").evaluate("el => el.getBoundingClientRect().height")
    assert header_height < 120, f"the header is {header_height} px high"
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    links = page.locator("#site-nav-list a")
    expect(links).to_have_count(4)
    expect(links.nth(3)).to_have_text(
        re.compile(r"^Module 4\s: Apprentissage profond et réseaux de neurones, partie 4$")
    )
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()


def test_theme_switch_light_dark_auto_remembered_without_flash(open_page, site):
    page = open_page(site, "m1/01_trajet.html", color_scheme="light")
    switch = page.locator("[data-theme-switch]")
    background = "() => getComputedStyle(document.body).backgroundColor"
    light = page.evaluate(background)
    expect(switch).to_have_accessible_name("Thème Auto")
    switch.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    expect(switch).to_have_accessible_name("Thème Clair")
    switch.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(switch).to_have_accessible_name("Thème Sombre")
    dark = page.evaluate(background)
    assert dark != light
    assert shown(page.locator(".diagram-dark svg")) and not shown(page.locator(".diagram-light svg"))
    # another page: dark before any script of the body ran (the <head> script set it)
    page.goto((site / "m1/02_installer.html").as_uri(), wait_until="commit")
    page.wait_for_selector("body", state="attached")
    assert page.evaluate("document.documentElement.getAttribute('data-theme')") == "dark"
    page.wait_for_load_state()
    assert page.evaluate(background) == dark
    page.locator("[data-theme-switch]").click()  # back to auto: the system's light scheme
    expect(page.locator("html")).not_to_have_attribute("data-theme", re.compile("."))
    assert page.evaluate(background) == light


def test_tags_page_and_category(open_page, site):
    page = open_page(site, "m1/index.html")
    card = page.locator(".lesson-card", has_text="Le trajet d'une phrase")
    expect(card.locator(".badge-category")).to_have_text(re.compile(r"^Catégorie\s: Deep Learning$"))
    card.get_by_role("link", name="Schémas").click()
    expect(page).to_have_url(re.compile(r"/tags\.html#tag-schémas$|/tags\.html#tag-sch%C3%A9mas$"))
    section = page.locator("section#tag-schémas")
    expect(section.get_by_role("heading")).to_have_text("Schémas")
    expect(section.get_by_role("link")).to_have_text(["Le trajet d'une phrase"])
    expect(page.locator(".tags-index a")).to_have_text(
        [re.compile("^Architecture"), re.compile("^Outils"), re.compile("^Schémas")]
    )
    page.goto((site / "m1/01_trajet.html").as_uri())
    expect(page.locator(".lesson-meta .badge-category")).to_have_text(
        re.compile(r"^Catégorie\s: Deep Learning$")
    )


# --------------------------------------------------------------------------- quizzes and print


def test_quiz_shows_the_answer_after_a_wrong_try(open_page, site):
    page = open_page(site, "m1/01_trajet.html")
    quiz = page.locator("form.quiz")
    reveal = quiz.get_by_role("button", name="Voir la réponse")
    expect(reveal).to_be_hidden()
    quiz.get_by_label("Un produit scalaire").check()
    quiz.get_by_role("button", name="Vérifier ma réponse").click()
    expect(quiz.locator(".quiz-result")).to_contain_text("Pas tout à fait")
    reveal.click()
    expect(quiz.get_by_label("Des poids qui somment à 1")).to_be_checked()
    expect(quiz.get_by_label("Un produit scalaire")).not_to_be_checked()
    expect(quiz.locator(".quiz-option.is-right")).to_have_count(1)
    expect(quiz.locator(".quiz-result")).to_have_text(re.compile(r"^Réponse\s: les choix cochés en vert\.$"))
    expect(reveal).to_be_hidden()


def test_print_opens_collapsed_blocks_and_shows_link_targets(open_page, site):
    page = open_page(site, "m1/02_installer.html")
    bare = page.locator("article a[href='https://docs.python.org/3/']")
    expect(bare).to_have_text("https://docs.python.org/3/")  # a bare URL became a link
    named = page.locator("article a", has_text="le tutoriel")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    after = "el => getComputedStyle(el, '::after').content"
    assert named.evaluate(after) == '" (" attr(href) ")"' or "docs.python.org/3/tutorial" in named.evaluate(
        after
    )
    assert bare.evaluate(after) in ("none", "normal")  # its text is its address already
    page.emulate_media(media="screen")
    page.goto((site / "m1/01_trajet.html").as_uri())
    solution = page.locator("details.solution")
    expect(solution).not_to_have_attribute("open", "")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    expect(solution).to_have_attribute("open", "")
    expect(page.get_by_text("Des poids positifs.")).to_be_visible()
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    expect(solution).not_to_have_attribute("open", "")
