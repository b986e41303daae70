"""Ctrl-C and SIGTERM stop a real `coursegen build` at once, with any -j (issue #20, item 2).

Each test starts `python -m coursegen build` in a process group of its own, as a terminal does,
sends a real signal — SIGINT to the whole group (what Ctrl-C does: the workers get it too), or
SIGTERM to the main process alone (what `kill PID` or a CI runner does) — and then checks what a
teacher would see: the build ends (every wait here is bounded), exit status 130 or 143, the
interrupted message and no traceback, the previous site byte for byte, no staging folder, no
process of the group left running, and no notebook kernel left behind.

The courses are made so that a worker is busy when the signal comes: one notebook of a few
megabytes beside 60 short lessons (its page takes seconds to render), or notebooks whose cells
sleep while they are executed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import notebook_json, snapshot, staging_leftovers, stream_output, write_tree

BOUND = 60  # seconds a stopped build may take at most before the test calls it hung (it takes ~1 s)
MARKER = "COURSEGEN_TEST_KERNEL_MARKER"


def big_notebook_course(root: Path) -> Path:
    """60 lessons and one notebook of ~5 MB (400 cells with long outputs and formulas)."""
    cells = []
    for index in range(400):
        cells.append(f"md:## Étape {index}\n\nOn calcule $x^{index % 7}$ pour chaque valeur.")
        code = f"import math\nvaleurs = [math.sin(k / {index + 1}) for k in range(200)]\nprint(valeurs)"
        cells.append(("code", code, [stream_output(("%.6f " % (index / 7)) * 1200 + "\n")]))
    files = {
        "course.yml": "title: Signaux\nlanguage: fr\n",
        "content/index.md": "# Signaux\n",
        "notebooks/A/gros.ipynb": notebook_json(*cells),
    }
    for number in range(60):
        files[f"content/A/{number:02d}.md"] = (
            f"# Leçon {number}\n\nDu texte, du **gras** et du `code`.\n\n```python\nprint({number})\n```\n"
        )
    return write_tree(root, files)


def executing_course(root: Path) -> Path:
    """60 lessons and three notebooks whose cells take half a minute when they are run."""
    files = {"course.yml": "title: Exécution\nlanguage: fr\n", "content/index.md": "# Exécution\n"}
    for number in range(3):
        files[f"notebooks/A/calcul{number}.ipynb"] = notebook_json(
            "# Calcul", "import time\nfor _ in range(300):\n    time.sleep(0.1)\nprint('fini')"
        )
    for number in range(60):
        files[f"content/A/{number:02d}.md"] = f"# Leçon {number}\n\nDu texte.\n"
    return write_tree(root, files)


def lessons_course(root: Path) -> Path:
    """No notebook: 400 lessons, enough to start worker processes."""
    files = {"course.yml": "title: Leçons\nlanguage: fr\n", "content/index.md": "# Leçons\n"}
    for number in range(400):
        files[f"content/M{number // 50}/{number:03d}.md"] = (
            f"# Leçon {number}\n\n## Partie\n\nTexte $x_{number % 10}$ et [accueil](../index.md).\n\n```python\nprint({number})\n```\n"
        )
    return write_tree(root, files)


class Built:
    def __init__(self, root: Path, out: Path):
        self.root, self.out = root, out
        subprocess.run(
            [sys.executable, "-m", "coursegen", "build", str(root), "-o", str(out), "-q"],
            check=True,
            timeout=900,
            cwd=root.parent,
        )
        self.site = snapshot(out)


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Built:
    base = tmp_path_factory.mktemp("big")
    return Built(big_notebook_course(base / "course"), base / "site")


@pytest.fixture(scope="module")
def executing(tmp_path_factory) -> Built:
    pytest.importorskip("ipykernel")
    base = tmp_path_factory.mktemp("executing")
    return Built(executing_course(base / "course"), base / "site")


@pytest.fixture(scope="module")
def lessons(tmp_path_factory) -> Built:
    base = tmp_path_factory.mktemp("lessons")
    return Built(lessons_course(base / "course"), base / "site")


# ----------------------------------------------------------------------------------------------
# processes


def group_members(group: int) -> list[int]:
    """Live (not zombie) processes of a process group."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":  # fields: state, ppid, pgrp, …
            members.append(int(entry.name))
    return members


