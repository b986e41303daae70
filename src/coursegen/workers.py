"""Worker processes for rendering, which leave Ctrl-C and SIGTERM to the build and stop at once
when it stops.

A Ctrl-C in a terminal reaches every process of the foreground group: the build and its workers.
A worker that took it as a KeyboardInterrupt of its own used to die in the middle of a queue
operation (printing a traceback, holding a lock the others then waited for forever), and a busy
worker made `shutdown()` wait for its page. Here the workers ignore SIGINT — the build decides —
and when the build stops early (an interrupt, an error) it terminates them rather than waiting.

What a worker needs to start (the course, the settings: megabytes for a big course) goes through a
temporary file, not through the pipe `spawn` writes each new process's start-up data to: Python
(3.11–3.13) writes that data while still holding the pipe's reading end itself, so when the new
process dies before reading (a SIGTERM to the whole group makes one worker die, and the pool then
terminates the one being started), a write bigger than the pipe's buffer (64 KB) never returns and
the build hangs. Kept small, the write always fits in the buffer.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import pickle
import signal
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from coursegen.interrupts import deferred

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
GRACE_SECONDS = 1.0  # a terminated worker has this long to end before it is killed


class _RecordingSpawnContext(multiprocessing.context.SpawnContext):
    """The spawn start method, remembering each process it makes: the pool's workers, to
    terminate them (ProcessPoolExecutor only offers that from Python 3.14)."""

    def __init__(self) -> None:
        super().__init__()
        self.processes: list[multiprocessing.process.BaseProcess] = []

    def Process(self, *args, **kwargs):  # noqa: N802 (multiprocessing's name)
        process = multiprocessing.context.SpawnProcess(*args, **kwargs)
        self.processes.append(process)
        return process


class WorkerPool:
    """`with WorkerPool(n, initializer, initargs) as pool: pool.map(...)`: a ProcessPoolExecutor
    whose workers ignore Ctrl-C; leaving the block by an exception (KeyboardInterrupt included) or
    a generator's close terminates them instead of waiting for their current task."""

    def __init__(self, workers: int, initializer, initargs: tuple):
        self._context = _RecordingSpawnContext()
        # the workers' start-up data, read from a file by each (see the module's docstring); sent
        # along as before when no temporary file can be written
        self._start_data = _start_data_file(initializer, initargs)
        start = self._start_data or (initializer, initargs)
        self._executor = ProcessPoolExecutor(
            workers, mp_context=self._context, initializer=_start_worker, initargs=(start,)
        )

    def __enter__(self) -> WorkerPool:
        return self

    def map(self, function, items: list, chunksize: int = 1):
        """`function(item)` for each item, in order, computed `chunksize` items per task.

        Not Executor.map: closing its iterator cancels the tasks left, and a task cancelled
        while the pool breaks (its workers terminated) makes Python 3.11's pool thread die with
        a traceback (InvalidStateError). Tasks here are never cancelled: stop() ends them."""
        # The workers start here (at submit). They inherit both signals blocked until they ignore
        # SIGINT (a Ctrl-C while one starts up never reaches its Python code) and are ready to
        # end quietly at SIGTERM; and this process takes either signal once every worker has read
        # what it needs to start. (A worker that died meanwhile, or one this process stopped
        # feeding, would leave this process blocked writing to it, or print a traceback.)
        with deferred():
            previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
            try:
                tasks = [
                    self._executor.submit(_run_chunk, function, items[start : start + chunksize])
                    for start in range(0, len(items), chunksize)
                ]
            except OSError as error:
                # Python 3.11's pool closes its wake-up pipe once it finds a worker dead: a task
                # submitted at that moment fails with "handle is closed" — the pool is broken
                raise BrokenProcessPool(f"a worker process ended while tasks were given ({error})") from error
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        return _results(tasks)

    def __exit__(self, kind, error, traceback) -> None:
        try:
            if kind is None:
                self._executor.shutdown(wait=True)
            else:
                self.stop()
        finally:  # every worker has started (or is gone): its start-up data is no longer needed
            if self._start_data:
                try:
                    os.unlink(self._start_data)
                except OSError:
                    pass

    def stop(self) -> None:
        """Terminate the workers (SIGTERM), kill those still there after GRACE_SECONDS (one still
        starting up), then release the pool. Another Ctrl-C meanwhile waits until this is done:
        no worker is left behind."""
        with deferred():
            started = [process for process in self._context.processes if process.pid is not None]
            for process in started:
                if process.is_alive():
                    process.terminate()
            deadline = time.monotonic() + GRACE_SECONDS
            for process in started:
                process.join(max(0.0, deadline - time.monotonic()))
                if process.is_alive():
                    process.kill()
                    process.join()
            # its thread sees the workers gone and ends: wait for it (no cancel_futures: see map()),
            # or Python's exit would wake a thread that is closing its pipe (a traceback on 3.11)
            self._executor.shutdown(wait=True)


def _results(tasks: list):
    """Each task's results in order, each task let go once read (a big course's pages need not
    all stay in memory)."""
    tasks.reverse()
    while tasks:
        yield from tasks.pop().result()


def _run_chunk(function, items: list) -> list:
    return [function(item) for item in items]


def _start_data_file(initializer, initargs: tuple) -> str:
    """A temporary file holding (initializer, initargs), or "" when none can be written."""
    try:
        with tempfile.NamedTemporaryFile(
            "wb", prefix="coursegen-workers-", suffix=".pickle", delete=False
        ) as file:
            pickle.dump((initializer, initargs), file, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        return ""
    return file.name


def _start_worker(start_data: str | tuple) -> None:
    """In each worker, before anything else: Ctrl-C is the build's to handle (it stops the
    workers itself), SIGTERM ends the worker quietly; then the signals blocked since the worker
    started are let through (a Ctrl-C that came meanwhile is dropped, a SIGTERM ends it now).
    Then the initializer, with its arguments: read from the file `start_data`, or given."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    if isinstance(start_data, str):
        with open(start_data, "rb") as file:
            start_data = pickle.load(file)
    initializer, initargs = start_data
    initializer(*initargs)
