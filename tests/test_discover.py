"""discover.py: which files of content/ and notebooks/ are sources, in which order, of which kind."""

from __future__ import annotations

import os
import unicodedata

import pytest
from conftest import formatted, write_tree

from coursegen.discover import discover_sources, is_ignored
from coursegen.errors import Diagnostics


def discovered(root, **kwargs):
    diagnostics = Diagnostics()
    sources = discover_sources(root, diagnostics, **kwargs)
    return [(str(s.rel), str(s.site_rel), s.kind.value) for s in sources], formatted(diagnostics)


@pytest.mark.parametrize(
    "name, ignored",
    [
        ("_drafts", True),
        ("_x.md", True),
        (".ipynb_checkpoints", True),
        (".DS_Store", True),
        (".git", True),
        ("__pycache__", True),
        ("Thumbs.db", True),
        ("desktop.ini", True),
        ("node_modules", True),
        ("x.md~", True),
        (".x.md.swp", True),
        ("x.swp", True),
        ("x.pyc", True),
        ("x.bak", True),
        ("x.orig", True),
        ("x.tmp", True),
        ("x.md", False),
        ("01_intro.md", False),
        ("image.png", False),
        ("data_.csv", False),
        ("notebooks", False),
    ],
)
def test_is_ignored(name, ignored):
    assert is_ignored(name) is ignored


def test_sources_kinds_positions_and_order(tmp_path):
    root = write_tree(
        tmp_path / "c",
        {
            "content/index.md": "",
            "content/B/index.md": "",
            "content/A/x.md": "",
            "content/A/img/p.png": b"png",
            "content/A/data.csv": "a,b",
            "content/A/nb.ipynb": "{}",
            "content/A/page.MD": "",
            "notebooks/A/n.ipynb": "{}",
            "notebooks/A/notes.md": "",  # Markdown under notebooks/ is a plain file
            "notebooks/A/table.csv": "",  # data beside a notebook is published beside its page
            "course.yml": "",
            "README.md": "not part of the course",
            "site/index.html": "never a source",
        },
    )
    sources, messages = discovered(root)
    assert messages == []
    assert sources == [
        ("content/A/data.csv", "A/data.csv", "asset"),
        ("content/A/img/p.png", "A/img/p.png", "asset"),
        ("content/A/nb.ipynb", "A/nb.ipynb", "notebook"),
        ("notebooks/A/n.ipynb", "A/notebooks/n.ipynb", "notebook"),
        ("notebooks/A/notes.md", "A/notebooks/notes.md", "asset"),
        ("notebooks/A/table.csv", "A/notebooks/table.csv", "asset"),
        ("content/A/page.MD", "A/page.MD", "markdown"),
        ("content/A/x.md", "A/x.md", "markdown"),
        ("content/B/index.md", "B/index.md", "markdown"),
        ("content/index.md", "index.md", "markdown"),
    ]


def test_private_hidden_and_junk_files_are_ignored_everywhere(tmp_path):
    root = write_tree(
        tmp_path / "c",
        {
            "content/A/x.md": "",
            "content/_drafts/y.md": "",
            "content/A/_notes.md": "",
            "content/A/.hidden.md": "",
            "content/.ipynb_checkpoints/x-checkpoint.md": "",
            "content/A/.ipynb_checkpoints/nb-checkpoint.ipynb": "{}",
            "content/A/__pycache__/m.pyc": b"",
            "content/A/.DS_Store": b"",
            "content/A/x.md~": "",
            "content/A/.x.md.swp": b"",
            "notebooks/A/.ipynb_checkpoints/n-checkpoint.ipynb": "{}",
            "notebooks/A/_old.ipynb": "{}",
            "notebooks/_private/n.ipynb": "{}",
            "notebooks/A/n.ipynb": "{}",
        },
    )
    sources, _ = discovered(root)
    assert [rel for rel, _, _ in sources] == ["notebooks/A/n.ipynb", "content/A/x.md"]


