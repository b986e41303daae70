"""The example course (this repository) in a real browser, as a learner gets it.

The site is built once for this file, then every test runs twice: opened from file:// (the site must
work straight from disk) and served by a local http.server on 127.0.0.1 (the site must work published).
Debian's Chromium (/usr/bin/chromium) is driven by Playwright; the launch settings are in screenshot.py.

Every page any test opens is watched (see `Watcher`): a request that leaves the site, a console error,
an uncaught exception or a broken local file fails that test, even if its own assertions passed.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from screenshot import CHROMIUM, launch  # tests/screenshot.py (pytest puts tests/ on sys.path)

from coursegen.build import BuildOptions, build

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]

# The pages of the example course these tests look at (site-relative).
HOME = "index.html"
MODULE = "module6/index.html"
LESSON = "module6/02_mecanismes_attention.html"
LESSON_PREV = "module6/01_introduction.html"
LESSON_NEXT = "module6/03_architecture_transformer.html"
NOTEBOOK = "module6/notebooks/02_attention_heatmap.html"

# Anything but these is the network: it is aborted (so nothing waits for it) and reported.
LOCAL_URL = re.compile(r"^(file://|http://127\.0\.0\.1(:\d+)?/)")

# Effective opacity (the element's times its ancestors'), size and visibility of an element.
SHOWN_JS = """el => {
  let opacity = 1;
  for (let e = el; e && e.nodeType === 1; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity);
  const box = el.getBoundingClientRect();
  return {opacity, width: box.width, height: box.height, visibility: getComputedStyle(el).visibility};
}"""


def source_front_matter(rel: str) -> dict:
    """Front matter of a source file of the example course, read independently of coursegen."""
    text = (REPO / rel).read_text(encoding="utf-8")
    _, head, _ = text.split("---\n", 2)
    return yaml.safe_load(head) or {}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The example course built with the built-in theme, from a copy (a build writes its cache into the course)."""
    course = tmp_path_factory.mktemp("browser") / "course"
    for folder in ("content", "notebooks"):
        shutil.copytree(REPO / folder, course / folder, ignore=shutil.ignore_patterns(".*"))
    shutil.copy2(REPO / "course.yml", course / "course.yml")
    out = course.parent / "site"
    result = build(course, out, BuildOptions())
    errors = result.diagnostics.errors
    assert not errors, "the example course does not build:\n" + "\n".join(d.format() for d in errors)
    assert (out / MODULE).is_file(), f"{MODULE} was not written"
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="module")
def server(site):
    """The built site served on 127.0.0.1, on a port the system picks, from a thread."""
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site))
    )
    thread = threading.Thread(target=httpd.serve_forever, name="site-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module", params=["file", "http"])
def base(request, site) -> str:
    """The site's root URL, ending with '/': file:// for the first run of each test, http:// for the second."""
    if request.param == "file":
        return site.as_uri() + "/"
    return request.getfixturevalue("server")


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


