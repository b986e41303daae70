"""Markdown rendering: extensions, heading ids and table of contents, math, and links rewritten on
the course graph (unit level through MarkdownRenderer, and end to end through full builds)."""

from __future__ import annotations

import json
import re

import pytest
from conftest import formatted, notebook_json, render_markdown_page, run_build

from coursegen.mathml import latex_to_mathml
from coursegen.slugs import heading_slug


@pytest.fixture
def render(make_course):
    """render(markdown, **other_files) → (html, RenderedMarkdown, messages) for content/A/x.md."""

    def go(text: str, files: dict | None = None):
        root = make_course({"content/A/x.md": text, **(files or {})})
        rendered, diagnostics = render_markdown_page(root, "A/x.html")
        return rendered.html, rendered, formatted(diagnostics)

    return go


# ----------------------------------------------------------------------------------------------
# extensions


@pytest.mark.parametrize(
    "markdown, expected",
    [
        (
            "| a | b |\n|---|---|\n| 1 | 2 |\n",
            "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>",
        ),
        ("Term\n:   Definition\n", "<dl>\n<dt>Term</dt>\n<dd>Definition</dd>\n</dl>"),
        (
            "!!! note \"Attention\"\n    Body.\n",
            '<div class="admonition note">\n<p class="admonition-title">Attention</p>\n<p>Body.</p>\n</div>',
        ),
        (
            "!!! warning\n    Careful.\n",
            '<div class="admonition warning">\n<p class="admonition-title">Warning</p>\n<p>Careful.</p>\n</div>',
        ),
        (
            "??? tip \"Solution\"\n    Hidden.\n",
            '<details class="tip">\n<summary>Solution</summary>\n<p>Hidden.</p>\n</details>',
        ),
        (
            "- [x] done\n- [ ] todo\n",
            # each checkbox is named by its item, for screen readers
            '<ul class="task-list">\n<li class="task-list-item"><input aria-label="done" type="checkbox" disabled checked/> done</li>\n<li class="task-list-item"><input aria-label="todo" type="checkbox" disabled/> todo</li>\n</ul>',
        ),
        ("Paragraph\n{: .special #custom-id }\n", '<p class="special" id="custom-id">Paragraph</p>'),
        (
            "![alt](https://example.org/p.png){: width=\"200\" }\n",
            '<p><img alt="alt" src="https://example.org/p.png" width="200"></p>',
        ),
        (
            '<div class="box" markdown="1">\n**bold** and *em*\n</div>\n',
            '<div class="box">\n<p><strong>bold</strong> and <em>em</em></p>\n</div>',
        ),
        (
            "1. one\n2. two\n\n- a\n- b\n",
            "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>",
        ),
        (
            "<script>alert(1)</script>\n",
            "<script>alert(1)</script>",
        ),  # author HTML passes (documented trust model)
    ],
)
def test_extension_output(render, markdown, expected):
    html, _, messages = render(markdown)
    assert messages == []
    assert html == expected


def test_fenced_code_is_highlighted_by_pygments(render):
    html, _, _ = render("```python\ndef f(x):\n    return x\n```\n")
    assert html.startswith('<div class="highlight"><pre><span></span><code>')
    assert '<span class="k">def</span>' in html
    assert '<span class="nf">f</span>' in html
    assert html.endswith("</code></pre></div>")


def test_fenced_code_without_language_is_not_guessed(render):
    html, _, _ = render("```\ndef f(x): return x\n```\n")
    assert html == '<div class="highlight"><pre><span></span><code>def f(x): return x\n</code></pre></div>'


def test_code_keeps_markup_characters_escaped(render):
    html, _, _ = render("```html\n<b>$x$ & [a](b.md)</b>\n```\n\nInline `<i>$y$</i>` too.\n")
    assert "<b>" not in html and "<math" not in html and 'href="b.html"' not in html
    assert "<code>&lt;i&gt;$y$&lt;/i&gt;</code>" in html


