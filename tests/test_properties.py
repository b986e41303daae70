"""Property tests (Hypothesis): whatever an author writes, coursegen answers with a page or a
diagnostic — never a traceback — and the same input always builds to the same bytes.

Three generators: front matter (valid YAML of random shapes, YAML-looking garbage, YAML 1.1
surprises), Markdown (headings, links to existing and missing files, code, math, HTML, tables,
emphasis, unicode), and notebooks (valid nbformat 4 with random cells and outputs, and corrupted
variants). Each example is built twice, into two folders, without cache.

The examples are derandomized (the same ones each run, so CI is stable) and few; to explore more:

    COURSEGEN_FUZZ=500 .venv/bin/python -m pytest tests/test_properties.py
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from conftest import run_build, snapshot, write_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coursegen.errors import Level

FUZZ = int(os.environ.get("COURSEGEN_FUZZ", "0"))


@pytest.fixture(scope="module", autouse=True)
def stable_theme(tmp_path_factory):
    """The built-in theme as it is when this module starts. It is the repository's own templates/
    and static/, which others may be editing in this working tree while the suite runs: a copy
    keeps the two builds that a test compares made with the same templates."""
    from coursegen import theme

    copy = tmp_path_factory.mktemp("theme")
    for name in ("templates", "static"):
        shutil.copytree(theme.builtin_theme_dir() / name, copy / name)
    patch = pytest.MonkeyPatch()
    patch.setattr(theme, "builtin_theme_dir", lambda: copy)
    yield copy
    patch.undo()


def examples(n: int) -> settings:
    return settings(
        max_examples=FUZZ or n,
        deadline=None,
        derandomize=not FUZZ,
        database=None,  # nothing written into the repository (.hypothesis/)
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
        print_blob=True,
    )


# ----------------------------------------------------------------------------------------------
# text

# any character UTF-8 can store (no lone surrogates), often plain, sometimes exotic
unicode_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=24)
words = st.lists(
    st.sampled_from(
        [
            "attention",
            "Mécanismes",
            "naïve",
            "Übersicht",
            "中文",
            "🤖",
            "x",
            "2017",
            "a_b",
            "&amp;",
            "<b>",
            "C++",
            "50%",
        ]
    ),
    min_size=1,
    max_size=6,
).map(" ".join)
short_text = st.one_of(words, unicode_text)

# ----------------------------------------------------------------------------------------------
# front matter

FIELDS = [
    "title",
    "description",
    "tags",
    "category",
    "order",
    "icon",
    "tagline",
    "timeline",
    "stats",
    "level",
    "summary",
    "topics",
    "duration",
    "notebook",
    "titel",
    "sumary",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    short_text,
)
yaml_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.one_of(words, st.sampled_from(["year", "title", "text", "icon", "value", "label"])),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=8,
)
valid_front_matter = st.dictionaries(st.one_of(st.sampled_from(FIELDS), words), yaml_values, max_size=6).map(
    lambda data: (
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000).rstrip("\n") if data else ""
    )
)
# YAML 1.1 traps and near-misses, written by hand as authors do
plain_lines = st.lists(
    st.builds(
        "{}: {}".format,
        st.sampled_from(FIELDS),
        st.one_of(
            st.sampled_from(
                [
                    "yes",
                    "no",
                    "off",
                    "1:30",
                    "1.10",
                    "010",
                    "0x1F",
                    "~",
                    "null",
                    "2017-01-01",
                    "[a, b",
                    "{x: 1",
                    "*alias",
                    "&anchor v",
                    "!!str x",
                    "!!python/name:os.system",
                    "|",
                    ">",
                    "'quoted'",
                    '"dq\\u00e9"',
                    "a: b",
                    "- x",
                ]
            ),
            words,
        ),
    ),
    max_size=6,
).map("\n".join)
yaml_garbage = st.text(st.sampled_from(list(":-[]{}#&*!|>'\"%@`, \t\n?") + list("abc123é")), max_size=60)
front_matter = st.one_of(valid_front_matter, plain_lines, yaml_garbage)

# ----------------------------------------------------------------------------------------------
# Markdown

LINK_TARGETS = [
    "other.md",
    "other.md#part",
    "other.html",
    "missing.md",
    "#part",
    "#nowhere",
    "../B/index.md",
    "../B/gone.md",
    "pic.svg",
    "missing.png",
    "../../notebooks/A/nb.ipynb",
    "notebooks/nb.ipynb",
    "https://example.org/x?y=1",
    "mailto:a@example.org",
    "javascript:alert(1)",
    "/abs.html",
    "",
    "<spaced name.md>",
    "%2e%2e/%2e%2e/etc/passwd",
]
LATEX = [
    "x^2",
    "\\frac{a}{b}",
    "\\sqrt{x",
    "\\alpha + \\beta_i",
    "\\begin{matrix} a & b \\\\ c & d \\end{matrix}",
    "}{",
    "\\unknowncommand",
    "a_{i,j}^{2}",
    "\\left( x \\right)",
    "\\\\",
    "$",
    "",
]
HTML = [
    "<div class=\"note\">note</div>",
    "<script>alert(1)</script>",
    "<details><summary>s</summary>t</details>",
    "<div>",
    "</div>",
    "<!-- c -->",
    "<img src=x onerror=alert(1)>",
    "<span title=\"a>b\">x</span>",
    "<table><tr><td>1</td></tr></table>",
    "<a href=\"other.md\">o</a>",
    "&nbsp;&lt;&#x1F600;",
]
FENCE_LANGS = ["", "python", "py", "bash", "nosuchlanguage", "{.python}", "mermaid", "text"]

inline = st.one_of(
    short_text,
    st.builds("*{}*".format, words),
    st.builds("**{}**".format, words),
    st.builds("`{}`".format, short_text),
    st.builds("[{}]({})".format, words, st.sampled_from(LINK_TARGETS)),
    st.builds("![{}]({})".format, st.one_of(st.just(""), words), st.sampled_from(LINK_TARGETS)),
    st.builds("${}$".format, st.sampled_from(LATEX)),
    st.sampled_from(HTML),
    st.sampled_from(["*", "**", "_", "`", "[", "]", "(", ")", "\\", "<", ">", "&", "|", "~~", "$$"]),
)
paragraph = st.lists(inline, min_size=1, max_size=6).map(" ".join)
block = st.one_of(
    paragraph,
    st.builds(lambda level, text: "#" * level + " " + text, st.integers(1, 7), paragraph),
    st.builds(lambda lang, code: f"```{lang}\n{code}\n```", st.sampled_from(FENCE_LANGS), unicode_text),
    st.builds("```\n{}".format, unicode_text),  # never closed
    st.builds("$$\n{}\n$$".format, st.sampled_from(LATEX)),
    st.builds("\\[{}\\]".format, st.sampled_from(LATEX)),
    st.builds(
        lambda cells, rows: (
            "| "
            + " | ".join(cells)
            + " |\n|"
            + "---|" * len(cells)
            + "\n"
            + "\n".join("| " + " | ".join(row) + " |" for row in rows)
        ),
        st.lists(words, min_size=1, max_size=3),
        st.lists(st.lists(paragraph, min_size=1, max_size=3), max_size=3),
    ),
    st.builds(lambda depth, text: ">" * depth + " " + text, st.integers(1, 30), paragraph),
    st.builds(
        lambda items: "\n".join(f"{'  ' * i}- {t}" for i, t in enumerate(items)),
        st.lists(paragraph, min_size=1, max_size=8),
    ),
    st.builds(
        lambda items: "\n".join(f"{n}. {t}" for n, t in enumerate(items, 1)),
        st.lists(paragraph, min_size=1, max_size=4),
    ),
    st.sampled_from(HTML),
    st.sampled_from(
        [
            "---",
            "***",
            "[^1]\n\n[^1]: note",
            "Term\n: definition",
            "!!! note\n    admonition",
            "- [ ] task",
            "{#custom-id}",
            "* * *",
        ]
    ),
)
markdown = st.lists(block, max_size=8).map("\n\n".join)

# ----------------------------------------------------------------------------------------------
# notebooks

PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
mime_bundles = st.dictionaries(
    st.sampled_from(
        [
            "text/plain",
            "text/html",
            "text/markdown",
            "text/latex",
            "image/png",
            "image/svg+xml",
            "application/json",
            "application/javascript",
            "application/x-unknown",
        ]
    ),
    st.one_of(
        short_text,
        markdown,
        st.sampled_from(HTML),
        st.just(PNG_1PX),
        st.binary(max_size=30).map(lambda b: base64.b64encode(b).decode()),
    ),
    min_size=1,
    max_size=4,
).map(lambda bundle: {k: ({"a": v} if k == "application/json" else v) for k, v in bundle.items()})
outputs = st.lists(
    st.one_of(
        st.builds(
            lambda name, text: nbformat.v4.new_output("stream", name=name, text=text),
            st.sampled_from(["stdout", "stderr"]),
            short_text,
        ),
        st.builds(
            lambda data, n: nbformat.v4.new_output("execute_result", data=data, execution_count=n),
            mime_bundles,
            st.integers(1, 99),
        ),
        st.builds(lambda data: nbformat.v4.new_output("display_data", data=data), mime_bundles),
        st.builds(
            lambda e, v, tb: nbformat.v4.new_output("error", ename=e, evalue=v, traceback=tb),
            words,
            short_text,
            st.lists(st.one_of(short_text, st.just("\x1b[0;31mValueError\x1b[0m: bad")), max_size=3),
        ),
    ),
    max_size=3,
)
cells = st.lists(
    st.one_of(
        st.builds(lambda source: ("markdown", source, None), markdown),
        st.builds(lambda source, outs: ("code", source, outs), short_text, outputs),
        st.builds(
            lambda source, fmt: ("raw", source, fmt),
            st.one_of(short_text, st.sampled_from(HTML)),
            st.sampled_from([None, "text/html", "text/latex", "text/restructuredtext"]),
        ),
    ),
    max_size=6,
)
notebook_metadata = st.fixed_dictionaries(
    {},
    optional={
        "title": short_text,
        "kernelspec": st.fixed_dictionaries(
            {
                "name": st.sampled_from(["python3", "ir", "julia-1.9"]),
                "display_name": words,
                "language": st.sampled_from(["python", "R", "julia"]),
            }
        ),
        "language_info": st.fixed_dictionaries(
            {"name": st.sampled_from(["python", "R", "nosuch"])},
            optional={"pygments_lexer": st.sampled_from(["ipython3", "python", "nosuchlexer", "r"])},
        ),
        "coursegen": st.fixed_dictionaries(
            {}, optional={"hide_input": st.booleans(), "hide_output": st.booleans()}
        ),
    },
)


def make_notebook(cell_specs, metadata) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata.update(metadata)
    for index, (kind, source, extra) in enumerate(cell_specs):
        if kind == "markdown":
            cell = nbformat.v4.new_markdown_cell(source)
        elif kind == "code":
            cell = nbformat.v4.new_code_cell(
                source, outputs=extra, execution_count=(index + 1) if extra else None
            )
        else:
            cell = nbformat.v4.new_raw_cell(source)
            if extra:
                cell.metadata["format"] = extra
        cell.id = f"cell-{index}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


valid_notebooks = st.builds(make_notebook, cells, notebook_metadata)


def _corrupt(text: str, how: str, where: float) -> str | bytes:
    data = json.loads(text)
    at = int(len(text) * where)
    if how == "truncate":
        return text[:at]
    if how == "flip":
        return text[:at] + "\x7f\"{" + text[at + 1 :]
    if how == "conflict":
        return "<<<<<<< HEAD\n" + text + "=======\n{}\n>>>>>>> theirs\n"
    if how == "latin1":
        return text.replace("\n", " caf\u00e9\n", 1).encode("latin-1", "replace")
    if how == "no-outputs":
        for cell in data["cells"]:
            cell.pop("outputs", None)
        data["cells"].append(
            {"cell_type": "code", "source": "x", "metadata": {}, "execution_count": None, "id": "extra"}
        )
    elif how == "int-source":
        data["cells"].append({"cell_type": "markdown", "source": 12, "metadata": {}, "id": "int"})
    elif how == "v5":
        data["nbformat"] = 5
    elif how == "v3":
        data["nbformat"] = 3
    elif how == "no-version":
        data.pop("nbformat")
    elif how == "cells-dict":
        data["cells"] = {"a": 1}
    elif how == "list":
        data = [data]
    elif how == "duplicate-ids":
        data["cells"] += [{"cell_type": "markdown", "source": "a", "metadata": {}, "id": "dup"}] * 2
    elif how == "bad-output":
        data["cells"].append(
            {
                "cell_type": "code",
                "source": "x",
                "metadata": {},
                "execution_count": 1,
                "id": "bad",
                "outputs": [{"output_type": "nonsense"}],
            }
        )
    elif how == "metadata-string":
        data["metadata"] = "x"
    return json.dumps(data)


CORRUPTIONS = [
    "truncate",
    "flip",
    "conflict",
    "latin1",
    "no-outputs",
    "int-source",
    "v5",
    "v3",
    "no-version",
    "cells-dict",
    "list",
    "duplicate-ids",
    "bad-output",
    "metadata-string",
]
corrupted_notebooks = st.builds(_corrupt, valid_notebooks, st.sampled_from(CORRUPTIONS), st.floats(0, 1))
any_notebook = st.one_of(valid_notebooks, corrupted_notebooks, st.binary(max_size=40))


# ----------------------------------------------------------------------------------------------
# the property


BASE = {
    "content/index.md": "# Home\n\n[A](A/index.md)\n",
    "content/A/index.md": "---\ntitle: Module A\n---\nLessons.\n",
    "content/A/other.md": "# Other\n\n## Part\n\nText.\n",
    "content/A/pic.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    "content/B/index.md": "# B\n",
}
_counter = itertools.count()


def build_twice(tmp_path: Path, files: dict[str, str | bytes], page: str):
    """Build `files` (+ BASE) twice without cache; return the diagnostics (formatted) and the site."""
    base = tmp_path / f"example{next(_counter)}"
    root = write_tree(base / "course", {**BASE, **files})
    first = run_build(root, base / "one", cache=False)
    second = run_build(root, base / "two", cache=False)
    one, two = snapshot(base / "one"), snapshot(base / "two")
    messages = [d.format() for d in first.diagnostics.sorted()]
    assert messages == [d.format() for d in second.diagnostics.sorted()], (
        "two builds reported different problems"
    )
    assert one == two, (
        f"two builds differ: {sorted(k for k in one.keys() | two.keys() if one.get(k) != two.get(k))}"
    )
    for message in messages:
        assert "could not be rendered (" not in message, message  # the catch-all for unexpected exceptions
        assert "please report" not in message, message
        assert "Traceback" not in message, message
    assert first.written
    assert page in one and one[page].strip(), f"{page} missing or empty; messages: {messages}"
    errors = [d for d in first.diagnostics.items if d.level is Level.ERROR]
    shutil.rmtree(base, ignore_errors=True)
    return messages, errors, one


@examples(30)
@given(yaml_text=front_matter, body=markdown)
def test_random_front_matter_gives_a_page_or_a_diagnostic(tmp_path, yaml_text, body):
    lesson = f"---\n{yaml_text}\n---\n{body}\n"
    messages, errors, site = build_twice(tmp_path, {"content/A/x.md": lesson}, "A/x.html")
    page = site["A/x.html"].decode("utf-8")
    if not any(d.path == "content/A/x.md" for d in errors):
        return
    # a page that could not be read is replaced by an error page: none of its YAML is published
    for line in yaml_text.splitlines():
        if len(line.strip()) > 12 and ":" in line:
            assert line not in page, line


@examples(30)
@given(body=markdown, title=short_text)
def test_random_markdown_gives_a_page_or_a_diagnostic(tmp_path, body, title):
    lesson = (
        "---\n" + yaml.safe_dump({"title": title}, allow_unicode=True, width=1000) + "---\n" + body + "\n"
    )
    messages, errors, site = build_twice(
        tmp_path, {"content/A/x.md": lesson, "content/A/y.md": body}, "A/x.html"
    )
    assert "A/y.html" in site
    for message in messages:  # every message about these files points at a line of the file
        if message.startswith(("content/A/x.md:", "content/A/y.md:")):
            path, line = message.split(":")[:2]
            if line.isdigit():
                source = lesson if path.endswith("x.md") else body
                assert 1 <= int(line) <= source.count("\n") + 2, message


@examples(25)
@given(notebook=any_notebook)
def test_random_notebook_gives_a_page_or_a_diagnostic(tmp_path, notebook):
    lesson = (
        "---\ntitle: Lesson\nnotebook: A/nb.ipynb\n---\nSee [the notebook](../../notebooks/A/nb.ipynb).\n"
    )
    messages, errors, site = build_twice(
        tmp_path, {"notebooks/A/nb.ipynb": notebook, "content/A/lesson.md": lesson}, "A/notebooks/nb.html"
    )
    # the download copy is the file itself, and the lesson's link to the notebook page still works
    data = notebook if isinstance(notebook, bytes) else notebook.encode("utf-8")
    assert site["A/notebooks/nb.ipynb"] == data
    assert 'href="notebooks/nb.html"' in site["A/lesson.html"].decode("utf-8")
    if any(d.path == "notebooks/A/nb.ipynb" for d in errors):
        assert "notebooks/A/nb.ipynb" not in "".join(m for m in messages if "leads nowhere" in m)


# ----------------------------------------------------------------------------------------------
# the model's places and URLs are string work (they run for every page of every build): they must
# say what pathlib says

_PART = st.text(alphabet="abcé.-_ 0X", min_size=1, max_size=8).filter(
    lambda s: s not in (".", "..") and not s.startswith(".")
)


@settings(max_examples=400, deadline=None)
@given(
    top=st.sampled_from(["content", "notebooks"]),
    folders=st.lists(_PART, max_size=3),
    name=_PART,
    suffix=st.sampled_from([".md", ".ipynb", ".MD", ".IPYNB"]),
    index=st.booleans(),
)  # page sources only
def test_source_places_and_urls_match_pathlib(top, folders, name, suffix, index):
    from pathlib import PurePosixPath

    from coursegen.model import NOTEBOOKS_DIR, SourceFile, SourceKind, site_position
    from coursegen.parse import _blank_page
    from coursegen.urls import readable_name

    file_name = "index.md" if index else name + suffix
    rel = PurePosixPath(top, *folders, file_name)
    inner = PurePosixPath(*rel.parts[1:])
    expected_site = inner.parent / NOTEBOOKS_DIR / inner.name if top == NOTEBOOKS_DIR else inner
    assert site_position(rel) == expected_site
    kind = SourceKind.NOTEBOOK if file_name.lower().endswith(".ipynb") else SourceKind.MARKDOWN
    source = SourceFile(Path("/course") / rel, rel, expected_site, kind)
    if source.is_section_index:
        expected_url = str(expected_site.parent / "index.html").removeprefix("./")
    else:
        expected_url = str(expected_site.with_suffix(".html"))
    assert source.page_url == expected_url
    page = _blank_page(source)
    assert page.folder == str(expected_site.parent).removeprefix(".")
    expected_title = readable_name(source.path.parent.name if source.is_section_index else source.path.stem)
    assert page.title == expected_title
