"""course.py: the graph — sections, ordering, prev/next, numbering, lesson ↔ notebook, link targets."""

from __future__ import annotations

import pytest
from conftest import formatted, load_graph, notebook_json, page_at

from coursegen.course import resolve_link, suggest_link
from coursegen.model import Page, PageKind, target_url
from coursegen.views import breadcrumbs, neighbour_sections


@pytest.fixture
def graph(make_course):
    """graph({path: text}, drafts=False) → (course, formatted diagnostics)."""

    def make(files, drafts=False, home=True):
        course, diagnostics = load_graph(make_course(files, home=home), drafts=drafts)
        return course, formatted(diagnostics)

    return make


def urls(pages) -> list[str]:
    return [page.url for page in pages]


NB = notebook_json("# A notebook", "print(1)")


# ----------------------------------------------------------------------------------------------
# sections


def test_sections_nest_at_any_depth(graph):
    course, messages = graph(
        {
            "content/part1/index.md": "# Part 1\n",
            "content/part1/module1/index.md": "# Module 1\n",
            "content/part1/module1/unit/01_deep.md": "# Deep lesson\n",
        }
    )
    assert messages == []
    deep = page_at(course, "part1/module1/unit/01_deep.html")
    chain = []
    page = deep.parent
    while page is not None:
        chain.append((page.url, page.kind, page.title))
        page = page.parent
    assert chain == [
        ("part1/module1/unit/index.html", PageKind.SECTION, "Unit"),  # generated: no index.md
        ("part1/module1/index.html", PageKind.SECTION, "Module 1"),
        ("part1/index.html", PageKind.SECTION, "Part 1"),
        ("index.html", PageKind.HOME, "Home"),
    ]
    assert [link.url for link in breadcrumbs(deep)] == [
        "index.html",
        "part1/index.html",
        "part1/module1/index.html",
        "part1/module1/unit/index.html",
    ]
    assert set(course.sections) == {"", "part1", "part1/module1", "part1/module1/unit"}


def test_folder_without_index_gets_a_generated_section_page(graph):
    course, messages = graph({"content/02_getting-started/01_a.md": "# A\n"})
    assert messages == []
    section = course.sections["02_getting-started"]
    assert (section.url, section.kind, section.title, section.source, section.body) == (
        "02_getting-started/index.html",
        PageKind.SECTION,
        "Getting started",
        None,
        "",
    )
    assert urls(section.children) == ["02_getting-started/01_a.html"]


def test_course_without_home_page_gets_a_generated_home(graph):
    course, messages = graph({"content/A/x.md": "# X\n"}, home=False)
    assert messages == []
    assert (course.home.url, course.home.kind, course.home.source) == ("index.html", PageKind.HOME, None)
    assert urls(course.pages) == ["index.html", "A/index.html", "A/x.html"]


def test_generated_sections_of_numbered_folders_have_distinct_titles(graph):
    course, _ = graph({"content/module5/a.md": "# A\n", "content/module6/b.md": "# B\n"})
    titles = [course.sections["module5"].title, course.sections["module6"].title]
    assert "5" in titles[0] and "6" in titles[1]


def test_readme_is_the_section_page_when_there_is_no_index(graph):
    course, messages = graph(
        {"content/A/README.md": "# From the README\n\nText.\n", "content/A/x.md": "# X\n"}
    )
    assert messages == []
    section = course.sections["A"]
    assert (section.url, section.title, section.rel, section.kind) == (
        "A/index.html",
        "From the README",
        "content/A/README.md",
        PageKind.SECTION,
    )
    assert urls(section.children) == ["A/x.html"]


def test_readme_beside_index_is_ignored_with_a_warning(graph):
    course, messages = graph({"content/A/index.md": "# Index\n", "content/A/README.md": "# Readme\n"})
    assert messages == [
        "content/A/README.md: warning[files]: README.md is not published because index.md exists in the same folder — merge them or rename one"
    ]
    assert course.sections["A"].title == "Index"
    assert [p.rel for p in course.pages] == ["content/index.md", "content/A/index.md"]


