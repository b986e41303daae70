"""output.py: where the site may be written, the plan's collision guard, the atomic swap, the lock."""

from __future__ import annotations

import errno
import pathlib

import pytest
from conftest import formatted, run_build, snapshot, staging_leftovers, tree, write_tree

from coursegen import output
from coursegen.cli import main
from coursegen.errors import CoursegenError, UsageError
from coursegen.output import (
    MARKER,
    MARKER_TEXT,
    OutputLock,
    SitePlan,
    check_output_dir,
    sync_site,
    write_atomically,
)

# ----------------------------------------------------------------------------------------------
# check_output_dir


@pytest.fixture
def course_root(tmp_path):
    return write_tree(
        tmp_path / "course",
        {"content/index.md": "# Home\n", "notebooks/.keep": "", "templates/.keep": "", "static/.keep": ""},
    )


@pytest.mark.parametrize(
    "out, message, hint",
    [
        (".", "the output folder {root} contains the course", "choose another folder with -o, e.g. -o site"),
        (
            "..",
            "the output folder {parent} contains the course",
            "choose another folder with -o, e.g. -o site",
        ),
        (
            "content",
            "the output folder must not be inside content/",
            "use the default (site/) or another folder outside the sources",
        ),
        (
            "content/site",
            "the output folder must not be inside content/",
            "use the default (site/) or another folder outside the sources",
        ),
        (
            "content/../content/x/site",
            "the output folder must not be inside content/",
            "use the default (site/) or another folder outside the sources",
        ),
        (
            "notebooks/site",
            "the output folder must not be inside notebooks/",
            "use the default (site/) or another folder outside the sources",
        ),
        (
            "templates/site",
            "the output folder must not be inside templates/",
            "use the default (site/) or another folder outside the sources",
        ),
        (
            "static",
            "the output folder must not be inside static/",
            "use the default (site/) or another folder outside the sources",
        ),
    ],
)
def test_output_folders_that_would_overwrite_the_course_are_refused(course_root, out, message, hint):
    with pytest.raises(UsageError) as caught:
        check_output_dir(course_root, course_root / out)
    assert caught.value.exit_code == 2
    assert caught.value.diagnostic.message == message.format(
        root=course_root.resolve(), parent=course_root.parent.resolve()
    )
    assert caught.value.diagnostic.hint == hint


def test_a_folder_not_made_by_coursegen_is_refused(course_root, tmp_path):
    other = write_tree(tmp_path / "Documents", {"thesis.tex": "precious"})
    with pytest.raises(UsageError) as caught:
        check_output_dir(course_root, other)
    assert str(caught.value) == (
        f"course: error[build]: the output folder {other.resolve()} is not empty and was not made by coursegen"
        " — coursegen never overwrites a folder it did not create: empty it or choose another one with -o"
    )
    assert (other / "thesis.tex").read_text() == "precious"


def test_a_folder_holding_only_hidden_files_is_still_someone_elses(course_root, tmp_path):
    other = write_tree(tmp_path / "repo", {".git/HEAD": "ref: refs/heads/main\n"})
    with pytest.raises(UsageError):
        check_output_dir(course_root, other)


def test_a_file_is_refused(course_root, tmp_path):
    target = tmp_path / "site.txt"
    target.write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        check_output_dir(course_root, target)


@pytest.mark.parametrize("setup", ["missing", "empty", "marked"])
def test_accepted_output_folders(course_root, tmp_path, setup):
    out = tmp_path / "out"
    if setup != "missing":
        out.mkdir()
    if setup == "marked":
        (out / MARKER).write_text(MARKER_TEXT)
        (out / "index.html").write_text("old")
    assert check_output_dir(course_root, out) == out.resolve()
    assert check_output_dir(course_root, course_root / "site") == (course_root / "site").resolve()


def test_cli_refuses_unsafe_output_with_exit_2(course_root, tmp_path, capsys, monkeypatch):
    other = write_tree(tmp_path / "Documents", {"thesis.tex": "precious"})
    assert main(["build", str(course_root), "-o", str(other), "-j", "1"]) == 2
    assert "coursegen never overwrites a folder it did not create" in capsys.readouterr().err
    monkeypatch.chdir(course_root)
    for out in ("content/site", "."):
        assert main(["build", "-o", out, "-j", "1"]) == 2
    err = capsys.readouterr().err
    assert "course: error[build]: the output folder must not be inside content/" in err
    assert f"course: error[build]: the output folder {course_root.resolve()} contains the course" in err
    assert tree(course_root) == ["content/index.md", "notebooks/.keep", "static/.keep", "templates/.keep"]
    assert tree(other) == ["thesis.tex"]


# ----------------------------------------------------------------------------------------------
# SitePlan: collisions and paths


