"""Notebook pages: rendering, outputs, tags, page chrome, caching, broken notebooks, safety, scale.

The notebooks under tests/fixtures/notebooks/ are small and checked in (regenerate them with
make_fixtures.py there); big ones are generated here at test time. Execution is in test_execute.py.
"""

from __future__ import annotations

import base64
import json
import random
import re
import shutil
import struct
import subprocess
import sys
import time
import zlib
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from conftest import FIXTURES, REPO, formatted, notebook_json, run_build, snapshot, write_tree

from coursegen.build import BuildResult
from coursegen.cache import CACHE_DIR
from coursegen.cli import main
from coursegen.notebooks import NotebookConverter

NOTEBOOKS = FIXTURES / "notebooks"
v4 = nbformat.v4


# ----------------------------------------------------------------------------------------------
# helpers


def fixture_text(name: str) -> str:
    return (NOTEBOOKS / name).read_text(encoding="utf-8")


def build(root: Path, **options) -> tuple[BuildResult, Path]:
    """Build `root` into root/site (one process); the result and the site folder."""
    result = run_build(root, **options)
    return result, root / "site"


def read(site: Path, url: str) -> str:
    return (site / url).read_text(encoding="utf-8")


def notebook_body(page: str) -> str:
    """The cells of a notebook page: what nbconvert produced, without the theme around it."""
    start = page.index('<div class="notebook">')
    return page[start : page.index("</main>", start)]


def cell_html(page: str, cell_id: str) -> str:
    """One cell's HTML, from its `id="cell-id=…"` to the next cell (or the end of the body)."""
    body = notebook_body(page)
    start = body.index(f'id="cell-id={cell_id}"')
    following = body.find('id="cell-id=', start + 1)
    return body[start : following if following >= 0 else len(body)]


def messages(result: BuildResult, level: str | None = None) -> list[str]:
    return [line for line in formatted(result) if level is None or f": {level}[" in line]


class Elements(HTMLParser):
    """Every start tag with its attributes (entities decoded), and the text of <script> elements."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]


THEME_SCRIPT = re.compile(r"^(\.\./)*static/coursegen\.js$")
# the theme's one inline script, in <head>: it applies the learner's light/dark choice before the first paint
THEME_INLINE_SCRIPT = re.compile(
    r'<script>try\{var cgTheme=localStorage\.getItem\("coursegen-theme"\);[^<]*</script>'
)


def active_content(page: str) -> list[str]:
    """What a browser would run in `page`, besides the theme's own script: script elements, event
    handler attributes, javascript: URLs, embedded frames and objects."""
    found = []
    head, _, body = page.partition("</head>")
    page = THEME_INLINE_SCRIPT.sub("", head, count=1) + "</head>" + body
    for tag, attrs in Elements(page).tags:
        if tag == "script" and not THEME_SCRIPT.match(attrs.get("src", "")):
            found.append(f"<script {attrs}>")
        if tag in ("iframe", "object", "embed"):
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and re.sub(
                r"[\s\x00-\x1f]", "", value
            ).lower().startswith("javascript:"):
                found.append(f"<{tag} {name}={value!r}>")
    return found


def png_bytes(width: int, height: int, pixels: bytes) -> bytes:
    """A valid RGB PNG (zlib + struct); `pixels` has width*height*3 bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = width * 3
    raw = b"".join(b"\x00" + pixels[y * row : (y + 1) * row] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 1))
        + chunk(b"IEND", b"")
    )


def display(data: dict, **metadata):
    return v4.new_output("display_data", data=data, metadata=metadata)


def code_cell(source: str, outputs=(), **metadata):
    cell = v4.new_code_cell(source, outputs=list(outputs))
    cell.metadata.update(metadata)
    return cell


