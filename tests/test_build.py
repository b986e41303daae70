"""End-to-end builds: the golden mini course, failure fixtures, --strict, drafts, determinism.

The golden output of tests/fixtures/mini is tests/fixtures/mini/expected/ (every file but static/,
which is the theme's own files and is checked separately). After a deliberate change of the theme
or of the HTML, regenerate it and review the diff:

    COURSEGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_build.py -k golden
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
from pathlib import Path
from unittest import mock

import pytest
from conftest import (
    FIXTURES,
    UPDATE_GOLDEN,
    copy_fixture,
    diff_trees,
    formatted,
    notebook_json,
    run_build,
    snapshot,
    staging_leftovers,
    stream_output,
    tree,
)

from coursegen.cli import main
from coursegen.errors import CoursegenError
from coursegen.render import highlight_css
from coursegen.stylesheet import with_theme_choice
from coursegen.theme import builtin_theme_dir

GOLDEN = FIXTURES / "mini" / "expected"
NOT_IN_GOLDEN = ("static/",)  # the theme's CSS and JS: compared with the theme itself below


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    """tests/fixtures/mini built once: (course root, site folder, BuildResult)."""
    base = tmp_path_factory.mktemp("mini")
    root = copy_fixture("mini", base)
    # the print pages' cover gives the date of the build: a fixed one (2026-12-01) for the golden files
    with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": "1796083200"}):
        result = run_build(root, base / "site")
    return root, base / "site", result


# ----------------------------------------------------------------------------------------------
# the golden mini course


def test_mini_builds_cleanly(mini):
    _, site, result = mini
    assert formatted(result) == []
    assert (result.pages, result.notebooks, result.written) == (7, 1, True)
    assert result.files == len(tree(site)) - 1  # every file but the marker
    assert tree(site) == [
        ".coursegen-site",
        "01_basics/01_first.html",
        "01_basics/02_second.html",
        "01_basics/images/diagram.svg",
        "01_basics/index.html",
        "01_basics/notebooks/demo.html",
        "01_basics/notebooks/demo.ipynb",
        "01_basics/print.html",
        "02_more/01_third.html",
        "02_more/index.html",
        "02_more/print.html",
        "404.html",
        "index.html",
        "print.html",
        "search/index.js",
        "static/coursegen.css",
        "static/coursegen.js",
        "static/math.css",
        "static/print.css",
        "static/quiz.js",  # loaded only by pages and decks that have a quiz
        "static/search.css",
        "static/search.js",
        # the math font and Temml's stylesheet (its script runs in the build: not published)
        "static/vendor/VENDOR.json",
        "static/vendor/noto-sans-math/LICENSE",
        "static/vendor/noto-sans-math/noto-sans-math-latin-400-normal.woff2",
        "static/vendor/temml/LICENSE",
        "static/vendor/temml/Temml-Local.css",
        "static/vendor/temml/Temml.woff2",
        "tags.html",
    ]


def test_golden(mini):
    _, site, _ = mini
    if UPDATE_GOLDEN:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(
            site,
            GOLDEN,
            ignore=lambda folder, names: [
                n for n in names if folder == str(site) and n + "/" in NOT_IN_GOLDEN
            ],
        )
    assert GOLDEN.is_dir(), (
        "no golden output yet: run COURSEGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_build.py -k golden"
    )
    problems = diff_trees(GOLDEN, site, ignore=NOT_IN_GOLDEN)
    if problems:
        print("\n\n".join(problems))
    assert not problems, (
        f"{len(problems)} file(s) differ from tests/fixtures/mini/expected/ (diff printed above); if the change is intended: COURSEGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_build.py -k golden"
    )


def test_static_files_are_the_theme_plus_code_colours(mini):
    _, site, _ = mini
    theme_static = builtin_theme_dir() / "static"
    assert (site / "static/coursegen.js").read_bytes() == (theme_static / "coursegen.js").read_bytes()
    css = (site / "static/coursegen.css").read_text(encoding="utf-8")
    assert css == with_theme_choice(
        (theme_static / "coursegen.css").read_text(encoding="utf-8").rstrip("\n") + "\n\n" + highlight_css()
    )
    assert ".highlight .k" in css
    # the dark colours apply with the system's dark scheme unless the learner chose light, and when they chose dark
    assert '@media screen and (prefers-color-scheme: dark) {\n  :root:not([data-theme="light"]) {' in css
    assert '@media screen {\n  :root[data-theme="dark"] {' in css
    assert ':root[data-theme="dark"] .highlight .k {' in css


def test_mini_pages_content(mini):
    """The facts the golden files show, asserted one by one (survive a theme change)."""
    root, site, _ = mini
    first = (site / "01_basics/01_first.html").read_text(encoding="utf-8")
    assert '<a href="02_second.html#code">the code of the second lesson</a>' in first
    assert '<a href="notebooks/demo.html">the notebook</a>' in first
    assert '<img alt="A diagram" src="images/diagram.svg">' in first
    assert "<math><mrow><mi>q</mi><mo>⋅</mo><mi>k</mi></mrow></math>" in first
    assert 'rel="prev"' in first and 'rel="next"' in first
    assert re.search(r'href="index.html"[^>]*rel="prev"', first)
    assert re.search(r'href="02_second.html"[^>]*rel="next"', first)
    second = (site / "01_basics/02_second.html").read_text(encoding="utf-8")
    assert re.search(r'href="notebooks/demo.html"[^>]*rel="next"', second)
    notebook = (site / "01_basics/notebooks/demo.html").read_text(encoding="utf-8")
    assert '<a href="../01_first.html">the first lesson</a>' in notebook
    assert "<pre>2\n</pre>" in notebook and "42" in notebook
    assert (site / "01_basics/notebooks/demo.ipynb").read_bytes() == (
        root / "notebooks/01_basics/demo.ipynb"
    ).read_bytes()
    assert (site / "01_basics/images/diagram.svg").read_bytes() == (
        root / "content/01_basics/images/diagram.svg"
    ).read_bytes()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in home
    assert '<a href="01_basics/index.html">the basics</a>' in home
    assert '<a href="02_more/index.html">more</a>' in home


def test_every_relative_link_of_the_mini_site_resolves(mini):
    _, site, _ = mini
    for page in site.rglob("*.html"):
        for href in re.findall(r'(?:href|src)="([^"#:]*)(?:#[^"]*)?"', page.read_text(encoding="utf-8")):
            assert not href or (page.parent / href).resolve().exists(), (
                f"{page.relative_to(site)} links to missing {href}"
            )


# ----------------------------------------------------------------------------------------------
# failure fixtures: tests/fixtures/invalid/<case>/


NOT_VALID_UTF8 = "not valid UTF-8 (byte 0xe9) — save the file as UTF-8 in your editor (it was probably saved as Latin-1/Windows-1252)"


@pytest.mark.parametrize(
    "case, messages, present, absent",
    [
        (
            "bad_yaml",
            [
                "content/A/02_bad.md:4:14: error[yaml]: invalid YAML: mapping values are not allowed here — a value containing ': ' must be quoted, e.g. title: \"Module 6: Transformers\""
            ],
            ["A/01_ok.html", "A/02_bad.html"],  # the page is built without its front matter
            [],
        ),
        (
            "unclosed_front_matter",
            [
                "content/A/02_unclosed.md:1: error[yaml]: the front matter opened on line 1 is never closed — add a line with --- after the front matter"
            ],
            [
                "A/01_ok.html",
                "A/02_unclosed.html",
            ],  # an error page stands in its place: links to it still work
            [],
        ),
        (
            "non_utf8",
            [f"content/A/02_latin1.md:2:14: error[encoding]: {NOT_VALID_UTF8}"],
            ["A/01_ok.html", "A/02_latin1.html"],
            [],
        ),
        (
            "bad_notebook_json",
            [
                "notebooks/A/broken.ipynb:4:27: error[notebook]: not valid JSON — Invalid control character — its cells can't be read on their own either: mend the JSON in a text editor (a stray line break inside a string? a merge conflict?) or restore the file"
            ],
            ["A/01_lesson.html", "A/notebooks/broken.html", "A/notebooks/broken.ipynb"],
            [],
        ),
    ],
)
def test_bad_file_is_reported_and_the_rest_builds(tmp_path, capsys, case, messages, present, absent):
    root = copy_fixture(f"invalid/{case}", tmp_path)
    out = tmp_path / "site"
    result = run_build(root, out)
    assert formatted(result) == messages
    assert result.written
    files = tree(out)
    assert "index.html" in files and "404.html" in files
    assert all(rel in files for rel in present), files
    assert not any(rel in files for rel in absent), files
    assert main(["build", str(root), "-o", str(tmp_path / "site2"), "-q", "-j", "1"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == messages[0]


def test_bad_yaml_never_shows_in_the_page(tmp_path):
    root = copy_fixture("invalid/bad_yaml", tmp_path)
    run_build(root, tmp_path / "site")
    page = (tmp_path / "site/A/02_bad.html").read_text(encoding="utf-8")
    # a page whose front matter can't be read is not published as it is: an error page stands in
    assert "The body is still published." not in page
    assert "the front matter is not valid YAML" in page
    assert "Niveau: Pro" not in page and "description: Also fine" not in page


def test_invalid_notebook_page_shows_the_error_and_links_still_work(tmp_path):
    root = copy_fixture("invalid/bad_notebook_json", tmp_path)
    out = tmp_path / "site"
    run_build(root, out)
    page = (out / "A/notebooks/broken.html").read_text(encoding="utf-8")
    assert "not valid JSON — Invalid control character (line 4, column 27)" in page
    assert 'href="broken.ipynb"' in page  # the download link of the copy
    assert (out / "A/notebooks/broken.ipynb").read_bytes() == (root / "notebooks/A/broken.ipynb").read_bytes()
    lesson = (out / "A/01_lesson.html").read_text(encoding="utf-8")
    assert '<a href="notebooks/broken.html">the notebook</a>' in lesson


def test_template_syntax_error_writes_nothing(tmp_path, capsys):
    root = copy_fixture("invalid/template_syntax", tmp_path)
    out = tmp_path / "site"
    result = run_build(root, out)
    assert formatted(result) == [
        "templates/lesson.html:3: error[template]: template syntax error: unexpected '}' — fix the template"
    ]
    assert not result.written
    assert not out.exists()
    assert main(["build", str(root), "-o", str(out), "-j", "1"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "templates/lesson.html:3: error[template]: template syntax error: unexpected '}' — fix the template",
        "Nothing written (errors were found): 1 error, 0 warnings; the previous site is unchanged",
    ]
    assert not out.exists()
    assert staging_leftovers(tmp_path) == []


def test_template_syntax_error_keeps_the_previous_site(tmp_path):
    root = copy_fixture("invalid/template_syntax", tmp_path)
    out = tmp_path / "site"
    broken = (root / "templates/lesson.html").read_text()
    (root / "templates/lesson.html").unlink()
    assert run_build(root, out).written
    before = snapshot(out)
    (root / "templates/lesson.html").write_text(broken)
    assert not run_build(root, out).written
    assert snapshot(out) == before


def test_strict_with_a_warning_fails_and_keeps_the_previous_site(tmp_path, capsys):
    root = copy_fixture("invalid/strict_warning", tmp_path)
    out = tmp_path / "site"
    warning = "content/A/01_lesson.md:5: warning[links]: link '02_nxt.md' leads nowhere — did you mean '02_next.md'?"
    assert main(["build", str(root), "-o", str(out), "-j", "1"]) == 0  # warnings are allowed…
    before = snapshot(out)
    (root / "content/A/02_next.md").write_text("# Next, changed\n\nText.\n")
    assert main(["build", str(root), "-o", str(out), "--strict", "-j", "1"]) == 1  # …unless --strict
    err = capsys.readouterr().err.splitlines()
    assert err[-2:] == [
        warning,
        "Nothing written (--strict and problems were found): 0 errors, 1 warning; the previous site is unchanged",
    ]
    assert snapshot(out) == before
    assert staging_leftovers(tmp_path) == []
    result = run_build(root, out, strict=True)
    assert formatted(result) == [warning]
    assert not result.written


def test_strict_without_problems_builds(tmp_path):
    root = copy_fixture("mini", tmp_path)
    result = run_build(root, tmp_path / "site", strict=True)
    assert result.written and formatted(result) == []


# ----------------------------------------------------------------------------------------------
# drafts, check


def test_drafts_are_published_only_with_drafts(make_course, tmp_path):
    root = make_course(
        {
            "content/A/01_done.md": "# Done\n\nSee [the draft](02_wip.md).\n",
            "content/A/02_wip.md": "---\ndraft: true\n---\n# WIP\n\nText.\n",
        }
    )
    result = run_build(root, tmp_path / "site")
    assert formatted(result) == [
        "content/A/01_done.md:3: warning[links]: link '02_wip.md' leads nowhere — check the path (it is relative to this file)"
    ]
    assert "A/02_wip.html" not in tree(tmp_path / "site")
    result = run_build(root, tmp_path / "site", drafts=True)
    assert formatted(result) == []
    assert "A/02_wip.html" in tree(tmp_path / "site")
    assert '<a href="02_wip.html">the draft</a>' in (tmp_path / "site/A/01_done.html").read_text(
        encoding="utf-8"
    )


def test_check_validates_without_writing(tmp_path):
    root = copy_fixture("invalid/strict_warning", tmp_path)
    result = run_build(root, tmp_path / "site", write=False)
    assert formatted(result) == [
        "content/A/01_lesson.md:5: warning[links]: link '02_nxt.md' leads nowhere — did you mean '02_next.md'?"
    ]
    assert not result.written
    assert not (tmp_path / "site").exists()
    assert not (root / "site").exists()


def test_default_output_is_site_inside_the_course_and_never_read_back(make_course):
    root = make_course({"content/A/x.md": "# X\n\nText.\n"})
    assert run_build(root).written
    assert (root / "site/A/x.html").is_file()
    second = run_build(root)  # site/ is not content: nothing new is discovered
    assert formatted(second) == []
    assert tree(root / "site") == tree(root / "site")


# ----------------------------------------------------------------------------------------------
# determinism


def test_two_builds_are_byte_identical(tmp_path):
    root = copy_fixture("mini", tmp_path)
    run_build(root, tmp_path / "one")
    run_build(root, tmp_path / "two")  # from the cache
    run_build(root, tmp_path / "three", cache=False)
    one = snapshot(tmp_path / "one")
    assert one == snapshot(tmp_path / "two")
    assert one == snapshot(tmp_path / "three")


def test_worker_processes_build_the_same_site(tmp_path, monkeypatch):
    from coursegen import bodies

    monkeypatch.setattr(bodies, "PARALLEL_THRESHOLD", 1)  # a small course would not start workers
    started = []
    original = bodies._start_worker
    root = copy_fixture("mini", tmp_path)
    one = run_build(root, tmp_path / "one", cache=False, jobs=1)
    from coursegen import workers

    real_pool = workers.ProcessPoolExecutor

    def counting_pool(*args, **kwargs):
        # workers._start_worker calls it, read from the file the pool wrote its start-up data to
        with open(kwargs["initargs"][0], "rb") as start:
            started.append(pickle.load(start)[0] is original)
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(workers, "ProcessPoolExecutor", counting_pool)
    two = run_build(root, tmp_path / "two", cache=False, jobs=2)
    assert started == [True]  # the pages really were rendered by worker processes
    assert formatted(one) == formatted(two) == []
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_the_course_folder_does_not_leak_into_the_site(tmp_path):
    """The same course in two folders (course.yml gives the title) builds to the same bytes."""
    first = copy_fixture("mini", tmp_path / "a")
    second = shutil.copytree(first, tmp_path / "b" / "elsewhere")
    run_build(first, tmp_path / "site1", cache=False)
    run_build(second, tmp_path / "site2", cache=False)
    assert snapshot(tmp_path / "site1") == snapshot(tmp_path / "site2")
    for path in (tmp_path / "site1").rglob("*.html"):
        assert str(tmp_path) not in path.read_text(encoding="utf-8")


def test_cached_build_reports_the_same_problems(tmp_path):
    root = copy_fixture("invalid/strict_warning", tmp_path)
    first = formatted(run_build(root, tmp_path / "one"))
    assert formatted(run_build(root, tmp_path / "two")) == first
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_notebook_in_content_is_published_with_its_download_copy(make_course, tmp_path):
    text = notebook_json("# Analysis", ("code", "print('hi')", [stream_output("hi\n")]))
    root = make_course({"content/A/analysis.ipynb": text})
    result = run_build(root, tmp_path / "site")
    assert formatted(result) == []
    assert (result.pages, result.notebooks) == (3, 1)
    assert json.loads((tmp_path / "site/A/analysis.ipynb").read_text()) == json.loads(text)
    assert "<pre>hi\n</pre>" in (tmp_path / "site/A/analysis.html").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# front matter values reach the pages escaped; template choice


def test_front_matter_html_is_escaped_everywhere(make_course, tmp_path):
    root = make_course(
        {
            "content/index.md": "---\ntitle: '<script>alert(1)</script>'\ndescription: '\"><script>alert(5)</script>'\n---\nHome.\n",
            "content/A/index.md": "---\ntitle: 'A <img src=x onerror=alert(2)>'\ntagline: '\"><img src=x onerror=alert(3)>'\n---\nModule.\n",
            "content/A/x.md": (
                "---\n"
                "title: '<b>bold</b>'\n"
                "summary: '<img src=x onerror=alert(4)>'\n"
                "tags: ['x\" onmouseover=\"alert(1)']\n"
                "topics: ['<i>t</i>']\n"
                "level: '</span><script>alert(6)</script>'\n"
                "---\n"
                "Text.\n"
            ),
        }
    )
    result = run_build(root, tmp_path / "site")
    assert formatted(result) == []
    pages = {
        rel: (tmp_path / "site" / rel).read_text(encoding="utf-8")
        for rel in tree(tmp_path / "site")
        if rel.endswith(".html")
    }
    for rel, html in pages.items():
        for payload in ("<script>alert", "<img src=x", '" onmouseover="', "<b>bold</b>", "<i>t</i>"):
            assert payload not in html, (rel, payload)
    assert "&lt;b&gt;bold&lt;/b&gt;" in pages["A/x.html"]
    assert "&lt;img src=x onerror=alert(4)&gt;" in pages["A/index.html"]  # the lesson's card


@pytest.mark.parametrize(
    "value, message",
    [
        (
            "../../secret.html",
            "content/A/x.md:2: error[template]: template '../../secret.html' must be a name inside templates/ — using lesson.html",
        ),
        (
            "/etc/passwd",
            "content/A/x.md:2: error[template]: template '/etc/passwd' must be a name inside templates/ — using lesson.html",
        ),
    ],
)
def test_template_outside_the_theme_is_refused(make_course, tmp_path, value, message):
    root = make_course({"content/A/x.md": f"---\ntemplate: {value}\n---\nText.\n"})
    result = run_build(root, tmp_path / "site")
    assert formatted(result) == [message]
    assert "Text." in (tmp_path / "site/A/x.html").read_text(encoding="utf-8")


def test_missing_template_falls_back_with_an_error(make_course, tmp_path):
    root = make_course({"content/A/x.md": "---\ntitle: X\ntemplate: fancy.html\n---\nText.\n"})
    [message] = formatted(run_build(root, tmp_path / "site"))
    assert message.startswith(
        "content/A/x.md:3: error[template]: template 'fancy.html' not found (looked in "
    )
    assert message.endswith(") — using lesson.html")


def test_course_template_overrides_the_theme(make_course, tmp_path):
    root = make_course(
        {
            "content/A/x.md": "---\ntitle: X\n---\nText.\n",
            "content/A/y.md": "---\ntitle: Y\ntemplate: plain.html\n---\nOther.\n",
            "templates/lesson.html": '{% extends "theme/lesson.html" %}{% block title %}CUSTOM {{ page.title }}{% endblock %}',
            "templates/plain.html": "<p>{{ page.title }}|{{ page.content }}|{{ rel('index.html') }}</p>\n",
        }
    )
    result = run_build(root, tmp_path / "site")
    assert formatted(result) == []
    assert "<title>CUSTOM X</title>" in (tmp_path / "site/A/x.html").read_text(encoding="utf-8")
    assert (tmp_path / "site/A/y.html").read_text(
        encoding="utf-8"
    ) == "<p>Y|<p>Other.</p>|../index.html</p>\n"


HEADER_OVERRIDE = """{% extends "theme/base.html" %}
{% block header %}
<header class="site-header">
  <div class="container header-inner">
    <a class="brand" href="{{ rel('index.html') }}"><img src="{{ static('logo.svg') }}" alt=""> {{ course.title }}</a>
    <p class="banner">Cours du mardi 14 h — salle B12</p>
    {{ self.navigation() }}{{ self.search_button() }}
  </div>
