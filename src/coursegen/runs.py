"""The execution stage: which notebooks run, with which inputs, where — before pages are rendered.

Each notebook to execute gets its key (code, kernel, settings and input files: execute.py and
inputs.py); a key already in the cache is reused, wherever it was computed. The others run on this
machine (up to -j kernels at once, memory permitting) or on a Dask cluster (runs_dask.py). What
happened to each notebook becomes a RunRecord: the progress lines, the report, `--report-json`.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from coursegen.cache import JsonCache
from coursegen.config import NotebookSettings
from coursegen.errors import Diagnostics
from coursegen.model import Course, PageKind

STATUSES = ("ran", "cached", "failed", "timed out", "skipped")
# a kernel of a data-science notebook easily takes half a gigabyte: another one starts only while
# this much memory is still available (one always runs)
MEMORY_PER_KERNEL = 1 << 30


@dataclass
class RunRecord:
    """What happened to one notebook in this build."""

    rel: str  # the notebook's path in the course
    url: str  # its page
    status: str  # one of STATUSES
    seconds: float = 0.0
    error: str = ""  # the first line of what went wrong (or of the first error output, allowed)
    hint: str = ""
    key: str = ""  # its execution key ("" when skipped)
    host: str = ""  # the machine it ran on
    resources: dict = field(default_factory=dict)

    def outcome(self) -> tuple[str, str, str, str]:
        """What the page needs to know, small enough for the rendering worker processes."""
        return (self.key, self.status, self.error, self.hint)


@dataclass
class RunPlace:
    """Where misses run: this machine (executor "") or a Dask scheduler's address."""

    executor: str = ""
    jobs: int = 1
    cache_writes: bool = True
    skip: tuple[Path, ...] = ()  # folders that are never inputs (the output, the cache)
    failed_before: dict | None = None  # serve: execution key → the result of a run that failed (session.py)


def execute_stage(
    course: Course,
    settings: NotebookSettings,
    root: Path,
    mode: str,
    place: RunPlace,
    diagnostics: Diagnostics,
    progress: Callable[[RunRecord | None, int, int], None] | None = None,
) -> list[RunRecord]:
    """Run what must run; every notebook page gets a record, in course order."""
    from coursegen.inputs import InputFinder

    text_notebooks = frozenset(
        p.rel for p in course.pages if p.source is not None and p.source.is_text_notebook
    )
    finder = InputFinder(
        root,
        settings.inputs,
        settings.inputs_exclude,
        place.skip,
        read_only=not place.cache_writes,
        text_notebooks=text_notebooks,
    )
    cache = JsonCache(root, "executed", read_only=not place.cache_writes)
    records: list[RunRecord] = []
    misses = []
    for page in course.pages:
        if page.kind is not PageKind.NOTEBOOK or page.source is None:
            continue
        record, job = _plan(page, settings, mode, finder, cache, root, place, diagnostics)
        records.append(record)
        if job is not None:
            misses.append((record, job))
    finder.save()
    done = len(records) - len(misses)
    if misses:
        if progress:
            progress(None, done, len(records))
        remembered = place.failed_before if place.failed_before is not None else {}
        replayed = [
            (record, _replayed(remembered[record.key])) for record, _ in misses if record.key in remembered
        ]
        misses = [(record, job) for record, job in misses if record.key not in remembered]
        outcomes = (
            ()
            if not misses
            else _on_cluster(place.executor, misses)
            if place.executor
            else _on_this_machine(misses, _parallel(place.jobs, settings, len(misses)))
        )
        for record, result in chain(replayed, outcomes):
            _settle(record, result, cache)
            if result.status != "ran" and place.failed_before is not None:
                place.failed_before.setdefault(record.key, result)
            done += 1
            if progress:
                progress(record, done, len(records))
    return records


