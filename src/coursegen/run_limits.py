"""What keeps one notebook run bounded where nbclient alone is not: output and memory.

nbclient enforces the per-cell timeout only while it waits for the kernel's reply; a cell that
floods output (`while True: print(...)`) keeps its message loop busy, so the timeout never fires,
the kernel's send buffers and our copy of the outputs grow without end. `BoundedClient` checks the
cell's output size and age at every message: past `notebooks.max_output` or `notebooks.timeout` it
drops further output, notes why, and interrupts the kernel (then kills it if it does not stop).
`limit_memory` caps the kernel's address space (`notebooks.max_memory`).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class CellBudget:
    """The running cell's limits and what it has used of them."""

    max_output: int
    timeout: float
    stop_kernel: Callable[[], None]
    truncated_note: str = "… output truncated"
    index: int | None = None
    started: float = field(default_factory=time.monotonic)
    used: int = 0
    exceeded: str = ""  # "" | "output" | "timeout": why the running cell was stopped
    noted: bool = False  # the truncation note is in the cell's outputs
    stops: list[tuple[str, int | None]] = field(default_factory=list)  # (why, cell index), in order

    def start(self, index: int) -> None:
        self.index, self.started, self.used = index, time.monotonic(), 0
        self.exceeded, self.noted = "", False

    def admit(self, msg: dict) -> bool:
        """Whether this output message may be kept (a stream message may be shortened to fit)."""
        if self.exceeded:
            return False
        if time.monotonic() - self.started > self.timeout:
            self._stop("timeout")
            return False
        size = output_size(msg)
        if self.used + size <= self.max_output:
            self.used += size
            return True
        room = self.max_output - self.used
        content = msg.get("content", {})
        if msg.get("msg_type") == "stream" and isinstance(content.get("text"), str) and room > 0:
            content["text"] = content["text"][:room]  # what fits, then the note
        self.used = self.max_output
        self._stop("output")
        return msg.get("msg_type") == "stream" and room > 0

    def _stop(self, why: str) -> None:
        self.exceeded = why
        self.stops.append((why, self.index))
        self.stop_kernel()


def output_size(msg: dict) -> int:
    """Characters an output message adds to the notebook (text and encoded data alike)."""
    content = msg.get("content", {})
    if msg.get("msg_type") == "stream":
        return len(content.get("text", "") or "")
    if msg.get("msg_type") == "error":
        return sum(len(line) for line in content.get("traceback", []) or [])
    data = content.get("data", {}) or {}
    return sum(len(value) if isinstance(value, str) else len(str(value)) for value in data.values())


@functools.cache
def bounded_client_class():
    """nbclient's NotebookClient with a CellBudget looked at for every output message (nbclient is
    imported only when a notebook runs)."""
    from nbclient import NotebookClient

    class BoundedClient(NotebookClient):
        budget: CellBudget | None = None

        def output(self, outs, msg, display_id, cell_index):
            budget = self.budget
            if budget is None or msg["msg_type"] not in ("stream", "display_data", "execute_result", "error"):
                return super().output(outs, msg, display_id, cell_index)
            out = super().output(outs, msg, display_id, cell_index) if budget.admit(msg) else None
            if budget.exceeded == "output" and not budget.noted:
                from nbformat.v4 import new_output

                outs.append(new_output("stream", name="stderr", text=f"\n{budget.truncated_note}\n"))
                budget.noted = True
            return out

    return BoundedClient


def limit_memory(pid: int, limit: int) -> bool:
    """Cap the address space of the kernel process `pid` (and what it starts from then on); False
    where the system cannot (not Linux)."""
    try:
        import resource

        resource.prlimit(pid, resource.RLIMIT_AS, (limit, limit))
    except (ImportError, AttributeError, OSError, ValueError):
        return False
    return True


def human_size(size: int) -> str:
    for unit, power in (("G", 3), ("M", 2), ("K", 1)):
        if size >= 1024**power:
            value = size / 1024**power
            return f"{value:.0f} {unit}B" if value == int(value) else f"{value:.1f} {unit}B"
    return f"{size} bytes"
