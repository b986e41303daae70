"""Execution stays bounded (issue #20, items 3 and 11): a cell that floods output stops at its
timeout and at `notebooks.max_output`, a kernel's memory is capped by `notebooks.max_memory`,
and notebooks read through linked folders as Jupyter does. Assertions are on messages and sizes,
never on times."""

from __future__ import annotations

import os
import threading
import time

import pytest
from conftest import formatted, notebook_json, run_build
from test_execute import KEPT, no_orphan_kernels, read  # noqa: F401 (the fixture checks for orphan kernels)

from coursegen.config import parse_size
from coursegen.errors import Diagnostics

pytest.importorskip("ipykernel")

FLOOD = "while True:\n    print('x' * 100000)"


def test_sizes_in_course_yml():
    assert parse_size("8M") == 8 * 1024**2
    assert parse_size("512 KB") == 512 * 1024
    assert parse_size("1.5GiB") == int(1.5 * 1024**3)
    assert parse_size(5000) == 5000
    assert parse_size("lots") is None
    assert parse_size(0) is None
    assert parse_size(True) is None


def test_a_size_that_is_not_one_is_a_config_error(make_course, capsys):
    from coursegen.cli import main

    root = make_course({"course.yml": "notebooks:\n  max_output: beaucoup\n  max_memory: none\n"})
    assert main(["build", str(root), "-q"]) == 2
    err = capsys.readouterr().err
    assert (
        "course.yml:2: error[config]: notebooks.max_output must be a size such as 8M or 2G, not 'beaucoup' — e.g. max_output: 8M"
        in err
    )
    assert "max_memory" not in err, "none is no limit"


def test_a_cell_flooding_output_stops_at_its_timeout(make_course):
    root = make_course(
        {
            "course.yml": "notebooks:\n  timeout: 3\n  max_output: 1G\n",
            "notebooks/A/flot.ipynb": notebook_json("# Flot", FLOOD),
        }
    )
    result = run_build(root, execute=True)
    [record] = result.runs
    assert record.status == "timed out", formatted(result)
    assert (
        f"notebooks/A/flot.ipynb: error[execution]: cell 2 (`while True:`) ran longer than 3 s; {KEPT} — make it faster or raise notebooks.timeout in course.yml"
        in formatted(result)
    )


def test_a_cell_flooding_output_stops_at_max_output(make_course):
    root = make_course(
        {
            "course.yml": "notebooks:\n  max_output: 200K\n",
            "notebooks/A/flot.ipynb": notebook_json("# Flot", FLOOD),
        }
    )
    result = run_build(root, execute=True)
    [record] = result.runs
    assert record.status == "failed"
    assert (
        f"notebooks/A/flot.ipynb: error[execution]: cell 2 (`while True:`) printed more than notebooks.max_output (200 KB); it was stopped; {KEPT} — print less (a loop that prints every step?), or raise notebooks.max_output in course.yml"
        in formatted(result)
    )


def test_a_capped_cell_fails_the_run_even_with_allow_errors(make_course):
    root = make_course(
        {
            "course.yml": "notebooks:\n  max_output: 300K\n  allow_errors: true\n",
            "notebooks/A/flot.ipynb": notebook_json("# Flot", "print('début')", FLOOD, "print('après')"),
        }
    )
    result = run_build(root, execute=True)
    [record] = result.runs
    assert record.status == "failed", "a cell stopped by a limit is a failed run, allow_errors or not"
    page = read(root, "A/notebooks/flot.html")
    assert "x" * 1000 not in page, (
        "the failed run keeps the notebook's stored outputs (none): no flood on the page"
    )


def _stream(text: str) -> dict:
    return {
        "msg_type": "stream",
        "header": {"msg_type": "stream"},
        "parent_header": {"msg_id": "m"},
        "content": {"name": "stdout", "text": text},
    }


def test_outputs_past_the_cap_are_cut_noted_once_and_the_kernel_stopped():
    """What the client keeps of a flood: max_output characters, then one note; the kernel is
    interrupted once; the next cell starts with a fresh budget."""
    import nbformat

    from coursegen.run_limits import CellBudget, bounded_client_class

    stops: list[int] = []
    client = bounded_client_class()(nbformat.v4.new_notebook())
    client.reset_execution_trackers()
    client.clear_before_next_output = False  # set by nbclient when a cell starts
    client.budget = CellBudget(1000, 60, lambda: stops.append(1), "… coupé")
    client.budget.start(0)
    outs: list = []
    for _ in range(50):
        client.output(outs, _stream("x" * 300), None, 0)
    kept = "".join(out.get("text", "") for out in outs if out.get("name") == "stdout")
    assert kept == "x" * 1000
    assert [out["text"] for out in outs if out.get("name") == "stderr"] == ["\n… coupé\n"]
    assert stops == [1] and client.budget.stops == [("output", 0)]

    client.budget.start(1)
    fresh: list = []
    client.output(fresh, _stream("ok\n"), None, 1)
    assert [out["text"] for out in fresh] == ["ok\n"]