def test_the_skipped_folders_are_never_read(tmp_path):
    root = write_tree(
        tmp_path / "c", {"content/A/x.md": "", "content/out/index.html": "", "content/out/A/x.html": ""}
    )
    sources, _ = discovered(root, skip=(root / "content" / "out",))
    assert [rel for rel, _, _ in sources] == ["content/A/x.md"]


def test_names_are_normalised_to_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", "Übersicht.md")
    root = write_tree(tmp_path / "c", {f"content/{nfd}": "# Ü\n"})
    sources, _ = discovered(root)
    assert sources == [("content/Übersicht.md", "Übersicht.md", "markdown")]
    assert unicodedata.is_normalized("NFC", sources[0][0])


@pytest.mark.skipif(os.uname().sysname == "Darwin", reason="macOS refuses file names that are not UTF-8")
def test_a_name_that_is_not_utf8_is_skipped_with_an_error_naming_it(tmp_path):
    root = write_tree(tmp_path / "c", {"content/A/01_un.md": "# Un\n"})
    with open(os.path.join(os.fsencode(root), b"content/A/02_caf\xe9.md"), "wb") as file:  # Latin-1 bytes
        file.write(b"# Cafe\n")
    os.mkdir(os.path.join(os.fsencode(root), b"content/B\xe9"))
    sources, messages = discovered(root)
    assert sources == [("content/A/01_un.md", "A/01_un.md", "markdown")]
    assert messages == [
        "content/A/02_caf\ufffd.md: error[files]: the file name is not valid UTF-8 (written by a system using another encoding?), skipped — rename the file",
        "content/B\ufffd: error[files]: the folder name is not valid UTF-8 (written by a system using another encoding?), skipped — rename the folder",
    ]


def test_symlink_leading_outside_the_course_is_skipped_with_a_warning(tmp_path):
    secret = write_tree(tmp_path / "outside", {"secret.md": "# secret\n", "keys/id_rsa": "KEY"})
    root = write_tree(tmp_path / "c", {"content/A/x.md": ""})
    os.symlink(secret / "secret.md", root / "content/A/secret.md")
    os.symlink(secret / "keys", root / "content/A/keys")
    sources, messages = discovered(root)
    assert [rel for rel, _, _ in sources] == ["content/A/x.md"]
    assert messages == [
        "content/A/keys: warning[files]: symbolic link leads outside the course, skipped — copy the file into the course instead",
        "content/A/secret.md: warning[files]: symbolic link leads outside the course, skipped — copy the file into the course instead",
    ]


def test_broken_symlink_warns(tmp_path):
    root = write_tree(tmp_path / "c", {"content/A/x.md": ""})
    os.symlink(root / "content/A/gone.md", root / "content/A/link.md")
    sources, messages = discovered(root)
    assert [rel for rel, _, _ in sources] == ["content/A/x.md"]
    assert messages == [
        "content/A/link.md: warning[files]: broken symbolic link, skipped — remove it or point it at an existing file"
    ]


def test_symlink_inside_the_course_is_followed(tmp_path):
    root = write_tree(tmp_path / "c", {"content/A/x.md": "", "shared/figure.svg": "<svg/>"})
    os.symlink(root / "shared/figure.svg", root / "content/A/figure.svg")
    sources, messages = discovered(root)
    assert messages == []
    assert [rel for rel, _, _ in sources] == ["content/A/figure.svg", "content/A/x.md"]


def test_symlink_loop_is_walked_once(tmp_path):
    root = write_tree(tmp_path / "c", {"content/A/x.md": ""})
    os.symlink(root / "content", root / "content/A/loop")
    sources, _ = discovered(root)
    assert [rel for rel, _, _ in sources] == ["content/A/x.md"]


def test_missing_folders_give_no_sources(tmp_path):
    (tmp_path / "c").mkdir()
    assert discovered(tmp_path / "c") == ([], [])