class Watcher:
    """Records what the pages of one test do that a learner offline would suffer from."""

    def __init__(self, base: str):
        self.base = base
        self.requests: list[str] = []
        self.foreign: list[str] = []  # left the machine, or the site's folder
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.broken: list[str] = []  # local files that failed to load
        self.visited: list[str] = []

    def watch(self, page: Page) -> Page:
        page.on("request", self._request)
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: uncaught {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        return page

    def _request(self, request) -> None:
        url = request.url
        self.requests.append(url)
        if not LOCAL_URL.match(url):
            self.foreign.append(f"network request: {url}")
        elif not url.startswith(self.base):
            self.foreign.append(f"request outside the site folder: {url}")

    def _console(self, page: Page, message) -> None:
        if message.type == "error":
            where = message.location
            self.console_errors.append(
                f"{page.url}: console error: {message.text} (at {where.get('url')}:{where.get('lineNumber')})"
            )

    def _failed(self, request) -> None:
        if LOCAL_URL.match(request.url):  # foreign requests are aborted on purpose, and reported as such
            self.broken.append(f"{request.url}: {request.failure}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.broken.append(f"{response.url}: HTTP {response.status}")

    def problems(self) -> list[str]:
        return self.foreign + self.page_errors + self.console_errors + self.broken


def new_page(browser: Browser, watcher: Watcher, **context_options) -> tuple:
    context = browser.new_context(**context_options)
    context.route(lambda url: not LOCAL_URL.match(url), lambda route: route.abort())
    return context, watcher.watch(context.new_page())


@pytest.fixture
def browse(browser, base):
    """`browse(**context_options)` gives a fresh watched page; the test fails if any watched page misbehaved."""
    watcher = Watcher(base)
    contexts = []

    def open_page(**context_options) -> Page:
        context, page = new_page(browser, watcher, **context_options)
        contexts.append(context)
        return page

    yield open_page
    for context in contexts:
        context.close()
    if watcher.problems():
        pytest.fail("the pages this test opened misbehaved:\n" + "\n".join(watcher.problems()), pytrace=False)


def goto(page: Page, url: str) -> Page:
    response = page.goto(url, wait_until="load")
    if url.startswith("http"):
        assert response is not None and response.status == 200, (
            f"{url}: HTTP {response.status if response else 'no response'}"
        )
    return page


def site_file(url: str, base: str, site: Path) -> Path:
    """The file of the built site a link points to; fails if the link leaves the site."""
    assert url.startswith(base), f"{url} points outside the site ({base})"
    rel = urllib.parse.unquote(urllib.parse.urlsplit(url[len(base) :]).path)
    return site / rel


def assert_links_to_page(url: str, base: str, site: Path, what: str) -> Path:
    target = site_file(url, base, site)
    assert target.suffix == ".html" and target.is_file(), (
        f"{what} points to {url}, which is not a page of the site"
    )
    return target


def assert_shown(locator: Locator, what: str) -> None:
    """Really seen by a reader once scrolled to: displayed, fully opaque, not empty. Waits out a fade-in."""
    locator.scroll_into_view_if_needed()
    expect(locator).to_be_visible()
    try:
        locator.page.wait_for_function(
            f"el => ({SHOWN_JS})(el).opacity === 1", arg=locator.element_handle(), timeout=5000
        )
    except PlaywrightTimeout:
        pass  # the assertion below says what is wrong
    state = locator.evaluate(SHOWN_JS)
    assert (
        state["opacity"] == 1
        and state["width"] > 0
        and state["height"] > 0
        and state["visibility"] == "visible"
    ), f"{what} is not shown: {state}"


def scroll_to_bottom(page: Page) -> None:
    # "instant": the theme asks for smooth scrolling, which would make each call wait about a second
    page.evaluate("window.scrollTo({top: document.documentElement.scrollHeight, behavior: 'instant'})")


def hrefs(locator: Locator) -> list[str]:
    """Absolute URLs of the links inside `locator`, as the browser resolves them."""
    return locator.locator("a[href]").evaluate_all("links => links.map(a => a.href)")


# --------------------------------------------------------------------------- the module page


def test_module_page_cards_timeline_and_stats(browse, base, site):
    page = goto(browse(), base + MODULE)
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert page.locator("h1").count() == 1, "a page has exactly one h1"

    cards = page.locator(".lesson-card")
    assert cards.count() == 4, "module 6 has four lessons, so four lesson cards"
    lesson_pages = []
    for i in range(cards.count()):
        card = cards.nth(i)
        assert_shown(card, f"lesson card {i + 1}")
        number = card.locator(".card-number")
        assert_shown(number, f"the number of card {i + 1}")
        assert re.sub(r"\D", "", number.inner_text()) == str(i + 1), (
            f"card {i + 1} shows number {number.inner_text()!r}"
        )
        title = card.locator(".card-title")
        assert_shown(title, f"the title of card {i + 1}")
        assert title.inner_text().strip()
        lessons = [
            url for url in hrefs(card) if "/notebooks/" not in url and "/tags.html#" not in url
        ]  # tag chips lead to tags.html
        assert lessons, f"card {i + 1} has no link to its lesson"
        lesson_pages.append(assert_links_to_page(lessons[0], base, site, f"card {i + 1}"))
    assert len(set(lesson_pages)) == 4, f"the cards link four different lessons: {lesson_pages}"
    first_lesson = page.locator("a[rel~='next']").first.evaluate("a => a.href")
    assert site_file(first_lesson, base, site) == lesson_pages[0], (
        "cards follow course order: card 1 is the page after the module page"
    )

    timeline = page.locator(".timeline-item")
    assert timeline.count() >= 5
    for i in range(timeline.count()):
        assert_shown(timeline.nth(i), f"timeline entry {i + 1}")

    stats = page.locator(".stat")
    assert stats.count() >= 1
    for i in range(stats.count()):
        assert_shown(stats.nth(i), f"key figure {i + 1}")


def test_lesson_cards_link_their_notebooks(browse, base, site):
    """A card whose lesson declares `notebook:` links that notebook's page (the others need not)."""
    page = goto(browse(), base + MODULE)
    cards = page.locator(".lesson-card")
    for i in range(cards.count()):
        card = cards.nth(i)
        lesson = next(url for url in hrefs(card) if "/notebooks/" not in url and "/tags.html#" not in url)
        source = "content/" + site_file(lesson, base, site).relative_to(site).with_suffix(".md").as_posix()
        declared = source_front_matter(source).get("notebook")
        notebooks = [url for url in hrefs(card) if "/notebooks/" in url and url.endswith(".html")]
        if declared:
            assert notebooks, f"card {i + 1} ({source}) declares notebook {declared} but does not link it"
            target = assert_links_to_page(notebooks[0], base, site, f"the notebook link of card {i + 1}")
            assert target.stem == Path(declared).stem, (
                f"card {i + 1} links {target.name}, its lesson declares {declared}"
            )


def test_every_lesson_card_links_a_notebook(browse, base, site):
    page = goto(browse(), base + MODULE)
    cards = page.locator(".lesson-card")
    for i in range(cards.count()):
        notebooks = [url for url in hrefs(cards.nth(i)) if "/notebooks/" in url and url.endswith(".html")]
        assert notebooks, f"card {i + 1} has no link to a notebook page"
        assert_links_to_page(notebooks[0], base, site, f"the notebook link of card {i + 1}")


# --------------------------------------------------------------------------- a lesson page


def test_lesson_page_breadcrumbs_toc_and_pager(browse, base, site):
    page = goto(browse(), base + LESSON)
    crumbs = hrefs(page.locator(".breadcrumbs"))
    assert crumbs == [base + HOME, base + MODULE], f"breadcrumbs: home, then the module; got {crumbs}"
    expect(page.locator(".breadcrumbs")).to_be_visible()

    assert page.locator("h1").count() == 1
    title = source_front_matter("content/" + LESSON.replace(".html", ".md"))["title"]
    expect(page.locator("h1")).to_contain_text(title)

    toc = page.locator(".toc a[href^='#']")
    assert toc.count() >= 2, "the lesson has several ## headings, so a table of contents"
    expect(toc.first).to_be_visible()
    missing = toc.evaluate_all(
        "links => links.map(a => a.getAttribute('href')).filter(h => !document.getElementById(decodeURIComponent(h.slice(1))))"
    )
    assert not missing, f"table-of-contents links to ids that do not exist: {missing}"

    prev, next_ = page.locator("a[rel~='prev']"), page.locator("a[rel~='next']")
    assert prev.count() == 1 and next_.count() == 1, "one previous and one next link"
    assert prev.evaluate("a => a.href") == base + LESSON_PREV
    assert next_.evaluate("a => a.href") == base + LESSON_NEXT
    for url in (base + LESSON_PREV, base + LESSON_NEXT):
        assert_links_to_page(url, base, site, "the pager")

    next_.click()
    page.wait_for_url(base + LESSON_NEXT)
    next_title = source_front_matter("content/" + LESSON_NEXT.replace(".html", ".md"))["title"]
    expect(page.locator("h1")).to_contain_text(next_title)
    page.locator("a[rel~='prev']").click()
    page.wait_for_url(base + LESSON)


# --------------------------------------------------------------------------- a notebook page


def test_notebook_page_cells_outputs_figures_and_download(browse, base, site):
    page = goto(browse(), base + NOTEBOOK)
    assert page.locator("h1").count() == 1

    code = page.locator(".jp-CodeCell")
    assert code.count() >= 1, "the notebook has code cells"
    assert_shown(code.first.locator("pre").first, "the first code cell")
    assert code.first.locator("pre").first.inner_text().strip()
    outputs = page.locator(".jp-OutputArea-output")
    assert outputs.count() >= 1, "the notebook is shipped executed: its outputs are shown"
    assert_shown(outputs.first, "the first output")

    images = page.locator("main img")
    assert images.count() >= 1, "the heatmap notebook has figures"
    for i in range(images.count()):
        image = images.nth(i)
        assert (image.get_attribute("alt") or "").strip(), f"figure {i + 1} has no alt text"
        assert_shown(image, f"figure {i + 1}")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), f"figure {i + 1} did not load"

    download = page.locator("a[href$='.ipynb'][download]")
    assert download.count() >= 1, "a download link to the .ipynb"
    url = download.first.evaluate("a => a.href")
    assert url == base + NOTEBOOK.replace(".html", ".ipynb")
    target = site_file(url, base, site)
    assert target.is_file(), f"the download link points to {url}, which does not exist"
    if url.startswith("http"):
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=10) as response:
            notebook = json.loads(response.read())
    else:
        notebook = json.loads(target.read_text(encoding="utf-8"))
    assert notebook.get("cells"), "the downloaded file is a notebook"