def notebook_of(*cells, metadata: dict | None = None) -> str:
    """A notebook from nbformat cell objects (fixed ids), as JSON text."""
    nb = v4.new_notebook()
    nb.metadata.update(
        metadata or {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    for index, cell in enumerate(cells):
        cell.id = f"cell-{index}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


SHARED_MARKDOWN = (
    "| col A | col B |\n|---|---|\n| 1 | 2 |\n\n"
    '!!! note "Remember"\n    An admonition in a notebook.\n\n'
    "A claim with a footnote[^src] and math $x^2$ inline.\n\n"
    "[^src]: The footnote text.\n"
)


@pytest.fixture(scope="module")
def showcase(tmp_path_factory):
    """A French course whose module A has a lesson (pointing at outputs.ipynb, with the same Markdown
    as the notebook's first cell) and the fixture notebooks outputs, tags and active."""
    root = write_tree(
        tmp_path_factory.mktemp("showcase") / "course",
        {
            "course.yml": "title: Vitrine\nlanguage: fr\n",
            "content/index.md": "# Accueil du cours\n",
            "content/A/index.md": "# Module A\n",
            "content/A/01_lesson.md": f"---\ntitle: Première leçon\nnotebook: A/outputs.ipynb\n---\n{SHARED_MARKDOWN}",
            "notebooks/A/outputs.ipynb": fixture_text("outputs.ipynb"),
            "notebooks/A/tags.ipynb": fixture_text("tags.ipynb"),
        },
    )
    result, site = build(root)
    assert result.written and not result.diagnostics.errors, formatted(result)
    return root, site, result


@pytest.fixture(scope="module")
def outputs_page(showcase) -> str:
    return read(showcase[1], "A/notebooks/outputs.html")


# ----------------------------------------------------------------------------------------------
# rendering: nbconvert with coursegen's own template, found by explicit path


HIJACK = "HIJACKED-TEMPLATE"


def test_template_lookup_ignores_the_current_directory(tmp_path, monkeypatch):
    """nbconvert searches the current directory for templates by default: a course folder holding
    `lab/`, `basic/`, `coursegen/` (or `base/`) must not change the pages when built from inside it."""
    files = {
        "course.yml": "title: Same course\n",  # else the title comes from the folder's name
        "content/index.md": "# Home\n",
        "notebooks/A/outputs.ipynb": fixture_text("outputs.ipynb"),
        "notebooks/A/tags.ipynb": fixture_text("tags.ipynb"),
    }
    # lures that extend nothing: if nbconvert picked any of them, the page would be just this text
    for folder in ("lab", "basic", "classic", "coursegen", "base"):
        for name in (
            "index.html.j2",
            "base.html.j2",
            "display_priority.j2",
            "null.j2",
            "celltags.j2",
            "mathjax.html.j2",
        ):
            files[f"{folder}/{name}"] = HIJACK + "\n"
        files[f"{folder}/conf.json"] = '{"mimetypes": {"text/html": true}}\n'
    files["index.html.j2"] = files["base.html.j2"] = files["display_priority.j2"] = HIJACK + "\n"
    inside = write_tree(tmp_path / "inside", files)
    outside = write_tree(tmp_path / "outside", files)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    monkeypatch.chdir(elsewhere)
    run_build(outside, tmp_path / "site-outside", cache=False)
    monkeypatch.chdir(inside)
    result = run_build(inside, tmp_path / "site-inside", cache=False)

    assert not result.diagnostics.problems, formatted(result)
    for url in ("A/notebooks/outputs.html", "A/notebooks/tags.html"):
        page = read(tmp_path / "site-inside", url)
        assert HIJACK not in page
        assert 'class="jp-Cell jp-CodeCell' in page
        assert page == read(tmp_path / "site-outside", url), (
            f"{url} differs when built from inside the course folder"
        )


def test_markdown_cells_use_the_lesson_pipeline(showcase, outputs_page):
    """Tables, admonitions, footnotes and math come out of a Markdown cell exactly as from a lesson."""
    lesson = read(showcase[1], "A/01_lesson.html")
    cell = cell_html(outputs_page, "cell-0")

    def fragment(page: str, pattern: str) -> str:
        match = re.search(pattern, page, re.S)
        assert match, f"{pattern!r} not found"
        return match.group(0)

    for pattern in (
        r"<table>.*?</table>",
        r'<div class="admonition note">\s*<p class="admonition-title">Remember</p>\s*<p>An admonition in a notebook.</p>\s*</div>',
        r'<sup id="fnref:src"><a class="footnote-ref" href="#fn:src">1</a></sup>',
        r'<div class="footnote">.*?</div>',
        r"<math\b[^>]*>.*?</math>",
    ):
        assert fragment(cell, pattern) == fragment(lesson, pattern)
    assert (
        fragment(cell, r"<math\b[^>]*>.*?</math>")
        == '<math><msup><mi>x</mi><mn class="tml-sml-pad">2</mn></msup></math>'
    )

    assert "$x^2$" not in cell


def test_cells_without_ids_get_the_same_ids_at_every_build(make_course, tmp_path):
    """Format 4.5 wants cell ids; nbformat would invent random ones, and each build would differ."""
    data = json.loads(notebook_json("# Carnet", "x = 1", "md:Fin."))
    for cell in data["cells"]:
        del cell["id"]
    data["cells"][2]["id"] = "cell-1"  # an id the author chose is kept, and not given twice
    root = make_course({"notebooks/A/carnet.ipynb": json.dumps(data)})
    first, second = (run_build(root, tmp_path / name) for name in ("one", "two"))
    assert formatted(first) == [
        "notebooks/A/carnet.ipynb: warning[notebook]: 2 schema slips repaired in memory: cells[0], cells[1]: 'id' missing (given one from its position)"
        " — re-save it in Jupyter (or run `coursegen check --fix-notebooks`) to fix the file"
    ]
    page = read(tmp_path / "one", "A/notebooks/carnet.html")
    assert page == read(tmp_path / "two", "A/notebooks/carnet.html")
    assert [m for m in re.findall(r'id="cell-id=([^"]+)"', page)] == ["cell-1-", "cell-2", "cell-1"]
    assert (
        "id" not in json.loads((root / "notebooks/A/carnet.ipynb").read_text(encoding="utf-8"))["cells"][0]
    )  # the file is untouched


def test_nbconvert_validates_a_notebook_once_not_after_each_preprocessor(make_course, tmp_path, monkeypatch):
    """nbconvert validates after each of its preprocessors by default (twelve times a notebook,
    ~2 ms each: seconds on a course of a hundred notebooks); coursegen validates the notebook
    when it reads it, so nbconvert checks it once, after all of them."""
    cells = ["# Carnet", "x = 1", "md:Fin.", ("code", "print(2)")]
    root = make_course(
        {"notebooks/A/un.ipynb": notebook_json(*cells), "notebooks/A/deux.ipynb": notebook_json(*cells)}
    )
    calls = []
    validate = nbformat.validate  # what nbconvert's exporter calls
    monkeypatch.setattr(nbformat, "validate", lambda *args, **kw: (calls.append(1), validate(*args, **kw))[1])
    result = run_build(root, tmp_path / "site")
    assert formatted(result) == []
    assert "Fin." in read(tmp_path / "site", "A/notebooks/deux.html")
    assert len(calls) == 2  # one a notebook (26 before: 13 a notebook)


def test_markdown_cell_links_are_rewritten_and_checked(make_course, tmp_path):
    text = notebook_json(
        "# Linked",
        "md:See [the lesson](../../content/A/01_lesson.md#part-two), [the other notebook](other.ipynb), "
        "[the content notebook](../../content/A/analysis.ipynb) and [a lost page](zzz-missing-page.md).",
    )
    root = make_course(
        {
            "content/A/index.md": "# A\n",
            "content/A/01_lesson.md": "# Lesson\n\n## Part two\n\nText.\n",
            "content/A/analysis.ipynb": notebook_json("# Analysis"),
            "notebooks/A/linked.ipynb": text,
            "notebooks/A/other.ipynb": notebook_json("# Other"),
        }
    )
    result, site = build(root)
    page = read(site, "A/notebooks/linked.html")
    assert '<a href="../01_lesson.html#part-two">the lesson</a>' in page
    assert '<a href="other.html">the other notebook</a>' in page
    assert '<a href="../analysis.html">the content notebook</a>' in page
    assert '<a href="zzz-missing-page.md">a lost page</a>' in page  # left as written
    assert messages(result, "warning") == [
        "notebooks/A/linked.ipynb: warning[links]: link 'zzz-missing-page.md' leads nowhere (in cell 2) — check the path (it is relative to this file)"
    ]
    # and the targets exist
    for href in ("A/01_lesson.html", "A/notebooks/other.html", "A/analysis.html"):
        assert (site / href).is_file()


def test_code_is_highlighted_with_pygments_classes_and_no_inline_assets(outputs_page):
    body = notebook_body(outputs_page)
    assert (
        '<div class=" highlight hl-ipython3"><pre><span></span><span class="kn">import</span><span class="w"> </span><span class="nn">sys</span>'
        in body
    )
    assert re.search(
        r'<span class="nb">print</span><span class="p">\(</span><span class="s1">(\'|&#39;)OUT_stdout(\'|&#39;)</span>',
        body,
    )
    assert "<style" not in body
    assert "<script src=" not in body
    assert "<link" not in body


def test_notebook_page_loads_nothing_from_outside(showcase):
    """No require.js, MathJax, jQuery or any remote script or stylesheet: the page works offline."""
    for url in ("A/notebooks/outputs.html", "A/notebooks/tags.html"):
        page = read(showcase[1], url)
        lowered = page.lower()
        for library in ("require.js", "requirejs", "require.min.js", "mathjax", "jquery"):
            assert library not in lowered, f"{library} in {url}"
        elements = Elements(page)
        # scripts with a source (the one inline script, in <head>, applies the learner's light/dark choice)
        sources = [attrs["src"] for attrs in elements.all("script") if "src" in attrs] + [
            attrs.get("href", "") for attrs in elements.all("link")
        ]
        assert sources, "the theme's own stylesheet and script"
        for source in sources:
            assert not re.match(r"^(https?:)?//", source), source
            if source.startswith("data:image/svg+xml,"):  # the favicon, drawn from the course icon
                continue
            assert source.startswith("../../static/"), source


# ----------------------------------------------------------------------------------------------
# every output type


def test_stream_outputs_stdout_and_stderr(outputs_page):
    cell = cell_html(outputs_page, "cell-1")
    assert (
        '<div class="jp-RenderedText jp-OutputArea-output" tabindex="0" data-mime-type="text/plain">\n<pre>OUT_stdout\n</pre>'
        in cell
    )
    assert (
        '<div class="jp-RenderedText jp-OutputArea-output" tabindex="0" data-mime-type="application/vnd.jupyter.stderr">\n<pre>OUT_stderr\n</pre>'
        in cell
    )


def test_execute_result_with_its_prompt(outputs_page):
    cell = cell_html(outputs_page, "cell-2")
    assert '<div class="jp-OutputPrompt jp-OutputArea-prompt">Out[2]:</div>' in cell
    assert re.search(r'data-mime-type="text/plain">\s*<pre>OUT_result_42</pre>', cell)


def test_html_output_is_kept_as_html(outputs_page):
    cell = cell_html(outputs_page, "cell-3")
    assert 'data-mime-type="text/html">' in cell
    assert '<table border="1" class="dataframe">' in cell
    assert "<td>OUT_html_cell</td>" in cell
    assert "&lt;table" not in cell
    assert "   word  weight" not in cell  # the text/plain alternative is not shown too


def test_markdown_output_is_rendered(outputs_page):
    cell = cell_html(outputs_page, "cell-4")
    assert 'data-mime-type="text/markdown">' in cell
    assert "<p>OUT_markdown with <strong>bold words</strong></p>" in cell
    assert "IPython.core.display.Markdown" not in cell


def test_latex_output_becomes_mathml(outputs_page):
    cell = cell_html(outputs_page, "cell-5")
    assert 'data-mime-type="text/latex">' in cell
    assert "<math><mfrac><mi>a</mi><mi>b</mi></mfrac></math>" in cell
    assert "\\frac" not in cell


def test_png_and_jpeg_outputs_are_data_uris(outputs_page):
    nb = json.loads(fixture_text("outputs.ipynb"))
    png = nb["cells"][6]["outputs"][0]["data"]["image/png"]
    jpeg = "".join(nb["cells"][7]["outputs"][0]["data"]["image/jpeg"])
    assert f'<img src="data:image/png;base64,{png}" alt="OUT_alt_from_output" width="40">' in cell_html(
        outputs_page, "cell-6"
    )
    assert f'<img src="data:image/jpeg;base64,{jpeg}" alt="OUT_alt_from_cell">' in cell_html(
        outputs_page, "cell-7"
    )


def test_svg_output_is_an_img_data_uri_never_inline_svg(outputs_page):
    svg = json.loads(fixture_text("outputs.ipynb"))["cells"][8]["outputs"][0]["data"]["image/svg+xml"]
    svg = "".join(svg) if isinstance(svg, list) else svg
    encoded = base64.b64encode(svg.encode()).decode()
    cell = cell_html(outputs_page, "cell-8")
    assert f'<img src="data:image/svg+xml;base64,{encoded}" alt="Figure produite par le notebook">' in cell
    assert "<svg" not in notebook_body(outputs_page)
    assert "<circle" not in outputs_page


def test_json_output_is_shown_as_indented_text(outputs_page):
    cell = cell_html(outputs_page, "cell-9")
    match = re.search(r'<div class="jp-RenderedJSON[^"]*"[^>]*>\s*<pre>(.*?)</pre>', cell, re.S)
    assert match, "no JSON output block"
    assert unescape(match.group(1)) == json.dumps(
        {"name": "OUT_json", "values": [1, 2]}, indent=2, sort_keys=True
    )


def test_error_output_ansi_colours_become_classes(outputs_page):
    cell = cell_html(outputs_page, "cell-10")
    assert '<span class="ansi-red-fg">ZeroDivisionError</span>: division by zero' in cell
    assert 'class="ansi-green-fg"' in cell
    assert '<span class="ansi-green-fg">OUT_green</span>' in cell_html(
        outputs_page, "cell-1"
    )  # ANSI in a stream too
    assert "\x1b" not in outputs_page
    assert "[0;31m" not in outputs_page and "[32m" not in outputs_page


# ----------------------------------------------------------------------------------------------
# alt text of images


def test_image_alt_text_from_output_then_cell_then_course_language(outputs_page):
    alts = [attrs["alt"] for attrs in Elements(notebook_body(outputs_page)).all("img")]
    # png: output metadata wins over the cell's; jpeg: the cell's; svg: the French default
    assert alts == ["OUT_alt_from_output", "OUT_alt_from_cell", "Figure produite par le notebook"]


@pytest.mark.parametrize(
    "language, default",
    [("en", "Figure produced by the notebook"), ("fr", "Figure produite par le notebook")],
)
def test_default_image_alt_follows_the_course_language(make_course, language, default):
    image = base64.b64encode(png_bytes(1, 1, b"\x00\x00\x00")).decode()
    text = notebook_of(
        v4.new_markdown_cell("# Figures"),
        code_cell("plot()", [display({"image/png": image, "text/plain": "<Figure>"})]),
    )
    root = make_course({"course.yml": f"language: {language}\n", "notebooks/A/fig.ipynb": text})
    _, site = build(root)
    assert [attrs["alt"] for attrs in Elements(read(site, "A/notebooks/fig.html")).all("img")] == [default]


# ----------------------------------------------------------------------------------------------
# cell tags and course-wide display settings


def test_hide_tags_collapse_behind_localised_details(showcase):
    page = read(showcase[1], "A/notebooks/tags.html")
    hide_input = cell_html(page, "cell-2")
    assert re.search(
        r'<details class="cell-toggle cell-toggle-input"><summary>Afficher le code</summary>.*?SRC_hide_input.*?</details>',
        hide_input,
        re.S,
    )
    assert "OUT_hide_input" in hide_input.split("</details>", 1)[1]  # the output stays visible
    hide_output = cell_html(page, "cell-3")
    assert re.search(
        r'<details class="cell-toggle cell-toggle-output"><summary>Afficher la sortie</summary>.*?OUT_hide_output.*?</details>',
        hide_output,
        re.S,
    )
    assert hide_output.index("SRC_hide_output") < hide_output.index("<details")  # the code stays visible
    # hide-cell: the whole cell (code and output) inside one <details>
    whole = re.search(
        r'<details class="cell-toggle cell-toggle-cell"><summary>Afficher la cellule</summary>\s*<div id="cell-id=cell-4"(.*?)</details>',
        page,
        re.S,
    )
    assert whole, "the hide-cell cell is wrapped in <details>"
    assert "SRC_hide_cell" in whole.group(1) and "<pre>OUT_hide_cell\n</pre>" in whole.group(1)
    assert "<details" not in whole.group(1)
    plain = cell_html(page, "cell-1")
    assert "<details" not in plain and "SRC_plain" in plain and "OUT_plain" in plain


def test_remove_tags_leave_nothing_in_the_page(showcase):
    page = read(showcase[1], "A/notebooks/tags.html")
    assert "SRC_remove_input" not in page  # the code of the remove-input cell
    assert "<pre>OUT_remove_input\n</pre>" in page  # … whose output stays
    assert "<pre>OUT_remove_output\n</pre>" not in page  # the output of the remove-output cell
    assert "SRC_remove_output" in page  # … whose code stays
    assert "SRC_remove_cell" not in page and "OUT_remove_cell" not in page
    assert "cell-id=cell-7" not in page  # the removed cell itself
    assert [int(n) for n in re.findall(r'id="cell-id=cell-(\d+)"', page)] == [0, 1, 2, 3, 4, 5, 6, 8]


def test_english_summaries(make_course):
    text = notebook_of(
        code_cell("a = 1", [v4.new_output("stream", name="stdout", text="x\n")], tags=["hide-input"]),
        code_cell("b = 2", [v4.new_output("stream", name="stdout", text="y\n")], tags=["hide-output"]),
        code_cell("c = 3", [v4.new_output("stream", name="stdout", text="z\n")], tags=["hide-cell"]),
    )
    root = make_course({"notebooks/A/t.ipynb": text})
    _, site = build(root)
    summaries = re.findall(r"<summary>(.*?)</summary>", read(site, "A/notebooks/t.html"))
    assert summaries == ["Show code", "Show output", "Show cell"]


def test_course_wide_hide_input_with_notebook_override_and_show_input(make_course):
    cells = (
        code_cell("first_code = 1", [v4.new_output("stream", name="stdout", text="first\n")]),
        code_cell(
            "kept_open = 2", [v4.new_output("stream", name="stdout", text="second\n")], tags=["show-input"]
        ),
    )
    own = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "coursegen": {"hide_input": False},
    }
    root = make_course(
        {
            "course.yml": "notebooks:\n  hide_input: true\n",
            "notebooks/A/hidden.ipynb": notebook_of(*cells),
            "notebooks/A/shown.ipynb": notebook_of(
                *[nbformat.from_dict(json.loads(json.dumps(c))) for c in cells], metadata=own
            ),
        }
    )
    result, site = build(root)
    assert not result.diagnostics.problems, formatted(result)
    hidden = read(site, "A/notebooks/hidden.html")
    assert re.search(
        r'<details class="cell-toggle cell-toggle-input"><summary>Show code</summary>.*?first_code.*?</details>',
        cell_html(hidden, "cell-0"),
        re.S,
    )
    assert "<details" not in cell_html(hidden, "cell-1"), "a cell tagged show-input stays open"
    assert "kept_open" in cell_html(hidden, "cell-1")
    assert "first\n" in cell_html(hidden, "cell-0").split("</details>")[1], "outputs stay visible"
    shown = read(site, "A/notebooks/shown.html")
    assert "<details" not in notebook_body(shown), "metadata.coursegen.hide_input: false overrides course.yml"


# ----------------------------------------------------------------------------------------------
# the page around the cells


def test_download_link_points_to_a_byte_identical_copy(make_course):
    content_nb = notebook_json(
        "# In content", ("code", "print(1)", [v4.new_output("stream", name="stdout", text="1\n")])
    )
    root = make_course(
        {
            "content/A/index.md": "# A\n",
            "content/A/analysis.ipynb": content_nb,
            "notebooks/A/outputs.ipynb": fixture_text("outputs.ipynb"),
        }
    )
    _, site = build(root)
    for url, source in (
        ("A/analysis", "content/A/analysis.ipynb"),
        ("A/notebooks/outputs", "notebooks/A/outputs.ipynb"),
    ):
        downloads = [attrs for attrs in Elements(read(site, url + ".html")).all("a") if "download" in attrs]
        assert [attrs["href"] for attrs in downloads] == [Path(url).name + ".ipynb"]
        assert (site / (url + ".ipynb")).read_bytes() == (root / source).read_bytes()


def test_colab_and_binder_links_from_course_launch_settings(make_course):
    root = make_course(
        {
            "course.yml": "launch:\n  repository: owner/repo\n  branch: main\n",
            "content/A/index.md": "# A\n",
            "content/A/analysis.ipynb": notebook_json("# In content"),
            "notebooks/A/outputs.ipynb": fixture_text("outputs.ipynb"),
        }
    )
    result, site = build(root)
    assert not result.diagnostics.problems, formatted(result)
    for url, path in (
        ("A/analysis.html", "content/A/analysis.ipynb"),
        ("A/notebooks/outputs.html", "notebooks/A/outputs.ipynb"),
    ):
        links = {a.get("href") for a in Elements(read(site, url)).all("a")}
        assert f"https://colab.research.google.com/github/owner/repo/blob/main/{path}" in links
        assert f"https://mybinder.org/v2/gh/owner/repo/main?labpath={path}" in links
        page = read(site, url)
        assert ">Open in Colab</a>" in page and ">Launch on Binder</a>" in page


def test_no_launch_links_without_launch_settings(showcase, outputs_page):
    assert "colab.research.google.com" not in outputs_page
    assert "mybinder.org" not in outputs_page


def test_notebook_page_links_back_to_its_lessons_with_breadcrumbs_and_pager(make_course):
    root = make_course(
        {
            "content/A/index.md": "# Module A\n",
            "content/A/01_first.md": "---\nnotebook: A/demo.ipynb\n---\n# First lesson\n",
            "content/A/02_second.md": "---\nnotebook: ../../notebooks/A/demo.ipynb\n---\n# Second lesson\n",
            "content/A/03_third.md": "# Third lesson\n",
            "notebooks/A/demo.ipynb": notebook_json("# Demo notebook", "x = 1"),
            "notebooks/A/zz_last.ipynb": notebook_json("# Last notebook"),
        }
    )
    result, site = build(root)
    assert not result.diagnostics.problems, formatted(result)
    page = read(site, "A/notebooks/demo.html")
    lessons = re.search(r'<p class="notebook-lessons">(.*?)</p>', page, re.S)
    assert lessons, "the notebook page lists the lessons that use it"
    assert re.findall(r'<a class="chip-link" href="([^"]+)">([^<]+)</a>', lessons.group(1)) == [
        ("../01_first.html", "First lesson"),
        ("../02_second.html", "Second lesson"),
    ]
    assert '<span class="notebook-lessons-label">Used in</span>' in lessons.group(1)
    crumbs = re.search(r'<nav class="container breadcrumbs"[^>]*>(.*?)</nav>', page, re.S).group(1)
    assert re.findall(r'<a href="([^"]+)">(?:<span[^>]*>[^<]*</span>)?([^<]+)</a>', crumbs) == [
        ("../../index.html", "Home"),
        ("../index.html", "Module A"),
    ]
    assert '<span aria-current="page">Demo notebook</span>' in crumbs
    assert re.search(r'<a class="pager-link pager-prev" href="../03_third.html" rel="prev">', page)
    assert re.search(r'<a class="pager-link pager-next" href="zz_last.html" rel="next">', page)
    # and the lesson links to the notebook page
    assert 'href="notebooks/demo.html"' in read(site, "A/01_first.html")


# ----------------------------------------------------------------------------------------------
# the conversion cache


@pytest.fixture
def count_conversions(monkeypatch):
    calls: list[str] = []
    original = NotebookConverter.convert

    def counting(self, page, notebook, diagnostics):
        calls.append(page.rel)
        return original(self, page, notebook, diagnostics)

    monkeypatch.setattr(NotebookConverter, "convert", counting)
    return calls


def test_unchanged_notebooks_are_not_converted_again(make_course, count_conversions):
    root = make_course(
        {
            "notebooks/A/one.ipynb": notebook_json("# One", "x = 1"),
            "notebooks/A/two.ipynb": notebook_json("# Two", "y = 2"),
        }
    )
    build(root)
    assert sorted(count_conversions) == ["notebooks/A/one.ipynb", "notebooks/A/two.ipynb"]
    count_conversions.clear()
    _, site = build(root)
    assert count_conversions == []
    assert "y = 2" in unescape(re.sub(r"<[^>]+>", "", read(site, "A/notebooks/two.html")))
    (root / "notebooks/A/two.ipynb").write_text(notebook_json("# Two", "y = 3"), encoding="utf-8")
    _, site = build(root)
    assert count_conversions == ["notebooks/A/two.ipynb"]
    assert "y = 3" in unescape(re.sub(r"<[^>]+>", "", read(site, "A/notebooks/two.html")))


def test_deleting_the_cache_is_safe(make_course):
    root = make_course(
        {
            "content/A/l.md": "# L\n\n[nb](../../notebooks/A/outputs.ipynb)\n",
            "notebooks/A/outputs.ipynb": fixture_text("outputs.ipynb"),
        }
    )
    _, site = build(root)
    first = snapshot(site)
    assert (root / CACHE_DIR).is_dir()
    build(root)
    assert snapshot(site) == first, "a cached build gives the same site"
    shutil.rmtree(root / CACHE_DIR)
    build(root)
    assert snapshot(site) == first, "a build after deleting the cache gives the same site"


def test_clean_option_removes_the_cache(make_course, count_conversions, capsys):
    root = make_course({"notebooks/A/one.ipynb": notebook_json("# One", "x = 1")})
    assert main(["build", str(root), "-q", "-j", "1"]) == 0
    assert count_conversions == ["notebooks/A/one.ipynb"]
    sentinel = root / CACHE_DIR / "bodies" / "sentinel.json"
    sentinel.write_text("{}", encoding="utf-8")
    count_conversions.clear()
    assert main(["build", str(root), "-q", "-j", "1"]) == 0
    assert count_conversions == [] and sentinel.exists()
    assert main(["build", str(root), "--clean", "-q", "-j", "1"]) == 0
    assert not sentinel.exists(), "--clean deleted the old cache"
    assert count_conversions == ["notebooks/A/one.ipynb"], "and the notebook was converted again"


@pytest.fixture(scope="module")
def example_course(tmp_path_factory):
    """The repository's example course (content/, notebooks/, course.yml), copied: builds write a cache."""
    root = tmp_path_factory.mktemp("example") / "course"
    root.mkdir()
    for name in ("content", "notebooks"):
        shutil.copytree(
            REPO / name,
            root / name,
            ignore=shutil.ignore_patterns(".coursegen-cache", "site", ".ipynb_checkpoints"),
        )
    shutil.copy2(REPO / "course.yml", root / "course.yml")
    return root


def test_cache_speed_up_on_the_example_course(example_course, capsys):
    """Not a timing assertion: prints clean vs cached build times of the example course."""
    root = example_course
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    timings = {}
    for label in ("clean (first in process)", "cached", "clean again", "cached again"):
        if label.startswith("clean"):
            shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
        started = time.perf_counter()
        result = run_build(root, root / "site")
        timings[label] = time.perf_counter() - started
        assert result.written and not result.diagnostics.errors
    with capsys.disabled():
        print(
            f"\n[example course, {result.pages} pages, {result.notebooks} notebooks] "
            + ", ".join(f"{label}: {seconds * 1000:.0f} ms" for label, seconds in timings.items())
            + f"; speed-up {timings['clean again'] / timings['cached again']:.1f}x"
        )


def test_example_notebooks_convert_without_warnings(example_course):
    result = run_build(example_course, example_course / "site", cache=False)
    notebooks = sorted((REPO / "notebooks/module6").glob("*.ipynb"))
    assert len(notebooks) == 2
    about_notebooks = [line for line in formatted(result) if line.startswith("notebooks/")]
    assert about_notebooks == []
    assert not result.diagnostics.errors and not result.diagnostics.warnings, formatted(result)
    for notebook in notebooks:
        page = read(example_course / "site", f"module6/notebooks/{notebook.stem}.html")
        assert 'class="jp-Cell jp-CodeCell' in page and "could not be rendered" not in page
        assert (
            example_course / "site" / f"module6/notebooks/{notebook.name}"
        ).read_bytes() == notebook.read_bytes()


# ----------------------------------------------------------------------------------------------
# broken notebooks


JSON_HINT = "its cells can't be read on their own either: mend the JSON in a text editor (a stray line break inside a string? a merge conflict?) or restore the file"


def stray_newline_notebook() -> tuple[str, int, int]:
    """A notebook with a raw line break inside a string of a cell (the cells can't be read, so
    nothing is salvaged), and the decoder's position."""
    text = notebook_json("# Broken", "x = 1").replace('"x = 1"', '"x =\n1"')
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads(text)
    assert caught.value.msg == "Invalid control character at"
    assert text.splitlines()[caught.value.lineno - 1].strip() == '"x ='  # inside a cell
    return text, caught.value.lineno, caught.value.colno


def test_invalid_json_is_reported_with_the_decoders_position(make_course, capsys):
    text, line, col = stray_newline_notebook()
    root = make_course(
        {
            "content/A/index.md": "# A\n",
            "content/A/01_lesson.md": "---\nnotebook: A/n.ipynb\n---\n# Lesson\n\nOpen [the notebook](../../notebooks/A/n.ipynb).\n",
            "content/A/02_next.md": "# Next lesson\n",
            "notebooks/A/n.ipynb": text,
            "notebooks/A/good.ipynb": notebook_json("# Good one", "y = 2"),
        }
    )
    result, site = build(root)
    assert messages(result, "error") == [
        f"notebooks/A/n.ipynb:{line}:{col}: error[notebook]: not valid JSON — Invalid control character — {JSON_HINT}"
    ]
    # its page says so, and the .ipynb can still be downloaded
    page = read(site, "A/notebooks/n.html")
    assert "This notebook could not be rendered" in page
    assert (
        f'<pre class="error-message" lang="en">not valid JSON — Invalid control character (line {line}, column {col})</pre>'
        in page
    )
    assert 'href="n.ipynb" download' in page
    assert (site / "A/notebooks/n.ipynb").read_bytes() == text.encode()
    # links to it still work, and the rest of the site is built
    assert '<a href="notebooks/n.html">the notebook</a>' in read(site, "A/01_lesson.html")
    assert "y = 2" in unescape(re.sub(r"<[^>]+>", "", read(site, "A/notebooks/good.html")))
    assert (site / "A/02_next.html").is_file()
    # the command line fails
    assert main(["build", str(root), "-q", "-j", "1"]) == 1
    assert (
        f"notebooks/A/n.ipynb:{line}:{col}: error[notebook]: not valid JSON — Invalid control character"
        in capsys.readouterr().err
    )


def schema_broken(mutate) -> str:
    nb = json.loads(notebook_json("# Schema", "a = 1", "b = 2", "c = 3", "d = 4"))
    mutate(nb)
    return json.dumps(nb, indent=1)


SLIPS_HINT = "re-save it in Jupyter (or run `coursegen check --fix-notebooks`) to fix the file"


@pytest.mark.parametrize(
    "mutate, expected, shown",
    [
        pytest.param(
            lambda nb: nb["cells"][3].__setitem__("source", 5),
            "cells[3].source: not text (read as its JSON text)",
            "5",
            id="source-int",
        ),
        pytest.param(
            lambda nb: nb["cells"][3].pop("outputs"),
            "cells[3]: 'outputs' missing (set to [])",
            "d = 4",
            id="no-outputs",
        ),
        pytest.param(
            lambda nb: nb["cells"][3].__setitem__(
                "outputs", [{"output_type": "stream", "name": "stdout", "text": 5}]
            ),
            "cells[3].outputs[0].text: not text (read as its JSON text)",
            "<pre>5</pre>",
            id="output-text-int",
        ),
        pytest.param(
            lambda nb: nb["cells"][3].__setitem__("outputs", "oops"),
            "cells[3]: 'outputs' is not a list (dropped)",
            "d = 4",
            id="outputs-string",
        ),
        pytest.param(
            lambda nb: nb["cells"][3].__setitem__("outputs", 5),
            "cells[3]: 'outputs' is not a list (dropped)",
            "d = 4",
            id="outputs-int",
        ),
    ],
)
def test_schema_slips_are_repaired_with_a_warning_naming_the_json_path(make_course, mutate, expected, shown):
    root = make_course(
        {"notebooks/A/s.ipynb": schema_broken(mutate), "notebooks/A/ok.ipynb": notebook_json("# Fine")}
    )
    result, site = build(root)
    assert messages(result) == [
        f"notebooks/A/s.ipynb: warning[notebook]: 1 schema slip repaired in memory: {expected} — {SLIPS_HINT}"
    ]
    page = read(site, "A/notebooks/s.html")
    assert "could not be rendered" not in page
    assert shown in unescape(re.sub(r"<(?!/?pre>)[^>]+>", "", notebook_body(page)))
    assert (site / "A/notebooks/s.ipynb").read_bytes() == (
        root / "notebooks/A/s.ipynb"
    ).read_bytes()  # the download is the author's file
    assert (site / "A/notebooks/ok.html").is_file()


def test_nbformat_5_is_refused(make_course):
    nb = json.loads(notebook_json("# Future"))
    nb["nbformat"] = 5
    root = make_course({"notebooks/A/f.ipynb": json.dumps(nb)})
    result, site = build(root)
    assert messages(result, "error") == [
        "notebooks/A/f.ipynb: error[notebook]: notebook format 5 is not supported (expected 4) — fix the notebook in Jupyter; its page shows this error meanwhile"
    ]
    assert "could not be rendered" in read(site, "A/notebooks/f.html")


def test_nbformat_3_is_upgraded_with_a_warning(make_course):
    root = make_course({"notebooks/A/old.ipynb": fixture_text("v3.ipynb")})
    result, site = build(root)
    assert messages(result) == [
        "notebooks/A/old.ipynb: warning[notebook]: notebook format 3 upgraded to 4 for rendering — open and save it in a current Jupyter to upgrade the file"
    ]
    page = read(site, "A/notebooks/old.html")
    assert "could not be rendered" not in page
    assert "<pre>OUT_v3\n</pre>" in page
    assert "Written by IPython 2." in page
    assert '<span class="nb">print</span>' in page
    assert (site / "A/notebooks/old.ipynb").read_bytes() == (
        root / "notebooks/A/old.ipynb"
    ).read_bytes()  # the file is not rewritten


def test_nbformat_3_title_comes_from_its_first_heading(make_course):
    root = make_course({"notebooks/A/old.ipynb": fixture_text("v3.ipynb")})
    _, site = build(root)
    assert '<span aria-current="page">An old notebook</span>' in read(site, "A/notebooks/old.html")


def test_lesson_notebook_that_points_nowhere_is_an_error_at_its_line(make_course):
    root = make_course(
        {
            "content/A/index.md": "# A\n",
            "content/A/01_lesson.md": "---\ntitle: Lesson\nduration: 10 min\nnotebook: A/qqqqq-zzzzzzz.ipynb\n---\nText.\n",
        }
    )
    result, site = build(root)
    assert messages(result) == [
        "content/A/01_lesson.md:4: error[notebook]: notebook 'A/qqqqq-zzzzzzz.ipynb' not found (looked for content/A/A/qqqqq-zzzzzzz.ipynb, notebooks/A/A/qqqqq-zzzzzzz.ipynb, "
        "notebooks/A/qqqqq-zzzzzzz.ipynb) — give its path from the lesson, from notebooks/A/ or from notebooks/"
    ]
    assert (site / "A/01_lesson.html").is_file()


# ----------------------------------------------------------------------------------------------
# safety: metadata injection and active outputs


PAYLOAD_MARKERS = (
    "<script>alert",
    ' onmouseover="alert',
    'href="javascript:',
    "src=\"javascript:",
    "</title><script",
)


@pytest.mark.filterwarnings("ignore:No lexer found:UserWarning")  # the payload is no lexer name
@pytest.mark.parametrize("sanitize", [False, True], ids=["default", "sanitize"])
def test_metadata_injection_never_survives(make_course, sanitize):
    root = make_course(
        {
            "course.yml": f"notebooks:\n  sanitize: {str(sanitize).lower()}\n",
            "notebooks/A/inject.ipynb": fixture_text("inject.ipynb"),
        }
    )
    result, site = build(root)
    assert not result.diagnostics.errors, formatted(result)
    for url in ("A/notebooks/inject.html", "A/index.html", "index.html"):
        page = read(site, url)
        for marker in PAYLOAD_MARKERS:
            assert marker not in page, f"{marker!r} in {url}"
        assert active_content(page) == [], url
    page = read(site, "A/notebooks/inject.html")
    # the payloads are shown as text where they are shown at all
    assert (
        '<h1 class="notebook-title"><span class="title-icon" aria-hidden="true">📓</span> &#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#34; onmouseover=&#34;alert(1)</h1>'
        in page
    )
    assert Elements(page).all("title")  # one title, still closed properly
    assert page.count("<title>") == 1 and page.count("</title>") == 1
    # attachments named with payloads are inlined as images, not as markup
    markdown = cell_html(page, "cell-1")
    assert markdown.count('src="data:image/png;base64,') >= 2
    # image alt text with quotes stays inside its attribute
    alts = {attrs["alt"] for attrs in Elements(page).all("img")}
    assert '" onmouseover="alert(1)' in alts and '"><script>alert(1)</script>' in alts


def test_active_outputs_render_as_nbconvert_does_with_a_note(make_course):
    root = make_course({"notebooks/A/active.ipynb": fixture_text("active.ipynb")})
    result, site = build(root)
    notes = [line for line in formatted(result) if ": note[notebook]: " in line]
    assert notes == [
        "notebooks/A/active.ipynb: note[notebook]: outputs carry active content (JavaScript, scripts in HTML), shown as in Jupyter — set notebooks.sanitize: true in course.yml to strip it"
    ]
    assert not result.diagnostics.problems, formatted(result)  # a note never fails a build
    body = notebook_body(read(site, "A/notebooks/active.html"))
    assert "<script>alert('ACTIVE_script_html')</script>" in body
    assert "onclick=\"alert('ACTIVE_onclick')\"" in body
    assert "<a href=\"javascript:alert('ACTIVE_href')\">link</a>" in body
    assert "<script>alert('ACTIVE_script_md')</script>" in body
    # SVG stays inert even by default: an <img> data URI, never inline markup
    assert "ACTIVE_svg" not in body and "<svg" not in body
    assert main(["build", str(root), "--strict", "-q", "-j", "1"]) == 0


DISPLAY_PRIORITY_BUG = (
    "BUG: NotebookConverter replaces HTMLExporter's display_data_priority with NbConvertBase's default + "
    "application/json, which drops application/javascript and the widget-view mimetype: such outputs fall back "
    "to text/plain (while the note says 'shown as in Jupyter'), and the widget note is never shown"
)


def test_javascript_output_renders_as_nbconvert_does(make_course):
    root = make_course({"notebooks/A/active.ipynb": fixture_text("active.ipynb")})
    _, site = build(root)
    cell = cell_html(read(site, "A/notebooks/active.html"), "cell-2")
    assert "<script>\nalert('ACTIVE_js_output')\n</script>" in cell
    assert "&lt;Javascript&gt;" not in cell


def test_widget_output_shows_the_localised_widget_note(make_course):
    widget = {"model_id": "abc", "version_major": 2, "version_minor": 0}
    text = notebook_of(
        code_cell(
            "slider",
            [
                display(
                    {"application/vnd.jupyter.widget-view+json": widget, "text/plain": "IntSlider(value=3)"}
                )
            ],
        )
    )
    root = make_course({"course.yml": "language: fr\n", "notebooks/A/w.ipynb": text})
    _, site = build(root)
    cell = cell_html(read(site, "A/notebooks/w.html"), "cell-0")
    assert (
        "<p class=\"widget-note\">Widget interactif\u00a0: exécutez le notebook pour l&#39;utiliser.</p>"
        in cell
        or (
            "<p class=\"widget-note\">Widget interactif\u00a0: exécutez le notebook pour l'utiliser.</p>"
            in cell
        )
    )
    assert "IntSlider(value=3)" not in cell


def test_script_in_a_markdown_output_gets_the_note(make_course):
    text = notebook_of(
        code_cell("Markdown(...)", [display({"text/markdown": "<script>alert('md')</script> **x**"})])
    )
    root = make_course({"notebooks/A/md.ipynb": text})
    result, site = build(root)
    assert "<script>alert('md')</script>" in read(site, "A/notebooks/md.html")
    assert [line for line in formatted(result) if ": note[notebook]: " in line and "active content" in line]


def test_sanitize_strips_scripts_handlers_and_javascript_urls(make_course):
    root = make_course(
        {
            "course.yml": "notebooks:\n  sanitize: true\n",
            "notebooks/A/active.ipynb": fixture_text("active.ipynb"),
        }
    )
    result, site = build(root)
    assert not [line for line in formatted(result) if "active content" in line], (
        "nothing to warn about once sanitized"
    )
    page = read(site, "A/notebooks/active.html")
    assert active_content(page) == []
    assert "<script>alert" not in page
    assert "<script>\nalert('ACTIVE_js_output')" not in page
    assert 'href="javascript:' not in page
    assert "OUT_cell" in page  # the harmless part of the HTML output stays


def test_sanitize_keeps_ordinary_markdown(make_course):
    root = make_course(
        {
            "course.yml": "notebooks:\n  sanitize: true\n",
            "notebooks/A/active.ipynb": fixture_text("active.ipynb"),
        }
    )
    _, site = build(root)
    body = notebook_body(read(site, "A/notebooks/active.html"))
    assert "&lt;p&gt;" not in body and "&lt;math" not in body and "&lt;tbody&gt;" not in body
    assert "<p>A normal paragraph with <strong>bold</strong>" in body
    assert "<math" in body
    assert "<strong>OUT_md_bold</strong>" in body


# ----------------------------------------------------------------------------------------------
# scale


@pytest.mark.slow
def test_a_20_mb_notebook_converts_with_bounded_memory(tmp_path, capsys):
    rng = random.Random(20)
    width = height = 180  # ~97 KB of incompressible pixels per image
    outputs = []
    for index in range(160):
        image = png_bytes(width, height, rng.randbytes(width * height * 3))
        outputs.append(
            display({"image/png": base64.b64encode(image).decode(), "text/plain": f"<Figure {index}>"})
        )
    cells = [v4.new_markdown_cell("# Many figures")] + [
        code_cell(f"plot({i})", outputs[i : i + 8]) for i in range(0, len(outputs), 8)
    ]
    root = write_tree(
        tmp_path / "course", {"content/index.md": "# Home\n", "notebooks/A/big.ipynb": notebook_of(*cells)}
    )
    size = (root / "notebooks/A/big.ipynb").stat().st_size
    assert 19e6 < size < 23e6, size

    measure = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run([sys.executable, '-m', 'coursegen', 'build', sys.argv[1], '-j', '1'], capture_output=True, text=True)\n"
        "sys.stdout.write(done.stderr + done.stdout)\n"
        "print('EXIT', done.returncode)\n"
        "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-c", measure, str(root)], capture_output=True, text=True, timeout=300
    )
    seconds = time.perf_counter() - started
    output = run.stdout
    assert "EXIT 0" in output, output + run.stderr
    peak_mb = int(re.search(r"MAXRSS_KB (\d+)", output).group(1)) / 1024  # Linux reports KiB
    page = root / "site/A/notebooks/big.html"
    page_mb = len(page.read_text(encoding="utf-8")) / 1e6  # the build measures characters
    with capsys.disabled():
        print(
            f"\n[20 MB notebook] file {size / 1e6:.1f} MB, page {page_mb:.1f} MB, build {seconds:.1f} s, peak RSS of the build process {peak_mb:.0f} MB"
        )
    assert peak_mb < 800
    expected = f"notebooks/A/big.ipynb: warning[files]: the page weighs {page_mb:.1f} MB: slow to load, especially on phones — split it, or store smaller images (lower dpi, JPEG for photos)"
    assert expected in output.splitlines(), output
    assert len(Elements(page.read_text(encoding="utf-8")).all("img")) == 160
