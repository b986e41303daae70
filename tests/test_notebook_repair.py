"""Every notebook a person could read gets a real page (contract: "Errors and safety").

Schema slips that Jupyter tolerates are repaired in memory with one warning per notebook naming
each slip's JSON path; a notebook whose JSON is broken outside its cells is salvaged from its
cells with a warning at the damage's line and column; only a notebook whose cells can't be read
gets the "could not be rendered" page. `coursegen check --fix-notebooks` writes the repairs back.

The notebooks are tests/fixtures/notebooks/*.ipynb, written by make_fixtures.py there with the
defects real tools produce (Databricks, VS Code, Colab, hand edits, merge conflicts, cut-off saves).
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import re
import shutil
import warnings
from html import unescape
from pathlib import Path

import nbformat
import pytest
from conftest import FIXTURES, formatted, notebook_json, run_build, snapshot, write_tree

from coursegen.cli import main
from coursegen.nbrepair import Slip, describe_slips, repair_notebook
from coursegen.nbsalvage import read_notebook_json
from coursegen.notebooks import NotebookConverter

NOTEBOOKS = FIXTURES / "notebooks"
SLIPS_HINT = "re-save it in Jupyter (or run `coursegen check --fix-notebooks`) to fix the file"
SALVAGE_HINT = "run `coursegen check --fix-notebooks` to write the salvaged notebook back (a .bak copy is kept), or mend the JSON in a text editor"
UNREADABLE_HINT = "its cells can't be read on their own either: mend the JSON in a text editor (a stray line break inside a string? a merge conflict?) or restore the file"

# fixture → (the warning's message, text its page must show)
SLIPPED = {
    "databricks": (
        "2 schema slips repaired in memory: cells[0], cells[2]: 'execution_count' and 'outputs' on a Markdown cell (dropped)",
        [
            "DBX_MD_intro : un notebook exporté de Databricks.",
            "DBX_OUT 3 lignes",
            "DBX_MD_result : trois lignes.",
        ],
    ),
    "vscode": (
        "2 schema slips repaired in memory: cells[0], cells[2]: 'execution_count' and 'outputs' on a Markdown cell (dropped)",
        ["Question 1", "VSC_OUT 0.75", "VSC_MD La moyenne vaut"],
    ),
    "hand_edited": (
        "6 schema slips repaired in memory: cells[1]: 'execution_count' missing (set to null); "
        "cells[2].outputs[0]: stream output without 'name' (set to \"stdout\"); "
        "cells[3], cells[3].outputs[0], cells[4].outputs[0]: 'metadata' missing (set to {}); "
        "cells[3].outputs[0]: 'execution_count' missing (set from its cell)",
        [
            "HAND_MD : répéter une action.",
            "for i in range(3):",
            "HAND_OUT 0 1 2",
            "'HAND_RESULT'",
            "HAND_DISPLAY",
        ],
    ),
    "colab": (
        "1 schema slip repaired in memory: cells[2].outputs[1]: 'metadata' missing (set to {})",
        ["COLAB_MD : ajuster une droite.", "COLAB_OUT 0.5", "COLAB_HTML"],
    ),
    "ids_minor_1": (
        "1 schema slip repaired in memory: nbformat_minor: 1, but the cells have ids, which came with format 4.5 (read as 4.5)",
        ["IDS41_MD", "IDS41_OUT"],
    ),
    "ids_missing": (
        "2 schema slips repaired in memory: cells[0], cells[1]: 'id' missing (given one from its position)",
        ["NOID_MD", "NOID_CODE"],
    ),
    "ids_duplicate": (
        "1 schema slip repaired in memory: cells[2]: 'id' used by an earlier cell (given one from its position)",
        ["DUP_MD", "DUP_FIRST", "DUP_COPY", "DUP_END"],
    ),
}
SALVAGED = {
    "corrupt_metadata": (
        33,
        1,
        "the notebook's JSON is broken here (Expecting property name enclosed in double quotes), outside its cells: its 2 cells were read on their own and are shown; "
        "metadata rebuilt from the parts that could be read",
        ["MERGE_MD", "MERGE_OUT"],
    ),
    "truncated": (
        40,
        22,
        "the notebook's JSON is broken here (Unterminated string), outside its cells: its 2 cells were read on their own and are shown; "
        "metadata rebuilt from the parts that could be read; nbformat could not be read (4 assumed); nbformat_minor could not be read (5 assumed)",
        ["CUT_MD", "CUT_OUT"],
    ),
}
UNREADABLE_AT = (20, 1)


def fixture_text(name: str) -> str:
    return (NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8")


def page_text(site: Path, name: str) -> str:
    """The text of a notebook page's cells, tags removed."""
    page = (site / f"A/notebooks/{name}.html").read_text(encoding="utf-8")
    body = page[page.index('<div class="notebook">') :]
    return unescape(re.sub(r"<[^>]+>", "", body))


