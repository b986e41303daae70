"""Notebooks run on a Dask distributed cluster (`--executor tcp://HOST:8786`, course.yml `notebooks.executor`).

Each notebook is one task: `execute.run_job` with the notebook, its input files (bytes, or paths
on a shared file system), its settings and kernel. The workers need coursegen, the kernels and the
libraries the notebooks import: the same environment as this machine. A worker lost mid-run has its
notebook run again elsewhere (the scheduler does it; `retries=1` covers an error raised in the task).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from coursegen.errors import CoursegenError, UsageError

CONNECT_SECONDS = 5  # a scheduler that doesn't answer within this is unreachable


def connect(address: str):
    """A client of the scheduler at `address`; exit status 2 before anything runs when it can't be reached."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(
            f"running notebooks on {address} needs Dask's client, which is not installed",
            "pip install 'coursegen[dask]'",
        ) from None
    try:
        return Client(address, timeout=f"{CONNECT_SECONDS}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise CoursegenError(
            f"the Dask scheduler at {address} cannot be reached ({type(error).__name__}: {error}); no "
            "notebook was run",
            "start it (`dask scheduler`, then `dask worker ADDRESS`), check the address and port, or build "
            "without --executor to run them on this machine",
            exit_code=2,
        ) from None


def run_on_cluster(address: str, misses: list) -> Iterator:
    """Yield (record, RunResult) as the cluster finishes them."""
    from distributed import as_completed

    from coursegen.execute import RunResult, run_job

    client = connect(address)
    try:
        offered = _resources_offered(client)
        futures = {}
        for record, job in misses:
            lacking = sorted(
                name for name in record.resources if offered.get(name, 0) < record.resources[name]
            )
            if lacking:
                yield (
                    record,
                    RunResult(
                        "failed",
                        message=f"no worker of the cluster offers {', '.join(lacking)}",
                        hint="start workers with --resources (e.g. dask worker ADDRESS --resources GPU=1), "
                        "or remove metadata.coursegen.resources",
                    ),
                )
                continue
            key = f"coursegen-{record.rel}-{uuid.uuid4().hex[:8]}"
            future = client.submit(
                run_job, job, key=key, resources=record.resources or None, retries=1, pure=False
            )
            futures[future] = record
        for future in as_completed(list(futures), loop=client.loop):
            record = futures[future]
            try:
                result = future.result()
            except (
                Exception
            ) as error:  # lost workers beyond the scheduler's patience, a worker without coursegen…
                result = RunResult(
                    "failed",
                    message=f"the cluster could not run it ({type(error).__name__}: {error})",
                    hint="see the workers' logs; they need coursegen, the kernel and the notebook's "
                    "libraries",
                )
            yield record, result
    finally:
        client.close()


def _resources_offered(client) -> dict[str, float]:
    """The most of each resource one worker offers."""
    offered: dict[str, float] = {}
    for worker in client.scheduler_info().get("workers", {}).values():
        for name, amount in (worker.get("resources") or {}).items():
            offered[name] = max(offered.get(name, 0), amount)
    return offered