def test_private_and_hidden_names_are_not_pages(graph):
    course, messages = graph(
        {
            "content/A/x.md": "# X\n",
            "content/A/_wip.md": "# WIP\n",
            "content/_drafts/y.md": "# Y\n",
            "content/.hidden/z.md": "# Z\n",
            "content/A/.ipynb_checkpoints/x-checkpoint.ipynb": NB,
            "notebooks/A/.ipynb_checkpoints/n-checkpoint.ipynb": NB,
            "notebooks/A/n.ipynb": NB,
        }
    )
    assert messages == []
    assert urls(course.pages) == ["index.html", "A/index.html", "A/x.html", "A/notebooks/n.html"]
    assert set(course.sections) == {"", "A"}


DRAFTS = {
    "content/A/index.md": "# A\n",
    "content/A/01_done.md": "# Done\n",
    "content/A/02_wip.md": "---\ndraft: true\n---\n# WIP\n",
    "content/B/index.md": "---\ndraft: true\n---\n# B draft\n",
    "content/B/x.md": "# B lesson\n",
}


def test_drafts_are_left_out(graph):
    course, messages = graph(DRAFTS)
    assert messages == []
    # a draft section index hides the whole section: its lessons are drafts too
    assert urls(course.pages) == ["index.html", "A/index.html", "A/01_done.html"]
    assert "B" not in course.sections
    assert "A/02_wip.html" not in course.by_url


def test_drafts_are_kept_with_drafts_true(graph):
    course, messages = graph(DRAFTS, drafts=True)
    assert messages == []
    assert urls(course.pages) == [
        "index.html",
        "A/index.html",
        "A/01_done.html",
        "A/02_wip.html",
        "B/index.html",
        "B/x.html",
    ]
    assert course.sections["B"].title == "B draft"


# ----------------------------------------------------------------------------------------------
# ordering


@pytest.mark.parametrize(
    "files, expected",
    [
        # natural numeric order: Module9 before Module10, 2_x before 10_x
        (
            {
                "content/A/Module10.md": "Text.\n",
                "content/A/Module9.md": "Text.\n",
                "content/A/Module1.md": "Text.\n",
            },
            ["Module1", "Module9", "Module10"],
        ),
        (
            {"content/A/10_x.md": "Text.\n", "content/A/2_x.md": "Text.\n", "content/A/1_y.md": "Text.\n"},
            ["1_y", "2_x", "10_x"],
        ),
        # then the name, whatever the case
        (
            {
                "content/A/beta.md": "Text.\n",
                "content/A/Alpha.md": "Text.\n",
                "content/A/gamma.md": "Text.\n",
            },
            ["Alpha", "beta", "gamma"],
        ),
        # the order in which the section's index.md first links to its children beats the names
        (
            {
                "content/A/index.md": "Start with [c](c.md), then [a](a.md#part) and [c again](c.md).\n\nLast, <a href=\"b.html\">b</a>.\n",
                "content/A/a.md": "Text.\n",
                "content/A/b.md": "Text.\n",
                "content/A/c.md": "Text.\n",
                "content/A/d.md": "Text.\n",
            },
            ["c", "a", "b", "d"],  # unlinked children come after the linked ones, in natural order
        ),
        # front matter `order` beats the links
        (
            {
                "content/A/index.md": "[a](a.md) [b](b.md) [c](c.md)\n",
                "content/A/a.md": "---\norder: 3\n---\n",
                "content/A/b.md": "Text.\n",
                "content/A/c.md": "---\norder: 1.5\n---\n",
            },
            ["c", "a", "b"],
        ),
        # `order` beats a numeric prefix; equal orders fall back to the natural order of names
        (
            {
                "content/A/01_first.md": "---\norder: 2\n---\n",
                "content/A/02_second.md": "---\norder: 1\n---\n",
                "content/A/03_third.md": "---\norder: 2\n---\n",
                "content/A/00_unordered.md": "Text.\n",
            },
            ["02_second", "01_first", "03_third", "00_unordered"],
        ),
    ],
)
def test_sibling_order(graph, files, expected):
    course, messages = graph(files)
    assert [m for m in messages if "both have order" not in m] == []
    assert [page.source.path.stem for page in course.sections["A"].children] == expected


