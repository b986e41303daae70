"""A damaged or vanished build cache only costs time (issue #20, items 1 and 7).

The cache (.coursegen-cache/) is the author's to delete at any moment — even while a build runs —
and a power cut or a bad disk can leave any of its files empty, cut short or with flipped bytes.
Whatever happens to it, a build publishes the same site as a build without any cache, and never
stops with an internal error; a page is never published from a body that is not there.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import copy_fixture, notebook_json, run_build, snapshot, write_tree

from coursegen import build as build_module
from coursegen.cache import CACHE_DIR, LineStore
from coursegen.cli import main

TITLE_EDIT = "title: Mini course, second edition\nlanguage: en\n"  # every page made again, no body


@pytest.fixture
def course(tmp_path) -> Path:
    """The mini course (lessons with code and math, a notebook, an image), built once: a cache."""
    root = copy_fixture("mini", tmp_path)
    run_build(root, tmp_path / "site")
    return root


def clean_build(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """What a build without any cache makes of the course as it is now."""
    out = tmp_path / f"clean-{time.monotonic_ns()}"
    run_build(root, out, cache=False)
    return snapshot(out)


def cli(capsys, *argv) -> tuple[int, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv] + ["-j", "1"])
    return code, capsys.readouterr().err


# ----------------------------------------------------------------------------------------------
# item 1: the cache deleted during a build, body files empty or cut short


def test_cache_deleted_between_bodies_and_pages_costs_time_not_pages(course, tmp_path, monkeypatch):
    """`rm -rf .coursegen-cache` while a build runs used to publish pages with an empty <article>
    and empty search entries, and later builds kept them: the bodies are rendered again."""
    (course / "course.yml").write_text(TITLE_EDIT, encoding="utf-8")
    real = build_module.render_bodies

    def render_bodies_then_delete_the_cache(*args, **kwargs):
        bodies = real(*args, **kwargs)
        shutil.rmtree(course / CACHE_DIR)  # after the bodies were listed, before any page is made
        return bodies

    monkeypatch.setattr(build_module, "render_bodies", render_bodies_then_delete_the_cache)
    result = run_build(course, tmp_path / "site")
    monkeypatch.undo()
    assert result.written and result.diagnostics.errors == []
    expected = clean_build(course, tmp_path)
    assert snapshot(tmp_path / "site") == expected
    lesson = (tmp_path / "site/01_basics/01_first.html").read_text(encoding="utf-8")
    assert "The score of a query and a key" in lesson.split("<article", 1)[1]  # the body, in its article
    run_build(course, tmp_path / "site")  # and the next build, which finds no cache either, too
    assert snapshot(tmp_path / "site") == expected


DAMAGES = {
    "deleted": lambda data: None,
    "emptied": lambda data: b"",  # a power cut before the data reached the disk
    "cut short": lambda data: data[: len(data) // 2],
    "not UTF-8": lambda data: data[:10] + b"\xff\xfe" + data[12:],
    "two bytes flipped": lambda data: data[:20] + bytes([data[20] ^ 0x20, data[21] ^ 0x01]) + data[22:],
}


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_a_damaged_body_file_is_rendered_again(damage, course, tmp_path, capsys):
    for path in (course / CACHE_DIR / "bodies").glob("*.html"):
        damaged = DAMAGES[damage](path.read_bytes())
        path.unlink() if damaged is None else path.write_bytes(damaged)
    (course / "course.yml").write_text(TITLE_EDIT, encoding="utf-8")
    code, err = cli(capsys, "build", course, "-o", tmp_path / "site")
    assert (code, err.count("internal error")) == (0, 0), err
    assert snapshot(tmp_path / "site") == clean_build(course, tmp_path)


def test_body_keys_name_the_html_digest(course, tmp_path):
    """A page's signature (and its search text) follows its body's bytes, not only its cache key:
    a page published from a different body is never kept."""
    from coursegen.body_cache import Body

    body = Body("<p>x</p>", key="k:" + "0" * 64)
    assert body.key.endswith("0" * 64)
    index = (course / CACHE_DIR / "bodies-index.txt").read_bytes().split(b"\n")[1:]
    digests = {line.split(b"\t")[3] for line in index}  # key, length, crc, then the HTML's sha256
    files = {path.stem: path for path in (course / CACHE_DIR / "bodies").glob("*.html")}
    import hashlib

    for line in index:
        key, _, _, html_digest = line.split(b"\t")[:4]
        assert hashlib.sha256(files[key.decode()].read_bytes()).hexdigest().encode() == html_digest
    assert len(digests) == len(index)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["rm -rf", "build --clean elsewhere"])
def test_cache_deleted_while_a_real_build_runs(how, tmp_path):
    """The tester's reproduction: a 1,000-lesson build, the cache deleted 0.5 s after it started
    (by `rm -rf`, or by a second `build --clean -o elsewhere`), and the site must still be whole."""
    root = tmp_path / "big"
    files = {"course.yml": "title: Big\nlanguage: fr\n", "content/index.md": "# Cours\n"}
    for n in range(1000):
        files[f"content/M{n // 50:02d}/{n:04d}.md"] = (
            f"---\ntitle: Leçon {n}\n---\n## Partie\n\nTexte {n}, avec **gras**, `code` et $x^{n % 9}$.\n\n```python\nprint({n})\n```\n"
        )
    write_tree(root, files)
    command = [
        sys.executable,
        "-m",
        "coursegen",
        "build",
        str(root),
        "-o",
        str(tmp_path / "site"),
        "-q",
        "-j",
        "1",
    ]
    subprocess.run(command, check=True, timeout=900)
    (root / "course.yml").write_text("title: Big, second edition\nlanguage: fr\n", encoding="utf-8")
    expected = clean_build(root, tmp_path)
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    if how == "rm -rf":
        subprocess.run(["rm", "-rf", str(root / CACHE_DIR)], check=False)
    else:
        other = [
            sys.executable,
            "-m",
            "coursegen",
            "build",
            str(root),
            "-o",
            str(tmp_path / "elsewhere"),
            "-q",
            "-j",
            "1",
            "--clean",
        ]
        subprocess.run(other, check=True, timeout=900)
    _, err = process.communicate(timeout=900)
    assert process.returncode == 0, err
    assert "internal error" not in err
    assert snapshot(tmp_path / "site") == expected
    subprocess.run(command, check=True, timeout=900)  # and later builds keep it whole
    assert snapshot(tmp_path / "site") == expected


# ----------------------------------------------------------------------------------------------
# item 7: damaged entries are misses, never internal errors


def test_a_line_changed_since_it_was_written_is_a_miss(tmp_path):
    """Index lines carry their length and a CRC-32: a line cut short, or of the right length with
    other bytes (flipped bits, an edit by hand), is not read."""
    path = tmp_path / "index.txt"
    store = LineStore(path, "v1")
    store.put("a", b'{"title":"Un"}')
    store.put("b", b'{"title":"Deux"}')
    store.save()
    data = path.read_bytes()
    assert LineStore(path, "v1").stored == {"a": b'{"title":"Un"}', "b": b'{"title":"Deux"}'}
    path.write_bytes(data.replace(b'"Un"', b'"On"'))  # same length, other bytes
    assert LineStore(path, "v1").stored == {"b": b'{"title":"Deux"}'}
    path.write_bytes(data[:-3])  # the last line cut short
    assert LineStore(path, "v1").stored == {"a": b'{"title":"Un"}'}


WRONG_SHAPES = [b"null", b"5", b'"text"', b"[]", b"{}", b"[[1,2,3],{}]", b'{"title":5,"meta":null}', b"\t\t"]


def rewrite_every_line(path: Path, value: bytes) -> int:
    """Replace the value of every line of a LineStore file by `value`, as a valid line (right
    length and CRC): what a bug, or another tool, could have written."""
    version = path.read_bytes().split(b"\n", 1)[0].decode().removeprefix(LineStore.FORMAT + " ")
    store = LineStore(path, version)
    for key in store.stored:
        store.put(key, value)
    store.stored = {}  # written anew
    store.save()
    return len(store.used)


@pytest.mark.parametrize("value", WRONG_SHAPES, ids=[v.decode() for v in WRONG_SHAPES])
def test_index_lines_of_another_shape_are_misses(value, course, tmp_path, capsys):
    """Right-length lines of the wrong JSON shape in every index cache (parsed pages, front matter,
    page messages, body index, search texts, file digests) used to stop the build with a
    TypeError, ValueError or AttributeError until --clean."""
    # a misspelt variable in a template: a message each lesson page reports, kept with the page
    write_tree(
        course,
        {
            "templates/lesson.html": '{% extends "theme/lesson.html" %}\n{% block title %}{{ page.titel }}{% endblock %}\n'
        },
    )
    run_build(course, tmp_path / "site")
    stores = sorted((course / CACHE_DIR).glob("*.txt"))
    assert {p.name for p in stores} >= {
        "pages.txt",
        "front-matter.txt",
        "bodies-index.txt",
        "search-texts.txt",
        "file-digests.txt",
        "page-messages.txt",
    }
    for path in stores:
        assert rewrite_every_line(path, value) > 0, path.name
    for edit in ("", TITLE_EDIT):  # reused as they are, then with every page made again
        if edit:
            (course / "course.yml").write_text(edit, encoding="utf-8")
        code, err = cli(capsys, "build", course, "-o", tmp_path / "site")
        assert "internal error" not in err and "Traceback" not in err, err
        assert code == 0, err
        assert "'titel'" in err  # the pages' message, not lost with its damaged entry
        assert snapshot(tmp_path / "site") == clean_build(course, tmp_path)


@pytest.mark.parametrize(
    "manifest",
    ["null", "[]", '{"index.html": null, "01_basics/01_first.html": "x", "404.html": [1, "a", 2]}', "{"],
)
def test_a_damaged_site_manifest_is_forgotten(manifest, course, tmp_path, capsys):
    for path in (course / CACHE_DIR / "sites").glob("*.json"):
        path.write_text(manifest, encoding="utf-8")
    code, err = cli(capsys, "build", course, "-o", tmp_path / "site")
    assert (code, "internal error" in err) == (0, False), err
    assert snapshot(tmp_path / "site") == clean_build(course, tmp_path)


def test_fragments_of_another_shape_are_computed_again(course, tmp_path, capsys):
    fragments = sorted((course / CACHE_DIR / "fragments").glob("*.json"))
    assert fragments
    for path, value in zip(
        fragments, [{"version": "x", "items": [1, 2]}, None, {"items": {"a": 5}}, "text"] * len(fragments)
    ):
        stored = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(value, dict) and "version" not in value:
            value = {"version": stored["version"], **value}  # the right version, damaged items
        path.write_text(json.dumps(value), encoding="utf-8")
    shutil.rmtree(course / CACHE_DIR / "bodies")  # so that the bodies are rendered, with the fragments
    code, err = cli(capsys, "build", course, "-o", tmp_path / "site")
    assert (code, "internal error" in err) == (0, False), err
    assert snapshot(tmp_path / "site") == clean_build(course, tmp_path)


def test_cached_notebook_results_of_another_shape_are_refused():
    import nbformat

    from coursegen.execute import results_fit as _fits

    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# T"),
            nbformat.v4.new_code_cell("1"),
            nbformat.v4.new_code_cell("2"),
        ]
    )
    good = [
        {
            "outputs": [{"output_type": "execute_result", "data": {}, "metadata": {}, "execution_count": 1}],
            "execution_count": 1,
        },
        {"outputs": [], "execution_count": None},
    ]
    assert _fits(good, notebook)
    for bad in (
        None,
        [],
        good[:1],
        [good[0], None],
        [good[0], {"outputs": None, "execution_count": 2}],
        [good[0], {"outputs": [5], "execution_count": 2}],
        [good[0], {"outputs": []}],
        [good[0], {"outputs": [], "execution_count": "2"}],
    ):
        assert not _fits(bad, notebook), bad


def test_cut_short_results_of_a_run_are_run_again(tmp_path, capsys):
    """A run's results cut short by a power cut: the page shows the notebook's saved outputs with
    a warning, once; the next build runs the notebook again."""
    pytest.importorskip("ipykernel")
    files = {
        "course.yml": "title: Calcul\nlanguage: fr\nnotebooks:\n  execute: always\n",
        "content/index.md": "# Calcul\n",
        "notebooks/A/calcul.ipynb": notebook_json("# Calcul", "print(6 * 7)"),
    }
    root, out = write_tree(tmp_path / "course", files), tmp_path / "site"
    page = out / "A/notebooks/calcul.html"
    assert cli(capsys, "build", root, "-o", out)[0] == 0
    assert "<pre>42\n</pre>" in page.read_text(encoding="utf-8")
    [results] = (root / CACHE_DIR / "executed").glob("*.json")
    results.write_bytes(results.read_bytes()[: results.stat().st_size // 2])
    shutil.rmtree(root / CACHE_DIR / "bodies")  # the page is made again from the cached results
    code, err = cli(capsys, "build", root, "-o", out)
    assert code == 0 and "internal error" not in err
    assert (
        "notebooks/A/calcul.ipynb: warning[execution]: its cached results were damaged; its page shows the outputs saved in the notebook — build again: it is run again"
        in err
    )
    code, err = cli(capsys, "build", root, "-o", out)
    assert code == 0 and "warning[execution]" not in err
    assert "<pre>42\n</pre>" in page.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# item 7: compiled templates


def compiled_templates(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIR / "templates").glob("*.cache"))


@pytest.mark.parametrize("seed", range(4))
def test_flipped_bytes_in_compiled_templates_are_compiled_again(seed, course, tmp_path):
    """Two flipped bytes in Jinja's bytecode cache crashed the interpreter (marshal trusts what it
    reads) at every build until --clean: each file now starts with a SHA-256 of the rest, checked
    first. In a separate process, as a crash would take the test runner with it."""
    rng = random.Random(seed)
    damaged = {}
    for path in compiled_templates(course):
        data = bytearray(path.read_bytes())
        for index in rng.sample(range(32, len(data)), 2):  # in the compiled code, past the digest
            data[index] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(data))
        damaged[path.name] = bytes(data)
    assert damaged
    (course / "course.yml").write_text(TITLE_EDIT, encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "coursegen",
        "build",
        str(course),
        "-o",
        str(tmp_path / "site"),
        "-q",
        "-j",
        "1",
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert snapshot(tmp_path / "site") == clean_build(course, tmp_path)
    assert all(
        path.read_bytes() != damaged[path.name] for path in compiled_templates(course)
    )  # compiled again


def test_compiled_templates_are_reused_when_intact(course, tmp_path, monkeypatch):
    import jinja2

    compiled = []
    real = jinja2.Environment._compile

    def spy(self, source, filename):
        compiled.append(filename)
        return real(self, source, filename)

    monkeypatch.setattr(jinja2.Environment, "_compile", spy)
    (course / "course.yml").write_text(TITLE_EDIT, encoding="utf-8")
    run_build(course, tmp_path / "site")
    assert compiled == []


# ----------------------------------------------------------------------------------------------
# an internal error the cache could explain says how to start afresh


def test_an_internal_error_suggests_a_clean_build_when_there_is_a_cache(
    course, tmp_path, capsys, monkeypatch
):
    def broken(*args, **kwargs):
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr(build_module, "render_site", broken)
    code, err = cli(capsys, "build", course, "-o", tmp_path / "site")
    assert code == 1
    assert err.strip().endswith("if the build cache was damaged, run `coursegen build --clean`")
    shutil.rmtree(course / CACHE_DIR)
    code, err = cli(capsys, "build", course, "-o", tmp_path / "site")
    assert code == 1 and "--clean" not in err


def test_clean_while_another_build_writes_into_the_cache(tmp_path):
    """`build --clean` deleted the cache with rmtree while a second build kept writing into it: the
    clean one failed with "Directory not empty" or FileNotFoundError (seen in the reproduction
    above). The folder is now renamed aside first; what the other build writes meanwhile lands in a
    new folder, and a second clean sweeps anything left."""
    import threading

    from coursegen.cache import clear_cache

    cache = tmp_path / CACHE_DIR
    stop = threading.Event()

    def writer():
        n = 0
        while not stop.is_set():
            folder = cache / "bodies"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{n}.html").write_text("x" * 100)
            except OSError:
                pass  # the folder went away between the two calls: as a build's writes do
            n += 1

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(20):
            time.sleep(0.01)
            clear_cache(tmp_path)  # never raises
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    clear_cache(tmp_path)
    assert not cache.exists() and not list(tmp_path.glob(f"{CACHE_DIR}.deleting-*"))
