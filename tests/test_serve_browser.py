"""`coursegen serve` in a real browser: live reload, scroll kept, error overlay, recovery, restarts.

Debian's Chromium (/usr/bin/chromium), headless, driven by Playwright. The preview server runs in
this process on an ephemeral port over a small course in tmp_path; the test edits the course's files
and waits (Playwright's auto-waiting, generous timeouts) for the page to change by itself.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from conftest import write_tree
from playwright.sync_api import Page, expect, sync_playwright

from coursegen.serve import PreviewServer

pytestmark = pytest.mark.browser

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
WAIT_MS = 20_000  # a rebuild plus a reload, on a loaded machine

FILLER = "\n\n".join(
    f"Paragraph {i}: " + "words that make the lesson long enough to scroll. " * 8 for i in range(60)
)


def lesson(text: str, front: str = "title: Live lesson") -> str:
    return f"---\n{front}\n---\n{text}\n\n{FILLER}\n"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason + " — CI must not skip the browser tests")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def course(tmp_path) -> Path:
    return write_tree(
        tmp_path / "course",
        {
            "course.yml": "title: Browser serve course\n",
            "content/index.md": "# Home\n\nWelcome.\n",
            "content/A/index.md": "---\ntitle: Module A\n---\nModule.\n",
            "content/A/lesson.md": lesson("Original text of the lesson."),
        },
    )


@pytest.fixture
def servers(course):
    started: list[PreviewServer] = []

    def start(port: int = 0) -> PreviewServer:
        server = PreviewServer(course, "127.0.0.1", port, verbosity=0)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
        assert not server.site_dir.exists()
        assert not [t.name for t in threading.enumerate() if server.instance in t.name]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    page.uncaught = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.uncaught.append(str(error)))  # type: ignore[attr-defined]
    yield page
    context.close()


def scroll_to(page: Page, y: int) -> None:
    page.evaluate(f"window.scrollTo(0, {y})")
    page.wait_for_function(f"Math.abs(window.scrollY - {y}) < 2", timeout=WAIT_MS)


def test_edit_reloads_keeps_scroll_shows_and_clears_errors(servers, course, page):
    server = servers()
    source = course / "content/A/lesson.md"
    page.goto(server.url + "A/lesson.html")
    expect(page.get_by_text("Original text of the lesson.")).to_be_visible()
    scroll_to(page, 900)

    # an edit shows up without a manual reload, at the same scroll position
    source.write_text(lesson("Edited text of the lesson."), encoding="utf-8")
    expect(page.get_by_text("Edited text of the lesson.")).to_be_attached(timeout=WAIT_MS)
    page.wait_for_function("Math.abs(window.scrollY - 900) < 2", timeout=WAIT_MS)

    # invalid YAML: the overlay lists the error (escaped, with its position) over the last good page
    source.write_text(lesson("Broken text.", front="title: [unclosed"), encoding="utf-8")
    overlay = page.locator("#coursegen-build-errors")
    expect(overlay).to_be_visible(timeout=WAIT_MS)
    expect(overlay).to_contain_text("content/A/lesson.md:2:")
    expect(overlay).to_contain_text("error")
    expect(overlay).to_contain_text("1 page shows its last good version: content/A/lesson.md")
    expect(page.get_by_text("Edited text of the lesson.")).to_be_attached()  # not an error page
    expect(page.locator(".callout-error")).to_have_count(0)
    box = overlay.bounding_box()
    assert box is not None and box["y"] <= 1, "a fixed box at the top of the window"

    # fixed: the overlay goes away and the content comes back, without a restart
    source.write_text(lesson("Fixed text of the lesson."), encoding="utf-8")
    expect(page.get_by_text("Fixed text of the lesson.")).to_be_attached(timeout=WAIT_MS)
    expect(page.locator("#coursegen-build-errors")).to_have_count(0, timeout=WAIT_MS)
    assert page.uncaught == [], page.uncaught  # type: ignore[attr-defined]


def test_page_without_event_source_does_not_throw(servers, page):
    server = servers()
    page.add_init_script("delete window.EventSource; window.EventSource = undefined;")
    page.goto(server.url + "A/lesson.html")
    expect(page.get_by_text("Original text of the lesson.")).to_be_visible()
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.EventSource") == "undefined"
    assert page.uncaught == [], page.uncaught  # type: ignore[attr-defined]


def test_reconnects_after_the_server_restarts(servers, course, page):
    first = servers()
    page.goto(first.url + "A/lesson.html")
    expect(page.get_by_text("Original text of the lesson.")).to_be_visible()
    port = first.port
    first.stop()
    (course / "content/A/lesson.md").write_text(lesson("Text after the restart."), encoding="utf-8")
    servers(port)  # a new server on the same port: the page reconnects and reloads by itself
    expect(page.get_by_text("Text after the restart.")).to_be_attached(timeout=WAIT_MS)
    assert page.uncaught == [], page.uncaught  # type: ignore[attr-defined]
