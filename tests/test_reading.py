"""What learners read in a lesson: Mermaid diagrams drawn at build time, content tabs, French
typography (no-break spaces) and bare URLs made links."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from conftest import formatted, render_markdown_page, run_build

from coursegen.typography import NARROW_NBSP as NNBSP
from coursegen.typography import NBSP, spaced


@pytest.fixture
def render(make_course):
    """render(markdown, course_yml=…) → (html, messages) for content/A/x.md."""

    def go(text: str, course_yml: str = "title: T\nlanguage: fr\n"):
        root = make_course({"content/A/x.md": text, "course.yml": course_yml})
        result = run_build(root)
        html = (root / "site" / "A" / "x.html").read_text(encoding="utf-8")
        return html, formatted(result)

    return go


def prose(html: str) -> str:
    return html[html.index('<article class="prose">') : html.index("</article>")]


# ----------------------------------------------------------------------------------------------
# diagrams

FLOWCHART = """Le flux d'un Transformer :

```mermaid
flowchart LR
    A[Phrase « le chat dort »] --> B(Embeddings)
    B --> C{Attention}
    C -->|Q, K, V| D[Softmax]
```

Fin.
"""


def test_mermaid_fence_becomes_svg_in_light_and_dark_with_a_text_alternative(render):
    html, messages = render(FLOWCHART)
    assert messages == []
    body = prose(html)
    figure = re.search(r'<figure class="diagram" role="img" aria-labelledby="(cg-diagram-\w+)-alt">', body)
    assert figure
    uid = figure.group(1)
    assert f'<div class="diagram-light" aria-hidden="true"><svg focusable="false" id="{uid}-light"' in body
    assert f'<div class="diagram-dark" aria-hidden="true"><svg focusable="false" id="{uid}-dark"' in body
    # markers point at their own SVG: two drawings in one page don't share ids
    assert f'url(#{uid}-light_flowchart' in body and f'url(#{uid}-dark_flowchart' in body
    assert "my-svg" not in body
    assert (
        f'<figcaption id="{uid}-alt" class="visually-hidden">Diagramme{NBSP}: Q, K, V, Phrase « le chat dort », Embeddings, Attention, Softmax</figcaption>'
        in body
    )
    assert "<script" not in body and "```mermaid" not in body


def test_diagram_text_alternative_comes_from_acc_title_and_description(render):
    html, messages = render(
        "```mermaid\nflowchart TD\n    accTitle: Pipeline d'entraînement\n    accDescr: Les données passent par le modèle puis la perte.\n    D[Données] --> M[Modèle] --> L[Perte]\n```\n"
    )
    assert messages == []
    assert (
        "visually-hidden\">Pipeline d'entraînement. Les données passent par le modèle puis la perte.</figcaption>"
        in html
    )


def test_diagram_syntax_error_is_a_warning_at_its_line_and_shown_as_code(render):
    text = "# Titre\n\nTexte.\n\n```mermaid\nflowchart LR\n    A --> B -->\n    C[[[\n```\n"
    html, messages = render(text)
    assert messages == [
        "content/A/x.md:8: warning[diagrams]: Mermaid diagram could not be drawn (parse error: expecting 'TAGEND', 'STR', 'MD_STR', "
        "'UNICODE_TEXT', 'TEXT', 'TAGSTART', got 'SQS') — it is shown as code; see the syntax at mermaid.js.org"
    ]
    assert (
        '<div class="highlight diagram-source"><pre><code>flowchart LR\n    A --&gt; B --&gt;\n    C[[[</code></pre></div>'
        in html
    )
    assert "<figure" not in prose(html)


@pytest.mark.slow
def test_common_diagram_types_are_drawn_the_same_at_every_build(make_course):
    diagrams = {
        "sequence": "sequenceDiagram\n    participant E as Encodeur\n    participant D as Décodeur\n    E->>D: états cachés\n    D-->>E: requêtes",
        "git": "gitGraph\n    commit\n    branch dev\n    checkout dev\n    commit\n    checkout main\n    merge dev",
        "class": "classDiagram\n    class Attention {\n      +int d_k\n      +forward(Q, K, V)\n    }\n    Attention <|-- MultiHead",
    }
    text = "".join(f"```mermaid\n{source}\n```\n\n" for source in diagrams.values())
    root = make_course({"content/A/x.md": text})
    assert formatted(run_build(root)) == []
    first = (root / "site" / "A" / "x.html").read_text(encoding="utf-8")
    assert first.count('<figure class="diagram"') == 3
    assert "états cachés" in first and "MultiHead" in first and "commit-label" in first
    again = make_course({"content/A/x.md": text}, name="again")
    run_build(again, cache=False)
    # gitGraph's commit ids are drawn at random by Mermaid: coursegen derives them from the source
    assert prose((again / "site" / "A" / "x.html").read_text(encoding="utf-8")) == prose(first)


# ----------------------------------------------------------------------------------------------
# tabs

TABS = """## Installer Python

