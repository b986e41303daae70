"""The learner-facing features of the built-in theme, in a real browser: search, quizzes, progress,
copy buttons, line numbers and file names, interface strings, sharing tags, page weight.

The example course (this repository) is built once for the file, from a copy (a build writes its cache
into the course); a tiny English course with a base_url, and a second one with every option off, cover
what the example does not use. Pages are opened from file:// and, where it matters, from a local
http.server on 127.0.0.1. Debian's Chromium (/usr/bin/chromium) is driven by Playwright.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import shutil
import threading
import urllib.parse
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

HOME = "index.html"
MODULE = "module6/index.html"
LESSON = "module6/02_mecanismes_attention.html"
NOTEBOOK = "module6/notebooks/02_attention_heatmap.html"

TINY_LESSON = "bases/été.html"
CODE_LESSON = '''---
title: Été des attentions
---

Une leçon sur les blocs de code, et un piège : `<img src=x onerror=alert(1)>` en toutes lettres.

```python {.no-copy}
secret = "pas de bouton ici"
```

```python title="attention.py"
def attention(q, k, v):
    return q @ k.T @ v
```

```python linenums="1"
a = 1
b = 2
```

```python
print("copie-moi")
```
'''


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def hidden_cells_notebook() -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata.update({"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    shown = nbformat.v4.new_code_cell(
        "x = 21 * 2\nprint(x)",
        execution_count=1,
        outputs=[nbformat.v4.new_output("stream", name="stdout", text="42\n")],
    )
    hidden = nbformat.v4.new_code_cell(
        "SECRET_SOURCE = 1",
        execution_count=2,
        metadata={"tags": ["hide-input"]},
        outputs=[nbformat.v4.new_output("stream", name="stdout", text="visible output\n")],
    )
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Cellules cachées\n\nUn notebook avec une cellule repliée."),
        shown,
        hidden,
    ]
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"
    return nbformat.writes(nb) + "\n"


def build_site(root: Path) -> Path:
    out = root.parent / (root.name + "-site")
    result = build(root, out, BuildOptions(jobs=1))
    errors = result.diagnostics.errors
    assert not errors, "the course does not build:\n" + "\n".join(d.format() for d in errors)
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("learner") / "course"
    for folder in ("content", "notebooks"):
        shutil.copytree(REPO / folder, course / folder, ignore=shutil.ignore_patterns(".*"))
    shutil.copy2(REPO / "course.yml", course / "course.yml")
    return build_site(course)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """English, with a base_url, a string override, the code-block features and a hidden notebook cell."""
    root = tmp_path_factory.mktemp("tiny") / "course"
    write(
        root,
        {
            "course.yml": "title: Tiny course\nlanguage: en\nicon: 🧪\nbase_url: https://example.org/cours/\n"
            "strings:\n  mark_done: I am done with it\n",
            "content/index.md": "---\ntitle: Tiny course\n---\nWelcome.\n",
            "content/bases/index.md": "---\ntitle: Les bases\n---\nLe module.\n",
            "content/bases/été.md": CODE_LESSON,
            "content/bases/second.md": "---\ntitle: Second lesson\n---\nSecond.\n",
            "content/bases/third.md": "---\ntitle: Third lesson\n---\nThird.\n",
            "notebooks/bases/cells.ipynb": hidden_cells_notebook(),
        },
    )
    return build_site(root)


@pytest.fixture(scope="module")
def bare(tmp_path_factory) -> Path:
    """Every learner option off, line numbers on for every block."""
    root = tmp_path_factory.mktemp("bare") / "course"
    write(
        root,
        {
            "course.yml": "title: Bare course\nlanguage: fr\ntheme:\n  copy_button: false\n  search: false\n  progress: false\n"
            "  line_numbers: true\n",
            "content/index.md": "---\ntitle: Bare course\n---\nBienvenue.\n",
            "content/bases/index.md": "---\ntitle: Les bases\n---\nLe module.\n",
            "content/bases/été.md": CODE_LESSON,
        },
    )
    return build_site(root)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def send_error(self, code, message=None, explain=None):
        """Like a static host: a missing page gets the site's 404.html."""
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server(site):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module", params=["file", "http"])
def base(request, site) -> str:
    return site.as_uri() + "/" if request.param == "file" else request.getfixturevalue("server")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser):
    """`open_page(url, **context_options)`: a page in a fresh context; fails the test on a JS error."""
    contexts, errors = [], []

    def make(url: str, missing: bool = False, **options):
        """`missing`: the URL is expected to be a 404 (its own console error is not a failure)."""
        context = browser.new_context(reduced_motion="reduce", **options)
        context.route(re.compile(r"^(?!file://|http://127\.0\.0\.1)"), lambda route: route.abort())
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda message: (
                errors.append(f"{page.url}: {message.text}")
                if message.type == "error"
                and not (missing and "status of 404" in message.text and message.location.get("url") == url)
                else None
            ),
        )
        page.goto(url)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, "\n".join(errors)


