"""The command line: help, exit statuses, the summary line, `check`, `new`."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import run_build, snapshot, tree, write_tree

from coursegen import __version__
from coursegen.cli import main

SUMMARY = re.compile(
    r"^Built (\d+) pages \((\d+) notebooks, (\d+) files\) in \d+\.\d s: (\d+) errors?, (\d+) warnings? → (.+)$"
)


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: coursegen")
    for command in ("build", "check", "new"):
        assert re.search(rf"^\s+{command}\s+\S", out, re.MULTILINE), command
    assert "Exit status: 0 success (warnings allowed), 1 errors found (or warnings with" in out


@pytest.mark.parametrize(
    "command, options",
    [
        ("build", ["-o OUT", "--strict", "--clean", "--drafts", "-j N", "--execute", "-q", "-v"]),
        ("check", ["--strict", "--drafts", "-q", "-v"]),
        ("new", ["DIR", "--language"]),
    ],
)
def test_command_help(capsys, command, options):
    with pytest.raises(SystemExit) as caught:
        main([command, "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    for option in options:
        assert option in out, option


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert capsys.readouterr().out.startswith("usage: coursegen")


def test_version(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.strip() == f"coursegen {__version__}"


@pytest.mark.parametrize(
    "argv",
    [["frobnicate"], ["build", "--no-such-option"], ["build", "-j", "0"], ["build", "-q", "-v"], ["new"]],
)
def test_wrong_usage_exits_2(capsys, argv):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert "usage: coursegen" in capsys.readouterr().err


def test_python_dash_m(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "coursegen", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert (done.returncode, done.stdout.strip()) == (0, f"coursegen {__version__}")


def test_the_command_ends_quickly_but_says_everything_and_keeps_its_exit_status(make_course, tmp_path):
    """`coursegen` (cli.run) leaves without tearing the heap down: its output must still be complete,
    its status right, and an exit handler registered meanwhile still run."""
    root = make_course({"content/A/01_x.md": "---\ntitle: X\n---\n\n[lien](y.md)\n"})
    done = subprocess.run(
        [sys.executable, "-m", "coursegen", "build", str(root), "-j", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (
        done.returncode == 0
        and "Built 3 pages" in done.stderr + done.stdout
        and (root / "site/A/01_x.html").is_file()
    )
    strict = subprocess.run(
        [sys.executable, "-m", "coursegen", "build", str(root), "-j", "1", "--strict"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (
        strict.returncode == 1
        and "content/A/01_x.md:5: warning[links]: link 'y.md' leads nowhere" in strict.stderr
    )
    # a handler registered while the command runs (as the libraries it imports do) still runs
    script = (
        "import atexit, sys; from coursegen import cli; real_main = cli.main\n"
        "def main():\n    atexit.register(lambda: print('handler ran', flush=True)); return real_main()\n"
        f"cli.main = main; sys.argv = ['coursegen', 'build', {str(root)!r}, '-j', '1']; print('before', end=' '); cli.run(); print('never')"
    )
    handled = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert handled.returncode == 0 and handled.stdout.splitlines() == [
        "before handler ran"
    ]  # unflushed output kept


# ----------------------------------------------------------------------------------------------
# build and check


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A small course in tmp_path/course, which is also the current folder."""
    root = write_tree(
        tmp_path / "course",
        {
            "course.yml": "title: CLI course\nlanguage: en\n",
            "content/index.md": "# Home\n\n[A](A/index.md)\n",
            "content/A/index.md": "# A\n\n[x](x.md)\n",
            "content/A/x.md": "# X\n\nText.\n",
        },
    )
    monkeypatch.chdir(root)
    return root