def test_plan_refuses_two_producers_for_one_path():
    plan = SitePlan()
    plan.add_text("A/x.html", "one", "content/A/x.md")
    with pytest.raises(CoursegenError) as caught:
        plan.add_text("A/x.html", "two", "content/A/x.ipynb")
    assert (
        str(caught.value)
        == "content/A/x.ipynb: error[build]: 'content/A/x.ipynb' and 'content/A/x.md' would both write 'A/x.html' — rename one of them"
    )
    assert plan.files["A/x.html"].data == b"one"


def test_plan_collisions_ignore_case(tmp_path):
    plan = SitePlan()
    plan.add_text("A/Intro.html", "one", "content/A/Intro.md")
    source = write_tree(tmp_path, {"x": "x"}) / "x"
    with pytest.raises(CoursegenError, match="would both write 'A/intro.html'"):
        plan.add_file("A/intro.html", source, "content/A/intro.html")


@pytest.mark.parametrize("rel", ["", "../escape.html", "A/../../escape.html", "/etc/passwd", "A\\..\\x.html"])
def test_plan_refuses_paths_outside_the_site(rel):
    with pytest.raises(CoursegenError) as caught:
        SitePlan().add_text(rel, "x", "content/A/x.md")
    assert (
        str(caught.value)
        == f"content/A/x.md: error[build]: refusing to write '{rel}' outside the site folder"
    )


# ----------------------------------------------------------------------------------------------
# write_atomically


def plan_of(files: dict[str, str]) -> SitePlan:
    plan = SitePlan()
    for rel, text in files.items():
        plan.add_text(rel, text, rel)
    return plan


def test_write_creates_the_site_with_its_marker(tmp_path):
    out = tmp_path / "site"
    write_atomically(out, plan_of({"index.html": "home", "A/x.html": "x"}))
    assert snapshot(out) == {MARKER: MARKER_TEXT.encode(), "A/x.html": b"x", "index.html": b"home"}
    assert staging_leftovers(tmp_path) == []


def test_second_write_replaces_the_first(tmp_path):
    out = tmp_path / "site"
    write_atomically(out, plan_of({"index.html": "v1", "A/old.html": "gone soon"}))
    write_atomically(out, plan_of({"index.html": "v2", "B/new.html": "new"}))
    assert snapshot(out) == {MARKER: MARKER_TEXT.encode(), "B/new.html": b"new", "index.html": b"v2"}
    assert staging_leftovers(tmp_path) == []


def test_copied_files_are_byte_identical(tmp_path):
    source = tmp_path / "image.png"
    source.write_bytes(bytes(range(256)))
    plan = SitePlan()
    plan.add_file("A/image.png", source, "content/A/image.png")
    write_atomically(tmp_path / "site", plan)
    assert (tmp_path / "site/A/image.png").read_bytes() == bytes(range(256))


def failing_after(calls: int, error: BaseException):
    """A replacement for output.write_file that fails once `calls` files were written."""
    original = output.write_file
    count = {"n": 0}

    def write_file(target, item, rel):
        count["n"] += 1
        if count["n"] > calls:
            raise error
        original(target, item, rel)

    return write_file


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_failed_write_leaves_the_previous_site_and_no_staging_folder(tmp_path, monkeypatch, error):
    out = tmp_path / "site"
    write_atomically(out, plan_of({"index.html": "v1", "A/x.html": "x1"}))
    before = snapshot(out)
    monkeypatch.setattr(output, "write_file", failing_after(2, error))
    with pytest.raises(type(error)):
        write_atomically(
            out, plan_of({"index.html": "v2", "A/x.html": "x2", "A/y.html": "y2", "B/z.html": "z2"})
        )
    assert snapshot(out) == before
    assert staging_leftovers(tmp_path) == []


def test_disk_full_is_reported_naming_the_file(tmp_path, monkeypatch):
    original = pathlib.Path.write_bytes

    def write_bytes(self, data):
        if self.name == "y.html":
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)
    with pytest.raises(CoursegenError) as caught:
        write_atomically(tmp_path / "site", plan_of({"A/x.html": "x", "A/y.html": "y"}))
    assert (
        str(caught.value)
        == "course: error[build]: disk full while writing A/y.html — free some space; the previous site was left as it was"
    )
    assert not (tmp_path / "site").exists()
    assert staging_leftovers(tmp_path) == []


# ----------------------------------------------------------------------------------------------
# failures during a real build


MINI = {
    "content/index.md": "# Home\n\n[A](A/index.md)\n",
    "content/A/index.md": "# A\n",
    "content/A/01_x.md": "# X\n\nText.\n",
    "content/A/02_y.md": "# Y\n\nText.\n",
    "content/A/pic.svg": "<svg/>",
}


