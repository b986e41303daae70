"""Notebooks run on a Dask cluster: a LocalCluster of worker processes, and `dask scheduler` /
`dask worker` processes started here (127.0.0.1 only, always stopped). The workers carry an
environment variable this process lacks: a notebook that prints it proves where it ran."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from conftest import formatted, notebook_json, run_build
from test_execute import append_cell, no_orphan_kernels, read, runs  # noqa: F401 (the fixture checks for orphan kernels)

from coursegen.cli import main

distributed = pytest.importorskip("distributed")
pytest.importorskip("ipykernel")

SECRET = "COURSEGEN_TEST_WORKER_SECRET"
KERNELSPEC = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def course_files(log: Path) -> dict[str, str]:
    return {
        "course.yml": "title: Statistiques\nlanguage: fr\n",
        "notebooks/A/moyennes.ipynb": notebook_json(
            "# Moyennes",
            append_cell(log, "moyennes"),
            "import csv\nlignes = list(csv.DictReader(open('notes.csv')))\nprint(sum(int(l['note']) for l in lignes) / len(lignes))",
            "lignes[:1]",
        ),
        "notebooks/A/notes.csv": "élève,note\nAda,18\nBob,12\n",
        "notebooks/B/ou.ipynb": notebook_json(
            "# Où", f"import os\nprint('secret:', os.environ.get({SECRET!r}, 'absent'))"
        ),
    }


@pytest.fixture
def worker_secret(monkeypatch):
    monkeypatch.delenv(SECRET, raising=False)
    return uuid.uuid4().hex


@pytest.fixture
def local_cluster(worker_secret, monkeypatch):
    """A LocalCluster of two single-threaded worker processes; the secret is set only while the
    workers start (they inherit it)."""
    monkeypatch.setenv(SECRET, worker_secret)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    monkeypatch.delenv(SECRET)
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.mark.slow
def test_local_cluster_gives_the_pages_of_a_local_run_and_fills_the_same_cache(
    make_course, tmp_path, local_cluster, worker_secret
):
    log = tmp_path / "runs.log"
    here = make_course(course_files(log), name="ici")
    there = make_course(course_files(log), name="cluster")
    local = run_build(here, execute=True)
    assert not local.diagnostics.problems, formatted(local)
    remote = run_build(there, execute=True, executor=local_cluster.scheduler_address)
    assert not remote.diagnostics.problems, formatted(remote)
    assert [r.status for r in remote.runs] == ["ran", "ran"]
    assert read(there, "A/notebooks/moyennes.html") == read(here, "A/notebooks/moyennes.html"), (
        "the same page wherever it ran"
    )
    assert "<pre>15.0\n</pre>" in read(there, "A/notebooks/moyennes.html")
    assert f"secret: {worker_secret}" in read(there, "B/notebooks/ou.html"), "it ran on the worker"
    assert "secret: absent" in read(here, "B/notebooks/ou.html")

    # the laptop's next build reuses what the cluster computed
    again = run_build(there, execute=True)
    assert [r.status for r in again.runs] == ["cached", "cached"]
    assert f"secret: {worker_secret}" in read(there, "B/notebooks/ou.html")
    assert runs(log) == ["moyennes", "moyennes"]


@pytest.mark.slow
def test_with_a_shared_file_system_the_workers_read_the_course_in_place(make_course, tmp_path, local_cluster):
    """notebooks.shared_fs: the tasks carry paths, the workers (same machine) copy the files
    themselves, a linked folder included; the page is the one a local run gives."""
    files = {
        "partage/notes.csv": "élève,note\nAda,18\nBob,12\n",
        "notebooks/A/moyennes.ipynb": notebook_json(
            "# Moyennes",
            "import csv\nlignes = list(csv.DictReader(open('data/notes.csv')))\nprint(sum(int(l['note']) for l in lignes) / len(lignes))",
        ),
    }
    here = make_course({**files, "course.yml": "title: Statistiques\n"}, name="ici")
    there = make_course(
        {**files, "course.yml": "title: Statistiques\nnotebooks:\n  shared_fs: true\n"}, name="partage"
    )
    for root in (here, there):
        os.symlink("../../partage", root / "notebooks/A/data")
    local = run_build(here, execute=True)
    remote = run_build(there, execute=True, executor=local_cluster.scheduler_address)
    assert [r.status for r in remote.runs] == ["ran"], formatted(remote)
    assert "<pre>15.0\n</pre>" in read(there, "A/notebooks/moyennes.html")
    assert read(there, "A/notebooks/moyennes.html") == read(here, "A/notebooks/moyennes.html")
    assert not local.diagnostics.problems


# ----------------------------------------------------------------------------------------------
# `dask scheduler` and `dask worker` processes


class DaskProcesses:
    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []

    def start_scheduler(self) -> None:
        command = [
            sys.executable,
            "-m",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-dashboard",
        ]
        self._start(command, os.environ.copy(), "scheduler")

    def start_worker(self, name: str, env: dict[str, str], resources: str = "") -> subprocess.Popen:
        command = [
            sys.executable,
            "-m",
            "distributed.cli.dask_worker",
            self.address,
            "--host",
            "127.0.0.1",
            "--nthreads",
            "1",
            "--no-nanny",
            "--no-dashboard",
            "--name",
            name,
        ]
        if resources:
            command += ["--resources", resources]
        return self._start(command, {**os.environ, **env}, name)

    def _start(self, command: list[str], env: dict[str, str], name: str) -> subprocess.Popen:
        with open(self.tmp_path / f"dask-{name}.log", "wb") as logfile:
            process = subprocess.Popen(
                command, env=env, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes.append(process)
        return process

    def wait_for_workers(self, count: int) -> None:
        with distributed.Client(self.address, timeout="30s") as client:
            client.wait_for_workers(count, timeout=60)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def dask_processes(tmp_path):
    processes = DaskProcesses(tmp_path)
    try:
        yield processes
    finally:
        processes.stop()


@pytest.mark.slow
def test_dask_worker_processes_run_the_notebooks_and_resources_are_honoured(
    make_course, tmp_path, dask_processes, worker_secret, capsys
):
    dask_processes.start_scheduler()
    dask_processes.start_worker("sans-gpu", {SECRET: worker_secret})
    dask_processes.wait_for_workers(1)
    log = tmp_path / "runs.log"
    files = course_files(log)
    files["notebooks/C/gpu.ipynb"] = notebook_json(
        "# GPU", "print('sur le GPU')", metadata={**KERNELSPEC, "coursegen": {"resources": {"GPU": 1}}}
    )
    root = make_course(files)
    report = tmp_path / "report.json"
    assert (
        main(
            [
                "build",
                str(root),
                "--execute",
                "-j",
                "1",
                "--executor",
                dask_processes.address,
                "--report-json",
                str(report),
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert (
        "notebooks/C/gpu.ipynb: error[execution]: no worker of the cluster offers GPU; its page shows the outputs saved in the notebook — start workers with --resources (e.g. dask worker ADDRESS --resources GPU=1), or remove metadata.coursegen.resources"
        in err
    )

    dask_processes.start_worker("avec-gpu", {SECRET: worker_secret}, resources="GPU=1")
    dask_processes.wait_for_workers(2)
    assert (
        main(
            [
                "build",
                str(root),
                "--execute",
                "-q",
                "-j",
                "1",
                "--executor",
                dask_processes.address,
                "--report-json",
                str(report),
            ]
        )
        == 0
    )
    assert "<pre>sur le GPU\n</pre>" in read(root, "C/notebooks/gpu.html")
    assert f"secret: {worker_secret}" in read(root, "B/notebooks/ou.html"), "it ran on a worker"
    import json

    document = json.loads(report.read_text())
    assert [(n["notebook"], n["status"]) for n in document["notebooks"]] == [
        ("notebooks/A/moyennes.ipynb", "cached"),
        ("notebooks/B/ou.ipynb", "cached"),
        ("notebooks/C/gpu.ipynb", "ran"),
    ]


@pytest.mark.slow
def test_a_worker_killed_mid_run_has_its_notebook_run_again(make_course, tmp_path, dask_processes):
    dask_processes.start_scheduler()
    workers = {dask_processes.start_worker(name, {}).pid for name in ("w1", "w2")}
    dask_processes.wait_for_workers(2)
    attempts = tmp_path / "attempts.log"
    cell = (
        "import os, time\n"
        f"with open({str(attempts)!r}, 'a') as f:\n    f.write(f'{{os.getppid()}}\\n')\n"
        f"if len(open({str(attempts)!r}).read().split()) == 1:\n    time.sleep(120)  # the first attempt's worker is killed meanwhile\n"
        "print('terminé')"
    )
    root = make_course({"notebooks/A/long.ipynb": notebook_json("# Long", cell)})
    killed: list[int] = []

    def kill_the_first_worker() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            lines = attempts.read_text().split() if attempts.exists() else []
            if lines:
                pid = int(lines[0])
                assert pid in workers, "the kernel is the worker's child"
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.1)

    watcher = threading.Thread(target=kill_the_first_worker, daemon=True)
    watcher.start()
    result = run_build(root, execute=True, executor=dask_processes.address)
    watcher.join()
    assert killed, "a worker was killed mid-run"
    assert not result.diagnostics.problems, formatted(result)
    assert [r.status for r in result.runs] == ["ran"]
    assert "<pre>terminé\n</pre>" in read(root, "A/notebooks/long.html")
    first, second = attempts.read_text().split()
    assert int(first) == killed[0] and int(second) != killed[0], "run again on the other worker"


def test_an_unreachable_scheduler_stops_the_build_before_anything_runs(make_course, tmp_path, capsys):
    log = tmp_path / "runs.log"
    root = make_course({"notebooks/A/x.ipynb": notebook_json("# X", append_cell(log, "x"))})
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    assert main(["build", str(root), "--execute", "-q", "--executor", address]) == 2
    err = capsys.readouterr().err
    assert f"error[build]: the Dask scheduler at {address} cannot be reached (" in err
    assert (
        "no notebook was run — start it (`dask scheduler`, then `dask worker ADDRESS`), check the address and port, or build without --executor to run them on this machine"
        in err
    )
    assert not log.exists() and not (root / "site").exists()


def test_executor_address_is_checked(make_course, capsys):
    root = make_course({})
    with pytest.raises(SystemExit) as stop:
        main(["build", str(root), "--executor", "scheduler:8786"])
    assert stop.value.code == 2
    assert (
        "expected a Dask scheduler's address such as tcp://127.0.0.1:8786 (or local), not 'scheduler:8786'"
        in capsys.readouterr().err
    )