def test_footnotes(render):
    html, rendered, messages = render("Text with a note[^1].\n\n[^1]: The footnote.\n")
    assert messages == []
    assert (
        '<p>Text with a note<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>.</p>' in html
    )
    assert '<div class="footnote">' in html
    assert (
        '<li id="fn:1">\n<p>The footnote.&#160;<a class="footnote-backref" href="#fnref:1" title="">&#8617;</a></p>'
        in html
    )
    assert {"fn:1", "fnref:1"} <= rendered.anchors


# ----------------------------------------------------------------------------------------------
# headings: ids and table of contents


@pytest.mark.parametrize(
    "text, slug",
    [
        ("Mécanismes d'attention", "mécanismes-dattention"),
        ("Query, Key & Value", "query-key-value"),
        ("Le déclic de 2017", "le-déclic-de-2017"),
        ("  Spaces  around ", "spaces-around"),
        ("Étape 1 : préparer", "étape-1-préparer"),
    ],
)
def test_heading_slug(text, slug):
    assert heading_slug(text) == slug


def test_heading_ids_toc_and_anchors(render):
    html, rendered, messages = render(
        "# Title\n\n## Intro\n\n### Sub part\n\n#### Too deep\n\n## Mécanismes d'attention\n\n## Intro\n\n## Code `x` & co\n"
    )
    assert messages == []
    assert '<h2 id="intro">Intro<a class="headerlink" href="#intro">#</a></h2>' in html
    assert (
        '<h2 id="mécanismes-dattention">Mécanismes d\'attention<a class="headerlink" href="#mécanismes-dattention">#</a></h2>'
        in html
    )
    assert '<h2 id="intro_1">' in html  # a repeated heading gets a distinct id
    assert rendered.toc == [
        {
            "id": "intro",
            "title": "Intro",
            "level": 2,
            "children": [{"id": "sub-part", "title": "Sub part", "level": 3, "children": []}],
        },
        {"id": "mécanismes-dattention", "title": "Mécanismes d'attention", "level": 2, "children": []},
        {"id": "intro_1", "title": "Intro", "level": 2, "children": []},
        {"id": "code-x-co", "title": "Code x & co", "level": 2, "children": []},
    ]
    assert rendered.anchors == {
        "intro",
        "sub-part",
        "too-deep",
        "mécanismes-dattention",
        "intro_1",
        "code-x-co",
    }


def test_custom_heading_id(render):
    html, rendered, _ = render("## Une partie {#part}\n")
    assert '<h2 id="part">Une partie' in html
    assert rendered.toc == [{"id": "part", "title": "Une partie", "level": 2, "children": []}]


# ----------------------------------------------------------------------------------------------
# math


INLINE = "<math>"
BLOCK = '<div class="math-display"><math display="block" class="tml-display" style="display:block math;">'


@pytest.mark.parametrize(
    "markdown, expected",
    [
        (
            "Inline $x^2$ here.",
            f'<p>Inline {INLINE}<msup><mi>x</mi><mn class="tml-sml-pad">2</mn></msup></math> here.</p>',
        ),
        ("Inline \\(x\\) here.", f"<p>Inline {INLINE}<mi>x</mi></math> here.</p>"),
        ("$$\n\\frac{a}{b}\n$$", f"{BLOCK}<mfrac><mi>a</mi><mi>b</mi></mfrac></math></div>"),
        ("\\[\nz\n\\]", f"{BLOCK}<mi>z</mi></math></div>"),
        # prices and escaped dollars stay text
        ("Un livre coûte 5 $ et un stylo 10 $.", "<p>Un livre coûte 5 $ et un stylo 10 $.</p>"),
        ("From $5 to $10.", "<p>From $5 to $10.</p>"),
        ("Escaped \\$x\\$ stays.", "<p>Escaped $x$ stays.</p>"),
        ("Code `$x$` stays.", "<p>Code <code>$x$</code> stays.</p>"),
    ],
)
def test_math(render, markdown, expected):
    html, _, messages = render(markdown + "\n")
    assert messages == []
    assert html == expected