# --------------------------------------------------------------------------- the whole site, offline


@pytest.fixture(scope="module")
def crawl(browser, base, site) -> Watcher:
    """Every page of the site opened once, scrolled to the bottom and its first card hovered."""
    watcher = Watcher(base)
    context, page = new_page(browser, watcher)
    for rel in sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html")):
        watcher.visited.append(rel)
        goto(page, base + rel)
        scroll_to_bottom(page)
        if page.locator(".card").count():
            page.locator(".card").first.hover()
        page.wait_for_timeout(150)
    context.close()
    return watcher


def test_no_request_leaves_the_site(crawl, base):
    assert {HOME, MODULE, LESSON, NOTEBOOK} <= set(crawl.visited), f"the crawl missed pages: {crawl.visited}"
    assert len(crawl.requests) > len(crawl.visited), "requests were recorded (pages and their assets)"
    assert not crawl.foreign, (
        "every request must stay in the site (file:// or http://127.0.0.1):\n" + "\n".join(crawl.foreign)
    )
    assert not crawl.broken, "local files failed to load:\n" + "\n".join(crawl.broken)


def test_no_console_errors(crawl):
    errors = crawl.page_errors + crawl.console_errors
    assert not errors, "\n".join(errors)


# --------------------------------------------------------------------------- motion, JavaScript, phones

