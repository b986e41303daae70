"""The build's worker pool (workers.py): what a worker needs to start goes through a file, so
that starting a worker can never hang the build."""

from __future__ import annotations

import os
import pickle
import signal
import threading
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import util

from coursegen.workers import WorkerPool

BIG = b"course " * 1_000_000  # 7 MB: a big course's pages and settings


def _remember(data: bytes) -> None:
    global _data
    _data = data


def _length(item: int) -> int:
    return len(_data) + item


def test_workers_start_from_a_file_with_any_amount_of_data_which_is_then_deleted():
    with WorkerPool(2, _remember, (BIG,)) as pool:
        start = pool._start_data
        assert os.path.isfile(start)
        # what `spawn` writes to each new worker's pipe: far below the pipe's 64 KB
        assert len(pickle.dumps(pool._executor._initargs)) < 1_000
        assert list(pool.map(_length, [1, 2, 3])) == [len(BIG) + 1, len(BIG) + 2, len(BIG) + 3]
    assert not os.path.exists(start)


def test_a_worker_that_dies_before_reading_its_start_up_data_does_not_hang_the_build(monkeypatch):
    """Python writes a new worker's start-up data into a pipe whose reading end it still holds:
    if the worker is gone before reading (a group SIGTERM, then the pool terminating the one being
    started) and the data is bigger than the pipe's buffer, the write never returns. Here every
    worker is killed as soon as it exists: the pool breaks, and says so, instead of hanging."""
    real = util.spawnv_passfds

    def spawn_then_kill(path, args, passfds):
        pid = real(path, args, passfds)
        if any(
            "spawn_main" in os.fsdecode(arg) for arg in args
        ):  # a worker (not multiprocessing's resource tracker)
            os.kill(pid, signal.SIGKILL)
            os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # dead, before anything is written to it
        return pid

    monkeypatch.setattr(util, "spawnv_passfds", spawn_then_kill)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            with WorkerPool(2, _remember, (BIG,)) as pool:
                list(pool.map(_length, list(range(8))))
        except BaseException as problem:  # noqa: BLE001 (what the pool raised is the result)
            outcome.append(problem)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(
        float(os.environ.get("WORKERS_TEST_WAIT", "120"))
    )  # a deadlock detector, not a speed limit: it takes well under a second
    assert not thread.is_alive(), "starting a worker hung"
    assert len(outcome) == 1 and isinstance(outcome[0], BrokenProcessPool)