def test_build_prints_a_summary_line(course, capsys):
    assert main(["build", "-j", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, lines
    match = SUMMARY.match(lines[0])
    assert match, lines[0]
    pages, notebooks, files, errors, warnings, out = match.groups()
    assert (pages, notebooks, errors, warnings, out) == ("3", "0", "0", "0", "site")
    assert int(files) == len(tree(course / "site")) - 1  # all but the marker
    assert (course / "site/A/x.html").is_file()


def test_build_with_a_course_dir_and_output(course, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["build", "course", "-o", "public", "-j", "1"]) == 0
    assert SUMMARY.match(capsys.readouterr().err.splitlines()[-1]).group(6) == "public"
    assert (tmp_path / "public/A/x.html").is_file()
    assert not (course / "site").exists()


def test_build_shows_warnings_then_the_summary_and_exits_0(course, capsys):
    (course / "content/A/x.md").write_text("# X\n\nSee [y](y.md).\n")
    assert main(["build", "-j", "1"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert (
        lines[0]
        == "content/A/x.md:3: warning[links]: link 'y.md' leads nowhere — check the path (it is relative to this file)"
    )
    assert SUMMARY.match(lines[1]).group(4, 5) == ("0", "1")


def test_build_with_errors_exits_1(course, capsys):
    (course / "content/A/y.md").write_text("---\ntitle: yes\n---\n")
    assert main(["build", "-j", "1"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert (
        lines[0]
        == "content/A/y.md:2: error[yaml]: front-matter key 'title' must be a text, but YAML reads 'yes' as true — put it in quotes: title: \"yes\""
    )
    assert SUMMARY.match(lines[1]).group(4, 5) == ("1", "0")


def test_quiet_prints_errors_only(course, capsys):
    (course / "content/A/x.md").write_text("# X\n\nSee [y](y.md).\n")
    assert main(["build", "-q", "-j", "1"]) == 0
    assert capsys.readouterr().err == ""
    (course / "content/A/y.md").write_text("---\norder: first\n---\n")
    assert main(["build", "-q", "-j", "1"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert (
        lines[0]
        == "content/A/y.md:2: error[yaml]: front-matter key 'order' must be a number, not 'first' — write a number, e.g. order: 2"
    )
    assert len(lines) == 2 and SUMMARY.match(lines[1])


def test_missing_content_folder_exits_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["build", str(tmp_path / "empty")]) == 2
    assert capsys.readouterr().err.strip() == (
        f"course: error[build]: no content/ folder in {(tmp_path / 'empty').resolve()} — run coursegen in a course folder (content/, or a Jupyter Book's _toc.yml, or mkdocs.yml), or create one with `coursegen new DIR`"
    )
    assert main(["check", str(tmp_path / "missing")]) == 2
    assert list((tmp_path / "empty").iterdir()) == []


def test_check_writes_nothing(course, capsys):
    (course / "content/A/x.md").write_text("# X\n\nSee [y](y.md).\n")
    assert main(["check"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert (
        lines[0]
        == "content/A/x.md:3: warning[links]: link 'y.md' leads nowhere — check the path (it is relative to this file)"
    )
    assert re.match(r"^Checked 3 pages \(0 notebooks\) in \d+\.\d s: 0 errors, 1 warning$", lines[1]), lines[
        1
    ]
    assert not (course / "site").exists()
    assert main(["check", "--strict"]) == 1
    assert not (course / "site").exists()


def test_check_with_errors_exits_1(course, capsys):
    (course / "content/A/bad.md").write_bytes(b"# Caf\xe9\n")
    assert main(["check"]) == 1
    assert (
        capsys.readouterr()
        .err.splitlines()[0]
        .startswith("content/A/bad.md:1:6: error[encoding]: not valid UTF-8 (byte 0xe9)")
    )


def test_strict_build_with_a_warning_exits_1_and_writes_nothing(course, capsys):
    (course / "content/A/x.md").write_text("# X\n\nSee [y](y.md).\n")
    assert main(["build", "--strict", "-j", "1"]) == 1
    assert (
        capsys.readouterr().err.splitlines()[-1]
        == "Nothing written (--strict and problems were found): 0 errors, 1 warning; the previous site is unchanged"
    )
    assert not (course / "site").exists()


def test_drafts_option(course):
    (course / "content/A/wip.md").write_text("---\ndraft: true\n---\n# WIP\n")
    assert main(["build", "-q", "-j", "1"]) == 0
    assert not (course / "site/A/wip.html").exists()
    assert main(["build", "-q", "--drafts", "-j", "1"]) == 0
    assert (course / "site/A/wip.html").is_file()


def test_clean_deletes_the_cache(course):
    assert main(["build", "-q", "-j", "1"]) == 0
    cache = course / ".coursegen-cache"
    marker = cache / "stale-entry"
    cache.mkdir(exist_ok=True)
    marker.write_text("x")
    assert main(["build", "-q", "--clean", "-j", "1"]) == 0
    assert not marker.exists()


# ----------------------------------------------------------------------------------------------
# new


@pytest.mark.parametrize("language", ["fr", "en"])
def test_new_course_builds_cleanly_even_with_strict(tmp_path, capsys, language):
    target = tmp_path / "my-course"
    assert main(["new", str(target), "--language", language]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"Created a new course in {target}. Next: cd {target} && coursegen build",
        "To publish it, push it to GitHub, then choose Settings → Pages → Source: GitHub Actions; .github/workflows/publish.yml builds and publishes it.",
    ]
    files = tree(target)
    assert ".gitignore" in files
    assert ".github/workflows/publish.yml" in files
    assert "course.yml" in files and "content/index.md" in files
    assert "site/" in (target / ".gitignore").read_text()
    assert "coursegen build --strict" in (target / ".github/workflows/publish.yml").read_text()
    result = run_build(target, strict=True)
    assert result.diagnostics.problems == []
    assert result.written
    assert (result.pages, result.notebooks) == (3, 0)
    assert f'<html lang="{language}">' in (target / "site/index.html").read_text(encoding="utf-8")
    assert main(["build", str(target), "--strict", "-q", "-j", "1"]) == 0


def test_new_defaults_to_french(tmp_path):
    assert main(["new", str(tmp_path / "cours")]) == 0
    assert "language: fr" in (tmp_path / "cours/course.yml").read_text(encoding="utf-8")


def test_new_into_an_empty_existing_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    assert main(["new", str(tmp_path / "empty")]) == 0
    assert (tmp_path / "empty/content/index.md").is_file()


@pytest.mark.parametrize("existing", [{"notes.txt": "mine"}, {".git/HEAD": "ref"}])
def test_new_refuses_a_non_empty_folder(tmp_path, capsys, existing):
    target = write_tree(tmp_path / "busy", existing)
    before = snapshot(target)
    assert main(["new", str(target)]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"course: error[build]: {target} is not empty — coursegen new only writes into a new or empty folder"
    )
    assert snapshot(target) == before


def test_new_in_the_current_empty_folder_says_no_cd(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(write_tree(tmp_path / "mon-cours", {}))
    assert main(["new", "."]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Created a new course in {tmp_path / 'mon-cours'}. Next: coursegen build"
    assert (tmp_path / "mon-cours/content/index.md").is_file()


def test_new_quotes_a_folder_name_with_spaces(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "Mon cours"]) == 0
    assert (
        capsys.readouterr().out.splitlines()[0]
        == "Created a new course in Mon cours. Next: cd 'Mon cours' && coursegen build"
    )


def test_new_for_gitlab(tmp_path, capsys):
    assert main(["new", str(tmp_path / "cours"), "--host", "gitlab", "--nightly"]) == 0
    assert (
        capsys.readouterr().out.splitlines()[1]
        == "To publish it, push it to GitLab (the site appears under Deploy → Pages); .gitlab-ci.yml builds and publishes it."
    )
    assert (tmp_path / "cours/.gitlab-ci.yml").is_file() and not (tmp_path / "cours/.github").exists()


def test_new_refuses_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    assert main(["new", str(tmp_path / "file")]) == 2
    assert (tmp_path / "file").read_text() == "x"


def test_verbose_build_shows_the_time_of_each_stage(make_course, capsys):
    root = make_course({"content/A/01_un.md": "---\ntitle: Un\n---\n\nTexte.\n"})
    assert main(["build", str(root), "-v", "-j", "1"]) == 0
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("Time by stage: ")
    stages = re.findall(r"(.+?) (\d+\.\d{3}) s(?:, |$)", last.removeprefix("Time by stage: "))
    assert [name for name, _ in stages] == [
        "load and discover",
        "parse",
        "course graph",
        "templates",
        "bodies (Markdown, notebooks)",
        "remote media",
        "print pages",
        "pages",
        "search index",
        "files, assets, 404",
        "write",
    ], last


def test_quiet_build_prints_no_stage_times(make_course, capsys):
    root = make_course({"content/A/01_un.md": "---\ntitle: Un\n---\n\nTexte.\n"})
    assert main(["build", str(root), "-q", "-j", "1"]) == 0
    assert "Time by stage" not in capsys.readouterr().err


# ----------------------------------------------------------------------------------------------
# finding the course from a folder inside it


def test_build_from_a_folder_inside_the_course_builds_the_course(course, capsys, monkeypatch):
    monkeypatch.chdir(course / "content" / "A")
    assert main(["build", "-j", "1"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"Course: {course} (found from content/A)"
    assert SUMMARY.match(lines[1]).group(6) == str(course / "site")
    assert (course / "site/A/x.html").is_file()
    assert not (course / "content/A/site").exists()


def test_check_and_serve_find_the_course_too(course, capsys, monkeypatch):
    monkeypatch.chdir(course / "content")
    assert main(["check"]) == 0
    assert capsys.readouterr().err.splitlines()[0] == f"Course: {course} (found from content)"
    assert main(["check", "-q"]) == 0  # -q: errors only
    assert capsys.readouterr().err == ""
    seen = {}

    def fake_serve(args):
        seen["course_dir"] = args.course_dir
        return 0

    monkeypatch.setattr("coursegen.serve.run_serve", fake_serve)
    assert main(["serve"]) == 0
    assert seen["course_dir"] == course


def test_a_course_yml_alone_marks_the_course_root(tmp_path, capsys, monkeypatch):
    root = write_tree(tmp_path / "cours", {"course.yml": "title: T\n", "notes/draft.txt": "x"})
    monkeypatch.chdir(root / "notes")
    assert main(["check"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"Course: {root} (found from notes)",
        f"course: error[build]: no content/ folder in {root} — run coursegen in a course folder (content/, or a Jupyter Book's _toc.yml, or mkdocs.yml), or create one with `coursegen new DIR`",
    ]


def test_at_the_course_root_nothing_is_said(course, capsys):
    assert main(["check"]) == 0
    assert not capsys.readouterr().err.startswith("Course:")


def test_outside_any_course_the_error_says_where_it_looked(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(write_tree(tmp_path / "nothing/here", {}))
    assert main(["build"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"course: error[build]: no content/ folder in {tmp_path / 'nothing/here'} or any folder above it — "
        "run coursegen in a course folder (content/, or a Jupyter Book's _toc.yml, or mkdocs.yml), or create one with `coursegen new DIR`"
    )


def test_a_course_dir_given_is_taken_as_it_is(course, capsys, monkeypatch):
    monkeypatch.chdir(course / "content")
    assert main(["check", "A"]) == 2  # content/A is not a course: no search upwards from a folder named
    assert "no content/ folder in " + str(course / "content" / "A") in capsys.readouterr().err


def test_output_is_relative_to_the_current_folder(course, tmp_path, capsys, monkeypatch):
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    assert main(["build", "../course", "-o", "out", "-j", "1"]) == 0
    assert (tmp_path / "work/out/A/x.html").is_file()
    monkeypatch.chdir(course / "content" / "A")
    assert main(["build", "-o", "out", "-j", "1"]) == 2  # content/A/out: inside the sources, refused
    assert "the output folder must not be inside content/" in capsys.readouterr().err
