"""Formulas in a real browser (Debian's Chromium, driven by Playwright), opened from file://: the
math font is loaded from the site itself, delimiters stretch, aligned rows are rows, equation
links lead to their equation, and no request leaves the machine."""

from __future__ import annotations

import re

import pytest
from conftest import formatted, run_build
from playwright.sync_api import sync_playwright
from screenshot import CHROMIUM, launch  # tests/screenshot.py

pytestmark = pytest.mark.browser

LESSON = r"""---
title: Régression linéaire
---

Soit la matrice $A = \begin{pmatrix} a_{11} & a_{12} \\ a_{21} & a_{22} \end{pmatrix}$ et la perte :

$$
\begin{aligned}
\mathcal{L}(\mathbf{w}) &= \frac{1}{n} \lVert \mathbf{y} - X\mathbf{w} \rVert^2 \\
&= \frac{1}{n} \sum_{i=1}^{n} \left( y_i - \mathbf{w}^\top \mathbf{x}_i \right)^2
\end{aligned}
\label{eq:perte}
$$

$$
\operatorname{ReLU}(x) = \begin{cases} x & \text{si } x > 0, \\ 0 & \text{sinon.} \end{cases}
$$

On minimise \eqref{eq:perte}.
"""


@pytest.fixture(scope="module")
def lesson_url(tmp_path_factory) -> str:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    root = tmp_path_factory.mktemp("math-browser") / "course"
    root.mkdir()
    (root / "content").mkdir()
    (root / "content/index.md").write_text("# Cours\n", encoding="utf-8")
    (root / "content/regression.md").write_text(LESSON, encoding="utf-8")
    result = run_build(root)
    assert formatted(result) == []
    return (root / "site/regression.html").as_uri()


def test_formulas_render_with_the_math_font_from_the_site_and_no_network(lesson_url):
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.route(re.compile(r"^(?!file://).*"), lambda route: route.abort())
            page.goto(lesson_url, wait_until="load")
            page.evaluate("document.fonts.ready")
            fonts = page.evaluate("[...document.fonts].map(f => [f.family.replace(/\"/g, ''), f.status])")
            assert ["Noto Sans Math", "loaded"] in fonts
            assert page.evaluate(
                """() => getComputedStyle(document.querySelector('math')).fontFamily"""
            ).startswith('"Noto Sans Math"')

            # pmatrix: its parentheses are drawn as tall as the two rows they enclose
            heights = page.evaluate("""() => {
              const math = document.querySelector('p math');
              const paren = [...math.querySelectorAll('mo')].find(mo => mo.textContent === '(');
              const cell = math.querySelector('mtd mi');
              return [paren.getBoundingClientRect().height, cell.getBoundingClientRect().height];
            }""")
            assert heights[0] > 1.8 * heights[1]

            # aligned: two rows, one under the other, their '=' signs in one column
            rows = page.evaluate("""() => [...document.querySelectorAll('.math-display mtable mtable > mtr, .math-display mtable[class~="tml-jot"] > mtr')]
              .map(row => { const eq = [...row.querySelectorAll('mo')].find(mo => mo.textContent === '='); const box = eq.getBoundingClientRect(); return [box.left, box.top]; })""")
            assert len(rows) == 2
            assert abs(rows[0][0] - rows[1][0]) < 1 and rows[1][1] > rows[0][1]

            # the reference is a link to the numbered equation
            link = page.locator("a.eqref")
            assert link.inner_text() == "(1)"
            link.click()
            assert page.evaluate("location.hash") == "#eq-perte"
            assert page.evaluate("document.getElementById('eq-perte').getBoundingClientRect().height") > 0
        finally:
            browser.close()
    assert requests and all(url.startswith("file://") for url in requests), [
        url for url in requests if not url.startswith("file://")
    ]
    assert any(
        url.endswith("/static/vendor/noto-sans-math/noto-sans-math-latin-400-normal.woff2")
        for url in requests
    )