def test_equal_orders_warn_naming_both_pages(graph):
    _, messages = graph(
        {"content/A/01_first.md": "---\norder: 2\n---\n", "content/A/03_third.md": "---\norder: 2\n---\n"}
    )
    assert messages == [
        "content/A/03_third.md:2: warning[yaml]: 'content/A/03_third.md' and 'content/A/01_first.md' both have order: 2; they are sorted by name — give each page its own order"
    ]


def test_sections_are_ordered_like_lessons(graph):
    course, messages = graph(
        {
            "content/index.md": "# Home\n\n[second](B/index.md) then [first](A/).\n",
            "content/A/index.md": "# A\n",
            "content/B/index.md": "# B\n",
            "content/C/index.md": "---\norder: -1\n---\n# C\n",
            "content/Module10/x.md": "Text.\n",
            "content/Module9/x.md": "Text.\n",
        }
    )
    assert messages == []
    assert urls(course.home.children) == [
        "C/index.html",
        "B/index.html",
        "A/index.html",
        "Module9/index.html",
        "Module10/index.html",
    ]


def test_lessons_and_subsections_share_one_order(graph):
    course, _ = graph(
        {"content/A/02_b.md": "Text.\n", "content/A/01_sub/x.md": "Text.\n", "content/A/03_c.md": "Text.\n"}
    )
    assert urls(course.sections["A"].children) == ["A/01_sub/index.html", "A/02_b.html", "A/03_c.html"]


# ----------------------------------------------------------------------------------------------
# prev / next, numbering


COURSE = {
    "content/index.md": "# Home\n",
    "content/01_m1/index.md": "# M1\n",
    "content/01_m1/01_a.md": "# A\n",
    "content/01_m1/02_part/01_b.md": "# B\n",
    "content/01_m1/03_c.ipynb": NB,
    "content/01_m1/04_d.md": "# D\n",
    "content/02_m2/01_e.md": "# E\n",
    "notebooks/01_m1/nb2.ipynb": NB,
    "notebooks/01_m1/nb1.ipynb": NB,
}


def test_prev_next_go_depth_first_through_the_whole_course(graph):
    course, messages = graph(COURSE)
    assert messages == []
    order = [
        "index.html",
        "01_m1/index.html",
        "01_m1/01_a.html",
        "01_m1/02_part/index.html",
        "01_m1/02_part/01_b.html",
        "01_m1/03_c.html",
        "01_m1/04_d.html",
        "01_m1/notebooks/nb1.html",  # a module's notebooks/ come after its children
        "01_m1/notebooks/nb2.html",
        "02_m2/index.html",
        "02_m2/01_e.html",
    ]
    assert urls(course.pages) == order
    for index, page in enumerate(course.pages):
        assert (page.prev.url if page.prev else None) == (order[index - 1] if index > 0 else None)
        assert (page.next.url if page.next else None) == (
            order[index + 1] if index + 1 < len(order) else None
        )


def test_lessons_are_numbered_within_their_section(graph):
    course, _ = graph(COURSE)
    numbers = {page.url: page.number for page in course.pages}
    assert numbers == {
        "index.html": 0,
        "01_m1/index.html": 0,
        "01_m1/01_a.html": 1,
        "01_m1/02_part/index.html": 0,
        "01_m1/02_part/01_b.html": 1,
        "01_m1/03_c.html": 0,  # a notebook in content/ is a card, not a numbered lesson
        "01_m1/04_d.html": 2,
        "01_m1/notebooks/nb1.html": 0,
        "01_m1/notebooks/nb2.html": 0,
        "02_m2/index.html": 0,
        "02_m2/01_e.html": 1,
    }
    assert course.sections["01_m1"].lesson_count() == 3
    assert course.home.lesson_count() == 4