LIST_ANIMATIONS_JS = """() => document.getAnimations().map(a => {
  const target = a.effect && a.effect.target;
  const name = a.animationName || a.transitionProperty || 'script animation';
  return name + ' on ' + (target ? target.tagName.toLowerCase() + '.' + target.className : '?');
})"""


def scroll_and_hover(page: Page) -> None:
    scroll_to_bottom(page)
    page.wait_for_timeout(300)
    page.locator(".lesson-card").last.hover()
    page.wait_for_timeout(300)


def test_reduced_motion_means_nothing_moves(browse, base):
    page = goto(browse(reduced_motion="reduce"), base + MODULE)
    scroll_and_hover(page)
    animations = page.evaluate(LIST_ANIMATIONS_JS)
    assert animations == [], f"with prefers-reduced-motion: reduce, nothing may animate: {animations}"
    opacities = page.locator(".card").evaluate_all("cards => cards.map(c => getComputedStyle(c).opacity)")
    assert opacities and all(o == "1" for o in opacities), (
        f"every card is shown at once: opacities {opacities}"
    )


def test_motion_without_the_preference(browse, base):
    """Control for the test above: the same steps do animate when the reader did not ask for less motion."""
    page = goto(browse(reduced_motion="no-preference"), base + MODULE)
    scroll_and_hover(page)
    assert page.evaluate("document.getAnimations().length") > 0, (
        "nothing animates even without reduced motion: the test above proves nothing"
    )


def test_without_javascript_everything_is_shown(browse, base):
    page = goto(browse(java_script_enabled=False), base + MODULE)
    assert not page.evaluate("document.documentElement.classList.contains('js')"), (
        "the theme's script did not run"
    )
    for selector, what in (
        (".lesson-card", "lesson card"),
        (".stat", "key figure"),
        (".timeline-item", "timeline entry"),
    ):
        items = page.locator(selector)
        assert items.count() >= 1, f"no {what} on the module page"
        for i in range(items.count()):
            assert_shown(items.nth(i), f"{what} {i + 1} without JavaScript")


# Outermost elements that stick out of the viewport without a scrolling box around them.
OVERFLOWING_JS = r"""() => {
  const clipped = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) if (getComputedStyle(a).overflowX !== 'visible') return true; return false; };
  const sticksOut = e => e.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(e);
  const name = e => e.tagName.toLowerCase() + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : '');
  return [...document.querySelectorAll('body *')]
    .filter(e => sticksOut(e) && !(e.parentElement && sticksOut(e.parentElement)))
    .slice(0, 6)
    .map(e => `${name(e.parentElement)} > ${name(e)} (right edge at ${Math.round(e.getBoundingClientRect().right)} px): "${e.textContent.trim().slice(0, 40)}"`);
}"""

PHONE_PAGES = [
    pytest.param(HOME, id="home"),
    pytest.param(MODULE, id="module"),
    pytest.param(LESSON, id="lesson"),
    pytest.param(NOTEBOOK, id="notebook"),
]


@pytest.mark.parametrize("rel", PHONE_PAGES)
def test_phone_has_no_horizontal_scroll(browse, base, rel):
    page = goto(browse(viewport={"width": 390, "height": 844}), base + rel)
    scroll_to_bottom(page)
    size = page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert size["inner"] == 390
    assert size["scroll"] <= size["inner"], (
        f"{rel} on a 390 px wide phone scrolls sideways ({size['scroll']} px wide); sticking out: {page.evaluate(OVERFLOWING_JS)}"
    )
