"""A lesson's `notebook:` front matter as authors write it: beside the lesson, in the mirror folder
notebooks/<the lesson's folder>/, from notebooks/, from the course root, with `../`, with a leading
`/`, with Windows backslashes, as an absolute path of the author's computer — and the messages
for each miss."""

from __future__ import annotations

import pytest
from conftest import formatted, load_graph, notebook_json, page_at, render_markdown_page

from coursegen.urls import relative_url

NB = notebook_json("# Attention avec NumPy", "import numpy as np\nprint(np.arange(3))")
LESSON = "content/module6/02_mecanismes.md"


def lesson_text(value: str, body: str = "Le calcul pas à pas.\n") -> str:
    # the value quoted as YAML reads it back: backslashes and colons kept as written
    quoted = "'" + value.replace("'", "''") + "'"
    return f"---\ntitle: Les mécanismes d'attention\nlevel: 🔥 Niveau Pro\nnotebook: {quoted}\nduration: 45 min\n---\n{body}"


def graph_with(make_course, value: str, notebooks: tuple[str, ...], lesson: str = LESSON):
    files = {lesson: lesson_text(value), **{rel: NB for rel in notebooks}}
    root = make_course(files)
    course, diagnostics = load_graph(root)
    return root, course, formatted(diagnostics)


@pytest.mark.parametrize(
    "value, notebooks, found",
    [
        # the mirror folder notebooks/<the lesson's folder>/, as the error used to suggest
        (
            "01_attention.ipynb",
            ("notebooks/module6/01_attention.ipynb",),
            "notebooks/module6/01_attention.ipynb",
        ),
        # beside the lesson wins over the mirror folder
        (
            "01_attention.ipynb",
            ("content/module6/01_attention.ipynb", "notebooks/module6/01_attention.ipynb"),
            "content/module6/01_attention.ipynb",
        ),
        # the mirror folder wins over notebooks/
        (
            "01_attention.ipynb",
            ("notebooks/01_attention.ipynb", "notebooks/module6/01_attention.ipynb"),
            "notebooks/module6/01_attention.ipynb",
        ),
        ("01_attention.ipynb", ("notebooks/01_attention.ipynb",), "notebooks/01_attention.ipynb"),
        (
            "module6/01_attention.ipynb",
            ("notebooks/module6/01_attention.ipynb",),
            "notebooks/module6/01_attention.ipynb",
        ),  # from notebooks/
        # as the Markdown link [x](notebooks/01_attention.ipynb) reads it: the module's notebooks
        (
            "notebooks/01_attention.ipynb",
            ("notebooks/module6/01_attention.ipynb", "notebooks/01_attention.ipynb"),
            "notebooks/module6/01_attention.ipynb",
        ),
        (
            "notebooks/01_attention.ipynb",
            ("notebooks/01_attention.ipynb",),
            "notebooks/01_attention.ipynb",
        ),  # else from the course root
        (
            "notebooks/module6/01_attention.ipynb",
            ("notebooks/module6/01_attention.ipynb",),
            "notebooks/module6/01_attention.ipynb",
        ),
        (
            "./notebooks/module6/01_attention.ipynb",
            ("notebooks/module6/01_attention.ipynb",),
            "notebooks/module6/01_attention.ipynb",
        ),
        (
            "../../notebooks/module6/01_attention.ipynb",
            ("notebooks/module6/01_attention.ipynb",),
            "notebooks/module6/01_attention.ipynb",
        ),  # the real path
        (
            "../notebooks/module6/01_attention.ipynb",
            ("notebooks/module6/01_attention.ipynb",),
            "notebooks/module6/01_attention.ipynb",
        ),  # one ../ short
        (
            "/notebooks/module6/01_attention.ipynb",
            ("notebooks/module6/01_attention.ipynb",),
            "notebooks/module6/01_attention.ipynb",
        ),  # from the course root
        (
            "/content/module6/01_attention.ipynb",
            ("content/module6/01_attention.ipynb",),
            "content/module6/01_attention.ipynb",
        ),
        (
            "../01_attention.ipynb",
            ("notebooks/01_attention.ipynb",),
            "notebooks/01_attention.ipynb",
        ),  # from the mirror folder, one up
    ],
)
def test_each_way_of_writing_it_finds_the_notebook(make_course, value, notebooks, found):
    _, course, messages = graph_with(make_course, value, notebooks)
    assert messages == []
    lesson = page_at(course, "module6/02_mecanismes.html")
    assert lesson.notebook is not None and lesson.notebook.rel == found
    assert lesson.notebook.lessons == [lesson]