def test_notebooks_dir_feeds_the_section_notebook_list(graph):
    course, _ = graph(COURSE)
    m1 = course.sections["01_m1"]
    assert urls(m1.notebooks) == ["01_m1/notebooks/nb1.html", "01_m1/notebooks/nb2.html"]
    assert urls(m1.children) == [
        "01_m1/01_a.html",
        "01_m1/02_part/index.html",
        "01_m1/03_c.html",
        "01_m1/04_d.html",
    ]
    assert all(nb.parent is m1 for nb in m1.notebooks)


def test_neighbour_sections(graph):
    course, _ = graph(COURSE)
    m1, m2 = course.sections["01_m1"], course.sections["02_m2"]
    before, after = neighbour_sections(m1)
    assert (before, after.url) == (None, "02_m2/index.html")
    before, after = neighbour_sections(m2)
    assert (before.url, after) == ("01_m1/index.html", None)
    assert neighbour_sections(course.home) == (None, None)
    assert neighbour_sections(page_at(course, "01_m1/01_a.html")) == (None, None)  # lessons have none
    assert neighbour_sections(course.sections["01_m1/02_part"]) == (None, None)  # the only sub-section


# ----------------------------------------------------------------------------------------------
# lesson ↔ notebook


@pytest.mark.parametrize(
    "value, files",
    [
        ("A/n.ipynb", {"notebooks/A/n.ipynb": NB}),  # relative to notebooks/
        (
            "n.ipynb",
            {"notebooks/A/n.ipynb": NB},
        ),  # relative to the mirror folder notebooks/A/ (more forms: test_notebook_refs.py)
        ("../../notebooks/A/n.ipynb", {"notebooks/A/n.ipynb": NB}),  # relative to the lesson
        ("n.ipynb", {"content/A/n.ipynb": NB}),  # beside the lesson
        ("./sub/n.ipynb", {"content/A/sub/n.ipynb": NB}),
    ],
)
def test_lesson_notebook_is_found_relative_to_the_lesson_or_to_notebooks(graph, value, files):
    course, messages = graph({"content/A/lesson.md": f"---\ntitle: L\nnotebook: {value}\n---\n", **files})
    assert messages == []
    lesson = page_at(course, "A/lesson.html")
    notebook_rel = next(iter(files))
    assert lesson.notebook.rel == notebook_rel
    assert lesson.notebook.lessons == [lesson]


def test_two_lessons_can_share_a_notebook(graph):
    course, _ = graph(
        {
            "content/A/01_x.md": "---\nnotebook: A/n.ipynb\n---\n",
            "content/A/02_y.md": "---\nnotebook: A/n.ipynb\n---\n",
            "notebooks/A/n.ipynb": NB,
        }
    )
    notebook = page_at(course, "A/notebooks/n.html")
    assert urls(notebook.lessons) == ["A/01_x.html", "A/02_y.html"]


