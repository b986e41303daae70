"""Putting the new site in place (issue #20, items 6 and 14): never a moment without a site, the
author's `.git` and `CNAME` never stranded, a crash in the middle put right by the next build, an
interrupt reported truthfully — and nothing in the site that no build made."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import run_build, snapshot, staging_leftovers, write_tree

from coursegen import output, siteswap
from coursegen.cache import CACHE_DIR
from coursegen.cli import main

COURSE = {
    "course.yml": "title: Publication\nlanguage: fr\n",
    "content/index.md": "# Publication\n\nBienvenue.\n",
    "content/M1/index.md": "---\ntitle: Module 1\n---\nPremier module.\n",
    "content/M1/01_intro.md": "# Introduction\n\nTexte de l'introduction.\n",
    "content/M1/02_suite.md": "# Suite\n\nTexte de la suite, avec $x^2$.\n",
    "content/M1/schema.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>\n',
}


@pytest.fixture
def published(tmp_path) -> tuple[Path, Path]:
    """A course built into site/, which the author turned into a gh-pages checkout with a CNAME."""
    root = write_tree(tmp_path / "course", COURSE)
    out = root / "site"
    run_build(root, out)
    write_tree(
        out,
        {
            ".git/HEAD": "ref: refs/heads/gh-pages\n",
            ".git/config": "[core]\n\tbare = false\n",
            "CNAME": "cours.example.org\n",
        },
    )
    return root, out


def authors_entries(out: Path) -> dict[str, bytes]:
    return {rel: data for rel, data in snapshot(out).items() if rel.startswith(".git/") or rel == "CNAME"}


AUTHORS = {
    ".git/HEAD": b"ref: refs/heads/gh-pages\n",
    ".git/config": b"[core]\n\tbare = false\n",
    "CNAME": b"cours.example.org\n",
}


def edit_lesson(root: Path, text: str) -> None:
    (root / "content/M1/01_intro.md").write_text(f"# Introduction\n\n{text}\n", encoding="utf-8")


def exchange_supported(tmp_path: Path) -> bool:
    first, second = tmp_path / "probe-a", tmp_path / "probe-b"
    first.mkdir()
    second.mkdir()
    return siteswap.exchange(first, second)


# ----------------------------------------------------------------------------------------------
# never a moment without a site


POLLER = textwrap.dedent(
    """
    import os, sys
    site, stop = sys.argv[1], sys.argv[2]
    polls = missing = 0
    while not os.path.exists(stop):
        polls += 1
        if not os.path.isfile(os.path.join(site, "index.html")):
            missing += 1
    print(polls, missing)
    """
)


def test_a_reader_never_finds_the_site_missing_while_it_is_replaced(published, tmp_path):
    """A polling reader saw site/ missing in 6 of 8 rebuilds: the two folders now trade names
    in one step (renameat2 RENAME_EXCHANGE)."""
    if not exchange_supported(tmp_path):
        pytest.skip("this system or file system cannot exchange two folders' names in one step")
    root, out = published
    stop = tmp_path / "stop"
    poller = subprocess.Popen(
        [sys.executable, "-c", POLLER, str(out), str(stop)], stdout=subprocess.PIPE, text=True
    )
    try:
        for number in range(8):
            edit_lesson(root, f"Version {number}.")
            assert run_build(root, out).written
    finally:
        stop.touch()
        polls, missing = map(int, poller.communicate(timeout=60)[0].split())
    assert polls > 0 and missing == 0
    assert "Version 7." in (out / "M1/01_intro.html").read_text(encoding="utf-8")
    assert authors_entries(out) == AUTHORS


def test_exchange_trades_two_folders_names(tmp_path):
    if not exchange_supported(tmp_path):
        pytest.skip("this system or file system cannot exchange two folders' names in one step")
    first, second = write_tree(tmp_path / "a", {"x": "a"}), write_tree(tmp_path / "b", {"y": "b"})
    assert siteswap.exchange(first, second)
    assert snapshot(first) == {"y": b"b"} and snapshot(second) == {"x": b"a"}


def test_without_exchange_the_two_renames_keep_the_authors_entries(published, monkeypatch):
    """The fallback (another OS, a file system without RENAME_EXCHANGE): old site aside, new one in."""
    monkeypatch.setattr(siteswap, "_renameat2", lambda: None)
    root, out = published
    assert not siteswap.exchange(out, out.parent)
    edit_lesson(root, "Sans échange.")
    assert run_build(root, out).written
    assert "Sans échange." in (out / "M1/01_intro.html").read_text(encoding="utf-8")
    assert authors_entries(out) == AUTHORS
    assert staging_leftovers(out.parent) == []


# ----------------------------------------------------------------------------------------------
# a build that crashes while putting its site in place: the next one puts things right


CRASHING_BUILD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from coursegen import output, siteswap
    from coursegen.build import BuildOptions, build
    where = sys.argv[3]
    if where == "between the two renames":
        siteswap.exchange = lambda first, second: False
        real_replace = os.replace
        def replace(source, target):
            real_replace(source, target)
            if ".coursegen-old-" in str(target):  # the old site set aside, the new one not yet in place
                os._exit(9)
        os.replace = replace
    elif where == "after the exchange":
        output.move_authors_entries = lambda old, out: os._exit(9)  # .git still in the old site's folder
    elif where == "while writing":
        real_write = output.write_file
        def write_file(target, item, rel):
            os._exit(9)  # the staging folder half made
            real_write(target, item, rel)
        output.write_file = write_file
    build(Path(sys.argv[1]), Path(sys.argv[2]), BuildOptions(jobs=1))
    """
)


