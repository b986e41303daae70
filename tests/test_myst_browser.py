"""The MyST fixture book (tests/fixtures/myst_book) in Debian's headless Chromium, from file://:
its `tab-set` switches, its `dropdown` opens, its solutions stay hidden until the learner asks,
and references lead to the numbered block they name."""

from __future__ import annotations

import re

import pytest
from conftest import copy_fixture
from playwright.sync_api import expect, sync_playwright
from screenshot import CHROMIUM, launch  # tests/screenshot.py

from coursegen.build import BuildOptions, build

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = copy_fixture("myst_book", tmp_path_factory.mktemp("myst-browser"))
    result = build(root, None, BuildOptions(jobs=1))
    assert not result.diagnostics.errors
    return root / "site"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, site):
    contexts = []

    def go(rel: str):
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.goto((site / rel).as_uri())
        return page

    yield go
    for context in contexts:
        context.close()


def test_tab_set_switches(open_page):
    page = open_page("02_modeles/regression.html")
    tablist = page.get_by_role("tablist")
    expect(tablist).to_have_count(1)
    expect(page.get_by_text("LinearRegression().fit(X, y)")).to_be_visible()
    expect(page.get_by_text("sm.OLS(y, X).fit()")).to_be_hidden()
    tablist.get_by_role("tab", name="statsmodels").click()
    expect(page.get_by_text("sm.OLS(y, X).fit()")).to_be_visible()
    expect(page.get_by_text("LinearRegression().fit(X, y)")).to_be_hidden()


def test_dropdown_opens(open_page):
    page = open_page("02_modeles/regression.html")
    hidden = page.get_by_text("combinent de nombreux arbres")
    expect(hidden).to_be_hidden()
    page.locator("details.dropdown > summary").click()
    expect(hidden).to_be_visible()


def test_solutions_stay_hidden_until_asked(open_page):
    page = open_page("01_bases/moyenne.html")
    answer = page.get_by_text("La moyenne vaut")
    expect(page.get_by_text("Calculez la moyenne de")).to_be_visible()  # the exercise is shown
    expect(answer).to_be_hidden()
    summary = page.locator("details.solution > summary").first
    expect(summary).to_contain_text("Solution de l")
    summary.click(position={"x": 4, "y": 8})  # the marker, not the link to the exercise
    expect(answer).to_be_visible()
    expect(page.get_by_text("return sum((v - m) ** 2")).to_be_hidden()  # the other solution stays folded


def test_a_reference_leads_to_its_figure_on_another_page(open_page):
    page = open_page("02_modeles/regression.html")
    page.get_by_role("link", name="Figure 1").first.click()
    expect(page).to_have_url(re.compile(r"01_bases/moyenne\.html#fig-nuage$"))
    expect(page.locator("#fig-nuage figcaption")).to_contain_text("Figure 1")
