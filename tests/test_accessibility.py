"""Accessibility of the built-in theme: axe-core (the copy shipped in the PyPI package
axe-playwright-python) over every page kind of the example course, light and dark (the system's, or
chosen with the header's switch), 390 and 1280 px wide, at WCAG 2.1 AA, with quizzes answered
(wrongly, then with the answer shown), solutions, tabs and the modules menu open; then headings, skip
link and landmarks, and the keyboard alone on cards, quizzes, tabs and hidden cells.

The example course (this repository) is built once for the file from a copy; a tiny course adds what it
does not have: line numbers, a file name and a notebook with a hidden cell. Pages are opened from
file:// in Debian's Chromium (/usr/bin/chromium), with reduced motion (nothing fades in while axe looks).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect, sync_playwright

from coursegen.build import BuildOptions, build

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Every page kind of the example course; "search" is the lesson with the search dialog open.
PAGES = {
    "home": "index.html",
    "module": "module6/index.html",
    "lesson": "module6/02_mecanismes_attention.html",
    "notebook": "module6/notebooks/01_attention_numpy.html",
    "404": "404.html",
    "search": "module6/02_mecanismes_attention.html",
    "diagram": "module6/03_architecture_transformer.html",
    "tabs": "module6/04_implementation.html",
    "tags": "tags.html",
}
TINY_PAGES = {"code blocks": "bases/code.html", "hidden cells": "bases/notebooks/cells.html"}

CODE_LESSON = '''---
title: Blocs de code
---

```python title="attention.py"
def attention(q, k, v):
    return q @ k.T @ v
```

```python title="numeros.py" linenums="1"
a = 1
b = 2
```

```python {.no-copy}
print("pas de bouton")
```
'''


def hidden_cells_notebook() -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata.update({"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    out = nbformat.v4.new_output("stream", name="stdout", text="42\n")
    nb.cells = [
        nbformat.v4.new_markdown_cell("## Cellules cachées\n\nUne cellule repliée, puis une sortie repliée."),
        nbformat.v4.new_code_cell(
            "HIDDEN_SOURCE = 42\nprint(HIDDEN_SOURCE)",
            execution_count=1,
            outputs=[out],
            metadata={"tags": ["hide-input"]},
        ),
        nbformat.v4.new_code_cell(
            "print(42)", execution_count=2, outputs=[out], metadata={"tags": ["hide-output"]}
        ),
    ]
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"
    return nbformat.writes(nb) + "\n"


def built(root: Path) -> Path:
    out = root.parent / "site"
    result = build(root, out, BuildOptions(jobs=1))
    assert not result.diagnostics.errors, "\n".join(d.format() for d in result.diagnostics.errors)
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("a11y") / "course"
    for folder in ("content", "notebooks"):
        shutil.copytree(REPO / folder, course / folder, ignore=shutil.ignore_patterns(".*"))
    shutil.copy2(REPO / "course.yml", course / "course.yml")
    return built(course)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("a11y-tiny") / "course"
    files = {
        "course.yml": "title: Petit cours\nlanguage: fr\nicon: 🧪\n",
        "content/index.md": "---\ntitle: Petit cours\n---\nBienvenue.\n",
        "content/bases/index.md": "---\ntitle: Les bases\n---\nLe module.\n",
        "content/bases/code.md": CODE_LESSON,
        "notebooks/bases/cells.ipynb": hidden_cells_notebook(),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return built(root)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def axe_script() -> str:
    axe = pytest.importorskip("axe_playwright_python")
    return (Path(axe.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page, script: str) -> list[dict]:
    page.evaluate(
        "() => new Promise(done => requestIdleCallback(done, {timeout: 1000}))"
    )  # coursegen.js's idle work is done
    page.evaluate(script)
    results = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]},
    )
    return results["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:8]:
            lines.append(
                f"    {' '.join(map(str, node['target']))}: {node.get('failureSummary', '').splitlines()[-1].strip()}"
            )
    return "\n".join(lines)


def open_search(page) -> None:
    page.keyboard.press("/")
    dialog = page.locator("dialog#search")
    expect(dialog).to_be_visible()
    dialog.locator("input").fill("attention")
    expect(dialog.locator(".search-hit").first).to_be_visible()


def open_everything(page, kind: str) -> None:
    """What a learner opens on the page, so that axe sees it open."""
    if kind == "search":
        open_search(page)
    if kind == "hidden cells":
        page.locator("details.cell-toggle > summary").first.click()  # open one: its content is checked too
    if kind == "lesson":
        page.locator("details.solution > summary").click()
        quiz = page.locator("form.quiz").first
        quiz.locator("input").nth(1).check()
        quiz.locator(".quiz-check").click()  # a wrong answer, with its feedback
        second = page.locator("form.quiz").nth(1)
        second.locator("input").nth(2).check()
        second.locator(".quiz-check").click()
        second.locator(".quiz-reveal").click()  # then the answer shown
        page.locator("button[data-done]").click()
        lessons = page.locator("details.module-lessons")
        if not lessons.evaluate("el => el.open"):
            lessons.locator("summary").click()
    if kind == "tabs":
        page.locator(".tabbed-labels [role=tab]", has_text="macOS").first.click()
    toggle = page.locator(".nav-toggle")
    if kind != "search" and toggle.is_visible():  # the modules menu (the search dialog is modal)
        toggle.click()
        expect(page.locator("#site-nav-list")).to_be_visible()


@pytest.mark.parametrize(
    "scheme, width, chosen",
    [
        ("light", 1280, ""),
        ("dark", 1280, ""),
        ("light", 390, ""),
        ("dark", 390, ""),
        ("light", 1280, "dark"),
        ("dark", 390, "light"),
    ],
    ids=["light", "dark", "phone", "phone-dark", "chosen-dark", "phone-chosen-light"],
)
def test_axe_finds_no_wcag_aa_violation(browser, site, tiny, axe_script, scheme, width, chosen):
    context = browser.new_context(
        color_scheme=scheme, reduced_motion="reduce", viewport={"width": width, "height": 800}
    )
    if chosen:  # the learner's choice in the header's switch, kept in localStorage
        context.add_init_script(f"localStorage.setItem('coursegen-theme', '{chosen}')")
    page = context.new_page()
    found = {}
    targets = [(kind, site / url) for kind, url in PAGES.items()] + [
        (kind, tiny / url) for kind, url in TINY_PAGES.items()
    ]
    for kind, path in targets:
        page.goto(path.as_uri())
        if chosen:
            expect(page.locator("html")).to_have_attribute("data-theme", chosen)
        open_everything(page, kind)
        violations = axe_violations(page, axe_script)
        if violations:
            found[kind] = violations
    context.close()
    report = "\n".join(
        f"--- {kind} ({scheme}{' chosen ' + chosen if chosen else ''}, {width} px):\n{describe(v)}"
        for kind, v in found.items()
    )
    print(report)
    assert not found, f"axe-core found WCAG 2.1 AA violations in {scheme} mode, {width} px wide:\n{report}"


HEADINGS_JS = "() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter(h => !h.closest('[hidden]')).map(h => +h.tagName[1])"


def test_one_h1_no_skipped_levels_landmarks_and_skip_link(browser, site):
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    for kind, url in PAGES.items():
        page.goto((site / url).as_uri())
        levels = page.evaluate(HEADINGS_JS)
        assert levels.count(1) == 1 and levels[0] == 1, f"{kind}: one h1, first: {levels}"
        skips = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        assert not skips, f"{kind}: heading levels skip {skips} in {levels}"
        for role in ("banner", "main", "contentinfo", "navigation"):
            assert page.get_by_role(role).count() >= 1, f"{kind}: no {role} landmark"
        assert page.locator("main#main").count() == 1
        page.keyboard.press("Tab")
        skip = page.locator(":focus")
        expect(skip).to_have_class("skip-link")
        expect(skip).to_be_visible()  # shown when focused
        page.keyboard.press("Enter")
        expect(page.locator("main#main")).to_be_focused()
    context.close()


def test_cards_quizzes_and_hidden_cells_with_the_keyboard_alone(browser, site, tiny):
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()

    # cards: Tab reaches a card's link, Enter follows it
    page.goto((site / PAGES["module"]).as_uri())
    first_card_link = page.locator(".lesson-card .card-link").first
    for _ in range(60):
        page.keyboard.press("Tab")
        if first_card_link.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the first lesson card")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"01_introduction\.html$"))

    # quizzes: Tab into the radio group, arrows choose, Tab to the button, Space checks
    page.goto((site / PAGES["lesson"]).as_uri())
    quiz = page.locator("form.quiz").first
    quiz.locator("input").first.focus()
    page.keyboard.press("ArrowDown")  # radios: the arrow moves and selects
    expect(quiz.locator("input").nth(1)).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(quiz.locator("input").nth(0)).to_be_checked()
    page.keyboard.press("Tab")
    expect(quiz.locator(".quiz-check")).to_be_focused()
    page.keyboard.press("Space")
    expect(quiz.locator(".quiz-result")).to_have_text("Bravo, c'est juste\u202f!")
    several = page.locator("form.quiz").nth(1)
    several.locator("input").first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(several.locator("input").nth(1)).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(several.locator(".quiz-check")).to_be_focused()
    page.keyboard.press("Enter")
    expect(several.locator(".quiz-result")).to_have_text("Bravo, c'est juste\u202f!")

    # the solution and "mark as done", with the keyboard
    summary = page.locator("details.solution > summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("details.solution")).to_have_attribute("open", "")
    done = page.locator("button[data-done]")
    done.focus()
    page.keyboard.press("Space")
    expect(done).to_have_text("✓ Terminée ✓ (annuler)")

    # tabs: Tab reaches the chosen tab, arrows move and choose, every group with that label follows
    page.goto((site / PAGES["tabs"]).as_uri())
    tab = page.get_by_role("tab", name="Linux").first
    tab.focus()
    page.keyboard.press("ArrowRight")
    mac = page.get_by_role("tab", name="macOS").first
    expect(mac).to_be_focused()
    expect(mac).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel").filter(has_text="python3 -m pip install torch").first).to_be_visible()
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name="Windows").first).to_be_focused()
    page.keyboard.press("Home")
    expect(tab).to_have_attribute("aria-selected", "true")

    # hidden notebook cells: Tab to the summary, Enter opens, Enter closes
    page.goto((tiny / TINY_PAGES["hidden cells"]).as_uri())
    toggle = page.locator("details.cell-toggle").first
    expect(toggle).not_to_have_attribute("open", "")
    expect(page.get_by_text("HIDDEN_SOURCE = 42")).to_be_hidden()
    for _ in range(40):
        page.keyboard.press("Tab")
        if toggle.locator("summary").evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the hidden cell's summary")
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("open", "")
    expect(page.get_by_text("HIDDEN_SOURCE = 42")).to_be_visible()
    page.keyboard.press("Enter")
    expect(toggle).not_to_have_attribute("open", "")

    # code: Tab reaches the copy button of each block that has one
    page.goto((tiny / TINY_PAGES["code blocks"]).as_uri())
    copy = page.locator(".copy-button").first
    for _ in range(40):
        page.keyboard.press("Tab")
        if copy.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the copy button")
    assert copy.evaluate("el => getComputedStyle(el).opacity") == "1", "a focused copy button is shown"
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_aa_violation_on_any_slide_of_a_deck(browser, site, axe_script, scheme):
    """The example deck, every slide (vertical ones too) with all its steps shown, at 1280 × 720."""
    context = browser.new_context(
        color_scheme=scheme, reduced_motion="reduce", viewport={"width": 1280, "height": 720}
    )
    page = context.new_page()
    page.goto((site / "module6/02_mecanismes_attention.slides.html").as_uri())
    expect(page.locator(".reveal .slides section.present").first).to_be_visible()
    places = page.evaluate("() => Reveal.getSlides().map(slide => Reveal.getIndices(slide))")
    found = {}
    for place in places:
        page.evaluate(
            "([h, v]) => { Reveal.slide(h, v); while (Reveal.nextFragment()); }", [place["h"], place["v"]]
        )
        page.wait_for_timeout(100)
        violations = axe_violations(page, axe_script)
        if violations:
            found[f"{place['h']}/{place['v']}"] = violations
    context.close()
    assert len(places) >= 9, places  # the deck's slides were all looked at
    report = "\n".join(f"--- slide {where}:\n{describe(v)}" for where, v in found.items())
    assert not found, f"axe-core found WCAG 2.1 AA violations on the deck ({scheme}):\n{report}"