=== "Linux"

    ```bash
    sudo apt install python3
    ```

=== "Windows"

    Téléchargez l'installateur sur python.org.

## Lancer

=== "Linux"
    `python3 script.py`

=== "Windows"
    `py script.py`
"""


def test_tabs_are_radio_inputs_and_labels_with_a_printed_label_per_panel(render):
    html, messages = render(TABS)
    assert messages == []
    body = prose(html)
    assert body.count('<div class="tabbed-set tabbed-alternate"') == 2
    assert (
        '<input checked id="linux" name="__tabbed_1" type="radio"><input id="windows" name="__tabbed_1" type="radio">'
        in body
    )
    assert (
        '<label for="linux_1">Linux</label><label for="windows_1">Windows</label>' in body
    )  # ids stay unique
    assert (
        '<div class="tabbed-block">\n<p aria-hidden="true" class="tabbed-print-label">Windows</p><p>Téléchargez'
        in body
    )
    assert (
        '<p aria-hidden="true" class="tabbed-print-label">Linux</p><div class="highlight"><pre><span></span><code>sudo'
        in body
    )  # code in a tab


# ----------------------------------------------------------------------------------------------
# French typography


@pytest.mark.parametrize(
    "written, expected",
    [
        ("Attention!", f"Attention{NNBSP}!"),
        ("Attention !", f"Attention{NNBSP}!"),
        ("Vraiment ?!", f"Vraiment{NNBSP}?!"),
        ("Remarque: la softmax", f"Remarque{NBSP}: la softmax"),
        ("Remarque : la softmax", f"Remarque{NBSP}: la softmax"),
        ("d'abord ; ensuite", f"d'abord{NNBSP}; ensuite"),
        ("« le chat dort »", f"«{NBSP}le chat dort{NBSP}»"),
        ("«le chat»", f"«{NBSP}le chat{NBSP}»"),
        ("rendez-vous à 14:30 ; salle B12", f"rendez-vous à 14:30{NNBSP}; salle B12"),
        (
            "voir https://arxiv.org/abs/1706.03762?v=5 : l'article",
            f"voir https://arxiv.org/abs/1706.03762?v=5{NBSP}: l'article",
        ),
        ("Bravo :) et ;-) aussi", "Bravo :) et ;-) aussi"),
        ("std::vector et a:b", "std::vector et a:b"),
        ("(vraiment?)", f"(vraiment{NNBSP}?)"),
        ("Déjà fait\u00a0!", f"Déjà fait{NNBSP}!"),
        ("&eacute; ici; là", f"&eacute; ici{NNBSP}; là"),
    ],
)
def test_french_spacing(written, expected):
    assert spaced(written) == expected


def test_typography_in_lessons_skips_code_math_links_and_attributes(render):
    text = (
        "Qu'est-ce que l'**attention**? Réponse: un produit scalaire!\n\n"
        "!!! tip \"Pourquoi diviser par √d ?\"\n    Pour garder des gradients utiles ; sinon la softmax sature.\n\n"
        "Le code `print(x) ; y = 1: 2` et $a : b$ restent tels quels, comme [le lien?](https://exemple.org/a?b=1 \"Titre ?\").\n\n"
        "```python\nif x: print('ok !')\n```\n"
    )
    html, messages = render(text)
    assert messages == []
    body = prose(html)
    assert f"l'<strong>attention</strong>{NNBSP}? Réponse{NBSP}: un produit scalaire{NNBSP}!" in body
    assert f'<p class="admonition-title">Pourquoi diviser par √d{NNBSP}?</p>' in body
    assert f"utiles{NNBSP}; sinon" in body
    assert "<code>print(x) ; y = 1: 2</code>" in body
    assert "if</span> <span class=\"n\">x</span><span class=\"p\">:</span>" in body and "'ok !'" in body
    assert 'title="Titre ?"' in body and 'href="https://exemple.org/a?b=1"' in body
    assert NBSP not in re.sub(r"<math.*?</math>", "", body, flags=re.S).split("restent")[0].split("<code>")[1]
    math = re.search(r"<math.*?</math>", body, re.S).group(0)
    assert NBSP not in math and NNBSP not in math


def test_typography_knows_markdowns_placeholders_without_importing_it():
    """typography.py writes Markdown's placeholders itself (importing Markdown costs every build whose
    pages are all kept): they must stay Markdown's."""
    import subprocess
    import sys

    import markdown.util

    from coursegen import typography

    assert (typography.STX, typography.ETX, typography.AMP_SUBSTITUTE) == (
        markdown.util.STX,
        markdown.util.ETX,
        markdown.util.AMP_SUBSTITUTE,
    )
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, coursegen.build; print('markdown' in sys.modules, 'asyncio' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.split() == ["False", "False"]


def test_typography_in_front_matter_texts_and_interface_strings(render):
    html, _ = render("---\ntitle: Pourquoi l'attention ?\ndescription: 'Le trio: Q, K et V!'\n---\nTexte.\n")
    assert f'<h1 class="lesson-title">Pourquoi l&#39;attention{NNBSP}?</h1>' in html
    assert (
        "<title>Pourquoi l&#39;attention ? ·" in html
    )  # the tab's title and attributes keep the text as written
    assert 'content="Le trio: Q, K et V!"' in html
    assert f"Bravo, c&#39;est juste{NNBSP}!" in html or "quiz" not in html
    assert '"copied": "Copi\\u00e9\\u202f!"' in html  # strings that coursegen.js writes


def test_typography_false_and_english_courses_keep_spaces_as_written(render):
    text = "---\ntitle: Pourquoi ?\n---\nRemarque: ok!\n"
    html, _ = render(text, "title: T\nlanguage: fr\ntypography: false\n")
    assert "<p>Remarque: ok!</p>" in html and '<h1 class="lesson-title">Pourquoi ?</h1>' in html
    html, _ = render(text, "title: T\nlanguage: en\n")
    assert "<p>Remarque: ok!</p>" in html
    html, _ = render("---\nlanguage: en\n---\nNote: fine!\n")  # a page in English in a French course
    assert "<p>Note: fine!</p>" in html and '<html lang="en">' in html


def test_typography_setting_must_be_a_boolean(make_course):
    root = make_course({"course.yml": "title: T\ntypography: non\n"})
    from coursegen.config import load_config
    from coursegen.errors import Diagnostics

    diagnostics = Diagnostics()
    load_config(root, diagnostics)
    assert formatted(diagnostics) == [
        "course.yml:2: error[config]: 'typography' must be true or false, not 'non' — write typography: false to keep spaces as typed"
    ]


# ----------------------------------------------------------------------------------------------
# bare URLs


def test_bare_urls_become_links_but_not_in_code(make_course):
    root = make_course(
        {
            "content/A/x.md": "L'article : https://arxiv.org/abs/1706.03762 (à lire).\n\n`https://pas.un-lien.org`\n"
        }
    )
    rendered, diagnostics = render_markdown_page(root, "A/x.html")
    assert formatted(diagnostics) == []
    assert (
        '<a href="https://arxiv.org/abs/1706.03762">https://arxiv.org/abs/1706.03762</a> (à lire)'
        in rendered.html
    )
    assert "<code>https://pas.un-lien.org</code>" in rendered.html


def test_a_missing_diagram_engine_leaves_the_diagram_as_code_with_a_warning(make_course, monkeypatch):
    import sys

    monkeypatch.setitem(
        sys.modules, "mermaidx", None
    )  # `import mermaidx` fails, as where its wheel is missing
    root = make_course({"content/A/x.md": "Texte.\n\n```mermaid\nflowchart LR\n    A --> B\n```\n"})
    result = run_build(root)
    assert formatted(result) == [
        "content/A/x.md:4: warning[diagrams]: Mermaid diagram could not be drawn (mermaidx could not be loaded: "
        "import of mermaidx halted; None in sys.modules; reinstall coursegen) — it is shown as code; see the syntax at mermaid.js.org"
    ]
    assert "flowchart LR\n    A --&gt; B" in (root / "site/A/x.html").read_text(encoding="utf-8")


def test_dark_blocks_also_apply_when_the_learner_chooses_dark():
    from coursegen.stylesheet import with_theme_choice

    css = ".a { color: black; }\n@media screen and (prefers-color-scheme: dark) {\n  :root { --bg: #000; }\n  .b, .c > d { color: white; }\n}\n.e { margin: 0; }\n"
    assert with_theme_choice(css) == (
        ".a { color: black; }\n"
        "@media screen and (prefers-color-scheme: dark) {\n"
        '  :root:not([data-theme="light"]) { --bg: #000; }\n'
        '  :root:not([data-theme="light"]) .b, :root:not([data-theme="light"]) .c > d { color: white; }\n'
        "}\n@media screen {\n"
        '  :root[data-theme="dark"] { --bg: #000; }\n'
        '  :root[data-theme="dark"] .b, :root[data-theme="dark"] .c > d { color: white; }\n'
        "}\n.e { margin: 0; }\n"
    )


# ----------------------------------------------------------------------------------------------
# a module's lessons, beside each lesson (partials/module-lessons.html)

MODULE = {
    "course.yml": "title: T\nlanguage: fr\ntheme:\n  progress: true\n",
    "content/A/index.md": "---\ntitle: Module A\n---\n",
    **{
        f"content/A/0{n}_l{n}.md": f"---\ntitle: \"Leçon {n} : bases\"\n---\n\nTexte {n}.\n"
        for n in (1, 2, 3)
    },
    "content/A/04_l'apostrophe&co.md": "---\ntitle: Quatre\n---\n\nTexte.\n",
}


def lesson_list(page: str) -> str:
    start = page.index('<nav aria-label="Leçons du module">')
    return page[start : page.index("</nav>", start)]


def test_each_lesson_lists_its_modules_lessons_with_itself_as_the_current_one(make_course, monkeypatch):
    """The list is made once for the module (the same on all its lessons) and each lesson's own link
    gets aria-current — also one whose address is percent-encoded."""
    import jinja2

    made = []
    render = jinja2.Template.render

    def counting(template, *args, **kwargs):
        made.append(template.name)
        return render(template, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", counting)
    root = make_course(MODULE)
    assert formatted(run_build(root)) == []
    assert made.count("partials/module-lessons.html") == 1 and made.count("lesson.html") == 4
    names = ["01_l1.html", "02_l2.html", "03_l3.html", "04_l%27apostrophe%26co.html"]
    for number, name in enumerate(names, 1):
        listed = lesson_list((root / "site/A" / urllib.parse.unquote(name)).read_text(encoding="utf-8"))
        assert re.findall(r'<a href="([^"]+)"', listed) == names
        assert re.findall(r'<a href="([^"]+)" aria-current="page">', listed) == [name]
        assert f'<span class="module-lesson-number" aria-hidden="true">{number}</span>' in listed
    assert "Leçon 1\u00a0: bases" in listed and 'data-lesson="A/01_l1.html"' in listed  # typography, progress


def test_a_course_can_restyle_its_module_lists(make_course):
    files = {
        **MODULE,
        "templates/partials/module-lessons.html": (
            '<ul class="mine">{% for lesson in lessons %}<li><a href="{{ rel(lesson.url) }}">{{ t.lesson }} '
            "{{ loop.index }}</a></li>{% endfor %}</ul>"
        ),
    }
    root = make_course(files)
    assert formatted(run_build(root)) == []
    listed = lesson_list((root / "site/A/02_l2.html").read_text(encoding="utf-8"))
    assert (
        '<ul class="mine"><li><a href="01_l1.html">Leçon 1</a></li><li><a href="02_l2.html" aria-current="page">Leçon 2</a>'
        in listed
    )
