"""The preview is private (issue #20 item 4), in headless Chromium: a page served by ANOTHER origin
(a second local http.server) loads the preview's search index with `<script src>` and fetches a
lesson, and reads none of the course's text; the preview's own pages still can."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from conftest import write_tree
from test_serve_browser import WAIT_MS, browser  # noqa: F401 - the module's Chromium fixture

from coursegen.serve import PreviewServer

pytestmark = pytest.mark.browser

SECRET = "Texte du cours que seul l'auteur lit."

ATTACKER_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Another site</title></head><body>
<script>window.loaded = "pending";</script>
<script src="{preview}/search/index.js" onload="window.loaded = 'yes'" onerror="window.loaded = 'no'"></script>
<script>
window.stolen = JSON.stringify([window.coursegenSearchIndex, window.coursegenSearchPacked]) || "";
window.fetched = fetch("{preview}/A/lesson.html").then(r => r.text(), e => "refused: " + e.name);
window.opaque = fetch("{preview}/A/lesson.html", {{mode: "no-cors"}}).then(r => r.type, e => "refused");
</script></body></html>
"""


@pytest.fixture
def preview(tmp_path):
    course = write_tree(
        tmp_path / "course",
        {
            "course.yml": "title: Cours privé\n",
            "content/index.md": "# Accueil\n\nBienvenue.\n",
            "content/A/index.md": "---\ntitle: Module A\n---\nModule.\n",
            "content/A/lesson.md": f"---\ntitle: Leçon\n---\n{SECRET}\n",
        },
    )
    server = PreviewServer(course, "127.0.0.1", 0, verbosity=0).start()
    yield server
    server.stop()


@pytest.fixture
def other_origin(tmp_path):
    """A second web server on another port: the other site an author may have open in a tab."""
    folder = tmp_path / "other"
    folder.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's signature
        pass


@pytest.mark.parametrize("attacker_host", ["localhost", "127.0.0.1"])  # cross-site, same-site
def test_another_origin_cannot_read_the_preview(browser, preview, other_origin, attacker_host):  # noqa: F811
    folder, port = other_origin
    (folder / "attack.html").write_text(ATTACKER_PAGE.format(preview=preview.url.rstrip("/")), "utf-8")
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"http://{attacker_host}:{port}/attack.html")
        page.wait_for_function("window.loaded !== 'pending'", timeout=WAIT_MS)
        assert page.evaluate("window.loaded") == "no"
        assert SECRET not in page.evaluate("window.stolen")
        assert page.evaluate("window.fetched") == "refused: TypeError"
        assert page.evaluate("window.opaque") in ("opaque", "refused")  # never readable
        # the preview's own page reads the same files: the test could see a leak
        page.goto(preview.url + "A/index.html")
        own = page.evaluate("fetch('/search/index.js').then(r => r.text())")
        assert SECRET in own
        assert SECRET in page.evaluate("fetch('/A/lesson.html').then(r => r.text())")
    finally:
        context.close()
