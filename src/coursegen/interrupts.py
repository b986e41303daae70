"""Ctrl-C and SIGTERM: what they raise, and the few steps they must not cut in half."""

from __future__ import annotations

import contextlib
import os
import signal
import threading

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The build was stopped by a signal. `site_replaced` tells whether the new site was already in
    place when it came (the command then says so, rather than that the old one was kept)."""

    def __init__(self, signum: int = signal.SIGINT, site_replaced: bool = False):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.site_replaced = site_replaced

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # the shell's convention: 130 for Ctrl-C, 143 for SIGTERM


def raise_interrupted(signum, frame) -> None:
    """A signal handler: SIGTERM (or SIGINT) stops the build like Ctrl-C, cleaning up on the way."""
    raise Interrupted(signum)


def as_interrupted(interrupt: KeyboardInterrupt, site_replaced: bool) -> Interrupted:
    """`interrupt` as an Interrupted that knows whether the new site is in place."""
    signum = interrupt.signum if isinstance(interrupt, Interrupted) else signal.SIGINT
    return Interrupted(signum, site_replaced or getattr(interrupt, "site_replaced", False))


@contextlib.contextmanager
def deferred(on_signal=None):
    """Ctrl-C and SIGTERM wait until the block ends, then take effect as they would have: the
    steps inside (a few renames) happen all or not at all. `on_signal()`, if given, runs as soon
    as one comes (to end the block sooner). A signal that was ignored stays ignored. Outside the
    main thread, where no handler can be set, the block just runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def hold(signum, frame) -> None:
        received.append(signum)
        if on_signal is not None:
            on_signal()

    previous = {}
    for signum in STOP_SIGNALS:
        handler = signal.getsignal(signum)
        if handler not in (signal.SIG_IGN, None):
            previous[signum] = signal.signal(signum, hold)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if received:
            _deliver(received[0], previous[received[0]])


def _deliver(signum: int, handler) -> None:
    if callable(handler):
        handler(signum, None)
    else:  # the default action: end the process
        os.kill(os.getpid(), signum)
