"""Publishing: the workflows `coursegen new` writes, the release workflow, and a build cache that
travels to a fresh clone (another folder, new modification times) and is reused there."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, copy_fixture, run_build, snapshot

from coursegen import __version__
from coursegen.scaffold import create_course
from coursegen.workflows import Install, install_line, running_install

RELEASE_WORKFLOW = REPO / ".github" / "workflows" / "release.yml"
COMMIT = "3f1c2b9d8e7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e"
PYPI = Install(f"coursegen=={__version__}", __version__)


def check_github_workflow(path: Path) -> None:
    """Validate against the GitHub workflow schema that check-jsonschema ships (works offline)."""
    if importlib.util.find_spec("check_jsonschema") is None:
        if os.environ.get("CI"):
            pytest.fail(
                "check-jsonschema is not installed: it is in the test extra (pip install -e '.[test]')"
            )
        pytest.skip("check-jsonschema is not installed (pip install -e '.[test]')")
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"{path} is not a valid GitHub workflow:\n{done.stdout}\n{done.stderr}"


def steps_of(workflow: dict) -> list[dict]:
    return workflow["jobs"]["build"]["steps"]


def step_running(workflow: dict, command: str) -> int:
    """The index of the build job's step whose `run` starts with `command`."""
    return next(i for i, step in enumerate(steps_of(workflow)) if step.get("run", "").startswith(command))


# ----------------------------------------------------------------------------------------------
# the GitHub Pages workflow


def test_github_workflow_pins_this_release_caches_and_checks_first(tmp_path):
    created = create_course(tmp_path / "cours", install=PYPI)
    assert created.warnings == []
    path = tmp_path / "cours" / ".github/workflows/publish.yml"
    check_github_workflow(path)
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = steps_of(workflow)
    install = step_running(workflow, "python -m pip install")
    assert steps[install]["run"] == f'python -m pip install "coursegen=={__version__}"'
    cache = next(i for i, step in enumerate(steps) if step.get("uses", "").startswith("actions/cache@"))
    assert steps[cache]["with"]["path"] == ".coursegen-cache"
    key = steps[cache]["with"]["key"]
    assert (
        key
        == f"coursegen-{__version__}-${{{{ hashFiles('course.yml', 'content/**', 'notebooks/**', 'templates/**', 'static/**') }}}}"
    )
    assert steps[cache]["with"]["restore-keys"].strip() == f"coursegen-{__version__}-"
    check, build = step_running(workflow, "coursegen check"), step_running(workflow, "coursegen build")
    assert steps[check]["run"] == "coursegen check --strict"
    assert install < cache < check < build, "install, restore the cache, check, then build"
    # every night by default: solutions published on a date (solutions: {release: …}) appear by themselves
    assert workflow[True]["schedule"] == [{"cron": "17 3 * * *"}]  # PyYAML reads the key `on` as True
    text = path.read_text(encoding="utf-8")
    upgrade = text.splitlines()[install_line(text) - 3 : install_line(text)]
    assert any("pipx upgrade coursegen" in line for line in upgrade), upgrade


def test_nightly_adds_a_schedule(tmp_path):
    create_course(tmp_path / "cours", host="github", nightly=True, install=PYPI)
    path = tmp_path / "cours" / ".github/workflows/publish.yml"
    check_github_workflow(path)
    on = yaml.safe_load(path.read_text(encoding="utf-8"))[True]
    assert on["schedule"] == [{"cron": "17 3 * * *"}]
    assert on["push"] == {"branches": ["main"]}


def test_no_nightly_builds_only_on_a_push(tmp_path):
    create_course(tmp_path / "cours", host="github", nightly=False, install=PYPI)
    path = tmp_path / "cours" / ".github/workflows/publish.yml"
    check_github_workflow(path)
    assert "schedule" not in yaml.safe_load(path.read_text(encoding="utf-8"))[True]