</header>
{% endblock %}
"""


def test_base_html_blocks_let_a_course_change_the_header_in_ten_lines(make_course, tmp_path):
    assert len(HEADER_OVERRIDE.splitlines()) <= 10  # the README's example
    root = make_course(
        {
            "content/A/x.md": "# X\n\nText.\n",
            "templates/base.html": HEADER_OVERRIDE,
            "static/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        }
    )
    result = run_build(root, tmp_path / "site")
    assert formatted(result) == []
    page = (tmp_path / "site/A/x.html").read_text(encoding="utf-8")
    assert '<img src="../static/logo.svg" alt=""> ' in page and "salle B12" in page
    assert (
        page.count('<nav class="site-nav"') == 1 and page.count("data-search-open") == 1
    )  # the built-in navigation and search button
    assert '<main id="main"' in page and '<dialog id="search"' in page and "Text." in page


@pytest.mark.parametrize(
    "block",
    [
        "head",
        "header",
        "navigation",
        "search_button",
        "search",
        "main",
        "content",
        "footer",
        "scripts",
        "pager",
    ],
)
def test_base_html_offers_a_block_for_each_part(block):
    source = (builtin_theme_dir() / "templates" / "base.html").read_text(encoding="utf-8")
    assert re.search(r"\{%[-+]? block " + block + r" [-+]?%\}", source), block


def test_course_file_colliding_with_a_theme_file_stops_the_build(make_course, tmp_path, capsys):
    root = make_course({"content/static/coursegen.css": "body {}\n"})
    with pytest.raises(CoursegenError) as caught:
        run_build(root, tmp_path / "site")
    message = "static/coursegen.css: error[build]: 'static/coursegen.css' and 'content/static/coursegen.css' would both write 'static/coursegen.css' — rename one of them"
    assert str(caught.value) == message
    assert main(["build", str(root), "-o", str(tmp_path / "site"), "-j", "1"]) == 1
    assert capsys.readouterr().err.strip() == message
    assert not (tmp_path / "site").exists()


# ----------------------------------------------------------------------------------------------
# the header's module list: every module while they are few, the current one beyond


def modules_course(make_course, count: int, name: str, course_yml: str = "") -> Path:
    files = {
        f"content/m{n:02d}/01_lecon.md": f"---\ntitle: Leçon {n:02d}\n---\n\nTexte.\n"
        for n in range(1, count + 1)
    }
    files.update(
        {f"content/m{n:02d}/index.md": f"---\ntitle: Module {n:02d}\n---\n" for n in range(1, count + 1)}
    )
    files["course.yml"] = "title: Cours\nlanguage: fr\n" + course_yml
    return make_course(files, name=name)


def header_links(html: str) -> list[str]:
    nav = html[html.index('<nav class="site-nav') : html.index("</nav>")]
    return re.findall(r'<a href="([^"]+)"', nav)


def test_a_few_modules_are_all_in_the_header(make_course, tmp_path):
    root = modules_course(make_course, 6, "six")
    run_build(root, tmp_path / "six-site")
    html = (tmp_path / "six-site/m03/01_lecon.html").read_text(encoding="utf-8")
    assert header_links(html) == [f"../m{n:02d}/index.html" if n != 3 else "index.html" for n in range(1, 7)]
    assert "Tous les modules" not in html


def test_many_modules_the_header_shows_the_current_one_and_a_link_to_all(make_course, tmp_path):
    root = modules_course(make_course, 7, "seven")
    run_build(root, tmp_path / "seven-site")
    lesson = (tmp_path / "seven-site/m03/01_lecon.html").read_text(encoding="utf-8")
    assert header_links(lesson) == ["index.html", "../index.html#cards-heading"]
    assert ">Tous les modules (7)</a>" in lesson
    home = (tmp_path / "seven-site/index.html").read_text(encoding="utf-8")
    assert header_links(home) == ["index.html#cards-heading"]
    assert 'id="cards-heading"' in home  # the link's target: the home page's list of modules


def test_nav_modules_sets_the_limit(make_course, tmp_path):
    root = modules_course(make_course, 7, "seven", "theme:\n  nav_modules: 7\n")
    run_build(root, tmp_path / "site")
    assert len(header_links((tmp_path / "site/m03/01_lecon.html").read_text(encoding="utf-8"))) == 7


def test_a_page_weighs_the_same_with_10_or_40_modules(make_course, tmp_path):
    sizes = {}
    for count in (10, 40):
        root = modules_course(make_course, count, f"c{count}")
        run_build(root, tmp_path / f"site{count}")
        sizes[count] = len((tmp_path / f"site{count}/m03/01_lecon.html").read_bytes())
    assert abs(sizes[40] - sizes[10]) <= 2, sizes  # "(10)" and "(40)": the same length


def test_nav_modules_must_be_a_whole_number(make_course, tmp_path):
    root = modules_course(make_course, 2, "bad", "theme:\n  nav_modules: beaucoup\n")
    result = run_build(root, tmp_path / "site")
    assert (
        "course.yml:3: warning[config]: theme option nav_modules must be a whole number, not 'beaucoup'; using the default — e.g. theme: {nav_modules: 6}"
        in formatted(result)
    )
    assert (tmp_path / "site/m01/01_lecon.html").is_file()