def kernels_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (
                b"ipykernel_launcher" in (entry / "cmdline").read_bytes()
                and marker.encode() in (entry / "environ").read_bytes()
            ):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def workers_of(pid: int) -> list[int]:
    """The worker processes the build at `pid` started (spawned Python processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent == pid and b"spawn_main" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def interrupt(
    built: Built,
    jobs: int,
    signum: int,
    whole_group: bool,
    delay: float,
    extra: tuple[str, ...] = (),
    after: str = "",
) -> None:
    """Start a build (`--clean`: every page must be made again), signal it `delay` seconds in
    (after its worker processes, or its notebook kernels, started: `after`), and check that it
    stopped cleanly."""
    marker = uuid.uuid4().hex
    # (-X faulthandler: a build that hangs says where, when the test ends it with SIGABRT)
    command = [
        sys.executable,
        "-X",
        "faulthandler",
        "-m",
        "coursegen",
        "build",
        str(built.root),
        "-o",
        str(built.out),
        "-j",
        str(jobs),
        "--clean",
        "-q",
        *extra,
    ]
    env = {**os.environ, MARKER: marker}
    process = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
        cwd=built.root.parent,
        env=env,
    )
    try:
        if after == "workers":
            assert wait_until(lambda: len(workers_of(process.pid)) >= min(jobs, 2), BOUND), (
                "no worker process started"
            )
        elif after == "kernels":
            assert wait_until(lambda: kernels_with(marker), BOUND), "no kernel started"
        time.sleep(delay)
        if whole_group:
            os.killpg(process.pid, signum)
        else:
            os.kill(process.pid, signum)
        try:
            _, err = process.communicate(timeout=BOUND)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGABRT)  # faulthandler prints every thread's stack
            _, stacks = process.communicate(timeout=BOUND)
            pytest.fail(
                f"the build was still running {BOUND} s after {signal.Signals(signum).name}:\n{stacks}"
            )
    finally:
        if process.poll() is None or group_members(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    code = process.returncode
    if code == 0:  # it had finished before the signal came: the same course, the same site
        assert snapshot(built.out) == built.site
        return
    if code == -signal.SIGTERM and signum == signal.SIGTERM:  # so early that Python was still starting
        assert err == ""
    else:
        assert code == 128 + signum, err
        assert err.strip() in (
            "interrupted; the previous site was left as it was",
            "interrupted; the new site was already in place",
        ), err
    assert snapshot(built.out) == built.site  # the previous site, or a complete new one (the same)
    assert staging_leftovers(built.out.parent) == []
    assert wait_until(lambda: group_members(process.pid) == [], 5), (
        f"left running: {group_members(process.pid)}"
    )
    assert wait_until(lambda: kernels_with(marker) == [], 5), "a notebook kernel was left running"


# ----------------------------------------------------------------------------------------------
# quick cases


@pytest.mark.parametrize("jobs", [4, 8])
def test_ctrl_c_stops_a_parallel_build_while_a_worker_renders_a_big_notebook(jobs, big):
    """Hung in 4 of 5 runs: a worker took the Ctrl-C for itself and died holding the queue's lock,
    the build then waited in ProcessPoolExecutor.shutdown forever."""
    interrupt(big, jobs, signal.SIGINT, whole_group=True, delay=0.5, after="workers")


def test_ctrl_c_with_two_workers_prints_no_worker_traceback(big):
    interrupt(big, 2, signal.SIGINT, whole_group=True, delay=0.3, after="workers")


def test_sigterm_to_the_main_process_alone_does_not_wait_for_the_workers_page(big):
    """It used to wait 16–53 s for the page a worker was rendering: the worker is stopped in the
    middle of the notebook's page (which takes seconds), so the formulas it keeps for the page's
    next render (written once the page is done) are never written."""
    from coursegen.cache import url_file_name

    interrupt(big, 4, signal.SIGTERM, whole_group=False, delay=0.5, after="workers")
    assert not (
        big.root / ".coursegen-cache/fragments" / f"{url_file_name('A/notebooks/gros.html')}.json"
    ).exists()


def test_ctrl_c_while_notebooks_run_kills_their_kernels(executing):
    """The kernels run in a session of their own (Ctrl-C never reaches them): the build kills them."""
    interrupt(executing, 2, signal.SIGINT, whole_group=True, delay=0.5, extra=("--execute",), after="kernels")


def test_sigterm_while_a_notebook_runs_in_the_main_process(executing):
    interrupt(
        executing, 1, signal.SIGTERM, whole_group=False, delay=0.5, extra=("--execute",), after="kernels"
    )


def test_the_build_keeps_its_sigterm_handler_after_running_a_notebook(tmp_path):
    """nbclient used to leave SIGTERM at its default action once a notebook had run: a later
    SIGTERM then killed the build without cleaning up."""
    pytest.importorskip("ipykernel")
    root = write_tree(
        tmp_path / "course",
        {"content/index.md": "# T\n", "notebooks/A/n.ipynb": notebook_json("# N", "print(6 * 7)")},
    )
    script = (
        "import signal, sys\n"
        "from coursegen.build import BuildOptions, build\n"
        "from coursegen.interrupts import raise_interrupted\n"
        "signal.signal(signal.SIGTERM, raise_interrupted)\n"
        f"build(__import__('pathlib').Path({str(root)!r}), options=BuildOptions(execute=True, jobs=1))\n"
        "print(signal.getsignal(signal.SIGTERM) is raise_interrupted, signal.getsignal(signal.SIGINT) is signal.default_int_handler)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert run.stdout.split() == ["True", "True"], run.stderr


# ----------------------------------------------------------------------------------------------
# at random moments, every -j, both signals, with and without notebooks


SIGNALS = {
    "SIGINT-group": (signal.SIGINT, True),
    "SIGTERM-main": (signal.SIGTERM, False),
    "SIGTERM-group": (signal.SIGTERM, True),
}


# From 0.2 s on: before, the interpreter itself is still starting (a Ctrl-C there is Python's own).
@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("how", SIGNALS)
@pytest.mark.parametrize("jobs", [1, 2, 4, 8])
def test_a_signal_at_a_random_moment_stops_the_build(jobs, how, seed, big, lessons):
    rng = random.Random(f"{jobs}-{how}-{seed}")
    signum, whole_group = SIGNALS[how]
    built = big if seed != 1 else lessons  # with a notebook, and without any
    interrupt(built, jobs, signum, whole_group, delay=rng.uniform(0.2, 4.0))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("how", SIGNALS)
@pytest.mark.parametrize("jobs", [1, 2, 4, 8])
def test_a_signal_at_a_random_moment_while_notebooks_run(jobs, how, seed, executing):
    rng = random.Random(f"execute-{jobs}-{how}-{seed}")
    signum, whole_group = SIGNALS[how]
    interrupt(executing, jobs, signum, whole_group, delay=rng.uniform(0.2, 6.0), extra=("--execute",))


def test_an_interrupt_python_wraps_while_a_class_is_made_is_still_an_interrupt(monkeypatch, capsys):
    """Python 3.11 turns an exception raised while a class is made (`__set_name__`: a dataclass's
    fields, during an import) into a RuntimeError: a Ctrl-C or SIGTERM arriving then is still
    reported as an interrupt (CI: a random-moment SIGINT said "internal error")."""
    from coursegen import cli
    from coursegen.interrupts import Interrupted

    class Field:
        def __set_name__(self, owner, name):
            raise Interrupted(signal.SIGTERM)

    def build_while_importing(args):
        type("GlueMap", (), {"notebooks": Field()})
        return 0

    monkeypatch.setattr(cli, "_run_build", build_while_importing)
    monkeypatch.setattr(cli, "_find_course", lambda args: None)
    assert cli.main(["build", "."]) == 143
    assert capsys.readouterr().err == "interrupted; the previous site was left as it was\n"
