"""The instructor's edition of the example course in headless Chromium, from file://: the banner on
every page kind, the solutions open, the instructor's notes shown, the module's timing sheet — and
nothing of it in the learner's edition. No request may leave the site's folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from screenshot import CHROMIUM, launch  # tests/screenshot.py

from coursegen.build import BuildOptions, build

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
LESSON = "module6/02_mecanismes_attention.html"
MODULE = "module6/index.html"
NOTE = "Laissez chercher cinq minutes"  # the example lesson's instructor note
KEPT_SOLUTION = "Question bonus à poser à l'oral"  # its solution kept for the instructor


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    """The example course built in both editions, from a copy."""
    course = tmp_path_factory.mktemp("editions") / "course"
    for folder in ("content", "notebooks"):
        shutil.copytree(REPO / folder, course / folder, ignore=shutil.ignore_patterns(".*"))
    shutil.copy2(REPO / "course.yml", course / "course.yml")
    sites = {}
    for audience in ("learner", "instructor"):
        result = build(course, None, BuildOptions(audience=audience))
        assert not result.diagnostics.errors, [d.format() for d in result.diagnostics.errors]
        sites[audience] = result.out
    return sites


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, sites):
    """`open_page(audience, rel)` → the page, loaded from file://; requests outside the site fail the test."""
    contexts, outside = [], []

    def go(audience: str, rel: str):
        root = sites[audience].as_uri() + "/"
        context = browser.new_context()
        context.route(lambda url: not url.startswith(root), lambda route: route.abort())
        contexts.append(context)
        page = context.new_page()
        page.on(
            "request", lambda request: None if request.url.startswith(root) else outside.append(request.url)
        )
        page.goto(root + rel, wait_until="load")
        return page

    yield go
    for context in contexts:
        context.close()
    assert outside == [], f"requests left the site: {outside}"


@pytest.mark.parametrize("rel", ["index.html", MODULE, LESSON, "module6/notebooks/02_attention_heatmap.html"])
def test_the_banner_is_on_every_kind_of_page(open_page, rel):
    page = open_page("instructor", rel)
    banner = page.locator(".edition-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Édition enseignant")
    assert banner.bounding_box()["y"] < 5, "the banner is the first thing on the page"


def test_solutions_are_open_and_instructor_notes_shown(open_page):
    page = open_page("instructor", LESSON)
    solutions = page.locator("details.solution")
    assert solutions.count() == 2
    assert solutions.evaluate_all("els => els.map(el => el.open)") == [True, True]
    expect(page.get_by_text(KEPT_SOLUTION)).to_be_visible()
    expect(page.get_by_text(re.compile("Les scores valent"))).to_be_visible()
    note = page.locator(".admonition.instructor")
    expect(note).to_be_visible()
    expect(note).to_contain_text(NOTE)
    border = note.evaluate("el => getComputedStyle(el).borderTopStyle")
    assert border == "dashed", "instructor notes are styled apart from the lesson's boxes"


def test_the_module_page_has_its_timing_sheet(open_page):
    page = open_page("instructor", MODULE)
    table = page.locator(".timing-table")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("09:00")
    expect(rows.nth(2)).to_contain_text("Pause café")
    expect(rows.last).to_contain_text("12:35")


def test_the_learners_edition_has_none_of_it(open_page):
    page = open_page("learner", LESSON)
    assert page.locator(".edition-banner").count() == 0
    assert page.locator(".admonition.instructor").count() == 0
    assert page.get_by_text(KEPT_SOLUTION).count() == 0
    solution = page.locator("details.solution")
    assert solution.evaluate_all("els => els.map(el => el.open)") == [False]  # closed until opened
    assert open_page("learner", MODULE).locator(".timing-table").count() == 0
