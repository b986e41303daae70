"""Text notebooks (MyST `.md`, jupytext percent `.py`), their pairing with an `.ipynb`, cell tags
and myst-nb glue. The fixture `textnb` is shaped like real courses: a scikit-learn-mooc-style
percent script with a jupytext header, a QuantEcon-style MyST notebook with `{glue}` roles, paired
with the `.ipynb` a Jupyter Book build left (one code cell added to the `.md` since)."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest
from conftest import FIXTURES, copy_fixture, formatted, run_build

from coursegen import discover, textnotebooks
from coursegen.cache import CACHE_DIR
from coursegen.glue import GLUE_PREFIX
from coursegen.textnotebooks import reads_as_notebook as is_notebook_source

FIXTURE = FIXTURES / "textnb"
MYST_HEADER = "---\nkernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"


def read(root, url: str) -> str:
    return (root / "site" / url).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("x.ipynb", None, True),
        ("x.md", MYST_HEADER + "# T\n", True),
        ("x.md", "---\njupytext:\n  formats: ipynb,md:myst\n---\n# T\n", True),
        ("x.md", "# T\n\n```{code-cell} python\nx = 1\n```\n", True),
        ("x.md", "---\ntitle: T\n---\n# T\n\nText.\n", False),
        # MyST syntax shown inside a code block (a lesson about MyST) is no notebook
        ("x.md", "# T\n\n````markdown\n```{code-cell} python\nx = 1\n```\n````\n", False),
        ("x.py", "# %% [markdown]\n# # Title\n\n# %%\nx = 1\n", True),
        ("x.py", "#%%\nx = 1\n", True),
        ("x.py", "# ---\n# jupyter:\n#   jupytext:\n#     formats: ipynb,py:light\n# ---\n\nx = 1\n", True),
        ("x.py", '"""A helper module."""\n\ndef f():\n    return 1\n', False),
        ("x.py", "# %%%% not a cell marker (IPython's %%%)\n", False),
        ("x.txt", "# %%\n", False),
    ],
)
def test_which_files_are_notebooks(name, text, expected):
    assert is_notebook_source(name, text) is expected


def test_text_notebooks_build_as_notebook_pages(tmp_path):
    root = copy_fixture("textnb", tmp_path)
    result = run_build(root)
    assert formatted(result) == [
        "content/stats/resultats.md:19: warning[notebook]: {glue:text} 'boot_sd' has no value: no notebook "
        "of the course glues 'boot_sd' (not executed, or saved without outputs?) — build with --execute (or "
        "save the notebook with its outputs), or check the key's spelling",
        "notebooks/stats/02_bootstrap.md: note[notebook]: 1 code cell has no outputs in 02_bootstrap.ipynb "
        "(changed since it was saved?) — run the notebook and save it to update 02_bootstrap.ipynb, or build "
        "with --execute",
    ]
    site = root / "site" / "stats" / "notebooks"
    # one page per notebook, the pair included; helper modules and READMEs are plain files
    assert sorted(p.name for p in site.iterdir()) == [
        "01_tabular_data.html",
        "01_tabular_data.ipynb",
        "02_bootstrap.html",
        "02_bootstrap.ipynb",
        "README.md",
        "datasets",
        "helpers.py",
    ]
    assert result.notebooks == 2
    percent = read(root, "stats/notebooks/01_tabular_data.html")
    assert "First look at our dataset" in percent  # the title, from the first Markdown cell
    assert "<li>looking at the variables in the dataset" in percent  # `# ` taken off Markdown cells
    assert "load_rows" in percent and "jp-OutputArea-output" not in percent  # no outputs without a run
    assert "only for the teacher" not in percent  # remove-cell
    assert '<details class="cell-toggle cell-toggle-input"><summary>Afficher le code</summary>' in percent


def test_downloads_are_valid_ipynb_with_the_paired_outputs(tmp_path):
    root = copy_fixture("textnb", tmp_path)
    run_build(root)
    site = root / "site" / "stats" / "notebooks"
    percent = nbformat.read(site / "01_tabular_data.ipynb", as_version=4)
    nbformat.validate(percent)
    assert percent.metadata.kernelspec.name == "python3"
    assert [cell.cell_type for cell in percent.cells][:3] == ["markdown", "markdown", "code"]
    assert percent.cells[5].metadata.tags == ["raises-exception"]
    paired = nbformat.read(site / "02_bootstrap.ipynb", as_version=4)
    nbformat.validate(paired)
    code = [cell for cell in paired.cells if cell.cell_type == "code"]
    # inputs from the .md (its last cell is not in the .ipynb), outputs where the code is the same
    assert code[-1].source == "# added after the notebook was last run\nlen(means)"
    assert [len(cell.outputs) for cell in code] == [0, 0, 3, 1, 1, 0]
    assert code[2].outputs[0].metadata.scrapbook.name == "boot_mean"


def test_a_paired_cell_edited_since_the_ipynb_was_saved_shows_no_stale_output(tmp_path):
    root = copy_fixture("textnb", tmp_path)
    source = root / "notebooks/stats/02_bootstrap.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace('print("a log line', 'print("another log line'), encoding="utf-8")
    run_build(root)
    paired = nbformat.read(root / "site/stats/notebooks/02_bootstrap.ipynb", as_version=4)
    code = [cell for cell in paired.cells if cell.cell_type == "code"]
    assert [len(cell.outputs) for cell in code] == [0, 0, 3, 1, 0, 0]
    # reformatting (what black changes) is no change
    source.write_text(
        text.replace("means.append(statistics.fmean(sample))", "means.append( statistics.fmean( sample ) )")
    )
    run_build(root)
    paired = nbformat.read(root / "site/stats/notebooks/02_bootstrap.ipynb", as_version=4)
    assert [len(cell.outputs) for cell in paired.cells if cell.cell_type == "code"] == [0, 0, 3, 1, 1, 0]


def test_glue_values_appear_in_lessons_and_notebook_cells(tmp_path):
    root = copy_fixture("textnb", tmp_path)
    run_build(root)
    lesson = read(root, "stats/resultats.html")
    assert 'La moyenne estimée est <span class="glue glue-text">3.01</span>' in lesson
    assert '<span class="glue glue-text">2.979</span> à <span class="glue glue-text">3.035</span>' in lesson
    assert 'brute\xa0: <span class="glue glue-text">3.0072519476532036</span>' in lesson
    assert '<div id="fig-boot" class="glue-target"><figure class="glue glue-figure"><img' in lesson
    assert "<figcaption>Distribution des moyennes <strong>bootstrap</strong>.</figcaption>" in lesson
    # a missing value: a visible marker, never the role's text
    assert '<span class="glue-missing" role="note">' in lesson and "<code>boot_sd</code>" in lesson
    assert "{glue:text}`boot_sd" not in lesson
    # roles shown as code stay code
    assert "<code>{glue:text}`clé:.2f`</code>" in lesson
    assert "{glue:text}`boot_mean:.2f`\n</code>" in lesson
    notebook = read(root, "stats/notebooks/02_bootstrap.html")
    assert 'The estimate is <span class="glue glue-text">3.007</span>.' in notebook
    assert "from <span class=\"glue glue-text\">2.979</span> to" in notebook
    assert "a log line that no reader needs\n" not in notebook.split("</code>")[-1]  # remove-output
    assert "papermill.record" not in notebook  # values glued with display=False: no empty output


def test_glue_with_a_notebook_path_and_unknown_notebooks(make_course):
    root = make_course(
        {
            "content/A/index.md": "# A\n\nOne {glue:text}`../../notebooks/A/n.md::answer:.1f`, "
            "two {glue:text}`notebooks/A/n::answer`, three {glue}`nowhere.ipynb::answer`.\n",
            "notebooks/A/n.md": MYST_HEADER + "# N\n\n```{code-cell} python\nanswer = 42\n```\n",
            "notebooks/A/n.ipynb": _paired_glue_notebook("answer = 42", "answer", "42"),
        }
    )
    result = run_build(root)
    page = read(root, "A/index.html")
    assert 'One <span class="glue glue-text">42.0</span>, two <span class="glue glue-text">42</span>' in page
    assert formatted(result) == [
        "content/A/index.md:3: warning[notebook]: {glue} 'nowhere.ipynb::answer' has no value: no notebook "
        "'nowhere.ipynb' glues values — build with --execute (or save the notebook with its outputs), or check "
        "the key's spelling"
    ]


def _paired_glue_notebook(code: str, key: str, value: str) -> str:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# N", id="c1"),
        nbformat.v4.new_code_cell(
            code,
            id="c2",
            outputs=[
                nbformat.v4.new_output(
                    "display_data",
                    data={"text/plain": value},
                    metadata={"scrapbook": {"name": key, "mime_prefix": ""}},
                )
            ],
        ),
    ]
    return nbformat.writes(notebook)


def test_a_text_notebook_jupytext_cannot_read_is_a_finding_and_the_rest_builds(make_course):
    root = make_course(
        {
            "notebooks/A/broken.md": MYST_HEADER
            + "# Broken\n\n```{code-cell} ipython3\n:tags: [hide-input\n\nx = 1\n```\n",
            "notebooks/A/options.py": '# %% [markdown]\n# # Options\n\n# %% tags=["hide-input"\nx = 1\n',
            "notebooks/A/good.py": "# %% [markdown]\n# # Good\n\n# %%\nprint('ok')\n",
        }
    )
    result = run_build(root)
    assert formatted(result) == [
        "notebooks/A/broken.md:10: error[notebook]: Code cell 1 at line 10 could not be read: Invalid YAML; "
        "while parsing a flow sequence expected ',' or ']', but got '<stream end>' — fix the notebook's text "
        "(or open it with jupytext in Jupyter to see the problem); its page shows this error meanwhile",
        "notebooks/A/options.py:4: warning[notebook]: cell options 'tags=[\"hide-input\"' could not be read "
        '(ignored) — write them as jupytext does: # %% tags=["hide-input"]',
    ]
    assert "print" in read(root, "A/notebooks/good.html")
    assert "x" in read(root, "A/notebooks/options.html")
    assert (root / "site/A/notebooks/broken.html").is_file()  # its page shows the error
    assert not (root / "site/A/notebooks/broken.ipynb").exists()


def test_notebook_front_matter_reference_to_a_text_notebook(make_course):
    root = make_course(
        {
            "content/A/index.md": "# A\n",
            "content/A/lesson.md": "---\nnotebook: intro.py\n---\n# Lesson\n",
            "notebooks/A/intro.py": "# %% [markdown]\n# # Intro\n\n# %%\nx = 1\n",
        }
    )
    result = run_build(root)
    assert not result.diagnostics.problems, formatted(result)
    assert 'href="notebooks/intro.html"' in read(root, "A/lesson.html")


def test_a_no_op_rebuild_reads_no_text_notebook_again(tmp_path, monkeypatch):
    monkeypatch.setattr(discover, "SETTLED_NS", 0)
    root = copy_fixture("textnb", tmp_path)
    first = run_build(root)
    pages = {p.name: p.read_bytes() for p in (root / "site/stats/notebooks").iterdir() if p.is_file()}

    def no_jupytext(*args, **kwargs):
        raise AssertionError("a text notebook was read again")

    monkeypatch.setattr(textnotebooks, "read_text_notebook", no_jupytext)
    second = run_build(root)
    assert formatted(second) == formatted(first)
    assert {p.name: p.read_bytes() for p in (root / "site/stats/notebooks").iterdir() if p.is_file()} == pages
    # the paired .ipynb is part of the page: changing it renders the page again
    monkeypatch.undo()
    monkeypatch.setattr(discover, "SETTLED_NS", 0)
    paired = root / "notebooks/stats/02_bootstrap.ipynb"
    paired.write_text(paired.read_text().replace("3.0072519476532036", "3.5"), encoding="utf-8")
    run_build(root)
    assert 'The estimate is <span class="glue glue-text">3.500</span>' in read(
        root, "stats/notebooks/02_bootstrap.html"
    )
    assert '<span class="glue glue-text">3.50</span>' in read(root, "stats/resultats.html")


def test_tags_in_every_form(make_course):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Tags", id="c1"),
        nbformat.v4.new_code_cell(
            "shown = 'input hidden by JupyterLab'", id="c2", metadata={"jupyter": {"source_hidden": True}}
        ),
        {  # tags as a string, as hand-written metadata sometimes has them
            "cell_type": "code",
            "id": "c3",
            "metadata": {"tags": "remove-stdout"},
            "execution_count": 1,
            "source": "print('noise')",
            "outputs": [
                nbformat.v4.new_output("stream", name="stdout", text="noise\n"),
                nbformat.v4.new_output("stream", name="stderr", text="a warning\n"),
            ],
        },
        nbformat.v4.new_code_cell("secret = 1", id="c4", metadata={"tags": ["remove-input"]}),
    ]
    root = make_course(
        {
            "notebooks/A/tags.ipynb": json.dumps(notebook),  # as saved, tags string and all
            "notebooks/A/myst.md": MYST_HEADER
            + "# MyST\n\n```{code-cell} python\n:tags: [hide-output]\n\nprint('long output')\n```\n",
        }
    )
    run_build(root)
    page = read(root, "A/notebooks/tags.html")
    assert '<details class="cell-toggle cell-toggle-input"><summary>Show code</summary>' in page
    assert "noise\n" not in page and "a warning" in page
    assert "secret" not in page
    myst = read(root, "A/notebooks/myst.html")
    assert "long output" in myst  # its input; no output without a run, so nothing to collapse


@pytest.mark.slow
def test_text_notebooks_execute_and_their_runs_are_cached(make_course):
    pytest.importorskip("ipykernel")
    glue_cell = (
        "from IPython.display import display\n\n"
        "# what myst_nb.glue('penguins', len(rows)) displays\n"
        "display({'text/plain': repr(len(rows))}, raw=True,\n"
        "        metadata={'scrapbook': {'name': 'penguins', 'mime_prefix': ''}})\n"
    )
    script = (FIXTURE / "notebooks/stats/01_tabular_data.py").read_text(encoding="utf-8")
    root = make_course(
        {
            "content/stats/index.md": "# Stats\n\nThere are {glue:text}`penguins` penguins.\n",
            "notebooks/stats/01_tabular_data.py": script + "\n# %%\n" + glue_cell,
            "notebooks/stats/helpers.py": (FIXTURE / "notebooks/stats/helpers.py").read_text(
                encoding="utf-8"
            ),
        }
    )
    shutil.copytree(FIXTURE / "notebooks/stats/datasets", root / "notebooks/stats/datasets")
    result = run_build(root, execute=True)
    assert not result.diagnostics.problems, formatted(result)  # the raises-exception cell is expected
    page = read(root, "stats/notebooks/01_tabular_data.html")
    assert "The dataset contains 5 penguins" in page
    assert "KeyError" in page
    assert 'There are <span class="glue glue-text">5</span> penguins.' in read(root, "stats/index.html")
    runs = sorted((root / CACHE_DIR / "executed").glob("*.json"))
    assert len(runs) == 1
    again = run_build(root, execute=True)
    assert [record.status for record in again.runs] == ["cached"]
    assert json.loads(runs[0].read_text())  # the cached results are the ones used


def test_glue_any_math_and_figures(make_course):
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNg+M/AAAADAQEAGN2NsAAAAABJRU5ErkJggg=="
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}

    def glued(key, data, prefix=""):
        data = {prefix + mime: value for mime, value in data.items()}
        return nbformat.v4.new_output(
            "display_data", data=data, metadata={"scrapbook": {"name": key, "mime_prefix": prefix}}
        )

    notebook.cells = [
        nbformat.v4.new_code_cell(
            "glue('mean', Math(...)); glue('table', df); glue('hist', fig, display=False)",
            id="c1",
            outputs=[
                glued("mean", {"text/latex": r"$\displaystyle \bar x = 3$", "text/plain": "<Math object>"}),
                glued(
                    "table",
                    {"text/html": "<table><tr><td onclick='steal()'>1</td></tr></table><script>x()</script>"},
                ),
                glued(
                    "hist", {"image/png": png, "text/plain": "<Figure size 640x480 with 1 Axes>"}, GLUE_PREFIX
                ),
                glued("summary", {"text/markdown": "a **bold** result", "text/plain": "<Markdown object>"}),
            ],
        )
    ]
    root = make_course(
        {
            "content/A/index.md": "# A\n\nThe mean {glue:math}`mean`, as any {glue}`mean`; the table {glue}`table`.\n\n"
            "```{glue:math} mean\n```\n\n:::{glue:figure} hist\n:name: fig-hist\nThe *histogram* & its bins.\n:::\n\n"
            "In short: {glue:md}`summary`.\n\n```{glue:math} median\n```\n",
            "notebooks/A/n.ipynb": nbformat.writes(notebook),
        }
    )
    result = run_build(root)
    assert [d.format() for d in result.diagnostics.problems if d.path.endswith(".md")] == [
        "content/A/index.md:15: warning[notebook]: {glue:math} 'median' has no value: no notebook of the course "
        "glues 'median' (not executed, or saved without outputs?) — build with --execute (or save the notebook "
        "with its outputs), or check the key's spelling"
    ]
    page = read(root, "A/index.html")
    body = page.split('<div class="prose page-body">')[1].split("<footer")[0]
    assert body.count("<math") == 3 and "{glue" not in body and "displaystyle" not in body
    assert '<span class="glue glue-html"><table><tbody><tr><td>1</td></tr></tbody></table></span>' in body
    assert "steal" not in body and "<script" not in body
    assert '<div id="fig-hist" class="glue-target"><figure class="glue glue-figure">' in body
    assert 'alt="The histogram &amp; its bins."' in body
    assert "<figcaption>The <em>histogram</em> &amp; its bins.</figcaption>" in body
    assert "In short: a <strong>bold</strong> result." in body
    assert body.count('<span class="glue-missing" role="note">') == 1
    notebook_page = read(root, "A/notebooks/n.html")
    assert "papermill" not in notebook_page and notebook_page.count("jp-OutputArea-output") == 3


def test_text_notebooks_are_no_inputs_of_their_neighbours(make_course):
    from coursegen.inputs import InputFinder

    root = make_course(
        {
            "notebooks/A/a.py": "# %%\nimport helpers\n",
            "notebooks/A/b.md": MYST_HEADER + "```{code-cell} python\nx = 1\n```\n",
            "notebooks/A/helpers.py": "def f():\n    return 1\n",
            "notebooks/A/data.csv": "x\n1\n",
        }
    )
    finder = InputFinder(
        root, (), (), cache=False, text_notebooks=frozenset({"notebooks/A/b.md", "notebooks/A/a.py"})
    )
    inputs, problems = finder.inputs("notebooks/A/a.py", [])
    assert sorted(inputs) == ["notebooks/A/data.csv", "notebooks/A/helpers.py"] and not problems


def test_glue_in_myst_pages(tmp_path):
    """The same lesson read as MyST (a Jupyter Book's pages): glue roles and directives give the
    notebooks' values as in a coursegen lesson, none is reported as unsupported."""
    root = copy_fixture("textnb", tmp_path)
    course_yml = root / "course.yml"
    course_yml.write_text(
        course_yml.read_text(encoding="utf-8") + "markdown: {flavor: myst}\n", encoding="utf-8"
    )
    result = run_build(root)
    assert not [line for line in formatted(result) if "unsupported" in line], formatted(result)
    lesson = read(root, "stats/resultats.html")
    assert 'La moyenne estimée est <span class="glue glue-text">3.01</span>' in lesson
    assert '<div id="fig-boot" class="glue-target"><figure class="glue glue-figure"><img' in lesson
    assert '<span class="glue-missing" role="note">' in lesson
    assert "{glue" not in lesson.replace("<code>{glue:text}`clé:.2f`</code>", "").split("<pre")[0]