@pytest.mark.parametrize(
    "value, message",
    [
        (
            "01_attn.ipynb",
            "content/A/lesson.md:4: error[notebook]: notebook '01_attn.ipynb' not found (looked for content/A/01_attn.ipynb, notebooks/A/01_attn.ipynb, notebooks/01_attn.ipynb) — did you mean 'notebooks/A/01_attention.ipynb'?",
        ),
        (
            "A/01_atention.ipynb",
            "content/A/lesson.md:4: error[notebook]: notebook 'A/01_atention.ipynb' not found (looked for content/A/A/01_atention.ipynb, notebooks/A/A/01_atention.ipynb, notebooks/A/01_atention.ipynb) — did you mean 'notebooks/A/01_attention.ipynb'?",
        ),
        (
            "zzz/qqq.ipynb",
            "content/A/lesson.md:4: error[notebook]: notebook 'zzz/qqq.ipynb' not found (looked for content/A/zzz/qqq.ipynb, notebooks/A/zzz/qqq.ipynb, notebooks/zzz/qqq.ipynb) — give its path from the lesson, from notebooks/A/ or from notebooks/",
        ),
        (
            "../../../outside.ipynb",
            "content/A/lesson.md:4: error[notebook]: notebook '../../../outside.ipynb' is outside the course — the notebook must be inside the course (content/ or notebooks/)",
        ),
        (
            "x.md",
            "content/A/lesson.md:4: error[notebook]: notebook 'x.md' leads to content/A/x.md, which is not a notebook — give its path from the lesson, from notebooks/A/ or from notebooks/",
        ),  # a lesson is not a notebook
    ],
)
def test_missing_notebook_is_an_error_at_its_front_matter_line(graph, value, message):
    course, messages = graph(
        {
            "content/A/lesson.md": f"---\ntitle: L\norder: 1\nnotebook: {value}\n---\n",
            "content/A/x.md": "Text.\n",
            "notebooks/A/01_attention.ipynb": NB,
        }
    )
    assert messages == [message]
    assert page_at(course, "A/lesson.html").notebook is None


# ----------------------------------------------------------------------------------------------
# collisions


def test_markdown_and_notebook_with_one_name_collide(graph):
    course, messages = graph({"content/A/x.md": "# X\n", "content/A/x.ipynb": NB})
    assert messages == [
        "content/A/x.md: error[files]: 'content/A/x.md' and 'content/A/x.ipynb' would both be published as 'A/x.html' — rename one of them"
    ]
    assert [p.rel for p in course.pages if p.url == "A/x.html"] == ["content/A/x.ipynb"]


def test_names_differing_only_by_case_collide(graph):
    course, messages = graph({"content/A/Intro.md": "# I\n", "content/A/intro.md": "# i\n"})
    assert messages == [
        "content/A/intro.md: error[files]: 'content/A/intro.md' and 'content/A/Intro.md' would both be published as 'A/intro.html' — rename one of them"
    ]
    assert len([p for p in course.pages if p.url.casefold() == "a/intro.html"]) == 1


def test_asset_colliding_with_a_page(graph):
    course, messages = graph({"content/A/x.md": "# X\n", "content/A/x.html": "<p>hand-written</p>"})
    assert messages == [
        "content/A/x.html: error[files]: 'content/A/x.html' and 'content/A/x.md' would both be published as 'A/x.html' — rename one of them"
    ]
    assert course.assets == []


def test_notebook_download_copy_colliding_with_an_asset(graph):
    _, messages = graph({"notebooks/A/n.ipynb": NB, "content/A/notebooks/n.ipynb": NB})
    assert messages == [
        "notebooks/A/n.ipynb: error[files]: 'notebooks/A/n.ipynb' and 'content/A/notebooks/n.ipynb' would both be published as 'A/notebooks/n.html' — rename one of them"
    ]


# ----------------------------------------------------------------------------------------------
# link targets


LINKS = {
    "content/A/index.md": "# A\n",
    "content/A/lesson.md": "# L\n",
    "content/A/other.md": "# O\n",
    "content/A/img/p.png": b"png",
    "content/A/sub/README.md": "# Sub\n",
    "content/A/my file.md": "# Spaces\n",
    "content/B/x.md": "# BX\n",
    "notebooks/A/n.ipynb": NB,
    "notebooks/A/data.csv": "a,b\n",
}