def warnings_of(result, rel: str) -> list[str]:
    return [line for line in formatted(result) if line.startswith(rel + ":")]


@pytest.fixture(scope="module")
def broken_course(tmp_path_factory):
    """Every fixture notebook with a defect, in module A of one course, built once."""
    names = [*SLIPPED, *SALVAGED, "unreadable"]
    root = write_tree(
        tmp_path_factory.mktemp("broken") / "course",
        {
            "content/index.md": "# Cours\n",
            "content/A/index.md": "# Module A\n",
            **{f"notebooks/A/{name}.ipynb": fixture_text(name) for name in names},
        },
    )
    result = run_build(root)
    return root, root / "site", result


# ----------------------------------------------------------------------------------------------
# schema slips: repaired in memory, one warning per notebook


@pytest.mark.parametrize("name", list(SLIPPED))
def test_schema_slips_are_repaired_with_one_warning_naming_each_json_path(broken_course, name):
    root, site, result = broken_course
    message, shown = SLIPPED[name]
    assert warnings_of(result, f"notebooks/A/{name}.ipynb") == [
        f"notebooks/A/{name}.ipynb: warning[notebook]: {message} — {SLIPS_HINT}"
    ]
    text = page_text(site, name)
    assert "could not be rendered" not in text
    for marker in shown:
        assert marker in text, (marker, text[:2000])
    # the download copy is the author's file, untouched
    assert (site / f"A/notebooks/{name}.ipynb").read_bytes() == (
        root / f"notebooks/A/{name}.ipynb"
    ).read_bytes()


def test_html_outputs_of_a_repaired_notebook_stay_html(broken_course):
    _, site, _ = broken_course
    assert "<b>COLAB_HTML</b>" in (site / "A/notebooks/colab.html").read_text(encoding="utf-8")


def test_a_repaired_notebook_keeps_its_language_for_highlighting(broken_course):
    _, site, _ = broken_course
    assert '<span class="nb">print</span>' in (site / "A/notebooks/hand_edited.html").read_text(
        encoding="utf-8"
    )


def test_source_lines_that_are_not_text_are_shown_as_written(make_course):
    """`"source": ["Valeur : ", 42]` would make nbformat's line joining raise TypeError."""
    data = json.loads(notebook_json("# Titre", "md:placeholder", "x = 1"))
    data["cells"][0]["source"] = ["# Titre ", 2, "\n"]
    data["cells"][1]["source"] = ["Valeur : ", 42, " et ", None]
    root = make_course({"notebooks/A/n.ipynb": json.dumps(data, indent=1)})
    result = run_build(root)
    assert formatted(result) == [
        "notebooks/A/n.ipynb: warning[notebook]: 3 schema slips repaired in memory: cells[0].source[1], cells[1].source[1], cells[1].source[3]: "
        f"not text (read as its JSON text) — {SLIPS_HINT}"
    ]
    site = root / "site"
    assert '<span aria-current="page">Titre 2</span>' in (site / "A/notebooks/n.html").read_text(
        encoding="utf-8"
    )
    assert "Valeur : 42 et null" in page_text(site, "n")


def test_a_hundred_slips_make_one_finding_with_a_capped_list(make_course):
    cells = [
        {
            "cell_type": "markdown",
            "execution_count": None,
            "id": f"m{index}",
            "metadata": {},
            "outputs": [],
            "source": [f"Texte {index}"],
        }
        for index in range(60)
    ]
    cells += [
        {"cell_type": "code", "id": f"c{index}", "metadata": {}, "outputs": [], "source": [f"x = {index}"]}
        for index in range(40)
    ]
    data = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    root = make_course({"notebooks/A/many.ipynb": json.dumps(data, indent=1)})
    result = run_build(root)
    assert formatted(result) == [
        "notebooks/A/many.ipynb: warning[notebook]: 100 schema slips repaired in memory: "
        "cells[0], cells[1], cells[2] and 57 more: 'execution_count' and 'outputs' on a Markdown cell (dropped); "
        f"cells[60], cells[61], cells[62] and 37 more: 'execution_count' missing (set to null) — {SLIPS_HINT}"
    ]
    text = page_text(root / "site", "many")
    assert "Texte 59" in text and "x = 39" in text