def test_begin_environment_is_display_math(render):
    html, _, _ = render("\\begin{align}\na &= b\n\\end{align}\n")
    assert html.startswith(BLOCK + '<mtable displaystyle="true" class="tml-jot"')
    assert "<mtext>(1)</mtext>" in html  # align numbers its rows


def test_double_dollar_inside_a_paragraph_leaves_no_stray_dollars(render):
    html, _, _ = render("The energy $$E = mc^2$$ is famous.\n")
    assert "$" not in html
    assert "<math" in html


def test_invalid_latex_warns_with_its_line_and_is_shown_as_code(render):
    html, _, messages = render("# T\n\nText.\n\nBad $\\frac{1}{$ here.\n\n$$\n\\begin{foo} x\n$$\n")
    assert messages == [
        "content/A/x.md:5: warning[math]: invalid LaTeX '\\frac{1}{' (Unexpected end of input in a macro argument, expected '}') — shown as code; fix the formula",
        # where the block opens
        "content/A/x.md:7: warning[math]: unknown LaTeX environment 'foo' in '\\begin{foo} x' — shown as code; check its spelling (e.g. aligned, cases, pmatrix)",
    ]
    assert '<p>Bad <code class="math-error">\\frac{1}{</code> here.</p>' in html
    assert '<div class="math-display"><pre class="math-error">\n\\begin{foo} x\n</pre></div>' in html


INCOMPLETE = "it could not be read: is something missing, such as the argument of ^ or _?"


def test_invalid_latex_line_counts_front_matter(render):
    _, _, messages = render("---\ntitle: T\n---\n\nBad $x^$.\n")
    assert messages == [
        f"content/A/x.md:5: warning[math]: invalid LaTeX 'x^' ({INCOMPLETE}) — shown as code; fix the formula"
    ]


def test_invalid_latex_line_when_an_earlier_formula_starts_alike(render):
    _, _, messages = render("Fine $x^2$.\n\nBad $x^$.\n")
    assert messages == [
        f"content/A/x.md:3: warning[math]: invalid LaTeX 'x^' ({INCOMPLETE}) — shown as code; fix the formula"
    ]


def test_latex_to_mathml_raises_value_error():
    with pytest.raises(ValueError):
        latex_to_mathml("\\frac{1}{", False)


# ----------------------------------------------------------------------------------------------
# links, unit level


LINKED = {
    "content/A/other.md": "# Other\n\n## Part\n",
    "content/A/img/figure.png": b"png",
    "content/B/index.md": "# B\n",
    "notebooks/A/nb.ipynb": notebook_json("# NB", "1"),
}


@pytest.mark.parametrize(
    "markdown, expected",
    [
        ("[t](other.md)", '<a href="other.html">t</a>'),
        ("[t](other.md#part)", '<a href="other.html#part">t</a>'),
        ("[t](other.html)", '<a href="other.html">t</a>'),
        ("[t](<other.md>)", '<a href="other.html">t</a>'),
        ("[t](../B/)", '<a href="../B/index.html">t</a>'),
        ("[t](../B/index.md)", '<a href="../B/index.html">t</a>'),
        ("[t](../index.md)", '<a href="../index.html">t</a>'),
        ("[t](notebooks/nb.ipynb)", '<a href="notebooks/nb.html">t</a>'),
        ("[t](../../notebooks/A/nb.ipynb)", '<a href="notebooks/nb.html">t</a>'),
        ("![p](img/figure.png)", '<img alt="p" src="img/figure.png">'),
        ("[t](#part)", '<a href="#part">t</a>'),
        ("[t](https://example.org/other.md)", '<a href="https://example.org/other.md">t</a>'),
        ("[t](mailto:a@example.org)", '<a href="mailto:a@example.org">t</a>'),
        ("[t][ref]\n\n[ref]: other.md", '<a href="other.html">t</a>'),
        ('<div markdown="1">\n[t](other.md)\n</div>', '<a href="other.html">t</a>'),
    ],
)
def test_links_are_rewritten(render, markdown, expected):
    html, _, messages = render(markdown + "\n\n## Part\n", LINKED)
    assert messages == []
    assert expected in html


