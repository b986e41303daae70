"""Files copied into the site as they are follow their bytes, not their size and time (issue #20,
item 5): `cp -p`, `rsync -a`, `tar` and `mv` give new bytes the old size and modification time,
and the site used to keep the old copy — a notebook's page updated while its .ipynb download
stayed old."""

from __future__ import annotations

import os
import types
from pathlib import Path

import pytest
from conftest import notebook_json, result_output, run_build, snapshot, write_tree

from coursegen import discover

PNG_A = b"\x89PNG\r\n\x1a\n" + b"A" * 64  # two images of the same size
PNG_B = b"\x89PNG\r\n\x1a\n" + b"B" * 64


@pytest.fixture(params=["fresh", "settled"])
def settled(request, monkeypatch) -> str:
    """Files are trusted by their stamp once left alone 2 s ("settled"); in a test everything was
    just written, so both ways are tried: read every time, and trusted at once."""
    if request.param == "settled":
        monkeypatch.setattr(discover, "SETTLED_NS", 0)
    return request.param


@pytest.fixture
def course(tmp_path) -> Path:
    files = {
        "course.yml": "title: Copies\nlanguage: fr\n",
        "content/index.md": "# Copies\n",
        "content/M1/01_graphe.md": "# Graphe\n\n![Courbe](courbe.png) ![Autre](autre.png)\n\n[Les données](mesures.csv)\n",
        "content/M1/courbe.png": PNG_A,
        "content/M1/autre.png": PNG_B,
        "content/M1/mesures.csv": "x;y\n1;2\n",
        "notebooks/M1/calcul.ipynb": notebook_json(
            "# Calcul", ("code", "print(6 * 7)", [result_output("42")])
        ),
    }
    root = write_tree(tmp_path / "course", files)
    same_time = 1_700_000_000_000_000_000
    for rel in ("content/M1/courbe.png", "content/M1/autre.png"):  # extracted from one archive: one time
        os.utime(root / rel, ns=(same_time, same_time))
    run_build(root, root / "site")
    return root


def copy_keeping_time(path: Path, data: bytes, *, new_file: bool) -> None:
    """New bytes with the old modification time: `cp -p` writes over the file in place; `rsync -a`
    and `tar` write another file, set its time, and rename it over the old one."""
    status = path.stat()
    if new_file:
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(data)
        os.utime(temporary, ns=(status.st_atime_ns, status.st_mtime_ns))
        os.replace(temporary, path)
    else:
        path.write_bytes(data)
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (status.st_size, status.st_mtime_ns)


@pytest.mark.parametrize("how", ["cp -p", "rsync -a"])
def test_an_asset_copied_over_with_its_size_and_time_is_published(how, settled, course):
    copy_keeping_time(course / "content/M1/courbe.png", PNG_B, new_file=how == "rsync -a")
    run_build(course, course / "site")
    assert (course / "site/M1/courbe.png").read_bytes() == PNG_B


def test_two_images_swapped_with_mv_are_swapped_in_the_site(settled, course):
    folder = course / "content/M1"
    os.rename(folder / "courbe.png", folder / "swap.tmp")
    os.rename(folder / "autre.png", folder / "courbe.png")
    os.rename(folder / "swap.tmp", folder / "autre.png")
    run_build(course, course / "site")
    assert (course / "site/M1/courbe.png").read_bytes() == PNG_B
    assert (course / "site/M1/autre.png").read_bytes() == PNG_A


@pytest.mark.parametrize("how", ["cp -p", "rsync -a"])
def test_a_notebook_copied_over_updates_its_page_and_its_download(how, settled, course):
    path = course / "notebooks/M1/calcul.ipynb"
    new = path.read_text(encoding="utf-8").replace("print(6 * 7)", "print(6 * 8)").replace('"42"', '"48"')
    assert len(new) == len(path.read_text(encoding="utf-8"))
    copy_keeping_time(path, new.encode("utf-8"), new_file=how == "rsync -a")
    run_build(course, course / "site")
    assert "<pre>48</pre>" in (course / "site/M1/notebooks/calcul.html").read_text(
        encoding="utf-8"
    )  # the page
    assert (course / "site/M1/notebooks/calcul.ipynb").read_bytes() == new.encode("utf-8")  # and its download


def test_the_site_equals_a_clean_build_after_copies_that_keep_times(settled, course, tmp_path):
    copy_keeping_time(course / "content/M1/mesures.csv", b"x;y\n3;4\n", new_file=False)
    copy_keeping_time(course / "content/M1/autre.png", PNG_A, new_file=True)
    run_build(course, course / "site")
    run_build(course, tmp_path / "clean", cache=False)
    assert snapshot(course / "site") == snapshot(tmp_path / "clean")


def test_a_settled_file_is_not_read_again(monkeypatch, course):
    """The digest is kept by the file's stamp (size, times, inode): an unchanged, settled file
    costs a stat, not a read."""
    from coursegen import filedigests

    monkeypatch.setattr(discover, "SETTLED_NS", 0)
    run_build(course, course / "site")  # the stamps are trusted from now on: their digests are kept
    read = []
    real = filedigests.hashlib.sha256

    def counting(data=b""):
        read.append(len(data))
        return real(data)

    monkeypatch.setattr(filedigests, "hashlib", types.SimpleNamespace(sha256=counting))
    run_build(course, course / "site")
    assert read == []
    copy_keeping_time(course / "content/M1/mesures.csv", b"x;y\n5;6\n", new_file=False)  # its ctime changes
    run_build(course, course / "site")
    assert len(read) == 1
    assert (course / "site/M1/mesures.csv").read_bytes() == b"x;y\n5;6\n"