def test_more_kinds_of_slips_than_listed_are_counted():
    slips = [Slip(f"cells[{index}]", f"slip of kind {index}") for index in range(8)] + [
        Slip("cells[9]", "slip of kind 7")
    ]
    assert describe_slips(slips) == (
        "9 schema slips repaired in memory: cells[0]: slip of kind 0; cells[1]: slip of kind 1; cells[2]: slip of kind 2; "
        "cells[3]: slip of kind 3; cells[4]: slip of kind 4; cells[5]: slip of kind 5; and 3 more"
    )


def test_what_no_rule_foresees_is_left_out_by_nbformats_own_validator():
    """A cell's `tags` that is not a list, `collapsed` as a string, a cell that is a number,
    an output of an unknown type: each the smallest part possible, named by its path."""
    data = json.loads(
        notebook_json(
            "# T", ("code", "a = 1", [nbformat.v4.new_output("stream", name="stdout", text="x")]), "md:fin"
        )
    )
    data["cells"][1]["metadata"].update(tags="exercice", collapsed="false")
    data["cells"][1]["outputs"].append({"output_type": "widget_magic", "data": {}})
    data["cells"].append(7)
    slips = repair_notebook(data)
    assert [(slip.path, slip.what) for slip in slips] == [
        ("cells[1].metadata.collapsed", "'false' is not of type 'boolean' (dropped)"),
        ("cells[1].metadata.tags", "'exercice' is not of type 'array' (dropped)"),
        ("cells[1].outputs[1]", "unknown output type \"widget_magic\" (left out)"),
        ("cells[3]", "not a cell (left out)"),
    ]
    nbformat.validate(data)
    assert [cell["source"] for cell in data["cells"]] == [["# T"], ["a = 1"], ["fin"]]


def test_a_notebook_whose_cells_are_all_beyond_repair_gets_the_error_page(make_course):
    root = make_course(
        {
            "notebooks/A/n.ipynb": json.dumps(
                {"cells": [1, "deux"], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
            )
        }
    )
    result = run_build(root)
    assert [line for line in formatted(result) if ": error" in line] == [
        "notebooks/A/n.ipynb: error[notebook]: no cell can be shown: 2 schema slips repaired in memory: cells[0], cells[1]: not a cell (left out)"
        " — fix the notebook in Jupyter; its page shows this error meanwhile"
    ]
    assert "could not be rendered" in (root / "site/A/notebooks/n.html").read_text(encoding="utf-8")


def test_repairs_are_deterministic_two_builds_are_byte_identical(broken_course, tmp_path):
    root, _, _ = broken_course
    run_build(root, tmp_path / "one", cache=False)
    run_build(root, tmp_path / "two", cache=False)
    first, second = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert first == second
    assert [
        re.findall(r'id="cell-id=([^"]+)"', first[f"A/notebooks/{name}.html"].decode())
        for name in ("ids_missing", "ids_duplicate")
    ] == [
        ["cell-1", "cell-2"],
        ["c0ffee01", "5eed0a11", "cell-3", "c0ffee04"],
    ]


def test_no_raw_nbformat_warning_or_log_is_printed(make_course, capsys, caplog):
    root = make_course(
        {
            f"notebooks/A/{name}.ipynb": fixture_text(name)
            for name in ("ids_missing", "ids_duplicate", "ids_minor_1", "hand_edited")
        }
    )
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["build", str(root), "-j", "1"]) == 0
    streams = capsys.readouterr()
    assert [
        str(w.message)
        for w in caught
        if "nbformat" in (w.filename or "") or "cell id" in str(w.message).lower()
    ] == []
    assert [record.getMessage() for record in caplog.records] == []
    printed = (streams.out + streams.err).splitlines()
    assert [
        line for line in printed if "warning[notebook]" not in line and not line.startswith("Built ")
    ] == []


@pytest.fixture
def conversions(monkeypatch):
    calls: list[str] = []
    original = NotebookConverter.convert

    def counting(self, page, notebook, diagnostics):
        calls.append(page.rel)
        return original(self, page, notebook, diagnostics)

    monkeypatch.setattr(NotebookConverter, "convert", counting)
    return calls