@pytest.mark.parametrize(
    "from_url, path, target",
    [
        ("A/lesson.html", "other.md", "A/other.html"),
        ("A/lesson.html", "./other.md", "A/other.html"),
        ("A/lesson.html", "other.html", "A/other.html"),
        ("A/lesson.html", "my file.md", "A/my file.html"),
        ("A/lesson.html", "img/p.png", "A/img/p.png"),
        ("A/lesson.html", "../B/x.md", "B/x.html"),
        ("A/lesson.html", "../B/x.html", "B/x.html"),
        ("A/lesson.html", "../B/", "B/index.html"),  # generated section
        ("A/lesson.html", "../B", "B/index.html"),
        ("A/lesson.html", "sub/", "A/sub/index.html"),
        ("A/lesson.html", "sub/README.md", "A/sub/index.html"),
        ("A/lesson.html", "index.md", "A/index.html"),
        ("A/lesson.html", "../index.md", "index.html"),
        ("A/lesson.html", "notebooks/n.ipynb", "A/notebooks/n.html"),  # site layout
        ("A/lesson.html", "notebooks/n.html", "A/notebooks/n.html"),
        ("A/lesson.html", "../../notebooks/A/n.ipynb", "A/notebooks/n.html"),  # source layout
        ("A/lesson.html", "notebooks/data.csv", "A/notebooks/data.csv"),
        ("A/index.html", "notebooks/n.ipynb", "A/notebooks/n.html"),
        ("A/notebooks/n.html", "../../content/A/lesson.md", "A/lesson.html"),
        ("A/notebooks/n.html", "../lesson.md", "A/lesson.html"),
        ("A/notebooks/n.html", "data.csv", "A/notebooks/data.csv"),
        ("index.html", "A/lesson.md", "A/lesson.html"),
        ("index.html", "A/", "A/index.html"),
    ],
)
def test_resolve_link(graph, from_url, path, target):
    course, _ = graph(LINKS)
    found = resolve_link(course, page_at(course, from_url), path)
    assert found is not None and target_url(found) == target


@pytest.mark.parametrize(
    "from_url, path",
    [
        ("A/lesson.html", "missing.md"),
        ("A/lesson.html", "../../../etc/passwd"),
        ("A/lesson.html", "../../course.yml"),  # a file of the course that is not published
        ("index.html", "../outside.md"),
        ("A/lesson.html", "_private.md"),
    ],
)
def test_resolve_link_leading_nowhere(graph, from_url, path):
    course, _ = graph({**LINKS, "course.yml": "title: T\n", "content/A/_private.md": "# P\n"})
    assert resolve_link(course, page_at(course, from_url), path) is None


@pytest.mark.parametrize(
    "path, guess",
    [
        ("othr.md", "other.md"),
        ("lesson.md", "lesson.md"),
        ("x.md", "../B/x.md"),  # a lesson that moved to another module
        ("nothing-like-it-at-all.txt", ""),
        ("intro.md", "01_introduction.md"),  # numbering set aside, then the one name it begins
        ("attention.md", "02_attention.md"),
        ("02-attention.md", "02_attention.md"),
    ],
)
def test_suggest_link(graph, path, guess):
    course, _ = graph(
        {
            **LINKS,
            "content/A/01_introduction.md": "# I\n",
            "content/A/02_attention.md": "# At\n",
            "content/A/03_attention_multi.md": "# AM\n",
        }
    )
    assert suggest_link(course, page_at(course, "A/lesson.html"), path) == guess


def test_link_indexes(graph):
    course, _ = graph(LINKS)
    assert isinstance(course.by_rel["notebooks/A/n.ipynb"], Page)
    assert course.by_site_rel["A/notebooks/n.ipynb"] is course.by_rel["notebooks/A/n.ipynb"]
    assert course.by_url["A/notebooks/n.html"] is course.by_rel["notebooks/A/n.ipynb"]
    assert course.by_url["A/sub"] is course.sections["A/sub"]
    assert target_url(course.by_rel["content/A/img/p.png"]) == "A/img/p.png"