def test_the_kernel_memory_limit_names_the_cell(make_course):
    root = make_course(
        {
            "course.yml": "notebooks:\n  max_memory: 2G\n",
            "notebooks/A/gros.ipynb": notebook_json(
                "# Gros", "x = 1", "tableau = bytearray(6 * 1024 ** 3)\nlen(tableau)"
            ),
        }
    )
    result = run_build(root, execute=True)
    [record] = result.runs
    assert record.status == "failed", formatted(result)
    assert (
        f"notebooks/A/gros.ipynb: error[execution]: cell 3 (`tableau = bytearray(6 * 1024 ** 3)`) ran out of memory: it needs more than notebooks.max_memory (2 GB); {KEPT} — use less memory in that cell, or raise notebooks.max_memory in course.yml"
        in formatted(result)
    )


def test_without_a_memory_limit_the_same_notebook_is_not_limited(make_course):
    root = make_course(
        {
            "notebooks/A/moyen.ipynb": notebook_json(
                "# Moyen", "tableau = bytearray(3 * 1024 ** 3)\nlen(tableau)"
            )
        }
    )
    result = run_build(root, execute=True)
    assert [r.status for r in result.runs] == ["ran"], formatted(result)


def test_linked_folders_are_read_through_when_executing(make_course, tmp_path):
    """`data -> ../../partage` (inside the course) and `externe -> /elsewhere` (outside) work as in Jupyter;
    the files of the first are inputs (a change re-runs), those of the second are not the course's."""
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    (elsewhere / "poids.csv").write_text("7\n", encoding="utf-8")
    root = make_course(
        {
            "partage/notes.csv": "12\n18\n",
            "notebooks/A/lecture.ipynb": notebook_json(
                "# Lecture",
                "print(sum(int(l) for l in open('data/notes.csv')))",
                "print(open('externe/poids.csv').read().strip())",
            ),
        }
    )
    os.symlink("../../partage", root / "notebooks/A/data")
    os.symlink(elsewhere, root / "notebooks/A/externe")
    result = run_build(root, execute=True)
    assert [r.status for r in result.runs] == ["ran"], formatted(result)
    page = read(root, "A/notebooks/lecture.html")
    assert "<pre>30\n</pre>" in page and "<pre>7\n</pre>" in page

    (root / "partage/notes.csv").write_text("12\n19\n", encoding="utf-8")
    again = run_build(root, execute=True)
    assert [r.status for r in again.runs] == ["ran"], "a file read through the link is an input"
    assert "<pre>31\n</pre>" in read(root, "A/notebooks/lecture.html")


def test_a_link_back_up_is_not_walked_for_ever(tmp_path):
    from coursegen.inputs import InputFinder

    folder = tmp_path / "notebooks/A"
    folder.mkdir(parents=True)
    (folder / "x.csv").write_text("1\n")
    os.symlink("..", folder / "boucle")
    os.symlink("../../..", folder / "racine")
    inputs, problems = InputFinder(tmp_path, (), (), cache=False).inputs("notebooks/A/nb.ipynb", [])
    assert not problems
    assert "notebooks/A/x.csv" in inputs
    assert len(inputs) < 10, sorted(inputs)


def test_the_memory_guard_starts_a_kernel_only_while_memory_allows(monkeypatch):
    """With too little memory available, notebooks run one at a time whatever -j allows."""
    from coursegen import execute, runs
    from coursegen.execute import RunResult

    running, most = [0], [0]
    lock = threading.Lock()

    def fake_run(job, register_stop=None):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)
        with lock:
            running[0] -= 1
        return RunResult("ran", [])

    monkeypatch.setattr(execute, "run_job", fake_run)
    jobs = [(runs.RunRecord(f"n{i}", "", "skipped"), object()) for i in range(4)]

    monkeypatch.setattr(runs, "_memory_available", lambda: runs.MEMORY_PER_KERNEL // 2)
    assert len(list(runs._on_this_machine(jobs, 4))) == 4
    assert most[0] == 1

    most[0] = 0
    monkeypatch.setattr(runs, "_memory_available", lambda: runs.MEMORY_PER_KERNEL * 8)
    assert len(list(runs._on_this_machine(jobs, 4))) == 4
    assert most[0] > 1


def test_shared_fs_sends_paths_not_bytes(make_course, monkeypatch):
    """On a cluster, input files travel as bytes; with notebooks.shared_fs the workers get paths."""
    from coursegen import runs

    sent: list = []

    def fake_cluster(address, misses):
        sent.extend(job for _, job in misses)
        return iter(())

    monkeypatch.setattr(runs, "_on_cluster", fake_cluster)
    files = {
        "notebooks/A/nb.ipynb": notebook_json("# Nb", "print(open('data.csv').read())"),
        "notebooks/A/data.csv": "a,b\n",
    }
    copied = make_course(files, name="copie")
    run_build(copied, execute=True, executor="tcp://127.0.0.1:1")
    assert sent[-1].files == {"notebooks/A/data.csv": b"a,b\n"}

    shared = make_course({**files, "course.yml": "notebooks:\n  shared_fs: true\n"}, name="partage")
    run_build(shared, execute=True, executor="tcp://127.0.0.1:1")
    assert sent[-1].files == {"notebooks/A/data.csv": str(shared.resolve() / "notebooks/A/data.csv")}


def test_settings_reach_the_run(make_course):
    from coursegen.config import load_config

    root = make_course({"course.yml": "notebooks:\n  max_output: 1M\n  max_memory: 3G\n"})
    settings = load_config(root, Diagnostics()).notebooks
    assert (settings.max_output, settings.max_memory) == (1024**2, 3 * 1024**3)
