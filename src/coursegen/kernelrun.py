"""Running an nbclient NotebookClient so that Ctrl-C and SIGTERM stop it at once.

nbclient sets SIGINT and SIGTERM handlers on its event loop that shut the kernel down politely
(seconds), swallow the signal — the build went on to the next notebook — and, once done, leave
both signals at their default action: the build's own SIGTERM handler was gone. And the kernel
runs in a session of its own (jupyter_client starts it so), so neither signal reaches it: a
worker process terminated by the build would leave it running. Here nbclient runs on an event
loop where it can set no signal handler, and a signal kills the kernel first, then does what it
did before (the build's KeyboardInterrupt, a worker's quiet end).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import threading

CLEANUP_SECONDS = 1.0  # after an interrupt, nbclient's own clean-up of the killed kernel gets this long


def execute_interruptibly(client) -> None:
    """`client.execute()`, the kernel's own chatter not printed; a signal kills its kernel."""
    with _kernel_killed_on_stop(client):
        _execute_without_signal_handlers(client)


class _LoopWithoutSignalHandlers(asyncio.SelectorEventLoop):
    def add_signal_handler(self, sig, callback, *args):
        raise RuntimeError("signals are handled by coursegen")  # nbclient then does without


def _execute_without_signal_handlers(client) -> None:
    """On an event loop of its own. Interrupted (the kernel killed already), nbclient gets a
    moment to close its channels, then whatever kernel it had started is killed."""
    loop = _LoopWithoutSignalHandlers()
    task = loop.create_task(client.async_execute(stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL))
    try:
        loop.run_until_complete(task)
    except BaseException:
        if not task.done():
            task.cancel()
            loop.run_until_complete(asyncio.wait({task}, timeout=CLEANUP_SECONDS))
        kill_kernel(client)  # one that was starting when the signal came
        raise
    finally:
        loop.close()


@contextlib.contextmanager
def _kernel_killed_on_stop(client):
    """SIGINT and SIGTERM kill the kernel, then take effect as before. (Signal handlers belong
    to the main thread: elsewhere the block just runs.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, object] = {}

    def stop(signum, frame) -> None:
        kill_kernel(client)
        handler = previous[signum]
        if callable(handler):
            handler(signum, frame)
        else:  # the default action: end the process, as the signal would have
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) not in (signal.SIG_IGN, None):  # an ignored signal stays ignored
            previous[signum] = signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def kill_kernel(client) -> None:
    """SIGKILL to the kernel's process group: the kernel and whatever its cells started."""
    provisioner = getattr(client.km, "provisioner", None) if client.km is not None else None
    group = getattr(provisioner, "pgid", None)
    process = getattr(provisioner, "process", None)
    for kill, target in ((os.killpg, group), (os.kill, getattr(process, "pid", None))):
        if target:
            try:
                kill(target, signal.SIGKILL)
                return
            except OSError:  # already gone
                pass