def test_the_mirror_folder_follows_the_lessons_depth(make_course):
    files = {
        "content/index.md": lesson_text("intro.ipynb"),
        "content/partie1/module2/lecon.md": lesson_text("tp.ipynb"),
        "notebooks/intro.ipynb": NB,
        "notebooks/partie1/module2/tp.ipynb": NB,
        "notebooks/partie1/tp.ipynb": NB,
    }
    course, diagnostics = load_graph(make_course(files, home=False))
    assert formatted(diagnostics) == []
    assert page_at(course, "index.html").notebook.rel == "notebooks/intro.ipynb"
    assert page_at(course, "partie1/module2/lecon.html").notebook.rel == "notebooks/partie1/module2/tp.ipynb"


@pytest.mark.parametrize(
    "lesson, link_target",
    [
        ("content/module6/02_mecanismes.md", "notebooks/module6/x.ipynb"),
        ("content/index.md", "notebooks/x.ipynb"),
    ],
)
def test_notebooks_path_means_what_the_markdown_link_means(make_course, lesson, link_target):
    """`notebooks/x.ipynb` names one notebook, in front matter and in a link of the same page."""
    files = {
        lesson: lesson_text("notebooks/x.ipynb", "Ouvrez [le notebook](notebooks/x.ipynb).\n"),
        "notebooks/module6/x.ipynb": NB,
        "notebooks/x.ipynb": NB,
    }
    root = make_course(files, home=lesson != "content/index.md")
    course, diagnostics = load_graph(root)
    page = next(p for p in course.pages if p.rel == lesson)
    assert page.notebook.rel == link_target
    rendered, link_diagnostics = render_markdown_page(root, page.url)
    assert formatted(diagnostics) == formatted(link_diagnostics) == []
    assert f'href="{relative_url(page.notebook.url, page.url)}"' in rendered.html, (
        "the link leads to the page of the same notebook"
    )


@pytest.mark.parametrize(
    "value, message",
    [
        (
            "notebooks\\module6\\01_attention.ipynb",
            "content/module6/02_mecanismes.md:4: warning[notebook]: notebook 'notebooks\\module6\\01_attention.ipynb' is written with Windows backslashes — write 'notebooks/module6/01_attention.ipynb': forward slashes work on every computer",
        ),
        (
            "C:\\Users\\jeanne\\Documents\\cours-nlp\\notebooks\\module6\\01_attention.ipynb",
            "content/module6/02_mecanismes.md:4: warning[notebook]: notebook 'C:\\Users\\jeanne\\Documents\\cours-nlp\\notebooks\\module6\\01_attention.ipynb' is a path on one computer — write 'notebooks/module6/01_attention.ipynb', which works on every computer",
        ),
        (
            "/Users/jeanne/cours-nlp/notebooks/module6/01_attention.ipynb",
            "content/module6/02_mecanismes.md:4: warning[notebook]: notebook '/Users/jeanne/cours-nlp/notebooks/module6/01_attention.ipynb' is a path on one computer — write 'notebooks/module6/01_attention.ipynb', which works on every computer",
        ),
    ],
)
def test_windows_and_machine_paths_are_found_with_a_warning(make_course, value, message):
    _, course, messages = graph_with(make_course, value, ("notebooks/module6/01_attention.ipynb",))
    assert messages == [message]
    assert (
        page_at(course, "module6/02_mecanismes.html").notebook.rel == "notebooks/module6/01_attention.ipynb"
    )


def test_the_courses_own_absolute_path_is_found_with_a_warning(make_course, tmp_path):
    root = make_course({"notebooks/module6/01_attention.ipynb": NB})
    value = f"{root.resolve()}/notebooks/module6/01_attention.ipynb"
    (root / LESSON).parent.mkdir(parents=True)
    (root / LESSON).write_text(lesson_text(value), encoding="utf-8")
    course, diagnostics = load_graph(root)
    assert formatted(diagnostics) == [
        f"content/module6/02_mecanismes.md:4: warning[notebook]: notebook '{value}' is a path on one computer — write 'notebooks/module6/01_attention.ipynb', which works on every computer"
    ]
    assert (
        page_at(course, "module6/02_mecanismes.html").notebook.rel == "notebooks/module6/01_attention.ipynb"
    )