@pytest.mark.parametrize("where", ["between the two renames", "after the exchange", "while writing"])
def test_the_next_build_puts_right_what_a_crash_left(where, published, tmp_path):
    root, out = published
    if where == "after the exchange" and not exchange_supported(tmp_path):
        pytest.skip("no RENAME_EXCHANGE here")
    edit_lesson(root, "Avant la panne.")
    crash = subprocess.run(
        [sys.executable, "-c", CRASHING_BUILD, str(root), str(out), where],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert crash.returncode == 9, crash.stderr
    assert staging_leftovers(out.parent), "the crash left its folders beside the site"
    if where == "between the two renames":
        assert not out.exists()  # what the tester found: no site at all, two folders beside it
    edit_lesson(root, "Après la panne.")
    result = run_build(root, out)
    assert result.written and result.diagnostics.errors == []
    assert "Après la panne." in (out / "M1/01_intro.html").read_text(encoding="utf-8")
    assert authors_entries(out) == AUTHORS
    assert staging_leftovers(out.parent) == []


# ----------------------------------------------------------------------------------------------
# interrupted just as the new site goes in: the swap completes, and the message says so


def cli(capsys, *argv) -> tuple[int, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv] + ["-j", "1"])
    return code, capsys.readouterr().err


@pytest.fixture
def ctrl_c():
    """Ctrl-C raising KeyboardInterrupt in this process, as in a terminal (a test that ran
    `serve` in this process may have left it ignored)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("moment", ["just after the swap", "during the swap"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_an_interrupt_at_the_swap_says_the_new_site_is_in_place(
    moment, signum, published, capsys, monkeypatch, ctrl_c
):
    """Ctrl-C just after the swap used to exit saying "the previous site was left as it was" while
    the new one was in place, with .git and CNAME stranded in the old folder (5 of 5)."""
    root, out = published
    real_put_in_place, real_exchange = output.put_in_place, siteswap.exchange

    def put_in_place(staging, target):
        old = real_put_in_place(staging, target)
        os.kill(os.getpid(), signum)  # a real signal, as the swap ends
        return old

    def exchange(first, second):
        os.kill(os.getpid(), signum)  # a real signal, as the swap begins
        return real_exchange(first, second)

    if moment == "just after the swap":
        monkeypatch.setattr(output, "put_in_place", put_in_place)
    else:
        monkeypatch.setattr(siteswap, "exchange", exchange)
    edit_lesson(root, "Nouvelle version.")
    code, err = cli(capsys, "build", root, "-o", out)
    assert code == 128 + signum
    assert err.strip().splitlines()[-1] == "interrupted; the new site was already in place"
    assert "Nouvelle version." in (out / "M1/01_intro.html").read_text(encoding="utf-8")
    assert authors_entries(out) == AUTHORS
    assert staging_leftovers(out.parent) == []


def test_an_interrupt_before_the_swap_says_the_previous_site_stays(published, capsys, monkeypatch, ctrl_c):
    root, out = published
    before = snapshot(out)
    real = output.write_file

    def write_file(target, item, rel):
        os.kill(os.getpid(), signal.SIGINT)
        real(target, item, rel)

    monkeypatch.setattr(output, "write_file", write_file)
    edit_lesson(root, "Jamais publiée.")
    code, err = cli(capsys, "build", root, "-o", out)
    assert (code, err.strip().splitlines()[-1]) == (130, "interrupted; the previous site was left as it was")
    assert snapshot(out) == before


# ----------------------------------------------------------------------------------------------
# item 14: only what a build makes; the cache is no place for a site; serve leaves nothing


def test_files_added_to_the_site_by_hand_are_removed_with_a_note(published, tmp_path, capsys):
    """They survived no-change rebuilds, so the site differed from a clean build."""
    root, out = published
    write_tree(
        out,
        {
            "notes.pdf": b"%PDF-1.4 notes",
            "M1/brouillon.html": "<p>brouillon</p>",
            ".well-known/security.txt": "Contact: x\n",
        },
    )
    code, err = cli(capsys, "build", root, "-o", out)  # nothing changed in the course
    assert code == 0
    assert (
        "site/M1/brouillon.html: note[build]: was not made by coursegen: removed from the site — put files to publish in content/ or static/"
        in err
    )
    assert "site/notes.pdf: note[build]: was not made by coursegen: removed from the site" in err
    assert not (out / "notes.pdf").exists() and not (out / "M1/brouillon.html").exists()
    assert (out / ".well-known/security.txt").is_file()  # hidden entries are the author's: kept
    clean = tmp_path / "clean"
    run_build(root, clean, cache=False)
    mine = {
        rel: data
        for rel, data in snapshot(out).items()
        if not rel.startswith((".git/", ".well-known/", "CNAME"))
    }
    assert mine == snapshot(clean)
    code, err = cli(capsys, "build", root, "-o", out)
    assert code == 0 and "note[build]" not in err  # said once


def test_a_page_removed_from_the_course_is_not_called_hand_added(published, capsys):
    root, out = published
    (root / "content/M1/02_suite.md").unlink()
    code, err = cli(capsys, "build", root, "-o", out)
    assert code == 0 and "note[build]" not in err
    assert not (out / "M1/02_suite.html").exists()


def test_an_output_folder_inside_the_cache_is_refused(published, capsys):
    root, _ = published
    code, err = cli(capsys, "build", root, "-o", root / CACHE_DIR / "x", "--clean")
    assert code == 2
    assert (
        err.strip()
        == "course: error[build]: the output folder must not be inside .coursegen-cache/ (`--clean` deletes it) — use the default (site/) or another folder outside the cache"
    )
    assert (root / CACHE_DIR / "bodies").is_dir()  # refused before --clean deleted anything
    assert not (root / CACHE_DIR / "x").exists()


def test_serve_leaves_no_manifest_behind(published):
    from coursegen.serve import PreviewServer

    root, _ = published
    sites = root / CACHE_DIR / "sites"
    before = set(os.listdir(sites))
    for _ in range(2):
        server = PreviewServer(root, "127.0.0.1", 0, verbosity=0).start()
        assert set(os.listdir(sites)) > before  # its preview folder's manifest, while it runs
        server.stop()
        assert set(os.listdir(sites)) == before