@pytest.mark.parametrize(
    "markdown, message",
    [
        (
            "[t](/absolute/other.md)",
            "content/A/x.md:1: warning[links]: absolute link '/absolute/other.md' breaks when the site is opened from a sub-folder or from a file — write it relative to this file, e.g. ../module6/index.md",
        ),
        (
            "[t](javascript:alert(1))",
            "content/A/x.md:1: warning[links]: link 'javascript:alert(1)' runs code in the reader's browser — link to a page or file instead (or set markdown.sanitize: true)",
        ),
        (
            '<a href="data:text/html,x">t</a>',
            "content/A/x.md:1: warning[links]: link 'data:text/html,x' runs code in the reader's browser — link to a page or file instead (or set markdown.sanitize: true)",
        ),
    ],
)
def test_links_left_as_written_that_break_or_run_code_warn(render, markdown, message):
    html, _, messages = render(markdown + "\n", LINKED)
    assert messages == [message]


def test_raw_html_link_to_a_lesson_is_rewritten_or_reported(render):
    html, _, messages = render('<p><a href="other.md">t</a></p>\n', LINKED)
    assert 'href="other.html"' in html or any("'other.md'" in message for message in messages)


def test_broken_link_warns_at_its_line_with_a_guess(render):
    html, _, messages = render(
        "---\ntitle: T\n---\n\nIntro.\n\nSee [it](othr.md) and ![p](img/figur.png).\n\n[anchor](#nope)\n",
        LINKED,
    )
    assert messages == [
        "content/A/x.md:7: warning[links]: image 'img/figur.png' leads nowhere — did you mean 'img/figure.png'?",
        "content/A/x.md:7: warning[links]: link 'othr.md' leads nowhere — did you mean 'other.md'?",
    ]  # anchors are checked once every page is rendered (see the full builds below)
    assert '<a href="othr.md">it</a>' in html  # left as written
    assert '<img alt="p" src="img/figur.png">' in html


def test_broken_link_line_when_the_target_is_mentioned_earlier(render):
    _, _, messages = render("Copy `tow.md` from the template.\n\n[bad](tow.md)\n", LINKED)
    assert len(messages) == 1
    assert messages[0].startswith("content/A/x.md:3: warning[links]: link 'tow.md' leads nowhere — ")


# ----------------------------------------------------------------------------------------------
# links, end to end (full builds)


SITE = {
    "content/index.md": "# Home\n\nStart with [module A](A/index.md).\n",
    "content/A/index.md": "# Module A\n\nOpen [the notebook](notebooks/x.ipynb) or [download it](notebooks/x.ipynb).\n",
    "content/A/01_lesson.md": (
        "# Lesson\n"  # 1
        "\n"  # 2
        "Go to [z](02_attention.md), [its part](02_attention.md#part), [as html](02_attention.html) and [the notebook](../../notebooks/A/x.ipynb).\n"  # 3
        "\n"  # 4
        "![diagram](images/diagram.svg)\n"  # 5
        "\n"  # 6
        "[external](https://example.org/y.md) and [mail](mailto:a@example.org).\n"  # 7
        "\n"  # 8
        "A [broken link](02_atention.md).\n"  # 9
        "\n"  # 10
        "A [broken anchor](02_attention.md#prat).\n"  # 11
    ),
    "content/A/02_attention.md": "# Attention\n\n## Part\n\nText.\n",
    "content/A/images/diagram.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    "notebooks/A/x.ipynb": notebook_json(
        "# The notebook\n\nBack to [the lesson](../../content/A/01_lesson.md).", ("code", "print(1)", [])
    ),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from conftest import write_tree

    root = write_tree(tmp_path_factory.mktemp("links") / "course", SITE)
    result = run_build(root, root.parent / "site")
    return root.parent / "site", formatted(result)


