"""The sdist and wheel as a user gets them from `pip install coursegen`: they pass `twine check`, the wheel
is built from the sdist (so the sdist holds everything it needs), it carries the built-in theme, and once
installed in a fresh virtual environment it makes a course whose workflow pins this version, and builds it.

The theme is the repository's top-level templates/ and static/, shipped as coursegen/theme/ by hatchling's
force-include (pyproject.toml). In the editable checkout coursegen finds the theme at the repository's top
level, so only a wheel installed in a fresh virtual environment shows whether it really ships.

Needs the package registry for hatchling (build isolation) and coursegen's dependencies; pip's cache is used.
"""

from __future__ import annotations

import email
import importlib.util
import os
import shlex
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

from coursegen import __version__

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
THEME_DIRS = ("templates", "static")


def run(cmd: list, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run a command outside this checkout's environment; fail with everything it printed."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
    }
    shown = shlex.join(str(part) for part in cmd)
    try:
        proc = subprocess.run(
            [str(part) for part in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as expired:
        pytest.fail(
            f"`{shown}` (in {cwd}) did not finish in {timeout} s\n--- stdout ---\n{expired.stdout}\n--- stderr ---\n{expired.stderr}",
            pytrace=False,
        )
    if proc.returncode != 0:
        pytest.fail(
            f"`{shown}` (in {cwd}) exited with {proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}",
            pytrace=False,
        )
    return proc


def theme_files() -> dict[str, Path]:
    """The repository's theme files, by their path inside the wheel."""
    files = {}
    for folder in THEME_DIRS:
        for path in sorted((REPO / folder).rglob("*")):
            rel = path.relative_to(REPO)
            if path.is_file() and not any(part.startswith((".", "_")) for part in rel.parts):
                files[f"coursegen/theme/{rel.as_posix()}"] = path
    return files


def needs(module: str) -> None:
    """A tool of the test extra: CI must have it; a local run without it skips."""
    if importlib.util.find_spec(module) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{module} is not installed: it is in the test extra (pip install -e '.[test]')")
        pytest.skip(f"{module} is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    """`python -m build`, as the release workflow runs it: the sdist, then the wheel built FROM the sdist."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", out, REPO], cwd=REPO)
    found = {"sdist": list(out.glob("coursegen-*.tar.gz")), "wheel": list(out.glob("coursegen-*.whl"))}
    assert all(len(files) == 1 for files in found.values()), (
        f"expected one sdist and one wheel in {out}, found {found}"
    )
    return {kind: files[0] for kind, files in found.items()}


@pytest.fixture(scope="module")
def wheel(dists) -> Path:
    return dists["wheel"]


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed (not editable), and nothing of this checkout."""
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    run([sys.executable, "-m", "venv", env_dir], cwd=env_dir.parent, timeout=300)
    run([env_dir / "bin" / "python", "-m", "pip", "install", wheel], cwd=env_dir.parent)
    return env_dir


def test_twine_check_passes(dists):
    needs("twine")
    done = run([sys.executable, "-m", "twine", "check", "--strict", dists["sdist"], dists["wheel"]], cwd=REPO)
    assert done.stdout.count("PASSED") == 2, done.stdout


def test_sdist_holds_what_the_wheel_is_built_from_and_nothing_else(dists):
    with tarfile.open(dists["sdist"]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    top = {name.split("/")[0] for name in names}
    assert top == {
        "src",
        "templates",
        "static",
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "pyproject.toml",
        "PKG-INFO",
        ".gitignore",
    }, top
    tracked = subprocess.run(
        ["git", "-C", REPO, "ls-files", "src", "templates", "static"], capture_output=True, text=True
    ).stdout.split()
    if tracked:  # a git checkout: every tracked file of the package and the theme is in the sdist
        assert not set(tracked) - names, f"missing from the sdist: {sorted(set(tracked) - names)}"


def test_wheel_metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        info = f"coursegen-{__version__}.dist-info"
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
        assert archive.read(f"{info}/licenses/LICENSE") == (REPO / "LICENSE").read_bytes()
    assert (metadata["Name"], metadata["Version"], metadata["License-Expression"]) == (
        "coursegen",
        __version__,
        "MIT",
    )
    assert metadata["Requires-Python"] == ">=3.10"
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert "Intended Audience :: Education" in metadata.get_all("Classifier")
    assert metadata.get_payload().startswith("# coursegen")


def test_wheel_ships_the_theme(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "coursegen/theme/templates/base.html" in names, f"no theme in the wheel: {sorted(names)}"
        expected = theme_files()
        assert expected, "the repository has no templates/ or static/"
        missing = sorted(set(expected) - names)
        assert not missing, f"theme files missing from the wheel: {missing}"
        stale = [name for name, path in expected.items() if archive.read(name) != path.read_bytes()]
        assert not stale, f"theme files in the wheel differ from the repository: {stale}"
        assert not [
            n for n in names if n.startswith(("content/", "notebooks/", "tests/", "templates/", "static/"))
        ], "the wheel must hold the theme under coursegen/theme/ only, not the example course or the tests"


def test_installed_package_uses_its_own_theme(venv):
    code = "import coursegen, coursegen.theme as t; print(coursegen.__file__); print(t.builtin_theme_dir())"
    package_file, theme_dir = run([venv / "bin" / "python", "-c", code], cwd=venv.parent).stdout.split()
    assert Path(package_file).is_relative_to(venv), (
        f"coursegen was imported from {package_file}, not from the fresh venv"
    )
    assert Path(theme_dir).resolve() == Path(package_file).resolve().parent / "theme", (
        f"the theme was found in {theme_dir}"
    )
    assert (Path(theme_dir) / "templates" / "base.html").is_file()


def test_installed_wheel_makes_a_course_whose_workflow_pins_this_version(venv, wheel, tmp_path):
    made = run([venv / "bin" / "coursegen", "new", "mon-cours"], cwd=tmp_path, timeout=120)
    assert (
        made.stdout.splitlines()[0]
        == "Created a new course in mon-cours. Next: cd mon-cours && coursegen build"
    )
    workflow_path = tmp_path / "mon-cours" / ".github" / "workflows" / "publish.yml"
    text = workflow_path.read_text(encoding="utf-8")
    [line] = [n for n, line in enumerate(text.splitlines(), 1) if "pip install" in line]
    assert text.splitlines()[line - 1].strip() == f'run: python -m pip install "coursegen=={__version__}"'
    # installed from a wheel file on this machine: the release is pinned, and the line is named
    assert made.stderr.startswith(
        f".github/workflows/publish.yml:{line}: warning: coursegen was installed from a local file ({wheel.resolve()}), "
    ), made.stderr
    steps = yaml.safe_load(text)["jobs"]["build"]["steps"]
    assert any(
        step.get("uses", "").startswith("actions/cache@") and step["with"]["path"] == ".coursegen-cache"
        for step in steps
    )
    needs("check_jsonschema")
    run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            workflow_path,
        ],
        cwd=tmp_path,
        timeout=120,
    )


def test_installed_wheel_builds_a_new_course(venv, tmp_path):
    coursegen = venv / "bin" / "coursegen"
    course = tmp_path / "mon-cours"
    run([coursegen, "new", course], cwd=tmp_path, timeout=120)
    module_dir = next(d for d in sorted((course / "content").iterdir()) if d.is_dir())
    built = run(
        [coursegen, "build"], cwd=module_dir, timeout=300
    )  # from a folder inside the course, like git
    assert built.stderr.splitlines()[0] == f"Course: {course} (found from content/{module_dir.name})"
    assert not (module_dir / "site").exists()

    site = course / "site"
    modules = [d.name for d in (course / "content").iterdir() if d.is_dir()]
    assert modules, "`coursegen new` wrote no module"
    lessons = list((course / "content" / modules[0]).glob("[!_.]*.md"))
    lessons = [p for p in lessons if p.name not in ("index.md", "README.md")]
    assert lessons, "`coursegen new` wrote no lesson"
    for page in ["index.html", f"{modules[0]}/index.html", f"{modules[0]}/{lessons[0].stem}.html"]:
        assert (site / page).is_file(), (
            f"{page} missing; the site has {sorted(str(p.relative_to(site)) for p in site.rglob('*'))}"
        )
    module_page = (site / modules[0] / "index.html").read_text(encoding="utf-8")
    assert f'href="{lessons[0].stem}.html"' in module_page, "the module page links its lesson"
    assert 'href="../static/coursegen.css"' in module_page

    installed_theme = Path(
        run(
            [venv / "bin" / "python", "-c", "import coursegen.theme as t; print(t.builtin_theme_dir())"],
            cwd=tmp_path,
        ).stdout.strip()
    )
    css = (site / "static" / "coursegen.css").read_text(encoding="utf-8")
    theme_css = (installed_theme / "static" / "coursegen.css").read_text(encoding="utf-8").rstrip("\n")
    # the installed theme's stylesheet, its dark rules also scoped for the learner's theme switch, then Pygments' colours
    from coursegen.stylesheet import with_theme_choice

    assert css.startswith(with_theme_choice(theme_css)), (
        "static/coursegen.css does not start with the theme's stylesheet"
    )
    appended = css[len(theme_css) :]
    assert ".highlight .k " in appended and ".highlight .c " in appended, (
        "the build did not append Pygments' .highlight rules"
    )
    js = site / "static" / "coursegen.js"
    assert js.is_file() and js.read_bytes() == (installed_theme / "static" / "coursegen.js").read_bytes()
