"""`coursegen check`: every validation of a build, and nothing written.

Front matter, links and anchors, notebooks (JSON, schema, missing references), encoding and garbled
text, images without alt text, skipped heading levels; `--strict`; exit statuses as for build; and
`--fix-encoding`, the one option that does change the course (with a .bak of each file it repairs).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from conftest import REPO, notebook_json, snapshot, write_tree

from coursegen.cli import main

SEED = Path(__file__).parent / "fixtures/seed/module6-index.md"  # a copy of shared/seed: garbled on purpose
CHECKED = re.compile(
    r"^Checked (\d+) pages? \((\d+) notebooks?\) in \d+\.\d s: (\d+) errors?, (\d+) warnings?$"
)
DIAGNOSTIC = re.compile(r"^[^\s:][^:]*(?::\d+(?::\d+)?)?: (error|warning|note)(\[[a-z-]+\])?: .+$")


@pytest.fixture
def one_process(monkeypatch):
    """`check` has no -j: the default is one worker per core; these small courses need none."""
    monkeypatch.setattr(os, "cpu_count", lambda: 1)


def check(capsys, *args) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["check", *map(str, args)])
    return code, capsys.readouterr().err.splitlines()


def without_cache(files: dict[str, bytes]) -> dict[str, bytes]:
    return {rel: data for rel, data in files.items() if not rel.startswith(".coursegen-cache/")}


def bad_notebook(change) -> str:
    notebook = json.loads(notebook_json("# Broken", ("code", "x = 1", [])))
    change(notebook)
    return json.dumps(notebook, indent=1) + "\n"


EVERY_PROBLEM = {
    "course.yml": "title: Checked course\nlanguage: en\n",
    "content/index.md": "# Home\n\nStart with [module A](A/index.md).\n",
    "content/A/index.md": "---\ntitle: Module A\n---\nThe lessons.\n",
    "content/A/01_front.md": "---\ntitle: This thing: crashes\n---\nBody.\n",
    "content/A/02_types.md": "---\norder: first\ntitel: Typo\n---\nBody.\n",
    "content/A/03_links.md": "# Links\n\n[gone](04_gone.md)\n\n[part](01_front.md#nope)\n\n[self](#nowhere)\n",
    "content/A/04_notebook.md": "---\ntitle: With a notebook\nnotebook: A/missing.ipynb\n---\nBody.\n",
    "content/A/05_latin1.md": b"# Caf\xe9\n",
    "content/A/06_garbled.md": "# Lesson\n\nLes mÃ©canismes d'attention.\n",
    "content/A/07_a11y.md": "# Access\n\n![](pic.svg)\n\n#### Too deep\n\nText.\n",
    "content/A/pic.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    "notebooks/A/not_json.ipynb": '{"cells": [\n<<<<<<< HEAD\n',
    "notebooks/A/no_outputs.ipynb": bad_notebook(lambda nb: nb["cells"][1].pop("outputs")),
    "notebooks/A/v5.ipynb": bad_notebook(lambda nb: nb.update(nbformat=5)),
    "notebooks/A/fine.ipynb": notebook_json("# Fine", "print(1)"),
}
EXPECTED = [
    r"content/A/01_front\.md:2:18: error\[yaml\]: invalid YAML: mapping values are not allowed here — .+",
    r"content/A/02_types\.md:2: error\[yaml\]: front-matter key 'order' must be a number, not 'first' — .+",
    r"content/A/02_types\.md:3: warning\[yaml\]: unknown front-matter key 'titel' — did you mean 'title'\?",
    r"content/A/03_links\.md:3: warning\[links\]: link '04_gone\.md' leads nowhere — .+",
    r"content/A/03_links\.md:5: warning\[anchors\]: anchor '01_front\.md#nope' leads nowhere — .+",
    r"content/A/03_links\.md:7: warning\[anchors\]: anchor '#nowhere' leads nowhere — .+",
    r"content/A/04_notebook\.md:3: error\[notebook\]: notebook 'A/missing\.ipynb' not found \(looked for .+\) — .+",
    r"content/A/05_latin1\.md:1:6: error\[encoding\]: not valid UTF-8 \(byte 0xe9\) — .+",
    r"content/A/06_garbled\.md:3: warning\[encoding\]: garbled text \(UTF-8 read as Windows-1252\?\), should probably read: Les mécanismes d'attention\. — repair the file with `coursegen check --fix-encoding` .+",
    r"content/A/07_a11y\.md:3: warning\[alt-text\]: image 'pic\.svg' has no alt text — .+",
    r"content/A/07_a11y\.md:5: warning\[headings\]: heading 'Too deep' jumps from level 1 to 4 — .+",
    r"notebooks/A/no_outputs\.ipynb: warning\[notebook\]: 1 schema slip repaired in memory: cells\[1\]: 'outputs' missing \(set to \[\]\) — .+",
    r"notebooks/A/not_json\.ipynb:2:1: error\[notebook\]: not valid JSON — .+",
    r"notebooks/A/v5\.ipynb: error\[notebook\]: notebook format 5 is not supported \(expected 4\) — .+",
]


@pytest.fixture
def course(tmp_path):
    return write_tree(tmp_path / "course", EVERY_PROBLEM)


def assert_report(lines: list[str], expected: list[str]) -> None:
    *diagnostics, summary = lines
    assert all(DIAGNOSTIC.match(line) for line in diagnostics), lines
    assert len(diagnostics) == len(expected), "\n".join(diagnostics)
    for line, pattern in zip(diagnostics, expected):
        assert re.fullmatch(pattern, line), f"\n{line!r}\ndoes not match\n{pattern!r}"
    match = CHECKED.match(summary)
    assert match, summary
    errors = sum(": error[" in line for line in diagnostics)
    warnings = sum(": warning[" in line for line in diagnostics)
    assert (int(match[3]), int(match[4])) == (errors, warnings)
    assert not any(word in "\n".join(lines) for word in ("Traceback", "internal error", "please report"))


def test_check_reports_every_problem_and_writes_no_site(course, capsys, one_process):
    before = without_cache(snapshot(course))
    code, lines = check(capsys, course)
    assert code == 1
    assert_report(lines, EXPECTED)
    assert without_cache(snapshot(course)) == before
    assert not (course / "site").exists()
    assert sorted(p.name for p in course.parent.iterdir()) == ["course"]  # no lock, no staging folder beside


def test_check_leaves_the_course_folder_byte_identical(course, capsys, one_process):
    before = snapshot(course)
    check(capsys, course)
    assert snapshot(course) == before


def test_check_finds_what_build_finds(course, tmp_path, capsys, one_process):
    _, checked = check(capsys, course)
    capsys.readouterr()
    assert main(["build", str(course), "-o", str(tmp_path / "site"), "-j", "1"]) == 1
    built = capsys.readouterr().err.splitlines()
    assert sorted(checked[:-1]) == sorted(built[:-1])  # build shows errors first, check lists by file


def test_check_leaves_an_existing_site_alone(course, tmp_path, capsys, one_process):
    out = course / "site"
    assert main(["build", str(course), "-j", "1", "-q"]) == 1  # errors: the site is still written
    site = snapshot(out)
    (course / "content/A/03_links.md").write_text("# Links changed\n")
    code, _ = check(capsys, course)
    assert code == 1
    assert snapshot(out) == site


def test_strict_check_fails_on_warnings_only(tmp_path, capsys, one_process):
    root = write_tree(
        tmp_path / "course",
        {"content/index.md": "# Home\n\n![](pic.svg)\n\n[x](nowhere.md)\n", "content/pic.svg": "<svg/>"},
    )
    code, lines = check(capsys, root)
    assert code == 0
    assert CHECKED.match(lines[-1]).group(3, 4) == ("0", "2")
    code, strict_lines = check(capsys, root, "--strict")
    assert code == 1
    assert strict_lines == lines[:-1] + [strict_lines[-1]] and CHECKED.match(strict_lines[-1])
    assert not (root / "site").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["course"]


def test_clean_course_checks_with_exit_0_and_no_messages(tmp_path, capsys, one_process):
    root = write_tree(
        tmp_path / "course",
        {
            "content/index.md": "# Home\n\n[A](A/x.md)\n",
            "content/A/x.md": "# X\n\n## Part\n\n![a picture](p.svg)\n",
            "content/A/p.svg": "<svg/>",
        },
    )
    code, lines = check(capsys, root, "--strict")
    assert code == 0
    assert len(lines) == 1 and CHECKED.match(lines[0]), lines


@pytest.mark.parametrize(
    "files, message",
    [
        ({"course.yml": "title: [unclosed\n"}, r"course\.yml:2:1: error\[config\]: invalid YAML: .+"),
        (
            {"course.yml": "base_url: 12\n"},
            r"course\.yml:1: error\[config\]: base_url '12' is not an absolute http\(s\) URL — .+",
        ),
        (
            {"course.yml": "notebooks: {execute: sometimes}\n"},
            r"course\.yml:1: error\[config\]: notebooks\.execute must be never, auto or always, not 'sometimes'.*",
        ),
    ],
    ids=["syntax", "base_url", "execute"],
)
def test_invalid_course_yml_exits_2(files, message, tmp_path, capsys, one_process):
    root = write_tree(tmp_path / "course", {"content/index.md": "# Home\n", **files})
    before = snapshot(root)
    code, lines = check(capsys, root)
    assert code == 2
    assert re.fullmatch(message, lines[0]), lines
    assert (
        lines[-1]
        == "course.yml: error[config]: course.yml has 1 error; nothing was built — fix it and build again"
    )
    assert snapshot(root) == before


def test_check_of_a_folder_without_content_exits_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    code, lines = check(capsys, tmp_path / "empty")
    assert code == 2
    assert lines == [
        f"course: error[build]: no content/ folder in {(tmp_path / 'empty').resolve()} — run coursegen in a course folder (content/, or a Jupyter Book's _toc.yml, or mkdocs.yml), or create one with `coursegen new DIR`"
    ]
    assert list((tmp_path / "empty").iterdir()) == []


# ----------------------------------------------------------------------------------------------
# --fix-encoding


@pytest.fixture
def seeded(tmp_path):
    if not SEED.is_file():
        pytest.skip(f"{SEED} is not available")
    root = write_tree(tmp_path / "course", {"content/index.md": "# Home\n\n[Module 6](module6/index.md)\n"})
    (root / "content/module6").mkdir()
    shutil.copyfile(SEED, root / "content/module6/index.md")
    return root


def test_fix_encoding_repairs_in_place_keeps_a_backup_and_a_second_run_changes_nothing(
    seeded, capsys, one_process
):
    page = seeded / "content/module6/index.md"
    original = page.read_bytes()
    code, lines = check(capsys, seeded)
    assert code == 0
    assert lines[0].startswith(
        "content/module6/index.md:2: warning[encoding]: garbled text (UTF-8 read as Windows-1252?), should probably read: title: Module 6 - Transformers et Mécanismes d'Attention — "
    )
    garbled = [line for line in lines if "garbled" in line]
    assert len(garbled) == 6  # five shown, then a count

    code, lines = check(capsys, seeded, "--fix-encoding")
    assert code == 0
    assert lines[0] == "content/module6/index.md: repaired 57 garbled lines (original kept as index.md.bak)"
    assert not any("garbled" in line for line in lines[1:])
    assert (seeded / "content/module6/index.md.bak").read_bytes() == original
    repaired = page.read_text(encoding="utf-8").splitlines()
    assert repaired[1] == "title: Module 6 - Transformers et Mécanismes d'Attention"
    assert "Ã" not in page.read_text(encoding="utf-8")
    assert len(repaired) == len(original.decode("utf-8").splitlines())  # line for line: positions stay valid

    fixed = page.read_bytes()
    code, again = check(capsys, seeded, "--fix-encoding")
    assert code == 0
    assert not any("repaired" in line or "garbled" in line for line in again)
    assert page.read_bytes() == fixed
    assert sorted(p.name for p in page.parent.iterdir()) == ["index.md", "index.md.bak"]  # no second backup


def test_the_backup_is_never_published(seeded, tmp_path, capsys, one_process):
    check(capsys, seeded, "--fix-encoding")
    assert (seeded / "content/module6/index.md.bak").is_file()
    assert main(["build", str(seeded), "-o", str(tmp_path / "site"), "-j", "1", "-q"]) == 0
    site = snapshot(tmp_path / "site")
    assert not any(rel.endswith(".bak") for rel in site), sorted(site)
    assert "Mécanismes" in site["module6/index.html"].decode("utf-8")
    assert not any(b"M\xc3\x83\xc2\xa9canismes" in data for data in site.values())


def test_fix_encoding_keeps_bom_and_crlf_and_repairs_course_yml(tmp_path, capsys, one_process):
    root = write_tree(
        tmp_path / "course",
        {
            "course.yml": "title: Les mÃ©canismes\nlanguage: fr\n",
            "content/index.md": "\ufeff# Accueil\r\n\r\nLes mÃ©canismes d'attention.\r\nDeuxiÃ¨me ligne.\r\n".encode(
                "utf-8"
            ),
        },
    )
    code, lines = check(capsys, root, "--fix-encoding")
    assert code == 0
    assert lines[:2] == [
        "course.yml: repaired 1 garbled line (original kept as course.yml.bak)",
        "content/index.md: repaired 2 garbled lines (original kept as index.md.bak)",
    ]
    assert (
        root / "content/index.md"
    ).read_bytes() == "\ufeff# Accueil\r\n\r\nLes mécanismes d'attention.\r\nDeuxième ligne.\r\n".encode(
        "utf-8"
    )
    assert (root / "course.yml").read_text(encoding="utf-8") == "title: Les mécanismes\nlanguage: fr\n"


def test_fix_encoding_converts_files_that_are_not_utf8(tmp_path, capsys, one_process):
    """A Latin-1 file with UTF-8 pasted into it: each part is read as what it is."""
    mixed = b"# Caf\xe9 M\xc3\xa9canismes\n"
    root = write_tree(tmp_path / "course", {"content/index.md": "# Home\n", "content/x.md": mixed})
    code, lines = check(capsys, root)
    assert code == 1
    assert (
        lines[0]
        == "content/x.md:1:6: error[encoding]: not valid UTF-8 (byte 0xe9) — save the file as UTF-8 in your editor (it was probably saved as Latin-1/Windows-1252)"
    )
    code, lines = check(capsys, root, "--fix-encoding")
    assert code == 0
    assert (
        lines[0]
        == "content/x.md: converted from Windows-1252 to UTF-8 (1 character) (original kept as x.md.bak)"
    )
    assert (root / "content/x.md").read_text(encoding="utf-8") == "# Café Mécanismes\n"
    assert (root / "content/x.md.bak").read_bytes() == mixed


# ----------------------------------------------------------------------------------------------
# for the record: how long `check` takes on the repository's example course (no assertion on time)


def test_check_of_the_example_course_is_clean_and_timed(tmp_path, capsys, record_property):
    course = tmp_path / "example"
    course.mkdir()
    for name in ("content", "notebooks", "templates", "static"):
        if (REPO / name).is_dir():
            shutil.copytree(
                REPO / name, course / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
            )
    if (REPO / "course.yml").is_file():
        shutil.copyfile(REPO / "course.yml", course / "course.yml")
    timings = []
    for _ in range(2):  # cold, then with the cache a previous check left
        started = time.perf_counter()
        code, lines = check(capsys, course)
        timings.append(time.perf_counter() - started)
        assert code == 0, "\n".join(lines)
        assert not any(": error[" in line for line in lines)
    record_property("check_example_course_seconds", [round(t, 2) for t in timings])
    with capsys.disabled():
        print(
            f"\n[record] coursegen check on the example course: {timings[0]:.2f} s cold, {timings[1]:.2f} s warm ({lines[-1]})"
        )
