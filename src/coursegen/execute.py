"""Running one notebook with nbclient: bounded, isolated, on this machine or a Dask worker.

`run_job` is all a worker needs: the notebook, its input files, settings; it lays the files out in
a temporary folder, runs the notebook there and returns its outputs (never raises for a failed run).
"""

from __future__ import annotations

import atexit
import json
import os
import posixpath
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coursegen.cache import digest, installed_version
from coursegen.config import NotebookSettings
from coursegen.kernels import (
    KernelChoice,
    choose_kernel,
    installed_kernels,
    missing_module,
    missing_module_advice,
)
from coursegen.run_limits import CellBudget, bounded_client_class, human_size, limit_memory
from coursegen.scrub import PathScrubber


class ExecutionFailed(Exception):
    """A run that did not complete (cell error, timeout, dead or missing kernel): what happened
    and what to do. The notebook's page then shows its stored outputs."""

    def __init__(self, message: str, hint: str, timed_out: bool = False):
        super().__init__(message)
        self.hint = hint
        self.timed_out = timed_out


def execution_key(notebook, settings: NotebookSettings, inputs: dict[str, str] | None = None) -> str:
    """Only what changes the results: code cells, kernel, settings, and the files the notebook can
    read (`inputs`: course-relative path → digest; not Markdown cells)."""
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    tags = [sorted(cell.metadata.get("tags", [])) for cell in notebook.cells if cell.cell_type == "code"]
    return digest(
        "execute",
        choose_kernel(notebook, settings)[0].name,
        json.dumps(code),
        json.dumps(tags),
        str(settings.timeout),
        str(settings.max_output),
        str(allow_errors(notebook, settings)),
        installed_version("nbclient"),
        "paths scrubbed",  # results cached before scrub.py still hold the run's temporary folder
        json.dumps(sorted((inputs or {}).items())),
    )


def allow_errors(notebook, settings: NotebookSettings) -> bool:
    own = notebook.metadata.get("coursegen", {})
    value = own.get("allow_errors") if isinstance(own, dict) else None
    return value if isinstance(value, bool) else settings.allow_errors


@dataclass
class RunJob:
    """One notebook to run, self-contained (it travels to a Dask worker as it is)."""

    rel: str  # the notebook's path in the course
    notebook: dict  # nbformat 4 JSON
    settings: NotebookSettings
    kernel: KernelChoice
    # course-relative path → bytes, or a path to copy from
    files: dict[str, bytes | str] = field(default_factory=dict)
    # linked folders that lead outside the course: course-relative link → its absolute target
    links: dict[str, str] = field(default_factory=dict)


@dataclass
class RunResult:
    status: str  # ran | failed | timed out
    cells: list[dict] | None = None  # per code cell: {outputs, execution_count}
    message: str = ""
    hint: str = ""
    seconds: float = 0.0
    host: str = ""  # the machine it ran on


def run_job(job: RunJob, register_stop: Callable[[Callable[[], None]], None] | None = None) -> RunResult:
    """Run `job` in a temporary folder holding its input files at their places in the course;
    `register_stop` receives a function that kills the run's kernel (for an interrupted build)."""
    import nbformat

    started = time.perf_counter()
    notebook = nbformat.from_dict(job.notebook)
    with tempfile.TemporaryDirectory(prefix="coursegen-run-") as scratch:
        course = Path(scratch) / "course"
        place = posixpath.dirname(job.rel)
        workdir = course / place
        workdir.mkdir(parents=True)
        _lay_out(course, job.files, job.links)
        # the copy's paths, the course's and the author's home never reach the page nor the messages
        scrubber = PathScrubber(course, {str(workdir): place, str(workdir.resolve()): place})
        try:
            executed = _run(notebook, job.settings, job.kernel, workdir, scrubber, register_stop)
        except ExecutionFailed as failure:
            return RunResult(
                "timed out" if failure.timed_out else "failed",
                None,
                str(failure),
                failure.hint,
                time.perf_counter() - started,
                socket.gethostname(),
            )
    cells = [
        {"outputs": cell.outputs, "execution_count": cell.execution_count}
        for cell in executed.cells
        if cell.cell_type == "code"
    ]
    return RunResult(
        "ran", json.loads(json.dumps(cells)), seconds=time.perf_counter() - started, host=socket.gethostname()
    )


def _lay_out(course: Path, files: dict[str, bytes | str], links: dict[str, str]) -> None:
    """The input files at their places (a linked folder inside the course becomes a real folder of
    copies); a linked folder leading outside the course, a link to the same place."""
    for rel, content in files.items():
        target = course / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            shutil.copyfile(content, target)
    for rel, outside in links.items():
        link = course / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        if not os.path.lexists(link):
            os.symlink(outside, link, target_is_directory=True)