def read(site_dir, rel):
    return (site_dir / rel).read_text(encoding="utf-8")


def test_build_link_messages(site):
    _, messages = site
    assert messages == [
        "content/A/01_lesson.md:9: warning[links]: link '02_atention.md' leads nowhere — did you mean '02_attention.md'?",
        "content/A/01_lesson.md:11: warning[anchors]: anchor '02_attention.md#prat' leads nowhere — did you mean '#part'?",
    ]


@pytest.mark.parametrize(
    "page, anchor",
    [
        ("A/01_lesson.html", '<a href="02_attention.html">z</a>'),
        ("A/01_lesson.html", '<a href="02_attention.html#part">its part</a>'),
        ("A/01_lesson.html", '<a href="02_attention.html">as html</a>'),
        ("A/01_lesson.html", '<a href="notebooks/x.html">the notebook</a>'),
        ("A/01_lesson.html", '<img alt="diagram" src="images/diagram.svg">'),
        ("A/01_lesson.html", '<a href="https://example.org/y.md">external</a>'),
        ("A/01_lesson.html", '<a href="mailto:a@example.org">mail</a>'),
        ("A/01_lesson.html", '<a href="02_atention.md">broken link</a>'),
        ("A/01_lesson.html", '<a href="02_attention.html#prat">broken anchor</a>'),
        ("A/index.html", '<a href="notebooks/x.html">the notebook</a>'),
        ("index.html", '<a href="A/index.html">module A</a>'),
        ("A/notebooks/x.html", '<a href="../01_lesson.html">the lesson</a>'),
    ],
)
def test_built_links(site, page, anchor):
    site_dir, _ = site
    assert anchor in read(site_dir, page)


def test_linked_files_are_published(site):
    site_dir, _ = site
    assert (site_dir / "A/images/diagram.svg").read_text() == SITE["content/A/images/diagram.svg"]
    assert json.loads((site_dir / "A/notebooks/x.ipynb").read_text()) == json.loads(
        SITE["notebooks/A/x.ipynb"]
    )
    assert (site_dir / "A/notebooks/x.html").is_file()
    assert not list(site_dir.rglob("*.md"))


def test_every_relative_link_of_the_site_resolves(site):
    """No page of the built site links to a missing file, except the broken link of the lesson (and
    the print pages that hold the lesson, which keep it broken, pointing where the lesson does)."""
    site_dir, _ = site
    missing = set()
    for page in site_dir.rglob("*.html"):
        for href in re.findall(r'(?:href|src)="([^"#:]*)(?:#[^"]*)?"', page.read_text(encoding="utf-8")):
            if href and not (page.parent / href).resolve().exists():
                missing.add((page.relative_to(site_dir).as_posix(), href))
    assert missing == {
        ("A/01_lesson.html", "02_atention.md"),
        ("A/print.html", "02_atention.md"),
        ("print.html", "A/02_atention.md"),
    }


def test_notebook_markdown_cells_links_are_checked(make_course):
    root = make_course(
        {
            "content/A/x.md": "# X\n",
            "notebooks/A/n.ipynb": notebook_json(
                "# Title\n\nSee [the lesson](../../content/A/x.md) and [this](nowhere.md)."
            ),
        }
    )
    result = run_build(root, root.parent / "site")
    assert result.diagnostics.errors == []
    [warning] = result.diagnostics.warnings
    assert (warning.path, warning.line, warning.message) == (
        "notebooks/A/n.ipynb",
        None,
        "link 'nowhere.md' leads nowhere (in cell 1)",
    )
    assert '<a href="../x.html">the lesson</a>' in (root.parent / "site/A/notebooks/n.html").read_text(
        encoding="utf-8"
    )


