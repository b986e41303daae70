"""The fixture projects of issue #24 (tests/fixtures/projects), built as they are, in Debian's
headless Chromium from file://: the MkDocs course's content tabs switch and its collapsibles open
(`???+` already open), the Jupyter Book's solutions stay hidden until the learner asks."""

from __future__ import annotations

import shutil

import pytest
from conftest import FIXTURES, run_build
from playwright.sync_api import expect, sync_playwright
from screenshot import CHROMIUM, launch  # tests/screenshot.py

pytestmark = pytest.mark.browser


def built(tmp_path_factory, name: str):
    root = shutil.copytree(
        FIXTURES / "projects" / name,
        tmp_path_factory.mktemp(name) / name,
        ignore=shutil.ignore_patterns(".coursegen-cache"),
    )
    result = run_build(root)
    assert not result.diagnostics.errors
    return root / "site"


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    return {name: built(tmp_path_factory, name) for name in ("jupyter-book", "mkdocs")}


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, sites):
    contexts = []

    def go(project: str, rel: str):
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.goto((sites[project] / rel).as_uri())
        return page

    yield go
    for context in contexts:
        context.close()


def test_mkdocs_content_tabs_switch(open_page):
    page = open_page("mkdocs", "bases/boucles/index.html")
    python, r = page.get_by_text("for valeur in [1, 2, 3]:"), page.get_by_text("for (valeur in c(1, 2, 3))")
    expect(python).to_be_visible()
    expect(r).to_be_hidden()
    page.locator("label[for=r]").click()
    expect(r).to_be_visible()
    expect(python).to_be_hidden()


def test_mkdocs_collapsibles_open_and_the_plus_one_starts_open(open_page):
    page = open_page("mkdocs", "bases/boucles/index.html")
    answer = page.get_by_text("Trois fois : une par élément")
    expect(answer).to_be_hidden()
    page.locator("details.question > summary").click()
    expect(answer).to_be_visible()
    expect(page.get_by_text("donne l'indice")).to_be_visible()  # ???+


def test_book_solutions_stay_hidden_until_asked(open_page):
    page = open_page("jupyter-book", "chapters/02_modeles/theorie.html")
    expect(page.get_by_text("Montrez que le modèle constant")).to_be_visible()
    answer = page.get_by_text("on annule")
    expect(answer).to_be_hidden()
    summary = page.locator("details.solution > summary").first
    expect(summary).to_contain_text("Solution de l")
    summary.click(position={"x": 4, "y": 8})  # the marker, not the link to the exercise
    expect(answer).to_be_visible()