HAVE = (
    "notebooks/module6/01_attention.ipynb",
    "notebooks/module6/02_heatmap.ipynb",
    "notebooks/module5/01_rnn.ipynb",
)


@pytest.mark.parametrize(
    "value, messages",
    [
        (
            "01_atention.ipynb",
            [
                "content/module6/02_mecanismes.md:4: error[notebook]: notebook '01_atention.ipynb' not found (looked for content/module6/01_atention.ipynb, notebooks/module6/01_atention.ipynb, notebooks/01_atention.ipynb) — did you mean 'notebooks/module6/01_attention.ipynb'?"
            ],
        ),
        (
            "notebooks/heatmap.ipynb",
            [
                "content/module6/02_mecanismes.md:4: error[notebook]: notebook 'notebooks/heatmap.ipynb' not found (looked for content/module6/notebooks/heatmap.ipynb, notebooks/module6/heatmap.ipynb, notebooks/heatmap.ipynb) — did you mean 'notebooks/module6/02_heatmap.ipynb'?"
            ],
        ),
        (
            "module5/01_rnn",  # no extension
            [
                "content/module6/02_mecanismes.md:4: error[notebook]: notebook 'module5/01_rnn' not found (looked for content/module6/module5/01_rnn, notebooks/module6/module5/01_rnn, notebooks/module5/01_rnn) — did you mean 'notebooks/module5/01_rnn.ipynb'?"
            ],
        ),
        (
            "../notebooks/module6/03_transformer.ipynb",
            [
                "content/module6/02_mecanismes.md:4: error[notebook]: notebook '../notebooks/module6/03_transformer.ipynb' not found (looked for content/notebooks/module6/03_transformer.ipynb, notebooks/module6/03_transformer.ipynb) — give its path from the lesson, from notebooks/module6/ or from notebooks/"
            ],
        ),
        (
            "tp\\zzz.ipynb",
            [
                "content/module6/02_mecanismes.md:4: error[notebook]: notebook 'tp\\zzz.ipynb' not found (looked for content/module6/tp/zzz.ipynb, notebooks/module6/tp/zzz.ipynb, notebooks/tp/zzz.ipynb) — give its path from the lesson, from notebooks/module6/ or from notebooks/",
                "content/module6/02_mecanismes.md:4: warning[notebook]: notebook 'tp\\zzz.ipynb' is written with Windows backslashes — write 'tp/zzz.ipynb': forward slashes work on every computer",
            ],
        ),
        (
            "/module6/01_attention.ipynb",
            [
                "content/module6/02_mecanismes.md:4: error[notebook]: notebook '/module6/01_attention.ipynb' is outside the course — did you mean 'notebooks/module6/01_attention.ipynb'?"
            ],
        ),
        (
            "../../../outside.ipynb",
            [
                "content/module6/02_mecanismes.md:4: error[notebook]: notebook '../../../outside.ipynb' is outside the course — the notebook must be inside the course (content/ or notebooks/)"
            ],
        ),
        (
            "/home/jeanne/Téléchargements/tp.ipynb",
            [
                "content/module6/02_mecanismes.md:4: error[notebook]: notebook '/home/jeanne/Téléchargements/tp.ipynb' is outside the course — the notebook must be inside the course (content/ or notebooks/)"
            ],
        ),
        (
            "01_introduction.md",  # a lesson, not a notebook
            [
                "content/module6/02_mecanismes.md:4: error[notebook]: notebook '01_introduction.md' leads to content/module6/01_introduction.md, which is not a notebook — give its path from the lesson, from notebooks/module6/ or from notebooks/"
            ],
        ),
    ],
)
def test_misses_say_where_they_looked(make_course, value, messages):
    files = {
        LESSON: lesson_text(value),
        "content/module6/01_introduction.md": "# Introduction\n",
        **{rel: NB for rel in HAVE},
    }
    course, diagnostics = load_graph(make_course(files))
    assert formatted(diagnostics) == messages
    assert page_at(course, "module6/02_mecanismes.html").notebook is None
