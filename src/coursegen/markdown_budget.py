"""A time budget for each Markdown conversion (course.yml `markdown.max_seconds`, default 10 s of
processor time of the converting thread: a machine busy with other work does not stop a page).

Python-Markdown has inputs on which it is quadratic (20,000 footnotes take about half a minute;
before 3.11.4, 20,000 `[` took a minute: its link pattern scanned to the end of the text from every
bracket) and no way to stop. The conversion runs
in the renderer's own thread (the build's, a worker process's, or the preview's builder) and a
watchdog thread, one per renderer, raises `ConversionStopped` in that thread once the budget is
spent (`PyThreadState_SetAsyncExc`: the exception lands at the next Python instruction, and
Python-Markdown is pure Python). The caller then drops its converter, whose half-done state is
not trusted, and makes the page an error naming the likely construct (`MarkdownTooSlow`).

Why not a signal timer: it only works in a process's main thread, and the preview renders in
another one; why not a deadline check in coursegen's own tree processors: they run after the
inline patterns where the time goes.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import TypeVar

DEFAULT_SECONDS = 10.0
RESEND = 1.0  # seconds: if library code swallowed the exception, it is raised again
IDLE = 2.0  # seconds without a conversion after which the watchdog thread ends
_T = TypeVar("_T")


class ConversionStopped(BaseException):
    """Raised inside the converting thread; a BaseException so that no `except Exception` in a
    Markdown extension swallows it."""


class MarkdownTooSlow(Exception):
    def __init__(self, seconds: float, text: str):
        self.seconds = seconds
        self.construct = likely_construct(text)
        super().__init__(
            f"Markdown conversion took longer than {seconds:g} s and was stopped (likely cause: {self.construct})"
        )

    hint = "simplify or split the page; if it is only long, raise markdown.max_seconds in course.yml"


class Deadline:
    """Runs a function in the calling thread with a time limit, watched by one daemon thread that
    sleeps while no conversion runs (arming and disarming cost a lock, not a thread switch)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._deadline: float | None = None
        self._thread_id = 0
        self._fired = False
        self._watchdog: threading.Thread | None = None
        self._seconds, self._cpu = 0.0, _ThreadCPU()

    def run(self, seconds: float, work: Callable[[], _T]) -> _T:
        """`work()`, or ConversionStopped after `seconds` (no limit when `seconds` <= 0). Disarmed
        however `work` ends (Ctrl-C too), so that no stop lands later in the caller's code."""
        if seconds <= 0:
            return work()
        self._arm(seconds)
        try:
            return work()
        finally:
            while True:
                try:
                    self._disarm()
                    break
                except ConversionStopped:  # the one on its way when the work ended: done with it
                    continue

    def _arm(self, seconds: float) -> None:
        with self._cond:
            if self._watchdog is None:
                self._watchdog = threading.Thread(
                    target=self._watch, name="coursegen-markdown-budget", daemon=True
                )
                self._watchdog.start()
            idle = self._deadline is None
            self._deadline, self._thread_id, self._fired = (
                time.monotonic() + seconds,
                threading.get_ident(),
                False,
            )
            self._seconds, self._cpu = seconds, _ThreadCPU()
            if idle:
                self._cond.notify()

    def _disarm(self) -> None:
        with self._cond:
            self._deadline = None
            if self._fired:  # raised, or still pending: cancel a pending one
                self._fired = False
                _raise_in(self._thread_id, None)

    def _watch(self) -> None:
        """Sleeps until the deadline; ends after IDLE seconds without a conversion (a preview makes
        a renderer per build: their watchdogs must not pile up)."""
        with self._cond:
            while True:
                if self._deadline is None:
                    self._cond.wait(IDLE)
                    if self._deadline is None:
                        self._watchdog = None
                        return
                    continue
                left = self._deadline - time.monotonic()
                if left <= 0:  # as long on the clock: has the conversion had that much processor?
                    left = self._seconds - self._cpu.used()
                    self._deadline = time.monotonic() + left
                if left > 0:
                    self._cond.wait(left)
                    continue
                _raise_in(self._thread_id, ConversionStopped)
                self._fired, self._deadline = True, time.monotonic() + RESEND


class _ThreadCPU:
    """Processor seconds the calling thread has used since this was made (read from any thread), so
    that a build slowed by a loaded machine is not stopped; wall seconds where the system has no
    per-thread clock."""

    def __init__(self) -> None:
        try:
            self._clock: int | None = time.pthread_getcpuclockid(threading.get_ident())
            self._start = time.clock_gettime(self._clock)
        except (AttributeError, OSError):  # not a POSIX system with thread clocks
            self._clock, self._start = None, time.monotonic()

    def used(self) -> float:
        if self._clock is None:
            return time.monotonic() - self._start
        try:
            return time.clock_gettime(self._clock) - self._start
        except OSError:  # the thread is gone
            return float("inf")


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    """Raise `exception` in the thread at its next Python instruction (None: cancel a pending one)."""
    import ctypes  # only when a conversion runs over its time: not on every build

    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception is not None else None
    )


# What makes Python-Markdown (or an extension) slow, measured in benchmarks/markdown_pathological.py
_CONSTRUCTS = (
    (re.compile(r"\[\^[^\]\n]*\](?!:)"), "footnote references"),
    (re.compile(r"^ {0,3}#{1,6}[ \t]", re.MULTILINE), "headings"),
    (re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$", re.MULTILINE), "horizontal rules (* * *)"),
    (re.compile(r"[*_]{2,}"), "runs of emphasis marks (* or _)"),
    (re.compile(r"^[ \t]*>", re.MULTILINE), "quoted lines (>)"),
)
UNCLOSED = (
    "'[' without a matching ']' (Python-Markdown before 3.11.4 looks for the end of a link from each one)"
)
NOTABLE = 500  # fewer of a construct than this is normal in a long lesson


def likely_construct(text: str) -> str:
    """The construct of which the text has the most, e.g. "20,000 '[' without a matching ']' (…)"."""
    counts = [(text.count("[") - text.count("]"), UNCLOSED)]
    counts += [(sum(1 for _ in pattern.finditer(text)), name) for pattern, name in _CONSTRUCTS]
    count, name = max(counts, key=lambda pair: pair[0])
    if count < NOTABLE:
        return f"a very long text ({len(text):,} characters)"
    return f"{count:,} {name}"
