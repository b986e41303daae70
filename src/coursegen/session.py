"""What a `serve` session remembers from one rebuild to the next: the notebook runs and the
downloads that failed. Saving a lesson then does not run a failing notebook again (minutes) nor
wait again for a server that did not answer (up to remote_assets.timeout a file) while nothing
they depend on changed.

A run is remembered under its execution key — its code, kernel, settings and input files — so
any edit to the notebook or its data runs it again; a download under its address. Each rebuild
reports them as the first time, saying they were not tried again. `build` has no such memory
(every build tries again), and restarting `serve` forgets."""

from __future__ import annotations

from dataclasses import dataclass, field

NOT_RUN_AGAIN = "serve did not run it again: edit the notebook or its data, or restart serve, to retry"
NOT_FETCHED_AGAIN = "not tried again by serve until it restarts"


@dataclass
class FailureMemory:
    runs: dict = field(default_factory=dict)  # execution key → its execute.RunResult
    downloads: dict = field(default_factory=dict)  # address → its remote_fetch.FetchFailed
