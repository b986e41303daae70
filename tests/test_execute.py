"""Notebook execution (opt-in) with the real python3 kernel: modes, timeouts, errors, isolation,
missing kernels, no orphan kernel processes, and the execution cache.

Every kernel started here inherits a marker in its environment, so that the orphan check only looks
at kernels of this test (other test runs on the machine may have their own).
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from conftest import formatted, notebook_json, result_output, run_build, snapshot, stream_output, write_tree

from coursegen.cache import CACHE_DIR
from coursegen.cli import main

pytest.importorskip("ipykernel")

v4 = nbformat.v4
MARKER = "COURSEGEN_TEST_KERNEL_MARKER"


# ----------------------------------------------------------------------------------------------
# kernel processes


def kernel_processes(marker: str | None = None) -> set[int]:
    """Pids whose command line runs ipykernel_launcher (only those carrying `marker` in their
    environment, when given). Zombies have an empty command line and don't count."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if b"ipykernel_launcher" not in (entry / "cmdline").read_bytes():
                continue
            if marker is not None and marker.encode() not in (entry / "environ").read_bytes():
                continue
        except OSError:  # gone meanwhile, or not ours
            continue
        pids.add(int(entry.name))
    return pids


def is_running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead, only not reaped yet


@pytest.fixture(autouse=True)
def no_orphan_kernels(monkeypatch):
    """Kernels started during the test (marked through the environment) are all gone at its end."""
    marker = uuid.uuid4().hex
    monkeypatch.setenv(MARKER, marker)
    assert kernel_processes(marker) == set()
    yield marker
    deadline = time.monotonic() + 5  # a kernel asked to shut down may take a moment to exit
    while kernel_processes(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert kernel_processes(marker) == set(), "kernel processes left running after the build"


def pid_cell(log: Path) -> str:
    """A cell recording the kernel's pid (and the test's marker) in `log`, outside the course."""
    return f"import os\nwith open({str(log)!r}, 'a') as f:\n    f.write(f\"{{os.getpid()}} {{os.environ.get({MARKER!r})}}\\n\")"


def kernel_pids(log: Path, marker: str) -> list[int]:
    lines = log.read_text().split() if log.exists() else []
    pairs = list(zip(lines[::2], lines[1::2]))
    assert pairs and all(seen == marker for _, seen in pairs), (
        f"the kernel ran with this test's marker: {pairs}"
    )
    return [int(pid) for pid, _ in pairs]


def append_cell(log: Path, word: str) -> str:
    """A cell that appends `word` to `log` (an absolute path outside the course): counts executions."""
    return f"with open({str(log)!r}, 'a') as f:\n    f.write({word!r} + '\\n')\nprint('ran {word}')"


def runs(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def text_of(page: str) -> str:
    return (
        re.sub(r"<[^>]+>", "", page)
        .replace("&#39;", "'")
        .replace("&quot;", '"')
        .replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace("&amp;", "&")
    )


def read(root: Path, url: str) -> str:
    return (root / "site" / url).read_text(encoding="utf-8")


def errors(result) -> list[str]:
    return [line for line in formatted(result) if ": error[" in line]


def warnings(result) -> list[str]:
    return [line for line in formatted(result) if ": warning[" in line]


KEPT = "its page shows the outputs saved in the notebook"


# ----------------------------------------------------------------------------------------------
# switching execution on


def test_execute_option_on_the_command_line(make_course, tmp_path, no_orphan_kernels):
    log = tmp_path / "pids.log"
    text = notebook_json("# Run me", pid_cell(log), "print(6 * 7)")
    root = make_course({"notebooks/A/run.ipynb": text})
    assert main(["build", str(root), "-q", "-j", "1"]) == 0
    assert "<pre>42\n</pre>" not in read(root, "A/notebooks/run.html"), "never executed by default"
    assert not log.exists()

    assert main(["build", str(root), "--execute", "-q", "-j", "1"]) == 0
    assert "<pre>42\n</pre>" in read(root, "A/notebooks/run.html")
    [pid] = kernel_pids(log, no_orphan_kernels)
    assert not is_running(pid), "the kernel was shut down"
    # results are cached; the course's notebook and its download copy stay as written
    assert len(list((root / CACHE_DIR / "executed").glob("*.json"))) == 1
    assert (root / "notebooks/A/run.ipynb").read_text(encoding="utf-8") == text
    assert (root / "site/A/notebooks/run.ipynb").read_text(encoding="utf-8") == text


def test_build_option_execute_replaces_stored_outputs(make_course):
    text = notebook_json("# Stale", ("code", "print('fresh ' + 'output')", [stream_output("stale output\n")]))
    root = make_course({"notebooks/A/stale.ipynb": text})
    run_build(root)
    assert "stale output" in read(root, "A/notebooks/stale.html")
    result = run_build(root, execute=True)  # BuildOptions(execute=True)
    assert not result.diagnostics.problems, formatted(result)
    page = read(root, "A/notebooks/stale.html")
    assert "<pre>fresh output\n</pre>" in page and "stale output" not in page


def test_execute_never_auto_always(make_course, tmp_path):
    log = tmp_path / "runs.log"
    fresh = notebook_json("# Fresh", append_cell(log, "fresh"))
    stored = notebook_json(
        "# Stored", ("code", append_cell(log, "stored"), [stream_output("stored output\n")])
    )
    files = {"notebooks/A/fresh.ipynb": fresh, "notebooks/A/stored.ipynb": stored}

    root = make_course({**files, "course.yml": "notebooks:\n  execute: never\n"})
    run_build(root)
    assert runs(log) == []
    assert "stored output" in read(root, "A/notebooks/stored.html")

    (root / "course.yml").write_text("notebooks:\n  execute: auto\n", encoding="utf-8")
    result = run_build(root)
    assert not result.diagnostics.problems, formatted(result)
    assert runs(log) == ["fresh"], "auto runs only the notebook without outputs"
    assert "<pre>ran fresh\n</pre>" in read(root, "A/notebooks/fresh.html")
    assert "stored output" in read(root, "A/notebooks/stored.html")

    (root / "course.yml").write_text("notebooks:\n  execute: always\n", encoding="utf-8")
    result = run_build(root)
    assert not result.diagnostics.problems, formatted(result)
    assert runs(log) == ["fresh", "stored"], (
        "always runs the other one too (the first one's results are cached)"
    )
    page = read(root, "A/notebooks/stored.html")
    assert "<pre>ran stored\n</pre>" in page and "stored output" not in page


# ----------------------------------------------------------------------------------------------
# bounded: per-cell and whole-notebook timeouts, missing kernels


def test_cell_timeout(make_course, tmp_path, no_orphan_kernels):
    log = tmp_path / "pids.log"
    root = make_course(
        {
            "course.yml": "notebooks:\n  execute: auto\n  timeout: 2\n",
            "notebooks/A/slow.ipynb": notebook_json(
                "# Slow", pid_cell(log), "import time\ntime.sleep(30)", "print('never')"
            ),
            "notebooks/A/other.ipynb": notebook_json(
                "# Other", ("code", "1 + 1", [stream_output("stored\n")])
            ),
        }
    )
    result = run_build(root)
    assert formatted(result) == [
        f"notebooks/A/slow.ipynb: warning[execution]: cell 3 (`import time`) ran longer than 2 s; {KEPT} — make it faster or raise notebooks.timeout in course.yml"
    ]
    page = read(root, "A/notebooks/slow.html")
    assert "could not be rendered" not in page and "time.sleep(30)" in text_of(page), (
        "the notebook's page, with what it stores"
    )
    assert "stored" in read(root, "A/notebooks/other.html"), "the other notebooks are still built"
    [pid] = kernel_pids(log, no_orphan_kernels)
    assert not is_running(pid), "the timed-out kernel was shut down"


@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
def test_notebook_timeout(make_course, tmp_path, no_orphan_kernels):
    log = tmp_path / "pids.log"
    cells = [pid_cell(log)] + ["import time\ntime.sleep(1)"] * 8  # no cell is too long, the whole is
    root = make_course(
        {
            "course.yml": "notebooks:\n  timeout: 10\n  notebook_timeout: 2\n",
            "notebooks/A/long.ipynb": notebook_json("# Long", *cells),
        }
    )
    result = run_build(root, execute=True)
    [pid] = kernel_pids(log, no_orphan_kernels)
    assert not is_running(pid)
    assert len(errors(result)) == 1, formatted(result)  # --execute: a run that fails is an error
    [message] = errors(result)
    # the budget counts the kernel's start: where it stops depends on the machine
    assert re.fullmatch(
        rf"notebooks/A/long\.ipynb: error\[execution\]: it ran longer than 2 s \(stopped in (cell [2-9] \(`[^`]+`\)|a cell)\); {KEPT} — raise notebooks\.notebook_timeout in course\.yml",
        message,
    ), message


def test_missing_kernel_names_the_installed_ones_and_keeps_the_stored_outputs(make_course):
    from coursegen.kernels import installed_kernels

    metadata = {"kernelspec": {"name": "julia-1.9", "display_name": "Julia 1.9.3", "language": "julia"}}
    root = make_course(
        {
            "notebooks/A/k.ipynb": notebook_json(
                "# Kernel", ("code", "1 + 1", [result_output("2")]), metadata=metadata
            )
        }
    )
    started = time.perf_counter()
    result = run_build(root, execute=True)
    assert time.perf_counter() - started < 10
    installed = ", ".join(installed_kernels())
    assert "python3" in installed
    assert errors(result) == [
        f"notebooks/A/k.ipynb: error[execution]: kernel 'julia-1.9' (the notebook's kernelspec) is not installed; {KEPT} — installed kernels: {installed}; "
        "choose one with notebooks.kernel in course.yml (every notebook) or metadata.coursegen.kernel (this notebook), or install 'julia-1.9'"
    ]
    page = read(root, "A/notebooks/k.html")
    assert "could not be rendered" not in page and "<pre>2</pre>" in page, (
        "the stored output stays on the page"
    )
    assert main(["build", str(root), "--execute", "-q", "-j", "1"]) == 1, (
        "asked for with --execute: the build fails"
    )


def test_kernel_named_in_course_yml_that_is_missing(make_course):
    from coursegen.kernels import installed_kernels

    root = make_course(
        {
            "course.yml": "title: Cours\nnotebooks:\n  execute: always\n  kernel: cours-nlp\n",
            "notebooks/A/k.ipynb": notebook_json("# Kernel", "1 + 1"),
        }
    )
    result = run_build(root)
    assert formatted(result) == [
        f"notebooks/A/k.ipynb: warning[execution]: kernel 'cours-nlp' (notebooks.kernel in course.yml, line 4) is not installed; {KEPT} — "
        f"installed kernels: {', '.join(installed_kernels())}; set notebooks.kernel to one of them, or install 'cours-nlp'"
    ]
    assert main(["build", str(root), "-q", "-j", "1"]) == 0, "asked for by course.yml: a warning"


# ----------------------------------------------------------------------------------------------
# errors in cells


RAISED = f"cell 1 (`1 / 0`) raised ZeroDivisionError: division by zero; {KEPT} — tag the cell `raises-exception` if the error is on purpose, or set allow_errors"


def error_notebook(allow: bool | None = None, tag: bool = False) -> str:
    metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    if allow is not None:
        metadata["coursegen"] = {"allow_errors": allow}
    nb = v4.new_notebook(metadata=metadata)
    failing = v4.new_code_cell("1 / 0")
    if tag:
        failing.metadata["tags"] = ["raises-exception"]
    nb.cells = [failing, v4.new_code_cell("print('after the error')")]
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"
    return nbformat.writes(nb)


def assert_traceback_shown(page: str) -> None:
    assert 'data-mime-type="application/vnd.jupyter.stderr"' in page
    assert re.search(r'<span class="ansi-red-fg">ZeroDivisionError</span>', page)
    assert "\x1b[" not in page
    assert "<pre>after the error\n</pre>" in page, "the following cells still run"


def assert_stored_outputs_shown(page: str) -> None:
    """The page of a notebook whose run failed: its cells as saved (here: without outputs)."""
    assert "could not be rendered" not in page
    assert "1</span> <span class=\"o\">/</span> <span class=\"mi\">0" in page, "the code is shown"
    assert "ZeroDivisionError" not in page and "after the error" in page, "no output of the failed run"


def test_errors_fail_unless_allowed_by_notebook_or_tag(make_course):
    root = make_course(
        {
            "notebooks/A/allowed.ipynb": error_notebook(allow=True),
            "notebooks/A/plain.ipynb": error_notebook(),
            "notebooks/A/tagged.ipynb": error_notebook(tag=True),
        },
        name="default",
    )
    result = run_build(root, execute=True)
    assert errors(result) == [f"notebooks/A/plain.ipynb: error[execution]: {RAISED}"]
    assert_stored_outputs_shown(read(root, "A/notebooks/plain.html"))
    assert_traceback_shown(read(root, "A/notebooks/allowed.html"))  # metadata.coursegen.allow_errors: true
    assert_traceback_shown(read(root, "A/notebooks/tagged.html"))  # the raises-exception tag


def test_course_wide_allow_errors_with_a_notebook_that_refuses(make_course):
    root = make_course(
        {
            "course.yml": "notebooks:\n  allow_errors: true\n",
            "notebooks/A/plain.ipynb": error_notebook(),
            "notebooks/A/strict.ipynb": error_notebook(allow=False),
        },
        name="allowing",
    )
    result = run_build(root, execute=True)
    assert errors(result) == [f"notebooks/A/strict.ipynb: error[execution]: {RAISED}"]
    assert_traceback_shown(read(root, "A/notebooks/plain.html"))
    assert_stored_outputs_shown(read(root, "A/notebooks/strict.html"))


# ----------------------------------------------------------------------------------------------
# isolation


def test_runs_in_a_temporary_copy_of_its_folder(make_course, tmp_path):
    log = tmp_path / "cwd.log"
    cells = (
        "# Files",
        "print(open('data.csv').read())",
        "import os\nopen('made_by_the_notebook.txt', 'w').write('x')\nos.makedirs('out/figures', exist_ok=True)\nopen('../escaped.txt', 'w').write('y')\nprint('cwd=' + os.getcwd())",
        f"open({str(log)!r}, 'w').write(os.getcwd())",
    )
    root = make_course(
        {
            "notebooks/A/files.ipynb": notebook_json(*cells),
            "notebooks/A/data.csv": "city,population\nLyon,522250\n",
        }
    )
    before = snapshot(root)
    result = run_build(root, execute=True)
    assert not result.diagnostics.problems, formatted(result)
    page = read(root, "A/notebooks/files.html")
    assert "<pre>city,population\nLyon,522250\n\n</pre>" in page, (
        "the data file beside the notebook is readable"
    )
    built = ("site/", ".site.", CACHE_DIR + "/")  # the site, its lock file and the build cache
    after = {rel: data for rel, data in snapshot(root).items() if not rel.startswith(built)}
    assert after == before, "executing wrote nothing into the course"
    assert "<pre>cwd=notebooks/A\n</pre>" in page, (
        "the copy's path is shown as the notebook's folder in the course"
    )
    cwd = Path(log.read_text())
    assert cwd.is_absolute() and not cwd.resolve().is_relative_to(root.resolve())
    assert not cwd.exists(), "the temporary copy is removed after the run"


# ----------------------------------------------------------------------------------------------
# the execution cache


def test_results_are_cached_by_code(make_course, tmp_path):
    log = tmp_path / "runs.log"

    def notebook(intro: str, value: int) -> str:
        return notebook_json(f"# Cached\n\n{intro}", append_cell(log, "run"), f"print({value} * 2)")

    root = make_course(
        {"course.yml": "notebooks:\n  execute: always\n", "notebooks/A/c.ipynb": notebook("First words.", 21)}
    )
    run_build(root)
    assert runs(log) == ["run"]
    assert "<pre>42\n</pre>" in read(root, "A/notebooks/c.html")
    assert len(list((root / CACHE_DIR / "executed").glob("*.json"))) == 1

    run_build(root)
    assert runs(log) == ["run"], "a second build does not execute again"

    (root / "notebooks/A/c.ipynb").write_text(
        notebook("Other words in a Markdown cell.", 21), encoding="utf-8"
    )
    run_build(root)
    assert runs(log) == ["run"], "editing a Markdown cell does not execute again"
    page = read(root, "A/notebooks/c.html")
    assert "Other words in a Markdown cell." in page and "<pre>42\n</pre>" in page

    (root / "notebooks/A/c.ipynb").write_text(
        notebook("Other words in a Markdown cell.", 50), encoding="utf-8"
    )
    run_build(root)
    assert runs(log) == ["run", "run"], "editing a code cell executes again"
    assert "<pre>100\n</pre>" in read(root, "A/notebooks/c.html")
    assert len(list((root / CACHE_DIR / "executed").glob("*.json"))) == 2

    # the cached results are plain JSON outputs, per code cell
    entries = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in (root / CACHE_DIR / "executed").glob("*.json")
    ]
    assert all(isinstance(entry, list) and len(entry) == 2 for entry in entries)


# ----------------------------------------------------------------------------------------------
# a run that fails: the stored outputs stay, the next build tries again


def test_failed_run_keeps_the_stored_outputs_and_is_tried_again(make_course, tmp_path):
    log = tmp_path / "runs.log"
    cells = (
        "# Ventes du trimestre",
        append_cell(log, "run"),
        ("code", "ventes = [int(ligne) for ligne in open('donnees/ventes.csv')]", []),
        ("code", "print('total :', sum(ventes))", [stream_output("total : 120\n")]),
    )
    root = make_course(
        {"course.yml": "notebooks:\n  execute: always\n", "notebooks/A/ventes.ipynb": notebook_json(*cells)}
    )
    message = (
        "notebooks/A/ventes.ipynb: warning[execution]: cell 3 (`ventes = [int(ligne) for ligne in open('donnees/ventes.csv'…`) raised FileNotFoundError: "
        f"[Errno 2] No such file or directory: 'donnees/ventes.csv'; {KEPT} — tag the cell `raises-exception` if the error is on purpose, or set allow_errors"
    )
    result = run_build(root)
    assert formatted(result) == [message], "asked for by course.yml: a warning"
    page = read(root, "A/notebooks/ventes.html")
    assert "<pre>total : 120\n</pre>" in page and "could not be rendered" not in page
    assert "FileNotFoundError" not in page, "nothing of the failed run on the page"
    assert runs(log) == ["run"]
    assert not list((root / CACHE_DIR / "executed").glob("*.json")), "a failed run is not cached"

    # asked for on the command line: an error (exit 1), and the site is still written
    assert main(["build", str(root), "--execute", "-q", "-j", "1"]) == 1
    assert runs(log) == ["run", "run"], "the failed run was not taken from a cache"
    assert "<pre>total : 120\n</pre>" in read(root, "A/notebooks/ventes.html")

    write_tree(root, {"notebooks/A/donnees/ventes.csv": "70\n50\n"})
    assert main(["build", str(root), "-q", "-j", "1"]) == 0
    assert runs(log) == ["run", "run", "run"]
    assert "<pre>total : 120\n</pre>" in read(root, "A/notebooks/ventes.html")
    assert "<pre>ran run\n</pre>" in read(root, "A/notebooks/ventes.html"), "fresh outputs"
    assert main(["build", str(root), "-q", "-j", "1"]) == 0
    assert runs(log) == ["run", "run", "run"], "a complete run is cached"


# ----------------------------------------------------------------------------------------------
# choosing the kernel


@pytest.fixture
def course_kernel(tmp_path, monkeypatch) -> str:
    """A kernel 'cours-nlp' installed for this test only (JUPYTER_PATH), on this Python, that
    says its name through its environment."""
    folder = tmp_path / "jupyter" / "kernels" / "cours-nlp"
    folder.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Cours NLP (Python 3)",
        "language": "python",
        "env": {"COURS_KERNEL": "cours-nlp"},
    }
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "cours-nlp"