@pytest.fixture
def built(tmp_path):
    """A course built once into tmp_path/site: (root, out, snapshot of the first site)."""
    root = write_tree(tmp_path / "course", MINI)
    out = tmp_path / "site"
    assert run_build(root, out).written
    return root, out, snapshot(out)


def test_rebuild_replaces_the_site(built):
    root, out, first = built
    (root / "content/A/02_y.md").unlink()
    (root / "content/A/03_z.md").write_text("# Z\n\nText.\n")
    result = run_build(root, out)
    assert formatted(result) == []
    second = snapshot(out)
    assert "A/02_y.html" in first and "A/02_y.html" not in second
    assert "A/03_z.html" in second
    assert staging_leftovers(out.parent) == []


def test_build_failing_midway_leaves_the_previous_site_byte_identical(built, monkeypatch):
    root, out, first = built
    (root / "content/A/01_x.md").write_text("# X changed\n")
    # unchanged files are hard-linked from the old site; the changed page is the one written
    monkeypatch.setattr(
        output, "write_file", failing_after(0, OSError(errno.ENOSPC, "No space left on device"))
    )
    with pytest.raises(OSError):
        run_build(root, out)
    assert snapshot(out) == first
    assert staging_leftovers(out.parent) == []


def test_cli_reports_a_full_disk_with_exit_1_and_keeps_the_site(built, monkeypatch, capsys):
    root, out, first = built
    (root / "content/A/01_x.md").write_text("# X changed\n")
    original = pathlib.Path.write_bytes
    calls = {"n": 0}

    def write_bytes(self, data):
        if ".coursegen-new-" in str(self):
            calls["n"] += 1
            if calls["n"] > 2:
                raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)
    assert main(["build", str(root), "-o", str(out), "-q", "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert "course: error[build]: disk full while writing " in err
    assert "the previous site was left as it was" in err
    assert snapshot(out) == first
    assert staging_leftovers(out.parent) == []


def test_cli_interrupted_build_exits_130_and_keeps_the_site(built, monkeypatch, capsys):
    root, out, first = built
    (root / "content/A/01_x.md").write_text("# X changed\n")
    monkeypatch.setattr(output, "write_file", failing_after(1, KeyboardInterrupt()))
    assert main(["build", str(root), "-o", str(out), "-q", "-j", "1"]) == 130
    assert "interrupted; the previous site was left as it was" in capsys.readouterr().err
    assert snapshot(out) == first
    assert staging_leftovers(out.parent) == []


def test_rebuild_keeps_a_git_checkout_inside_the_site(built):
    root, out, _ = built
    write_tree(out, {".git/HEAD": "ref: refs/heads/gh-pages\n"})
    run_build(root, out)
    assert (out / ".git/HEAD").read_text() == "ref: refs/heads/gh-pages\n"


# ----------------------------------------------------------------------------------------------
# OutputLock


def test_second_lock_on_the_same_output_is_refused(tmp_path):
    out = tmp_path / "site"
    with OutputLock(out):
        with pytest.raises(UsageError) as caught, OutputLock(out):
            pass
        assert caught.value.exit_code == 2
        assert (
            str(caught.value)
            == f"course: error[build]: another coursegen is writing {out} — wait for it to finish, then build again"
        )
    with OutputLock(out):  # released: a later build may write
        pass
    # the lock file stays (deleting it would let a waiting process lock a file that is gone);
    # it is hidden and named after the output folder
    assert [p.name for p in tmp_path.iterdir()] == [".site.coursegen-lock"]


def test_locks_on_different_outputs_do_not_conflict(tmp_path):
    with OutputLock(tmp_path / "site"), OutputLock(tmp_path / "site2"):
        pass


def test_build_while_another_writes_is_refused(built, capsys):
    root, out, first = built
    with OutputLock(out):
        with pytest.raises(UsageError, match="another coursegen is writing"):
            run_build(root, out)
        assert main(["build", str(root), "-o", str(out), "-j", "1"]) == 2
    assert "another coursegen is writing" in capsys.readouterr().err
    assert snapshot(out) == first
    assert staging_leftovers(out.parent) == []


# ----------------------------------------------------------------------------------------------
# sync_site (the preview's in-place update)


def test_sync_site_writes_changes_and_removes_what_is_gone(tmp_path):
    out = tmp_path / "preview"
    digests = sync_site(out, plan_of({"index.html": "v1", "A/x.html": "x"}), {})
    assert snapshot(out) == {MARKER: MARKER_TEXT.encode(), "A/x.html": b"x", "index.html": b"v1"}
    digests = sync_site(out, plan_of({"index.html": "v2", "B/y.html": "y"}), digests)
    assert snapshot(out) == {MARKER: MARKER_TEXT.encode(), "B/y.html": b"y", "index.html": b"v2"}
    assert set(digests) == {"index.html", "B/y.html"}
