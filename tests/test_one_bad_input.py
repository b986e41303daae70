"""One bad input fails one page (issue #20 item 8): each input that used to abort the whole build
now becomes an error for its file while the rest builds — or, for the output folder and `new`,
a clear exit-2 message. Each test reproduces the report's case and asserts the exact messages."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from conftest import snapshot
from test_reliability import assert_clean_report, cli

from coursegen import output, siteswap

BASE = {
    "course.yml": "title: Cours\n",
    "content/index.md": "# Accueil\n\nBienvenue.\n",
    "content/A/index.md": "# Module A\n",
    "content/A/01_ok.md": "# Leçon saine\n\nTexte de la leçon saine.\n",
}
NOTEBOOK = (
    '{"cells": [{"cell_type": "markdown", "id": "c1", "metadata": {}, "source": ["# Carnet\\n", "%s"]}],\n'
    ' "metadata": {%s}, "nbformat": 4, "nbformat_minor": 5}\n'
)


def built_ok(root: Path) -> bool:
    return "Texte de la leçon saine." in (root / "site/A/01_ok.html").read_text("utf-8")


def test_names_with_a_line_break_or_a_tab_are_refused_at_every_build(make_course, capsys):
    root = make_course(
        {**BASE, "content/A/02_deux\nlignes.md": "# Deux\n", "content/A/03_avec\ttab.md": "# T\n"}
    )
    expected = [
        "content/A: error[files]: the file name 'deux\\nlignes.md' has a control character (a line break or a tab?), skipped — rename the file (e.g. with - or _ in place of that character)",
        "content/A: error[files]: the file name '03_avec\\ttab.md' has a control character (a line break or a tab?), skipped — rename the file (e.g. with - or _ in place of that character)",
    ]
    expected[0] = expected[0].replace("'deux", "'02_deux")
    for _ in range(2):  # the second build used to crash on its own cache
        run = cli(capsys, "build", root)
        assert run.code == 1
        assert_clean_report(run, root)
        assert run.at_level("error") == expected
        assert built_ok(root)


def test_a_backslash_in_a_name_is_refused_and_the_rest_builds(make_course, capsys):
    root = make_course({**BASE, "content/A/02_a\\b.md": "# AB\n", "content/A/fig\\1.png": b"\x89PNG\r\n"})
    run = cli(capsys, "build", root)
    assert run.code == 1
    assert_clean_report(run, root)
    assert run.at_level("error") == [
        "content/A: error[files]: the file name '02_a\\\\b.md' has a backslash, skipped — rename the file (e.g. with - or _ in place of that character)",
        "content/A: error[files]: the file name 'fig\\\\1.png' has a backslash, skipped — rename the file (e.g. with - or _ in place of that character)",
    ]
    assert built_ok(root)


SURROGATE_JSON = (
    "a \\u escape here is half of a character (a lone surrogate such as \\ud800): it can't be written as UTF-8"
    " — write the character itself (or both halves of the pair), or remove the escape"
)
SURROGATE_YAML = (
    "a \\u escape here is half of a character (a surrogate such as \\uD800): it can't be written as UTF-8"
    " — write the character itself, or remove the escape"
)


def test_a_lone_surrogate_in_a_notebook_fails_that_notebook(make_course, capsys):
    # a notebook written by a tool that cut an emoji's escape pair in half
    notebook = NOTEBOOK % ("Un emoji coupé : \\ud83d fin", "")
    paired = NOTEBOOK % ("Un emoji entier : \\ud83d\\ude00", "")
    root = make_course({**BASE, "content/A/02_carnet.ipynb": notebook, "content/A/03_entier.ipynb": paired})
    run = cli(capsys, "build", root)
    assert run.code == 1
    assert_clean_report(run, root)
    assert run.at_level("error") == [f"content/A/02_carnet.ipynb:1:109: error[notebook]: {SURROGATE_JSON}"]
    assert "😀" in (root / "site/A/03_entier.html").read_text("utf-8")
    assert built_ok(root)


def test_a_lone_surrogate_in_front_matter_fails_that_page(make_course, capsys):
    root = make_course({**BASE, "content/A/02_fm.md": '---\ntitle: "Titre \\uD800 cassé"\n---\nTexte.\n'})
    run = cli(capsys, "build", root)
    assert run.code == 1
    assert_clean_report(run, root)
    assert run.at_level("error") == [f"content/A/02_fm.md:2:8: error[yaml]: {SURROGATE_YAML}"]
    assert built_ok(root)


def test_a_lone_surrogate_in_course_yml_is_a_config_error(make_course, capsys):
    root = make_course({**BASE, "course.yml": 'title: Cours\nauthor: "Jeanne \\uDC00"\n'})
    run = cli(capsys, "build", root)
    assert run.code == 2
    assert run.at_level("error") == [
        f"course.yml:2:9: error[config]: {SURROGATE_YAML}",
        "course.yml: error[config]: course.yml has 1 error; nothing was built — fix it and build again",
    ]


def test_json_nested_100000_deep_fails_that_notebook(make_course, capsys):
    deep = '"widgets": ' + "[" * 100_000 + "]" * 100_000
    root = make_course({**BASE, "content/A/02_profond.ipynb": NOTEBOOK % ("texte", deep)})
    run = cli(capsys, "build", root)
    assert run.code == 1
    assert_clean_report(run, root)
    assert run.at_level("error") == [
        "content/A/02_profond.ipynb:2:124: error[notebook]: the JSON is nested more than 100 levels deep here ([ or { inside each other)"
        " — no notebook nests so deep: restore the file, or remove the nested part in a text editor"
    ]
    assert built_ok(root)


def test_folders_600_deep_are_skipped_below_100_and_the_rest_builds(make_course, capsys):
    root = make_course(BASE)
    deep = root / "content/A" / os.path.join(*["d"] * 600)
    deep.mkdir(parents=True)
    (deep / "fond.md").write_text("# Au fond\n", encoding="utf-8")
    run = cli(capsys, "build", root)
    assert run.code == 1
    assert_clean_report(run, root)
    folder = "content/A/" + "/".join(["d"] * 100)  # content/ is level 0, A level 1
    assert run.at_level("error") == [
        f"{folder}: error[files]: folders nested more than 100 deep, skipped with everything in them — flatten the folder tree"
    ]
    assert built_ok(root)


def test_an_output_folder_that_is_a_mount_point_is_refused_up_front(make_course, capsys, monkeypatch):
    root = make_course(BASE)
    mounted = root / "site"
    mounted.mkdir()
    real_ismount = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda path: Path(path) == mounted or real_ismount(path))
    run = cli(capsys, "build", root)
    assert run.code == 2
    assert_clean_report(run, root)
    assert f"the output folder {mounted} is a mount point" in run.err
    assert list(mounted.iterdir()) == []


def test_a_mount_point_seen_only_at_the_swap_keeps_the_site(make_course, capsys, monkeypatch):
    """A bind mount on the same device passes ismount: the rename's EBUSY says it, the old site stays."""
    root = make_course(BASE)
    assert cli(capsys, "build", root).code == 0
    before = snapshot(root / "site")
    (root / "content/A/01_ok.md").write_text("# Leçon saine\n\nTexte modifié.\n", encoding="utf-8")

    def busy(first, second):
        raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(second))

    monkeypatch.setattr(siteswap, "exchange", busy)
    run = cli(capsys, "build", root)
    assert run.code == 2
    assert_clean_report(run, root)
    site = root / "site"
    assert (
        f"the output folder {site} is a mount point: coursegen replaces the site by renaming folders, "
        f"which a mount point refuses — build into a folder inside it (-o {site / 'site'}), or mount its parent folder instead"
    ) in run.err
    assert snapshot(site) == before
    assert not [p for p in root.iterdir() if ".coursegen-new" in p.name], "the staging folder is removed"
    assert output.MARKER  # the site is still coursegen's


def test_new_on_a_dangling_symlink_says_so(tmp_path, capsys):
    link = tmp_path / "mon-cours"
    link.symlink_to(tmp_path / "supprimé")
    run = cli(capsys, "new", link)
    assert run.code == 2
    assert (
        f"{link} is a symbolic link to {tmp_path / 'supprimé'}, which does not exist — remove the link, "
        "or create the folder it points to, then run coursegen new again"
    ) in run.err
    assert "Traceback" not in run.err and not (tmp_path / "supprimé").exists()