WHICH = "import os\nprint('noyau :', os.environ.get('COURS_KERNEL', 'python3'))"


def test_kernel_from_course_yml_and_from_the_notebook(make_course, course_kernel):
    def notebook(own: dict | None) -> str:
        metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
        if own is not None:
            metadata["coursegen"] = own
        return notebook_json("# Noyau", WHICH, metadata=metadata)

    root = make_course(
        {
            "course.yml": "title: Cours\nnotebooks:\n  kernel: cours-nlp\n",
            "notebooks/A/course_wide.ipynb": notebook(None),
            "notebooks/A/own.ipynb": notebook({"kernel": "python3"}),
            "notebooks/A/wrong.ipynb": notebook({"kernel": ["python3"]}),
        }
    )
    result = run_build(root, execute=True)
    assert formatted(result) == [
        "notebooks/A/wrong.ipynb: warning[execution]: metadata.coursegen.kernel must be the name of a Jupyter kernel, not ['python3']; it is ignored — using notebooks.kernel in course.yml, line 3: 'cours-nlp'"
    ]
    assert "<pre>noyau : cours-nlp\n</pre>" in read(root, "A/notebooks/course_wide.html"), (
        "course.yml overrides the kernelspec"
    )
    assert "<pre>noyau : python3\n</pre>" in read(root, "A/notebooks/own.html"), (
        "the notebook's metadata.coursegen.kernel overrides course.yml"
    )
    assert "<pre>noyau : cours-nlp\n</pre>" in read(root, "A/notebooks/wrong.html")


def test_missing_module_names_the_kernels_python_and_the_pip_package(make_course, course_kernel):
    if importlib.util.find_spec("sklearn") is not None:
        pytest.skip("scikit-learn is installed here: the kernel has the module")
    cells = (
        "# Régression",
        "import os",
        ("code", "from sklearn.linear_model import LinearRegression", [stream_output("saved\n")]),
    )
    metadata = {
        "kernelspec": {"name": "cours-nlp", "display_name": "Cours NLP (Python 3)", "language": "python"}
    }
    root = make_course({"notebooks/A/regression.ipynb": notebook_json(*cells, metadata=metadata)})
    result = run_build(root, execute=True)
    assert errors(result) == [
        f"notebooks/A/regression.ipynb: error[execution]: cell 3 (`from sklearn.linear_model import LinearRegression`) needs the module 'sklearn', "
        f"which the kernel 'cours-nlp' ({sys.executable}) does not have; {KEPT} — install 'scikit-learn' for that kernel: {sys.executable} -m pip install scikit-learn"
    ]
    assert "<pre>saved\n</pre>" in read(root, "A/notebooks/regression.html")