def results_fit(results, notebook) -> bool:
    """Cached results of the shape `with_outputs` takes, one per code cell (anything else comes
    from a damaged cache entry)."""
    if not isinstance(results, list) or len(results) != sum(
        1 for cell in notebook.cells if cell.cell_type == "code"
    ):
        return False
    return all(
        isinstance(result, dict)
        and isinstance(result.get("outputs"), list)
        and all(
            isinstance(output, dict) and isinstance(output.get("output_type"), str)
            for output in result["outputs"]
        )
        and "execution_count" in result
        and (result["execution_count"] is None or type(result["execution_count"]) is int)
        for result in results
    )


def with_outputs(notebook, results: list[dict]):
    import copy

    import nbformat

    result = copy.deepcopy(notebook)
    code_cells = [cell for cell in result.cells if cell.cell_type == "code"]
    for cell, stored in zip(code_cells, results):
        cell.outputs = [nbformat.from_dict(output) for output in stored["outputs"]]
        cell.execution_count = stored["execution_count"]
    return result


def _run(
    notebook,
    settings: NotebookSettings,
    kernel: KernelChoice,
    workdir: Path,
    scrubber: PathScrubber,
    register_stop=None,
):
    from nbclient.exceptions import DeadKernelError

    client = bounded_client_class()(
        notebook,
        timeout=settings.timeout,
        kernel_name=kernel.name,
        allow_errors=allow_errors(notebook, settings),
        record_timing=False,  # no timestamps: the same code gives the same page
        resources={"metadata": {"path": str(workdir)}},
    )
    stopper = _KernelStopper(client)
    budget = CellBudget(
        settings.max_output,
        settings.timeout,
        stopper.interrupt_then_kill,
        f"… output truncated: more than {human_size(settings.max_output)} (notebooks.max_output)",
    )
    client.budget = budget
    client.on_cell_execute = lambda cell, cell_index, **_: budget.start(cell_index)
    memory_limited = {"on": False}
    if settings.max_memory:

        def limit(**_) -> None:
            pid = _kernel_pid(client)
            memory_limited["on"] = bool(pid) and limit_memory(pid, settings.max_memory)

        client.on_notebook_start = limit
    watchdog = threading.Timer(settings.notebook_timeout, stopper.notebook_over_time)
    watchdog.daemon = True
    watchdog.start()
    if register_stop is not None:
        register_stop(lambda: _kill_kernel(client))
    try:
        # starts the kernel and always shuts it down, even on error; the kernel's own chatter is not ours to print
        client.execute(stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        if stopper.timed_out.is_set() or budget.stops:  # stopped, yet it went on (allow_errors)
            raise DeadKernelError("stopped")
    except Exception as error:
        bounds = _Bounds(stopper.timed_out.is_set(), budget.stops, memory_limited["on"])
        raise _failure(error, notebook, budget.index, kernel, settings, bounds, scrubber) from None
    finally:
        watchdog.cancel()
        stopper.cancel()
        # nbclient leaves its exit handler registered when the kernel dies while starting (a run
        # the build stopped): at exit it would fail on the kernel already cleaned up, with a traceback
        atexit.unregister(client._cleanup_kernel)
    scrubber.outputs(notebook)
    return notebook


@dataclass
class _Bounds:
    """Which limits a failed run ran into."""

    notebook_timed_out: bool
    stops: list[tuple[str, int | None]]  # CellBudget.stops
    memory_limited: bool


class _KernelStopper:
    """Stops a runaway kernel from another thread: nbclient's kernel manager is asynchronous and
    owned by the executing thread, so the kernel process itself is signalled — an interrupt first,
    and a kill if it ignores it."""

    GRACE_SECONDS = 5

    def __init__(self, client):
        self.client = client
        self.timed_out = threading.Event()
        self._finished = threading.Event()
        self._timers: list[threading.Timer] = []

    def notebook_over_time(self) -> None:
        self.timed_out.set()
        self.interrupt_then_kill()

    def interrupt_then_kill(self) -> None:
        if self._finished.is_set():
            return
        if _signal_kernel(self.client, signal.SIGINT):
            self._later(self.GRACE_SECONDS, _signal_kernel, self.client, signal.SIGKILL)
        else:  # the kernel is still starting: as soon as it has a process
            self._later(0.2, self.interrupt_then_kill)

    def _later(self, seconds: float, action, *args) -> None:
        timer = threading.Timer(seconds, action, args)
        timer.daemon = True
        timer.start()
        self._timers.append(timer)

    def cancel(self) -> None:
        self._finished.set()
        for timer in self._timers:
            timer.cancel()


def _failure(
    error: Exception,
    notebook,
    index: int | None,
    kernel: KernelChoice,
    settings: NotebookSettings,
    bounds: _Bounds,
    scrubber: PathScrubber,
) -> Exception:
    """What a failed run says to the author; exceptions that are not a failed run pass through."""
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    if bounds.stops:  # a limit of ours stopped a cell: that is the story, whatever nbclient raised
        return _over_budget(notebook, settings, *bounds.stops[0])
    cell = _cell_label(notebook, index)
    timed_out = bounds.notebook_timed_out
    if isinstance(error, NoSuchKernel):
        return _kernel_missing(kernel)
    if timed_out and isinstance(error, (CellExecutionError, DeadKernelError)):
        return ExecutionFailed(
            f"it ran longer than {settings.notebook_timeout} s (stopped in {cell})",
            "raise notebooks.notebook_timeout in course.yml",
            timed_out=True,
        )
    if isinstance(error, CellTimeoutError):
        return ExecutionFailed(
            f"{cell} ran longer than {settings.timeout} s",
            "make it faster or raise notebooks.timeout in course.yml",
            timed_out=True,
        )
    if isinstance(error, DeadKernelError):
        return _kernel_died(kernel, cell, settings, bounds.memory_limited)
    if isinstance(error, CellExecutionError) and error.ename == "MemoryError" and bounds.memory_limited:
        return ExecutionFailed(
            f"{cell} ran out of memory: it needs more than notebooks.max_memory "
            f"({human_size(settings.max_memory)})",
            "use less memory in that cell, or raise notebooks.max_memory in course.yml",
        )
    if isinstance(error, CellExecutionError):
        module = missing_module(error.ename, error.evalue)
        if module:
            lack, remedy = missing_module_advice(module, kernel)
            return ExecutionFailed(f"{cell} {lack}", remedy)
        first_line = scrubber.text((error.evalue or "").strip().split("\n")[0])
        return ExecutionFailed(
            f"{cell} raised {error.ename}: {first_line}" if first_line else f"{cell} raised {error.ename}",
            "tag the cell `raises-exception` if the error is on purpose, or set allow_errors",
        )
    if isinstance(error, RuntimeError):  # nbclient reports kernels that fail to start this way
        return ExecutionFailed(
            f"kernel '{kernel.name}' did not start: {error}", "check that the kernel starts in Jupyter"
        )
    return error


def _kernel_died(kernel: KernelChoice, cell: str, settings: NotebookSettings, memory_limited: bool):
    if memory_limited:
        return ExecutionFailed(
            f"kernel '{kernel.name}' died in {cell}, perhaps over notebooks.max_memory "
            f"({human_size(settings.max_memory)})",
            "use less memory in that cell, or raise notebooks.max_memory in course.yml",
        )
    return ExecutionFailed(
        f"kernel '{kernel.name}' died in {cell}",
        "out of memory, or a crash in a library? run it in Jupyter to see",
    )


def _kernel_missing(kernel: KernelChoice) -> ExecutionFailed:
    available = installed_kernels()
    choices = (
        f"installed kernels: {', '.join(available)}"
        if available
        else "no kernel is installed (for Python: pip install ipykernel)"
    )
    if kernel.origin.startswith(("notebooks.kernel", "metadata.coursegen.kernel")):
        remedy = f"set {kernel.origin.split(' ')[0]} to one of them"
    else:
        remedy = (
            "choose one with notebooks.kernel in course.yml (every notebook) "
            "or metadata.coursegen.kernel (this notebook)"
        )
    return ExecutionFailed(
        f"kernel '{kernel.name}' ({kernel.origin}) is not installed",
        f"{choices}; {remedy}, or install '{kernel.name}'",
    )


def _over_budget(notebook, settings: NotebookSettings, why: str, index: int | None) -> ExecutionFailed:
    cell = _cell_label(notebook, index)
    if why == "timeout":
        return ExecutionFailed(
            f"{cell} ran longer than {settings.timeout} s",
            "make it faster or raise notebooks.timeout in course.yml",
            timed_out=True,
        )
    return ExecutionFailed(
        f"{cell} printed more than notebooks.max_output ({human_size(settings.max_output)}); it was stopped",
        "print less (a loop that prints every step?), or raise notebooks.max_output in course.yml",
    )


def _kernel_pid(client) -> int | None:
    process = (
        getattr(getattr(client.km, "provisioner", None), "process", None) if client.km is not None else None
    )
    return getattr(process, "pid", None)


def _kill_kernel(client) -> None:
    """SIGKILL to the kernel's process group (the kernel and whatever its cells started: it runs
    in a session of its own, which no Ctrl-C reaches), else to the kernel alone."""
    group = getattr(getattr(client.km, "provisioner", None), "pgid", None) if client.km is not None else None
    if group:
        try:
            os.killpg(group, signal.SIGKILL)
            return
        except OSError:  # already gone
            pass
    _signal_kernel(client, signal.SIGKILL)


def _signal_kernel(client, signum: int) -> bool:
    """Signal the kernel's process; False when it has none (yet)."""
    pid = _kernel_pid(client)
    if not pid:
        return False
    try:
        os.kill(pid, signum)
    except OSError:  # already gone
        pass
    return True


def _cell_label(notebook, index: int | None) -> str:
    """'cell 4 (`1 / 0`)': the cell as the author numbers cells in Jupyter, with its first line."""
    if index is None or not 0 <= index < len(notebook.cells):
        return "a cell"
    first_line = notebook.cells[index].source.strip().split("\n")[0]
    shown = first_line if len(first_line) <= 60 else first_line[:59] + "…"
    return f"cell {index + 1} (`{shown}`)"