def test_notebook_cell_warning_line_is_a_line_of_the_file_or_none(make_course):
    text = notebook_json(
        "# Title\n\nline\n\nline\n\nline\n\n[bad](nowhere.md)", "x = 1", "## Second\n\n[bad2](nowhere2.md)"
    )
    root = make_course({"notebooks/A/n.ipynb": text})
    result = run_build(root, root.parent / "site")
    file_lines = text.split("\n")
    for diagnostic in result.diagnostics.warnings:
        assert diagnostic.path == "notebooks/A/n.ipynb"
        if diagnostic.line is not None:
            href = diagnostic.message.split("'")[1]
            assert href in file_lines[diagnostic.line - 1], diagnostic.format()


def test_names_with_spaces_and_accents(make_course, tmp_path):
    root = make_course(
        {
            "content/index.md": "# Home\n\n[a](A/my%20lesson.md) [b](<A/my lesson.md>) [c](A/Übersicht.md) [d](A/caf%C3%A9.md#d%C3%A9but)\n",
            "content/A/my lesson.md": "# Spaces\n\nText.\n",
            "content/A/Übersicht.md": "# Übersicht\n\nText.\n",
            "content/A/café.md": "# Café\n\n## Début\n",
        }
    )
    result = run_build(root, tmp_path / "site")
    assert formatted(result) == []
    home = (tmp_path / "site/index.html").read_text(encoding="utf-8")
    for anchor in (
        '<a href="A/my%20lesson.html">a</a>',
        '<a href="A/my%20lesson.html">b</a>',
        '<a href="A/%C3%9Cbersicht.html">c</a>',
        '<a href="A/caf%C3%A9.html#d%C3%A9but">d</a>',
    ):
        assert anchor in home
    assert {"A/my lesson.html", "A/Übersicht.html", "A/café.html"} <= set(
        p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*.html")
    )


BOXES = """# Encadrés

!!! tip
    Un conseil.

??? warning
    Replié.

!!! seealso
    Ailleurs.

!!! tip no-slide
    Pas sur les diapositives.

!!! note "Mon titre"
    Titré par l'auteur.

!!! danger ""
    Sans titre du tout.

!!! exercise
    À faire.

!!! custom
    Un type que coursegen ne connaît pas.
"""


@pytest.mark.parametrize(
    ("course_yml", "titles"),
    [
        (
            "title: Cours\nlanguage: fr\n",
            ["Astuce", "Attention", "Voir aussi", "Astuce", "Mon titre", "Exercice", "Custom"],
        ),
        (
            "title: Cours\nlanguage: fr\nstrings:\n  admonition_tip: Conseil\n",
            ["Conseil", "Attention", "Voir aussi", "Conseil", "Mon titre", "Exercice", "Custom"],
        ),
        (
            "title: Course\nlanguage: en\n",
            ["Tip", "Warning", "See also", "Tip", "Mon titre", "Exercise", "Custom"],
        ),
    ],
)
def test_untitled_boxes_are_titled_in_the_course_language(make_course, course_yml, titles):
    """`!!! tip` is "Astuce" in a French course, not Python-Markdown's "Tip"; a title the author
    wrote (or an empty one) is kept, a type coursegen has no word for keeps its own name."""
    root = make_course({"course.yml": course_yml, "content/A/x.md": BOXES})
    result = run_build(root)
    assert formatted(result) == []
    page = (root / "site/A/x.html").read_text(encoding="utf-8")
    article = page[page.index("<article") : page.index("</article>")]
    assert re.findall(r'admonition-title">([^<]*)<|<summary>([^<]+)<', article) == _title_pairs(titles)
    assert "Sans titre du tout." in article and "danger" in article


def _title_pairs(titles: list[str]) -> list[tuple[str, str]]:
    """re.findall's pairs: the second title is a collapsible block's <summary>."""
    return [("", title) if index == 1 else (title, "") for index, title in enumerate(titles)]