def test_new_course_ignores_the_instructors_edition(tmp_path):
    create_course(tmp_path / "cours", install=PYPI)
    assert "site-instructor/" in (tmp_path / "cours" / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_a_coursegen_installed_from_git_is_installed_at_that_commit(tmp_path):
    direct_url = json.dumps(
        {
            "url": "https://ci-bot:s3cret@github.com/jdupont/coursegen.git",
            "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "main"},
        }
    )
    install = running_install(direct_url, __version__)
    assert (
        install.requirement == f"coursegen @ git+https://github.com/jdupont/coursegen.git@{COMMIT}"
    )  # no credentials in a pushed file
    assert install.cache_tag == f"{__version__}-{COMMIT[:12]}"
    created = create_course(tmp_path / "cours", install=install)
    assert created.warnings == []
    path = tmp_path / "cours" / ".github/workflows/publish.yml"
    check_github_workflow(path)
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert (
        steps_of(workflow)[step_running(workflow, "python -m pip install")]["run"]
        == f'python -m pip install "{install.requirement}"'
    )
    create_course(tmp_path / "gitlab", host="gitlab", install=install)
    pages = yaml.safe_load((tmp_path / "gitlab" / ".gitlab-ci.yml").read_text(encoding="utf-8"))["pages"]
    assert (
        pages["image"] == "python:3.12"
    )  # with git, which pip needs for a git URL (the slim image has none)
    assert pages["script"][0] == f'python -m pip install "{install.requirement}"'
    assert pages["cache"]["key"] == f"coursegen-{install.cache_tag}"
    subdirectory = running_install(
        json.dumps(
            {
                "url": "ssh://git@gitlab.com/team/tools.git",
                "vcs_info": {"vcs": "git", "commit_id": COMMIT},
                "subdirectory": "coursegen",
            }
        ),
        __version__,
    )
    assert (
        subdirectory.requirement
        == f"coursegen @ git+ssh://git@gitlab.com/team/tools.git@{COMMIT}#subdirectory=coursegen"
    )


@pytest.mark.parametrize(
    "direct_url, version, origin",
    [
        (
            {"url": "file:///home/jeanne/src/coursegen", "dir_info": {"editable": True}},
            __version__,
            "an editable checkout (/home/jeanne/src/coursegen)",
        ),
        (
            {"url": "file:///home/jeanne/src/coursegen", "dir_info": {}},
            __version__,
            "a local folder (/home/jeanne/src/coursegen)",
        ),
        (
            {
                "url": "file:///tmp/dist/coursegen-0.1.0-py3-none-any.whl",
                "archive_info": {"hashes": {"sha256": "00"}},
            },
            __version__,
            "a local file (/tmp/dist/coursegen-0.1.0-py3-none-any.whl)",
        ),
        (
            {"url": "file:///home/jeanne/src/coursegen", "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
            __version__,
            "a local repository (/home/jeanne/src/coursegen)",
        ),
        (
            {"url": "file:///home/jeanne/Mes%20cours/coursegen-0.1.0.tar.gz", "archive_info": {}},
            __version__,
            "a local file (/home/jeanne/Mes cours/coursegen-0.1.0.tar.gz)",
        ),
        (None, "", "a source tree (not an installed package)"),
    ],
)
def test_a_local_coursegen_gets_the_release_and_a_warning_naming_the_line(
    tmp_path, direct_url, version, origin
):
    install = running_install(json.dumps(direct_url) if direct_url else None, version)
    assert (install.requirement, install.local_origin) == (f"coursegen=={__version__}", origin)
    created = create_course(tmp_path / "cours", install=install)
    [warning] = created.warnings
    text = (tmp_path / "cours" / ".github/workflows/publish.yml").read_text(encoding="utf-8")
    line = next(
        n for n, line in enumerate(text.splitlines(), 1) if f'pip install "coursegen=={__version__}"' in line
    )
    assert warning == (
        f".github/workflows/publish.yml:{line}: warning: coursegen was installed from {origin}, which CI cannot reach: "
        f"this line installs the release coursegen=={__version__} — change it if that version is not published "
        '(e.g. to "coursegen @ git+https://…@COMMIT")'
    )


def test_a_release_from_the_package_index_needs_no_warning():
    assert running_install(None, __version__) == PYPI
    assert (
        running_install("{not json", __version__) == PYPI
    )  # a damaged record: the release, as for no record


def test_an_archive_on_a_web_server_is_installed_from_there():
    url = "https://files.example.org/coursegen/coursegen-0.1.0-py3-none-any.whl"
    install = running_install(
        json.dumps({"url": url, "archive_info": {"hashes": {"sha256": "ab"}}}), __version__
    )
    assert (install.requirement, install.local_origin) == (f"coursegen @ {url}", "")


# ----------------------------------------------------------------------------------------------
# the GitLab Pages pipeline


@pytest.mark.parametrize("nightly", [False, True])
def test_gitlab_pipeline_builds_public_with_the_cache(tmp_path, nightly):
    created = create_course(tmp_path / "cours", host="gitlab", nightly=nightly, install=PYPI)
    root = tmp_path / "cours"
    assert created.workflow == ".gitlab-ci.yml" and not (root / ".github").exists()
    pipeline = yaml.safe_load((root / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert list(pipeline) == ["pages"]
    pages = pipeline["pages"]
    assert pages["image"] == "python:3.12-slim"
    assert pages["script"] == [
        f'python -m pip install "coursegen=={__version__}"',
        "coursegen check --strict",
        "coursegen build --strict -o public",
    ]
    assert pages["artifacts"] == {"paths": ["public"]}
    assert pages["cache"] == {"key": f"coursegen-{__version__}", "paths": [".coursegen-cache/"]}
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert ("Pipeline schedules" in (root / ".gitlab-ci.yml").read_text(encoding="utf-8")) is nightly
    assert "public/" in (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    # the job's build command works in the course as written
    result = run_build(root, root / "public", strict=True)
    assert result.written and result.diagnostics.problems == []


# ----------------------------------------------------------------------------------------------
# the release workflow


def test_release_workflow_is_valid_and_publishes_with_trusted_publishing():
    check_github_workflow(RELEASE_WORKFLOW)
    workflow = yaml.safe_load(RELEASE_WORKFLOW.read_text(encoding="utf-8"))
    assert workflow[True] == {"push": {"tags": ["v*"]}}
    jobs = workflow["jobs"]
    assert jobs["build"]["needs"] == "test" and jobs["publish"]["needs"] == "build"
    assert any(step.get("run") == "bash .ci/run" for step in jobs["test"]["steps"])
    build_commands = "\n".join(step.get("run", "") for step in jobs["build"]["steps"])
    assert "python -m build" in build_commands and "twine check --strict dist/*" in build_commands
    publish = jobs["publish"]
    assert publish["environment"]["name"] == "pypi"
    assert publish["permissions"] == {"id-token": "write"}
    assert workflow["permissions"] == {"contents": "read"}  # the token is given to the publishing job only
    assert publish["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")


def run_release_check(tag: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / ".ci" / "release_check.py"), tag],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_release_check_accepts_the_tag_of_this_version():
    done = run_release_check(f"v{__version__}")
    assert (done.returncode, done.stderr) == (0, "")


def test_release_check_refuses_another_tag():
    done = run_release_check("v99.0.0")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"error: the tag v99.0.0 does not name the version in src/coursegen/__init__.py ({__version__}): tag v{__version__}, or change __version__"
    ]


def test_changelog_has_unreleased_and_this_version():
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", changelog, re.MULTILINE)
    assert headings[0] == "[Unreleased]"
    assert re.fullmatch(rf"\[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}", headings[1]), headings


# ----------------------------------------------------------------------------------------------
# the cache travels


def fresh_copy(source: Path, dest: Path) -> Path:
    """Copy a folder without its times or inodes, as a fresh clone and a restored cache give."""
    return Path(
        shutil.copytree(
            source, dest, copy_function=shutil.copyfile, ignore=shutil.ignore_patterns("site", "trash")
        )
    )


def test_a_restored_cache_is_reused_in_a_fresh_clone(tmp_path):
    """CI restores .coursegen-cache/ into a new checkout: another absolute path, new modification
    times and inodes, no site/. Every page body must come from the cache all the same."""
    course = copy_fixture("mini", tmp_path / "first")
    rendered: list[str] = []

    def progress(name: str, done: int, total: int) -> None:
        if name != "(cached)":
            rendered.append(name)

    first = run_build(course, progress=progress)
    assert first.written and rendered, "the first build renders every body"
    assert any(rel.endswith(".ipynb") for rel in rendered), "the fixture has a notebook"
    clone = fresh_copy(course, tmp_path / "ci" / "checkout" / "mini")
    assert (clone / ".coursegen-cache").is_dir() and not (clone / "site").exists()
    assert (
        os.stat(clone / "content" / "index.md").st_mtime_ns
        != os.stat(course / "content" / "index.md").st_mtime_ns
    )

    rendered.clear()
    again = run_build(clone, progress=progress)
    assert again.written and again.diagnostics.items == first.diagnostics.items
    assert rendered == [], f"bodies rendered again in the clone: {rendered}"
    assert snapshot(clone / "site") == snapshot(course / "site")


# ----------------------------------------------------------------------------------------------
# what CI runs


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    marker = next(
        i for i, line in enumerate(readme) if line.startswith("# 2. install and run the whole test suite")
    )
    ci = [
        line
        for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith(("#", "set ", "cd ", "export "))
    ]
    assert ci == [readme[marker + 1]]
