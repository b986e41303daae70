"""Shared helpers for coursegen's tests: small courses written into tmp_path, builds, snapshots.

Courses are made from a dict of {path: text or bytes}; notebooks with `notebook_json(...)`, which
uses nbformat with fixed cell ids so that a notebook's bytes never change from run to run.
"""

from __future__ import annotations

import difflib
import filecmp
import os
import shutil
import signal
from collections.abc import Iterable
from pathlib import Path

import nbformat
import pytest

from coursegen.build import BuildOptions, BuildResult, build
from coursegen.errors import Diagnostics
from coursegen.markdown_render import MarkdownRenderer, RenderedMarkdown
from coursegen.model import Course, Page, SourceKind
from coursegen.parse import parse_source
from coursegen.project.stages import build_course_graph, discover_course_sources, load_course_settings

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
REPO = TESTS.parent
UPDATE_GOLDEN = bool(os.environ.get("COURSEGEN_UPDATE_GOLDEN"))

# What a build shows depends on its date (the print pages' cover, solutions released on a day):
# the whole suite, and the builds it starts in other processes, take one day — a site built before
# midnight is compared with one built after it (the CI run of 6 December crossed midnight and a
# test_interrupts snapshot differed by the cover's date). Tests of the date set their own.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1796083200")  # 2026-12-01

# A suite started in the background (`.ci/run &`, `nohup`) inherits Ctrl-C ignored, as a shell's
# background jobs do, and so would every build the tests start: the interrupt tests send it to them
# and wait for them to stop, as a learner's or teacher's terminal would. Taken back here, for all.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

HOME = {"content/index.md": "# Home\n"}


# ----------------------------------------------------------------------------------------------
# writing courses


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` ({'content/A/x.md': 'text', 'content/A/p.png': b'...'}) under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8", newline="")
    return root


@pytest.fixture
def make_course(tmp_path):
    """`make_course({path: text}, name='course')` → the course folder, inside tmp_path.

    A home page is added unless the files give one (pass `home=False` for a course without it).
    """

    def make(files: dict[str, str | bytes], name: str = "course", home: bool = True) -> Path:
        all_files = {**(HOME if home else {}), **files}
        return write_tree(tmp_path / name, all_files)

    return make


def copy_fixture(name: str, dest: Path) -> Path:
    """A fixture course copied out of the repository: builds write a cache into the course folder."""
    source = FIXTURES / name
    target = dest / Path(name).name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("expected", ".coursegen-cache", "site"))
    return target


def notebook_json(*cells, metadata: dict | None = None) -> str:
    """A notebook (nbformat 4.5 JSON). Each cell is a Markdown string starting with '#'/'md:' or a
    tuple ('markdown'|'code', source[, outputs]); other strings are code cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata.update(
        metadata or {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    for index, cell in enumerate(cells):
        if isinstance(cell, str):
            kind = "markdown" if cell.startswith(("#", "md:")) else "code"
            cell = (kind, cell.removeprefix("md:"))
        kind, source, *rest = cell
        if kind == "markdown":
            new = nbformat.v4.new_markdown_cell(source)
        else:
            new = nbformat.v4.new_code_cell(
                source, outputs=rest[0] if rest else [], execution_count=(index + 1) if rest else None
            )
        new.id = f"cell-{index}"
        nb.cells.append(new)
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def stream_output(text: str):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def result_output(text: str, count: int = 1):
    return nbformat.v4.new_output("execute_result", data={"text/plain": text}, execution_count=count)


# ----------------------------------------------------------------------------------------------
# running the pipeline


def run_build(root: Path, out: Path | None = None, **options) -> BuildResult:
    """build() with keyword options (strict=, drafts=, write=, cache=, jobs=).

    One process unless `jobs` says otherwise: starting worker processes costs more than these
    small courses take to render (test_build checks that -j N gives the same site).
    """
    options.setdefault("jobs", 1)
    return build(root, out, BuildOptions(**options))


def formatted(diagnostics: Diagnostics | BuildResult) -> list[str]:
    """Every diagnostic as the user sees it, in the reported order."""
    if isinstance(diagnostics, BuildResult):
        diagnostics = diagnostics.diagnostics
    return [d.format() for d in diagnostics.sorted()]


def load_graph(root: Path, drafts: bool = False) -> tuple[Course, Diagnostics]:
    """The course graph of `root` (config → discover → parse → course graph), nothing rendered;
    a Jupyter Book or MkDocs project is read in place, as `build` reads it."""
    diagnostics = Diagnostics()
    config, spec = load_course_settings(root, diagnostics)
    sources, placed = discover_course_sources(root, spec, diagnostics, ())
    pages = [
        page
        for source in sources
        if source.kind is not SourceKind.ASSET
        if (page := parse_source(source, diagnostics))
    ]
    assets = [source for source in sources if source.kind is SourceKind.ASSET]
    return build_course_graph(placed, pages, assets, diagnostics, config, drafts), diagnostics


def render_markdown_page(root: Path, url: str) -> tuple[RenderedMarkdown, Diagnostics]:
    """The Markdown body of the page at `url`, rendered on the course graph (no theme involved)."""
    course, diagnostics = load_graph(root)
    page = page_at(course, url)
    rendered = MarkdownRenderer(course).render(page, page.body, page.body_first_line, diagnostics)
    return rendered, diagnostics


def page_at(course: Course, url: str) -> Page:
    for page in course.pages:
        if page.url == url:
            return page
    raise AssertionError(f"no page at {url}; pages: {[p.url for p in course.pages]}")


# ----------------------------------------------------------------------------------------------
# comparing folders


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too) → its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def tree(folder: Path) -> list[str]:
    return sorted(snapshot(folder))


def staging_leftovers(parent: Path) -> list[str]:
    return sorted(
        p.name for p in parent.iterdir() if ".coursegen-new-" in p.name or ".coursegen-old-" in p.name
    )


def diff_trees(expected: Path, actual: Path, ignore: Iterable[str] = ()) -> list[str]:
    """Differences between two folders, file by file (filecmp), with a unified diff for text files."""
    ignored = tuple(ignore)

    def files(folder: Path) -> set[str]:
        return {rel for rel in tree(folder) if not rel.startswith(ignored)} if folder.is_dir() else set()

    want, have = files(expected), files(actual)
    problems = [f"missing: {rel}" for rel in sorted(want - have)] + [
        f"unexpected: {rel}" for rel in sorted(have - want)
    ]
    for rel in sorted(want & have):
        if filecmp.cmp(expected / rel, actual / rel, shallow=False):
            continue
        try:
            a = (expected / rel).read_text(encoding="utf-8").splitlines(keepends=True)
            b = (actual / rel).read_text(encoding="utf-8").splitlines(keepends=True)
        except UnicodeDecodeError:
            problems.append(f"differs (binary): {rel}")
            continue
        problems.append(
            f"differs: {rel}\n" + "".join(difflib.unified_diff(a, b, f"expected/{rel}", f"built/{rel}"))
        )
    return problems