def test_warnings_are_reported_again_by_a_cached_rebuild(make_course, conversions):
    names = ["databricks", "hand_edited", "corrupt_metadata", "truncated", "unreadable"]
    root = make_course({f"notebooks/A/{name}.ipynb": fixture_text(name) for name in names})
    first = run_build(root)
    assert len(conversions) == 4  # the unreadable one is never converted
    conversions.clear()
    second = run_build(root)
    assert conversions == []  # every page came from the cache…
    assert formatted(second) == formatted(first)  # …and said the same
    assert len([line for line in formatted(second) if "warning[notebook]" in line]) == 4


# ----------------------------------------------------------------------------------------------
# broken JSON: the cells salvaged, the damage located


@pytest.mark.parametrize("name", list(SALVAGED))
def test_json_broken_outside_the_cells_is_salvaged_with_a_warning_at_the_damage(broken_course, name):
    _, site, result = broken_course
    line, col, message, shown = SALVAGED[name]
    rel = f"notebooks/A/{name}.ipynb"
    assert warnings_of(result, rel) == [f"{rel}:{line}:{col}: warning[notebook]: {message} — {SALVAGE_HINT}"]
    text = page_text(site, name)
    assert "could not be rendered" not in text
    for marker in shown:
        assert marker in text


def test_the_damage_positions_are_where_the_files_break():
    lines = fixture_text("corrupt_metadata").split("\n")
    assert lines[SALVAGED["corrupt_metadata"][0] - 1] == "<<<<<<< HEAD"
    truncated = fixture_text("truncated").split("\n")
    line, col = SALVAGED["truncated"][:2]
    assert len(truncated) == line and truncated[-1][col - 1 :] == '"ipy'
    conflict = fixture_text("unreadable").split("\n")
    assert conflict[UNREADABLE_AT[0] - 1] == "<<<<<<< HEAD"


def test_salvaged_metadata_keeps_its_readable_parts(broken_course):
    _, site, _ = broken_course
    # the kernel and language survived the merge conflict: code is highlighted as Python
    assert '<span class="nb">print</span>' in (site / "A/notebooks/corrupt_metadata.html").read_text(
        encoding="utf-8"
    )


def test_a_notebook_whose_cells_cannot_be_read_gets_the_error_page(broken_course):
    _, site, result = broken_course
    line, col = UNREADABLE_AT
    assert warnings_of(result, "notebooks/A/unreadable.ipynb") == [
        f"notebooks/A/unreadable.ipynb:{line}:{col}: error[notebook]: not valid JSON — Expecting value — {UNREADABLE_HINT}"
    ]
    page = (site / "A/notebooks/unreadable.html").read_text(encoding="utf-8")
    assert "This notebook could not be rendered" in page and "LOST_MD" not in page
    assert 'href="unreadable.ipynb" download' in page


def test_text_after_the_end_of_a_notebook_is_ignored_with_a_warning(make_course):
    text = notebook_json("# Fin", "x = 'TAIL_CODE'") + "}\n"  # one closing brace too many, typed by hand
    root = make_course({"notebooks/A/t.ipynb": text})
    result = run_build(root)
    line = text.count("\n")
    assert formatted(result) == [
        f"notebooks/A/t.ipynb:{line}:1: warning[notebook]: text after the end of the notebook's JSON: ignored, the notebook before it is shown — {SALVAGE_HINT}"
    ]
    assert "TAIL_CODE" in page_text(root / "site", "t")


def test_the_cells_array_is_found_by_a_string_aware_scan():
    """Colab order (metadata before cells) with a broken metadata block that holds a `"cells"` key of
    its own (a table-of-contents extension's), and a cell whose source talks about `"cells": [`:
    only the top-level key's array is taken."""
    cells = [
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": ['Le JSON commence par "cells": [ puis les cellules.'],
        }
    ]
    nb = {
        "nbformat": 4,
        "nbformat_minor": 4,
        "metadata": {"toc": {"cells": [1, 2]}, "kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "cells": cells,
    }
    text = json.dumps(nb, indent=2).replace('"display_name": "Python 3"', '"display_name": "Python 3",,')
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    salvaged, damage = read_notebook_json(text)
    assert salvaged["cells"] == cells
    assert salvaged["nbformat_minor"] == 4
    assert salvaged["metadata"] == {
        "toc": {"cells": [1, 2]},
        "kernelspec": {"name": "python3", "display_name": "Python 3"},
    }
    assert (damage.line, damage.col) == (13, 34)
    assert text.split("\n")[12][33:] == ","  # the second of two commas


def test_a_field_that_lost_its_closing_bracket_never_swallows_the_cells():
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["Texte"]}]
    text = json.dumps(
        {"nbformat": 4, "nbformat_minor": 4, "metadata": {"colab": {"name": "x"}}, "cells": cells}, indent=2
    )
    text = text.replace(
        '"name": "x"\n    }', '"name": "x"\n', 1
    )  # colab's } lost: metadata would take in the cells
    salvaged, _ = read_notebook_json(text)
    assert salvaged["cells"] == cells
    assert "cells" not in json.dumps(salvaged["metadata"])