def _plan(
    page,
    settings: NotebookSettings,
    mode: str,
    finder,
    cache: JsonCache,
    root: Path,
    place: RunPlace,
    diagnostics: Diagnostics,
):
    """The page's record, and the job to run when its results are not cached."""
    from coursegen.execute import RunJob, execution_key
    from coursegen.kernels import choose_kernel
    from coursegen.notebooks import NotebookProblem, needs_execution, validated_notebook

    record = RunRecord(page.rel, page.url, "skipped")
    try:
        notebook = validated_notebook(page, Diagnostics())  # its problems are reported with its page
    except NotebookProblem as problem:
        record.error = f"not run: {problem}"
        return record, None
    if not needs_execution(notebook, mode):
        record.error = "not run: it has outputs (notebooks.execute: auto)"
        return record, None
    own = notebook.metadata.get("coursegen")
    own = own if isinstance(own, dict) else {}
    inputs, problems = finder.inputs(page.source.rel.as_posix(), _patterns(own.get("inputs")))
    for problem in problems:
        diagnostics.warning(
            page.rel,
            problem,
            "inputs are globs such as data/*.csv or ../shared/**/*.parquet",
            kind="execution",
        )
    record.key = execution_key(notebook, settings, inputs)
    record.resources = _resources(own.get("resources"), page.rel, diagnostics)
    if os.path.isfile(cache.path(record.key, "json")):
        record.status = "cached"
        return record, None
    kernel = choose_kernel(notebook, settings)[0]
    files: dict[str, bytes | str] = {rel: str(root / rel) for rel in inputs}
    links = finder.outside_links.get(page.source.rel.as_posix(), {})
    if place.executor and not settings.shared_fs:  # the workers can't see this disk: the bytes travel
        files = {rel: _read(root / rel) for rel in inputs}
        for rel, target in links.items():
            diagnostics.warning(
                page.rel,
                f"'{rel}' links to {target}, outside the course: the Dask workers read it there only if they share this file system",
                "set notebooks.shared_fs: true if they do, or copy the files into the course",
                kind="execution",
            )
    job = RunJob(page.rel, json.loads(json.dumps(notebook)), settings, kernel, files, links)
    return record, job


def _patterns(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _resources(value, rel: str, diagnostics: Diagnostics) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0
        for k, v in value.items()
    ):
        diagnostics.warning(
            rel,
            f"metadata.coursegen.resources must map resource names to amounts, not {value!r}; ignored",
            "e.g. \"resources\": {\"GPU\": 1}",
            kind="execution",
        )
        return {}
    return dict(value)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _parallel(jobs: int, settings: NotebookSettings, misses: int) -> int:
    return max(1, min(jobs, settings.max_parallel or jobs, misses))


def _settle(record: RunRecord, result, cache: JsonCache) -> None:
    """The record from a run's result; complete runs enter the cache (failed ones run again next time)."""
    record.status, record.seconds, record.host = result.status, result.seconds, result.host
    record.error, record.hint = result.message, result.hint
    if result.status == "ran":
        cache.put(record.key, result.cells)
        record.error = _first_error_output(result.cells)


def _replayed(result):
    """A run that failed earlier in this serve session, said to be so (not run again)."""
    from coursegen.session import NOT_RUN_AGAIN

    return dataclasses.replace(
        result, hint=f"{result.hint}; {NOT_RUN_AGAIN}" if result.hint else NOT_RUN_AGAIN
    )


def _first_error_output(cells: list[dict]) -> str:
    """An allowed error still deserves a line in the report."""
    for cell in cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                first = str(output.get("evalue", "")).strip().split("\n")[0]
                return (
                    f"{output.get('ename', 'Error')}: {first}" if first else str(output.get("ename", "Error"))
                )
    return ""


def _on_this_machine(misses: list, parallel: int) -> Iterator:
    """Up to `parallel` notebooks at once in threads (each kernel is its own process), a new one
    only while memory allows; an interrupted build kills the kernels still running."""
    from coursegen.execute import RunResult, run_job

    pending = deque(misses)
    running: dict = {}
    stops: list[Callable[[], None]] = []
    with ThreadPoolExecutor(parallel, thread_name_prefix="coursegen-run") as pool:
        try:
            while pending or running:
                while (
                    pending
                    and len(running) < parallel
                    and (not running or _memory_available() >= MEMORY_PER_KERNEL)
                ):
                    record, job = pending.popleft()
                    running[pool.submit(run_job, job, stops.append)] = record
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    record = running.pop(future)
                    try:
                        result = future.result()
                    except Exception as error:  # not a failed run: a bug, or a broken kernel installation
                        result = RunResult(
                            "failed",
                            message=f"could not be run ({type(error).__name__}: {error})",
                            hint="please report this to the coursegen developers",
                        )
                    yield record, result
        except BaseException:
            pending.clear()
            for stop in stops:
                stop()
            raise


def _memory_available() -> int:
    """MemAvailable from /proc/meminfo, in bytes (unknown elsewhere: no limit)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as file:
            for line in file:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return MEMORY_PER_KERNEL


def _on_cluster(address: str, misses: list) -> Iterator:
    from coursegen.runs_dask import run_on_cluster

    return run_on_cluster(address, misses)
