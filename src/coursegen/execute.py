"""Running notebooks (opt-in) with nbclient: bounded, isolated, cached by code."""

from __future__ import annotations

import copy
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from coursegen.cache import JsonCache, digest, installed_version
from coursegen.config import NotebookSettings
from coursegen.discover import is_ignored
from coursegen.errors import Diagnostics
from coursegen.model import Page
from coursegen.notebooks import ExecutionProblem

DEFAULT_KERNEL = "python3"


def execution_key(notebook, settings: NotebookSettings) -> str:
    """Only what changes the results: code cells, kernel and settings (not Markdown cells)."""
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    tags = [sorted(cell.metadata.get("tags", [])) for cell in notebook.cells if cell.cell_type == "code"]
    return digest(
        "execute",
        kernel_name(notebook),
        json.dumps(code),
        json.dumps(tags),
        str(settings.timeout),
        str(allow_errors(notebook, settings)),
        installed_version("nbclient"),
    )


def kernel_name(notebook) -> str:
    spec = notebook.metadata.get("kernelspec")
    name = spec.get("name") if isinstance(spec, dict) else None
    return name if isinstance(name, str) and name else DEFAULT_KERNEL


def allow_errors(notebook, settings: NotebookSettings) -> bool:
    own = notebook.metadata.get("coursegen", {})
    value = own.get("allow_errors") if isinstance(own, dict) else None
    return value if isinstance(value, bool) else settings.allow_errors


def execute_notebook(page: Page, notebook, root: Path, settings: NotebookSettings, diagnostics: Diagnostics):
    """The notebook with fresh outputs. Raises NotebookProblem naming the notebook and what failed."""
    cache = JsonCache(root, "executed")
    key = execution_key(notebook, settings)
    cached = cache.get(key)
    if cached is not None:
        return _with_outputs(notebook, cached)
    executed = _run(page, copy.deepcopy(notebook), settings)
    code_cells = [cell for cell in executed.cells if cell.cell_type == "code"]
    cache.put(key, [{"outputs": cell.outputs, "execution_count": cell.execution_count} for cell in code_cells])
    return executed


def _with_outputs(notebook, results: list[dict]):
    import nbformat

    result = copy.deepcopy(notebook)
    code_cells = [cell for cell in result.cells if cell.cell_type == "code"]
    for cell, stored in zip(code_cells, results):
        cell.outputs = [nbformat.from_dict(output) for output in stored["outputs"]]
        cell.execution_count = stored["execution_count"]
    return result


def _run(page: Page, notebook, settings: NotebookSettings):
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    kernel = kernel_name(notebook)
    with tempfile.TemporaryDirectory(prefix="coursegen-run-") as scratch:
        # Run in a copy of the notebook's folder: files the notebook writes never land in the course.
        workdir = Path(scratch) / "work"
        shutil.copytree(page.source.path.parent, workdir, ignore=lambda _dir, names: [n for n in names if is_ignored(n)], symlinks=True)
        client = NotebookClient(
            notebook,
            timeout=settings.timeout,
            kernel_name=kernel,
            allow_errors=allow_errors(notebook, settings),
            record_timing=False,  # no timestamps: the same code gives the same page
            resources={"metadata": {"path": str(workdir)}},
        )
        timed_out = threading.Event()

        def stop_runaway_notebook() -> None:
            # nbclient's kernel manager is asynchronous and owned by the executing thread: signal
            # the kernel process itself — an interrupt first, and a kill if it ignores it
            timed_out.set()
            _signal_kernel(client, signal.SIGINT)
            killer = threading.Timer(5, _signal_kernel, (client, signal.SIGKILL))
            killer.daemon = True
            killer.start()
            timers.append(killer)

        timers: list[threading.Timer] = []
        watchdog = threading.Timer(settings.notebook_timeout, stop_runaway_notebook)
        watchdog.daemon = True
        watchdog.start()
        try:
            # starts the kernel and always shuts it down, even on error; the kernel's own chatter is not ours to print
            client.execute(stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        except NoSuchKernel:
            raise ExecutionProblem(
                f"cannot run the notebook: kernel '{kernel}' is not installed",
                "install it (for Python: pip install ipykernel) or change the notebook's kernel",
            ) from None
        except CellTimeoutError:
            raise ExecutionProblem(f"cannot run the notebook: a cell ran longer than {settings.timeout} s", "make it faster or raise notebooks.timeout in course.yml") from None
        except DeadKernelError:
            if timed_out.is_set():
                raise ExecutionProblem(f"cannot run the notebook: it ran longer than {settings.notebook_timeout} s", "raise notebooks.notebook_timeout in course.yml") from None
            raise ExecutionProblem(f"cannot run the notebook: kernel '{kernel}' died", "out of memory, or a crash in a library? run it in Jupyter to see") from None
        except CellExecutionError as error:
            if timed_out.is_set():
                raise ExecutionProblem(f"cannot run the notebook: it ran longer than {settings.notebook_timeout} s", "raise notebooks.notebook_timeout in course.yml") from None
            raise ExecutionProblem(
                f"{_failing_cell(notebook)} raised {error.ename}: {error.evalue}",
                "tag the cell `raises-exception` if the error is on purpose, or set allow_errors",
            ) from None
        except RuntimeError as error:  # nbclient reports kernels that fail to start this way
            raise ExecutionProblem(f"cannot run the notebook with kernel '{kernel}': {error}", "check that the kernel starts in Jupyter") from None
        finally:
            watchdog.cancel()
            for timer in timers:
                timer.cancel()
    return notebook


def _signal_kernel(client, signum: int) -> None:
    process = getattr(getattr(client.km, "provisioner", None), "process", None) if client.km is not None else None
    pid = getattr(process, "pid", None)
    if pid:
        try:
            os.kill(pid, signum)
        except OSError:  # already gone
            pass


def _failing_cell(notebook) -> str:
    """'cell 4 (`1/0`)': the first code cell whose outputs hold an error, as the author numbers cells."""
    for number, cell in enumerate(notebook.cells, 1):
        if cell.cell_type == "code" and any(output.get("output_type") == "error" for output in cell.get("outputs", [])):
            first_line = cell.source.strip().split("\n")[0][:60]
            return f"cell {number} (`{first_line}`)"
    return "a cell"