# ----------------------------------------------------------------------------------------------
# check --fix-notebooks


def fix(capsys, root: Path) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["check", str(root), "--fix-notebooks"])
    return code, capsys.readouterr().err.splitlines()


@pytest.fixture
def fixable(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # check has no -j
    names = [
        "databricks",
        "colab",
        "vscode",
        "hand_edited",
        "ids_missing",
        "corrupt_metadata",
        "truncated",
        "unreadable",
    ]
    files = {f"notebooks/A/{name}.ipynb": fixture_text(name) for name in names}
    files["notebooks/A/good.ipynb"] = notebook_json("# Bon", "x = 'GOOD'")
    return write_tree(tmp_path / "course", {"content/index.md": "# Cours\n", **files})


def test_fix_notebooks_writes_repairs_back_keeping_a_backup(fixable, capsys):
    originals = {path.name: path.read_bytes() for path in (fixable / "notebooks/A").iterdir()}
    good = fixable / "notebooks/A/good.ipynb"
    good_stat = good.stat()
    code, lines = fix(capsys, fixable)
    assert code == 1  # the unreadable notebook is still an error
    assert lines == [
        "notebooks/A/colab.ipynb: repaired 1 schema slip (original kept as colab.ipynb.bak)",
        "notebooks/A/corrupt_metadata.ipynb: salvaged its 2 cells from broken JSON (line 33, column 1), metadata rebuilt from the parts that could be read (original kept as corrupt_metadata.ipynb.bak)",
        "notebooks/A/databricks.ipynb: repaired 2 schema slips (original kept as databricks.ipynb.bak)",
        "notebooks/A/hand_edited.ipynb: repaired 6 schema slips (original kept as hand_edited.ipynb.bak)",
        "notebooks/A/ids_missing.ipynb: repaired 2 schema slips (original kept as ids_missing.ipynb.bak)",
        "notebooks/A/truncated.ipynb: salvaged its 2 cells from broken JSON (line 40, column 22), metadata rebuilt from the parts that could be read, "
        "nbformat could not be read (4 assumed), nbformat_minor could not be read (5 assumed) (original kept as truncated.ipynb.bak)",
        "notebooks/A/vscode.ipynb: repaired 2 schema slips (original kept as vscode.ipynb.bak)",
        f"notebooks/A/unreadable.ipynb:{UNREADABLE_AT[0]}:{UNREADABLE_AT[1]}: error[notebook]: not valid JSON — Expecting value — {UNREADABLE_HINT}",
        "Checked 11 pages (9 notebooks) in " + lines[-1].split(" in ")[1],
    ]
    assert re.fullmatch(r"Checked 11 pages \(9 notebooks\) in \d+\.\d s: 1 error, 0 warnings", lines[-1])
    folder = fixable / "notebooks/A"
    for name in (
        "colab",
        "corrupt_metadata",
        "databricks",
        "hand_edited",
        "ids_missing",
        "truncated",
        "vscode",
    ):
        assert (folder / f"{name}.ipynb.bak").read_bytes() == originals[f"{name}.ipynb"]
        fixed = (folder / f"{name}.ipynb").read_text(encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no MissingIDFieldWarning, no DuplicateCellId
            nbformat.validate(nbformat.reads(fixed, as_version=nbformat.NO_CONVERT))
    # untouched: a notebook that needs nothing, and one whose cells can't be read
    assert good.read_bytes() == originals["good.ipynb"] and good.stat().st_mtime_ns == good_stat.st_mtime_ns
    assert (folder / "unreadable.ipynb").read_bytes() == originals["unreadable.ipynb"]
    assert sorted(path.name for path in folder.iterdir() if path.name.startswith(("good", "unreadable"))) == [
        "good.ipynb",
        "unreadable.ipynb",
    ]


def changed_lines(before: bytes, after: bytes) -> list[str]:
    diff = difflib.unified_diff(before.decode().splitlines(), after.decode().splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_fix_notebooks_keeps_each_files_own_layout(fixable, capsys):
    folder = fixable / "notebooks/A"
    before = {
        name: (folder / f"{name}.ipynb").read_bytes()
        for name in ("databricks", "colab", "vscode", "ids_missing")
    }
    fix(capsys, fixable)
    # Jupyter's layout (indent 1, sorted keys): only the Markdown cells' stray fields go
    assert (
        changed_lines(before["databricks"], (folder / "databricks.ipynb").read_bytes())
        == ['-   "execution_count": 0,', '-   "outputs": [],'] * 2
    )
    # Colab's (indent 2, its own key order): the missing metadata is added where it belongs
    assert changed_lines(before["colab"], (folder / "colab.ipynb").read_bytes()) == [
        "-          }",
        "+          },",
        '+          "metadata": {}',
    ]
    # VS Code's (indent 2, unsorted, string sources): kept
    assert changed_lines(before["vscode"], (folder / "vscode.ipynb").read_bytes()) == [
        '-      "source": "# Devoir 2\\n## Question 1",',
        '-      "execution_count": null,',
        '-      "outputs": []',
        '+      "source": "# Devoir 2\\n## Question 1"',
        '-      "source": "VSC_MD La moyenne vaut $\\\\frac{3}{4}$.",',
        '-      "execution_count": null,',
        '-      "outputs": []',
        '+      "source": "VSC_MD La moyenne vaut $\\\\frac{3}{4}$."',
    ]
    assert changed_lines(before["ids_missing"], (folder / "ids_missing.ipynb").read_bytes()) == [
        '+   "id": "cell-1",',
        '+   "id": "cell-2",',
    ]
    for name in before:
        assert (folder / f"{name}.ipynb").read_bytes().endswith(b"}\n")


def test_fix_notebooks_twice_changes_nothing_and_says_so(fixable, capsys):
    fix(capsys, fixable)
    files = snapshot(fixable / "notebooks")
    code, lines = fix(capsys, fixable)
    assert code == 1
    assert lines[0] == "--fix-notebooks: no notebook has schema slips or broken JSON: no file changed"
    assert not any("warning[" in line for line in lines)
    assert snapshot(fixable / "notebooks") == files  # no file rewritten, no second backup


def test_fix_notebooks_never_overwrites_an_existing_backup(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    root = write_tree(
        tmp_path / "course",
        {
            "content/index.md": "# Cours\n",
            "notebooks/A/databricks.ipynb": fixture_text("databricks"),
            "notebooks/A/databricks.ipynb.bak": "an older backup\n",
        },
    )
    _, lines = fix(capsys, root)
    assert (
        lines[0]
        == "notebooks/A/databricks.ipynb: repaired 2 schema slips (original kept as databricks.ipynb.1.bak)"
    )
    assert (root / "notebooks/A/databricks.ipynb.bak").read_text(encoding="utf-8") == "an older backup\n"
    assert (root / "notebooks/A/databricks.ipynb.1.bak").read_text(encoding="utf-8") == fixture_text(
        "databricks"
    )


def test_fix_notebooks_keeps_windows_line_breaks(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    text = fixture_text("databricks").replace("\n", "\r\n")
    root = write_tree(
        tmp_path / "course", {"content/index.md": "# Cours\n", "notebooks/A/d.ipynb": text.encode("utf-8")}
    )
    fix(capsys, root)
    fixed = (root / "notebooks/A/d.ipynb").read_bytes()
    assert (
        fixed.count(b"\r\n") == fixed.count(b"\n")
        and b'"outputs": [],' not in fixed.split(b'"cell_type": "markdown"')[1]
    )


def test_the_fixed_notebooks_build_without_findings(fixable, capsys, tmp_path):
    fix(capsys, fixable)
    shutil.move(str(fixable / "notebooks/A/unreadable.ipynb"), str(tmp_path / "unreadable.ipynb"))
    result = run_build(fixable, tmp_path / "site")
    assert formatted(result) == []
    assert "DBX_OUT 3 lignes" in page_text(tmp_path / "site", "databricks")


def test_a_notebook_without_cells_is_not_salvaged():
    """Nothing to show: the JSON error stands (the "could not be rendered" page)."""
    text = '{\n "cells": [],\n "metadata": {"title": "Coupé\nen deux"},\n "nbformat": 4,\n "nbformat_minor": 5\n}\n'
    with pytest.raises(json.JSONDecodeError):
        read_notebook_json(text)
    with pytest.raises(json.JSONDecodeError):
        read_notebook_json('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n}\n')