def fold(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def read(site: Path, url: str) -> str:
    return (site / url).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- search


def open_search(page, query: str):
    page.keyboard.press("/")  # the focus is on the page, not in a field
    dialog = page.locator("dialog#search")
    expect(dialog).to_be_visible()
    field = dialog.locator("input[type=search]")
    expect(field).to_be_focused()
    field.fill(query)
    return dialog


def test_search_folds_accents_highlights_and_opens_with_the_keyboard(open_page, base):
    page = open_page(base + MODULE)
    dialog = open_search(page, "mecanisme")
    status = dialog.locator("[role=status]")
    expect(status).to_have_text(re.compile(r"^\d+ résultats?$"))
    count = status.inner_text()
    first = dialog.locator(".search-hit").first
    expect(first.locator(".search-hit-title")).to_have_text("Les mécanismes d'attention")
    assert "Leçon" in first.locator(".search-hit-meta").inner_text()
    assert "Module 6" in first.locator(".search-hit-meta").inner_text()
    marks = dialog.locator(".search-hit mark")
    assert marks.count() >= 2
    # only the query is marked, with the other words of its Snowball stem (mécan-: mécanisme, mécanique)
    assert "mecanisme" in {fold(text) for text in marks.all_inner_texts()}
    assert all(fold(text).startswith("mecan") for text in marks.all_inner_texts())
    assert dialog.locator(".search-hit-excerpt mark").count() >= 1, "excerpts show the match, highlighted"

    for query in ("mécanisme", "MÉCANISMES", "Mécanismes"):  # accented, upper case: the same pages
        dialog.locator("input").fill(query)
        expect(status).to_have_text(count)

    dialog.locator("input").fill("dictionnaire flou")  # every word must be on the page, in any order
    expect(first.locator(".search-hit-title")).to_have_text("Les mécanismes d'attention")
    assert {fold(t) for t in dialog.locator(".search-hit").first.locator("mark").all_inner_texts()} >= {
        "dictionnaire",
        "flou",
    }

    dialog.locator("input").fill("chaleur")  # notebooks are searched too
    expect(dialog.locator(".search-hit-meta").first).to_contain_text("Notebook")

    dialog.locator("input").fill("mecanisme")
    page.keyboard.press("ArrowDown")
    expect(dialog.locator(".search-hit").first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(dialog.locator(".search-hit").nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(dialog.locator("input")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(urllib.parse.quote(LESSON)) + "$"))
    expect(page.locator("h1")).to_contain_text("Les mécanismes d'attention")
    scripts = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert not any("search/index.js" in name for name in scripts), (
        "the index is loaded only when search opens"
    )


def test_search_loads_its_index_as_a_script_and_escape_closes(open_page, base):
    page = open_page(base + LESSON)
    page.evaluate("""() => {  // a fetch() or an XMLHttpRequest would fail from file://: the search must use neither
      window.networkCalls = [];
      const fetch = window.fetch, open = XMLHttpRequest.prototype.open;
      window.fetch = (...args) => { window.networkCalls.push(String(args[0])); return fetch(...args); };
      XMLHttpRequest.prototype.open = function (...args) { window.networkCalls.push(String(args[1])); return open.apply(this, args); };
    }""")
    button = page.locator(".search-button")
    expect(button).to_be_visible()
    button.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("dialog#search")
    expect(dialog).to_be_visible()
    assert (
        dialog.get_attribute("aria-labelledby")
        and page.locator("#" + dialog.get_attribute("aria-labelledby")).inner_text()
    )
    dialog.locator("input").fill("softmax")
    expect(dialog.locator(".search-hit").first).to_be_visible()
    assert page.evaluate("window.networkCalls") == []
    assert page.locator("script[src$='search/index.js']").count() == 1, (
        "the index is loaded once, by a <script>"
    )
    assert (
        page.evaluate("Array.isArray(window.coursegenSearchIndex) && window.coursegenSearchIndex.length")
        == 11
    )
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()
    page.keyboard.press("/")
    expect(dialog).to_be_visible()
    expect(dialog.locator("input")).to_have_value("softmax")
    dialog.locator(".search-close").click()
    expect(dialog).to_be_hidden()


def test_search_shows_index_text_as_text(open_page, tiny):
    page = open_page(tiny.as_uri() + "/index.html")
    dialog = open_search(page, "onerror")
    hit = dialog.locator(".search-hit").first
    expect(hit).to_contain_text("<img src=x onerror=alert(1)>")
    assert hit.locator("img").count() == 0
    expect(dialog.locator("[role=status]")).to_have_text("1 result")  # English course, English strings


def test_slash_types_in_fields_and_the_404_page_searches(open_page, server):
    page = open_page(server + "mecanismes-attention.html", missing=True)  # the server sends 404.html
    form = page.locator("form[data-search-form]")
    expect(form).to_be_visible()
    field = form.locator("input")
    expect(field).to_have_value("mecanismes attention")
    expect(page.locator(".link-list a")).to_have_count(2)  # the module list
    field.fill("")
    field.type("a/b")
    expect(field).to_have_value("a/b")
    expect(page.locator("dialog#search")).to_be_hidden()
    field.fill("transformer")
    page.keyboard.press("Enter")
    dialog = page.locator("dialog#search")
    expect(dialog).to_be_visible()
    expect(dialog.locator("input")).to_have_value("transformer")
    expect(dialog.locator(".search-hit").first).to_be_visible()


def test_without_javascript_nothing_interactive_shows(open_page, site):
    page = open_page(site.as_uri() + "/" + LESSON, java_script_enabled=False)
    assert page.locator(".search-button").count() == 1
    expect(page.locator(".search-button")).to_be_hidden()
    expect(page.locator(".lesson-done")).to_be_hidden()
    assert page.locator(".copy-button").count() == 0
    expect(page.locator("article.prose")).to_be_visible()
    home = open_page(site.as_uri() + "/" + HOME, java_script_enabled=False)
    expect(home.locator(".progress-panel")).to_be_hidden()
    for i in range(home.locator(".progress").count()):
        expect(home.locator(".progress").nth(i)).to_be_hidden()


def test_options_off_remove_search_progress_and_copy(open_page, bare):
    page = open_page(bare.as_uri() + "/" + urllib.parse.quote(TINY_LESSON))
    assert page.locator(".search-button, dialog#search, [data-done], .progress").count() == 0
    expect(page.locator("body")).to_have_attribute("data-copy", "off")
    assert page.locator("div.highlight").count() == 4
    assert page.locator(".copy-button").count() == 0
    assert page.locator(".highlighttable").count() == 4, "theme.line_numbers numbers every block"
    page.keyboard.press("/")
    assert page.locator("dialog[open]").count() == 0
    home = read(bare, HOME)
    assert not re.search(r'class="progress|data-progress|data-course', home)


# --------------------------------------------------------------------------- quizzes


def test_quiz_single_answer(open_page, site):
    page = open_page(site.as_uri() + "/" + LESSON)
    quiz = page.locator("form.quiz[data-quiz=single]")
    result = quiz.locator(".quiz-result")
    quiz.get_by_label("Le score le plus élevé de la ligne").check()
    quiz.locator(".quiz-check").click()
    expect(result).to_have_text(re.compile("Pas tout à fait"))
    wrong = quiz.locator(".quiz-option").nth(1)
    expect(wrong).to_have_class(re.compile("is-wrong"))
    expect(wrong.locator(".quiz-feedback")).to_be_visible()
    expect(wrong.locator(".quiz-feedback")).to_contain_text("max")
    expect(quiz.locator(".quiz-option").nth(0).locator(".quiz-feedback")).to_be_hidden()
    quiz.get_by_label("Des poids positifs dont la somme vaut 1").check()
    expect(result).to_have_text("")  # changing the answer clears the verdict
    quiz.locator(".quiz-check").click()
    expect(result).to_have_text("Bravo, c'est juste !")
    expect(quiz.locator(".quiz-option").nth(0)).to_have_class(re.compile("is-right"))
    expect(quiz.locator(".quiz-option").nth(0).locator(".quiz-feedback")).to_contain_text("Exact")


def test_quiz_several_answers(open_page, site):
    page = open_page(site.as_uri() + "/" + LESSON)
    quiz = page.locator("form.quiz[data-quiz=multiple]")
    boxes, result = quiz.locator("input[type=checkbox]"), quiz.locator(".quiz-result")
    assert boxes.count() == 3
    boxes.nth(0).check()
    quiz.locator(".quiz-check").click()
    expect(result).to_have_text(re.compile("Pas tout à fait"))  # one right answer is missing
    boxes.nth(1).check()
    quiz.locator(".quiz-check").click()
    expect(result).to_have_text("Bravo, c'est juste !")
    boxes.nth(2).check()
    quiz.locator(".quiz-check").click()
    expect(result).to_have_text(re.compile("Pas tout à fait"))
    expect(quiz.locator(".quiz-option").nth(2)).to_have_class(re.compile("is-wrong"))
    expect(quiz.locator(".quiz-option").nth(2).locator(".quiz-feedback")).to_contain_text("sous-espace")


# --------------------------------------------------------------------------- progress


def test_progress_is_kept_shown_on_cards_and_reset(open_page, site):
    page = open_page(site.as_uri() + "/" + LESSON)
    button = page.locator("button[data-done]")
    expect(button).to_be_visible()
    expect(button).to_have_accessible_name("Marquer comme terminée")
    button.click()
    expect(button).to_have_accessible_name(
        "Terminée ✓ (annuler)"
    )  # the label says the state, and how to undo it
    key = page.locator("body").get_attribute("data-course")
    assert key and "module6/02_mecanismes_attention.html" in page.evaluate(
        "k => localStorage.getItem(k)", key
    )
    page.reload()
    expect(page.locator("button[data-done]")).to_have_accessible_name("Terminée ✓ (annuler)")
    # the module's list beside the lesson ticks it too
    expect(page.locator(f'.module-lessons [data-lesson="{LESSON}"] .module-lesson-done')).to_be_attached()
    expect(page.locator(".module-lessons .module-lesson-done:not([hidden])")).to_have_count(1)

    page.goto(site.as_uri() + "/" + MODULE)
    # Chromium hands localStorage writes to its browser process asynchronously: a page opened at once
    # in another renderer can read the store before the lesson's write lands (CI, once, under load:
    # every card unticked). A learner's next page view has it, as a reload does here.
    if not page.evaluate("k => localStorage.getItem(k)", key):
        page.wait_for_timeout(500)
        page.reload()
    card = page.locator(f'.lesson-card[data-lesson="{LESSON}"]')
    expect(card.locator(".badge-done")).to_be_visible()
    expect(page.locator(".lesson-card .badge-done:visible")).to_have_count(1)
    expect(page.locator(".progress-module p")).to_have_text("1 leçon terminée sur 4")
    expect(page.locator(".progress-module [role=progressbar]")).to_have_attribute("aria-valuenow", "1")

    page.goto(site.as_uri() + "/" + HOME)
    module6 = page.locator(".section-card", has_text="Module 6")
    expect(module6.locator(".progress p")).to_have_text("1 leçon terminée sur 4")
    expect(page.locator(".section-card", has_text="Module 5").locator(".progress p")).to_have_text(
        "0 leçon terminée sur 2"
    )
    overall = page.locator(".progress-panel")
    expect(overall.locator(".progress p")).to_have_text("1 leçon terminée sur 6")
    bar = overall.locator("[role=progressbar]")
    expect(bar).to_have_attribute("aria-valuemax", "6")
    expect(bar).to_have_attribute("aria-valuetext", "1 leçon terminée sur 6")

    reset = page.locator("[data-progress-reset]")
    page.once("dialog", lambda dialog: dialog.dismiss())
    reset.click()
    expect(overall.locator(".progress p")).to_have_text("1 leçon terminée sur 6")
    page.once("dialog", lambda dialog: dialog.accept())
    reset.click()
    expect(overall.locator(".progress p")).to_have_text("0 leçon terminée sur 6")
    expect(reset).to_be_hidden()
    assert page.evaluate("k => localStorage.getItem(k)", key) is None
    page.goto(site.as_uri() + "/" + LESSON)
    expect(page.locator("button[data-done]")).to_have_accessible_name("Marquer comme terminée")


def test_progress_speaks_the_course_language(open_page, tiny):
    page = open_page(tiny.as_uri() + "/" + urllib.parse.quote(TINY_LESSON))
    button = page.locator("button[data-done]")
    expect(button).to_contain_text("I am done with it")  # course.yml strings: override the table
    button.click()
    page.goto(tiny.as_uri() + "/index.html")
    expect(page.locator(".progress-panel .progress p")).to_have_text("1 of 3 lessons done")


# --------------------------------------------------------------------------- code blocks


def test_copy_button_copies_and_announces(open_page, server):
    page = open_page(server + LESSON, permissions=["clipboard-read", "clipboard-write"])
    block = page.locator("div.highlight").first
    button = block.locator(".copy-button")
    assert page.locator(".copy-button").count() == page.locator("div.highlight").count() == 2
    expect(button).to_have_text("Copier")
    expect(button).to_have_attribute("aria-label", "Copier le code")
    button.focus()
    expect(button).to_be_visible()
    page.keyboard.press("Enter")
    expect(button).to_have_text("Copié !")
    expect(page.locator("p.visually-hidden[role=status]")).to_have_text("Copié !")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == block.locator("code").inner_text().rstrip("\n")
    assert copied.startswith("import numpy as np\n") and "return poids @ V, poids" in copied


def test_copy_button_from_file_and_opt_outs(open_page, tiny):
    page = open_page(
        tiny.as_uri() + "/" + urllib.parse.quote(TINY_LESSON),
        permissions=["clipboard-read", "clipboard-write"],
    )
    blocks = page.locator("div.highlight")
    assert blocks.count() == 4
    assert "no-copy" in blocks.nth(0).get_attribute("class")
    expect(blocks.nth(0).locator(".copy-button")).to_have_count(0)  # ```python {.no-copy}
    for i in (1, 2, 3):
        expect(blocks.nth(i).locator(".copy-button")).to_have_count(1)
    # line numbers: the copy holds the code only
    blocks.nth(2).locator(".copy-button").click()
    expect(blocks.nth(2).locator(".copy-button")).to_have_text("Copied!")
    assert page.evaluate("navigator.clipboard.readText()") == "a = 1\nb = 2"


def test_line_numbers_and_file_names(open_page, tiny):
    page = open_page(tiny.as_uri() + "/" + urllib.parse.quote(TINY_LESSON))
    blocks = page.locator("div.highlight")
    name = blocks.nth(1).locator("span.filename")
    expect(name).to_have_text("attention.py")
    expect(name).to_be_visible()
    assert name.evaluate("el => getComputedStyle(el).display") == "block"
    numbers = blocks.nth(2).locator(".linenodiv")
    expect(numbers).to_be_visible()
    assert numbers.inner_text().split() == ["1", "2"]
    assert numbers.evaluate("el => getComputedStyle(el.querySelector('pre')).userSelect") == "none"
    code_box = blocks.nth(2).locator("td.code").bounding_box()
    numbers_box = numbers.bounding_box()
    assert numbers_box["x"] + numbers_box["width"] <= code_box["x"] + 1, "numbers sit left of the code"
    assert abs(numbers_box["y"] - code_box["y"]) < 2
    assert blocks.nth(2).locator("table").get_attribute("role") == "presentation"


# --------------------------------------------------------------------------- math, sharing, language


def test_math_is_visible_mathml(open_page, site):
    page = open_page(site.as_uri() + "/" + LESSON)
    maths = page.locator(
        "article math:not(details:not([open]) math, [hidden] math)"
    )  # closed solutions, quiz feedback
    assert maths.count() > 20
    sizes = maths.evaluate_all(
        "ms => ms.map(m => { const b = m.getBoundingClientRect(); return [b.width, b.height]; })"
    )
    assert all(w > 0 and h > 0 for w, h in sizes), sizes
    assert page.locator("article math[display=block]").count() >= 2


def meta(page_html: str, prop: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)"', page_html)
    return html.unescape(found.group(1)) if found else None


def test_favicon_open_graph_and_no_canonical_without_base_url(site):
    for url in (HOME, MODULE, LESSON, NOTEBOOK, "404.html"):
        page = read(site, url)
        icon = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
        assert icon.startswith("data:image/svg+xml,")
        assert "🤖" in urllib.parse.unquote(icon), "the course icon, as an inline SVG"
        assert meta(page, "og:locale") == "fr_FR"
        assert meta(page, "og:title") and meta(page, "og:description") and meta(page, "description")
        assert 'rel="canonical"' not in page and meta(page, "og:url") is None, "no base_url: no absolute URL"
    assert meta(read(site, LESSON), "og:title") == "Les mécanismes d'attention"
    assert meta(read(site, LESSON), "og:type") == "article"
    assert meta(read(site, HOME), "og:type") == "website"
    assert meta(read(site, HOME), "og:title") == "Transformers et mécanismes d'attention"
    assert not (site / "sitemap.xml").exists() and not (site / "robots.txt").exists()


def test_canonical_og_url_and_sitemap_with_base_url(tiny):
    page = read(tiny, TINY_LESSON)
    address = "https://example.org/cours/bases/%C3%A9t%C3%A9.html"
    assert f'<link rel="canonical" href="{address}">' in page
    assert meta(page, "og:url") == address
    assert meta(page, "og:locale") == "en_US"
    assert "🧪" in urllib.parse.unquote(re.search(r'<link rel="icon" href="([^"]+)"', page).group(1))
    not_found = read(tiny, "404.html")
    assert 'rel="canonical"' not in not_found and '<meta name="robots" content="noindex">' in not_found
    sitemap = (tiny / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://example.org/cours/bases/%C3%A9t%C3%A9.html" in sitemap
    assert "Sitemap: https://example.org/cours/sitemap.xml" in (tiny / "robots.txt").read_text(
        encoding="utf-8"
    )


def test_interface_strings_complete_and_numbers_localised(site, tiny):
    import yaml

    from coursegen.strings import format_number

    tables = {
        lang: yaml.safe_load((REPO / f"src/coursegen/strings/{lang}.yml").read_text(encoding="utf-8"))
        for lang in ("en", "fr")
    }
    assert tables["en"].keys() == tables["fr"].keys()
    assert all(str(value).strip() for table in tables.values() for value in table.values())

    def shown(page: str) -> str:  # the page's text, and the strings it gives its scripts
        data = json.loads(re.search(r"<body [^>]*data-strings='([^']*)'", page).group(1))
        return html.unescape(page) + "\n".join(data.values())

    french, english = shown(read(site, LESSON)), shown(read(tiny, TINY_LESSON))
    for text in (
        "Rechercher dans le cours",
        "Marquer comme terminée",
        "Fermer",
        "Copier le code",
        "leçons terminées sur",
    ):
        assert text in french, text
    for text in ("Search the course", "I am done with it", "Close", "Copy the code", "lessons done"):
        assert text in english, text
    assert format_number(1234, "fr") == "1\u202f234" and format_number(1234, "en") == "1,234"


# --------------------------------------------------------------------------- page weight


def test_lesson_page_weight_and_nothing_render_blocking(site):
    page = read(site, LESSON)
    head = page.split("</head>")[0]
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', head)
    # one stylesheet, and on a page with formulas (this one) the math ones (Temml's rules, the font)
    assert sheets == [
        "../static/coursegen.css",
        "../static/vendor/temml/Temml-Local.css",
        "../static/math.css",
    ], "one stylesheet, plus math"
    scripts = re.findall(r"<script\b[^>]*\bsrc=[^>]*>", page)
    assert scripts and all(" defer" in tag for tag in scripts), scripts
    weight = sum((site / "static" / name).stat().st_size for name in ("coursegen.css", "coursegen.js"))
    # tabs, diagrams, the theme switch and the module's list brought it from 60 to 85 KB (19 KB gzipped)
    assert weight < 90_000, f"a lesson page's own CSS + JS weigh {weight} bytes"
    assert "search.js" not in head and "search/index.js" not in head, "search loads on demand"
